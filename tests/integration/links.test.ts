import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { parseAtomFeed, parseJsonFeed, parseRssFeed } from 'feedsmith';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.ts';
import { makeEntry, type Entry } from '../../src/entry.ts';
import { applyCapture } from '../../src/ingest/store.ts';
import { startServe } from '../support/cli.ts';
import { createCliEnvironment, createTestDatabase, type TestDatabase } from '../support/db.ts';

const PUBLIC_URL = 'https://rankwatch.example';
const FORGED = 'evil.example';

let database: TestDatabase;
const servers: ServerType[] = [];

const e = (model: string, rank: number, score: number): Entry => makeEntry({ model, name: model, rank, score, votes: 100, organization: 'Org' });

async function capture(at: string, entries: Entry[]): Promise<void> {
  await applyCapture(database.db, { board: 'lmarena-text', capturedAt: new Date(at), entries, origin: 'import', source: null, contentHash: at, format: 'test', parserVersion: '1', publishedAt: null, settle: { scrapes: 1 } });
}

/** The API on a real loopback socket (so the Host header is what the request URL is built from). */
async function listen(publicUrl: string | undefined): Promise<number> {
  const app = createApp({ db: database.db, publicUrl });
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => resolve(info.port));
    servers.push(server);
  });
}

/** A raw GET with the headers given as sent, Host included. */
function rawGet(port: number, path: string, headers: Record<string, string>): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Every link a feed carries: home, self, and each item's. */
function linksOf(path: string, body: string): string[] {
  if (path.startsWith('/feed.xml')) {
    const rss = parseRssFeed(body);
    return [rss.link ?? '', ...(rss.atom?.links ?? []).map((link) => link.href ?? ''), ...(rss.items ?? []).map((item) => item.link ?? '')];
  }
  if (path.startsWith('/feed.atom')) {
    const atom = parseAtomFeed(body);
    return [...(atom.links ?? []).map((link) => link.href ?? ''), ...(atom.entries ?? []).flatMap((entry) => (entry.links ?? []).map((link) => link.href ?? ''))];
  }
  const json = parseJsonFeed(body);
  return [json.home_page_url ?? '', json.feed_url ?? '', ...(json.items ?? []).map((item) => item.url ?? '')];
}

const FEEDS = ['/feed.xml', '/feed.atom', '/feed.json', '/feed.json?per=event'];

beforeAll(async () => {
  database = await createTestDatabase();
  await capture('2025-01-01T00:00:00Z', [e('a', 1, 1300), e('b', 2, 1290)]);
  await capture('2025-01-02T00:00:00Z', [e('b', 1, 1310), e('a', 2, 1300)]);
});
afterAll(async () => {
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
  await database.drop();
});

describe('the feeds’ home link resolves', () => {
  it('/ is the dashboard, readable without JavaScript (the boards in its HTML), naming the three feeds (also as <link rel="alternate">) and the API', async () => {
    const response = await createApp({ db: database.db, publicUrl: PUBLIC_URL }).request('/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=UTF-8');
    const html = await response.text();
    // What a script adds is the charts; the facts are in the page itself.
    expect(html).toMatch(/<th scope="row"><a href="\/boards\/lmarena-text">LMArena Text<\/a>/);
    for (const [path, type] of [['/feed.xml', 'application/rss+xml'], ['/feed.atom', 'application/atom+xml'], ['/feed.json', 'application/feed+json']]) {
      expect(html).toContain(`<a href="${path}">`);
      expect(html).toContain(`<link rel="alternate" type="${type}"`);
      expect(html.split('\n').some((line) => line.includes(`type="${type}"`) && line.includes(`href="${path}">`))).toBe(true);
    }
    for (const path of ['/events', '/docs', '/openapi.json']) expect(html).toContain(`<a href="${path}">`);
  });

  it('every link of / answers 200 (the API docs and every board page included)', async () => {
    const app = createApp({ db: database.db, publicUrl: PUBLIC_URL });
    const html = await (await app.request('/')).text();
    const links = [...html.matchAll(/<a href="([^"]+)"/g)].map((match) => match[1]!.replaceAll('&amp;', '&')).filter((href) => !/^https?:/.test(href) && !href.startsWith('#'));
    expect(links).toContain('/docs');
    expect(links).toContain('/boards/lmarena-text');
    for (const href of links) {
      const url = new URL(href, 'http://rankwatch.test/');
      expect((await app.request(`${url.pathname}${url.search}`)).status, href).toBe(200);
    }
  });

  it.each(FEEDS)('%s: its home link is / under the public URL, and answers 200 there', async (path) => {
    const app = createApp({ db: database.db, publicUrl: PUBLIC_URL });
    const [home] = linksOf(path, await (await app.request(path)).text());
    expect(home).toBe(`${PUBLIC_URL}/`);
    const resolved = await app.request(new URL(home!).pathname);
    expect(resolved.status).toBe(200);
    expect(await resolved.text()).toContain('<a href="/feed.atom">');
  });
});

