import { z } from 'zod';

/** Event kinds: stable names used by the API, feeds and webhooks. */
export const EVENT_KINDS = [
  'board_first_seen',
  'new_leader',
  'rank_changed',
  'score_changed',
  'entered',
  'exited',
  'price_changed',
  'gap_changed',
  'scrape_failed',
  'scrape_recovered',
  'snapshot_quarantined',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];
export const EventKindSchema = z.enum(EVENT_KINDS);

/** Any event's old/new/data values, for code that reads them generically (CSV columns, the API's schema). */
export type EventValues = Record<string, string | number | boolean | null | string[]>;

// The values each kind carries (README "Events"); what the diff (diff.ts, aggregates.ts), the store
// (scrape and quarantine events) and the settling window (settle.ts: `since`) write, no more.

const count = z.number().int().nonnegative();
const numberOrNull = z.number().nullable();
const names = z.array(z.string());
/** A settled chain's start (settle.ts `rebase`): when the announced move began. */
const since = { since: z.string().optional() };

/** A model's standing when it enters or exits. */
const StandingSchema = z.strictObject({
  rank: z.number().int().nullable(),
  score: numberOrNull,
  scoreLower: numberOrNull,
  scoreUpper: numberOrNull,
  votes: z.number().int().nullable(),
  organization: z.string().nullable(),
});

/** A move judged against the published intervals (significance.ts). */
export const SignificanceSchema = z.strictObject({
  significant: z.boolean().nullable(),
  margin: numberOrNull,
  passed: names,
});
export type SignificanceData = z.infer<typeof SignificanceSchema>;

const ScoreSchema = z.strictObject({ score: z.number(), scoreLower: numberOrNull, scoreUpper: numberOrNull });
const PriceSchema = z.strictObject({ priceInput: numberOrNull, priceOutput: numberOrNull });

/**
 * One side of a `gap_changed` event: who leads, by how many points and percent, and the best model
 * of each country as `best<CC>` (e.g. `bestUS`, `bestCN`).
 */
export type GapSide = {
  leader: string | null;
  points: number;
  percent: number;
  insideIntervals: boolean | null;
  [best: `best${string}`]: string | null;
};
const GAP_FIELDS = new Set(['leader', 'points', 'percent', 'insideIntervals']);
export const GapSideSchema = z
  .looseObject({ leader: z.string().nullable(), points: z.number(), percent: z.number(), insideIntervals: z.boolean().nullable() })
  .superRefine((side, context) => {
    for (const [key, value] of Object.entries(side)) {
      if (GAP_FIELDS.has(key)) continue;
      if (!/^best[A-Z]{2}$/.test(key)) context.addIssue({ code: 'custom', path: [key], message: 'not a field of a gap (leader, points, percent, insideIntervals, best<CC>)' });
      else if (typeof value !== 'string' && value !== null) context.addIssue({ code: 'custom', path: [key], message: 'expected a model key or null' });
    }
  }) as unknown as z.ZodType<GapSide>;

const board = { model: z.null(), name: z.null() };
const model = { model: z.string(), name: z.string() };
const noData = z.strictObject(since).optional();

