import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { subscriptions } from '../../src/db/schema.ts';
import { loadIdentity } from '../../src/identity/identity.ts';
import { importFile, importFiles, planImport, type ImportItem, type ImportOutcome } from '../../src/ingest/run.ts';
import { rowsOf } from '../../src/ingest/tx.ts';
import { HAVE_SHARED, SHARED } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// An import derived in memory and written a batch at a time must leave the very rows storing its
// files one by one leaves: the same standings, snapshots and change sets, events (ids, statuses,
// settling times), scrape log and deliveries. Real captures, read in place.

const LMARENA = join(SHARED, 'lmarena/fboulnois-llm-leaderboard-csv/lmsys');
const OPENROUTER = join(SHARED, 'openrouter/api-v1-models');
const identity = loadIdentity();

const opened: TestDatabase[] = [];
afterEach(async () => {
  for (const database of opened.splice(0)) await database.drop();
});

async function fresh(): Promise<TestDatabase> {
  const database = await createTestDatabase();
  opened.push(database);
  // A subscriber to everything: announcements become deliveries, compared too.
  await database.db.insert(subscriptions).values({ channel: 'webhook', url: 'https://example.test/hook', filters: {}, mode: 'immediate' });
  return database;
}

function plan(folder: string, extension: string): ImportItem[] {
  return planImport(
    readdirSync(folder)
      .filter((name) => name.endsWith(extension))
      .map((name) => join(folder, name)),
  );
}

/** Every row an import writes, without the wall-clock times of the writes. */
async function dump(database: TestDatabase) {
  const read = async (query: string) => rowsOf(await database.db.execute(sql.raw(query))).map((row) => JSON.parse(JSON.stringify(row)));
  return {
    standings: await read('select * from standings order by id'),
    snapshots: await read('select id, board_id, captured_at, entries_hash, content_hash, row_count, source, format, parser_version, published_at, columns, change_set from snapshots order by id'),
    events: await read('select id, key, board_id, snapshot_id, kind, model, name, captured_at, old, new, data, status, settled_at from events order by id'),
    scrapes: await read('select id, board_id, captured_at, last_captured_at, count, origin, status, http_status, content_hash, row_count, error, source, snapshot_id, quarantine_id from scrapes order by id'),
    boards: await read('select id, first_seen_at from boards where first_seen_at is not null order by id'),
    deliveries: await read('select id, subscription_id, kind, status, event_ids from deliveries order by id'),
  };
}

/** Table by table, so a difference names its table. */
async function expectSameRows(got: TestDatabase, want: TestDatabase): Promise<void> {
  const [have, expected] = [await dump(got), await dump(want)];
  for (const table of Object.keys(expected) as (keyof typeof expected)[]) expect(have[table], table).toEqual(expected[table]);
}

/** What each file's storing did, as the CLI reports it. */
const summary = (outcome: ImportOutcome) =>
  !outcome.result
    ? { file: outcome.item.path, error: String(outcome.error) }
    : {
        file: outcome.item.path,
        status: outcome.result.status,
        snapshotId: outcome.result.snapshotId,
        events: outcome.result.events,
        pending: outcome.result.pending,
        suppressed: outcome.result.suppressed,
        changeSet: outcome.result.changeSet,
      };

async function oneByOne(database: TestDatabase, board: string, items: readonly ImportItem[]) {
  const outcomes: ReturnType<typeof summary>[] = [];
  for (const item of items) {
    try {
      outcomes.push(summary({ item, result: await importFile(database.db, board, item, {}, identity) }));
    } catch (error) {
      outcomes.push(summary({ item, error }));
    }
  }
  return outcomes;
}

/** importFiles: what it reported for each file, and how many it stored in batches and alone. */
async function batched(database: TestDatabase, board: string, items: readonly ImportItem[], batchFiles?: number) {
  const outcomes: ReturnType<typeof summary>[] = [];
  const stats = await importFiles(database.db, board, items, { identity, ...(batchFiles ? { batchFiles } : {}) }, (outcome) => outcomes.push(summary(outcome)));
  expect(stats.batchFailures).toEqual([]);
  return { outcomes, ...stats };
}

