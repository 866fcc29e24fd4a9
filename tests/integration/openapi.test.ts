import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import type { z } from '@hono/zod-openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.ts';
import { routeFamily } from '../../src/api/http.ts';
import { aggregatesHistoryRoute, aggregatesRoute, boardRoute, listBoardsRoute, standingsRoute } from '../../src/api/routes/boards.ts';
import { DOCS_ASSETS } from '../../src/api/routes/docs.ts';
import { changeRoute, eventRoute, listChangesRoute, listEventsRoute } from '../../src/api/routes/events.ts';
import { modelHistoryRoute, modelRoute, unmappedRoute } from '../../src/api/routes/models.ts';
import { healthRoute, readyRoute } from '../../src/api/routes/operations.ts';
import { listSubscriptionsRoute, previewRoute } from '../../src/api/routes/subscriptions.ts';
import { ErrorSchema } from '../../src/api/schemas.ts';
import { answer, serviceClient } from '../../src/cli/remote.ts';
import { VERSION } from '../../src/config.ts';
import { NotFoundError } from '../../src/errors.ts';
import { loadIdentity } from '../../src/identity/identity.ts';
import { makeEntry } from '../../src/entry.ts';
import { importFile, planImport } from '../../src/ingest/run.ts';
import { applyCapture } from '../../src/ingest/store.ts';
import { HAVE_SHARED, SHARED } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// The OpenAPI contract of the HTTP API, against the app itself: every served route is documented
// and every documented operation is served; real responses (two LMArena captures and one of
// OpenRouter's price list, whose keys hold slashes, from ../shared/leaderboards, read in place)
// parse with the response schemas the document is made from; bad input answers 400 naming the
// parameter; the docs page loads only its own assets; the CLI's typed client reaches the API.

const TOKEN = 'test-admin-token-0123456789';
const BOARD = 'lmarena-text';
const PRICES = 'openrouter-prices';
const LMSYS = join(SHARED, 'lmarena/fboulnois-llm-leaderboard-csv/lmsys');
const OPENROUTER = join(SHARED, 'openrouter/api-v1-models');

type Operation = { tags?: string[]; responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>; parameters?: unknown[] };
type OpenApiDocument = { openapi: string; info: { title: string; version: string }; tags: { name: string }[]; paths: Record<string, Record<string, Operation>> };

let database: TestDatabase;
let app: ReturnType<typeof createApp>;
let document: OpenApiDocument;
let slashed: string;

async function get(path: string, init?: RequestInit) {
  const response = await app.request(path, { ...init, headers: { authorization: `Bearer ${TOKEN}`, ...init?.headers } });
  const text = await response.text();
  return { status: response.status, type: response.headers.get('content-type') ?? '', text, body: (response.headers.get('content-type') ?? '').includes('json') ? (JSON.parse(text) as unknown) : null };
}

/** A JSON response schema of a route, by status. */
function schemaOf(route: { responses: Record<number, unknown> }, status: number): z.ZodType {
  return (route.responses[status] as { content: { 'application/json': { schema: z.ZodType } } }).content['application/json'].schema;
}

/** Parses a body with a schema, failing the test with zod's own account of what does not fit. */
function expectFits(schema: z.ZodType, body: unknown, what: string): void {
  const result = schema.safeParse(body);
  expect(result.success ? 'fits' : `${what}: ${JSON.stringify(result.error.issues.slice(0, 3))}`).toBe('fits');
}

