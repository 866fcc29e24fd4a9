import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.ts';
import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { CACHE_CONTROL, DEFAULT_BODY_LIMIT, httpLayer } from '../../src/api/http.ts';
import { makeEntry, type Entry } from '../../src/entry.ts';
import { applyCapture } from '../../src/ingest/store.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// The HTTP layer every route shares (src/api/http.ts), through createApp and the test database:
// strong ETags and 304s, Cache-Control by family, CORS on the public reads only, the body limit.

const ADMIN_TOKEN = 'http-caching-test-admin-token';
const BOARD = 'lmarena-text';
const ORIGIN = 'https://dashboard.example';

let database: TestDatabase;
let app: ReturnType<typeof createApp>;

function e(model: string, rank: number, score: number): Entry {
  return makeEntry({ model, name: model, rank, score, scoreLower: score - 4, scoreUpper: score + 3, votes: 1000, organization: 'Org' });
}

async function capture(at: string, entries: Entry[]): Promise<void> {
  await applyCapture(database.db, {
    board: BOARD,
    capturedAt: new Date(at),
    entries,
    origin: 'import',
    source: null,
    contentHash: `${BOARD}-${at}`,
    format: 'test',
    parserVersion: '1',
    publishedAt: null,
    settle: { scrapes: 1 },
  });
}

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

beforeAll(async () => {
  database = await createTestDatabase();
  app = createApp({ db: database.db, adminToken: ADMIN_TOKEN, urlPolicy: { allowHosts: ['127.0.0.1'] }, metrics: null });
  await capture('2024-06-01T00:00:00Z', [e('gpt-4o', 1, 1287), e('claude', 2, 1272)]);
  await capture('2024-06-08T00:00:00Z', [e('claude', 1, 1290), e('gpt-4o', 2, 1287)]);
});
afterAll(async () => database?.drop());

/** Public GETs answering 200 with JSON, a feed, the page. */
const PUBLIC_READS = [
  '/v1/boards',
  `/v1/boards/${BOARD}`,
  `/v1/boards/${BOARD}/standings?at=2024-06-02`,
  '/v1/events?limit=5',
  '/v1/changes',
  '/v1/models/claude/history',
  '/feed.xml',
  '/feed.json?per=event',
  '/',
];

describe('strong ETags and 304 Not Modified on every GET that answers 200', () => {
  it.each(PUBLIC_READS)('%s: a strong ETag (sha256 of the body); If-None-Match with it (also weak, in a list, *) is 304 with no body', async (path) => {
    const first = await app.request(path);
    expect(first.status).toBe(200);
    const body = await first.text();
    const etag = first.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    // The same content, the same tag.
    expect((await app.request(path)).headers.get('etag')).toBe(etag);
    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const again = await app.request(path, { headers: { 'if-none-match': ifNoneMatch } });
      expect(again.status, ifNoneMatch).toBe(304);
      expect(await again.text()).toBe('');
      expect(again.headers.get('etag')).toBe(etag);
      expect(again.headers.get('content-type')).toBeNull();
      // What the 200 said about caching, and the request id, are on the 304 too.
      expect(again.headers.get('cache-control')).toBe(first.headers.get('cache-control'));
      expect(again.headers.get('x-request-id')).toBeTruthy();
    }
    expect((await app.request(path, { headers: { 'if-none-match': '"stale"' } })).status).toBe(200);
    expect(body.length).toBeGreaterThan(0);
  });

  it('HEAD has the same ETag as GET and is 304 to it', async () => {
    const etag = (await app.request('/v1/boards')).headers.get('etag');
    const head = await app.request('/v1/boards', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('etag')).toBe(etag);
    expect((await app.request('/v1/boards', { method: 'HEAD', headers: { 'if-none-match': etag ?? '' } })).status).toBe(304);
  });

  it('when the data changes the ETag changes, and the old one gets a 200 with the new content', async () => {
    const paths = ['/v1/events?limit=5', `/v1/boards/${BOARD}/standings`, '/feed.json'];
    const before = await Promise.all(paths.map(async (path) => (await app.request(path)).headers.get('etag') ?? ''));
    await capture('2024-06-15T00:00:00Z', [e('claude', 1, 1290), e('grok', 2, 1288), e('gpt-4o', 3, 1287)]);
    for (const [index, path] of paths.entries()) {
      const after = await app.request(path, { headers: { 'if-none-match': before[index]! } });
      expect(after.status, path).toBe(200);
      expect(after.headers.get('etag'), path).not.toBe(before[index]);
      expect(await after.text(), path).toContain('grok');
    }
  });

  it('errors and writes carry no ETag, and If-None-Match never turns them into a 304', async () => {
    const missing = await app.request('/v1/boards/no-such-board', { headers: { 'if-none-match': '*' } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('etag')).toBeNull();
    const bad = await app.request('/v1/events?limit=0', { headers: { 'if-none-match': '*' } });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('etag')).toBeNull();
  });
});

