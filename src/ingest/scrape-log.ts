import { and, asc, desc, eq, gt, inArray, lte, ne, sql } from 'drizzle-orm';
import { scrapes } from '../db/schema.ts';
import { insertEvents } from './event-rows.ts';
import type { OnAnnounced, Tx } from './tx.ts';

export const SCRAPE_ORIGINS = ['live', 'import'] as const;
export type ScrapeOrigin = (typeof SCRAPE_ORIGINS)[number];

/** Outcome of one scrape or import, as the scrape log records it. */
export const SCRAPE_STATUSES = ['first', 'changed', 'unchanged', 'not_modified', 'quarantined', 'failed'] as const;
export type ScrapeStatus = (typeof SCRAPE_STATUSES)[number];
/** Statuses of captures that were read and stored (the board's state is known at their time). */
export const OBSERVED: ScrapeStatus[] = ['first', 'changed', 'unchanged'];
/** Statuses that count as an observation of the board for the settling window: a 304 says it is unchanged. */
export const SEEN: ScrapeStatus[] = [...OBSERVED, 'not_modified'];
/** Statuses whose repeats of the same content make one streak row. */
export const STREAKING: ScrapeStatus[] = ['unchanged', 'not_modified'];

export type ScrapeRow = typeof scrapes.$inferSelect;
/** One scrape on its way into the log. */
export type ScrapeEntry = Omit<typeof scrapes.$inferInsert, 'id' | 'lastRanAt' | 'lastCapturedAt' | 'count' | 'status' | 'ranAt'> & {
  status: ScrapeStatus;
  ranAt: Date;
};

/** The fields a scrape must share with the log's newest row to extend its streak (times and duration aside). */
const STREAK_FIELDS = ['status', 'origin', 'contentHash', 'snapshotId', 'httpStatus', 'rowCount', 'source', 'etag', 'lastModified', 'error', 'quarantineId'] as const;

/** Whether `entry` extends the streak of the board's newest row `newest` (see logScrape). */
export function extendsStreak(newest: ScrapeRow | undefined, entry: ScrapeEntry): newest is ScrapeRow {
  return (
    newest !== undefined &&
    STREAKING.includes(entry.status) &&
    STREAK_FIELDS.every((field) => (newest[field] ?? null) === (entry[field] ?? null)) &&
    newest.lastCapturedAt < entry.capturedAt &&
    newest.lastRanAt <= entry.ranAt
  );
}

/**
 * Writes a scrape to the log. An unchanged or 304 scrape that repeats the board's newest row (same
 * status, same content, later in time) extends that row's streak instead of adding one: a board
 * scraped hourly and never changing costs one row, not 8,760 a year.
 */
export async function logScrape(tx: Tx, entry: ScrapeEntry): Promise<void> {
  if (STREAKING.includes(entry.status)) {
    const [newest] = await tx
      .select()
      .from(scrapes)
      .where(eq(scrapes.boardId, entry.boardId))
      .orderBy(desc(scrapes.ranAt), desc(scrapes.id))
      .limit(1);
    if (extendsStreak(newest, entry)) {
      await tx
        .update(scrapes)
        .set({ lastRanAt: entry.ranAt, lastCapturedAt: entry.capturedAt, count: sql`${scrapes.count} + 1` })
        .where(eq(scrapes.id, newest.id));
      return;
    }
  }
  await tx.insert(scrapes).values({ ...entry, lastRanAt: entry.ranAt, lastCapturedAt: entry.capturedAt });
}

/**
 * The times a row stands for: its own, or for a streak, `count` times from its first to its last.
 * Those in between are not stored; they are taken as evenly spread (as scheduled scrapes are), so
 * counting observations (settling windows of N scrapes) gives what one row per scrape gave.
 */
export function streakTimes(first: Date, last: Date, count: number): Date[] {
  if (count <= 1) return [first];
  const step = (last.getTime() - first.getTime()) / (count - 1);
  return Array.from({ length: count }, (_, i) => (i === count - 1 ? last : new Date(first.getTime() + Math.round(i * step))));
}

/** Capture times of the board's observations (streaks counted scrape by scrape) after `after` (null: all) up to `upTo`. */
export async function observationTimes(tx: Tx, board: string, after: Date | null, upTo: Date | null): Promise<Date[]> {
  const rows = await tx
    .select({ capturedAt: scrapes.capturedAt, lastCapturedAt: scrapes.lastCapturedAt, count: scrapes.count })
    .from(scrapes)
    .where(
      and(
        eq(scrapes.boardId, board),
        inArray(scrapes.status, SEEN),
        after ? gt(scrapes.lastCapturedAt, after) : undefined,
        upTo ? lte(scrapes.capturedAt, upTo) : undefined,
      ),
    );
  return rows
    .flatMap((row) => streakTimes(row.capturedAt, row.lastCapturedAt, row.count))
    .filter((time) => (!after || time > after) && (!upTo || time <= upTo));
}

