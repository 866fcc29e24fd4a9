import { z } from '@hono/zod-openapi';
import { MAX_SERIES_MODELS, MAX_WINDOW_DAYS, modelList } from '../db/series.ts';
import { EVENT_KINDS, type EventKind } from '../diff/events.ts';
import { EVENT_STATUSES, type EventStatus } from '../diff/settle.ts';
import { DIRECTIONS, EntrySchema } from '../entry.ts';
import { FiltersSchema } from '../notify/filters.ts';
import { DELIVERY_MODES } from '../notify/outbox.ts';
import { CHANNELS } from '../notify/subscriptions.ts';
import { readIsoTime } from '../time.ts';
import { decodeCursor, encodeCursor, type PageKey } from '../db/cursor.ts';
import { InvalidInputError } from '../errors.ts';

// The API's contract in zod: request parameters (parsed strictly, with the messages the API has
// always given: the validation hook in app.ts prefixes them with the parameter's name) and every
// response body. The OpenAPI document at /openapi.json is generated from these.

/** Most rows a list asks for (`?limit=`). */
export const MAX_LIMIT = 1000;

// ---------------------------------------------------------------------------------------------
// Request parameters

const TIME_EXAMPLE = '2024-06-19T12:00:00Z';

/** A strict ISO 8601 date or date-time (src/time.ts), as a Date; absent or empty: undefined. */
export const TimeSchema = z
  .string()
  .optional()
  .transform((value, context): Date | undefined => {
    if (value === undefined || value === '') return undefined;
    const reading = readIsoTime(value.trim());
    if (reading.ok) return reading.date;
    context.addIssue({
      code: 'custom',
      message: `expected an ISO 8601 date or date-time such as 2024-06-19 or 2024-06-19T12:00:00Z, got ${JSON.stringify(value)}: ${reading.reason}`,
    });
    return z.NEVER;
  })
  .openapi({
    type: 'string',
    // A date alone (2024-06-19, read as midnight UTC) is accepted too, as the description says.
    format: 'date-time',
    description: 'ISO 8601 date-time with a zone, or a date (midnight UTC), read strictly: 2024-02-30 or T25:00 is a 400',
    example: TIME_EXAMPLE,
  });

/** `?limit=`: a whole number from 1 to `max` (text in a query, a number or text in a body), `fallback` when absent. */
export function limitSchema(fallback: number, max: number = MAX_LIMIT) {
  return z
    .union([z.string(), z.number()])
    .optional()
    .transform((given, context): number => {
      if (given === undefined) return fallback;
      const value = String(given);
      if (/^\d+$/.test(value.trim()) && Number(value) >= 1 && Number(value) <= max) return Number(value);
      context.addIssue({ code: 'custom', message: `expected a whole number from 1 to ${max}, got ${JSON.stringify(given)}` });
      return z.NEVER;
    })
    .openapi({ type: 'integer', minimum: 1, maximum: max, default: fallback });
}

/** A query limit: text only (what a URL carries). */
export function queryLimitSchema(fallback: number, max: number = MAX_LIMIT) {
  return z
    .string()
    .optional()
    .transform((value, context): number => {
      if (value === undefined) return fallback;
      if (/^\d+$/.test(value.trim()) && Number(value) >= 1 && Number(value) <= max) return Number(value);
      context.addIssue({ code: 'custom', message: `expected a whole number from 1 to ${max}, got ${JSON.stringify(value)}` });
      return z.NEVER;
    })
    .openapi({ type: 'integer', minimum: 1, maximum: max, default: fallback });
}

/**
 * `?cursor=`: where the page starts, as the previous page's `next` gave it (opaque); absent or
 * empty: the first page. `ordered`: what the list is ordered by (a cursor of another list is a 400).
 */