describe('Cache-Control on every response', () => {
  it.each([
    ['/v1/boards', CACHE_CONTROL.api],
    [`/v1/boards/${BOARD}/standings`, 'public, max-age=60'],
    ['/feed.atom', 'public, max-age=60'],
    ['/', 'public, max-age=60'],
    ['/healthz', 'no-store'],
    ['/readyz', 'no-store'],
  ])('GET %s: %s', async (path, expected) => {
    const response = await app.request(path);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe(expected);
  });

  it('admin reads are never stored, whatever their status', async () => {
    const listed = await app.request('/v1/subscriptions', { headers: admin });
    expect(listed.status).toBe(200);
    expect(listed.headers.get('cache-control')).toBe('no-store');
    const refused = await app.request('/v1/subscriptions');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('cache-control')).toBe('no-store');
  });

  it('errors are never cached: 400, 404 and an unknown route', async () => {
    for (const path of ['/v1/events?since=yesterday', '/v1/boards/no-such-board', '/no/such/route']) {
      const response = await app.request(path);
      expect(response.status, path).toBeGreaterThanOrEqual(400);
      expect(response.headers.get('cache-control'), path).toBe('no-store');
    }
  });

  it('public API reads vary by Accept (a format may be chosen by it); the 304 says so too', async () => {
    const response = await app.request('/v1/boards');
    expect(response.headers.get('vary')).toMatch(/\bAccept\b/);
    const again = await app.request('/v1/boards', { headers: { 'if-none-match': response.headers.get('etag') ?? '' } });
    expect(again.headers.get('vary')).toMatch(/\bAccept\b/);
  });
});

