import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { allBoards } from '../../scrapers/index.ts';
import { createApp } from '../../src/api/app.ts';
import { loadConfig } from '../../src/config.ts';
import { openDatabase } from '../../src/db/client.ts';
import { deliveries } from '../../src/db/schema.ts';
import { createLogger } from '../../src/log.ts';
import { Metrics } from '../../src/metrics.ts';
import { createSubscription } from '../../src/notify/subscriptions.ts';
import { startService, type Service } from '../../src/server.ts';
import { createCliEnvironment, createTestDatabase, TEST_DB } from '../support/db.ts';
import { parseExposition, samples, value, type Family } from '../support/prometheus.ts';

// /metrics and /readyz of the real service (`startService`, as `rankwatch serve` runs it) after
// live scrapes of a loopback source and deliveries to a loopback receiver, and of apps in tests.

const ADMIN_TOKEN = 'metrics-test-admin-token';
const METRICS_TOKEN = 'metrics-test-scrape-token';
const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An arena-catalog document with the given ratings. */
const catalog = (ratings: Record<string, number>) =>
  JSON.stringify({ full: Object.fromEntries(Object.entries(ratings).map(([key, rating]) => [key, { rating, rating_q025: rating - 3, rating_q975: rating + 3 }])) });

/** A loopback HTTP server answering as `answer` says; the answer can change while it runs. */
async function loopback(answer: () => { status: number; body: string; headers?: Record<string, string> }, seen?: (request: { headers: Record<string, string | string[] | undefined> }) => void): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  const server: Server = createServer((request, response) => {
    requests++;
    seen?.(request);
    request.resume();
    request.on('end', () => {
      const next = answer();
      if (next.headers?.etag && request.headers['if-none-match'] === next.headers.etag) return void response.writeHead(304, { etag: next.headers.etag }).end();
      response.writeHead(next.status, next.headers ?? {}).end(next.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/leaderboard-text.json`, requests: () => requests };
}

async function until<T>(probe: () => Promise<T | undefined | false>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined && found !== false) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Starts the service in this process (scraping lmarena-text from `sourceUrl` every second). */
async function service(sourceUrl: string, extra: Record<string, string> = {}): Promise<Service> {
  const created = await createCliEnvironment();
  cleanups.push(created.cleanup);
  const config = loadConfig(
    {
      ...created.env,
      PORT: '0',
      HOST: '127.0.0.1',
      RANKWATCH_BOARDS: 'lmarena-text',
      RANKWATCH_URL_LMARENA_TEXT: sourceUrl,
      RANKWATCH_SCHEDULE_LMARENA_TEXT: '* * * * * *',
      RANKWATCH_SCRAPE_ON_START: 'false',
      RANKWATCH_SETTLE_LMARENA_TEXT: '1',
      RANKWATCH_FETCH_RETRIES: '0',
      RANKWATCH_ADMIN_TOKEN: ADMIN_TOKEN,
      RANKWATCH_WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
      RANKWATCH_DELIVERY_RETRY_SCHEDULE: '50ms,50ms,50ms',
      RANKWATCH_PUBLIC_URL: 'https://rankwatch.test',
      ...extra,
    },
    allBoards,
  );
  const running = await startService(config, createLogger('error', () => {}));
  cleanups.push(() => running.stop());
  return running;
}

async function scrapeMetrics(url: string, token?: string): Promise<Map<string, Family>> {
  const response = await fetch(`${url}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parseExposition(await response.text());
}

/** Every rankwatch_ family: its type and label names (the union over its samples, `le` aside). */
function shapes(families: Map<string, Family>): Record<string, { type: string; labels: string[] }> {
  const out: Record<string, { type: string; labels: string[] }> = {};
  for (const family of families.values()) {
    if (!family.name.startsWith('rankwatch_')) continue;
    const labels = new Set(family.samples.flatMap((sample) => Object.keys(sample.labels)).filter((label) => label !== 'le'));
    out[family.name] = { type: family.type, labels: [...labels].sort() };
  }
  return out;
}

describe('GET /metrics of the running service', () => {
  it('counts live scrapes by outcome, their duration, the events they announced, deliveries by outcome, the outbox and HTTP requests', async () => {
    let source = { status: 503, body: 'down for maintenance' } as { status: number; body: string; headers?: Record<string, string> };
    const feed = await loopback(() => source);
    let receiverAnswers = [500];
    const received: string[] = [];
    const receiver = await loopback(
      () => ({ status: receiverAnswers.shift() ?? 200, body: 'ok' }),
      (request) => received.push(String(request.headers['webhook-id'])),
    );
    const running = await service(feed.url);

    const metricsNow = () => scrapeMetrics(running.url);
    // The source is down: a failed scrape.
    await until(async () => (value(await metricsNow(), 'rankwatch_scrapes_total', { board: 'lmarena-text', outcome: 'failed' }) ?? 0) >= 1, 'a failed scrape');

    const created = await running.app.request('/v1/subscriptions', {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'webhook', url: receiver.url.replace('/leaderboard-text.json', '/hook'), filters: { boards: ['lmarena-text'] } }),
    });
    expect(created.status).toBe(201);

    // Back up: the first snapshot, then 304s; then a change with a new leader, sent to the receiver (500, then 200).
    source = { status: 200, body: catalog({ 'model-a': 1300, 'model-b': 1290 }), headers: { 'content-type': 'application/json', etag: '"v1"' } };
    await until(async () => (value(await metricsNow(), 'rankwatch_scrapes_total', { board: 'lmarena-text', outcome: 'not_modified' }) ?? 0) >= 1, 'a 304 after the first snapshot');
    source = { status: 200, body: catalog({ 'model-a': 1300, 'model-b': 1310, 'model-c': 1200 }), headers: { 'content-type': 'application/json', etag: '"v2"' } };
    const families = await until(async () => {
      const read = await metricsNow();
      return (value(read, 'rankwatch_deliveries_total', { channel: 'webhook', outcome: 'delivered' }) ?? 0) >= 2 ? read : undefined;
    }, 'both change sets delivered');

    expect(shapes(families)).toEqual({
      rankwatch_scrapes_total: { type: 'counter', labels: ['board', 'outcome'] },
      rankwatch_scrape_duration_seconds: { type: 'histogram', labels: ['board'] },
      rankwatch_events_total: { type: 'counter', labels: ['board', 'kind'] },
      rankwatch_deliveries_total: { type: 'counter', labels: ['channel', 'outcome'] },
      rankwatch_outbox_depth: { type: 'gauge', labels: ['status'] },
      rankwatch_outbox_oldest_due_age_seconds: { type: 'gauge', labels: [] },
      rankwatch_http_requests_total: { type: 'counter', labels: ['method', 'route', 'status'] },
      rankwatch_http_request_duration_seconds: { type: 'histogram', labels: ['method', 'route'] },
    });

    const scrapes = (outcome: string) => value(families, 'rankwatch_scrapes_total', { board: 'lmarena-text', outcome }) ?? 0;
    expect(scrapes('first')).toBe(1);
    expect(scrapes('changed')).toBe(1);
    expect(scrapes('failed')).toBeGreaterThanOrEqual(1);
    expect(scrapes('not_modified')).toBeGreaterThanOrEqual(1);
    // Only outcomes of the scrape log are label values.
    for (const sample of samples(families, 'rankwatch_scrapes_total')) expect(['first', 'changed', 'unchanged', 'not_modified', 'quarantined', 'failed']).toContain(sample.labels.outcome);
    // One duration per counted scrape.
    const counted = samples(families, 'rankwatch_scrapes_total', { board: 'lmarena-text' }).reduce((sum, sample) => sum + sample.value, 0);
    expect(value(families, 'rankwatch_scrape_duration_seconds_count', { board: 'lmarena-text' })).toBe(counted);
    expect(value(families, 'rankwatch_scrape_duration_seconds_sum', { board: 'lmarena-text' })).toBeGreaterThan(0);

    expect(value(families, 'rankwatch_events_total', { board: 'lmarena-text', kind: 'board_first_seen' })).toBe(1);
    expect(value(families, 'rankwatch_events_total', { board: 'lmarena-text', kind: 'new_leader' })).toBe(1);
    expect(value(families, 'rankwatch_events_total', { board: 'lmarena-text', kind: 'entered' })).toBe(1);

    // The first change set was refused once (500), then both went through; the receiver saw three posts.
    expect(value(families, 'rankwatch_deliveries_total', { channel: 'webhook', outcome: 'failed' })).toBe(1);
    expect(value(families, 'rankwatch_deliveries_total', { channel: 'webhook', outcome: 'delivered' })).toBe(2);
    expect(received).toHaveLength(3);
    expect(value(families, 'rankwatch_outbox_depth', { status: 'pending' })).toBe(0);
    expect(value(families, 'rankwatch_outbox_depth', { status: 'gathering' })).toBe(0);
    expect(value(families, 'rankwatch_outbox_oldest_due_age_seconds')).toBe(0);

    expect(value(families, 'rankwatch_http_requests_total', { route: '/v1/subscriptions', method: 'POST', status: '201' })).toBe(1);
    expect(value(families, 'rankwatch_http_requests_total', { route: '/metrics', method: 'GET', status: '200' })).toBeGreaterThanOrEqual(3);
    expect(value(families, 'rankwatch_http_request_duration_seconds_count', { route: '/metrics', method: 'GET' })).toBeGreaterThanOrEqual(3);

    // Node's own process metrics come along.
    expect(families.get('process_cpu_user_seconds_total')?.type).toBe('counter');
    expect(families.get('nodejs_heap_size_used_bytes')?.type).toBe('gauge');
    expect(families.get('nodejs_eventloop_lag_seconds')?.type).toBe('gauge');

    // The README lists each metric with its type and labels.
    for (const [name, shape] of Object.entries(shapes(families))) {
      const row = README.split('\n').find((line) => line.startsWith(`| \`${name}\` |`));
      expect(row, `README row for ${name}`).toBeDefined();
      expect(row).toContain(`| ${shape.type} |`);
      for (const label of shape.labels) expect(row).toContain(`\`${label}\``);
    }
  });

  it('asks for RANKWATCH_METRICS_TOKEN when it is set (401 without it or with another), and is public when not', async () => {
    const feed = await loopback(() => ({ status: 503, body: 'down' }));
    const guarded = await service(feed.url, { RANKWATCH_METRICS_TOKEN: METRICS_TOKEN, RANKWATCH_SCHEDULE_LMARENA_TEXT: 'off' });
    const bare = await fetch(`${guarded.url}/metrics`);
    expect(bare.status).toBe(401);
    expect(bare.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect(((await bare.json()) as { code: string; message: string }).message).toMatch(/RANKWATCH_METRICS_TOKEN/);
    expect((await fetch(`${guarded.url}/metrics`, { headers: { authorization: 'Bearer metrics-test-other-token' } })).status).toBe(401);
    expect((await fetch(`${guarded.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(401);
    const families = await scrapeMetrics(guarded.url, METRICS_TOKEN);
    // The refused scrapes are counted with their status.
    expect(value(families, 'rankwatch_http_requests_total', { route: '/metrics', method: 'GET', status: '401' })).toBe(3);
    // The rest of the API does not ask for it.
    expect((await fetch(`${guarded.url}/v1/boards`)).status).toBe(200);

    const open = await service(feed.url, { RANKWATCH_SCHEDULE_LMARENA_TEXT: 'off' });
    expect((await fetch(`${open.url}/metrics`)).status).toBe(200);
  });
});

describe('GET /readyz', () => {
  it('is ready while the database answers and the scheduler and dispatcher run; 503 naming them once stop() began, and the database once it is closed', async () => {
    const feed = await loopback(() => ({ status: 503, body: 'down' }));
    const running = await service(feed.url, { RANKWATCH_SCHEDULE_LMARENA_TEXT: '0 0 1 1 *' });
    const ready = await fetch(`${running.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.headers.get('cache-control')).toBe('no-store');
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', scheduler: 'running', dispatcher: 'running' } });

    const stopping = running.stop();
    const during = await running.app.request('/readyz');
    expect(during.status).toBe(503);
    expect(await during.json()).toMatchObject({ status: 'not_ready', checks: { scheduler: 'stopped', dispatcher: 'stopped' }, failing: expect.arrayContaining(['scheduler', 'dispatcher']) });
    await stopping;
    const after = await running.app.request('/readyz');
    expect(after.status).toBe(503);
    expect(await after.json()).toMatchObject({ status: 'not_ready', checks: { database: 'unavailable' }, failing: expect.arrayContaining(['database']) });
    // Liveness is another question: /healthz is untouched (here its database round trip fails).
    expect((await running.app.request('/healthz')).status).toBe(500);
  });

  it('reports a scheduler or dispatcher switched off as disabled, and ready', async () => {
    const feed = await loopback(() => ({ status: 503, body: 'down' }));
    const running = await service(feed.url, { RANKWATCH_SCHEDULER: 'false', RANKWATCH_DISPATCHER: 'false' });
    const response = await fetch(`${running.url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready', checks: { database: 'ok', scheduler: 'disabled', dispatcher: 'disabled' } });
  });
});

describe('metrics of apps in tests', () => {
  it('label requests by route pattern, never by raw path', async () => {
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    const app = createApp({ db: database.db, logError: () => {} });
    const paths = [
      ['/v1/boards/lmarena-text', 200],
      ['/v1/boards/no-such-board', 404],
      ['/v1/boards/lmarena-text/standings', 200],
      ['/v1/models/openai/gpt-4o%20x/history', 404],
      ['/v1/models/openai/gpt-4o%20x', 404],
      ['/v1/events/12345', 404],
      ['/v1/events/not-a-number', 400],
      ['/no/such/route/a1b2c3', 404],
      ['/v1/boards/bad%00board', 400],
    ] as const;
    for (const [path, status] of paths) expect((await app.request(path)).status, path).toBe(status);
    expect((await app.request('/v1/boards', { method: 'HEAD' })).status).toBe(200);
    expect((await app.request('/v1/boards', { method: 'BREW' })).status).toBe(404);

    const families = parseExposition(await (await app.request('/metrics')).text());
    const requests = samples(families, 'rankwatch_http_requests_total').map((sample) => `${sample.labels.method} ${sample.labels.route} ${sample.labels.status} ${sample.value}`);
    expect(requests.sort()).toEqual(
      [
        'GET /v1/boards/:board 200 1',
        'GET /v1/boards/:board 404 1',
        'GET /v1/boards/:board 400 1',
        'GET /v1/boards/:board/standings 200 1',
        // A model's history and the model itself: two routes (both take keys with slashes).
        'GET /v1/models/:model/history 404 1',
        'GET /v1/models/:model 404 1',
        'GET /v1/events/:id 404 1',
        'GET /v1/events/:id 400 1',
        'GET unmatched 404 1',
        'HEAD /v1/boards 200 1',
        'OTHER unmatched 404 1',
      ].sort(),
    );
    // Nothing of a requested path reaches a label value.
    const labelValues = [...families.values()].flatMap((family) => family.samples.flatMap((sample) => Object.values(sample.labels)));
    for (const raw of ['lmarena-text', 'no-such-board', 'gpt-4o', '12345', 'a1b2c3', 'BREW']) expect(labelValues.join(' ')).not.toContain(raw);
  });

  it('each app has a registry of its own', async () => {
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    const one = createApp({ db: database.db });
    const other = createApp({ db: database.db });
    await one.request('/v1/boards');
    await one.request('/v1/boards');
    const read = async (app: ReturnType<typeof createApp>) => value(parseExposition(await (await app.request('/metrics')).text()), 'rankwatch_http_requests_total', { route: '/v1/boards', method: 'GET', status: '200' });
    expect(await read(one)).toBe(2);
    expect(await read(other)).toBeUndefined();
  });

  it('read the outbox from the database at each scrape, so two instances on one database agree', async () => {
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    // On PostgreSQL the second instance has a connection of its own, as another process would.
    const second = TEST_DB === 'postgres' ? await openDatabase({ databaseUrl: database.url!, dataDir: 'unused' }) : null;
    if (second) cleanups.push(() => second.close());
    const instances = [createApp({ db: database.db, metrics: new Metrics(database.db) }), createApp({ db: (second ?? database).db })];
    const read = async () =>
      Promise.all(
        instances.map(async (app) => {
          const families = parseExposition(await (await app.request('/metrics')).text());
          return {
            pending: value(families, 'rankwatch_outbox_depth', { status: 'pending' }),
            gathering: value(families, 'rankwatch_outbox_depth', { status: 'gathering' }),
            oldest: value(families, 'rankwatch_outbox_oldest_due_age_seconds'),
          };
        }),
      );
    expect(await read()).toEqual([
      { pending: 0, gathering: 0, oldest: 0 },
      { pending: 0, gathering: 0, oldest: 0 },
    ]);

    const { subscription } = await createSubscription(database.db, { channel: 'webhook', url: 'http://127.0.0.1:9/hook' }, { allowHosts: ['127.0.0.1'] });
    const now = Date.now();
    const row = (messageId: string, status: string, dueInMs: number) => ({ subscriptionId: subscription.id, messageId, kind: 'change_set', status, eventIds: [], nextAttemptAt: new Date(now + dueInMs) });
    await database.db.insert(deliveries).values([
      row('msg_due_long_ago', 'pending', -90_000),
      row('msg_due_just_now', 'pending', -1_000),
      row('msg_retry_later', 'pending', 3_600_000),
      row('msg_digest_open', 'gathering', 1_800_000),
      row('msg_sent', 'delivered', -600_000),
      row('msg_dead', 'dead', -600_000),
    ]);
    const [a, b] = await read();
    expect(a).toMatchObject({ pending: 3, gathering: 1 });
    expect(b).toMatchObject({ pending: 3, gathering: 1 });
    for (const instance of [a!, b!]) {
      expect(instance.oldest).toBeGreaterThanOrEqual(89);
      expect(instance.oldest).toBeLessThan(120);
    }
  });

  it('leave the outbox out, rather than report zeros, when the database cannot be read', async () => {
    const database = await createTestDatabase();
    const logged: string[] = [];
    const app = createApp({ db: database.db, logError: (line) => logged.push(line) });
    await database.drop();
    const response = await app.request('/metrics');
    expect(response.status).toBe(200);
    const families = parseExposition(await response.text());
    expect(families.has('rankwatch_outbox_depth')).toBe(false);
    expect(families.has('rankwatch_outbox_oldest_due_age_seconds')).toBe(false);
    expect(families.has('rankwatch_scrapes_total')).toBe(true);
    expect(logged.join('\n')).toMatch(/metrics: cannot read the outbox/);
  });

  it('are absent from the Workers entry (metrics: null), which still answers /readyz', async () => {
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    const app = createApp({ db: database.db, metrics: null });
    expect((await app.request('/metrics')).status).toBe(404);
    expect(await (await app.request('/readyz')).json()).toEqual({ status: 'ready', checks: { database: 'ok', scheduler: 'disabled', dispatcher: 'disabled' } });
  });
});
