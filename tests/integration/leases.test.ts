import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { allBoards } from '../../scrapers/index.ts';
import { loadConfig } from '../../src/config.ts';
import { scrapeLeases, scrapes } from '../../src/db/schema.ts';
import { defaultFetchDeps } from '../../src/ingest/fetch.ts';
import { scrapeBoard } from '../../src/ingest/run.ts';
import { TickFetches } from '../../src/ingest/shared-fetch.ts';
import { createLogger } from '../../src/log.ts';
import { databaseClaims, LEASE_KEEP_MS } from '../../src/schedule/leases.ts';
import { startScheduler } from '../../src/schedule/scheduler.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

const quiet = createLogger('error', () => {});
let database: TestDatabase;
beforeEach(async () => {
  await database?.drop();
  database = await createTestDatabase();
});
afterAll(async () => database?.drop());

describe('ticks claimed in the database', () => {
  it('go to one instance per board and time, the boards asked together all to the same one', async () => {
    const a = databaseClaims(database.db, 'host-a:1');
    const b = databaseClaims(database.db, 'host-b:2');
    const boards = ['lmarena-text', 'lmarena-text-coding', 'lmarena-text-math'];
    for (let i = 0; i < 20; i++) {
      const fireAt = new Date(Date.UTC(2026, 11, 3, 6, 0, i));
      // The two ask at once, in their own order.
      const [wonA, wonB] = await Promise.all([a.claim(boards, fireAt), b.claim([...boards].reverse(), fireAt)]);
      expect(wonA.size + wonB.size, `tick ${i}`).toBe(3);
      expect([wonA.size, wonB.size].sort(), `tick ${i}`).toEqual([0, 3]);
    }
    const rows = await database.db.select().from(scrapeLeases);
    expect(rows).toHaveLength(60);
    // Each time's three rows name one holder.
    for (const fireAt of new Set(rows.map((row) => row.fireAt.getTime()))) {
      expect(new Set(rows.filter((row) => row.fireAt.getTime() === fireAt).map((row) => row.holder)).size).toBe(1);
    }
    // A time already run is nobody's again.
    expect(await b.claim(boards, new Date(Date.UTC(2026, 11, 3, 6, 0, 0)))).toEqual(new Set());
  });

  it('tell when a board was last scraped live, and prune rows older than a week', async () => {
    const now = new Date('2026-12-03T12:00:00Z');
    const claims = databaseClaims(database.db, 'host-a:1', () => now);
    expect(await claims.lastScraped('lmarena-text')).toBeNull();
    const row = (origin: string, lastRanAt: Date) => ({ boardId: 'lmarena-text', ranAt: lastRanAt, capturedAt: lastRanAt, lastRanAt, lastCapturedAt: lastRanAt, origin, status: 'failed' });
    await database.db.insert(scrapes).values([row('live', new Date('2026-12-03T09:00:00Z')), row('import', new Date('2026-12-03T11:00:00Z'))]);
    expect((await claims.lastScraped('lmarena-text'))?.toISOString()).toBe('2026-12-03T09:00:00.000Z');

    await database.db.insert(scrapeLeases).values([
      { boardId: 'old', fireAt: new Date(0), holder: 'x', takenAt: new Date(now.getTime() - LEASE_KEEP_MS - 1_000) },
      { boardId: 'recent', fireAt: new Date(0), holder: 'x', takenAt: new Date(now.getTime() - 1_000) },
    ]);
    expect(await claims.prune()).toBe(1);
    expect((await database.db.select().from(scrapeLeases)).map((lease) => lease.boardId)).toEqual(['recent']);
  });

  it('make two schedulers starting together catch each missed board up once between them', async () => {
    const config = loadConfig({ RANKWATCH_SCRAPE_ON_START: 'true', RANKWATCH_BOARDS: 'lmarena-text,openrouter-prices,aider-polyglot' }, allBoards);
    const runs: string[] = [];
    const run = async (board: string) => {
      runs.push(board);
      return { board, status: 'not_modified' as const, httpStatus: 304 as const };
    };
    const first = startScheduler(config, run, quiet, undefined, databaseClaims(database.db, 'host-a:1'));
    const second = startScheduler(config, run, quiet, undefined, databaseClaims(database.db, 'host-b:2'));
    await Promise.all([first.started, second.started]);
    const deadline = Date.now() + 5_000;
    while (runs.length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await Promise.all([first.stop(), second.stop()]);
    expect(runs.sort()).toEqual(['aider-polyglot', 'lmarena-text', 'openrouter-prices']);
  });
});

describe('boards that read one document in one tick', () => {
  let server: Server;
  let url: string;
  let requests = 0;
  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/robots.txt') return void response.writeHead(404).end();
      requests++;
      const board = Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`model-${i}`, { rating: 1500 - i, rating_q025: 1497 - i, rating_q975: 1503 - i }]));
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ full: board, coding: board, math: board }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/leaderboard-text.json`;
  });
  afterAll(() => server.close());

  it('fetch it once and store each board from it', async () => {
    const config = loadConfig({ RANKWATCH_URL_LMARENA_TEXT: url, RANKWATCH_URL_LMARENA_TEXT_CODING: url, RANKWATCH_URL_LMARENA_TEXT_MATH: url }, allBoards);
    const deps = { db: database.db, config, fetch: defaultFetchDeps, now: () => new Date(), shared: new TickFetches() };
    const outcomes = await Promise.all(['lmarena-text', 'lmarena-text-coding', 'lmarena-text-math'].map((board) => scrapeBoard(deps, board)));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['first', 'first', 'first']);
    expect(requests).toBe(1);
    // The next tick fetches again (conditionally: the three kept the same validators).
    await scrapeBoard({ ...deps, shared: new TickFetches() }, 'lmarena-text');
    expect(requests).toBe(2);
  });
});