beforeAll(async () => {
  database = await createTestDatabase();
  app = createApp({ db: database.db, adminToken: TOKEN, urlPolicy: { allowHosts: ['127.0.0.1'] }, logError: () => {} });
  const identity = loadIdentity();
  if (HAVE_SHARED) {
    for (const item of planImport(['2024-06-19', '2024-07-07'].map((day) => join(LMSYS, `${day}.csv`)))) await importFile(database.db, BOARD, item, {}, identity);
  }
  if (HAVE_SHARED) {
    await importFile(database.db, PRICES, { path: join(OPENROUTER, '2025-12-18T15-11-29Z.json'), capturedAt: new Date('2025-12-18T15:11:29Z') }, {}, identity);
  } else {
    // Without the real captures: two entries of the same kind (OpenRouter keys are `maker/model`).
    const entries = ['openai/gpt-4o', 'meta-llama/llama-3.1-405b'].map((model) => makeEntry({ model, name: model, priceInput: 2.5, priceOutput: 10 }));
    await applyCapture(database.db, { board: PRICES, capturedAt: new Date('2025-12-18T00:00:00Z'), entries, origin: 'import', source: null, contentHash: 'x', format: 'test', parserVersion: '1', publishedAt: null });
  }
  const standings = (await get(`/v1/boards/${PRICES}/standings`)).body as { entries: { model: string }[] };
  slashed = standings.entries.map((entry) => entry.model).find((model) => model.includes('/')) ?? '';
  expect(slashed).toContain('/');
  document = (await get('/openapi.json')).body as OpenApiDocument;
});
afterAll(async () => {
  await database.drop();
});

