import { and, asc, eq, inArray, isNotNull, lte, or, isNull, lt, sql } from 'drizzle-orm';
import type { Database, Db } from '../db/client.ts';
import { deliveries, deliveryAttempts, events, snapshots, subscriptions } from '../db/schema.ts';
import type { StoredEvent } from '../diff/events.ts';
import type { ChangeSet } from '../diff/change-set.ts';
import { describeError } from '../errors.ts';
import type { Alert, AlertChangeSet } from './alert.ts';
import { OUTBOX_CHANNEL } from './outbox.ts';
import { groupByChangeSet } from './filters.ts';
import { toStoredEvent } from '../db/queries.ts';
import type { WebhookLookup } from './ssrf.ts';
import { nodeTransport, type WebhookTransport } from './transport.ts';
import { adapterFor, checkChannelUrl } from './channels/index.ts';
import { MAX_PARTS, type AttemptResult, type ChannelAdapter } from './channels/adapter.ts';
import type { DeliveryOutcome, MetricsHooks } from '../metrics.ts';
import { DEFAULT_RETRY_SCHEDULE_MS, retryDelay } from './retry.ts';

export interface DispatcherOptions {
  database: Database;
  /** Base URL for links to change sets. */
  publicUrl: string;
  allowHosts: readonly string[];
  timeoutMs: number;
  /** Delays before retries 1, 2, …; after the last the delivery is dead. */
  retrySchedule?: readonly number[];
  /** Deliveries claimed per round. */
  batchSize?: number;
  lookup?: WebhookLookup | undefined;
  /** How requests are checked and sent: Node's pinned sockets (default), or `fetchTransport()` on Workers. */
  transport?: WebhookTransport;
  now?: () => Date;
  random?: () => number;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** Hears each recorded attempt (Prometheus metrics). */
  metrics?: Pick<MetricsHooks, 'deliveryAttempted'>;
  /** Extra trust for TLS connections channels make themselves (email's SMTP; tests: a self-signed server). */
  tls?: { ca?: string | Buffer | undefined };
}

type DeliveryRow = typeof deliveries.$inferSelect;
type SubscriptionRow = typeof subscriptions.$inferSelect;

/** A delivery not sent: its subscription is deleted, disabled or gone, or nothing is left to send. */
interface Cancelled {
  outcome: 'cancelled';
  reason: string;
}

/** One delivery tried, or cancelled. */
interface Attempt {
  delivery: DeliveryRow;
  subscription: SubscriptionRow | null;
  result: AttemptResult | Cancelled;
  /** Parts of a split message the receiver has taken so far (0 once delivered). */
  partsSent?: number;
  now: Date;
  answeredAt: Date;
  durationMs: number;
}

const CHUNK = 1000;

/**
 * Builds the alerts deliveries carry, reading their events and change sets in a few queries for
 * the whole batch: each delivery's events grouped by change set, or a sample for a test.
 */
