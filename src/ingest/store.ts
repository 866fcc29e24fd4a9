import { and, asc, desc, eq, gt, gte, inArray, isNotNull, isNull, lt, lte, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { standingEntry } from '../db/queries.ts';
import { boards, events, quarantines, scrapes, snapshots, sources, standings } from '../db/schema.ts';
import { snapshotTraits, summarizeChangeSet, type ChangeSet, type SnapshotTraits } from '../diff/change-set.ts';
import { bestByGroup, countryGap, gapEvent, gapSide, type Attribution, type GapSide } from '../diff/aggregates.ts';
import { diff, type FormatSwitch } from '../diff/diff.ts';
import type { ChangeEvent, EventValues } from '../diff/events.ts';
import { DEFAULT_SETTLE, IMMEDIATE_KINDS, settle, type HeldEvent, type SettleWindow } from '../diff/settle.ts';
import { EntrySchema, sameEntry, type Direction, type Entry, type StoredEntry } from '../entry.ts';
import { assignBoardKeys } from './board-keys.ts';
import { ConflictError } from '../errors.ts';
import type { Scraper } from '../../scrapers/scraper.ts';
import { entriesHash } from './hash.ts';
import { enqueueDeliveries } from '../notify/outbox.ts';
import type { Identify } from '../notify/filters.ts';
export type { Identify } from '../notify/filters.ts';
import { checkHealth, type BoardHealth } from './health.ts';

export const SCRAPE_ORIGINS = ['live', 'import'] as const;
export type ScrapeOrigin = (typeof SCRAPE_ORIGINS)[number];

/** Outcome of one scrape or import, as the scrape log records it. */
export const SCRAPE_STATUSES = ['first', 'changed', 'unchanged', 'not_modified', 'quarantined', 'failed'] as const;
export type ScrapeStatus = (typeof SCRAPE_STATUSES)[number];
/** Statuses of captures that were read and stored (the board's state is known at their time). */
const OBSERVED: ScrapeStatus[] = ['first', 'changed', 'unchanged'];
/** Statuses that count as an observation of the board for the settling window: a 304 says it is unchanged. */
const SEEN: ScrapeStatus[] = [...OBSERVED, 'not_modified'];

/** A parsed capture on its way into storage. */
export interface CaptureInput {
  board: string;
  capturedAt: Date;
  entries: Entry[];
  origin: ScrapeOrigin;
  /** URL or file path the capture came from. */
  source: string | null;
  contentHash: string | null;
  format: string | null;
  parserVersion: string | null;
  publishedAt: Date | null;
  httpStatus?: number | null;
  etag?: string | null;
  lastModified?: string | null;
  ranAt?: Date;
  durationMs?: number | null;
  /** The board's direction and sanity thresholds (defaults: higher is better, DEFAULT_HEALTH). */
  health?: BoardHealth;
  /** What the score is made of, as the parser listed it (ParsedSnapshot.columns). */
  columns?: string[] | null;
  /** Who made each model and where (model identity): enables `gap_changed` between the US and China. */
  attribute?: Attribution;
  /** How long a change must last before it is announced (default: two scrapes). */
  settle?: SettleWindow;
  /** Model identity for subscription filters (organizations, countries, canonical ids). */
  identify?: Identify;
  /**
   * The format-independent key of an entry, for a board whose formats key models differently
   * (model identity's canonical id); absent: the key as published (see board-keys.ts).
   */
  boardKey?: ((entry: Entry) => string) | undefined;
}

/** What storing a capture did. */
export interface CaptureResult {
  /**
   * `duplicate`: this very capture was stored before; nothing was written. `quarantined`: it failed
   * the sanity checks (`reasons`) and was kept aside, undiffed.
   */
  status: 'first' | 'changed' | 'unchanged' | 'quarantined' | 'duplicate';
  snapshotId: number | null;
  /** Why the capture was quarantined (empty otherwise). */
  reasons: string[];
  quarantineId: number | null;
  /**
   * Events announced at this capture: its own immediate ones, and changes found earlier (or now)
   * whose settling window this capture completed.
   */
  events: ChangeEvent[];
  /** Changes of the board still inside their settling window after this capture. */
  pending: number;
  /** Changes this capture dropped as flip-flops (reverted) or superseded. */
  suppressed: number;
  /** This snapshot's change set (null when the capture changed nothing or was held back). */
  changeSet: ChangeSet | null;
  /** True when the capture is older than a stored one and history after it was re-derived. */
  insertedBefore: Date | null;
  rowCount: number;
}

/** A failed or 304 scrape, for the scrape log. */
export interface ScrapeRecord {
  board: string;
  status: 'failed' | 'not_modified';
  origin: ScrapeOrigin;
  capturedAt: Date;
  ranAt?: Date;
  source: string | null;
  httpStatus?: number | null;
  contentHash?: string | null;
  error?: string | null;
  etag?: string | null;
  lastModified?: string | null;
  durationMs?: number | null;
  /** For a 304: the board did not change, which may complete changes' settling windows. */
  settling?: { direction: Direction; attribute?: Attribution | undefined; window: SettleWindow; identify?: Identify | undefined };
}

type StandingRow = typeof standings.$inferSelect;
type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

const INSERT_CHUNK = 500;

/** Writes every source and board of the registry, so foreign keys and listings find them. */
export async function syncRegistry(db: Db, scrapers: readonly Scraper[]): Promise<void> {
  for (const scraper of scrapers) {
    const source = {
      id: scraper.id,
      name: scraper.name,
      homepage: scraper.homepage,
      terms: scraper.terms,
      parserVersion: scraper.parserVersion,
      updatedAt: new Date(),
    };
    await db.insert(sources).values(source).onConflictDoUpdate({ target: sources.id, set: source });
    for (const board of scraper.boards) {
      const row = { id: board.id, sourceId: scraper.id, name: board.name, direction: board.direction, updatedAt: new Date() };
      await db
        .insert(boards)
        .values(row)
        .onConflictDoUpdate({ target: boards.id, set: { sourceId: row.sourceId, name: row.name, direction: row.direction, updatedAt: row.updatedAt } });
    }
  }
}

/** Appends a row to the scrape log for a capture that produced no entries (a failure or a 304). */
export async function recordScrape(db: Db, record: ScrapeRecord): Promise<void> {
  const ranAt = record.ranAt ?? new Date();
  await db.transaction(async (tx) => {
    await lockBoard(tx, record.board);
    if (record.origin === 'live') {
      await scrapeTransition(tx, record.board, ranAt, record.status === 'failed', {
        error: record.error ?? null,
        httpStatus: record.httpStatus ?? null,
        source: record.source,
      });
    }
    await tx.insert(scrapes).values({
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
    if (record.status === 'not_modified' && record.settling) {
      const [shown] = await tx
        .select({ capturedAt: snapshots.capturedAt })
        .from(snapshots)
        .where(eq(snapshots.boardId, record.board))
        .orderBy(desc(snapshots.capturedAt))
        .limit(1);
      if (shown && shown.capturedAt <= record.capturedAt) {
        await observe(tx, { board: record.board, ...record.settling, attribute: record.settling.attribute, identify: record.settling.identify ?? null }, { at: record.capturedAt, entries: null, snapshot: null });
      }
    }
  });
}

// Captures of one board are applied one at a time, across processes too (PostgreSQL).
async function lockBoard(tx: Tx, board: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`rankwatch:board:${board}`}))`);
}

/**
 * Health of the live scrape, as events: `scrape_failed` when a board's live scrapes start failing
 * (once per streak, not once per tick), `scrape_recovered` on the first success after a streak.
 * Runs before the new scrape-log row is written.
 */
async function scrapeTransition(
  tx: Tx,
  board: string,
  ranAt: Date,
  failed: boolean,
  details: { error: string | null; httpStatus: number | null; source: string | null },
): Promise<void> {
  const recent = await tx
    .select({ status: scrapes.status, ranAt: scrapes.ranAt })
    .from(scrapes)
    .where(and(eq(scrapes.boardId, board), eq(scrapes.origin, 'live')))
    .orderBy(desc(scrapes.ranAt), desc(scrapes.id))
    .limit(1);
  const lastFailed = recent[0]?.status === 'failed';
  if (failed && !lastFailed) {
    const ids = await insertEvents(tx, board, null, ranAt, [
      { kind: 'scrape_failed', model: null, name: null, old: null, new: null, data: { error: details.error, httpStatus: details.httpStatus, source: details.source } },
    ]);
    await enqueueDeliveries(tx, ids, null);
  } else if (!failed && lastFailed) {
    const [lastGood] = await tx
      .select({ ranAt: scrapes.ranAt })
      .from(scrapes)
      .where(and(eq(scrapes.boardId, board), eq(scrapes.origin, 'live'), ne(scrapes.status, 'failed')))
      .orderBy(desc(scrapes.ranAt), desc(scrapes.id))
      .limit(1);
    const streak = await tx
      .select({ ranAt: scrapes.ranAt })
      .from(scrapes)
      .where(
        and(
          eq(scrapes.boardId, board),
          eq(scrapes.origin, 'live'),
          eq(scrapes.status, 'failed'),
          lastGood ? gt(scrapes.ranAt, lastGood.ranAt) : undefined,
        ),
      )
      .orderBy(asc(scrapes.ranAt));
    const ids = await insertEvents(tx, board, null, ranAt, [
      {
        kind: 'scrape_recovered',
        model: null,
        name: null,
        old: null,
        new: null,
        data: { failedSince: streak[0]?.ranAt.toISOString() ?? null, failures: streak.length },
      },
    ]);
    await enqueueDeliveries(tx, ids, null);
  }
}

function standingValues(board: string, entry: StoredEntry, validFrom: Date, validTo: Date | null) {
  return { boardId: board, ...entry, sourceKey: entry.sourceKey ?? null, validFrom, validTo };
}

async function rowsCovering(tx: Tx, board: string, at: Date): Promise<Map<string, StandingRow>> {
  const rows = await tx
    .select()
    .from(standings)
    .where(
      and(eq(standings.boardId, board), lte(standings.validFrom, at), or(isNull(standings.validTo), gt(standings.validTo, at))),
    );
  return new Map(rows.map((row) => [row.model, row]));
}

// Bulk rows travel as one JSON parameter expanded by jsonb_to_recordset: one small statement
// per table and snapshot, whatever the row count, and the same on PGlite and PostgreSQL.
async function insertStandings(tx: Tx, rows: ReturnType<typeof standingValues>[]): Promise<void> {
  if (rows.length === 0) return;
  const json = JSON.stringify(
    rows.map((row) => ({ ...row, validFrom: row.validFrom.toISOString(), validTo: row.validTo?.toISOString() ?? null })),
  );
  await tx.execute(sql`
    insert into standings (board_id, model, source_key, name, organization, rank, score, score_lower, score_upper, votes, price_input, price_output, valid_from, valid_to)
    select "boardId", model, "sourceKey", name, organization, rank, score, "scoreLower", "scoreUpper", votes, "priceInput", "priceOutput", "validFrom", "validTo"
    from jsonb_to_recordset(${json}::jsonb) as x("boardId" text, model text, "sourceKey" text, name text, organization text, rank integer, score double precision,
      "scoreLower" double precision, "scoreUpper" double precision, votes integer, "priceInput" double precision, "priceOutput" double precision,
      "validFrom" timestamptz, "validTo" timestamptz)`);
}

function eventKey(board: string, capturedAt: Date, event: ChangeEvent): string {
  return `${board}|${capturedAt.toISOString()}|${event.kind}|${event.model ?? '*'}`;
}

/** Ids (and first-stored times) of events derived before, by key: a re-derived event keeps both. */
type KnownEvents = ReadonlyMap<string, { id: number; createdAt: Date }>;

async function insertEvents(
  tx: Tx,
  board: string,
  snapshotId: number | null,
  capturedAt: Date,
  found: readonly ChangeEvent[],
  status: 'published' | 'pending' = 'published',
  known?: KnownEvents,
): Promise<number[]> {
  if (found.length === 0) return [];
  const json = JSON.stringify(
    found.map((event) => {
      const key = eventKey(board, capturedAt, event);
      const earlier = known?.get(key);
      return {
        id: earlier?.id ?? null,
        createdAt: earlier?.createdAt.toISOString() ?? null,
        key,
        kind: event.kind,
        model: event.model,
        name: event.name,
        old: event.old,
        new: event.new,
        data: event.data ?? null,
      };
    }),
  );
  const settledAt = status === 'published' ? capturedAt.toISOString() : null;
  // updated_at (feeds' Last-Modified) is the clock at the write, after the board's lock was taken:
  // now() would be the transaction's start, possibly before a write on the board that commits first.
  const inserted = await tx.execute(sql`
    insert into events (id, created_at, updated_at, key, board_id, snapshot_id, kind, model, name, captured_at, old, new, data, status, settled_at)
    select coalesce(id, nextval(pg_get_serial_sequence('events', 'id'))), coalesce("createdAt", now()), clock_timestamp(), key, ${board}::text, ${snapshotId}::bigint, kind, model, name,
      ${capturedAt.toISOString()}::timestamptz, old, new, data, ${status}::text, ${settledAt}::timestamptz
    from jsonb_to_recordset(${json}::jsonb) as x(id bigint, "createdAt" timestamptz, key text, kind text, model text, name text, old jsonb, new jsonb, data jsonb)
    on conflict (key) do nothing
    returning id`);
  return rowsOf(inserted).map((row) => Number(row.id));
}

/** The rows of a raw `execute` result, whichever driver ran it (postgres.js: an array; PGlite: `{rows}`). */
function rowsOf(result: unknown): Record<string, unknown>[] {
  if (Array.isArray(result)) return result as Record<string, unknown>[];
  const rows = (result as { rows?: unknown }).rows;
  return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
}

/** What the settling of one board needs to know about it. */
interface BoardContext {
  board: string;
  direction: Direction;
  attribute: Attribution | undefined;
  window: SettleWindow;
  /** Canonical id, organization and country of a model, for subscription filters (null: unknown). */
  identify: Identify | null;
  /** History is being derived again (a capture inserted before it): nothing is sent to subscribers. */
  replaying?: boolean;
  /** While re-deriving: the events derived before, whose ids re-derived events with the same key keep. */
  known?: KnownEvents;
}


/** One observation of a board on its way through the settling window. */
interface ObservationInput {
  at: Date;
  /** The board at `at`; loaded on demand for unchanged captures. */
  entries: readonly Entry[] | null;
  /** Set when the observation is a new snapshot: the board before it and the score's columns on both sides. */
  snapshot: {
    id: number;
    previous: readonly Entry[];
    columnsBefore: string[] | null;
    columnsAfter: string[] | null;
    /** The formats of the snapshot before and of this one: a switch is diffed on what both can show. */
    formatBefore: string | null;
    formatAfter: string | null;
  } | null;
}

interface ObservationOutcome {
  published: ChangeEvent[];
  pending: number;
  suppressed: number;
  changeSet: ChangeSet | null;
}

function gapOf(context: BoardContext, entries: readonly Entry[]): GapSide | null {
  if (!context.attribute) return null;
  const gap = countryGap(bestByGroup(entries, context.attribute, 'country', context.direction), 'US', 'CN', context.direction);
  return gap ? gapSide(gap, 'US', 'CN') : null;
}

/** The gap `gap_changed` is measured from: the newest announced (or settling) one, else the first snapshot's. */
async function gapBaseline(tx: Tx, board: string, before: Date): Promise<GapSide | null> {
  const [last] = await tx
    .select({ new: events.new })
    .from(events)
    .where(and(eq(events.boardId, board), eq(events.kind, 'gap_changed'), inArray(events.status, ['published', 'pending']), lte(events.capturedAt, before)))
    .orderBy(desc(events.capturedAt), desc(events.id))
    .limit(1);
  if (last) return last.new as GapSide;
  const [first] = await tx
    .select({ changeSet: snapshots.changeSet })
    .from(snapshots)
    .where(eq(snapshots.boardId, board))
    .orderBy(asc(snapshots.capturedAt))
    .limit(1);
  return first?.changeSet?.gap ?? null;
}

/**
 * What a format switch at `at` needs to know of the board's past (see `FormatSwitch`): which of the
 * models only the new capture lists the board listed before, and which of the models only the
 * previous snapshot lists the new format's own latest earlier capture listed.
 */
async function formatSwitchAt(tx: Tx, board: string, at: Date, previous: readonly Entry[], next: readonly Entry[], format: string): Promise<FormatSwitch> {
  const before = new Set(previous.map((entry) => entry.model));
  const after = new Set(next.map((entry) => entry.model));
  const onlyNew = next.filter((entry) => !before.has(entry.model)).map((entry) => entry.model);
  const onlyOld = previous.filter((entry) => !after.has(entry.model)).map((entry) => entry.model);
  const listedBefore = new Set<string>();
  for (let i = 0; i < onlyNew.length; i += INSERT_CHUNK) {
    const rows = await tx
      .selectDistinct({ model: standings.model })
      .from(standings)
      .where(and(eq(standings.boardId, board), inArray(standings.model, onlyNew.slice(i, i + INSERT_CHUNK)), lt(standings.validFrom, at)));
    for (const row of rows) listedBefore.add(row.model);
  }
  const [lastOfFormat] = await tx
    .select({ capturedAt: snapshots.capturedAt })
    .from(snapshots)
    .where(and(eq(snapshots.boardId, board), eq(snapshots.format, format), lt(snapshots.capturedAt, at)))
    .orderBy(desc(snapshots.capturedAt))
    .limit(1);
  const listedByNewFormat = new Set<string>();
  if (lastOfFormat) {
    const then = lastOfFormat.capturedAt;
    for (let i = 0; i < onlyOld.length; i += INSERT_CHUNK) {
      const rows = await tx
        .select({ model: standings.model })
        .from(standings)
        .where(
          and(
            eq(standings.boardId, board),
            inArray(standings.model, onlyOld.slice(i, i + INSERT_CHUNK)),
            lte(standings.validFrom, then),
            or(isNull(standings.validTo), gt(standings.validTo, then)),
          ),
        );
      for (const row of rows) listedByNewFormat.add(row.model);
    }
  }
  return { listedBefore, listedByNewFormat };
}

/**
 * The format the board was shown in at any time from `from` to `to`: that of the snapshot in force
 * then (an unchanged capture or a 304 showed that snapshot). Reads only the snapshots of that span.
 */
async function formatTimeline(tx: Tx, board: string, from: Date, to: Date): Promise<(time: Date) => string | null> {
  const rows = await tx
    .select({ capturedAt: snapshots.capturedAt, format: snapshots.format })
    .from(snapshots)
    .where(
      and(
        eq(snapshots.boardId, board),
        lte(snapshots.capturedAt, to),
        gte(
          snapshots.capturedAt,
          sql`coalesce((select max(${snapshots.capturedAt}) from ${snapshots} where ${snapshots.boardId} = ${board} and ${snapshots.capturedAt} <= ${from.toISOString()}::timestamptz), '-infinity'::timestamptz)`,
        ),
      ),
    )
    .orderBy(asc(snapshots.capturedAt));
  return (time) => {
    let format: string | null = null;
    for (const row of rows) {
      if (row.capturedAt.getTime() > time.getTime()) break;
      format = row.format;
    }
    return format;
  };
}

/** Re-sums a snapshot's change set from the fate of its events. */
async function refreshChangeSets(
  tx: Tx,
  board: string,
  snapshotIds: Iterable<number>,
  known: ReadonlyMap<number, SnapshotTraits> = new Map(),
): Promise<Map<number, ChangeSet>> {
  const ids = [...new Set(snapshotIds)];
  const refreshed = new Map<number, ChangeSet>();
  if (ids.length === 0) return refreshed;
  const stored = ids.filter((id) => !known.has(id));
  const shots: { id: number; changeSet: SnapshotTraits | null }[] = [
    ...[...known].filter(([id]) => ids.includes(id)).map(([id, changeSet]) => ({ id, changeSet })),
    ...(stored.length ? await tx.select({ id: snapshots.id, changeSet: snapshots.changeSet }).from(snapshots).where(inArray(snapshots.id, stored)) : []),
  ];
  const rows = await tx
    .select({ snapshotId: events.snapshotId, kind: events.kind, model: events.model, name: events.name, data: events.data, status: events.status })
    .from(events)
    .where(inArray(events.snapshotId, ids));
  for (const shot of shots) {
    if (!shot.changeSet) continue;
    // Retracted events are history a backfill replaced: not part of what the snapshot brought.
    const own = rows.filter((row) => row.snapshotId === shot.id && row.status !== 'retracted');
    const published = own.filter((row) => row.status === 'published').map((row) => toChangeEvent({ ...row, old: null, new: null }));
    const pending = own.filter((row) => row.status === 'pending').length;
    const suppressed = own.length - published.length - pending;
    const changeSet = summarizeChangeSet(board, shot.changeSet, published, { pending, suppressed });
    await tx.update(snapshots).set({ changeSet }).where(eq(snapshots.id, shot.id));
    refreshed.set(shot.id, changeSet);
  }
  return refreshed;
}

function toChangeEvent(row: { kind: string; model: string | null; name: string | null; old: unknown; new: unknown; data: unknown }): ChangeEvent {
  return {
    kind: row.kind as ChangeEvent['kind'],
    model: row.model,
    name: row.name,
    old: row.old as EventValues | null,
    new: row.new as EventValues | null,
    ...(row.data ? { data: row.data as EventValues } : {}),
  } as ChangeEvent;
}

/**
 * One observation of a board: for a new snapshot, its changes (the diff against the board before
 * it, and the US–China gap against the last announced gap) are stored as pending; then every
 * pending change of the board goes through the settling window (src/diff/settle.ts) and is
 * announced, dropped or kept waiting.
 */
async function observe(tx: Tx, context: BoardContext, observation: ObservationInput): Promise<ObservationOutcome> {
  const { board } = context;
  const { at } = observation;
  const touched = new Set<number>();
  const traits = new Map<number, SnapshotTraits>();
  const announcedIds: number[] = [];
  let entries = observation.entries;
  const immediate: ChangeEvent[] = [];
  if (observation.snapshot) {
    const { id, previous, formatBefore, formatAfter } = observation.snapshot;
    const current = entries ?? [];
    const switched = previous.length > 0 && formatBefore !== null && formatAfter !== null && formatBefore !== formatAfter;
    const found = diff(previous, current, context.direction, switched ? await formatSwitchAt(tx, board, at, previous, current, formatAfter) : null);
    const gap = gapOf(context, current);
    if (gap && previous.length > 0) {
      const moved = gapEvent(await gapBaseline(tx, board, at), gap, 'US', 'CN');
      if (moved) found.push(moved);
    }
    traits.set(
      id,
      snapshotTraits(previous, current, found, { before: observation.snapshot.columnsBefore, after: observation.snapshot.columnsAfter }, gap, switched ? { from: formatBefore, to: formatAfter } : null),
    );
    immediate.push(...found.filter((event) => IMMEDIATE_KINDS.includes(event.kind)));
    announcedIds.push(...(await insertEvents(tx, board, id, at, immediate, 'published', context.known)));
    await insertEvents(tx, board, id, at, found.filter((event) => !IMMEDIATE_KINDS.includes(event.kind)), 'pending', context.known);
    touched.add(id);
  }

  const held = await tx
    .select()
    .from(events)
    .where(and(eq(events.boardId, board), eq(events.status, 'pending'), lte(events.capturedAt, at)));
  let verdict: ReturnType<typeof settle> = { publish: [], drop: [] };
  if (held.length > 0) {
    const oldest = held.reduce((min, row) => (row.capturedAt < min ? row.capturedAt : min), at);
    const times = await tx
      .selectDistinct({ capturedAt: scrapes.capturedAt })
      .from(scrapes)
      .where(and(eq(scrapes.boardId, board), inArray(scrapes.status, SEEN), gt(scrapes.capturedAt, oldest), lte(scrapes.capturedAt, at)));
    entries ??= [...(await rowsCovering(tx, board, at)).values()].map(standingEntry);
    const pending: HeldEvent[] = held.map((row) => ({ ...toChangeEvent(row), id: row.id, capturedAt: row.capturedAt }));
    const formatAt = await formatTimeline(tx, board, oldest, at);
    verdict = settle(pending, { at, entries, gap: gapOf(context, entries), times: times.map((row) => row.capturedAt), formatAt }, context.window);
    const snapshotOf = new Map(held.map((row) => [row.id, row.snapshotId]));
    // Changes announced as found share one statement; a rebased one (a held price) gets its own.
    const asFound = new Set(pending);
    const unchanged = verdict.publish.filter((event) => asFound.has(event)).map((event) => event.id);
    for (let i = 0; i < unchanged.length; i += INSERT_CHUNK) {
      await tx.update(events).set({ status: 'published', settledAt: at, updatedAt: sql`clock_timestamp()` }).where(inArray(events.id, unchanged.slice(i, i + INSERT_CHUNK)));
    }
    for (const event of verdict.publish.filter((published) => !asFound.has(published))) {
      await tx
        .update(events)
        .set({ status: 'published', settledAt: at, old: event.old, data: event.data ?? null, updatedAt: sql`clock_timestamp()` })
        .where(eq(events.id, event.id));
    }
    for (const status of ['reverted', 'superseded'] as const) {
      const ids = verdict.drop.filter((drop) => drop.status === status).map((drop) => drop.event.id);
      for (let i = 0; i < ids.length; i += INSERT_CHUNK) {
        await tx.update(events).set({ status, settledAt: at, updatedAt: sql`clock_timestamp()` }).where(inArray(events.id, ids.slice(i, i + INSERT_CHUNK)));
      }
    }
    for (const id of [...verdict.publish.map((event) => event.id), ...verdict.drop.map((drop) => drop.event.id)]) {
      const snapshotId = snapshotOf.get(id);
      if (snapshotId != null) touched.add(snapshotId);
    }
  }
  const changeSets = await refreshChangeSets(tx, board, touched, traits);
  announcedIds.push(...verdict.publish.map((event) => event.id));
  if (!context.replaying) await enqueueDeliveries(tx, announcedIds, context.identify);
  const stillPending = held.length - verdict.publish.length - verdict.drop.length;
  return {
    published: [...immediate, ...[...verdict.publish].sort((a, b) => a.id - b.id).map(({ id: _id, capturedAt: _at, ...event }) => event)],
    pending: stillPending,
    suppressed: verdict.drop.length,
    changeSet: observation.snapshot ? (changeSets.get(observation.snapshot.id) ?? null) : null,
  };
}

/**
 * Derives every change of a board again from its stored observations, in time order: after a
 * capture older than stored history was inserted, later changes and their settling may differ.
 */
async function rederive(tx: Tx, boardContext: BoardContext): Promise<void> {
  const { board } = boardContext;
  // Links already delivered (webhooks, feeds) name event ids: a re-derived event with the key of a
  // stored one keeps its id; an announced event the new history no longer has stays, retracted.
  const stored = await tx.select().from(events).where(and(eq(events.boardId, board), isNotNull(events.snapshotId)));
  const known = new Map(stored.map((row) => [row.key, { id: row.id, createdAt: row.createdAt }]));
  const context: BoardContext = { ...boardContext, replaying: true, known };
  await tx.delete(events).where(and(eq(events.boardId, board), isNotNull(events.snapshotId)));
  const shots = await tx
    .select({ id: snapshots.id, capturedAt: snapshots.capturedAt, columns: snapshots.columns, format: snapshots.format })
    .from(snapshots)
    .where(eq(snapshots.boardId, board))
    .orderBy(asc(snapshots.capturedAt));
  const observed = await tx
    .selectDistinct({ capturedAt: scrapes.capturedAt })
    .from(scrapes)
    .where(and(eq(scrapes.boardId, board), inArray(scrapes.status, SEEN)));
  const byTime = new Map(shots.map((shot) => [shot.capturedAt.getTime(), shot]));
  const times = [...new Set([...shots.map((shot) => shot.capturedAt.getTime()), ...observed.map((row) => row.capturedAt.getTime())])].sort((a, b) => a - b);
  let previous: Entry[] = [];
  let columns: string[] | null = null;
  let format: string | null = null;
  for (const time of times) {
    const shot = byTime.get(time);
    const at = new Date(time);
    if (!shot) {
      if (previous.length > 0) await observe(tx, context, { at, entries: previous, snapshot: null });
      continue;
    }
    const entries = [...(await rowsCovering(tx, board, at)).values()].map(standingEntry);
    await observe(tx, context, {
      at,
      entries,
      snapshot: { id: shot.id, previous, columnsBefore: columns, columnsAfter: shot.columns, formatBefore: format, formatAfter: shot.format },
    });
    previous = entries;
    columns = shot.columns;
    format = shot.format;
  }
  const derived = new Set(
    rowsOf(await tx.execute(sql`select key from events where board_id = ${board} and snapshot_id is not null`)).map((row) => String(row.key)),
  );
  const retracted = stored.filter((row) => (row.status === 'published' || row.status === 'retracted') && !derived.has(row.key));
  for (let i = 0; i < retracted.length; i += INSERT_CHUNK) {
    await tx.insert(events).values(retracted.slice(i, i + INSERT_CHUNK).map((row) => ({ ...row, status: 'retracted', updatedAt: sql`clock_timestamp()` })));
  }
}

/**
 * Rewrites the standings so the board holds `entries` from `at` until `until` (the next stored
 * observation, or open-ended), leaving every other period as it was.
 */
async function writeInterval(
  tx: Tx,
  board: string,
  at: Date,
  until: Date | null,
  before: Map<string, StandingRow>,
  after: Map<string, StandingRow>,
  entries: readonly Entry[],
): Promise<void> {
  const next = new Map(entries.map((entry) => [entry.model, entry]));
  const close: number[] = [];
  const merge: number[] = [];
  const insert: ReturnType<typeof standingValues>[] = [];
  for (const model of new Set([...before.keys(), ...next.keys()])) {
    const held = before.get(model);
    const entry = next.get(model);
    if (held && entry && sameEntry(standingEntry(held), entry)) continue;
    let following = after.get(model);
    if (held) {
      close.push(held.id);
      // The old values held past the next observation too: keep them from there on.
      if (until && (held.validTo === null || held.validTo > until)) {
        insert.push(standingValues(board, standingEntry(held), until, held.validTo));
        following = undefined;
      }
    }
    if (!entry) continue;
    if (until && following && following.validFrom.getTime() === until.getTime() && sameEntry(standingEntry(following), entry)) {
      merge.push(following.id);
    } else {
      insert.push(standingValues(board, entry, at, until));
    }
  }
  for (let i = 0; i < close.length; i += INSERT_CHUNK) {
    await tx.update(standings).set({ validTo: at }).where(inArray(standings.id, close.slice(i, i + INSERT_CHUNK)));
  }
  for (let i = 0; i < merge.length; i += INSERT_CHUNK) {
    await tx.update(standings).set({ validFrom: at }).where(inArray(standings.id, merge.slice(i, i + INSERT_CHUNK)));
  }
  await insertStandings(tx, insert);
}

function checkEntries(entries: Entry[]): Entry[] {
  for (const entry of entries) EntrySchema.parse(entry);
  return entries;
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
  const published = checkEntries(input.entries);
  const ranAt = input.ranAt ?? new Date();
  const log = {
    boardId: board,
    ranAt,
    capturedAt: at,
    origin: input.origin,
    source: input.source,
    httpStatus: input.httpStatus ?? null,
    contentHash: input.contentHash,
    rowCount: published.length,
    etag: input.etag ?? null,
    lastModified: input.lastModified ?? null,
    durationMs: input.durationMs ?? null,
  };

  const outcome = (status: CaptureResult['status'], snapshotId: number | null, extra: Partial<CaptureResult> = {}): CaptureResult => ({
    status,
    snapshotId,
    events: [],
    pending: 0,
    suppressed: 0,
    changeSet: null,
    insertedBefore: null,
    rowCount: published.length,
    reasons: [],
    quarantineId: null,
    ...extra,
  });

  return db.transaction(async (tx) => {
    await lockBoard(tx, board);
    // The board as it stood at `at`: its keys are the ones models keep (board-keys.ts).
    const before = await rowsCovering(tx, board, at);
    const entries: StoredEntry[] = input.boardKey ? assignBoardKeys(published, [...before.values()].map(standingEntry), input.boardKey) : published;
    const hash = entriesHash(entries);

    const [sameTime] = await tx
      .select({ id: snapshots.id, entriesHash: snapshots.entriesHash })
      .from(snapshots)
      .where(and(eq(snapshots.boardId, board), eq(snapshots.capturedAt, at)));
    if (sameTime) {
      if (sameTime.entriesHash === hash) return outcome('duplicate', sameTime.id);
      throw new ConflictError(
        `${board}: a different snapshot is already stored at ${at.toISOString()}; give this capture its own time (--at)`,
      );
    }
    const [quarantinedSameTime] = await tx
      .select({ id: quarantines.id, reasons: quarantines.reasons })
      .from(quarantines)
      .where(and(eq(quarantines.boardId, board), eq(quarantines.capturedAt, at), eq(quarantines.entriesHash, hash)));
    if (quarantinedSameTime) return outcome('duplicate', null, { reasons: quarantinedSameTime.reasons, quarantineId: quarantinedSameTime.id });
    // A repeat of broken content is logged against the first quarantine: find it through the log.
    const [repeatSameTime] =
      input.contentHash === null
        ? []
        : await tx
            .select({ id: quarantines.id, reasons: quarantines.reasons })
            .from(scrapes)
            .innerJoin(quarantines, eq(quarantines.id, scrapes.quarantineId))
            .where(and(eq(scrapes.boardId, board), eq(scrapes.capturedAt, at), eq(scrapes.contentHash, input.contentHash), eq(quarantines.entriesHash, hash)));
    if (repeatSameTime) return outcome('duplicate', null, { reasons: repeatSameTime.reasons, quarantineId: repeatSameTime.id });
    const observedAtSameTime = await tx
      .select({ contentHash: scrapes.contentHash, entriesHash: snapshots.entriesHash })
      .from(scrapes)
      .leftJoin(snapshots, eq(snapshots.id, scrapes.snapshotId))
      .where(and(eq(scrapes.boardId, board), eq(scrapes.capturedAt, at), inArray(scrapes.status, OBSERVED)));
    if (observedAtSameTime.some((row) => input.contentHash !== null && row.contentHash === input.contentHash)) {
      return outcome('duplicate', null);
    }
    if (observedAtSameTime.some((row) => row.entriesHash !== hash)) {
      throw new ConflictError(`${board}: a different capture is already recorded at ${at.toISOString()}; give this capture its own time (--at)`);
    }

    if (input.origin === 'live') await scrapeTransition(tx, board, ranAt, false, { error: null, httpStatus: null, source: input.source });

    const [previous] = await tx
      .select()
      .from(snapshots)
      .where(and(eq(snapshots.boardId, board), lte(snapshots.capturedAt, at)))
      .orderBy(desc(snapshots.capturedAt))
      .limit(1);
    const context: BoardContext = {
      board,
      direction: input.health?.direction ?? 'higher',
      attribute: input.attribute,
      window: input.settle ?? DEFAULT_SETTLE,
      identify: input.identify ?? null,
    };
    if (previous && previous.entriesHash === hash) {
      // An unchanged capture is one more observation: it may complete changes' settling windows.
      const [later] = await tx.select({ id: snapshots.id }).from(snapshots).where(and(eq(snapshots.boardId, board), gt(snapshots.capturedAt, at))).limit(1);
      await tx.insert(scrapes).values({ ...log, status: 'unchanged', snapshotId: previous.id });
      if (later) {
        await rederive(tx, context);
        return outcome('unchanged', previous.id);
      }
      const settled = await observe(tx, context, { at, entries: null, snapshot: null });
      return outcome('unchanged', previous.id, { events: settled.published, pending: settled.pending, suppressed: settled.suppressed });
    }

    const previousEntries = [...before.values()].map(standingEntry);

    const reasons = checkHealth(entries, input.format, previous ? { entries: previousEntries, format: previous.format } : null, input.health ?? { direction: 'higher' });
    if (reasons.length > 0) {
      // The same broken content again, with no good snapshot since: logged, not announced again.
      const [repeated] = await tx
        .select({ id: quarantines.id })
        .from(quarantines)
        .where(and(eq(quarantines.boardId, board), eq(quarantines.entriesHash, hash), lte(quarantines.capturedAt, at), previous ? gte(quarantines.capturedAt, previous.capturedAt) : undefined))
        .orderBy(desc(quarantines.capturedAt))
        .limit(1);
      let quarantineId = repeated?.id ?? null;
      const announced: ChangeEvent[] = [];
      if (quarantineId === null) {
        const [held] = await tx
          .insert(quarantines)
          .values({
            boardId: board,
            capturedAt: at,
            entriesHash: hash,
            contentHash: input.contentHash,
            rowCount: entries.length,
            source: input.source,
            format: input.format,
            parserVersion: input.parserVersion,
            reasons,
            entries,
            lastGoodSnapshotId: previous?.id ?? null,
          })
          .returning({ id: quarantines.id });
        if (!held) throw new Error('quarantine insert returned no row');
        quarantineId = held.id;
        announced.push({
          kind: 'snapshot_quarantined',
          model: null,
          name: null,
          old: previous ? { rows: previous.rowCount } : null,
          new: { rows: entries.length },
          data: { reasons, quarantineId, source: input.source },
        });
        await enqueueDeliveries(tx, await insertEvents(tx, board, null, at, announced), null);
      }
      await tx.insert(scrapes).values({ ...log, status: 'quarantined', error: reasons.join('; '), quarantineId });
      return outcome('quarantined', null, { reasons, quarantineId, events: announced });
    }

    // The next thing known about the board after `at`: a later snapshot, or an unchanged capture
    // in between, which saw the previous state and so becomes a snapshot of its own now.
    const [nextSnapshot] = await tx
      .select()
      .from(snapshots)
      .where(and(eq(snapshots.boardId, board), gt(snapshots.capturedAt, at)))
      .orderBy(asc(snapshots.capturedAt))
      .limit(1);
    const [nextObservation] = previous
      ? await tx
          .select()
          .from(scrapes)
          .where(
            and(
              eq(scrapes.boardId, board),
              eq(scrapes.status, 'unchanged'),
              eq(scrapes.snapshotId, previous.id),
              gt(scrapes.capturedAt, at),
            ),
          )
          .orderBy(asc(scrapes.capturedAt))
          .limit(1)
      : [];
    let next: { id: number; capturedAt: Date; entries: Entry[]; columns: string[] | null } | null = null;
    let after = new Map<string, StandingRow>();
    if (nextObservation && (!nextSnapshot || nextObservation.capturedAt < nextSnapshot.capturedAt) && previous) {
      const [materialized] = await tx
        .insert(snapshots)
        .values({
          boardId: board,
          capturedAt: nextObservation.capturedAt,
          entriesHash: previous.entriesHash,
          contentHash: nextObservation.contentHash,
          rowCount: previous.rowCount,
          source: nextObservation.source,
          format: previous.format,
          parserVersion: previous.parserVersion,
          columns: previous.columns,
        })
        .returning({ id: snapshots.id });
      if (!materialized) throw new Error('snapshot insert returned no row');
      await tx.update(scrapes).set({ snapshotId: materialized.id }).where(eq(scrapes.id, nextObservation.id));
      next = { id: materialized.id, capturedAt: nextObservation.capturedAt, entries: previousEntries, columns: previous.columns };
      after = before;
    } else if (nextSnapshot) {
      after = await rowsCovering(tx, board, nextSnapshot.capturedAt);
      next = { id: nextSnapshot.id, capturedAt: nextSnapshot.capturedAt, entries: [...after.values()].map(standingEntry), columns: nextSnapshot.columns };
    }

    await writeInterval(tx, board, at, next?.capturedAt ?? null, before, after, entries);

    const [snapshot] = await tx
      .insert(snapshots)
      .values({
        boardId: board,
        capturedAt: at,
        entriesHash: hash,
        contentHash: input.contentHash,
        rowCount: entries.length,
        source: input.source,
        format: input.format,
        parserVersion: input.parserVersion,
        publishedAt: input.publishedAt,
        columns: input.columns ?? null,
      })
      .returning({ id: snapshots.id });
    if (!snapshot) throw new Error('snapshot insert returned no row');
    let settled: ObservationOutcome;
    if (next) {
      // History after this capture was stored already: its changes and their settling are derived again.
      await tx.insert(scrapes).values({ ...log, status: previous ? 'changed' : 'first', snapshotId: snapshot.id });
      await rederive(tx, context);
      const [row] = await tx.select({ changeSet: snapshots.changeSet }).from(snapshots).where(eq(snapshots.id, snapshot.id));
      settled = { published: [], pending: 0, suppressed: 0, changeSet: row?.changeSet ?? null };
    } else {
      settled = await observe(tx, context, {
        at,
        entries,
        snapshot: {
          id: snapshot.id,
          previous: previousEntries,
          columnsBefore: previous?.columns ?? null,
          columnsAfter: input.columns ?? null,
          formatBefore: previous?.format ?? null,
          formatAfter: input.format,
        },
      });
      await tx.insert(scrapes).values({ ...log, status: previous ? 'changed' : 'first', snapshotId: snapshot.id });
    }
    await tx
      .update(boards)
      .set({ firstSeenAt: sql`least(${boards.firstSeenAt}, ${at.toISOString()}::timestamptz)` })
      .where(eq(boards.id, board));
    return outcome(previous ? 'changed' : 'first', snapshot.id, {
      events: settled.published,
      pending: settled.pending,
      suppressed: settled.suppressed,
      changeSet: settled.changeSet,
      insertedBefore: next?.capturedAt ?? null,
    });
  });
}