export function cursorSchema(ordered: 'time' | 'id') {
  return z
    .string()
    .optional()
    .transform((value, context): PageKey | undefined => {
      if (value === undefined || value === '') return undefined;
      try {
        return decodeCursor('cursor', value, ordered);
      } catch (error) {
        // The hook puts the parameter's name in front again.
        context.addIssue({ code: 'custom', message: error instanceof InvalidInputError ? error.message.replace(/^cursor: /, '') : String(error) });
        return z.NEVER;
      }
    })
    .openapi({
      type: 'string',
      pattern: '^[A-Za-z0-9_-]*$',
      description: 'the `next` of the previous page, passed back unchanged (opaque); absent: the first page',
      examples: [encodeCursor(ordered === 'time' ? { at: new Date('2024-06-19T00:00:00Z'), id: 100 } : { id: 100 })],
    });
}

/** A list's `next`: the cursor of the following page, null on the last one. */
export const NextSchema = z
  .string()
  .nullable()
  .openapi({ description: 'pass as `cursor` for the next page (also in the `Link: <…>; rel="next"` header); null: this is the last page' });

/** A numeric row id in a path (`what`: "an event id"). */
export function idSchema(what: string) {
  return z
    .string()
    .transform((value, context): number => {
      if (/^\d{1,15}$/.test(value)) return Number(value);
      context.addIssue({ code: 'custom', message: `expected ${what} (a whole number), got ${JSON.stringify(value)}` });
      return z.NEVER;
    })
    .openapi({ type: 'integer', minimum: 0, description: what, example: 1 });
}

/** One value of a list, `fallback` when absent (or empty, when `emptyIsFallback`); any other value is a 400 listing the choices. */
export function choiceSchema<const T extends readonly [string, ...string[]]>(values: T, fallback: T[number], options: { emptyIsFallback?: boolean } = {}) {
  return z
    .string()
    .optional()
    .transform((value, context): T[number] => {
      if (value === undefined || (options.emptyIsFallback && value.trim() === '')) return fallback;
      const found = values.find((candidate) => candidate === value.trim());
      if (found !== undefined) return found;
      context.addIssue({ code: 'custom', message: `expected ${values.slice(0, -1).join(', ')} or ${values.at(-1)}, got ${JSON.stringify(value)}` });
      return z.NEVER;
    })
    .openapi({ type: 'string', enum: [...values], default: fallback });
}

/** A text filter (`?board=`, `?model=`): empty is absent. */
export const OptionalTextSchema = z
  .string()
  .optional()
  .transform((value) => value || undefined)
  .openapi({ type: 'string' });

/** A list given as `a,b` and/or repeated (`?kind=a&kind=b`). */
const ListInputSchema = z.union([z.string(), z.array(z.string())]).optional();

function listItems(value: string | string[] | undefined): string[] {
  return [value ?? []]
    .flat()
    .flatMap((item) => item.split(','))
    .map((item) => item.trim())
    .filter(Boolean);
}

/** `?kind=`: event kinds; unknown names are a 400. */
export const KindsSchema = ListInputSchema.transform((value, context): EventKind[] => {
  const kinds = listItems(value);
  const bad = kinds.filter((kind) => !(EVENT_KINDS as readonly string[]).includes(kind));
  if (bad.length === 0) return kinds as EventKind[];
  context.addIssue({ code: 'custom', message: `unknown event kind ${bad.map((kind) => JSON.stringify(kind)).join(', ')}; expected one of ${EVENT_KINDS.join(', ')}` });
  return z.NEVER;
}).openapi({
  type: 'array',
  items: { type: 'string', enum: [...EVENT_KINDS] },
  description: 'event kinds, comma-separated and/or repeated',
});

/** `?status=`: event statuses (`all` for every one); none given: the announced (`published`) events only. */
export const StatusesSchema = ListInputSchema.transform((value, context): EventStatus[] => {
  const given = listItems(value);
  if (given.length === 0) return ['published'];
  if (given.includes('all')) return [...EVENT_STATUSES];
  const bad = given.filter((status) => !(EVENT_STATUSES as readonly string[]).includes(status));
  if (bad.length === 0) return given as EventStatus[];
  context.addIssue({ code: 'custom', message: `unknown event status ${bad.map((status) => JSON.stringify(status)).join(', ')}; expected all or one of ${EVENT_STATUSES.join(', ')}` });
  return z.NEVER;
}).openapi({
  type: 'array',
  items: { type: 'string', enum: ['all', ...EVENT_STATUSES] },
  description: 'event statuses, comma-separated and/or repeated; default published',
});