describe('feed links never follow a forged Host or X-Forwarded-Host', () => {
  it.each(FEEDS)('%s with RANKWATCH_PUBLIC_URL set: every link is under the public URL whatever Host and X-Forwarded-Host say', async (path) => {
    const port = await listen(PUBLIC_URL);
    const forged: Record<string, string>[] = [{ host: FORGED }, { host: `127.0.0.1:${port}`, 'x-forwarded-host': FORGED, 'x-forwarded-proto': 'http' }, { host: FORGED, 'x-forwarded-host': FORGED }];
    for (const headers of forged) {
      const response = await rawGet(port, path, headers);
      expect(response.status).toBe(200);
      expect(response.body).not.toContain(FORGED);
      const links = linksOf(path, response.body);
      expect(links.length).toBeGreaterThan(3);
      for (const link of links) expect(link.startsWith(`${PUBLIC_URL}/`), link).toBe(true);
    }
  });

  it('without a public URL the links follow the address the request came to, never X-Forwarded-Host', async () => {
    const port = await listen(undefined);
    const response = await rawGet(port, '/feed.json', { host: `127.0.0.1:${port}`, 'x-forwarded-host': FORGED });
    expect(response.body).not.toContain(FORGED);
    for (const link of linksOf('/feed.json', response.body)) expect(link.startsWith(`http://127.0.0.1:${port}/`), link).toBe(true);
  });

  it('/ carries no absolute link to this service, so a forged Host cannot show up in it', async () => {
    const port = await listen(PUBLIC_URL);
    const response = await rawGet(port, '/', { host: FORGED, 'x-forwarded-host': FORGED });
    expect(response.status).toBe(200);
    expect(response.body).not.toContain(FORGED);
  });
});

describe('rankwatch serve warns when alerts would link to a loopback address', () => {
  const running: { child: { kill: (signal: NodeJS.Signals) => boolean }; exited: Promise<number | null> }[] = [];
  afterAll(async () => {
    for (const service of running) {
      service.child.kill('SIGTERM');
      await service.exited;
    }
  });

  async function serveOutput(extra: Record<string, string>): Promise<string> {
    const { env, cleanup } = await createCliEnvironment();
    try {
      const service = await startServe({ ...env, RANKWATCH_SCHEDULER: 'false', ...extra });
      running.push(service);
      service.child.kill('SIGTERM');
      await service.exited;
      return service.output();
    } finally {
      await cleanup();
    }
  }

  it('says so at start without RANKWATCH_PUBLIC_URL, naming the address alerts would carry; not when it is set', async () => {
    const bare = await serveOutput({});
    // Standard error is a pipe here: serve logs JSON lines (RANKWATCH_LOG_FORMAT=auto).
    expect(bare).toMatch(/"level":"warn",[^\n]*"msg":"RANKWATCH_PUBLIC_URL is not set: links in alerts will point at http:\/\/127\.0\.0\.1:\d+, which only this machine can open/);
    const configured = await serveOutput({ RANKWATCH_PUBLIC_URL: PUBLIC_URL });
    expect(configured).toMatch(/listening on/);
    expect(configured).not.toContain('RANKWATCH_PUBLIC_URL is not set');
  });
});
