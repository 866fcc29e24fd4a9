import { and, eq, lt, max } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { scrapeLeases, scrapes } from '../db/schema.ts';
import type { TickClaims } from './scheduler.ts';

/** How long a lease row is kept: long past any tick, short enough that the table stays small. */
export const LEASE_KEEP_MS = 7 * 24 * 60 * 60 * 1000;

/** Claims between two prunes of old lease rows. */
const PRUNE_EVERY = 500;

/**
 * Ticks claimed through the database: a row per board and scheduled time, inserted by the first
 * instance to ask (INSERT … ON CONFLICT DO NOTHING: one winner, whatever the number of instances
 * and on PGlite too). The last scrape time is the scrape log's.
 */
export function databaseClaims(db: Db, holder: string, now: () => Date = () => new Date()): TickClaims & { prune(): Promise<number> } {
  let claimsSincePrune = 0;
  const prune = async () => {
    const gone = await db
      .delete(scrapeLeases)
      .where(lt(scrapeLeases.takenAt, new Date(now().getTime() - LEASE_KEEP_MS)))
      .returning({ boardId: scrapeLeases.boardId });
    return gone.length;
  };
  return {
    async claim(boards, fireAt) {
      if (boards.length === 0) return new Set();
      if (++claimsSincePrune >= PRUNE_EVERY) {
        claimsSincePrune = 0;
        await prune();
      }
      // One statement, rows in one order: a second instance inserting the same rows waits for the
      // first one's row, then finds them all taken (never half each, never a deadlock).
      const takenAt = now();
      const won = await db
        .insert(scrapeLeases)
        .values([...boards].sort().map((boardId) => ({ boardId, fireAt, holder, takenAt })))
        .onConflictDoNothing()
        .returning({ boardId: scrapeLeases.boardId });
      return new Set(won.map((row) => row.boardId));
    },
    async lastScraped(board) {
      const [row] = await db
        .select({ at: max(scrapes.lastRanAt) })
        .from(scrapes)
        .where(and(eq(scrapes.boardId, board), eq(scrapes.origin, 'live')));
      return row?.at ? new Date(row.at) : null;
    },
    prune,
  };
}