/** `?models=`: model spellings, a comma list and/or repeated; at least one, at most MAX_SERIES_MODELS. */
export const ModelsSchema = z
  .union([z.string(), z.array(z.string())], { error: (issue) => (issue.input === undefined ? 'required: name at least one model (a comma list or repeated)' : undefined) })
  .transform((value, context): string[] => {
    const models = modelList([value].flat());
    if (models.length >= 1 && models.length <= MAX_SERIES_MODELS) return models;
    context.addIssue({
      code: 'custom',
      message: models.length === 0 ? 'name at least one model (a comma list or repeated)' : `at most ${MAX_SERIES_MODELS} models, got ${models.length}`,
    });
    return z.NEVER;
  })
  .openapi({
    type: 'array',
    items: { type: 'string', minLength: 1 },
    minItems: 1,
    maxItems: MAX_SERIES_MODELS,
    description: `board keys, published keys or canonical ids, comma-separated and/or repeated (1 to ${MAX_SERIES_MODELS})`,
    example: ['gemini-2.5-pro', 'gpt-4o-2024-05-13'],
  });

/** `?days=`: a window length in whole days (1 to MAX_WINDOW_DAYS); absent or empty: undefined (the route's default). */
export function daysSchema(fallback: number) {
  return z
    .string()
    .optional()
    .transform((value, context): number | undefined => {
      if (value === undefined || value.trim() === '') return undefined;
      if (/^\d+$/.test(value.trim()) && Number(value) >= 1 && Number(value) <= MAX_WINDOW_DAYS) return Number(value);
      context.addIssue({ code: 'custom', message: `expected a whole number of days from 1 to ${MAX_WINDOW_DAYS}, got ${JSON.stringify(value)}` });
      return z.NEVER;
    })
    .openapi({ type: 'integer', minimum: 1, maximum: MAX_WINDOW_DAYS, default: fallback, description: `days back from \`until\` (not with \`since\`)` });
}

/** A yes/no query flag: `true` or `false`, `fallback` when absent or empty. */
export function flagSchema(fallback: boolean) {
  return z
    .string()
    .optional()
    .transform((value, context): boolean => {
      if (value === undefined || value.trim() === '') return fallback;
      if (value.trim() === 'true') return true;
      if (value.trim() === 'false') return false;
      context.addIssue({ code: 'custom', message: `expected true or false, got ${JSON.stringify(value)}` });
      return z.NEVER;
    })
    .openapi({ type: 'boolean', default: fallback });
}

/** A board id in a path. A board that does not exist answers 404 (the validation hook checks it). */
export const BoardParamsSchema = z.object({
  board: z.string().openapi({ param: { name: 'board', in: 'path' }, example: 'lmarena-text' }),
});

/** A model key or canonical id in a path: may hold slashes (`openai/gpt-4o`), URL-encoded or not. */
export const ModelParamsSchema = z.object({
  model: z.string().openapi({ param: { name: 'model', in: 'path' }, example: 'gpt-4o', description: 'model key or canonical id; may contain / (sent as is or as %2F)' }),
});

/** `/v1/events` and the feeds: which events. */
export const EventQuerySchema = z.object({
  board: OptionalTextSchema,
  model: OptionalTextSchema,
  organization: OptionalTextSchema.openapi({
    description:
      'only events of models this organization made, by model identity: its id or a spelling of the organization table (`openai`, `OpenAI`), case aside; board-level events have no model and do not pass. One neither model identity nor the stored data knows: 404',
    examples: ['openai', 'OpenAI', 'alibaba'],
  }),
  kind: KindsSchema,
  significant: flagSchema(false).openapi({
    description:
      "true: rank, score and leader moves only when significant given the published intervals (`data.significant` true; null, a board without intervals, does not pass); events without a verdict pass. As a subscription's `significantOnly`",
  }),
  status: StatusesSchema,
  since: TimeSchema,
  until: TimeSchema,
  limit: queryLimitSchema(100),
});
export type EventQuery = z.output<typeof EventQuerySchema>;

// ---------------------------------------------------------------------------------------------
// Response bodies

