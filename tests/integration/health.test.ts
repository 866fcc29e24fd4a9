import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { count } from 'drizzle-orm';
import { events, quarantines, scrapes, snapshots } from '../../src/db/schema.ts';
import { getQuarantine, listEvents, listQuarantines, standingsAt } from '../../src/db/queries.ts';
import { makeEntry, type Entry } from '../../src/entry.ts';
import { applyCapture, recordScrape, type CaptureInput } from '../../src/ingest/store.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

const BOARD = 'lmarena-text';

/** A board of `n` models ranked 1..n; `swap` exchanges the first two. */
function board(n: number, swap = false): Entry[] {
  const rows = Array.from({ length: n }, (_, i) =>
    makeEntry({ model: `m${i + 1}`, name: `M${i + 1}`, rank: i + 1, score: 1400 - i * 5, votes: 1000, organization: 'Org' }),
  );
  if (swap) {
    rows[0] = { ...rows[0]!, rank: 2, score: 1390 };
    rows[1] = { ...rows[1]!, rank: 1, score: 1399 };
  }
  return rows;
}

function capture(time: string, entries: Entry[], extra: Partial<CaptureInput> = {}): CaptureInput {
  return {
    board: BOARD,
    capturedAt: new Date(time),
    entries,
    origin: 'import',
    source: `${time}.csv`,
    contentHash: `content-${time}`,
    format: 'csv',
    parserVersion: '1',
    publishedAt: null,
    ...extra,
  };
}

let database: TestDatabase;
beforeEach(async () => {
  database = await createTestDatabase();
});
afterEach(async () => {
  await database.drop();
});

const rows = async (table: typeof events | typeof snapshots | typeof scrapes | typeof quarantines) =>
  (await database.db.select({ n: count() }).from(table))[0]?.n ?? 0;
const kinds = async () => (await listEvents(database.db, { limit: 1000 })).map((event) => event.kind).reverse();

describe('quarantine: a broken capture is held back, never diffed', () => {
  it('a halved board is quarantined with its reason, one event, and no rank events; the standings stay', async () => {
    await applyCapture(database.db, capture('2025-01-01T00:00:00Z', board(40)));
    const result = await applyCapture(database.db, capture('2025-01-02T00:00:00Z', board(15)));
    expect(result.status).toBe('quarantined');
    expect(result.reasons).toEqual(['row count collapsed from 40 to 15 (63% gone; at most 40% may vanish at once)']);
    expect(await kinds()).toEqual(['board_first_seen', 'snapshot_quarantined']);
    const [event] = await listEvents(database.db, { kind: ['snapshot_quarantined'], limit: 10 });
    expect(event).toMatchObject({ model: null, old: { rows: 40 }, new: { rows: 15 }, data: { reasons: result.reasons, quarantineId: result.quarantineId } });
    expect(await standingsAt(database.db, BOARD, new Date('2025-01-03T00:00:00Z'))).toHaveLength(40);
    expect(await rows(snapshots)).toBe(1);

    const [listed] = await listQuarantines(database.db, { board: BOARD, limit: 10 });
    expect(listed).toMatchObject({ board: BOARD, rowCount: 15, reasons: result.reasons, capturedAt: '2025-01-02T00:00:00.000Z' });
    const held = await getQuarantine(database.db, listed!.id);
    expect(held?.entries.map((entry) => entry.model)).toEqual(board(15).map((entry) => entry.model));
    const log = await database.db.select().from(scrapes);
    expect(log.map((row) => row.status)).toEqual(['first', 'quarantined']);
    expect(log[1]).toMatchObject({ quarantineId: listed!.id, error: result.reasons[0] });
  });

  it('the same broken content again is logged but not announced again', async () => {
    await applyCapture(database.db, capture('2025-01-01T00:00:00Z', board(40)));
    await applyCapture(database.db, capture('2025-01-02T00:00:00Z', board(15)));
    const again = await applyCapture(database.db, capture('2025-01-02T01:00:00Z', board(15)));
    expect(again.status).toBe('quarantined');
    expect(again.events).toEqual([]);
    expect(await rows(quarantines)).toBe(1);
    expect(await kinds()).toEqual(['board_first_seen', 'snapshot_quarantined']);
    expect(await rows(scrapes)).toBe(3);
    // The very same capture imported twice is a duplicate, not a third scrape.
    expect((await applyCapture(database.db, capture('2025-01-02T01:00:00Z', board(15)))).status).toBe('duplicate');
    expect(await rows(scrapes)).toBe(3);
  });

  it('the next good snapshot is diffed against the last good one, not the quarantined one', async () => {
    await applyCapture(database.db, capture('2025-01-01T00:00:00Z', board(40)));
    await applyCapture(database.db, capture('2025-01-02T00:00:00Z', board(15)));
    const next = await applyCapture(database.db, capture('2025-01-03T00:00:00Z', board(40, true)));
    expect(next).toMatchObject({ status: 'changed', pending: 5 });
    // Only the real move: no 25 models "entering" again after the broken capture (held for the settling window).
    const held = await listEvents(database.db, { status: ['pending'], limit: 100 });
    expect(held.map((event) => `${event.kind}:${event.model}`).sort()).toEqual([
      'new_leader:m2',
      'rank_changed:m1',
      'rank_changed:m2',
      'score_changed:m1',
      'score_changed:m2',
    ]);
  });

  it('duplicate model keys are quarantined rather than refused', async () => {
    await applyCapture(database.db, capture('2025-01-01T00:00:00Z', board(12)));
    const twice = [...board(12), makeEntry({ model: 'm3', name: 'M3 again', rank: 13, score: 1000 })];
    const result = await applyCapture(database.db, capture('2025-01-02T00:00:00Z', twice));
    expect(result.status).toBe('quarantined');
    expect(result.reasons).toEqual(['duplicate model keys: "m3" ×2']);
  });

  it('per-board thresholds come with the capture', async () => {
    await applyCapture(database.db, capture('2025-01-01T00:00:00Z', board(12)));
    const strict = await applyCapture(database.db, capture('2025-01-02T00:00:00Z', board(11), { health: { direction: 'higher', thresholds: { minEntries: 12 } } }));
    expect(strict.reasons).toEqual(['only 11 entries; a real snapshot of this board has at least 12']);
    const lenient = await applyCapture(database.db, capture('2025-01-03T00:00:00Z', board(11)));
    expect(lenient.status).toBe('changed');
  });
});

