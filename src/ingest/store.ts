import { and, asc, desc, eq, gt, inArray, lte, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { standingEntry } from '../db/queries.ts';
import { boards, scrapes, snapshots, sources } from '../db/schema.ts';
import { DEFAULT_SETTLE } from '../diff/settle.ts';
import { EntrySchema, type StoredEntry } from '../entry.ts';
import { ConflictError } from '../errors.ts';
import type { Scraper } from '../../scrapers/scraper.ts';
import { assignBoardKeys } from './board-keys.ts';
import type { CaptureInput, CaptureResult, ScrapeRecord } from './capture.ts';
import { entriesHash } from './hash.ts';
import { checkHealth } from './health.ts';
import { quarantine, quarantinedBefore } from './quarantine.ts';
import { firstShowingAfter, logScrape, OBSERVED, observedContentAt, scrapeTransition, type ScrapeEntry } from './scrape-log.ts';
import { observe, rederive, type BoardContext, type ObservationOutcome } from './settling.ts';
import { rowsCovering, writeInterval, type StandingRow } from './standings.ts';
import { lockBoard, type Tx } from './tx.ts';

export type { CaptureInput, CaptureResult, ScrapeRecord } from './capture.ts';
export { SCRAPE_ORIGINS, SCRAPE_STATUSES, type ScrapeOrigin, type ScrapeStatus } from './scrape-log.ts';
export type { OnAnnounced } from './tx.ts';

/**
 * Writes every source and board of the registry, so foreign keys and listings find them: two
 * statements, which change only the rows whose registry facts differ (`updated_at` is when they
 * last did), so a command on an unchanged registry writes nothing.
 */
export async function syncRegistry(db: Db, scrapers: readonly Scraper[]): Promise<void> {
  const now = new Date();
  const sourceRows = scrapers.map((scraper) => ({
    id: scraper.id,
    name: scraper.name,
    homepage: scraper.homepage,
    terms: scraper.terms,
    parserVersion: scraper.parserVersion,
    updatedAt: now,
  }));
  const boardRows = scrapers.flatMap((scraper) =>
    scraper.boards.map((board) => ({ id: board.id, sourceId: scraper.id, name: board.name, direction: board.direction, updatedAt: now })),
  );
  if (sourceRows.length === 0) return;
  const excluded = (column: string) => sql.raw(`excluded.${column}`);
  await db.transaction(async (tx) => {
    await tx
      .insert(sources)
      .values(sourceRows)
      .onConflictDoUpdate({
        target: sources.id,
        set: { name: excluded('name'), homepage: excluded('homepage'), terms: excluded('terms'), parserVersion: excluded('parser_version'), updatedAt: excluded('updated_at') },
        setWhere: sql`(${sources.name}, ${sources.homepage}, ${sources.terms}, ${sources.parserVersion}) is distinct from (excluded.name, excluded.homepage, excluded.terms, excluded.parser_version)`,
      });
    if (boardRows.length === 0) return;
    await tx
      .insert(boards)
      .values(boardRows)
      .onConflictDoUpdate({
        target: boards.id,
        set: { sourceId: excluded('source_id'), name: excluded('name'), direction: excluded('direction'), updatedAt: excluded('updated_at') },
        setWhere: sql`(${boards.sourceId}, ${boards.name}, ${boards.direction}) is distinct from (excluded.source_id, excluded.name, excluded.direction)`,
      });
  });
}

/** Logs a scrape that produced no entries (a failure or a 304); a 304 is an observation for the settling window. */
export async function recordScrape(db: Db, record: ScrapeRecord): Promise<void> {
  const ranAt = record.ranAt ?? new Date();
  const onAnnounced = record.onAnnounced ?? null;
  await db.transaction(async (tx) => {
    await lockBoard(tx, record.board);
    if (record.origin === 'live') {
      await scrapeTransition(tx, record.board, ranAt, record.status === 'failed', { error: record.error ?? null, httpStatus: record.httpStatus ?? null, source: record.source }, onAnnounced);
    }
    await logScrape(tx, {
      boardId: record.board,
      ranAt,
      capturedAt: record.capturedAt,
      origin: record.origin,
      status: record.status,
      source: record.source,
      httpStatus: record.httpStatus ?? null,
      contentHash: record.contentHash ?? null,
      error: record.error ?? null,
      etag: record.etag ?? null,
      lastModified: record.lastModified ?? null,
      durationMs: record.durationMs ?? null,
    });
    if (record.status !== 'not_modified' || !record.settling) return;
    const [shown] = await tx
      .select({ capturedAt: snapshots.capturedAt })
      .from(snapshots)
      .where(eq(snapshots.boardId, record.board))
      .orderBy(desc(snapshots.capturedAt))
      .limit(1);
    if (shown && shown.capturedAt <= record.capturedAt) {
      await observe(tx, { board: record.board, ...record.settling, attribute: record.settling.attribute, onAnnounced }, { at: record.capturedAt, entries: null, snapshot: null });
    }
  });
}

/** The scrape-log row of a capture (its status aside). */
export function scrapeEntryOf(input: CaptureInput, ranAt: Date): Omit<ScrapeEntry, 'status'> {
  return {
    boardId: input.board,
    ranAt,
    capturedAt: input.capturedAt,
    origin: input.origin,
    source: input.source,
    httpStatus: input.httpStatus ?? null,
    contentHash: input.contentHash,
    rowCount: input.entries.length,
    etag: input.etag ?? null,
    lastModified: input.lastModified ?? null,
    durationMs: input.durationMs ?? null,
  };
}

/** The snapshot row of a capture that changed the board (`entries` under the board's keys, `hash` theirs). */
export function snapshotValues(input: CaptureInput, entries: readonly StoredEntry[], hash: string) {
  return {
    boardId: input.board,
    capturedAt: input.capturedAt,
    entriesHash: hash,
    contentHash: input.contentHash,
    rowCount: entries.length,
    source: input.source,
    format: input.format,
    parserVersion: input.parserVersion,
    publishedAt: input.publishedAt,
    columns: input.columns ?? null,
  };
}

type Outcome = (status: CaptureResult['status'], snapshotId: number | null, extra?: Partial<CaptureResult>) => CaptureResult;
type SnapshotRow = typeof snapshots.$inferSelect;

/** A capture inside its transaction, with what every step of storing it needs. */
interface Pending {
  input: CaptureInput;
  /** The entries under the board's keys, and their hash. */
  entries: StoredEntry[];
  hash: string;
  /** The board as it stood at the capture's time: its standings rows, and their entries. */
  before: Map<string, StandingRow>;
  previousEntries: StoredEntry[];
  /** The snapshot in force at the capture's time. */
  previous: SnapshotRow | undefined;
  context: BoardContext;
  /** The capture's scrape-log row, but for its status. */
  log: Omit<ScrapeEntry, 'status'>;
  outcome: Outcome;
}

/**
 * Stores one capture of a board in a single transaction: the scrape-log row, and when the
 * board changed, the snapshot, its interval-encoded standings and its events.
 *
 * Captures may arrive out of order: one older than stored history is inserted at its time and
 * the events of the observation after it are derived again, so history stays what a scrape in
 * time order would have produced. The same capture stored twice is reported as `duplicate`.
 */
export async function applyCapture(db: Db, input: CaptureInput): Promise<CaptureResult> {
  const { board, capturedAt: at } = input;
  for (const entry of input.entries) EntrySchema.parse(entry);
  const ranAt = input.ranAt ?? new Date();
  const onAnnounced = input.onAnnounced ?? null;
  const nothing = { events: [], pending: 0, suppressed: 0, changeSet: null, insertedBefore: null, reasons: [], quarantineId: null };
  const outcome: Outcome = (status, snapshotId, extra = {}) => ({ status, snapshotId, rowCount: input.entries.length, ...nothing, ...extra });
  const log = scrapeEntryOf(input, ranAt);
  return db.transaction(async (tx) => {
    await lockBoard(tx, board);
    // Reads independent of one another go out together: one round trip on PostgreSQL.
    // The board as it stood at `at`: its keys are the ones models keep (board-keys.ts).
    const [before, known, [previous]] = await Promise.all([
      rowsCovering(tx, board, at),
      knownAt(tx, input),
      tx
        .select()
        .from(snapshots)
        .where(and(eq(snapshots.boardId, board), lte(snapshots.capturedAt, at)))
        .orderBy(desc(snapshots.capturedAt))
        .limit(1),
    ]);
    const previousEntries = [...before.values()].map(standingEntry);
    const entries: StoredEntry[] = input.boardKey ? assignBoardKeys(input.entries, previousEntries, input.boardKey) : input.entries;
    const hash = entriesHash(entries);
    const duplicate = await findDuplicate(tx, input, hash, outcome, known);
    if (duplicate) return duplicate;
    if (input.origin === 'live') await scrapeTransition(tx, board, ranAt, false, { error: null, httpStatus: null, source: input.source }, onAnnounced);
    const context: BoardContext = { board, direction: input.health?.direction ?? 'higher', attribute: input.attribute, window: input.settle ?? DEFAULT_SETTLE, onAnnounced };
    const capture: Pending = { input, entries, hash, before, previousEntries, previous, context, log, outcome };
    if (previous && previous.entriesHash === hash) return storeUnchanged(tx, capture, previous);
    const reasons = checkHealth(entries, input.format, previous ? { entries: previousEntries, format: previous.format } : null, input.health ?? { direction: 'higher' });
    if (reasons.length > 0) {
      const { quarantineId, announced } = await quarantine(tx, input, entries, hash, reasons, previous, onAnnounced);
      await logScrape(tx, { ...capture.log, status: 'quarantined', error: reasons.join('; '), quarantineId });
      return outcome('quarantined', null, { reasons, quarantineId, events: announced });
    }
    return storeSnapshot(tx, capture);
  });
}

/** An unchanged capture is one more observation: it may complete changes' settling windows. */
async function storeUnchanged(tx: Tx, capture: Pending, previous: SnapshotRow): Promise<CaptureResult> {
  const { input, context, outcome } = capture;
  await logScrape(tx, { ...capture.log, status: 'unchanged', snapshotId: previous.id });
  const [later] = await tx.select({ id: snapshots.id }).from(snapshots).where(and(eq(snapshots.boardId, input.board), gt(snapshots.capturedAt, input.capturedAt))).limit(1);
  if (later) {
    await rederive(tx, context);
    return outcome('unchanged', previous.id);
  }
  const settled = await observe(tx, context, { at: input.capturedAt, entries: null, snapshot: null });
  return outcome('unchanged', previous.id, { events: settled.published, pending: settled.pending, suppressed: settled.suppressed });
}

/** A capture that changed the board: its standings, snapshot and changes (derived again with what follows, when it is inserted before). */
async function storeSnapshot(tx: Tx, capture: Pending): Promise<CaptureResult> {
  const { input, entries, previous, context } = capture;
  const { board, capturedAt: at } = input;
  const next = await nextObservation(tx, board, at, previous, capture.before);
  await writeInterval(tx, board, at, next?.capturedAt ?? null, capture.before, next?.standings ?? new Map(), entries);
  const [snapshot] = await tx
    .insert(snapshots)
    .values(snapshotValues(input, entries, capture.hash))
    .returning({ id: snapshots.id });
  if (!snapshot) throw new Error('snapshot insert returned no row');
  const logged = { ...capture.log, status: previous ? ('changed' as const) : ('first' as const), snapshotId: snapshot.id };
  let settled: ObservationOutcome;
  if (next) {
    // History after this capture was stored already: its changes and their settling are derived again.
    await logScrape(tx, logged);
    await rederive(tx, context);
    const [row] = await tx.select({ changeSet: snapshots.changeSet }).from(snapshots).where(eq(snapshots.id, snapshot.id));
    settled = { published: [], pending: 0, suppressed: 0, changeSet: row?.changeSet ?? null };
  } else {
    const shown = { id: snapshot.id, previous: capture.previousEntries, columnsBefore: previous?.columns ?? null, columnsAfter: input.columns ?? null, formatBefore: previous?.format ?? null, formatAfter: input.format };
    settled = await observe(tx, context, { at, entries, snapshot: shown });
  }
  await Promise.all([
    next ? null : logScrape(tx, logged),
    tx
      .update(boards)
      .set({ firstSeenAt: sql`least(${boards.firstSeenAt}, ${at.toISOString()}::timestamptz)` })
      .where(eq(boards.id, board)),
  ]);
  return capture.outcome(logged.status, snapshot.id, {
    events: settled.published,
    pending: settled.pending,
    suppressed: settled.suppressed,
    changeSet: settled.changeSet,
    insertedBefore: next?.capturedAt ?? null,
  });
}

/** What is already stored at a capture's time (or, for its content, around it), for `findDuplicate`. */
interface KnownAt {
  sameTime: { id: number; entriesHash: string } | undefined;
  /** A streak of this content covers the capture's time. */
  observedContent: boolean;
  /** The entries hashes of observations logged at the capture's time. */
  observedAtSameTime: { entriesHash: string | null }[];
}

async function knownAt(tx: Tx, input: CaptureInput): Promise<KnownAt> {
  const { board, capturedAt: at } = input;
  const [[sameTime], observedContent, observedAtSameTime] = await Promise.all([
    tx
      .select({ id: snapshots.id, entriesHash: snapshots.entriesHash })
      .from(snapshots)
      .where(and(eq(snapshots.boardId, board), eq(snapshots.capturedAt, at))),
    input.contentHash === null ? false : observedContentAt(tx, board, at, input.contentHash),
    tx
      .select({ entriesHash: snapshots.entriesHash })
      .from(scrapes)
      .leftJoin(snapshots, eq(snapshots.id, scrapes.snapshotId))
      .where(and(eq(scrapes.boardId, board), eq(scrapes.capturedAt, at), inArray(scrapes.status, OBSERVED))),
  ]);
  return { sameTime, observedContent, observedAtSameTime };
}

/** This very capture stored before (`duplicate`), or a different one already at its time (ConflictError); null: neither. */
async function findDuplicate(tx: Tx, input: CaptureInput, hash: string, outcome: Outcome, known: KnownAt): Promise<CaptureResult | null> {
  const { board, capturedAt: at } = input;
  const { sameTime } = known;
  if (sameTime) {
    if (sameTime.entriesHash === hash) return outcome('duplicate', sameTime.id);
    throw new ConflictError(`${board}: a different snapshot is already stored at ${at.toISOString()}; give this capture its own time (--at)`);
  }
  const quarantined = await quarantinedBefore(tx, board, at, hash, input.contentHash);
  if (quarantined) return outcome('duplicate', null, { reasons: quarantined.reasons, quarantineId: quarantined.id });
  // Within a streak of this content, the capture adds nothing the log does not already say.
  if (known.observedContent) return outcome('duplicate', null);
  if (known.observedAtSameTime.some((row) => row.entriesHash !== hash)) {
    throw new ConflictError(`${board}: a different capture is already recorded at ${at.toISOString()}; give this capture its own time (--at)`);
  }
  return null;
}

/**
 * The next thing known about the board after `at`, which a capture inserted at `at` ends: a later
 * snapshot, or an unchanged capture in between, which saw the previous state and so becomes a
 * snapshot of its own now. Null: `at` is the newest time of the board.
 */
async function nextObservation(
  tx: Tx,
  board: string,
  at: Date,
  previous: SnapshotRow | undefined,
  before: Map<string, StandingRow>,
): Promise<{ capturedAt: Date; standings: Map<string, StandingRow> } | null> {
  const [[nextSnapshot], showing] = await Promise.all([
    tx
      .select()
      .from(snapshots)
      .where(and(eq(snapshots.boardId, board), gt(snapshots.capturedAt, at)))
      .orderBy(asc(snapshots.capturedAt))
      .limit(1),
    previous ? firstShowingAfter(tx, board, previous.id, at) : null,
  ]);
  if (previous && showing && (!nextSnapshot || showing.capturedAt < nextSnapshot.capturedAt)) {
    const [materialized] = await tx
      .insert(snapshots)
      .values({
        boardId: board,
        capturedAt: showing.capturedAt,
        entriesHash: previous.entriesHash,
        contentHash: showing.contentHash,
        rowCount: previous.rowCount,
        source: showing.source,
        format: previous.format,
        parserVersion: previous.parserVersion,
        columns: previous.columns,
      })
      .returning({ id: snapshots.id });
    if (!materialized) throw new Error('snapshot insert returned no row');
    await tx.update(scrapes).set({ snapshotId: materialized.id }).where(eq(scrapes.id, showing.id));
    return { capturedAt: showing.capturedAt, standings: before };
  }
  if (!nextSnapshot) return null;
  return { capturedAt: nextSnapshot.capturedAt, standings: await rowsCovering(tx, board, nextSnapshot.capturedAt) };
}
