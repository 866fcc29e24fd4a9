import { and, eq, gt, isNull, lte, or, sql } from 'drizzle-orm';
import { standingEntry } from '../db/queries.ts';
import { standings } from '../db/schema.ts';
import { sameEntry, type Entry, type StoredEntry } from '../entry.ts';
import { arrayParam, type Tx } from './tx.ts';

export type StandingRow = typeof standings.$inferSelect;

export function standingValues(board: string, entry: StoredEntry, validFrom: Date, validTo: Date | null) {
  return { boardId: board, ...entry, sourceKey: entry.sourceKey ?? null, validFrom, validTo };
}

/**
 * The standings rows in force at `at`, by model, in the order they were written (id order, not the
 * table's physical order, which closing rows rewrites): what depends on the order of the board's
 * entries (board keys, for two rows published under one key) comes out the same every time.
 */
export async function rowsCovering(tx: Tx, board: string, at: Date): Promise<Map<string, StandingRow>> {
  const rows = await tx
    .select()
    .from(standings)
    .where(
      and(eq(standings.boardId, board), lte(standings.validFrom, at), or(isNull(standings.validTo), gt(standings.validTo, at))),
    )
    .orderBy(standings.id);
  return new Map(rows.map((row) => [row.model, row]));
}

/** The board's entries at `at`. */
export async function boardAt(tx: Tx, board: string, at: Date): Promise<StoredEntry[]> {
  return [...(await rowsCovering(tx, board, at)).values()].map(standingEntry);
}

// Bulk rows travel as one JSON parameter expanded by jsonb_to_recordset: one small statement
// per table and snapshot, whatever the row count, and the same on PGlite and PostgreSQL.
export async function insertStandings(tx: Tx, rows: ReturnType<typeof standingValues>[]): Promise<void> {
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

/**
 * Rewrites the standings so the board holds `entries` from `at` until `until` (the next stored
 * observation, or open-ended), leaving every other period as it was.
 */
export async function writeInterval(
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
  if (close.length > 0) await tx.update(standings).set({ validTo: at }).where(sql`${standings.id} = any(${arrayParam(close, 'bigint')})`);
  if (merge.length > 0) await tx.update(standings).set({ validFrom: at }).where(sql`${standings.id} = any(${arrayParam(merge, 'bigint')})`);
  await insertStandings(tx, insert);
}