const Timestamp = z.iso.datetime({ offset: true }).openapi({ example: '2024-06-19T12:00:00.000Z' });
const Id = z.number().int().nonnegative();

/** Every error: 400 invalid parameters, 401/503 admin auth, 404 unknown things, 409 conflicts. */
export const ErrorSchema = z
  .object({
    code: z.string().openapi({ example: 'invalid_parameter' }),
    message: z.string().openapi({ example: 'at: expected an ISO 8601 date or date-time such as 2024-06-19 or 2024-06-19T12:00:00Z, got "yesterday"' }),
    parameter: z.string().optional().openapi({ description: 'the offending path, query or body parameter (400)', example: 'at' }),
    requestId: z.string().openapi({ description: 'also in the X-Request-Id header' }),
  })
  .openapi('Error');

export const BoardSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    source: z.string(),
    sourceName: z.string(),
    direction: z.string().openapi({ description: `which score is better: ${DIRECTIONS.join(' or ')}` }),
    firstSeenAt: Timestamp.nullable(),
    snapshots: z.number().int().nonnegative(),
    entries: z.number().int().nonnegative(),
    lastScrape: z
      .object({
        ranAt: Timestamp,
        capturedAt: Timestamp,
        status: z.string(),
        origin: z.string(),
        httpStatus: z.number().int().nullable(),
        error: z.string().nullable(),
      })
      .strict()
      .nullable(),
    lastChangeAt: Timestamp.nullable(),
  })
  .strict()
  .openapi('Board');

// Schemas made in other modules may predate zod-openapi's `.openapi()` (zod 4 adds methods per
// instance): `.extend({})` makes a copy that has it.
export const EntryResponseSchema = EntrySchema.extend({}).openapi('Entry');

/** An entry as stored for a period of time. */
export const StandingSchema = EntrySchema.extend({}).extend({
  sourceKey: z.string().nullable().openapi({ description: "the key the capture's format published, where it differs from `model`" }),
  board: z.string(),
  validFrom: Timestamp,
  validTo: Timestamp.nullable(),
})
  .strict()
  .openapi('Standing');

const EventValuesSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string())])).openapi('EventValues');

export const EventSchema = z
  .object({
    id: Id,
    key: z.string(),
    board: z.string(),
    kind: z.enum(EVENT_KINDS),
    model: z.string().nullable(),
    name: z.string().nullable(),
    capturedAt: Timestamp,
    snapshotId: Id.nullable(),
    old: EventValuesSchema.nullable(),
    new: EventValuesSchema.nullable(),
    data: EventValuesSchema.optional(),
    status: z.enum(EVENT_STATUSES),
    settledAt: Timestamp.nullable(),
  })
  .strict()
  .openapi('Event');

export const ChangeSetSchema = z
  .object({
    id: Id,
    board: z.string(),
    capturedAt: Timestamp,
    rowCount: z.number().int().nonnegative(),
    source: z.string().nullable(),
    format: z.string().nullable(),
    publishedAt: Timestamp.nullable(),
    contentHash: z.string().nullable(),
    parserVersion: z.string().nullable(),
    summary: z.string(),
    counts: z.partialRecord(z.enum(EVENT_KINDS), z.number().int().nonnegative()),
    significantMoves: z.number().int().nonnegative(),
    pending: z.number().int().nonnegative(),
    suppressed: z.number().int().nonnegative(),
    bulkRemoval: z.boolean(),
    methodologyChanged: z.boolean(),
    columnsAdded: z.array(z.string()),
    columnsRemoved: z.array(z.string()),
    rows: z.number().int().nonnegative(),
    firstLeaders: z.array(z.string()).nullable(),
    scoresMoved: z.number().int().nonnegative(),
    scoresCompared: z.number().int().nonnegative(),
    gap: EventValuesSchema.nullable(),
    formatChanged: z
      .object({ from: z.string().nullable(), to: z.string().nullable(), onlyAfter: z.number().int(), onlyBefore: z.number().int() })
      .strict()
      .nullable()
      .optional(),
  })
  .strict()
  .openapi('ChangeSet');

export const ChangeSetWithEventsSchema = ChangeSetSchema.extend({ events: z.array(EventSchema) }).openapi('ChangeSetWithEvents');

