import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { count, desc } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { allBoards } from '../../scrapers/index.ts';
import { loadConfig } from '../../src/config.ts';
import { scrapes, snapshots } from '../../src/db/schema.ts';
import { defaultFetchDeps } from '../../src/ingest/fetch.ts';
import { scrapeBoard, type IngestDeps } from '../../src/ingest/run.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

/** What the loopback source answers next. */
let answer: { status: number; body: string; headers?: Record<string, string> };
let server: Server;
let url: string;
let database: TestDatabase;
let deps: IngestDeps;

const catalog = (ratings: Record<string, number>) =>
  JSON.stringify({ full: Object.fromEntries(Object.entries(ratings).map(([key, rating]) => [key, { rating, rating_q025: rating - 3, rating_q975: rating + 3 }])) });

beforeAll(async () => {
  server = createServer((request, response) => {
    if (answer.headers?.etag && request.headers['if-none-match'] === answer.headers.etag) return void response.writeHead(304).end();
    response.writeHead(answer.status, answer.headers ?? {}).end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/leaderboard-text.json`;
});
afterAll(() => server.close());
beforeEach(async () => {
  await database?.drop();
  database = await createTestDatabase();
  const config = loadConfig({ RANKWATCH_URL_LMARENA_TEXT: url, RANKWATCH_FETCH_RETRIES: '0' }, allBoards);
  deps = { db: database.db, config, fetch: defaultFetchDeps, now: () => new Date() };
});
afterAll(async () => database?.drop());

async function log() {
  return database.db.select().from(scrapes).orderBy(desc(scrapes.id));
}

describe('scrapeBoard', () => {
  it('stores the first capture, then answers 304s with a not-modified log row', async () => {
    answer = { status: 200, body: catalog({ a: 1300, b: 1290 }), headers: { etag: '"one"', 'content-type': 'application/json' } };
    expect(await scrapeBoard(deps, 'lmarena-text')).toMatchObject({ status: 'first', httpStatus: 200, rowCount: 2 });
    expect(await scrapeBoard(deps, 'lmarena-text')).toMatchObject({ status: 'not_modified' });
    const [latest, first] = await log();
    expect(first).toMatchObject({ status: 'first', origin: 'live', httpStatus: 200, etag: '"one"', rowCount: 2, source: url });
    expect(first?.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(latest).toMatchObject({ status: 'not_modified', httpStatus: 304, etag: '"one"' });
  });

  it('logs a malformed page as failed with the parser\'s reason, and stores nothing else', async () => {
    answer = { status: 200, body: '<html><head><title>Just a moment...</title></head><body>cf-chl</body></html>' };
    const outcome = await scrapeBoard(deps, 'lmarena-text');
    expect(outcome).toMatchObject({ status: 'failed', httpStatus: 200 });
    const [row] = await log();
    expect(row).toMatchObject({ status: 'failed', httpStatus: 200 });
    expect(row?.error).toMatch(/expected an LMArena leaderboard.*found a Cloudflare challenge page/);
    const [{ n } = { n: -1 }] = await database.db.select({ n: count() }).from(snapshots);
    expect(n).toBe(0);
  });

  it('logs an HTTP error with its status and keeps the last good board', async () => {
    answer = { status: 200, body: catalog({ a: 1300 }) };
    await scrapeBoard(deps, 'lmarena-text');
    answer = { status: 503, body: 'busy' };
    expect(await scrapeBoard(deps, 'lmarena-text')).toMatchObject({ status: 'failed', httpStatus: 503, error: expect.stringMatching(/HTTP 503 after 1 attempt/) });
    const [row] = await log();
    expect(row).toMatchObject({ status: 'failed', httpStatus: 503 });
    const [{ n } = { n: -1 }] = await database.db.select({ n: count() }).from(snapshots);
    expect(n).toBe(1);
  });

  it('reports a board without a URL as not configured', async () => {
    const config = loadConfig({}, allBoards.map((board) => ({ ...board, live: null })));
    expect(await scrapeBoard({ ...deps, config }, 'lmarena-text')).toMatchObject({ status: 'not_configured' });
  });
});
