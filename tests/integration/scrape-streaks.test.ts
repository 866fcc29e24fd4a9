import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { asc } from 'drizzle-orm';
import { scrapes, snapshots } from '../../src/db/schema.ts';
import { listBoards, listEvents, standingsAt } from '../../src/db/queries.ts';
import type { SettleWindow } from '../../src/diff/settle.ts';
import { makeEntry, type Entry } from '../../src/entry.ts';
import { applyCapture, recordScrape, type CaptureInput } from '../../src/ingest/store.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// A streak of unchanged scrapes is one scrape-log row (first and last times, count); whatever reads
// the log (the last scrape of a board, settling windows counted in scrapes, a backfill into the
// streak) sees what one row per scrape showed.

const BOARD = 'lmarena-text';
const T0 = Date.parse('2025-03-01T00:00:00Z');
const hour = (n: number) => new Date(T0 + n * 3_600_000);

function e(model: string, rank: number, score: number): Entry {
  return makeEntry({ model, name: model, rank, score, scoreLower: score - 5, scoreUpper: score + 5, votes: 100, organization: 'Org' });
}
const A = [e('a', 1, 1300), e('b', 2, 1290), e('c', 3, 1280)];
const B = [e('b', 1, 1305), e('a', 2, 1300), e('c', 3, 1280)];

function live(at: Date, entries: Entry[], contentHash: string, settle?: SettleWindow): CaptureInput {
  return { board: BOARD, capturedAt: at, ranAt: at, entries, origin: 'live', source: 'https://example.test/board', contentHash, format: 'test', parserVersion: '1', publishedAt: null, ...(settle ? { settle } : {}) };
}

const notModified = (at: Date, etag = '"v1"', window?: SettleWindow) =>
  recordScrape(database.db, {
    board: BOARD,
    status: 'not_modified',
    origin: 'live',
    capturedAt: at,
    ranAt: at,
    source: 'https://example.test/board',
    httpStatus: 304,
    etag,
    ...(window ? { settling: { direction: 'higher' as const, window } } : {}),
  });

let database: TestDatabase;
beforeEach(async () => {
  database = await createTestDatabase();
});
afterEach(async () => {
  await database.drop();
});

const log = async () =>
  (await database.db.select().from(scrapes).orderBy(asc(scrapes.id))).map((row) => ({
    status: row.status,
    count: row.count,
    from: row.capturedAt.toISOString(),
    to: row.lastCapturedAt.toISOString(),
  }));

