import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import worker, { type WorkerEnv } from '../../src/worker.ts';
import { createTestDatabase, TEST_DB, type TestDatabase } from '../support/db.ts';

// The Workers entry runs on PostgreSQL only (through Hyperdrive); here it talks to the test server.
describe.skipIf(TEST_DB !== 'postgres')('Cloudflare Workers entry', () => {
  let database: TestDatabase;
  let source: Server;
  let env: WorkerEnv;
  const waited: Promise<unknown>[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    source = createServer((_, response) =>
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ full: { 'model-a': { rating: 1300, rating_q025: 1295, rating_q975: 1305 } } })),
    );
    await new Promise<void>((resolve) => source.listen(0, '127.0.0.1', resolve));
    env = {
      HYPERDRIVE: { connectionString: database.env.DATABASE_URL! },
      RANKWATCH_URL_LMARENA_TEXT: `http://127.0.0.1:${(source.address() as AddressInfo).port}/leaderboard-text.json`,
      // The other boards' real URLs are out of reach here.
      RANKWATCH_BOARDS: 'lmarena-text,superclue',
    };
  });
  afterAll(async () => {
    source.close();
    await database.drop();
  });

  it('scrapes the boards whose schedule matches the minute the trigger fired', async () => {
    await worker.scheduled({ cron: '* * * * *', scheduledTime: Date.parse('2026-11-22T10:00:00Z') }, env, { waitUntil: (p) => waited.push(p) });
    expect(waited).toHaveLength(1);
    const response = await worker.fetch(new Request('https://rankwatch.example/v1/boards/lmarena-text/standings'), env);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { entries: { model: string; rank: number }[] };
    expect(body.entries.map((entry) => `${entry.model}:${entry.rank}`)).toEqual(['model-a:1']);
  });

  it('leaves boards on other schedules alone', async () => {
    await worker.scheduled({ cron: '* * * * *', scheduledTime: Date.parse('2026-11-22T11:01:00Z') }, env, { waitUntil: () => {} });
    const response = await worker.fetch(new Request('https://rankwatch.example/v1/boards'), env);
    const body = (await response.json()) as { boards: { id: string; lastScrape: { capturedAt: string } }[] };
    expect(body.boards.find((board) => board.id === 'lmarena-text')?.lastScrape.capturedAt).toBe('2026-11-22T10:00:00.000Z');
  });

  it('serves the API and feed', async () => {
    expect((await worker.fetch(new Request('https://rankwatch.example/healthz'), env)).status).toBe(200);
    const feed = await worker.fetch(new Request('https://rankwatch.example/feed.xml'), env);
    expect(await feed.text()).toContain('lmarena-text first seen: 1 model');
    // The OpenAPI document is built from the routes, with nothing read from disk.
    const document = await worker.fetch(new Request('https://rankwatch.example/openapi.json'), env);
    expect(document.status).toBe(200);
    const paths = Object.keys(((await document.json()) as { paths: Record<string, unknown> }).paths);
    expect(paths).toContain('/v1/models/{model}/history');
    // No /metrics on Workers: not served, not documented.
    expect(paths).not.toContain('/metrics');
  });
});