/** `:model{.+}` and `{model}` both as `{model}`. */
function openApiPath(honoPath: string): string {
  return honoPath.replace(/:(\w+)(\{[^/]*\})?/g, '{$1}');
}

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3.1 document with the title, the version and the tags', async () => {
    expect(document.openapi).toMatch(/^3\.1\./);
    expect(document.info).toMatchObject({ title: 'rankwatch API', version: VERSION });
    const tags = document.tags.map((tag) => tag.name);
    for (const operations of Object.values(document.paths)) {
      for (const operation of Object.values(operations)) for (const tag of operation.tags ?? []) expect(tags).toContain(tag);
    }
  });

  it('documents every route the app serves, and the app serves every documented operation (no drift)', () => {
    // The dashboard's pages are for people, not operations of the API (tests/integration/dashboard.test.ts).
    const served = new Set(app.routes.filter((route) => route.method !== 'ALL' && routeFamily(route.path) !== 'page').map((route) => `${route.method} ${openApiPath(route.path)}`));
    const documented = new Set(Object.entries(document.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`)));
    expect([...served].filter((route) => !documented.has(route))).toEqual([]);
    expect([...documented].filter((operation) => !served.has(operation))).toEqual([]);
    expect(documented.size).toBeGreaterThanOrEqual(31);
    for (const expected of ['GET /v1/models/{model}', 'GET /v1/models/{model}/history', 'GET /metrics', 'GET /feed.json', 'POST /v1/subscriptions/preview', 'GET /docs', 'GET /openapi.json']) {
      expect(documented).toContain(expected);
    }
  });

  it('gives every operation a tag and responses, each with a schema (feeds and /metrics with their own media types)', () => {
    const problems: string[] = [];
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const name = `${method.toUpperCase()} ${path}`;
        if (!operation.tags?.length) problems.push(`${name}: no tag`);
        const responses = Object.entries(operation.responses ?? {});
        if (!responses.some(([status]) => status.startsWith('2'))) problems.push(`${name}: no success response`);
        for (const [status, response] of responses) {
          // 204 and 304 carry no body.
          if (status === '204' || status === '304') continue;
          const media = Object.entries(response.content ?? {});
          if (media.length === 0 || media.some(([, content]) => !content.schema)) problems.push(`${name} ${status}: no schema`);
          if (status.startsWith('4') && !media.some(([type, content]) => type === 'application/json' && JSON.stringify(content.schema) === '{"$ref":"#/components/schemas/Error"}')) {
            problems.push(`${name} ${status}: not the shared Error`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
    const media = (path: string) => Object.keys(document.paths[path]!.get!.responses!['200']!.content!);
    expect(media('/feed.xml')).toEqual(['application/rss+xml']);
    expect(media('/feed.atom')).toEqual(['application/atom+xml']);
    expect(media('/feed.json')).toEqual(['application/feed+json']);
    expect(media('/metrics')).toEqual(['text/plain; version=0.0.4']);
    expect(media('/docs')).toEqual(['text/html']);
  });
});

describe.skipIf(!HAVE_SHARED)('real responses fit their documented schemas (LMArena captures of 2024-06-19 and 2024-07-07)', () => {
  it('boards, standings, events, change sets and aggregates', async () => {
    const boards = await get('/v1/boards');
    expectFits(schemaOf(listBoardsRoute, 200), boards.body, '/v1/boards');
    expectFits(schemaOf(boardRoute, 200), (await get(`/v1/boards/${BOARD}`)).body, 'board');
    for (const query of ['', '?at=2024-06-20']) {
      const standings = await get(`/v1/boards/${BOARD}/standings${query}`);
      expect((standings.body as { entries: unknown[] }).entries.length).toBeGreaterThan(50);
      expectFits(schemaOf(standingsRoute, 200), standings.body, `standings${query}`);
    }
    const events = await get('/v1/events?status=all&limit=1000');
    const list = (events.body as { events: { id: number; kind: string }[] }).events;
    expect(new Set(list.map((event) => event.kind)).size).toBeGreaterThan(3);
    expectFits(schemaOf(listEventsRoute, 200), events.body, '/v1/events');
    expectFits(schemaOf(eventRoute, 200), (await get(`/v1/events/${list[0]!.id}`)).body, 'event');
    const changes = await get(`/v1/changes?board=${BOARD}`);
    expectFits(schemaOf(listChangesRoute, 200), changes.body, '/v1/changes');
    const [change] = (changes.body as { changes: { id: number }[] }).changes;
    expectFits(schemaOf(changeRoute, 200), (await get(`/v1/changes/${change!.id}`)).body, 'change set');
    expectFits(schemaOf(aggregatesRoute, 200), (await get(`/v1/boards/${BOARD}/aggregates?by=country`)).body, 'aggregates');
    expectFits(schemaOf(aggregatesHistoryRoute, 200), (await get(`/v1/boards/${BOARD}/aggregates/history`)).body, 'aggregates history');
    expectFits(schemaOf(unmappedRoute, 200), (await get('/v1/identity/unmapped')).body, 'unmapped');
  });

  it('a model and its history, by board key', async () => {
    const history = await get('/v1/models/GPT-4o-2024-05-13/history');
    expect(history.status).toBe(200);
    expectFits(schemaOf(modelHistoryRoute, 200), history.body, 'history');
    expectFits(schemaOf(modelRoute, 200), (await get('/v1/models/GPT-4o-2024-05-13')).body, 'model');
  });
});

describe('model keys with slashes (OpenRouter)', () => {
  it.each([
    ['as written', (key: string) => key],
    ['URL-encoded', (key: string) => encodeURIComponent(key)],
  ])('/v1/models/{model} and /v1/models/{model}/history serve a key with a slash, %s', async (_, spell) => {
    const history = await get(`/v1/models/${spell(slashed)}/history?board=${PRICES}`);
    expect(history.status).toBe(200);
    expect(history.body).toMatchObject({ model: slashed, history: [expect.objectContaining({ board: PRICES, model: slashed })] });
    expectFits(schemaOf(modelHistoryRoute, 200), history.body, 'history');
    const model = await get(`/v1/models/${spell(slashed)}`);
    expect(model.status).toBe(200);
    expect((model.body as { boards: { board: string; model: string }[] }).boards).toContainEqual(expect.objectContaining({ board: PRICES, model: slashed }));
    expectFits(schemaOf(modelRoute, 200), model.body, 'model');
  });

  it('an unknown slashed key is a 404 on both', async () => {
    expect(await get('/v1/models/nobody/nothing/history')).toMatchObject({ status: 404, body: { code: 'not_found', message: 'unknown model: nobody/nothing' } });
    expect(await get('/v1/models/nobody/nothing')).toMatchObject({ status: 404, body: { code: 'not_found', message: 'unknown model: nobody/nothing (on no board now)' } });
  });
});

describe('operations and admin responses fit their schemas', () => {
  it('healthz, readyz, subscriptions and a preview', async () => {
    expectFits(schemaOf(healthRoute, 200), (await get('/healthz')).body, 'healthz');
    expectFits(schemaOf(readyRoute, 200), (await get('/readyz')).body, 'readyz');
    const created = await get('/v1/subscriptions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ channel: 'webhook', url: 'http://127.0.0.1:9/hook', filters: { kinds: ['new_leader'] } }) });
    expect(created.status).toBe(201);
    expectFits(schemaOf(listSubscriptionsRoute, 200), (await get('/v1/subscriptions')).body, 'subscriptions');
    const preview = await get('/v1/subscriptions/preview', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ filters: { boards: [PRICES] }, limit: 5 }) });
    expect(preview.status).toBe(200);
    expectFits(schemaOf(previewRoute, 200), preview.body, 'preview');
  });
});

describe('validation errors name the parameter', () => {
  it.each([
    ['/v1/events?limit=0', 'limit', /^limit: expected a whole number from 1 to 1000, got "0"$/],
    ['/v1/events?kind=nope', 'kind', /^kind: unknown event kind "nope"/],
    ['/v1/events?status=maybe', 'status', /^status: unknown event status "maybe"/],
    ['/v1/events?since=2024-02-30', 'since', /^since: expected an ISO 8601 date .*there is no day 30 in February 2024/],
    ['/v1/events/abc', 'id', /^id: expected an event id \(a whole number\), got "abc"$/],
    [`/v1/boards/${PRICES}/standings?at=soon`, 'at', /^at: expected an ISO 8601 date/],
    [`/v1/boards/${PRICES}/aggregates?by=lab`, 'by', /^by: expected organization or country, got "lab"$/],
    [`/v1/boards/${PRICES}/aggregates/history?limit=5000`, 'limit', /^limit: expected a whole number from 1 to 1000/],
    ['/feed.atom?per=board', 'per', /^per: expected change_set or event, got "board"$/],
    ['/v1/subscriptions/x/deliveries', 'id', /^id: expected a subscription id/],
    ['/v1/subscriptions/1/deliveries?limit=-1', 'limit', /^limit: expected a whole number/],
    ['/v1/changes?since=2024-06-01&limit=1000&board=&since=x', 'since', /^since: /],
  ])('GET %s → 400 naming %s', async (path, parameter, message) => {
    const answer = await get(path);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: 'invalid_parameter', parameter });
    expect((answer.body as { message: string }).message).toMatch(message);
    expectFits(ErrorSchema, answer.body, 'error');
  });

  it.each([
    ['POST', '/v1/subscriptions', { channel: 'sms', url: 'https://example.com/' }, 'channel'],
    ['POST', '/v1/subscriptions', { channel: 'slack', url: 'https://hooks.slack.com/x', color: 'red' }, 'color'],
    ['POST', '/v1/subscriptions', { channel: 'slack', url: 'https://hooks.slack.com/x', filters: { kinds: ['nope'] } }, 'filters.kinds.0'],
    ['POST', '/v1/subscriptions/preview', { limit: 0 }, 'limit'],
    ['POST', '/v1/subscriptions/preview', { until: '2023-02-29' }, 'until'],
    ['POST', '/v1/subscriptions/preview', [1, 2], 'body'],
    ['PATCH', '/v1/subscriptions/1', { enabled: 'yes' }, 'enabled'],
  ])('%s %s %j → 400 naming %s', async (method, path, body, parameter) => {
    const answer = await get(path, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: 'invalid_parameter', parameter });
    expect((answer.body as { message: string }).message.startsWith(`${parameter}: `)).toBe(true);
    expectFits(ErrorSchema, answer.body, 'error');
  });

  it('a body that is not JSON is a 400 naming body; a body of another media type a 415', async () => {
    const malformed = await get('/v1/subscriptions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"channel":' });
    expect(malformed).toMatchObject({ status: 400, body: { code: 'invalid_parameter', parameter: 'body' } });
    const text = await get('/v1/subscriptions', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'channel=slack' });
    expect(text).toMatchObject({ status: 415, body: { code: 'unsupported_media_type', parameter: 'content-type' } });
    expectFits(ErrorSchema, text.body, 'error');
    // A blank body is no fields, as before: the preview's defaults.
    expect((await get('/v1/subscriptions/preview', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '' })).status).toBe(200);
  });

  it('an unknown board, in the path or the query, is one 404 naming board', async () => {
    for (const path of ['/v1/boards/nope', '/v1/boards/nope/standings', '/v1/boards/nope/aggregates/history', '/v1/events?board=nope', '/v1/changes?board=nope', '/v1/quarantine?board=nope', '/v1/identity/unmapped?board=nope', '/feed.xml?board=nope', `/v1/models/${encodeURIComponent(slashed)}/history?board=nope`]) {
      expect(await get(path), path).toMatchObject({ status: 404, body: { code: 'not_found', message: 'unknown board: nope', parameter: 'board' } });
    }
    // A malformed parameter is reported before the unknown board, as it always was.
    expect((await get('/v1/boards/nope/standings?at=soon')).status).toBe(400);
  });
});

describe('GET /docs', () => {
  it('is an HTML page whose every asset is a local URL that answers 200 with its media type', async () => {
    const page = await get('/docs');
    expect(page.status).toBe(200);
    expect(page.type).toContain('text/html');
    const urls = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    expect(urls.length).toBeGreaterThanOrEqual(3);
    expect(page.text).toContain("url: 'openapi.json'");
    for (const url of [...urls, 'openapi.json']) {
      expect(url, 'no CDN, no absolute URL').not.toMatch(/^(?:[a-z]+:|\/\/)/i);
      const resolved = new URL(url, 'http://rankwatch.test/docs');
      const asset = await app.request(resolved.pathname);
      expect(asset.status, url).toBe(200);
      const file = resolved.pathname.replace(/^\/docs\//, '');
      if (file in DOCS_ASSETS) expect(asset.headers.get('content-type')).toBe(DOCS_ASSETS[file]);
      expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(100);
    }
    expect(urls).toContain('docs/swagger-ui-bundle.js');
  });

  it('an unknown asset is a 404; without node_modules (a Worker) the assets are 404s that say why, and /openapi.json still answers', async () => {
    expect(await get('/docs/secrets.txt')).toMatchObject({ status: 404, body: { code: 'not_found' } });
    expect(await get('/docs/..%2Fpackage.json')).toMatchObject({ status: 404 });
    const bare = createApp({ db: database.db, docsAssets: async () => null, metrics: null });
    const asset = await bare.request('/docs/swagger-ui.css');
    expect(asset.status).toBe(404);
    expect(((await asset.json()) as { message: string }).message).toMatch(/not installed here.*\/openapi\.json/);
    const json = await bare.request('/openapi.json');
    expect(json.status).toBe(200);
    expect(((await json.json()) as OpenApiDocument).openapi).toMatch(/^3\.1/);
  });
});

describe("the CLI's typed client (hc<AppType>) against the API on a real socket", () => {
  let server: ServerType;
  let url: string;
  beforeAll(async () => {
    const port = await new Promise<number>((resolve) => {
      server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => resolve(info.port));
    });
    url = `http://127.0.0.1:${port}`;
  });
  afterAll(() => {
    server.close();
  });

  it('reads boards, a slashed model history and events, and turns a 404 into NotFoundError', async () => {
    const client = serviceClient(url);
    const { boards } = await answer(client.v1.boards.$get());
    expect(boards.map((board) => board.id)).toContain(PRICES);
    const { history } = await answer(client.v1.models[':model{.+?}'].history.$get({ param: { model: encodeURIComponent(slashed) }, query: { board: PRICES } }));
    expect(history[0]).toMatchObject({ board: PRICES, model: slashed });
    const { events } = await answer(client.v1.events.$get({ query: { board: PRICES, limit: '5' } }));
    expect(events.length).toBeGreaterThan(0);
    await expect(answer(client.v1.models[':model{.+}'].$get({ param: { model: 'no%2Fsuch' }, query: {} }))).rejects.toThrow(NotFoundError);
    await expect(answer(client.v1.events.$get({ query: { limit: '0' } }))).rejects.toMatchObject({ code: 'invalid_parameter', message: /^limit: / });
    const admin = serviceClient(url, TOKEN);
    expect((await answer(admin.v1.subscriptions.$get({ query: {} }))).subscriptions.length).toBeGreaterThan(0);
  });

  it('is typed from the routes: a misspelt path or parameter does not compile (checked by tsc)', () => {
    const client = serviceClient(url);
    const calls = [
      // @ts-expect-error -- no route /v1/bords
      () => client.v1.bords.$get(),
      // @ts-expect-error -- /v1/events has no query parameter `bord`
      () => client.v1.events.$get({ query: { bord: 'x' } }),
      // @ts-expect-error -- the history route's parameter is `model`
      () => client.v1.models[':model{.+?}'].history.$get({ param: { id: 'x' }, query: {} }),
    ];
    expect(calls).toHaveLength(3);
  });
});
