import { sql } from 'drizzle-orm';
import type { ChangeSet } from '../diff/change-set.ts';
import {
  bigserial,
  bigint,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** A leaderboard publisher (LMArena, Artificial Analysis, ...). */
export const sources = pgTable('sources', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  homepage: text('homepage').notNull(),
  terms: text('terms').notNull(),
  parserVersion: text('parser_version').notNull(),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

/** One ranked table of a source; ids are stable and never renamed. */
export const boards = pgTable('boards', {
  id: text('id').primaryKey(),
  sourceId: text('source_id')
    .notNull()
    .references(() => sources.id),
  name: text('name').notNull(),
  direction: text('direction').notNull(),
  /** Capture time of the earliest snapshot stored for the board. */
  firstSeenAt: at('first_seen_at'),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

/**
 * A capture that changed the board (or the first one). Unchanged captures only add a scrape-log
 * row, so this table grows with changes, not with scrapes.
 */
export const snapshots = pgTable(
  'snapshots',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    boardId: text('board_id')
      .notNull()
      .references(() => boards.id),
    capturedAt: at('captured_at').notNull(),
    /** sha256 of the normalized entries: equal hashes mean an identical board. */
    entriesHash: text('entries_hash').notNull(),
    contentHash: text('content_hash'),
    rowCount: integer('row_count').notNull(),
    source: text('source'),
    format: text('format'),
    parserVersion: text('parser_version'),
    publishedAt: at('published_at'),
    /** What the score is made of, as the parser listed it (null: the format does not say). */
    columns: jsonb('columns').$type<string[]>(),
    /** The events of this snapshot summed up (src/diff/change-set.ts). */
    changeSet: jsonb('change_set').$type<ChangeSet>(),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('snapshots_board_captured_idx').on(t.boardId, t.capturedAt)],
);

/**
 * A capture that failed the sanity checks against the last good snapshot: kept with its entries and
 * the reasons, never diffed and never part of the standings.
 */
export const quarantines = pgTable(
  'quarantines',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    boardId: text('board_id')
      .notNull()
      .references(() => boards.id),
    capturedAt: at('captured_at').notNull(),
    entriesHash: text('entries_hash').notNull(),
    contentHash: text('content_hash'),
    rowCount: integer('row_count').notNull(),
    source: text('source'),
    format: text('format'),
    parserVersion: text('parser_version'),
    /** Why the capture was held back, one sentence per failed check. */
    reasons: jsonb('reasons').$type<string[]>().notNull(),
    entries: jsonb('entries').notNull(),
    /** The good snapshot it was checked against (null: none yet). */
    lastGoodSnapshotId: bigint('last_good_snapshot_id', { mode: 'number' }).references(() => snapshots.id),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('quarantines_board_captured_hash_idx').on(t.boardId, t.capturedAt, t.entriesHash),
    index('quarantines_board_captured_idx').on(t.boardId, t.capturedAt),
  ],
);

/**
 * The scrape log: one row per live fetch or imported file, whatever its outcome, except that a
 * streak of unchanged (or 304) scrapes of the same content is one row: the first one's times in
 * `ran_at`/`captured_at`, the last one's in `last_ran_at`/`last_captured_at`, and how many in `count`.
 */
export const scrapes = pgTable(
  'scrapes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    boardId: text('board_id')
      .notNull()
      .references(() => boards.id),
    /** When rankwatch ran the scrape or import. */
    ranAt: at('ran_at').notNull().defaultNow(),
    /** The capture time of the content (the fetch time for live scrapes). */
    capturedAt: at('captured_at').notNull(),
    /** The last scrape of the streak this row stands for (the row's own times when `count` is 1). */
    lastRanAt: at('last_ran_at').notNull(),
    lastCapturedAt: at('last_captured_at').notNull(),
    /** How many scrapes this row stands for: more than 1 for a streak of identical unchanged ones. */
    count: integer('count').notNull().default(1),
    origin: text('origin').notNull(),
    status: text('status').notNull(),
    httpStatus: integer('http_status'),
    contentHash: text('content_hash'),
    rowCount: integer('row_count'),
    error: text('error'),
    source: text('source'),
    etag: text('etag'),
    lastModified: text('last_modified'),
    durationMs: integer('duration_ms'),
    /** The snapshot whose state this capture showed (for unchanged captures: the earlier one). */
    snapshotId: bigint('snapshot_id', { mode: 'number' }).references(() => snapshots.id),
    quarantineId: bigint('quarantine_id', { mode: 'number' }).references(() => quarantines.id),
  },
  (t) => [
    // Neither index names a column a streak's next scrape updates: that update stays HOT (no new
    // index entries), so a streak costs its one row however long it runs.
    index('scrapes_board_ran_idx').on(t.boardId, t.ranAt),
    index('scrapes_board_captured_idx').on(t.boardId, t.capturedAt),
  ],
);

/**
 * Interval-encoded standings: one row per board x model x period in which its values held.
 * `validTo` null means "still current".
 */
export const standings = pgTable(
  'standings',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    boardId: text('board_id')
      .notNull()
      .references(() => boards.id),
    /** The board's key of the model: the same whatever format a capture came in (see `Scraper.boardKeys`). */
    model: text('model').notNull(),
    /** The key as the capture's format published it, when it differs from `model` (null: the same). */
    sourceKey: text('source_key'),
    name: text('name').notNull(),
    organization: text('organization'),
    rank: integer('rank'),
    score: doublePrecision('score'),
    scoreLower: doublePrecision('score_lower'),
    scoreUpper: doublePrecision('score_upper'),
    votes: integer('votes'),
    priceInput: doublePrecision('price_input'),
    priceOutput: doublePrecision('price_output'),
    validFrom: at('valid_from').notNull(),
    validTo: at('valid_to'),
  },
  (t) => [
    uniqueIndex('standings_board_model_from_idx').on(t.boardId, t.model, t.validFrom),
    index('standings_board_current_idx').on(t.boardId).where(sql`${t.validTo} is null`),
    index('standings_board_range_idx').on(t.boardId, t.validFrom, t.validTo),
    index('standings_model_idx').on(t.model),
    index('standings_source_key_idx').on(t.sourceKey).where(sql`${t.sourceKey} is not null`),
  ],
);