describe('CORS: public reads from any origin, admin routes from none', () => {
  it.each(['/v1/boards', '/v1/events', '/feed.json'])('GET %s from another origin may be read, with the validators exposed', async (path) => {
    const response = await app.request(path, { headers: { origin: ORIGIN } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    const exposed = (response.headers.get('access-control-expose-headers') ?? '').toLowerCase().split(',');
    expect(exposed).toEqual(expect.arrayContaining(['etag', 'last-modified', 'retry-after', 'x-request-id']));
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('a 304 to another origin keeps Access-Control-Allow-Origin (the script reading it needs it)', async () => {
    const etag = (await app.request('/v1/boards')).headers.get('etag') ?? '';
    const response = await app.request('/v1/boards', { headers: { origin: ORIGIN, 'if-none-match': etag } });
    expect(response.status).toBe(304);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('the preflight of a public read is answered 204 with GET and HEAD allowed', async () => {
    const response = await app.request('/v1/events?board=x', {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-method': 'GET', 'access-control-request-headers': 'if-none-match' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-methods')).toBe('GET,HEAD');
    expect(response.headers.get('access-control-allow-headers')).toBe('if-none-match');
    expect(response.headers.get('access-control-max-age')).toBe('600');
  });

  it("a public read's response is the route's own, given its headers in place: a body of bytes is not made into a stream again", async () => {
    // Middleware that wrote to the response before the route made hono re-create the route's
    // response from its body as a stream (a copy and a stream per request, on every feed).
    let made: Response | null = null;
    const bare = new Hono();
    bare.use(requestId(), ...httpLayer({ rateLimit: { limit: 100, windowMs: 60_000 }, requestLog: { info: () => {} } }));
    bare.get('/v1/bytes', (c) => (made = c.body(new TextEncoder().encode('feed bytes'), 200, { etag: '"bytes"' })));
    const response = await bare.request('/v1/bytes', { headers: { origin: ORIGIN } });
    expect(response).toBe(made);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('cache-control')).toBe(CACHE_CONTROL.api);
    expect(response.headers.get('x-request-id')).toBeTruthy();
    expect(await response.text()).toBe('feed bytes');
  });

  it.each(['/v1/subscriptions', '/v1/subscriptions/1', '/v1/deliveries/1/redeliver'])('%s has no CORS header, on a request or its preflight', async (path) => {
    const get = await app.request(path, { headers: { origin: ORIGIN, ...admin } });
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await app.request(path, {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
    });
    expect(preflight.status).not.toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-methods')).toBeNull();
  });
});

describe('request body limit', () => {
  const subscription = (description: string) =>
    JSON.stringify({ channel: 'webhook', url: 'http://127.0.0.1:9/hook', filters: {}, description });

  it('a body over 64 KiB is a 413 in the JSON error shape, by Content-Length or by what arrives', async () => {
    const body = subscription('x'.repeat(DEFAULT_BODY_LIMIT));
    for (const headers of [{ 'content-length': String(Buffer.byteLength(body)) }, {}]) {
      const response = await app.request('/v1/subscriptions', { method: 'POST', body, headers: { ...admin, 'content-type': 'application/json', ...headers } });
      expect(response.status).toBe(413);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const error = (await response.json()) as { code: string; message: string; parameter: string; requestId: string };
      expect(error).toMatchObject({ code: 'payload_too_large', parameter: 'body' });
      expect(error.message).toContain(String(DEFAULT_BODY_LIMIT));
      expect(error.requestId).toBe(response.headers.get('x-request-id'));
    }
    expect(((await (await app.request('/v1/subscriptions', { headers: admin })).json()) as { subscriptions: unknown[] }).subscriptions).toHaveLength(0);
  });

  it('a body just under the limit is served as before', async () => {
    // JSON may carry whitespace: 60,000 bytes of it around a small subscription.
    const body = `${subscription('padded')}${' '.repeat(60_000)}`;
    expect(Buffer.byteLength(body)).toBeLessThan(DEFAULT_BODY_LIMIT);
    const response = await app.request('/v1/subscriptions', { method: 'POST', body, headers: { ...admin, 'content-type': 'application/json' } });
    expect(response.status).toBe(201);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('etag')).toBeNull();
  });

  it('the limit is an option of the app', async () => {
    const small = createApp({ db: database.db, adminToken: ADMIN_TOKEN, urlPolicy: { allowHosts: ['127.0.0.1'] }, metrics: null, http: { bodyLimit: 100 } });
    const response = await small.request('/v1/subscriptions', { method: 'POST', body: subscription('x'.repeat(200)), headers: { ...admin, 'content-type': 'application/json' } });
    expect(response.status).toBe(413);
  });
});

describe('page sizes: every list says how many it gives at most', () => {
  it.each([
    ['/v1/events', 1000],
    ['/v1/changes', 1000],
    ['/v1/quarantine', 1000],
    [`/v1/boards/${BOARD}/aggregates/history`, 1000],
    ['/feed.json', 1000],
    ['/v1/subscriptions/:id/deliveries', 1000],
  ])('%s: limit up to %i, more is a 400 naming limit', async (pattern, max) => {
    const headers = admin;
    let path = pattern;
    if (pattern.includes(':id')) {
      const created = await app.request('/v1/subscriptions', { method: 'POST', body: JSON.stringify({ channel: 'webhook', url: 'http://127.0.0.1:9/limits', filters: {} }), headers: { ...admin, 'content-type': 'application/json' } });
      path = pattern.replace(':id', String(((await created.json()) as { subscription: { id: number } }).subscription.id));
    }
    const over = await app.request(`${path}?limit=${max + 1}`, { headers });
    expect(over.status).toBe(400);
    expect(await over.json()).toMatchObject({ code: 'invalid_parameter', parameter: 'limit' });
    expect((await app.request(`${path}?limit=0`, { headers })).status).toBe(400);
    expect((await app.request(`${path}?limit=${max}`, { headers })).status).toBe(200);
  });
});
