import { createApp } from '../../src/api/app.ts';
import { parseAtomFeed, parseJsonFeed, parseRssFeed } from 'feedsmith';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listEvents, type EventFilter } from '../../src/db/queries.ts';
import type { StoredEvent } from '../../src/diff/events.ts';
import type { SettleWindow } from '../../src/diff/settle.ts';
import { makeEntry, type Entry } from '../../src/entry.ts';
import { eventGuid } from '../../src/feed/rss.ts';
import { FEED_TITLE } from '../../src/feed/routes.ts';
import { applyCapture } from '../../src/ingest/store.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

const PUBLIC_URL = 'https://rankwatch.test';
const TEXT = 'lmarena-text';
const VISION = 'lmarena-vision';
const POLYGLOT = 'aider-polyglot';
const LIVEBENCH = 'livebench';
const FORMATS = ['xml', 'atom', 'json'] as const;
type Format = (typeof FORMATS)[number];

let database: TestDatabase;
let app: ReturnType<typeof createApp>;

/** The whole API, which mounts the feed routes. */
function buildApp() {
  return createApp({ db: database.db, publicUrl: PUBLIC_URL });
}

function e(model: string, rank: number, score: number): Entry {
  return makeEntry({ model, name: model.toUpperCase(), rank, score, scoreLower: score - 4, scoreUpper: score + 3, votes: 1000, organization: 'Org' });
}

async function capture(board: string, at: string, entries: Entry[], settle: SettleWindow = { scrapes: 1 }): Promise<void> {
  await applyCapture(database.db, {
    board,
    capturedAt: new Date(at),
    entries,
    origin: 'import',
    source: null,
    contentHash: `${board}-${at}`,
    format: 'test',
    parserVersion: '1',
    publishedAt: null,
    settle,
  });
}

