import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { allBoards } from '../../scrapers/index.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { startService, type Service } from '../../src/server.ts';
import { createCliEnvironment } from '../support/db.ts';

// The real service (`startService`, as `rankwatch serve` runs it) on 127.0.0.1: the per-address
// rate limit keyed on the socket's peer (@hono/node-server's conninfo) or, when trusted, on
// X-Forwarded-For; and the JSON request log, one line per request, with secrets kept out.

const ADMIN_TOKEN = 'http-server-test-admin-token-0123';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function service(extra: Record<string, string>): Promise<{ service: Service; lines: string[] }> {
  const created = await createCliEnvironment();
  cleanups.push(created.cleanup);
  const config = loadConfig(
    {
      ...created.env,
      PORT: '0',
      HOST: '127.0.0.1',
      RANKWATCH_SCHEDULER: 'false',
      RANKWATCH_DISPATCHER: 'false',
      RANKWATCH_ADMIN_TOKEN: ADMIN_TOKEN,
      RANKWATCH_WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
      ...extra,
    },
    allBoards,
  );
  const lines: string[] = [];
  const started = await startService(config, createLogger('info', (line) => lines.push(line), { format: 'json' }));
  cleanups.push(() => started.stop());
  return { service: started, lines };
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request over a new connection from `from` (any 127.x address is this machine on Linux). */
function call(url: string, path: string, options: { from?: string; method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = httpRequest(
      { host: target.hostname, port: target.port, path, method: options.method ?? 'GET', headers: { connection: 'close', ...options.headers }, localAddress: options.from ?? '127.0.0.1', agent: false },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('per-address rate limit on the public routes', () => {
  it('past the limit a 429 with Retry-After and the JSON error, per socket address; X-Forwarded-For is ignored', async () => {
    const { service: running } = await service({ RANKWATCH_RATE_LIMIT: '3/min' });
    const statuses: number[] = [];
    // A client naming other addresses in X-Forwarded-For is still counted as itself.
    for (let index = 0; index < 4; index++) statuses.push((await call(running.url, '/v1/boards', { headers: { 'x-forwarded-for': `203.0.113.${index}` } })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await call(running.url, '/v1/events');
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.headers['cache-control']).toBe('no-store');
    expect(limited.headers['access-control-allow-origin']).toBe('*');
    const error = JSON.parse(limited.body) as { code: string; message: string; requestId: string };
    expect(error).toMatchObject({ code: 'rate_limited', requestId: limited.headers['x-request-id'] });
    expect(error.message).toMatch(/at most 3 per 60 s/);
    // Another address has its own count.
    expect((await call(running.url, '/v1/boards', { from: '127.0.0.2' })).status).toBe(200);
    // Operations and admin routes are not limited.
    expect((await call(running.url, '/healthz')).status).toBe(200);
    expect((await call(running.url, '/v1/subscriptions', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(200);
  });

  it('with RANKWATCH_TRUST_PROXY the client is the address the proxy appended to X-Forwarded-For', async () => {
    const { service: running, lines } = await service({ RANKWATCH_RATE_LIMIT: '2/min', RANKWATCH_TRUST_PROXY: 'loopback' });
    const from = (client: string) => call(running.url, '/v1/boards', { headers: { 'x-forwarded-for': client } });
    expect([(await from('203.0.113.7')).status, (await from('203.0.113.7')).status, (await from('203.0.113.7')).status]).toEqual([200, 200, 429]);
    // A different client behind the same proxy has its own count.
    expect((await from('203.0.113.8')).status).toBe(200);
    // A spoofed entry left of the proxy's does not change who is counted.
    expect((await from('198.51.100.1, 203.0.113.7')).status).toBe(429);
    const ips = lines.map((line) => (JSON.parse(line) as { ip?: string }).ip).filter(Boolean);
    expect(ips).toEqual(['203.0.113.7', '203.0.113.7', '203.0.113.7', '203.0.113.8', '203.0.113.7']);
  });

  it('RANKWATCH_RATE_LIMIT=off: no limit', async () => {
    const { service: running } = await service({ RANKWATCH_RATE_LIMIT: 'off' });
    const statuses = [];
    for (let index = 0; index < 5; index++) statuses.push((await call(running.url, '/v1/boards')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
  });
});

describe('the request log', () => {
  it('one JSON line per request: method, route pattern, path, status, duration, request id, client address', async () => {
    const { service: running, lines } = await service({ RANKWATCH_RATE_LIMIT: 'off' });
    const before = lines.length;
    const board = await call(running.url, '/v1/boards/lmarena-text');
    const missing = await call(running.url, '/v1/boards/no-such-board', { from: '127.0.0.3' });
    const etag = String(board.headers.etag);
    const notModified = await call(running.url, '/v1/boards/lmarena-text', { headers: { 'if-none-match': etag } });
    expect([board.status, missing.status, notModified.status]).toEqual([200, 404, 304]);
    const entries = lines.slice(before).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries).toHaveLength(3);
    expect(entries[0]).toMatchObject({ level: 'info', method: 'GET', route: '/v1/boards/:board', path: '/v1/boards/lmarena-text', status: 200, requestId: board.headers['x-request-id'], ip: '127.0.0.1' });
    expect(entries[1]).toMatchObject({ route: '/v1/boards/:board', path: '/v1/boards/no-such-board', status: 404, ip: '127.0.0.3' });
    expect(entries[2]).toMatchObject({ status: 304 });
    // A request made in-process has no socket: served, and logged with no address.
    expect((await running.app.request('/v1/boards')).status).toBe(200);
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ route: '/v1/boards', status: 200, ip: null });
    for (const entry of entries) {
      expect(typeof entry.durationMs).toBe('number');
      expect(typeof entry.time).toBe('string');
      expect(entry.msg).toMatch(/^GET \/v1\/boards\/\S+ \d{3} [\d.]+ ms$/);
    }
  });

  it('the Authorization header, the admin token and webhook secrets never reach the log', async () => {
    const { service: running, lines } = await service({ RANKWATCH_RATE_LIMIT: 'off' });
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
    const created = await call(running.url, '/v1/subscriptions', { method: 'POST', headers: auth, body: JSON.stringify({ channel: 'webhook', url: 'http://127.0.0.1:9/hook', filters: {} }) });
    expect(created.status).toBe(201);
    const { secret, subscription } = JSON.parse(created.body) as { secret: string; subscription: { id: number } };
    const rotated = JSON.parse((await call(running.url, `/v1/subscriptions/${subscription.id}/rotate-secret`, { method: 'POST', headers: auth })).body) as { secret: string };
    expect((await call(running.url, '/v1/subscriptions', { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status).toBe(401);
    const log = lines.join('');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const hidden of [ADMIN_TOKEN, 'wrong-token-wrong-token', secret, rotated.secret, 'Bearer']) expect(log).not.toContain(hidden);
    expect(log).toContain('"route":"/v1/subscriptions/:id/rotate-secret"');
  });

  it('a path with %0A, %0D, %C2%85 or U+2028 cannot start a new log line', async () => {
    const { service: running, lines } = await service({ RANKWATCH_RATE_LIMIT: 'off' });
    const before = lines.length;
    const paths = [
      '/v1/boards/x%0A%7B%22level%22%3A%22error%22%7D',
      '/v1/boards/x%0D%0Ay',
      '/v1/models/x%C2%85y',
      '/v1/boards/x%E2%80%A8y%E2%80%A9z',
      '/no/route%0Aforged',
    ];
    for (const path of paths) expect((await call(running.url, path)).status).toBeGreaterThanOrEqual(400);
    const written = lines.slice(before);
    expect(written).toHaveLength(paths.length);
    const text = written.join('');
    // One line per request: the only line breaks are the ones ending the entries, of any kind.
    expect(text.match(/[\n\r\u000b\u000c\u0085\u2028\u2029]/g)).toEqual(paths.map(() => '\n'));
    const logged = text.split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { path: string }).path);
    // hono decodes the path as decodeURI does (reserved characters such as %3A stay escaped).
    expect(logged[0]).toBe('/v1/boards/x\n{"level"%3A"error"}');
    expect(logged[3]).toBe('/v1/boards/x\u2028y\u2029z');
  });
});
