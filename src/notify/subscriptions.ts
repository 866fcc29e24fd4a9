import { and, asc, desc, eq, gt, inArray, isNotNull, lt, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client.ts';
import type { PageKey } from '../db/cursor.ts';
import { deliveries, deliveryAttempts, snapshots, subscriptions } from '../db/schema.ts';
import { listEvents } from '../db/queries.ts';
import type { StoredEvent } from '../diff/events.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../errors.ts';
import type { Identify } from './filters.ts';
import { eventIdentity, FiltersSchema, groupByChangeSet, matchEvent, type Filters } from './filters.ts';
import { DELIVERY_MODES, isTimeZone, messageId, OUTBOX_CHANNEL, type DeliveryMode } from './outbox.ts';
import type { UrlGuard, WebhookLookup } from './ssrf.ts';
import { generateWebhookSecret } from './channels/webhook.ts';
import { adapterFor, checkChannelUrl, CHANNELS, shownUrl, storedTarget, type Channel } from './channels/index.ts';

export { CHANNELS, type Channel } from './channels/index.ts';

const TimeZoneSchema = z.string().trim().refine(isTimeZone, { message: 'an IANA time zone such as UTC or Europe/Berlin' });

/** The body of `POST /v1/subscriptions`: `channel` may be left out when `url` is Apprise-style (`tgram://…`). */
export const SubscriptionInputSchema = z
  .object({
    channel: z.enum(CHANNELS).optional(),
    url: z.string().trim().min(1),
    filters: FiltersSchema.default({}),
    mode: z.enum(DELIVERY_MODES).default('immediate'),
    timezone: TimeZoneSchema.default('UTC'),
    description: z.string().trim().max(200).optional(),
  })
  .strict();
export type SubscriptionInput = z.input<typeof SubscriptionInputSchema>;

/** The body of `PATCH /v1/subscriptions/:id`: any of the fields, and `enabled`. */
export const SubscriptionPatchSchema = z
  .object({
    url: z.string().trim().min(1),
    filters: FiltersSchema,
    mode: z.enum(DELIVERY_MODES),
    timezone: TimeZoneSchema,
    description: z.string().trim().max(200).nullable(),
    enabled: z.boolean(),
  })
  .partial()
  .strict();

/** How long the previous secret still signs after a rotation. */
export const ROTATION_OVERLAP_MS = 24 * 3_600_000;

/** What the URL guard needs: the allow-listed hosts, (tests) a DNS lookup, and which guard (Workers: `literal`). */
export interface UrlPolicy {
  allowHosts: readonly string[];
  lookup?: WebhookLookup | undefined;
  guard?: UrlGuard | undefined;
}

/** A subscription as the API shows it (never its secret). */
export interface SubscriptionView {
  id: number;
  channel: Channel;
  url: string;
  filters: Filters;
  mode: DeliveryMode;
  timezone: string;
  description: string | null;
  enabled: boolean;
  disabledReason: string | null;
  /** Webhooks: whether a previous secret still signs (a rotation in progress), and until when. */
  signing: { rotatingUntil: string | null } | null;
  createdAt: string;
  updatedAt: string;
}

type Row = typeof subscriptions.$inferSelect;

function view(row: Row, now = new Date()): SubscriptionView {
  return {
    id: row.id,
    channel: row.channel as Channel,
    url: shownUrl(row.channel, row.url),
    // Re-read through the schema: its key order, not the order jsonb stores them in.
    filters: FiltersSchema.safeParse(row.filters).data ?? (row.filters as Filters),
    mode: row.mode as DeliveryMode,
    timezone: row.timezone,
    description: row.description,
    enabled: row.enabled,
    disabledReason: row.disabledReason,
    signing: adapterFor(row.channel).signed ? { rotatingUntil: row.previousSecretUntil && row.previousSecretUntil > now ? row.previousSecretUntil.toISOString() : null } : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Parses with a schema, turning zod's issues into one clear 400. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown, what: string): z.output<T> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : what}: ${issue.message}`);
  throw new InvalidInputError(what, problems.join('; '));
}

/**
 * A subscriber's URL checked for a channel (named, or named by an Apprise-style scheme): the
 * channel, the URL to store and the credential taken out of it.
 */
async function checkUrl(channel: string | undefined, url: string, policy: UrlPolicy): Promise<{ channel: Channel; url: string; credential: string | null }> {
  const target = storedTarget(channel, url);
  const checked = await checkChannelUrl(target.channel, target.url, { allowHosts: policy.allowHosts, ...(policy.lookup ? { lookup: policy.lookup } : {}), ...(policy.guard ? { guard: policy.guard } : {}) });
  return { channel: target.channel, url: checked.url.toString(), credential: target.credential };
}

/**
 * Creates a subscription; a webhook gets its signing secret, returned here and never again. A
 * credential in the URL (an ntfy token, an SMTP password) is kept apart and never shown back.
 */
export async function createSubscription(db: Db, body: unknown, policy: UrlPolicy): Promise<{ subscription: SubscriptionView; secret: string | null }> {
  const input = parseBody(SubscriptionInputSchema, body, 'subscription');
  const { channel, url, credential } = await checkUrl(input.channel, input.url, policy);
  const signed = adapterFor(channel).signed;
  const secret = signed ? generateWebhookSecret() : credential;
  const [row] = await db
    .insert(subscriptions)
    .values({ channel, url, filters: input.filters, mode: input.mode, timezone: input.timezone, description: input.description ?? null, secret })
    .returning();
  return { subscription: view(row!), secret: signed ? secret : null };
}

/** Subscriptions in the order they were made; `after` (an id) and `limit` page through them. */
export async function listSubscriptions(db: Db, page: { after?: PageKey | undefined; limit?: number | undefined } = {}): Promise<SubscriptionView[]> {
  const query = db
    .select()
    .from(subscriptions)
    .where(page.after ? gt(subscriptions.id, page.after.id) : undefined)
    .orderBy(asc(subscriptions.id));
  return (await (page.limit === undefined ? query : query.limit(page.limit))).map((row) => view(row));
}

async function row(db: Db, id: number): Promise<Row> {
  const [found] = await db.select().from(subscriptions).where(eq(subscriptions.id, id));
  if (!found) throw new NotFoundError(`unknown subscription: ${id}`);
  return found;
}

export async function getSubscription(db: Db, id: number): Promise<SubscriptionView> {
  return view(await row(db, id));
}

/** Changes some fields; enabling again clears the reason it was disabled. */
export async function updateSubscription(db: Db, id: number, body: unknown, policy: UrlPolicy): Promise<SubscriptionView> {
  const patch = parseBody(SubscriptionPatchSchema, body, 'subscription');
  const current = await row(db, id);
  const checked = patch.url === undefined ? undefined : await checkUrl(current.channel, patch.url, policy);
  const [updated] = await db
    .update(subscriptions)
    .set({
      // A new URL brings its own credential (or none); a signing secret stays.
      ...(checked !== undefined ? { url: checked.url, ...(adapterFor(current.channel).signed ? {} : { secret: checked.credential }) } : {}),
      ...(patch.filters !== undefined ? { filters: patch.filters } : {}),
      ...(patch.mode !== undefined ? { mode: patch.mode } : {}),
      ...(patch.timezone !== undefined ? { timezone: patch.timezone } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.enabled !== undefined ? { enabled: patch.enabled, disabledReason: patch.enabled ? null : 'disabled by the admin' } : {}),
      updatedAt: new Date(),
    })
    .where(eq(subscriptions.id, id))
    .returning();
  return view(updated!);
}

/** Deletes a subscription and its pending deliveries. */
export async function deleteSubscription(db: Db, id: number): Promise<void> {
  await row(db, id);
  await db.delete(subscriptions).where(eq(subscriptions.id, id));
}

/** A new signing secret; the old one keeps signing beside it for a day, so receivers can switch. */
export async function rotateSecret(db: Db, id: number, now = new Date()): Promise<{ subscription: SubscriptionView; secret: string }> {
  const current = await row(db, id);
  if (!adapterFor(current.channel).signed) throw new ConflictError(`subscription ${id} is a ${current.channel} subscription: only webhooks are signed`);
  const secret = generateWebhookSecret();
  const [updated] = await db
    .update(subscriptions)
    .set({ secret, previousSecret: current.secret, previousSecretUntil: new Date(now.getTime() + ROTATION_OVERLAP_MS), updatedAt: now })
    .where(eq(subscriptions.id, id))
    .returning();
  return { subscription: view(updated!, now), secret };
}

/** Queues a sample alert to a subscription, sent by the dispatcher like any other. */
export async function queueTest(db: Db, id: number): Promise<DeliveryView> {
  await row(db, id);
  const [created] = await db.transaction(async (tx) => {
    const inserted = await tx
      .insert(deliveries)
      .values({ subscriptionId: id, messageId: messageId(), kind: 'test', status: 'pending', eventIds: [], nextAttemptAt: new Date() })
      .returning();
    await tx.execute(sql`select pg_notify(${OUTBOX_CHANNEL}, '')`);
    return inserted;
  });
  return { ...deliveryView(created!), attemptsLog: [] };
}

/** A delivery with its attempts, as the API shows it. */
export interface DeliveryView {
  id: number;
  subscriptionId: number;
  messageId: string;
  kind: string;
  status: string;
  events: number;
  title: string | null;
  attempts: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: string | null;
  createdAt: string;
  attemptsLog: { attemptedAt: string; outcome: string; statusCode: number | null; error: string | null; durationMs: number | null }[];
}

function deliveryView(row: typeof deliveries.$inferSelect): Omit<DeliveryView, 'attemptsLog'> {
  const open = row.status === 'pending' || row.status === 'gathering';
  return {
    id: row.id,
    subscriptionId: row.subscriptionId,
    messageId: row.messageId,
    kind: row.kind,
    status: row.status,
    events: row.eventIds.length,
    title: row.title,
    attempts: row.attempts,
    nextAttemptAt: open ? row.nextAttemptAt.toISOString() : null,
    lastStatusCode: row.lastStatusCode,
    lastError: row.lastError,
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

/**
 * A subscription's deliveries, newest first (in the order they were queued, i.e. by id), each with
 * every attempt; `after` (a delivery's id) starts after that one.
 */
export async function listDeliveries(db: Db, subscriptionId: number, limit: number, after?: PageKey): Promise<DeliveryView[]> {
  await row(db, subscriptionId);
  const rows = await db
    .select()
    .from(deliveries)
    .where(and(eq(deliveries.subscriptionId, subscriptionId), after ? lt(deliveries.id, after.id) : undefined))
    .orderBy(desc(deliveries.id))
    .limit(limit);
  const attempts = rows.length
    ? await db.select().from(deliveryAttempts).where(inArray(deliveryAttempts.deliveryId, rows.map((item) => item.id))).orderBy(asc(deliveryAttempts.attemptedAt), asc(deliveryAttempts.id))
    : [];
  return rows.map((item) => ({
    ...deliveryView(item),
    attemptsLog: attempts
      .filter((attempt) => attempt.deliveryId === item.id)
      .map((attempt) => ({ attemptedAt: attempt.attemptedAt.toISOString(), outcome: attempt.outcome, statusCode: attempt.statusCode, error: attempt.error, durationMs: attempt.durationMs })),
  }));
}

/**
 * Sends a delivery again (a dead one, or a delivered one the receiver lost), with its original
 * message id. A dead message in parts sends the parts its receiver has not taken.
 */
export async function redeliver(db: Db, deliveryId: number): Promise<DeliveryView> {
  const [found] = await db.select().from(deliveries).where(eq(deliveries.id, deliveryId));
  if (!found) throw new NotFoundError(`unknown delivery: ${deliveryId}`);
  if (found.status === 'gathering') throw new InvalidInputError('id', `delivery ${deliveryId} is a digest still gathering: it is sent when its window closes`);
  const [updated] = await db.transaction(async (tx) => {
    const changed = await tx
      .update(deliveries)
      .set({ status: 'pending', nextAttemptAt: new Date(), lockedUntil: null, attempts: 0 })
      .where(eq(deliveries.id, deliveryId))
      .returning();
    await tx.execute(sql`select pg_notify(${OUTBOX_CHANNEL}, '')`);
    return changed;
  });
  return { ...deliveryView(updated!), attemptsLog: [] };
}

/** What a filter would have sent over stored history: one message per change set (immediate mode). */
export interface Backtest {
  messages: number;
  events: number;
  changeSets: { id: number | null; board: string; capturedAt: string; summary: string; events: StoredEvent[] }[];
}

/**
 * Replays a subscription's filters over the announced events stored since `since` (newest change
 * sets first, at most `limit` listed; the counts cover them all).
 */
export async function backtest(db: Db, filtersBody: unknown, options: { since?: Date | undefined; until?: Date | undefined; limit: number; identify: Identify | null }): Promise<Backtest> {
  const filters = parseBody(FiltersSchema, filtersBody ?? {}, 'filters');
  const stored = await listEvents(db, { since: options.since, until: options.until, ...(filters.boards?.length === 1 ? { board: filters.boards[0] } : {}), limit: 1_000_000 });
  const matched = stored.filter((event) => matchEvent(filters, event, eventIdentity(event, options.identify)));
  const groups = groupByChangeSet(matched);
  const snapshotIds = [...new Set(matched.map((event) => event.snapshotId).filter((id): id is number => id !== null))];
  const summaries = new Map<number, string>();
  for (let i = 0; i < snapshotIds.length; i += 500) {
    const rows = await db
      .select({ id: snapshots.id, changeSet: snapshots.changeSet })
      .from(snapshots)
      .where(and(inArray(snapshots.id, snapshotIds.slice(i, i + 500)), isNotNull(snapshots.changeSet)));
    for (const item of rows) summaries.set(item.id, item.changeSet!.summary);
  }
  const changeSets = groups.map((group) => {
    const first = group[0]!;
    return {
      id: first.snapshotId,
      board: first.board,
      capturedAt: first.capturedAt,
      summary: first.snapshotId !== null ? (summaries.get(first.snapshotId) ?? first.board) : `${first.board}: ${first.kind}`,
      events: group,
    };
  });
  return { messages: changeSets.length, events: matched.length, changeSets: changeSets.slice(0, options.limit) };
}
