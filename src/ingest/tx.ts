import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.ts';

/** A transaction of the store: every capture of a board is applied inside one. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/**
 * Hears, inside the transaction that wrote them, the ids of events just announced (written as
 * published, outside a re-derivation): the outbox hooks in here (src/context.ts), so the store
 * knows nothing of subscriptions and an alert is enqueued exactly when its event is stored.
 */
export type OnAnnounced = (tx: Tx, eventIds: readonly number[]) => Promise<void>;

/** Rows per statement of a bulk insert or lookup: keeps parameter lists bounded whatever the board's size. */
export const INSERT_CHUNK = 500;

/**
 * A list of ids or words as ONE array parameter (`= any(…)`, `unnest(…)`): a bulk update whatever its
 * size is one small statement, where a parameter per id costs building and binding each.
 */
export function arrayParam(values: readonly (number | string)[], type: 'bigint' | 'text'): SQL {
  for (const value of values) {
    if (typeof value === 'string' && !/^[a-z_]+$/.test(value)) throw new Error(`not a plain word: ${value}`);
  }
  return sql`${`{${values.join(',')}}`}::${sql.raw(type)}[]`;
}

/** Captures of one board are applied one at a time, across processes too (PostgreSQL). */
export async function lockBoard(tx: Tx, board: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`rankwatch:board:${board}`}))`);
}

/** The rows of a raw `execute` result, whichever driver ran it (postgres.js: an array; PGlite: `{rows}`). */
export function rowsOf(result: unknown): Record<string, unknown>[] {
  if (Array.isArray(result)) return result as Record<string, unknown>[];
  const rows = (result as { rows?: unknown }).rows;
  return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
}
