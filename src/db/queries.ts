import { and, asc, count, desc, eq, getTableColumns, gt, gte, inArray, isNotNull, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { ChangeSet } from '../diff/change-set.ts';
import { EVENT_STATUSES, type EventStatus } from '../diff/settle.ts';
import { decodeStoredEvent, type EventKind, type StoredEvent } from '../diff/events.ts';
import type { Entry, StoredEntry } from '../entry.ts';
import type { Db } from './client.ts';
import type { PageKey } from './cursor.ts';
import { boards, events, quarantines, scrapes, snapshots, sources, standings } from './schema.ts';

/** A board with what is known of its last scrape and its current size. */
export interface BoardSummary {
  id: string;
  name: string;
  source: string;
  sourceName: string;
  direction: string;
  firstSeenAt: string | null;
  snapshots: number;
  entries: number;
  lastScrape: {
    ranAt: string;
    capturedAt: string;
    status: string;
    origin: string;
    httpStatus: number | null;
    error: string | null;
  } | null;
  lastChangeAt: string | null;
}

/** A stored entry as of some time, with the period in which its values held. */
export interface Standing extends Entry {
  /** The key the capture's format published, where it differs from the board's key `model` (null: the same). */
  sourceKey: string | null;
  board: string;
  validFrom: string;
  validTo: string | null;
}

/** The stored models of one organization, as the organization filter reads them. */
export interface OrganizationModels {
  /** The organization's id (model identity's); what a kept read is keyed by. */
  id: string;
  /** Every stored (board, model key) model identity gives to it. */
  models: readonly { board: string; model: string }[];
}

/** Filters shared by the events API, the CLI and the feeds. */
export interface EventFilter {
  board?: string | undefined;
  model?: string | undefined;
  /** Only events of these models (board-level events, having none, never pass). */
  organization?: OrganizationModels | undefined;
  kind?: readonly EventKind[] | undefined;
  /** Only events that are significant where they carry a verdict (`data.significant`); the others pass. */
  significant?: boolean | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
  /** Only the events of this snapshot (one change set). */
  snapshot?: number | undefined;
  /** Only events in these states of the settling window (default: published, i.e. announced). */
  status?: readonly EventStatus[] | undefined;
  /** Only events after this one in the listing's order (the next page). */
  after?: PageKey | undefined;
  limit: number;
}

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

/** Rows after `key` in a listing ordered by time, then id, both descending: `(time, id) < (at, id)`. */
function before(time: AnyPgColumn, id: AnyPgColumn, key: PageKey): SQL {
  return sql`(${time}, ${id}) < (${key.at!.toISOString()}::timestamptz, ${key.id})`;
}

/** Every board with its last scrape, entry count and snapshot count. */
export async function listBoards(db: Db): Promise<BoardSummary[]> {
  const rows = await db
    .select({ board: boards, sourceName: sources.name })
    .from(boards)
    .innerJoin(sources, eq(sources.id, boards.sourceId))
    .orderBy(asc(boards.id));
  const current = await db
    .select({ boardId: standings.boardId, n: count() })
    .from(standings)
    .where(isNull(standings.validTo))
    .groupBy(standings.boardId);
  const snapshotStats = await db
    .select({ boardId: snapshots.boardId, n: count(), last: sql<string>`max(${snapshots.capturedAt})` })
    .from(snapshots)
    .groupBy(snapshots.boardId);
  // Each board's newest scrape through its (board, ran_at) index, a row per board: a DISTINCT ON
  // over the whole scrape log sorted every row (tens of thousands a year) on every call. The newest
  // row may be a streak: its last scrape is the board's last one.
  const newest = db
    .select()
    .from(scrapes)
    .where(eq(scrapes.boardId, boards.id))
    .orderBy(desc(scrapes.ranAt), desc(scrapes.id))
    .limit(1)
    .as('newest');
  const lastScrapes = await db
    .select({
      boardId: newest.boardId,
      ranAt: newest.lastRanAt,
      capturedAt: newest.lastCapturedAt,
      status: newest.status,
      origin: newest.origin,
      httpStatus: newest.httpStatus,
      error: newest.error,
    })
    .from(boards)
    .innerJoinLateral(newest, sql`true`);
  const sizes = new Map(current.map((row) => [row.boardId, row.n]));
  const stats = new Map(snapshotStats.map((row) => [row.boardId, row]));
  const scraped = new Map(lastScrapes.map((row) => [row.boardId, row]));
  return rows.map(({ board, sourceName }) => {
    const last = scraped.get(board.id);
    const stat = stats.get(board.id);
    return {
      id: board.id,
      name: board.name,
      source: board.sourceId,
      sourceName,
      direction: board.direction,
      firstSeenAt: iso(board.firstSeenAt),
      snapshots: stat?.n ?? 0,
      entries: sizes.get(board.id) ?? 0,
      lastScrape: last
        ? {
            ranAt: last.ranAt.toISOString(),
            capturedAt: last.capturedAt.toISOString(),
            status: last.status,
            origin: last.origin,
            httpStatus: last.httpStatus,
            error: last.error,
          }
        : null,
      lastChangeAt: stat?.last ? new Date(stat.last).toISOString() : null,
    };
  });
}

// Board ids are registered and never removed (ids are stable, never renamed): once seen in a
// database, a board is known for good, and routes need not ask the database again.
const knownBoards = new WeakMap<Db, Set<string>>();

/** True when the board id is known (a known board is remembered per database; an unknown one is asked again). */
export async function boardExists(db: Db, board: string): Promise<boolean> {
  const known = knownBoards.get(db);
  if (known?.has(board)) return true;
  const [row] = await db.select({ id: boards.id }).from(boards).where(eq(boards.id, board));
  if (row === undefined) return false;
  if (known) known.add(board);
  else knownBoards.set(db, new Set([board]));
  return true;
}

/** True when the model key has ever been stored (on one board, or any). */
export async function modelExists(db: Db, model: string, board?: string): Promise<boolean> {
  const [row] = await db
    .select({ id: standings.id })
    .from(standings)
    .where(and(or(eq(standings.model, model), eq(standings.sourceKey, model)), board ? eq(standings.boardId, board) : undefined))
    .limit(1);
  return row !== undefined;
}

/** Events of a model named by its board key or by a key a capture's format published (`Gemini-2.5-Pro` for `gemini-2.5-pro`). */
function eventsOfModel(model: string): SQL {
  return or(
    eq(events.model, model),
    sql`(${events.boardId}, ${events.model}) in (select ${standings.boardId}, ${standings.model} from ${standings} where ${standings.sourceKey} = ${model})`,
  )!;
}

/** Events of these (board, key) pairs; none: no event. */
function eventsOfModels(models: OrganizationModels['models']): SQL {
  if (models.length === 0) return sql`false`;
  return sql`(${events.boardId}, ${events.model}) in (${sql.join(
    models.map(({ board, model }) => sql`(${board}, ${model})`),
    sql`, `,
  )})`;
}

/**
 * Events whose verdict, where they carry one, is `significant: true`: the rule of a subscription's
 * `significantOnly`. `->` keeps a JSON null (a board without intervals) apart from an absent key.
 */
const SIGNIFICANT_WHERE_JUDGED = sql`(${events.data} -> 'significant' is null or ${events.data} -> 'significant' = 'true'::jsonb)`;

/** The entry a standings row holds (the row without its board and period). */
export function standingEntry(row: typeof standings.$inferSelect): StoredEntry {
  return {
    sourceKey: row.sourceKey,
    rank: row.rank,
    model: row.model,
    name: row.name,
    organization: row.organization,
    score: row.score,
    scoreLower: row.scoreLower,
    scoreUpper: row.scoreUpper,
    votes: row.votes,
    priceInput: row.priceInput,
    priceOutput: row.priceOutput,
  };
}

/** A standings row as the API and CLI show it. */
export function toStanding(row: typeof standings.$inferSelect): Standing {
  return { board: row.boardId, ...standingEntry(row), sourceKey: row.sourceKey, validFrom: row.validFrom.toISOString(), validTo: iso(row.validTo) };
}

/**
 * Results of reads kept per database under a key, with the version of the data they were read at:
 * served again while the version is the same. The version is read before the data, so kept data is
 * never older than its version. Values are shared between callers: they must not change them.
 */
export class KeptReads<T> {
  readonly #perDb = new WeakMap<Db, LruMap<string, { version: number; value: T }>>();
  // Reads in flight, per database and key: callers asking for the same key at the same version
  // meanwhile share the read instead of each making it.
  readonly #reading = new WeakMap<Db, Map<string, { version: number; value: Promise<T> }>>();
  readonly capacity: number;
  constructor(capacity: number) {
    this.capacity = capacity;
  }
  /** The value kept for `key` at `version`, or `read()` (kept when `keep`). */
  async get(db: Db, key: string, version: number, read: () => Promise<T>, keep = true): Promise<T> {
    const kept = this.#perDb.get(db) ?? new LruMap(this.capacity);
    this.#perDb.set(db, kept);
    const found = kept.get(key);
    if (found && found.version === version) return found.value;
    const reading = this.#reading.get(db) ?? new Map<string, { version: number; value: Promise<T> }>();
    this.#reading.set(db, reading);
    const shared = reading.get(key);
    if (shared && shared.version === version) return shared.value;
    const value = read();
    reading.set(key, { version, value });
    try {
      const done = await value;
      if (keep) kept.set(key, { version, value: done });
      return done;
    } finally {
      if (reading.get(key)?.value === value) reading.delete(key);
    }
  }
}

/**
 * How many snapshots a board has: the version of its standings. Standings are written only
 * together with a snapshot of their board (a changed capture, or one inserted before stored
 * history, which re-derives the later periods in the same transaction), and snapshots are never
 * deleted: while the count stays, so do the board's periods.
 */
export async function boardSnapshots(db: Db, board: string): Promise<number> {
  const [counted] = await db.select({ n: count() }).from(snapshots).where(eq(snapshots.boardId, board));
  return counted?.n ?? 0;
}

const standingsKept = new KeptReads<readonly Standing[]>(64);

/**
 * The board as it stood at `at` (now when absent), best rank first; kept until the board's next
 * snapshot. The rows are shared between callers (frozen): copy before changing them.
 */
export async function standingsAt(db: Db, board: string, at?: Date): Promise<readonly Standing[]> {
  return standingsKept.get(db, `${board}\u0000${at ? at.getTime() : 'now'}`, await boardSnapshots(db, board), async () =>
    Object.freeze((await readStandingsAt(db, board, at)).map((row) => Object.freeze(row))),
  );
}

async function readStandingsAt(db: Db, board: string, at?: Date): Promise<Standing[]> {
  const when = at
    ? and(lte(standings.validFrom, at), or(isNull(standings.validTo), gt(standings.validTo, at)))
    : isNull(standings.validTo);
  const rows = await db
    .select()
    .from(standings)
    .where(and(eq(standings.boardId, board), when))
    .orderBy(sql`${standings.rank} asc nulls last`, sql`${standings.score} desc nulls last`, asc(standings.model));
  return rows.map(toStanding);
}

const eventPagesKept = new KeptReads<readonly StoredEvent[]>(64);

/**
 * listEvents for the API's pages, kept like feed pages (see keptUntilWritten). The events are
 * shared between callers (frozen).
 */
export async function listEventsKept(db: Db, filter: EventFilter): Promise<readonly StoredEvent[]> {
  return keptUntilWritten(eventPagesKept, db, filter, async () => Object.freeze((await listEvents(db, filter)).map((event) => Object.freeze(event))));
}

/** Events matching the filter, newest first. */
export async function listEvents(db: Db, filter: EventFilter): Promise<StoredEvent[]> {
  const where: (SQL | undefined)[] = [
    ...eventConditions(filter),
    filter.snapshot !== undefined ? eq(events.snapshotId, filter.snapshot) : undefined,
    inArray(events.status, [...(filter.status ?? ['published'])]),
    // Newest capture first, then by id: the next page is an older capture, or the same one's later ids.
    filter.after ? or(lt(events.capturedAt, filter.after.at!), and(eq(events.capturedAt, filter.after.at!), gt(events.id, filter.after.id))) : undefined,
  ];
  const rows = await db
    .select()
    .from(events)
    .where(and(...where))
    .orderBy(desc(events.capturedAt), asc(events.id))
    .limit(filter.limit);
  return rows.map(toStoredEvent);
}

/** One event by id, or null. */
export async function getEvent(db: Db, id: number): Promise<StoredEvent | null> {
  const [row] = await db.select().from(events).where(eq(events.id, id));
  return row ? toStoredEvent(row) : null;
}

/** A stored event row as the API, CLI, feeds and alerts show it. */
export function toStoredEvent(row: typeof events.$inferSelect): StoredEvent {
  // Checked against its kind's schema: a row that does not fit is an error naming the event and the field.
  return decodeStoredEvent({
    id: row.id,
    key: row.key,
    board: row.boardId,
    kind: row.kind,
    model: row.model,
    name: row.name,
    capturedAt: row.capturedAt.toISOString(),
    snapshotId: row.snapshotId,
    old: row.old,
    new: row.new,
    data: row.data,
    status: row.status as EventStatus,
    settledAt: iso(row.settledAt),
  });
}

/** A capture held back by the sanity checks. */
export interface QuarantineSummary {
  id: number;
  board: string;
  capturedAt: string;
  rowCount: number;
  reasons: string[];
  source: string | null;
  format: string | null;
  lastGoodSnapshotId: number | null;
  createdAt: string;
}

/** A quarantined capture with the entries it held. */
export interface QuarantineDetail extends QuarantineSummary {
  entries: Entry[];
}

const quarantineColumns = {
  id: quarantines.id,
  board: quarantines.boardId,
  capturedAt: quarantines.capturedAt,
  rowCount: quarantines.rowCount,
  reasons: quarantines.reasons,
  source: quarantines.source,
  format: quarantines.format,
  lastGoodSnapshotId: quarantines.lastGoodSnapshotId,
  createdAt: quarantines.createdAt,
};

/** Quarantined captures, newest capture first. */
export async function listQuarantines(db: Db, filter: { board?: string | undefined; after?: PageKey | undefined; limit: number }): Promise<QuarantineSummary[]> {
  const rows = await db
    .select(quarantineColumns)
    .from(quarantines)
    .where(and(filter.board ? eq(quarantines.boardId, filter.board) : undefined, filter.after ? before(quarantines.capturedAt, quarantines.id, filter.after) : undefined))
    .orderBy(desc(quarantines.capturedAt), desc(quarantines.id))
    .limit(filter.limit);
  return rows.map((row) => ({ ...row, capturedAt: row.capturedAt.toISOString(), createdAt: row.createdAt.toISOString() }));
}

/** One quarantined capture with its entries, or null. */
export async function getQuarantine(db: Db, id: number): Promise<QuarantineDetail | null> {
  const [row] = await db
    .select({ ...quarantineColumns, entries: quarantines.entries })
    .from(quarantines)
    .where(eq(quarantines.id, id));
  if (!row) return null;
  return { ...row, entries: row.entries as Entry[], capturedAt: row.capturedAt.toISOString(), createdAt: row.createdAt.toISOString() };
}

/** One snapshot's events summed up: what alerts and feeds send as one message. */
export interface ChangeSetSummary extends ChangeSet {
  /** The snapshot's id, which is the change set's id. */
  id: number;
  board: string;
  capturedAt: string;
  rowCount: number;
  /** Provenance: where the capture came from and what read it. */
  source: string | null;
  format: string | null;
  publishedAt: string | null;
  contentHash: string | null;
  parserVersion: string | null;
}

function toChangeSet(row: typeof snapshots.$inferSelect): ChangeSetSummary | null {
  if (!row.changeSet) return null;
  return {
    id: row.id,
    board: row.boardId,
    capturedAt: row.capturedAt.toISOString(),
    rowCount: row.rowCount,
    source: row.source,
    format: row.format,
    publishedAt: iso(row.publishedAt),
    contentHash: row.contentHash,
    parserVersion: row.parserVersion,
    ...row.changeSet,
  };
}

/** Change sets, newest capture first. */
export async function listChangeSets(
  db: Db,
  filter: { board?: string | undefined; since?: Date | undefined; after?: PageKey | undefined; limit: number },
): Promise<ChangeSetSummary[]> {
  const rows = await db
    .select()
    .from(snapshots)
    .where(
      and(
        isNotNull(snapshots.changeSet),
        filter.board ? eq(snapshots.boardId, filter.board) : undefined,
        filter.since ? gte(snapshots.capturedAt, filter.since) : undefined,
        filter.after ? before(snapshots.capturedAt, snapshots.id, filter.after) : undefined,
      ),
    )
    .orderBy(desc(snapshots.capturedAt), desc(snapshots.id))
    .limit(filter.limit);
  return rows.map(toChangeSet).filter((row): row is ChangeSetSummary => row !== null);
}

/** One change set with its events, or null. */
export async function getChangeSet(db: Db, id: number): Promise<(ChangeSetSummary & { events: StoredEvent[] }) | null> {
  const [row] = await db.select().from(snapshots).where(eq(snapshots.id, id));
  const summary = row ? toChangeSet(row) : null;
  if (!summary) return null;
  return { ...summary, events: await listEvents(db, { snapshot: id, status: EVENT_STATUSES, limit: 100_000 }) };
}

/**
 * Most events one feed item lists; the item says how many of how many it shows and links the whole
 * change set. A bulk change (an Artificial Analysis snapshot with 562 changes, LMArena hiding 30
 * models at once) stays one readable item, and a default page of 100 items stays small for readers.
 */
export const MAX_FEED_ITEM_EVENTS = 50;

/**
 * The order of a feed item's events, and so which ones a cut item keeps: who leads, who came and
 * went, the gap and prices, then rank and score moves; within a kind, the diff's own order.
 */
export const FEED_KIND_ORDER: readonly EventKind[] = ['board_first_seen', 'new_leader', 'entered', 'exited', 'gap_changed', 'price_changed', 'rank_changed', 'score_changed'];
const FEED_KIND_PRIORITY = sql.raw(
  `case events.kind ${FEED_KIND_ORDER.map((kind, place) => `when '${kind}' then ${place}`).join(' ')} else ${FEED_KIND_ORDER.length} end`,
);

/** One feed item's worth of events: a change set's (those passing the filter), or one event without a change set. */
export interface FeedGroup {
  /** The change set, or null for an event that has none (operator events). */
  changeSet: ChangeSetSummary | null;
  /** The events passing the filter, newest first then by id, at most MAX_FEED_ITEM_EVENTS. */
  events: StoredEvent[];
  /** How many passed the filter (more than `events` holds when the item was cut). */
  matched: number;
  /** How many events of the change set are in the filter's statuses, whatever the other filters. */
  total: number;
}

function eventConditions(filter: Omit<EventFilter, 'limit' | 'snapshot' | 'status'>): (SQL | undefined)[] {
  return [
    filter.board ? eq(events.boardId, filter.board) : undefined,
    filter.model ? eventsOfModel(filter.model) : undefined,
    filter.organization ? eventsOfModels(filter.organization.models) : undefined,
    filter.kind && filter.kind.length > 0 ? inArray(events.kind, [...filter.kind]) : undefined,
    filter.significant ? SIGNIFICANT_WHERE_JUDGED : undefined,
    filter.since ? gte(events.capturedAt, filter.since) : undefined,
    filter.until ? lte(events.capturedAt, filter.until) : undefined,
  ];
}

/**
 * How long after the last write a read of it may be cached. `updated_at` and `created_at` are
 * stamped when a row is written, before its transaction commits: a transaction whose stamps are
 * older than what a read saw may still commit after the read (captures of different boards run
 * side by side). Once the newest stamp is this old, every write stamped up to it has committed
 * (no capture's transaction lasts a minute), so the read is complete and can be kept until the
 * stamp moves. The feeds' Last-Modified rests on the same bound (STABLE_AFTER_MS).
 */
export const CACHE_AFTER_MS = 60_000;

/**
 * The newest write a feed page of this board (every board: undefined) can show: events written,
 * settled or re-derived (`events.updated_at`) and snapshots stored (`snapshots.created_at`; change
 * set summaries are rewritten only together with their events' status). Epoch milliseconds, or null
 * when nothing was written.
 */
async function feedVersion(db: Db, board: string | undefined): Promise<number | null> {
  const flights = versionFlights.get(db) ?? new Map<string, Promise<number | null>>();
  versionFlights.set(db, flights);
  const key = board ?? '';
  const flying = flights.get(key);
  if (flying) return flying;
  const read = readFeedVersion(db, board).finally(() => flights.delete(key));
  flights.set(key, read);
  return read;
}

// The feedVersion reads in flight, per database and board: a request arriving while one is in
// flight shares it (ten clients asking at once make one query, not ten).
const versionFlights = new WeakMap<Db, Map<string, Promise<number | null>>>();

async function readFeedVersion(db: Db, board: string | undefined): Promise<number | null> {
  const result = await db.execute(sql`select (extract(epoch from greatest(
      (select max(${events.updatedAt}) from ${events} ${board ? sql`where ${events.boardId} = ${board}` : sql``}),
      (select max(${snapshots.createdAt}) from ${snapshots} ${board ? sql`where ${snapshots.boardId} = ${board}` : sql``}))) * 1000)::float8 as at`);
  // postgres.js answers an array of rows, PGlite `{ rows }`.
  const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as { at: number | string | null }[];
  const at = rows[0]?.at;
  return at === null || at === undefined ? null : Number(at);
}

/** A small least-recently-used map: feed pages of many filters must not grow without bound. */
export class LruMap<K, V> {
  readonly #entries = new Map<K, V>();
  readonly capacity: number;
  constructor(capacity: number) {
    this.capacity = capacity;
  }
  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, value);
    return value;
  }
  set(key: K, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    while (this.#entries.size > this.capacity) this.#entries.delete(this.#entries.keys().next().value as K);
  }
}