/** Change events, written in the same transaction as the snapshot that caused them. */
export const events = pgTable(
  'events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** Deterministic identity (board, capture time, kind, model): stable GUIDs, no duplicates. */
    key: text('key').notNull(),
    boardId: text('board_id')
      .notNull()
      .references(() => boards.id),
    snapshotId: bigint('snapshot_id', { mode: 'number' }).references(() => snapshots.id),
    kind: text('kind').notNull(),
    model: text('model'),
    name: text('name'),
    capturedAt: at('captured_at').notNull(),
    createdAt: at('created_at').notNull().defaultNow(),
    old: jsonb('old'),
    new: jsonb('new'),
    data: jsonb('data'),
    /**
     * `published` (announced), `pending` (inside the board's settling window), `reverted` (went back
     * within it: a flip-flop) or `superseded` (a later value held instead). See src/diff/settle.ts.
     */
    status: text('status').notNull().default('published'),
    /** When the settling window decided the event's fate (null while pending). */
    settledAt: at('settled_at'),
    /** Wall-clock time of the last write to the row (insert, settling, re-derivation): feeds' Last-Modified. */
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('events_key_idx').on(t.key),
    index('events_board_status_idx').on(t.boardId, t.status),
    index('events_board_captured_idx').on(t.boardId, t.capturedAt),
    index('events_kind_captured_idx').on(t.kind, t.capturedAt),
    // A board's newest event of a kind (the US–China gap's baseline at each changed capture).
    index('events_board_kind_captured_idx').on(t.boardId, t.kind, t.capturedAt),
    index('events_model_idx').on(t.model),
    index('events_snapshot_idx').on(t.snapshotId),
    index('events_updated_idx').on(t.updatedAt),
  ],
);