export const QuarantineSchema = z
  .object({
    id: Id,
    board: z.string(),
    capturedAt: Timestamp,
    rowCount: z.number().int().nonnegative(),
    reasons: z.array(z.string()),
    source: z.string().nullable(),
    format: z.string().nullable(),
    lastGoodSnapshotId: Id.nullable(),
    createdAt: Timestamp,
  })
  .strict()
  .openapi('Quarantine');

export const QuarantineDetailSchema = QuarantineSchema.extend({ entries: z.array(EntryResponseSchema) }).openapi('QuarantineDetail');

export const ModelStandingSchema = z
  .object({
    id: z.string(),
    organization: z.string().nullable(),
    country: z.string().nullable(),
    boards: z.array(StandingSchema),
  })
  .strict()
  .openapi('ModelStanding');

export const ModelHistorySchema = z.object({ model: z.string(), history: z.array(StandingSchema) }).strict().openapi('ModelHistory');

export const UnmappedSchema = z
  .object({
    value: z.string(),
    kind: z.enum(['organization', 'model']),
    reason: z.enum(['unknown-organization', 'no-country']),
    organization: z.string().nullable(),
    sources: z.array(z.string()),
    entries: z.number().int().nonnegative(),
  })
  .strict()
  .openapi('Unmapped');

const BestSchema = z
  .object({ model: z.string(), name: z.string(), rank: z.number().int().nullable(), score: z.number().nullable(), scoreLower: z.number().nullable(), scoreUpper: z.number().nullable() })
  .strict();

export const AggregatesSchema = z
  .object({
    board: z.string(),
    at: Timestamp,
    by: z.enum(['organization', 'country']),
    groups: z.array(z.object({ group: z.string(), place: z.number().int().positive(), models: z.number().int().positive(), best: BestSchema }).strict()),
    gap: z
      .object({
        countries: z.array(z.string()),
        leader: z.string().nullable(),
        points: z.number(),
        percent: z.number(),
        a: BestSchema,
        b: BestSchema,
        insideIntervals: z.boolean().nullable(),
      })
      .strict()
      .nullable(),
  })
  .strict()
  .openapi('Aggregates');

const SeriesPointSchema = z
  .object({
    from: Timestamp,
    to: Timestamp.nullable().openapi({ description: 'null: the values still hold' }),
    rank: z.number().int().nullable(),
    score: z.number().nullable(),
    scoreLower: z.number().nullable(),
    scoreUpper: z.number().nullable(),
    votes: z.number().int().nullable(),
    priceInput: z.number().nullable(),
    priceOutput: z.number().nullable(),
    name: z.string().openapi({ description: 'the display name in that period' }),
  })
  .strict()
  .openapi('SeriesPoint');

export const BoardSeriesSchema = z
  .object({
    board: z.string(),
    direction: z.enum(DIRECTIONS),
    since: Timestamp.nullable(),
    until: Timestamp.nullable(),
    series: z.array(
      z
        .object({
          model: z.string().openapi({ description: "the board's key" }),
          id: z.string().openapi({ description: 'its canonical id' }),
          requested: z.array(z.string()).openapi({ description: 'the spellings of `models` that named it' }),
          name: z.string().nullable(),
          organization: z.string().nullable(),
          points: z.array(SeriesPointSchema).openapi({ description: 'the periods overlapping the window, oldest first; a gap is time off the board' }),
        })
        .strict(),
    ),
  })
  .strict()
  .openapi('BoardSeries');

const MoverSchema = z
  .object({
    place: z.number().int().positive(),
    model: z.string(),
    name: z.string(),
    organization: z.string().nullable(),
    rankThen: z.number().int(),
    rankNow: z.number().int(),
    delta: z.number().int().openapi({ description: 'places gained (rankThen - rankNow; negative: fell)' }),
    scoreThen: z.number().nullable(),
    scoreNow: z.number().nullable(),
    scoreGain: z.number().nullable().openapi({ description: "score change in the board's direction (positive: better)" }),
  })
  .strict()
  .openapi('Mover');