/** What a feed shows, read together with when its content last changed (see feedLastModified). */
export interface FeedRead<T> {
  readonly written: Date | null;
  readonly content: T;
}

/** Feed pages read, per database (see keptUntilWritten). */
const feedPagesKept = new KeptReads<FeedRead<readonly FeedGroup[]>>(32);
const feedEventPagesKept = new KeptReads<FeedRead<readonly StoredEvent[]>>(32);

/**
 * The events matching the filter grouped into feed items, newest capture first: one group per
 * change set (snapshot) holding only the events that pass, one per event without a change set.
 * `limit` counts groups, not events. With them, when the feed's content last changed.
 *
 * A page is kept per database and filter (see keptUntilWritten): the same objects are served
 * again, so callers must not change them.
 */
export async function feedGroups(db: Db, filter: EventFilter): Promise<FeedRead<readonly FeedGroup[]>> {
  return keptUntilWritten(feedPagesKept, db, filter, () => datedRead(db, filter, () => readFeedGroups(db, filter)));
}

/** The events of a feed of one item per event (listEvents), with when its content last changed; kept like feedGroups. */
export async function feedEvents(db: Db, filter: EventFilter): Promise<FeedRead<readonly StoredEvent[]>> {
  return keptUntilWritten(feedEventPagesKept, db, filter, () => datedRead(db, filter, async () => Object.freeze((await listEvents(db, filter)).map((event) => Object.freeze(event)))));
}