describe.skipIf(!HAVE_SHARED)('an import written a batch at a time', () => {
  it('the 86 LMArena text captures: the same rows and results as storing them one by one', async () => {
    const items = plan(LMARENA, '.csv');
    expect(items).toHaveLength(86);
    const [alone, batch] = [await fresh(), await fresh()];
    const expected = await oneByOne(alone, 'lmarena-text', items);
    const got = await batched(batch, 'lmarena-text', items);
    expect(got.outcomes).toEqual(expected);
    expect(got).toMatchObject({ inBatches: 86, alone: 0 });
    const have = await dump(batch);
    expect(have.events.length).toBeGreaterThan(10_000);
    expect(have.deliveries.length).toBeGreaterThan(50);
    await expectSameRows(batch, alone);
  }, 300_000);

  it('appended to stored history with changes still settling, in small batches', async () => {
    const items = plan(LMARENA, '.csv');
    const [alone, batch] = [await fresh(), await fresh()];
    await oneByOne(alone, 'lmarena-text', items.slice(0, 40));
    await oneByOne(batch, 'lmarena-text', items.slice(0, 40));
    const pending = rowsOf(await batch.db.execute(sql`select count(*) as n from events where status = 'pending'`))[0]!;
    expect(Number(pending.n)).toBeGreaterThan(0);
    const got = await batched(batch, 'lmarena-text', items.slice(40), 7);
    expect(got.outcomes).toEqual(await oneByOne(alone, 'lmarena-text', items.slice(40)));
    expect(got).toMatchObject({ inBatches: 46, alone: 0 });
    await expectSameRows(batch, alone);
  }, 300_000);

  it('the nine OpenRouter captures (a settling window in hours, held prices rebased)', async () => {
    const items = plan(OPENROUTER, '.json');
    expect(items).toHaveLength(9);
    const [alone, batch] = [await fresh(), await fresh()];
    const got = await batched(batch, 'openrouter-prices', items);
    expect(got.outcomes).toEqual(await oneByOne(alone, 'openrouter-prices', items));
    expect(got).toMatchObject({ inBatches: 9, alone: 0 });
    await expectSameRows(batch, alone);
  }, 300_000);

  it('files older than stored history are stored alone, in order with the batches around them', async () => {
    const items = plan(LMARENA, '.csv').slice(0, 30);
    const first = items.filter((_, i) => i % 3 === 0);
    const rest = items.filter((_, i) => i % 3 !== 0);
    const [alone, batch] = [await fresh(), await fresh()];
    await oneByOne(alone, 'lmarena-text', first);
    await oneByOne(batch, 'lmarena-text', first);
    const got = await batched(batch, 'lmarena-text', rest);
    expect(got.outcomes).toEqual(await oneByOne(alone, 'lmarena-text', rest));
    // Only the two files after the last stored one (the 28th and 29th of 30) are newer than history.
    expect(got).toMatchObject({ inBatches: 2, alone: rest.length - 2 });
    // The board's newest time is read once: the older files do not each open a batch.
    expect(got.batches).toBeLessThanOrEqual(2);
    await expectSameRows(batch, alone);
  }, 300_000);

  it('a file that fails (missing, or not a capture of the board) is reported in its place; the others are stored', async () => {
    const items = plan(LMARENA, '.csv').slice(0, 12);
    const broken: ImportItem[] = [
      ...items.slice(0, 5),
      { path: join(LMARENA, 'no-such-file-2024-08-01.csv'), capturedAt: new Date('2024-08-01T00:00:00Z') },
      { path: join(OPENROUTER, readdirSync(OPENROUTER).find((name) => name.endsWith('.json'))!), capturedAt: new Date('2024-08-02T00:00:00Z') },
      ...items.slice(5),
    ].sort((a, b) => a.capturedAt.getTime() - b.capturedAt.getTime());
    const [alone, batch] = [await fresh(), await fresh()];
    const got = await batched(batch, 'lmarena-text', broken, 4);
    expect(got.outcomes).toEqual(await oneByOne(alone, 'lmarena-text', broken));
    expect(got.outcomes.filter((outcome) => 'error' in outcome)).toHaveLength(2);
    expect(got).toMatchObject({ inBatches: 12, alone: 0 });
    await expectSameRows(batch, alone);
  }, 300_000);
});
