import { randomUUID } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { deliveries, events, subscriptions } from '../db/schema.ts';
import { eventIdentity, FiltersSchema, groupByChangeSet, matchEvent, type Filters, type Identify } from './filters.ts';
import { toStoredEvent } from '../db/queries.ts';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** The channel the dispatcher listens on: a committed outbox row wakes it at once. */
export const OUTBOX_CHANNEL = 'rankwatch_outbox';

export const DELIVERY_MODES = ['immediate', 'hourly', 'daily'] as const;
export type DeliveryMode = (typeof DELIVERY_MODES)[number];

/** A new message id: the `webhook-id`, stable across the retries of one delivery. */
export function messageId(): string {
  return `msg_${randomUUID().replace(/-/g, '')}`;
}

/** The parts of `at` on the wall clock of `timeZone`. */
function wallClock(at: Date, timeZone: string): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const part = (type: string) => Number(parts.find((item) => item.type === type)?.value ?? 0);
  return { year: part('year'), month: part('month'), day: part('day'), hour: part('hour'), minute: part('minute'), second: part('second') };
}

/** The instant at which the wall clock of `timeZone` shows the given time (the first one, around DST changes). */
function instantOf(timeZone: string, year: number, month: number, day: number, hour: number): Date {
  let guess = Date.UTC(year, month - 1, day, hour);
  for (let i = 0; i < 3; i++) {
    const shown = wallClock(new Date(guess), timeZone);
    const shownUtc = Date.UTC(shown.year, shown.month - 1, shown.day, shown.hour, shown.minute, shown.second);
    const wanted = Date.UTC(year, month - 1, day, hour);
    if (shownUtc === wanted) break;
    guess += wanted - shownUtc;
  }
  return new Date(guess);
}

/** True when `timeZone` is an IANA time zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The digest window `at` falls in: the hour or the day on the subscriber's wall clock. Pure. */
export function digestWindow(mode: 'hourly' | 'daily', timeZone: string, at: Date): { start: Date; end: Date; title: string } {
  const now = wallClock(at, timeZone);
  const start = mode === 'hourly' ? instantOf(timeZone, now.year, now.month, now.day, now.hour) : instantOf(timeZone, now.year, now.month, now.day, 0);
  const nextDay = new Date(Date.UTC(now.year, now.month - 1, now.day + 1));
  const end =
    mode === 'hourly'
      ? instantOf(timeZone, now.year, now.month, now.day, now.hour + 1)
      : instantOf(timeZone, nextDay.getUTCFullYear(), nextDay.getUTCMonth() + 1, nextDay.getUTCDate(), 0);
  const pad = (value: number) => String(value).padStart(2, '0');
  const date = `${now.year}-${pad(now.month)}-${pad(now.day)}`;
  const title = mode === 'hourly' ? `hourly digest, ${date} ${pad(now.hour)}:00–${pad((now.hour + 1) % 24)}:00 ${timeZone}` : `daily digest, ${date} ${timeZone}`;
  return { start, end, title };
}

/**
 * Writes the outbox rows for newly announced events, in the caller's transaction: for each enabled
 * subscription, the events its filters pass, one delivery per change set (immediate), or added to
 * the subscription's open digest. Health events have no change set: each is its own message.
 * `identify` gives a model's canonical id, organization and country for the filters.
 */
export async function enqueueDeliveries(
  tx: Tx,
  eventIds: readonly number[],
  identify: Identify | null,
  now: Date = new Date(),
): Promise<number> {
  if (eventIds.length === 0) return 0;
  const subscribers = await tx.select().from(subscriptions).where(eq(subscriptions.enabled, true));
  if (subscribers.length === 0) return 0;
  // In id order (the order they were found), not the table's physical order, which settling rewrites.
  const rows = await tx.select().from(events).where(inArray(events.id, [...eventIds])).orderBy(events.id);
  const found = rows.map(toStoredEvent);
  const identities = new Map(found.map((event) => [event.id, eventIdentity(event, identify)]));
  let written = 0;
  for (const subscription of subscribers) {
    const parsed = FiltersSchema.safeParse(subscription.filters);
    if (!parsed.success) continue;
    const filters: Filters = parsed.data;
    const matched = found.filter((event) => matchEvent(filters, event, identities.get(event.id) ?? null));
    if (matched.length === 0) continue;
    const mode = subscription.mode as DeliveryMode;
    if (mode === 'immediate') {
      for (const group of groupByChangeSet(matched)) {
        await tx.insert(deliveries).values({
          subscriptionId: subscription.id,
          messageId: messageId(),
          kind: 'change_set',
          status: 'pending',
          eventIds: group.map((event) => event.id),
          nextAttemptAt: now,
        });
        written += 1;
      }
      continue;
    }
    const window = digestWindow(mode, subscription.timezone, now);
    const ids = matched.map((event) => event.id);
    const [open] = await tx
      .select({ id: deliveries.id })
      .from(deliveries)
      .where(and(eq(deliveries.subscriptionId, subscription.id), eq(deliveries.status, 'gathering'), eq(deliveries.nextAttemptAt, window.end)));
    if (open) {
      await tx
        .update(deliveries)
        .set({ eventIds: sql`${deliveries.eventIds} || ${JSON.stringify(ids)}::jsonb` })
        .where(eq(deliveries.id, open.id));
    } else {
      await tx.insert(deliveries).values({
        subscriptionId: subscription.id,
        messageId: messageId(),
        kind: 'digest',
        status: 'gathering',
        eventIds: ids,
        title: window.title,
        nextAttemptAt: window.end,
      });
      written += 1;
    }
  }
  if (written > 0) await tx.execute(sql`select pg_notify(${OUTBOX_CHANNEL}, '')`);
  return written;
}