/**
 * A feed's content and its date. The date is read before the content: a write committed in
 * between shows in this content and moves the next date. The other order could pair old content
 * with the new date, and a client sending that date back would never be given the change.
 */
async function datedRead<T>(db: Db, filter: EventFilter, read: () => Promise<T>): Promise<FeedRead<T>> {
  const written = await feedLastModified(db, filter);
  return Object.freeze({ written, content: await read() });
}

/**
 * A filter as the key of what is kept for it. An organization by its id: its models change only
 * with a snapshot of their board, which moves the kept read's version (see keptUntilWritten).
 */
function filterKey(filter: EventFilter): string {
  return JSON.stringify([
    filter.board,
    filter.model,
    filter.organization?.id,
    filter.kind,
    filter.significant ?? false,
    filter.since,
    filter.until,
    filter.snapshot,
    filter.status ?? ['published'],
    filter.after,
    filter.limit,
  ]);
}

/**
 * A read of events kept while no event or snapshot of the filter's board (every board, without
 * one) is written, and only once the newest write is CACHE_AFTER_MS old (see there): the version
 * is feedVersion, asked of the database on every call.
 */
async function keptUntilWritten<T>(kept: KeptReads<T>, db: Db, filter: EventFilter, read: () => Promise<T>): Promise<T> {
  const version = await feedVersion(db, filter.board);
  if (version === null) return read();
  return kept.get(db, filterKey(filter), version, read, Date.now() - version >= CACHE_AFTER_MS);
}