export async function buildAlerts(db: Db, batch: readonly DeliveryRow[], publicUrl: string): Promise<Map<number, Alert>> {
  const base = publicUrl.replace(/\/$/, '');
  const wanted = [...new Set(batch.flatMap((delivery) => (delivery.kind === 'test' ? [] : delivery.eventIds)))];
  const rows: (typeof events.$inferSelect)[] = [];
  for (let i = 0; i < wanted.length; i += CHUNK) rows.push(...(await db.select().from(events).where(inArray(events.id, wanted.slice(i, i + CHUNK)))));
  const byEvent = new Map(rows.map((row) => [row.id, toStoredEvent(row)]));
  let sample: StoredEvent[] = [];
  if (batch.some((delivery) => delivery.kind === 'test')) {
    // A sample: the newest announced change set, or an empty one on a fresh install.
    const [latest] = await db.select({ snapshotId: events.snapshotId }).from(events).where(and(eq(events.status, 'published'), isNotNull(events.snapshotId))).orderBy(sql`${events.capturedAt} desc`).limit(1);
    sample = latest ? (await db.select().from(events).where(and(eq(events.snapshotId, latest.snapshotId!), eq(events.status, 'published'))).orderBy(asc(events.id)).limit(20)).map(toStoredEvent) : [];
  }
  const snapshotIds = [...new Set([...byEvent.values(), ...sample].map((event) => event.snapshotId).filter((id): id is number => id !== null))];
  const sets: { id: number; changeSet: ChangeSet | null }[] = [];
  for (let i = 0; i < snapshotIds.length; i += CHUNK) {
    sets.push(...(await db.select({ id: snapshots.id, changeSet: snapshots.changeSet }).from(snapshots).where(inArray(snapshots.id, snapshotIds.slice(i, i + CHUNK)))));
  }
  const bySet = new Map(sets.map((set) => [set.id, set.changeSet]));
  const order = (a: StoredEvent, b: StoredEvent) => a.capturedAt.localeCompare(b.capturedAt) || a.id - b.id;

  const alerts = new Map<number, Alert>();
  for (const delivery of batch) {
    // Only what is announced now: a backfill may have retracted a queued event, or found it a flip-flop.
    const carried =
      delivery.kind === 'test'
        ? sample
        : delivery.eventIds
            .map((id) => byEvent.get(id))
            .filter((event): event is StoredEvent => event !== undefined && event.status === 'published')
            .sort(order);
    const changeSets: AlertChangeSet[] = groupByChangeSet(carried).map((group) => {
      const first = group[0]!;
      const set = first.snapshotId === null ? null : bySet.get(first.snapshotId);
      return {
        id: first.snapshotId ?? 0,
        board: first.board,
        capturedAt: first.capturedAt,
        summary: set?.summary ?? `${first.board}: ${first.kind.replace(/_/g, ' ')}`,
        bulkRemoval: set?.bulkRemoval ?? false,
        methodologyChanged: set?.methodologyChanged ?? false,
        url: first.snapshotId === null ? `${base}/v1/events/${first.id}` : `${base}/v1/changes/${first.snapshotId}`,
        events: group,
        // What the change set announced, as its summary counts it: messages say when they show fewer.
        totalEvents: Math.max(group.length, Object.values(set?.counts ?? {}).reduce((sum, n) => sum + n, 0)),
      };
    });
    const type: Alert['type'] = delivery.kind === 'digest' ? 'digest.published' : delivery.kind === 'test' ? 'test.sent' : 'change_set.published';
    // The alert's time is the delivery's: the same body (and so the same content) on every retry.
    alerts.set(delivery.id, { id: delivery.messageId, type, timestamp: delivery.createdAt.toISOString(), ...(delivery.title ? { title: delivery.title } : {}), changeSets });
  }
  return alerts;
}

/**
 * The outbox dispatcher: claims due deliveries with FOR UPDATE SKIP LOCKED (several instances
 * side by side never send one twice at the same time), sends each, and records the attempt. It
 * wakes on NOTIFY from a committed outbox row, and on a timer for retries and digest windows.
 */
export class Dispatcher {
  readonly #options: Required<Omit<DispatcherOptions, 'lookup' | 'log' | 'metrics' | 'tls'>> & Pick<DispatcherOptions, 'lookup' | 'log' | 'metrics' | 'tls'>;
  readonly #lastSent = new Map<string, number>();
  #timer: ReturnType<typeof setTimeout> | null = null;
  #running: Promise<void> | null = null;
  #again = false;
  #stopped = false;
  #started = false;
  readonly #abort = new AbortController();
  #unlisten: (() => Promise<void>) | null = null;