const MoverEndSchema = z
  .object({ model: z.string(), name: z.string(), organization: z.string().nullable(), rank: z.number().int().nullable(), score: z.number().nullable() })
  .strict()
  .openapi('MoverEnd');

export const MoversSchema = z
  .object({
    board: z.string(),
    direction: z.enum(DIRECTIONS),
    since: Timestamp,
    until: Timestamp,
    gains: z.array(MoverSchema),
    losses: z.array(MoverSchema),
    entered: z.array(MoverEndSchema).optional().openapi({ description: 'with entries=true: on the board at until only' }),
    exited: z.array(MoverEndSchema).optional().openapi({ description: 'with entries=true: on the board at since only' }),
  })
  .strict()
  .openapi('Movers');

export const NewEntriesSchema = z
  .object({
    board: z.string(),
    since: Timestamp,
    until: Timestamp,
    reentries: z.boolean(),
    entries: z.array(
      z
        .object({
          model: z.string(),
          name: z.string(),
          organization: z.string().nullable(),
          enteredAt: Timestamp,
          rank: z.number().int().nullable(),
          score: z.number().nullable(),
          scoreLower: z.number().nullable(),
          scoreUpper: z.number().nullable(),
          votes: z.number().int().nullable(),
          reentry: z.boolean(),
        })
        .strict(),
    ),
  })
  .strict()
  .openapi('NewEntries');

export const SubscriptionSchema = z
  .object({
    id: Id,
    channel: z.enum(CHANNELS),
    url: z.string(),
    filters: FiltersSchema,
    mode: z.enum(DELIVERY_MODES),
    timezone: z.string(),
    description: z.string().nullable(),
    enabled: z.boolean(),
    disabledReason: z.string().nullable(),
    signing: z.object({ rotatingUntil: Timestamp.nullable() }).strict().nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .strict()
  .openapi('Subscription');

export const SubscriptionWithSecretSchema = z
  .object({ subscription: SubscriptionSchema, secret: z.string().nullable().openapi({ description: 'the webhook signing secret (whsec_…), shown this once' }) })
  .strict()
  .openapi('SubscriptionWithSecret');

export const DeliverySchema = z
  .object({
    id: Id,
    subscriptionId: Id,
    messageId: z.string(),
    kind: z.string(),
    status: z.string(),
    events: z.number().int().nonnegative(),
    title: z.string().nullable(),
    attempts: z.number().int().nonnegative(),
    nextAttemptAt: Timestamp.nullable(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    deliveredAt: Timestamp.nullable(),
    createdAt: Timestamp,
    attemptsLog: z.array(
      z
        .object({ attemptedAt: Timestamp, outcome: z.string(), statusCode: z.number().int().nullable(), error: z.string().nullable(), durationMs: z.number().nullable() })
        .strict(),
    ),
  })
  .strict()
  .openapi('Delivery');

export const BacktestSchema = z
  .object({
    messages: z.number().int().nonnegative(),
    events: z.number().int().nonnegative(),
    changeSets: z.array(z.object({ id: Id.nullable(), board: z.string(), capturedAt: Timestamp, summary: z.string(), events: z.array(EventSchema) }).strict()),
  })
  .strict()
  .openapi('Backtest');

// ---------------------------------------------------------------------------------------------
// Route helpers

/** A JSON response of `schema`. */
export function json<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } } as const;
}

const ERROR_DESCRIPTIONS = {
  400: 'a malformed parameter or body (`code: invalid_parameter`, `parameter` names it)',
  401: 'the bearer token is missing or wrong',
  404: 'an unknown board, model, event or other id',
  409: 'conflicts with what is stored',
  415: 'a body that is not JSON',
  503: 'not configured (the token it needs is unset)',
} as const;

type ErrorStatus = keyof typeof ERROR_DESCRIPTIONS;

/** The error responses a route can give, each the shared Error body. */
export function errors<const S extends readonly ErrorStatus[]>(...statuses: S): { [K in S[number]]: ReturnType<typeof json<typeof ErrorSchema>> } {
  return Object.fromEntries(statuses.map((status) => [status, json(ErrorSchema, ERROR_DESCRIPTIONS[status])])) as never;
}
