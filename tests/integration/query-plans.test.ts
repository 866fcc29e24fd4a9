import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allBoards } from '../../scrapers/index.ts';
import { lastGapQuery } from '../../src/ingest/settling.ts';
import { rowsOf } from '../../src/ingest/tx.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// Reads made at every changed capture must not grow with the board's history: a year of hourly
// changes is tens of thousands of events per board.

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  // 40,000 events of ten boards over two years, one in fifty a gap change.
  const boards = allBoards.slice(0, 10).map((board) => board.id);
  await database.db.execute(sql`
    insert into events (key, board_id, kind, model, name, captured_at, old, new, data, status, settled_at)
    select 'plan|' || i, ${JSON.stringify(boards)}::jsonb ->> (i % 10), case when i % 50 < 10 then 'gap_changed' else 'rank_changed' end, 'model-' || (i % 300), 'Model',
      timestamptz '2024-01-01' + (i / 2) * interval '1 hour', '{"rank": 2}'::jsonb, '{"rank": 1}'::jsonb, null,
      case when i % 7 = 0 then 'reverted' else 'published' end, timestamptz '2024-01-01' + (i / 2) * interval '1 hour'
    from generate_series(1, 40000) as i`);
  await database.db.execute(sql`analyze events`);
});
afterAll(async () => database.drop());

/** The plan PostgreSQL chooses for a query, as JSON text. */
async function planOf(query: { toSQL(): { sql: string; params: unknown[] } }): Promise<string> {
  const { sql: text, params } = query.toSQL();
  const bound = text.replace(/\$(\d+)/g, (_, n: string) => {
    const value = params[Number(n) - 1];
    return typeof value === 'string' ? `'${value.replaceAll("'", "''")}'` : String(value);
  });
  return JSON.stringify(rowsOf(await database.db.execute(sql.raw(`explain (format json) ${bound}`))));
}

describe('query plans', () => {
  it("the gap baseline is found through the (board, kind, time) index, not by reading the board's events", async () => {
    const query = lastGapQuery(database.db as never, allBoards[3]!.id, new Date('2025-06-01T00:00:00Z'));
    const [found] = await query;
    expect(found?.new).toEqual({ rank: 1 });
    const plan = await planOf(query);
    expect(plan).toContain('events_board_kind_captured_idx');
    expect(plan).not.toContain('events_board_status_idx');
  });
});
