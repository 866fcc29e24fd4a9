// Feeds gzipped for readers that ask (Accept-Encoding), each encoding its own strong ETag.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { getRequestListener } from '@hono/node-server';
import { parseAtomFeed } from 'feedsmith';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.ts';
import { makeEntry, type Entry } from '../../src/entry.ts';
import { acceptsGzip } from '../../src/feed/routes.ts';
import { applyCapture } from '../../src/ingest/store.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

let database: TestDatabase;
let app: ReturnType<typeof createApp>;

const e = (model: string, rank: number, score: number): Entry =>
  makeEntry({ model, name: model, rank, score, scoreLower: score - 4, scoreUpper: score + 3, votes: 1000, organization: 'OpenAI' });

beforeAll(async () => {
  database = await createTestDatabase();
  const days = ['2024-06-01', '2024-06-08', '2024-06-15'];
  const boards = [
    [e('gpt-4o', 1, 1287), e('gemini', 2, 1270), e('claude', 3, 1260)],
    [e('gemini', 1, 1290), e('gpt-4o', 2, 1287), e('claude', 3, 1262)],
    [e('claude', 1, 1300), e('gemini', 2, 1290), e('gpt-4o', 3, 1280)],
  ];
  for (const [index, day] of days.entries()) {
    await applyCapture(database.db, {
      board: 'lmarena-text',
      capturedAt: new Date(`${day}T00:00:00Z`),
      entries: boards[index]!,
      origin: 'import',
      source: day,
      contentHash: day,
      format: 'test',
      parserVersion: '1',
      publishedAt: null,
      settle: { scrapes: 1 },
    });
  }
  app = createApp({ db: database.db, publicUrl: 'https://rankwatch.example' });
});
afterAll(async () => database.drop());

describe('Accept-Encoding', () => {
  it.each([
    ['gzip', true],
    ['gzip, deflate, br', true],
    ['br;q=1.0, gzip;q=0.8, *;q=0.1', true],
    ['x-gzip', true],
    ['*', true],
    ['gzip;q=0', false],
    ['*;q=0.5, gzip;q=0', false],
    ['identity', false],
    ['br', false],
    ['', false],
  ] as const)('%j accepts gzip: %s', (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });
});

describe.each(['/feed.xml', '/feed.atom', '/feed.json'])('%s', (path) => {
  it('is gzipped when asked, the same document, with its own ETag and 304', async () => {
    const plain = await app.request(path);
    const zipped = await app.request(path, { headers: { 'accept-encoding': 'gzip, deflate' } });
    expect(plain.status).toBe(200);
    expect(zipped.status).toBe(200);
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    for (const response of [plain, zipped]) expect(response.headers.get('vary') ?? '').toMatch(/accept-encoding/i);
    const text = await plain.text();
    expect(text).toContain('gemini');
    expect(gunzipSync(Buffer.from(await zipped.arrayBuffer())).toString('utf8')).toBe(text);
    const [plainTag, zippedTag] = [plain.headers.get('etag')!, zipped.headers.get('etag')!];
    expect(plainTag).toMatch(/^"[0-9a-f]{64}"$/);
    expect(zippedTag).toMatch(/^"[0-9a-f]{64}-gzip"$/);
    // Each representation validates against its own tag only.
    expect((await app.request(path, { headers: { 'accept-encoding': 'gzip', 'if-none-match': zippedTag } })).status).toBe(304);
    expect((await app.request(path, { headers: { 'if-none-match': plainTag } })).status).toBe(304);
    expect((await app.request(path, { headers: { 'accept-encoding': 'gzip', 'if-none-match': plainTag } })).status).toBe(200);
    expect((await app.request(path, { headers: { 'accept-encoding': 'gzip;q=0' } })).headers.get('content-encoding')).toBeNull();
  });
});

it('a reader over HTTP gets the gzipped Atom feed and reads it', async () => {
  const server = createServer(getRequestListener(app.fetch));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    // fetch (undici) asks for gzip and decompresses, as feed readers do.
    const response = await fetch(`http://127.0.0.1:${port}/feed.atom`);
    expect(response.headers.get('content-encoding')).toBe('gzip');
    const feed = parseAtomFeed(await response.text());
    expect(feed.entries?.length).toBeGreaterThan(0);
    expect(JSON.stringify(feed.entries?.[0]?.title)).toMatch(/lmarena-text/);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