async function readFeedGroups(db: Db, filter: EventFilter): Promise<FeedGroup[]> {
  const statuses = [...(filter.status ?? ['published'])];
  const where = and(...eventConditions(filter), inArray(events.status, statuses));
  // Snapshot ids and event ids are both positive: a negated event id keys an event of its own.
  const groupKey = sql<number>`coalesce(${events.snapshotId}, -${events.id})`;
  const picked = await db
    .select({ key: groupKey.mapWith(Number), capturedAt: sql`max(${events.capturedAt})`, board: sql`min(${events.boardId})` })
    .from(events)
    .where(where)
    .groupBy(groupKey)
    .orderBy(sql`max(${events.capturedAt}) desc`, sql`min(${events.boardId}) asc`, sql`${groupKey} asc`)
    .limit(filter.limit);
  if (picked.length === 0) return [];
  const snapshotIds = picked.filter((group) => group.key > 0).map((group) => group.key);
  const loneIds = picked.filter((group) => group.key < 0).map((group) => -group.key);
  // The first MAX_FEED_ITEM_EVENTS events of each group and how many pass the filter in all:
  // a change set of thousands of events is not read whole to list fifty of them.
  const ranked = db
    .select({
      ...getTableColumns(events),
      place: sql<number>`row_number() over (partition by ${groupKey} order by ${FEED_KIND_PRIORITY}, ${events.id} asc)`.as('place'),
      matched: sql<number>`count(*) over (partition by ${groupKey})`.mapWith(Number).as('matched'),
    })
    .from(events)
    .where(and(where, or(snapshotIds.length ? inArray(events.snapshotId, snapshotIds) : undefined, loneIds.length ? inArray(events.id, loneIds) : undefined)))
    .as('ranked');
  const rows = await db
    .select()
    .from(ranked)
    .where(lte(ranked.place, MAX_FEED_ITEM_EVENTS))
    .orderBy(asc(ranked.place));
  const sets = snapshotIds.length ? await db.select().from(snapshots).where(inArray(snapshots.id, snapshotIds)) : [];
  const totals = snapshotIds.length
    ? await db
        .select({ snapshotId: events.snapshotId, n: count() })
        .from(events)
        .where(and(inArray(events.snapshotId, snapshotIds), inArray(events.status, statuses)))
        .groupBy(events.snapshotId)
    : [];
  const changeSets = new Map(sets.map((row) => [row.id, toChangeSet(row)]));
  const totalOf = new Map(totals.map((row) => [row.snapshotId, row.n]));
  const byKey = new Map<number, StoredEvent[]>();
  const matchedOf = new Map<number, number>();
  for (const { place: _place, matched, ...row } of rows) {
    const key = row.snapshotId ?? -row.id;
    matchedOf.set(key, matched);
    const group = byKey.get(key);
    if (group) group.push(toStoredEvent(row));
    else byKey.set(key, [toStoredEvent(row)]);
  }
  return picked.map((group) => {
    const found = byKey.get(group.key) ?? [];
    const matched = matchedOf.get(group.key) ?? found.length;
    return {
      changeSet: group.key > 0 ? (changeSets.get(group.key) ?? null) : null,
      events: found,
      matched,
      total: group.key > 0 ? (totalOf.get(group.key) ?? matched) : matched,
    };
  });
}

/**
 * When the content of a feed with this filter last changed, on the wall clock: the latest write to
 * an event it could show (`events.updated_at`, whatever the event's status, so an event leaving
 * the feed counts too), or to a snapshot of its boards (a capture inserted before stored history
 * re-derives the later events and change sets in the same transaction, and deleted events leave
 * no row to date). Never earlier than a change of the feed's content; it may move without one.
 * Null when nothing was ever written.
 */
async function feedLastModified(db: Db, filter: Omit<EventFilter, 'limit' | 'snapshot' | 'status'>): Promise<Date | null> {
  const [written] = await db
    .select({ at: sql<Date | string | null>`max(${events.updatedAt})` })
    .from(events)
    .where(and(...eventConditions(filter)));
  // Snapshots by board only: a backfill before `since` still rewrites the history after it.
  const [captured] = await db
    .select({ at: sql<Date | string | null>`max(${snapshots.createdAt})` })
    .from(snapshots)
    .where(filter.board ? eq(snapshots.boardId, filter.board) : undefined);
  const times = [written?.at, captured?.at].filter((at): at is Date | string => at !== null && at !== undefined).map((at) => new Date(at).getTime());
  return times.length ? new Date(Math.max(...times)) : null;
}