  constructor(options: DispatcherOptions) {
    this.#options = {
      retrySchedule: DEFAULT_RETRY_SCHEDULE_MS,
      batchSize: 10,
      transport: nodeTransport,
      now: () => new Date(),
      random: Math.random,
      ...options,
    };
  }

  get #db(): Db {
    return this.#options.database.db;
  }

  /** Listens for new outbox rows and starts sending what is due. */
  async start(): Promise<void> {
    const { database } = this.#options;
    const wake = () => this.wake();
    if (database.pglite) {
      this.#unlisten = await database.pglite.listen(OUTBOX_CHANNEL, wake);
    } else if (database.sql) {
      const listening = await database.sql.listen(OUTBOX_CHANNEL, wake);
      this.#unlisten = () => listening.unlisten();
    }
    this.#started = true;
    this.wake();
  }

  /** True once start() has set up its listener, until stop() is called (for `/readyz`). */
  get running(): boolean {
    return this.#started && !this.#stopped;
  }

  /**
   * Stops sending: a request in flight or a Slack pacing wait is abandoned at once (recorded as a
   * failed attempt, retried with the same message id after a restart), so shutdown does not wait
   * for a slow receiver's timeout.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort.abort();
    if (this.#timer) clearTimeout(this.#timer);
    await this.#unlisten?.().catch(() => {});
    await this.#running;
  }

  /** Sends what is due now (again after the current round, if one is running). */
  wake(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#loop().finally(() => {
      this.#running = null;
      if (this.#again && !this.#stopped) {
        this.#again = false;
        this.wake();
      }
    });
  }

  /** Resolves when no round is running (tests). */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async #loop(): Promise<void> {
    try {
      while (!this.#stopped && (await this.runOnce()) > 0) {
        // Keep going while rounds find work.
      }
    } catch (error) {
      this.#options.log?.('error', `delivery round failed: ${describeError(error)}`);
    }
    await this.#schedule();
  }

  /** Sets the timer for the next due delivery (at most a minute away: digests and crashed claims). */
  async #schedule(): Promise<void> {
    if (this.#stopped) return;
    const [next] = await this.#db
      .select({ at: sql<Date | string>`min(${deliveries.nextAttemptAt})` })
      .from(deliveries)
      .where(inArray(deliveries.status, ['pending', 'gathering']))
      .catch(() => [{ at: null }]);
    const due = next?.at ? new Date(next.at).getTime() : null;
    const wait = Math.min(60_000, Math.max(50, due === null ? 60_000 : due - this.#options.now().getTime()));
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.wake(), wait);
    this.#timer.unref?.();
  }

  /** Claims due deliveries, sends them, records each attempt. Returns how many were claimed. */
  async runOnce(): Promise<number> {
    const now = this.#options.now();
    const claimed = await this.#db.transaction(async (tx) => {
      const due = await tx
        .select({ id: deliveries.id })
        .from(deliveries)
        .where(
          and(
            inArray(deliveries.status, ['pending', 'gathering']),
            lte(deliveries.nextAttemptAt, now),
            or(isNull(deliveries.lockedUntil), lt(deliveries.lockedUntil, now)),
          ),
        )
        .orderBy(asc(deliveries.nextAttemptAt), asc(deliveries.id))
        .limit(this.#options.batchSize)
        .for('update', { skipLocked: true });
      if (due.length === 0) return [];
      // Held for the whole batch (each send may take the timeout, Slack's pacing a second more; a
      // longer pace (ntfy's 5 s) or a message in parts extends its own claim); a crash frees the
      // rows when the claim runs out.
      const claimMs = due.length * (this.#options.timeoutMs + 1_000) + 5_000;
      return tx
        .update(deliveries)
        .set({ status: 'pending', lockedUntil: new Date(now.getTime() + claimMs) })
        .where(inArray(deliveries.id, due.map((row) => row.id)))
        .returning();
    });
    // Receivers in parallel, each one's deliveries in order (and paced); the attempts of the batch
    // are recorded in one transaction (a crash before it repeats them: same webhook-id).
    const bySubscription = new Map<number, DeliveryRow[]>();
    for (const delivery of claimed) bySubscription.set(delivery.subscriptionId, [...(bySubscription.get(delivery.subscriptionId) ?? []), delivery]);
    const subscribers = new Map(
      (await this.#db.select().from(subscriptions).where(inArray(subscriptions.id, [...bySubscription.keys()]))).map((row) => [row.id, row]),
    );
    const alerts = await buildAlerts(this.#db, claimed, this.#options.publicUrl);
    const batch = claimed.map((delivery) => delivery.id);
    const attempts: Attempt[] = [];
    await Promise.all(
      [...bySubscription.values()].map(async (queue) => {
        for (const delivery of queue) {
          const attempt = await this.#deliver(delivery, subscribers.get(delivery.subscriptionId) ?? null, alerts.get(delivery.id)!, batch);
          attempts.push(attempt);
          // A receiver that is gone gets nothing more from this batch.
          if (attempt.result.outcome === 'gone') {
            const result: Cancelled = { outcome: 'cancelled', reason: 'subscription disabled: the receiver is gone' };
            for (const rest of queue.slice(queue.indexOf(delivery) + 1)) attempts.push({ delivery: rest, subscription: attempt.subscription, result, now: attempt.now, answeredAt: attempt.now, durationMs: 0 });
            break;
          }
        }
      }),
    );
    await this.#recordAll(attempts);
    return claimed.length;
  }

  async #deliver(delivery: DeliveryRow, subscription: SubscriptionRow | null, alert: Alert, batch: readonly number[]): Promise<Attempt> {
    const now = this.#options.now();
    const cancel = (reason: string): Attempt => ({ delivery, subscription, result: { outcome: 'cancelled', reason }, now, answeredAt: now, durationMs: 0 });
    if (!subscription) return cancel('subscription deleted');
    if (!subscription.enabled) return cancel(`subscription disabled: ${subscription.disabledReason ?? 'the receiver is gone'}`);
    if (delivery.kind !== 'test' && alert.changeSets.length === 0) return cancel('nothing left to send: a backfill retracted its events or found them flip-flops');
    let adapter: ChannelAdapter;
    try {
      adapter = adapterFor(subscription.channel);
    } catch (error) {
      // A channel this version does not know (stored by another): nothing to send it with.
      return cancel(describeError(error));
    }
    const signal = this.#abort.signal;
    const started = Date.now();
    let result: AttemptResult;
    let partsSent = delivery.partsSent;
    try {
      if (signal.aborted) throw new Error('abandoned: shutting down');
      // Checked again at send time: the name may resolve elsewhere now. On Node the socket goes to the checked address.
      const { guard, post } = this.#options.transport;
      const checked = await checkChannelUrl(subscription.channel, subscription.url, { allowHosts: this.#options.allowHosts, guard, ...(this.#options.lookup ? { lookup: this.#options.lookup } : {}) });
      if (adapter.send) {
        await this.#pace(adapter, batch, subscription.url, signal);
        if (signal.aborted) throw new Error('abandoned: shutting down');
        const context = { addresses: checked.addresses, timeoutMs: this.#options.timeoutMs, signal, now, publicUrl: this.#options.publicUrl, tls: this.#options.tls };
        result = await adapter.send(alert, subscription, context);
      } else {
        const parts = [adapter.render(alert, subscription, now)].flat().slice(0, MAX_PARTS);
        // A retry starts at the first part the receiver has not taken (all of them if the message changed shape).
        if (partsSent >= parts.length) partsSent = 0;
        if (parts.length - partsSent > 1) await this.#extendClaim(batch, (parts.length - partsSent) * (this.#options.timeoutMs + adapter.paceMs + 1_000));
        result = { outcome: 'delivered', statusCode: 0 };
        for (let part = partsSent; part < parts.length; part += 1) {
          await this.#pace(adapter, batch, subscription.url, signal);
          if (signal.aborted) throw new Error('abandoned: shutting down');
          const request = parts[part]!;
          const answer = adapter.judge(await post(request.url, checked.addresses, request.headers, request.body, this.#options.timeoutMs, signal), now);
          this.#lastSent.set(subscription.url, Date.now());
          if (answer.outcome !== 'delivered') {
            result = parts.length > 1 ? { ...answer, error: `part ${part + 1} of ${parts.length}: ${answer.error}` } : answer;
            break;
          }
          result = answer;
          partsSent = part + 1;
        }
      }
    } catch (error) {
      result = { outcome: 'failed', statusCode: null, error: signal.aborted ? 'abandoned: shutting down' : describeError(error), retryAfterMs: null };
    }
    this.#lastSent.set(subscription.url, Date.now());
    // Retries count from the answer (Retry-After is relative to it), not from the start of the attempt.
    const durationMs = Date.now() - started;
    return { delivery, subscription, result, partsSent: result.outcome === 'delivered' ? 0 : partsSent, now, answeredAt: new Date(now.getTime() + durationMs), durationMs };
  }

  /**
   * Holds the batch's claim for `ms` (and 5 s) more from now: a message in parts or a long pace
   * takes longer than the batch allowed for, and every row of the batch, sent or not, stays
   * claimed until the batch's attempts are recorded together at its end.
   */
  async #extendClaim(batch: readonly number[], ms: number): Promise<void> {
    const until = new Date(Date.now() + ms + 5_000);
    // As text with its type: postgres.js (behind drizzle) does not serialize a Date given to raw SQL.
    await this.#db.update(deliveries).set({ lockedUntil: sql`greatest(${deliveries.lockedUntil}, ${until.toISOString()}::timestamptz)` }).where(inArray(deliveries.id, [...batch]));
  }

  /**
   * Waits until the channel's pace allows another request to `url` (at once when shutting down).
   * A wait longer than the second the batch's claim allows for extends the batch's claim.
   */
  async #pace(adapter: ChannelAdapter, batch: readonly number[], url: string, signal: AbortSignal): Promise<void> {
    const last = this.#lastSent.get(url);
    if (adapter.paceMs <= 0 || last === undefined) return;
    const wait = last + adapter.paceMs - Date.now();
    if (wait <= 0 || signal.aborted) return;
    if (wait > 1_000) await this.#extendClaim(batch, wait + this.#options.timeoutMs);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, wait);
      signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });
  }

  /** Writes the attempts of one batch: the attempt log, each delivery's new state, gone subscriptions disabled. */
  async #recordAll(attempts: readonly Attempt[]): Promise<void> {
    if (attempts.length === 0) return;
    const lines: [level: 'info' | 'warn', message: string][] = [];
    const counted: [channel: string, outcome: DeliveryOutcome][] = [];
    await this.#db.transaction(async (tx) => {
      for (const attempt of attempts) {
        const { delivery, subscription, result, now, answeredAt, durationMs } = attempt;
        if (result.outcome === 'cancelled' || !subscription) {
          // Not sent: the subscription was deleted, disabled, or found gone earlier in this batch; or nothing is left to send.
          const reason = result.outcome === 'cancelled' ? result.reason : 'subscription deleted';
          await tx.update(deliveries).set({ status: 'cancelled', lockedUntil: null, lastError: reason }).where(eq(deliveries.id, delivery.id));
          continue;
        }
        const error = result.outcome === 'delivered' ? null : result.error;
        const attemptNumber = delivery.attempts + 1;
        let status = 'delivered';
        let outcome: DeliveryOutcome = result.outcome;
        let next = now;
        if (result.outcome === 'failed') {
          const delay = retryDelay(this.#options.retrySchedule, attemptNumber, this.#options.random());
          if (delay === null) {
            status = 'dead';
            outcome = 'dead';
          } else {
            status = 'pending';
            next = new Date(answeredAt.getTime() + Math.max(delay, result.retryAfterMs ?? 0));
          }
        } else if (result.outcome === 'gone') {
          status = 'cancelled';
        }
        await tx.insert(deliveryAttempts).values({ deliveryId: delivery.id, attemptedAt: now, outcome, statusCode: result.statusCode, error, durationMs });
        await tx
          .update(deliveries)
          .set({
            status,
            attempts: attemptNumber,
            nextAttemptAt: next,
            lockedUntil: null,
            lastAttemptAt: now,
            lastStatusCode: result.statusCode,
            lastError: error,
            partsSent: attempt.partsSent ?? 0,
            ...(status === 'delivered' ? { deliveredAt: now } : {}),
          })
          .where(eq(deliveries.id, delivery.id));
        if (result.outcome === 'gone') {
          await tx.update(subscriptions).set({ enabled: false, disabledReason: result.error, updatedAt: now }).where(eq(subscriptions.id, subscription.id));
        }
        lines.push([
          status === 'delivered' ? 'info' : 'warn',
          `delivery ${delivery.id} to subscription ${subscription.id} (${subscription.channel}): ${outcome}${error ? `: ${error}` : ''}${status === 'pending' ? `; next attempt ${next.toISOString()}` : ''}`,
        ]);
        counted.push([subscription.channel, outcome]);
      }
    });
    // After the commit: an attempt whose record was rolled back is repeated, and counted then.
    for (const [channel, outcome] of counted) this.#options.metrics?.deliveryAttempted(channel, outcome);
    for (const [level, message] of lines) this.#options.log?.(level, message);
  }
}