describe('scrape health events', () => {
  const fail = (time: string) =>
    recordScrape(database.db, { board: BOARD, status: 'failed', origin: 'live', capturedAt: new Date(time), ranAt: new Date(time), source: 'https://example.test/x.json', httpStatus: 503, error: 'HTTP 503' });
  const succeed = (time: string, entries = board(12)) =>
    applyCapture(database.db, capture(time, entries, { origin: 'live', ranAt: new Date(time), contentHash: `live-${time}` }));

  it('scrape_failed once per streak, scrape_recovered when it works again', async () => {
    await succeed('2025-01-01T00:00:00Z');
    await fail('2025-01-01T01:00:00Z');
    await fail('2025-01-01T02:00:00Z');
    await fail('2025-01-01T03:00:00Z');
    expect(await kinds()).toEqual(['board_first_seen', 'scrape_failed']);
    await succeed('2025-01-01T04:00:00Z');
    await succeed('2025-01-01T05:00:00Z');
    expect(await kinds()).toEqual(['board_first_seen', 'scrape_failed', 'scrape_recovered']);
    const [recovered] = await listEvents(database.db, { kind: ['scrape_recovered'], limit: 1 });
    expect(recovered).toMatchObject({ capturedAt: '2025-01-01T04:00:00.000Z', data: { failures: 3, failedSince: '2025-01-01T01:00:00.000Z' } });
    const [failed] = await listEvents(database.db, { kind: ['scrape_failed'], limit: 1 });
    expect(failed).toMatchObject({ capturedAt: '2025-01-01T01:00:00.000Z', data: { error: 'HTTP 503', httpStatus: 503 } });
    await fail('2025-01-01T06:00:00Z');
    expect(await kinds()).toEqual(['board_first_seen', 'scrape_failed', 'scrape_recovered', 'scrape_failed']);
  });

  it('a 304 after failures is a recovery too; imports never raise scrape health events', async () => {
    await fail('2025-01-01T01:00:00Z');
    await recordScrape(database.db, { board: BOARD, status: 'not_modified', origin: 'live', capturedAt: new Date('2025-01-01T02:00:00Z'), ranAt: new Date('2025-01-01T02:00:00Z'), source: 'x', httpStatus: 304 });
    await recordScrape(database.db, { board: BOARD, status: 'failed', origin: 'import', capturedAt: new Date('2025-01-01T03:00:00Z'), source: 'x.csv', error: 'bad file' });
    expect(await kinds()).toEqual(['scrape_failed', 'scrape_recovered']);
  });
});
