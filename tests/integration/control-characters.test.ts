import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.ts';
import { importFile } from '../../src/ingest/run.ts';
import { loadIdentity } from '../../src/identity/identity.ts';
import { createLogger } from '../../src/log.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// Every route of the app is driven with control characters in each path parameter, each query
// parameter and a fixed path segment: the answer is always the JSON 400 naming the parameter,
// never a 500 (PostgreSQL refuses NUL in text) and never a 404 that echoes the value.

const TOKEN = 'test-admin-token-0123456789';
const BOARD = 'lmarena-text';
const BAD_VALUES = ['%00', 'a%00b', '%0A', 'x%0D%0Ay', '%0D', '%1B%5B31m', '%7F', '%C2%85', '%09'];
// Every query parameter any route reads (and one none reads): each is tried on every route.
const QUERY_NAMES = ['board', 'model', 'kind', 'status', 'since', 'until', 'at', 'limit', 'by', 'per', 'unknown'];
const VALID: Record<string, string> = { board: BOARD, id: '1', model: 'GPT-4o-2024-05-13' };

let database: TestDatabase;
let app: ReturnType<typeof createApp>;
const logged: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  app = createApp({ db: database.db, adminToken: TOKEN, urlPolicy: { allowHosts: ['127.0.0.1'] }, logError: (line) => logged.push(line) });
  const identity = loadIdentity();
  // Real rows behind the valid values, so every query a route makes reaches the database.
  await importFile(database.db, BOARD, { path: 'tests/fixtures/lmarena/lmsys-elo.csv', capturedAt: new Date('2024-06-01T00:00:00Z') }, {}, identity);
  await importFile(database.db, BOARD, { path: 'tests/fixtures/lmarena/lmsys-stylectrl.csv', capturedAt: new Date('2024-06-08T00:00:00Z') }, {}, identity);
  const created = await app.request('/v1/subscriptions', {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ channel: 'webhook', url: 'http://127.0.0.1:9/hook' }),
  });
  expect(created.status).toBe(201);
});
afterAll(async () => {
  await database.drop();
});

interface Answer {
  request: string;
  status: number;
  body: { code?: string; message?: string; requestId?: string; parameter?: string } | null;
}

async function call(method: string, path: string): Promise<Answer> {
  const response = await app.request(path, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(method === 'POST' || method === 'PATCH' ? { 'content-type': 'application/json' } : {}) },
    ...(method === 'POST' || method === 'PATCH' ? { body: '{}' } : {}),
  });
  const text = await response.text();
  let body: Answer['body'] = null;
  try {
    body = JSON.parse(text) as Answer['body'];
  } catch {
    body = null;
  }
  return { request: `${method} ${path}`, status: response.status, body };
}

/** The app's own routes (not its middleware): method and pattern, as hono registered them. */
function routes(): { method: string; path: string }[] {
  const seen = new Set<string>();
  return app.routes
    .filter((route) => route.method !== 'ALL')
    .map((route) => ({ method: route.method, path: route.path }))
    .filter((route) => !seen.has(`${route.method} ${route.path}`) && seen.add(`${route.method} ${route.path}`));
}

/** A pattern's segments; parameters (`:board`, `:model{.+}`) as their name. */
function segments(pattern: string): { text: string; parameter: string | null }[] {
  return pattern
    .split('/')
    .slice(1)
    .map((part) => {
      const match = /^:(\w+)/.exec(part);
      return { text: part, parameter: match?.[1] ?? null };
    });
}

function build(parts: { text: string; parameter: string | null }[], replace?: { index: number; value: string }): string {
  return `/${parts
    .map((part, index) => {
      if (replace?.index === index) return replace.value;
      if (part.parameter) return VALID[part.parameter] ?? 'x';
      return part.text;
    })
    .join('/')}`;
}