async function get(path: string, headers: Record<string, string> = {}) {
  const response = await app.request(path, { headers });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** One feed item as every format has it. */
interface Item {
  id: string;
  title: string;
}

/** The text an HTML fragment without tags shows (what a reader makes of an Atom `type="html"` title). */
function htmlText(html: string): string {
  expect(html).not.toMatch(/<|>/);
  return html.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

/** Parses a feed back with feedsmith, checks the elements its format requires, and returns its items. */
function itemsOf(format: Format, text: string): Item[] {
  if (format === 'xml') {
    const rss = parseRssFeed(text);
    expect(rss.title).toBe(FEED_TITLE);
    expect(rss.link).toBe(`${PUBLIC_URL}/`);
    expect(rss.description).toBeTruthy();
    return (rss.items ?? []).map((item) => {
      expect(item.guid?.isPermaLink).toBe(false);
      expect(item.pubDate).toBeTruthy();
      return { id: item.guid?.value ?? '', title: item.title ?? '' };
    });
  }
  if (format === 'atom') {
    const atom = parseAtomFeed(text);
    expect(atom.id).toBeTruthy();
    expect(atom.title?.value).toBe(FEED_TITLE);
    expect(Number.isNaN(Date.parse(atom.updated ?? ''))).toBe(false);
    expect(atom.authors?.[0]?.name).toBe('rankwatch');
    return (atom.entries ?? []).map((entry) => {
      expect(Number.isNaN(Date.parse(entry.updated ?? ''))).toBe(false);
      expect(entry.links?.[0]?.href).toMatch(new RegExp(`^${PUBLIC_URL}/v1/events/\\d+$`));
      const title = entry.title?.value ?? '';
      return { id: entry.id ?? '', title: entry.title?.type === 'html' ? htmlText(title) : title };
    });
  }
  // feedsmith reads any JSON Feed version, so the version is checked on the raw document.
  expect(JSON.parse(text).version).toBe('https://jsonfeed.org/version/1.1');
  const json = parseJsonFeed(text);
  expect(json.title).toBe(FEED_TITLE);
  expect(json.home_page_url).toBe(PUBLIC_URL);
  expect(json.language).toBe('en');
  return (json.items ?? []).map((item) => {
    expect(item.content_text).toBe(item.title);
    expect(Number.isNaN(Date.parse(item.date_published ?? ''))).toBe(false);
    return { id: item.id ?? '', title: item.title ?? '' };
  });
}

/** The self link each format declares. */
function selfLinkOf(format: Format, text: string): string | undefined {
  if (format === 'xml') return parseRssFeed(text).atom?.links?.find((link) => link.rel === 'self')?.href;
  if (format === 'atom') return parseAtomFeed(text).links?.find((link) => link.rel === 'self')?.href;
  return parseJsonFeed(text).feed_url;
}

async function feed(format: Format, query = '') {
  const response = await get(`/feed.${format}${query}`);
  expect(response.status).toBe(200);
  return { ...response, items: itemsOf(format, response.text) };
}

async function stored(filter: Partial<EventFilter> = {}): Promise<StoredEvent[]> {
  return listEvents(database.db, { limit: 100, ...filter });
}

beforeAll(async () => {
  database = await createTestDatabase();
  app = buildApp();
  await capture(TEXT, '2024-06-01T00:00:00Z', [e('gpt-4o', 1, 1287), e('claude', 2, 1272), e('gemini', 3, 1267)]);
  await capture(TEXT, '2024-06-08T00:00:00Z', [e('claude', 1, 1290), e('gpt-4o', 2, 1287), e('gemini', 3, 1267)]);
  await capture(TEXT, '2024-06-15T00:00:00Z', [e('claude', 1, 1290), e('gpt-4o', 2, 1287), e('grok', 3, 1270)]);
  // A name with characters that are markup in XML and HTML.
  await capture(LIVEBENCH, '2024-05-01T00:00:00Z', [e('l1', 1, 70)]);
  await capture(LIVEBENCH, '2024-05-02T00:00:00Z', [e('l1', 1, 70), { ...e('r&d', 2, 60), name: 'R&D <b>"beta"</b>' }]);
  // The default window: the swap of 06-09 is announced by the unchanged capture of 06-10.
  await capture(VISION, '2024-06-02T00:00:00Z', [e('v1', 1, 1200), e('v2', 2, 1190)], { scrapes: 2 });
  await capture(VISION, '2024-06-09T00:00:00Z', [e('v2', 1, 1210), e('v1', 2, 1200)], { scrapes: 2 });
  await capture(VISION, '2024-06-10T00:00:00Z', [e('v2', 1, 1210), e('v1', 2, 1200)], { scrapes: 2 });
});
afterAll(async () => {
  await database.drop();
});

describe('feed formats', () => {
  it('/feed.xml is RSS 2.0 with the channel title, link and description, a self link and item GUIDs', async () => {
    const { headers, text, items } = await feed('xml');
    expect(headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
    expect(text).toContain('<rss version="2.0"');
    expect(selfLinkOf('xml', text)).toBe(`${PUBLIC_URL}/feed.xml`);
    expect(items.length).toBe((await stored()).length);
  });

  it('/feed.atom is Atom 1.0 with id, title, updated, a self link and entries with ids, titles and updated', async () => {
    const { headers, text, items } = await feed('atom');
    expect(headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
    expect(text).toContain('<feed xmlns="http://www.w3.org/2005/Atom">');
    expect(selfLinkOf('atom', text)).toBe(`${PUBLIC_URL}/feed.atom`);
    expect(parseAtomFeed(text).updated).toBe('2024-06-15T00:00:00.000Z');
    expect(items.length).toBe((await stored()).length);
  });

  it('/feed.json is JSON Feed 1.1 with title, feed_url and items with ids, text, dates and [kind, board] tags', async () => {
    const { headers, text, items } = await feed('json');
    expect(headers.get('content-type')).toBe('application/feed+json; charset=utf-8');
    expect(selfLinkOf('json', text)).toBe(`${PUBLIC_URL}/feed.json`);
    const events = await stored();
    expect(items.length).toBe(events.length);
    const first = parseJsonFeed(text).items?.[0];
    expect(first).toMatchObject({ url: `${PUBLIC_URL}/v1/events/${events[0]?.id}`, date_published: events[0]?.capturedAt, tags: [events[0]?.kind, events[0]?.board] });
  });

  it.each(FORMATS)('/feed.%s: item ids are the events’ stable GUIDs, newest first, the same on every request', async (format) => {
    const expected = (await stored()).map(eventGuid);
    expect(expected.length).toBeGreaterThan(5);
    expect((await feed(format)).items.map((item) => item.id)).toEqual(expected);
    expect((await feed(format)).items.map((item) => item.id)).toEqual(expected);
  });

  it('the three formats carry the same items with the same titles, markup characters included', async () => {
    const [rss, atom, json] = await Promise.all(FORMATS.map((format) => feed(format, '?kind=new_leader,entered')));
    expect(rss?.items.map((item) => item.title)).toEqual([
      'GROK enters lmarena-text at #3 with 1270',
      'V2 takes #1 on lmarena-vision (was #2) (significant: clear of the confidence intervals)',
      'CLAUDE takes #1 on lmarena-text (was #2) (within the confidence intervals)',
      'R&D <b>"beta"</b> enters livebench at #2 with 60',
    ]);
    expect(atom?.items).toEqual(rss?.items);
    expect(json?.items).toEqual(rss?.items);
    // Atom titles are HTML: the name is escaped there, not taken as markup.
    expect(atom?.text).toContain('R&amp;D &lt;b&gt;&quot;beta&quot;&lt;/b&gt; enters livebench');
  });

  it.each(FORMATS)('/feed.%s: the self link keeps the query', async (format) => {
    const { text } = await feed(format, `?board=${TEXT}&kind=entered`);
    expect(selfLinkOf(format, text)).toBe(`${PUBLIC_URL}/feed.${format}?board=${TEXT}&kind=entered`);
  });
});

describe('feed filters', () => {
  const filters: [string, Partial<EventFilter>][] = [
    ['?kind=new_leader', { kind: ['new_leader'] }],
    [`?board=${VISION}`, { board: VISION }],
    [`?board=${TEXT}&kind=rank_changed&kind=exited`, { board: TEXT, kind: ['rank_changed', 'exited'] }],
    ['?since=2024-06-09&limit=2', { since: new Date('2024-06-09T00:00:00Z'), limit: 2 }],
  ];

  it.each(filters)('%s narrows the items identically in all three formats', async (query, filter) => {
    const expected = (await stored(filter)).map(eventGuid);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan((await stored()).length);
    for (const format of FORMATS) expect((await feed(format, query)).items.map((item) => item.id)).toEqual(expected);
  });

  it.each(FORMATS)('/feed.%s: a bad filter is the API’s JSON 400 or 404', async (format) => {
    const bad = await get(`/feed.${format}?kind=bogus`);
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/json');
    expect(JSON.parse(bad.text)).toMatchObject({ code: 'invalid_parameter', parameter: 'kind', requestId: bad.headers.get('x-request-id') });
    expect(JSON.parse(bad.text).message).toMatch(/^kind: unknown event kind "bogus"/);
    expect((await get(`/feed.${format}?limit=0`)).status).toBe(400);
    const unknown = await get(`/feed.${format}?board=nope`);
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.text)).toMatchObject({ code: 'not_found', message: 'unknown board: nope' });
  });
});

describe('conditional GET', () => {
  it.each(FORMATS)('/feed.%s: strong ETag, Last-Modified and Cache-Control', async (format) => {
    const { headers } = await feed(format);
    expect(headers.get('etag')).toMatch(/^"[0-9a-f]{64}"$/);
    expect(headers.get('last-modified')).toBe('Sat, 15 Jun 2024 00:00:00 GMT');
    expect(headers.get('cache-control')).toBe('public, max-age=60');
  });

  it('ETags differ between formats and between filters, and repeat for the same request', async () => {
    const tags = await Promise.all(['/feed.xml', '/feed.atom', '/feed.json', '/feed.xml?kind=new_leader', `/feed.xml?board=${VISION}`].map(async (path) => (await get(path)).headers.get('etag')));
    expect(new Set(tags).size).toBe(tags.length);
    expect((await get('/feed.xml')).headers.get('etag')).toBe(tags[0]);
  });

  it.each(FORMATS)('/feed.%s: If-None-Match with the ETag (also weak, in a list, or *) is 304 without a body', async (format) => {
    const path = `/feed.${format}?board=${TEXT}`;
    const etag = (await get(path)).headers.get('etag') ?? '';
    for (const ifNoneMatch of [etag, `W/${etag}`, `"stale", ${etag}`, '*']) {
      const response = await get(path, { 'if-none-match': ifNoneMatch });
      expect(response.status, ifNoneMatch).toBe(304);
      expect(response.text).toBe('');
      expect(response.headers.get('etag')).toBe(etag);
      expect(response.headers.get('cache-control')).toBe('public, max-age=60');
    }
  });

  it.each(FORMATS)('/feed.%s: If-None-Match with another ETag is 200 with the feed', async (format) => {
    const path = `/feed.${format}?board=${TEXT}`;
    const other = (await get(`/feed.${format}?board=${VISION}`)).headers.get('etag') ?? '';
    const response = await get(path, { 'if-none-match': `${other}, "0000"` });
    expect(response.status).toBe(200);
    expect(itemsOf(format, response.text).length).toBe((await stored({ board: TEXT })).length);
    // If-None-Match decides alone: a fresh If-Modified-Since does not make it 304.
    expect((await get(path, { 'if-none-match': other, 'if-modified-since': 'Sun, 16 Jun 2024 00:00:00 GMT' })).status).toBe(200);
  });

  it.each(FORMATS)('/feed.%s: If-Modified-Since at or after Last-Modified is 304, before it 200', async (format) => {
    const path = `/feed.${format}?board=${TEXT}`;
    const lastModified = (await get(path)).headers.get('last-modified') ?? '';
    expect(lastModified).toBe('Sat, 15 Jun 2024 00:00:00 GMT');
    const notModified = await get(path, { 'if-modified-since': lastModified });
    expect(notModified.status).toBe(304);
    expect(notModified.text).toBe('');
    expect((await get(path, { 'if-modified-since': 'Sun, 16 Jun 2024 00:00:00 GMT' })).status).toBe(304);
    expect((await get(path, { 'if-modified-since': 'Fri, 14 Jun 2024 23:59:59 GMT' })).status).toBe(200);
    expect((await get(path, { 'if-modified-since': 'last week' })).status).toBe(200);
  });

  it('Last-Modified is when the newest event was announced, not when it was captured', async () => {
    const [newest] = await stored({ board: VISION });
    expect(newest?.capturedAt).toBe('2024-06-09T00:00:00.000Z');
    expect(newest?.settledAt).toBe('2024-06-10T00:00:00.000Z');
    for (const format of FORMATS) expect((await get(`/feed.${format}?board=${VISION}`)).headers.get('last-modified')).toBe('Mon, 10 Jun 2024 00:00:00 GMT');
    expect(parseAtomFeed((await get(`/feed.atom?board=${VISION}`)).text).updated).toBe('2024-06-10T00:00:00.000Z');
  });

  it.each(FORMATS)('/feed.%s: an empty feed has an ETag but no Last-Modified, and If-Modified-Since does not 304 it', async (format) => {
    const path = `/feed.${format}?since=2030-01-01`;
    const { headers, items } = await feed(format, '?since=2030-01-01');
    expect(items).toEqual([]);
    expect(headers.get('etag')).toMatch(/^"[0-9a-f]{64}"$/);
    expect(headers.get('last-modified')).toBeNull();
    expect((await get(path, { 'if-modified-since': 'Sun, 16 Jun 2024 00:00:00 GMT' })).status).toBe(200);
    expect((await get(path, { 'if-none-match': headers.get('etag') ?? '' })).status).toBe(304);
  });

  it('a new event changes the ETag and Last-Modified: the old validators get the new feed', async () => {
    const path = `/feed.json?board=${POLYGLOT}`;
    await capture(POLYGLOT, '2024-07-01T00:00:00Z', [e('p1', 1, 80), e('p2', 2, 70)]);
    const before = await get(path);
    const etag = before.headers.get('etag') ?? '';
    const lastModified = before.headers.get('last-modified') ?? '';
    expect((await get(path, { 'if-none-match': etag })).status).toBe(304);
    await capture(POLYGLOT, '2024-07-02T00:00:00Z', [e('p2', 1, 85), e('p1', 2, 80)]);
    const after = await get(path, { 'if-none-match': etag });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(etag);
    expect(itemsOf('json', after.text).map((item) => item.id)).toEqual((await stored({ board: POLYGLOT })).map(eventGuid));
    expect((await get(path, { 'if-modified-since': lastModified })).status).toBe(200);
  });
});