describe('scrape-log streaks', () => {
  it('one row per streak of the same status and content; anything else starts a row; the last scrape is the streak’s last', async () => {
    await applyCapture(database.db, live(hour(0), A, 'h1'));
    for (let n = 1; n <= 5; n++) expect((await applyCapture(database.db, live(hour(n), A, 'h1'))).status).toBe('unchanged');
    await notModified(hour(6));
    await notModified(hour(7));
    await notModified(hour(8), '"v2"');
    await applyCapture(database.db, live(hour(9), A, 'h2'));
    await recordScrape(database.db, { board: BOARD, status: 'failed', origin: 'live', capturedAt: hour(10), ranAt: hour(10), source: 'x', httpStatus: 503, error: 'HTTP 503' });
    await recordScrape(database.db, { board: BOARD, status: 'failed', origin: 'live', capturedAt: hour(11), ranAt: hour(11), source: 'x', httpStatus: 503, error: 'HTTP 503' });
    await applyCapture(database.db, live(hour(12), A, 'h2'));
    await applyCapture(database.db, live(hour(13), A, 'h2'));
    expect((await log()).map((row) => `${row.status}×${row.count} ${row.from.slice(11, 13)}–${row.to.slice(11, 13)}`)).toEqual([
      'first×1 00–00',
      'unchanged×5 01–05',
      'not_modified×2 06–07',
      'not_modified×1 08–08',
      'unchanged×1 09–09',
      'failed×1 10–10',
      'failed×1 11–11',
      'unchanged×2 12–13',
    ]);
    const [summary] = (await listBoards(database.db)).filter((board) => board.id === BOARD);
    expect(summary?.lastScrape).toMatchObject({ ranAt: hour(13).toISOString(), capturedAt: hour(13).toISOString(), status: 'unchanged', origin: 'live' });
    // The failures were one streak for the health events: one scrape_failed, one scrape_recovered counting both.
    const health = await listEvents(database.db, { board: BOARD, kind: ['scrape_failed', 'scrape_recovered'], limit: 10 });
    expect(health.map((event) => event.kind).sort()).toEqual(['scrape_failed', 'scrape_recovered']);
    expect(health.find((event) => event.kind === 'scrape_recovered')?.data).toMatchObject({ failures: 2, failedSince: hour(10).toISOString() });
  });

  it('the same capture again within a streak is a duplicate and writes nothing', async () => {
    await applyCapture(database.db, live(hour(0), A, 'h1'));
    for (let n = 1; n <= 4; n++) await applyCapture(database.db, live(hour(n), A, 'h1'));
    const before = await log();
    expect((await applyCapture(database.db, { ...live(hour(2), A, 'h1'), origin: 'import' })).status).toBe('duplicate');
    expect(await log()).toEqual(before);
  });

  for (const kind of ['unchanged captures', '304s'] as const) {
    it(`a settling window of 5 scrapes counts each scrape of a streak of ${kind}`, async () => {
      const window = { scrapes: 5 };
      await applyCapture(database.db, live(hour(0), A, 'hA', window));
      const changed = await applyCapture(database.db, live(hour(1), B, 'hB', window));
      expect(changed.pending).toBeGreaterThan(0);
      const rankMoves = () => listEvents(database.db, { board: BOARD, kind: ['rank_changed'], limit: 10 });
      for (let n = 2; n <= 5; n++) {
        // The change was seen by the capture that found it and n − 1 after it: held until 5.
        expect(await rankMoves()).toEqual([]);
        if (kind === '304s') await notModified(hour(n), '"v1"', window);
        else await applyCapture(database.db, live(hour(n), B, 'hB', window));
      }
      const announced = await rankMoves();
      expect(announced.map((event) => `${event.model} ${event.settledAt}`).sort()).toEqual([`a ${hour(5).toISOString()}`, `b ${hour(5).toISOString()}`]);
      expect((await log()).map((row) => `${row.status}×${row.count}`)).toEqual(['first×1', 'changed×1', `${kind === '304s' ? 'not_modified' : 'unchanged'}×4`]);

      // History derived again from the log (a capture inserted before it) settles them at the same scrape.
      await applyCapture(database.db, { ...live(new Date(T0 - 3_600_000), [e('a', 1, 1300), e('b', 2, 1290)], 'h-older', window), origin: 'import' });
      const replayed = await rankMoves();
      expect(replayed.map((event) => `${event.model} ${event.status} ${event.settledAt}`).sort()).toEqual([
        `a published ${hour(5).toISOString()}`,
        `b published ${hour(5).toISOString()}`,
      ]);
    });
  }

  it('a capture inserted inside a streak splits it there: the rest of the streak becomes a snapshot of the earlier state', async () => {
    await applyCapture(database.db, live(hour(0), A, 'hA'));
    for (let n = 1; n <= 10; n++) await applyCapture(database.db, live(hour(n), A, 'hA'));
    const inserted = new Date(T0 + 4.5 * 3_600_000);
    const result = await applyCapture(database.db, { ...live(inserted, B, 'hB'), origin: 'import' });
    expect(result).toMatchObject({ status: 'changed', insertedBefore: hour(5) });
    expect((await log()).map((row) => `${row.status}×${row.count} ${row.from.slice(11, 16)}–${row.to.slice(11, 16)}`)).toEqual([
      'first×1 00:00–00:00',
      'unchanged×4 01:00–04:00',
      'unchanged×6 05:00–10:00',
      'changed×1 04:30–04:30',
    ]);
    const shots = await database.db.select({ capturedAt: snapshots.capturedAt }).from(snapshots).orderBy(asc(snapshots.capturedAt));
    expect(shots.map((shot) => shot.capturedAt.toISOString())).toEqual([hour(0), inserted, hour(5)].map((time) => time.toISOString()));
    const ranks = async (at: Date) => (await standingsAt(database.db, BOARD, at)).map((row) => `${row.model}:${row.rank}`);
    expect(await ranks(hour(4))).toEqual(['a:1', 'b:2', 'c:3']);
    expect(await ranks(inserted)).toEqual(['b:1', 'a:2', 'c:3']);
    expect(await ranks(hour(10))).toEqual(['a:1', 'b:2', 'c:3']);
    // Gone by the next scrape: a flip-flop, the change and the move back dropped, never announced.
    const dropped = await listEvents(database.db, { board: BOARD, kind: ['rank_changed'], status: ['reverted'], limit: 10 });
    expect(dropped.map((event) => `${event.model} ${event.capturedAt}`).sort()).toEqual([
      `a ${inserted.toISOString()}`,
      `a ${hour(5).toISOString()}`,
      `b ${inserted.toISOString()}`,
      `b ${hour(5).toISOString()}`,
    ]);
    expect(await listEvents(database.db, { board: BOARD, kind: ['rank_changed'], limit: 10 })).toEqual([]);
  });
});