/** Who is told about changes, where, and which ones (src/notify/filters.ts). */
export const subscriptions = pgTable('subscriptions', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  /** A channel's name (src/notify/channels/index.ts): `slack`, `discord`, `webhook`, … */
  channel: text('channel').notNull(),
  url: text('url').notNull(),
  filters: jsonb('filters').notNull(),
  /** `immediate`, or a digest: `hourly` or `daily`, in `timezone`. */
  mode: text('mode').notNull().default('immediate'),
  timezone: text('timezone').notNull().default('UTC'),
  description: text('description'),
  /**
   * The webhook signing secret (`whsec_…`), shown once at creation; for other channels the
   * credential their URL carried (an ntfy token, an SMTP password), never shown; else null.
   */
  secret: text('secret'),
  /** The secret before the last rotation, still signed with until `previousSecretUntil`. */
  previousSecret: text('previous_secret'),
  previousSecretUntil: at('previous_secret_until'),
  enabled: boolean('enabled').notNull().default(true),
  /** Why the subscription was disabled (a 410 Gone, Slack's "no_service"…), or null. */
  disabledReason: text('disabled_reason'),
  createdAt: at('created_at').notNull().defaultNow(),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

/**
 * The outbox: one message to one subscription, written in the same transaction as the events it
 * carries. The dispatcher claims due rows with FOR UPDATE SKIP LOCKED.
 */
export const deliveries = pgTable(
  'deliveries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    subscriptionId: bigint('subscription_id', { mode: 'number' })
      .notNull()
      .references(() => subscriptions.id, { onDelete: 'cascade' }),
    /** Stable across retries: the `webhook-id` header. */
    messageId: text('message_id').notNull(),
    /** `change_set`, `digest` or `test`. */
    kind: text('kind').notNull(),
    /** `gathering` (a digest window still open), `pending`, `delivered`, `dead`, `cancelled`. */
    status: text('status').notNull(),
    /** The events the message carries (ids), grouped by change set when sent. */
    eventIds: jsonb('event_ids').$type<number[]>().notNull(),
    /** The digest window, e.g. "hourly digest, 2026-11-23 14:00–15:00 Europe/Berlin". */
    title: text('title'),
    attempts: integer('attempts').notNull().default(0),
    /** Of a message sent in parts (Telegram's 4,096-character limit), how many the receiver has taken: a retry sends the rest. */
    partsSent: integer('parts_sent').notNull().default(0),
    nextAttemptAt: at('next_attempt_at').notNull(),
    /** A sender holds the row until then (a crash frees it when the time passes). */
    lockedUntil: at('locked_until'),
    lastAttemptAt: at('last_attempt_at'),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    deliveredAt: at('delivered_at'),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('deliveries_message_idx').on(t.messageId),
    index('deliveries_due_idx').on(t.status, t.nextAttemptAt),
    index('deliveries_subscription_idx').on(t.subscriptionId, t.createdAt),
  ],
);

/** Each attempt to send a delivery: time, outcome, HTTP status, error. */
export const deliveryAttempts = pgTable(
  'delivery_attempts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    deliveryId: bigint('delivery_id', { mode: 'number' })
      .notNull()
      .references(() => deliveries.id, { onDelete: 'cascade' }),
    attemptedAt: at('attempted_at').notNull(),
    /** `delivered`, `failed` (will be retried), `dead` (the last attempt), `gone` (the receiver is gone: subscription disabled). */
    outcome: text('outcome').notNull(),
    statusCode: integer('status_code'),
    error: text('error'),
    durationMs: integer('duration_ms'),
  },
  (t) => [index('delivery_attempts_delivery_idx').on(t.deliveryId, t.attemptedAt)],
);

/**
 * Who runs each board's scheduled tick: one row per board and fire time, inserted by the first
 * `serve` instance to claim it (the others see the conflict and skip that tick). A catch-up at
 * start claims the missed tick's time the same way. Rows older than a week are pruned.
 */
export const scrapeLeases = pgTable(
  'scrape_leases',
  {
    boardId: text('board_id').notNull(),
    /** The scheduled time of the tick (before the board's jitter). */
    fireAt: at('fire_at').notNull(),
    /** The instance that claimed it: `host:pid` for `serve`, `worker` on Cloudflare. */
    holder: text('holder').notNull(),
    takenAt: at('taken_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.boardId, t.fireAt] }), index('scrape_leases_taken_idx').on(t.takenAt)],
);