/** True when a stored observation of the board with this content covers `at` (a streak spans it). */
export async function observedContentAt(tx: Tx, board: string, at: Date, contentHash: string): Promise<boolean> {
  const [row] = await tx
    .select({ id: scrapes.id })
    .from(scrapes)
    .where(
      and(
        eq(scrapes.boardId, board),
        inArray(scrapes.status, OBSERVED),
        eq(scrapes.contentHash, contentHash),
        lte(scrapes.capturedAt, at),
        sql`${scrapes.lastCapturedAt} >= ${at.toISOString()}::timestamptz`,
      ),
    )
    .limit(1);
  return row !== undefined;
}

/**
 * The first unchanged capture after `at` that showed snapshot `snapshotId`: when a streak spans
 * `at`, it is split there, and its part after `at` is returned.
 */
export async function firstShowingAfter(tx: Tx, board: string, snapshotId: number, at: Date): Promise<ScrapeRow | null> {
  const [row] = await tx
    .select()
    .from(scrapes)
    .where(and(eq(scrapes.boardId, board), eq(scrapes.status, 'unchanged'), eq(scrapes.snapshotId, snapshotId), gt(scrapes.lastCapturedAt, at)))
    .orderBy(asc(scrapes.capturedAt))
    .limit(1);
  if (!row || row.capturedAt > at) return row ?? null;
  const captured = streakTimes(row.capturedAt, row.lastCapturedAt, row.count);
  const ran = streakTimes(row.ranAt, row.lastRanAt, row.count);
  const before = captured.filter((time) => time <= at).length;
  await tx
    .update(scrapes)
    .set({ lastCapturedAt: captured[before - 1]!, lastRanAt: ran[before - 1]!, count: before })
    .where(eq(scrapes.id, row.id));
  const { id: _id, ...rest } = row;
  const [split] = await tx
    .insert(scrapes)
    .values({ ...rest, capturedAt: captured[before]!, ranAt: ran[before]!, count: row.count - before })
    .returning();
  return split ?? null;
}

/**
 * Health of the live scrape, as events: `scrape_failed` when a board's live scrapes start failing
 * (once per streak, not once per tick), `scrape_recovered` on the first success after a streak.
 * Runs before the new scrape-log row is written.
 */
export async function scrapeTransition(
  tx: Tx,
  board: string,
  ranAt: Date,
  failed: boolean,
  details: { error: string | null; httpStatus: number | null; source: string | null },
  onAnnounced: OnAnnounced | null,
): Promise<void> {
  const live = and(eq(scrapes.boardId, board), eq(scrapes.origin, 'live'));
  const [recent] = await tx.select({ status: scrapes.status }).from(scrapes).where(live).orderBy(desc(scrapes.ranAt), desc(scrapes.id)).limit(1);
  const lastFailed = recent?.status === 'failed';
  let ids: number[] = [];
  if (failed && !lastFailed) {
    ids = await insertEvents(tx, board, null, ranAt, [
      { kind: 'scrape_failed', model: null, name: null, old: null, new: null, data: { error: details.error, httpStatus: details.httpStatus, source: details.source } },
    ]);
  } else if (!failed && lastFailed) {
    const [lastGood] = await tx
      .select({ ranAt: scrapes.lastRanAt })
      .from(scrapes)
      .where(and(live, ne(scrapes.status, 'failed')))
      .orderBy(desc(scrapes.ranAt), desc(scrapes.id))
      .limit(1);
    // Failures are never merged into streaks: one row each.
    const streak = await tx
      .select({ ranAt: scrapes.ranAt })
      .from(scrapes)
      .where(and(live, eq(scrapes.status, 'failed'), lastGood ? gt(scrapes.ranAt, lastGood.ranAt) : undefined))
      .orderBy(asc(scrapes.ranAt));
    ids = await insertEvents(tx, board, null, ranAt, [
      {
        kind: 'scrape_recovered',
        model: null,
        name: null,
        old: null,
        new: null,
        data: { failedSince: streak[0]?.ranAt.toISOString() ?? null, failures: streak.length },
      },
    ]);
  }
  if (ids.length > 0 && onAnnounced) await onAnnounced(tx, ids);
}