export const BoardFirstSeenSchema = z.strictObject({
  kind: z.literal('board_first_seen'),
  ...board,
  old: z.null(),
  new: z.strictObject({ entries: count, leaders: names, leaderNames: names.optional() }),
  data: noData,
});
export const NewLeaderSchema = z.strictObject({
  kind: z.literal('new_leader'),
  ...model,
  old: z.strictObject({ rank: z.number().int().nullable() }),
  new: z.strictObject({ rank: z.literal(1), score: numberOrNull }),
  data: z.strictObject({ ...SignificanceSchema.shape, previousLeaders: names, sharedWith: names, sharedWithNames: names.optional(), ...since }),
});
export const RankChangedSchema = z.strictObject({
  kind: z.literal('rank_changed'),
  ...model,
  old: z.strictObject({ rank: z.number().int() }),
  new: z.strictObject({ rank: z.number().int() }),
  data: z.strictObject({ delta: z.number().int(), ...SignificanceSchema.shape, ...since }),
});
export const ScoreChangedSchema = z.strictObject({
  kind: z.literal('score_changed'),
  ...model,
  old: ScoreSchema,
  new: ScoreSchema,
  data: z.strictObject({ delta: z.number(), ...SignificanceSchema.shape, ...since }),
});
export const EnteredSchema = z.strictObject({ kind: z.literal('entered'), ...model, old: z.null(), new: StandingSchema, data: noData });
export const ExitedSchema = z.strictObject({ kind: z.literal('exited'), ...model, old: StandingSchema, new: z.null(), data: noData });
export const PriceChangedSchema = z.strictObject({
  kind: z.literal('price_changed'),
  ...model,
  old: PriceSchema,
  new: PriceSchema,
  data: z.strictObject({ percentInput: numberOrNull, percentOutput: numberOrNull, ...since }),
});
export const GapChangedSchema = z.strictObject({
  kind: z.literal('gap_changed'),
  model: z.null(),
  /** The two countries, e.g. `US–CN`. */
  name: z.string(),
  old: GapSideSchema,
  new: GapSideSchema,
  data: z.strictObject({ countries: names, leadChanged: z.boolean(), movedPercent: z.number(), thresholdPercent: z.number(), ...since }),
});
export const ScrapeFailedSchema = z.strictObject({
  kind: z.literal('scrape_failed'),
  ...board,
  old: z.null(),
  new: z.null(),
  data: z.strictObject({ error: z.string().nullable(), httpStatus: z.number().int().nullable(), source: z.string().nullable() }),
});
export const ScrapeRecoveredSchema = z.strictObject({
  kind: z.literal('scrape_recovered'),
  ...board,
  old: z.null(),
  new: z.null(),
  data: z.strictObject({ failedSince: z.string().nullable(), failures: count }),
});
export const SnapshotQuarantinedSchema = z.strictObject({
  kind: z.literal('snapshot_quarantined'),
  ...board,
  old: z.strictObject({ rows: count }).nullable(),
  new: z.strictObject({ rows: count }),
  data: z.strictObject({ reasons: names, quarantineId: z.number().int(), source: z.string().nullable() }),
});

/** One change found by the diff engine (or the store), before it is stored: one schema per kind. */
export const ChangeEventSchema = z.discriminatedUnion('kind', [
  BoardFirstSeenSchema,
  NewLeaderSchema,
  RankChangedSchema,
  ScoreChangedSchema,
  EnteredSchema,
  ExitedSchema,
  PriceChangedSchema,
  GapChangedSchema,
  ScrapeFailedSchema,
  ScrapeRecoveredSchema,
  SnapshotQuarantinedSchema,
]);
export type ChangeEvent = z.infer<typeof ChangeEventSchema>;
/** The event of one kind, e.g. `EventOf<'rank_changed'>`. */
export type EventOf<K extends EventKind> = Extract<ChangeEvent, { kind: K }>;

// Every kind has its schema, and no schema a kind of its own.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const everyKind: Same<ChangeEvent['kind'], EventKind> = true;
void everyKind;

/** What a stored event adds to its change. */
export interface StoredEventFields {
  id: number;
  key: string;
  board: string;
  capturedAt: string;
  snapshotId: number | null;
  /**
   * `published` once announced; `pending` inside the settling window; `reverted` or `superseded` when
   * dropped; `retracted` when a backfill derived a history without it (see EVENT_STATUSES).
   */
  status: 'published' | 'pending' | 'reverted' | 'superseded' | 'retracted';
  /** When the settling window decided (null while pending). */
  settledAt: string | null;
}

/** A stored event as the API, CLI and feeds return it. */
export type StoredEvent = ChangeEvent & StoredEventFields;

/** A stored event as its columns (or the API's JSON) give it, not yet checked. */
export type UncheckedStoredEvent = StoredEventFields & { kind: string; model: string | null; name: string | null; old: unknown; new: unknown; data?: unknown };

/** A stored event checked against its kind's schema (see decodeEvent). */
export function decodeStoredEvent(event: UncheckedStoredEvent): StoredEvent {
  const { id, key, board, capturedAt, snapshotId, status, settledAt } = event;
  return { id, key, board, capturedAt, snapshotId, ...decodeEvent(event), status, settledAt };
}

/** A stored event whose JSON does not fit its kind's schema. */
export class StoredEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoredEventError';
  }
}

/**
 * An event's columns as read back from the database (old, new and data are JSON), checked against
 * its kind's schema: the one place stored events are decoded. A row that does not fit is a
 * StoredEventError naming the event and the field, e.g. `event 12 (rank_changed): new.rank: …`.
 */
export function decodeEvent(row: { id?: number; kind: string; model: string | null; name: string | null; old: unknown; new: unknown; data?: unknown }): ChangeEvent {
  const result = ChangeEventSchema.safeParse({
    kind: row.kind,
    model: row.model,
    name: row.name,
    old: row.old,
    new: row.new,
    ...(row.data === null || row.data === undefined ? {} : { data: row.data }),
  });
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : 'event'}: ${issue.message}`);
  throw new StoredEventError(`stored event${row.id === undefined ? '' : ` ${row.id}`} (${row.kind}) does not fit its schema: ${problems.join('; ')}`);
}