describe('control characters in requests', () => {
  it('the route list covers the whole API, feeds and admin routes included', () => {
    const listed = routes().map((route) => `${route.method} ${route.path}`);
    for (const expected of [
      'GET /healthz',
      'GET /v1/boards/:board/standings',
      'GET /v1/events/:id',
      'GET /v1/models/:model{.+}',
      'GET /feed.xml',
      'GET /feed.atom',
      'GET /feed.json',
      'POST /v1/subscriptions',
      'PATCH /v1/subscriptions/:id',
      'DELETE /v1/subscriptions/:id',
      'POST /v1/subscriptions/preview',
      'POST /v1/deliveries/:id/redeliver',
    ]) {
      expect(listed).toContain(expected);
    }
    expect(listed.length).toBeGreaterThanOrEqual(27);
  });

  it('a valid request still succeeds, unicode included', async () => {
    expect((await call('GET', `/v1/boards/${BOARD}/standings`)).status).toBe(200);
    expect((await call('GET', `/v1/events?board=${BOARD}&since=2024-06-01`)).status).toBe(200);
    expect((await call('GET', '/v1/models/%E6%A8%A1%E5%9E%8B%20%C3%A9/history')).status).toBe(404);
  });

  it('answer 400 naming the parameter on every route, for every path parameter, query parameter and path segment: zero 5xx', async () => {
    const problems: string[] = [];
    let requests = 0;
    const expect400 = (answer: Answer, parameter: string) => {
      requests++;
      const { status, body } = answer;
      const ok =
        status === 400 &&
        body?.code === 'invalid_parameter' &&
        body.parameter === parameter &&
        typeof body.requestId === 'string' &&
        /control characters are not allowed/.test(body.message ?? '');
      if (!ok) problems.push(`${answer.request} → ${status} ${JSON.stringify(body)} (expected 400 naming ${parameter})`);
    };
    for (const route of routes()) {
      const parts = segments(route.path);
      const valid = build(parts);
      for (const bad of BAD_VALUES) {
        for (const [index, part] of parts.entries()) {
          if (part.parameter) {
            const value = part.parameter in VALID ? `${VALID[part.parameter]}${bad}` : bad;
            expect400(await call(route.method, build(parts, { index, value: bad })), part.parameter);
            expect400(await call(route.method, build(parts, { index, value })), part.parameter);
          }
        }
        const fixed = parts.findIndex((part) => !part.parameter);
        if (fixed >= 0) expect400(await call(route.method, build(parts, { index: fixed, value: `${parts[fixed]!.text}${bad}` })), 'path');
        for (const name of QUERY_NAMES) {
          expect400(await call(route.method, `${valid}?${name}=${bad}`), name);
          expect400(await call(route.method, `${valid}?limit=5&${name}=ok${bad}`), name);
        }
        expect400(await call(route.method, `${valid}?kind=entered&kind=${bad}`), 'kind');
      }
    }
    expect(problems).toEqual([]);
    expect(requests).toBeGreaterThan(3000);
  }, 120_000);

  it('a control character in a query parameter name is refused too', async () => {
    const answer = await call('GET', '/v1/events?bo%00ard=x');
    expect(answer.status).toBe(400);
    expect(answer.body?.parameter).toBe('bo\\u0000ard');
  });

  it('a path that matches no route is refused as "path", not echoed in a 404', async () => {
    const answer = await call('GET', '/v1/nothing%0Ahere');
    expect(answer).toMatchObject({ status: 400, body: { code: 'invalid_parameter', parameter: 'path' } });
  });

  it('control characters in JSON bodies answer 400 naming the field', async () => {
    const post = async (path: string, body: unknown) => {
      const response = await app.request(path, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Answer['body'] };
    };
    expect(await post('/v1/subscriptions', { channel: 'webhook', url: 'http://127.0.0.1:9/hook', description: 'a\u0000b' })).toMatchObject({
      status: 400,
      body: { code: 'invalid_parameter', parameter: 'description' },
    });
    expect(await post('/v1/subscriptions/preview', { filters: { boards: [`${BOARD}\u0000`] } })).toMatchObject({ status: 400, body: { parameter: 'filters.boards[0]' } });
    expect(await post('/v1/subscriptions/preview', { since: '2024-06-01\u001b' })).toMatchObject({ status: 400, body: { parameter: 'since' } });
    // A description may have several lines.
    expect((await post('/v1/subscriptions', { channel: 'webhook', url: 'http://127.0.0.1:9/hook', description: 'line one\nline two' })).status).toBe(201);
    const patched = await app.request('/v1/subscriptions/1', {
      method: 'PATCH',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ description: '\u007f' }),
    });
    expect(patched.status).toBe(400);
  });
});

describe('request values in logs', () => {
  it('a request failing with a 500 is logged on one line, its path escaped', async () => {
    const broken = await createTestDatabase();
    const lines: string[] = [];
    const log = createLogger('debug', (line) => lines.push(line));
    const brokenApp = createApp({ db: broken.db, logError: log.error });
    await broken.drop();
    // U+2028 passes the control-character check (it is a separator, not a control) and reaches the failing query.
    const response = await brokenApp.request('/v1/boards/a%E2%80%A8b%E2%80%A92024-01-01T00:00:00.000Z%20error%20forged/standings');
    expect(response.status).toBe(500);
    const output = lines.join('');
    expect(output.split('\n').filter(Boolean)).toHaveLength(1);
    expect(output).not.toMatch(/[\u2028\u2029]/);
    expect(output).toContain('a\\u2028b\\u20292024-01-01T00:00:00.000Z error forged');
    // The stack trace stays inside the entry.
    expect(output).toMatch(/\\n {4}at /);
  });

  it('the app escapes what it logs whatever logger it is given', async () => {
    const broken = await createTestDatabase();
    const lines: string[] = [];
    const brokenApp = createApp({ db: broken.db, logError: (line) => lines.push(line) });
    await broken.drop();
    expect((await brokenApp.request('/v1/boards/x%E2%80%A8y')).status).toBe(500);
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/[\n\r\u2028]/);
    expect(lines[0]).toContain('/v1/boards/x\\u2028y');
  });
});
