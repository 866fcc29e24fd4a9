import { Hono } from 'hono';
import { parseAtomFeed, parseJsonFeed, parseRssFeed } from 'feedsmith';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.ts';
import { httpLayer } from '../../src/api/http.ts';
import { listEvents, type EventFilter } from '../../src/db/queries.ts';
import type { StoredEvent } from '../../src/diff/events.ts';
import type { SettleWindow } from '../../src/diff/settle.ts';
import { makeEntry, type Entry } from '../../src/entry.ts';
import { changeSetGuid, eventGuid } from '../../src/feed/items.ts';
import { FEED_TITLE, mountFeeds, PUBLIC_FEED_KINDS, STABLE_AFTER_MS } from '../../src/feed/routes.ts';
import { applyCapture, recordScrape } from '../../src/ingest/store.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

const PUBLIC_URL = 'https://rankwatch.test';
const TEXT = 'lmarena-text';
const VISION = 'lmarena-vision';
const POLYGLOT = 'aider-polyglot';
const LIVEBENCH = 'livebench';
const SWE = 'swebench-verified';
const FORMATS = ['xml', 'atom', 'json'] as const;
type Format = (typeof FORMATS)[number];

let database: TestDatabase;
let app: ReturnType<typeof createApp>;
/** The feed routes with a clock a minute and more ahead, so Last-Modified is sent at once (see STABLE_AFTER_MS). */
let later: Hono;

function e(model: string, rank: number, score: number): Entry {
  return makeEntry({ model, name: model.toUpperCase(), rank, score, scoreLower: score - 4, scoreUpper: score + 3, votes: 1000, organization: 'Org' });
}

async function capture(board: string, at: string, entries: Entry[], settle: SettleWindow = { scrapes: 1 }, origin: 'import' | 'live' = 'import'): Promise<void> {
  await applyCapture(database.db, {
    board,
    capturedAt: new Date(at),
    ...(origin === 'live' ? { ranAt: new Date(at) } : {}),
    entries,
    origin,
    source: null,
    contentHash: `${board}-${at}`,
    format: 'test',
    parserVersion: '1',
    publishedAt: null,
    settle,
  });
}

async function get(path: string, headers: Record<string, string> = {}, via: Pick<Hono, 'request'> = app) {
  const response = await via.request(path, { headers });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** One feed item as every format has it. */
interface Item {
  id: string;
  title: string;
  url: string;
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
      expect(item.description).toBeTruthy();
      return { id: item.guid?.value ?? '', title: item.title ?? '', url: item.link ?? '' };
    });
  }
  if (format === 'atom') {
    const atom = parseAtomFeed(text);
    expect(atom.id).toBeTruthy();
    expect(atom.title).toEqual({ value: FEED_TITLE, type: 'text' });
    expect(Number.isNaN(Date.parse(atom.updated ?? ''))).toBe(false);
    expect(atom.authors?.[0]?.name).toBe('rankwatch');
    expect(atom.links?.find((link) => link.rel === 'alternate')?.href).toBe(`${PUBLIC_URL}/`);
    return (atom.entries ?? []).map((entry) => {
      expect(Number.isNaN(Date.parse(entry.updated ?? ''))).toBe(false);
      // Titles are plain text: what the reader shows is the value itself, nothing to unescape.
      expect(entry.title?.type).toBe('text');
      expect(entry.content?.type).toBe('html');
      return { id: entry.id ?? '', title: entry.title?.value ?? '', url: entry.links?.[0]?.href ?? '' };
    });
  }
  // feedsmith reads any JSON Feed version, so the version is checked on the raw document.
  expect(JSON.parse(text).version).toBe('https://jsonfeed.org/version/1.1');
  const json = parseJsonFeed(text);
  expect(json.title).toBe(FEED_TITLE);
  expect(json.home_page_url).toBe(`${PUBLIC_URL}/`);
  expect(json.language).toBe('en');
  return (json.items ?? []).map((item) => {
    expect(item.content_text).toBeTruthy();
    expect(item.content_html).toBeTruthy();
    expect(Number.isNaN(Date.parse(item.date_published ?? ''))).toBe(false);
    return { id: item.id ?? '', title: item.title ?? '', url: item.url ?? '' };
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

/** Announced events as a feed shows them by default: operator events left out unless `kind` names them. */
async function stored(filter: Partial<EventFilter> = {}): Promise<StoredEvent[]> {
  return listEvents(database.db, { limit: 1000, kind: PUBLIC_FEED_KINDS, ...filter });
}

/** The events grouped as the default feed shows them, one group per change set, newest first (computed here, not by the code under test). */
function groups(events: readonly StoredEvent[]): StoredEvent[][] {
  const byKey = new Map<string, StoredEvent[]>();
  for (const event of events) {
    const key = event.snapshotId === null ? `e${event.id}` : `s${event.snapshotId}`;
    byKey.set(key, [...(byKey.get(key) ?? []), event]);
  }
  return [...byKey.values()];
}

const groupId = (group: StoredEvent[]) => (group[0]!.snapshotId === null ? eventGuid(group[0]!) : changeSetGuid(group[0]!));

/** The database's own wall clock: when it last wrote anything a feed without `kind` shows (operator events are not among it). */
async function lastWrite(): Promise<Date> {
  const result = await database.db.execute(
    sql`select greatest((select max(updated_at) from events where kind not in ('scrape_failed', 'scrape_recovered', 'snapshot_quarantined')), (select max(created_at) from snapshots)) as at`,
  );
  const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as { at: Date | string }[];
  return new Date(rows[0]!.at);
}

/** Waits until the wall clock is in a later second: HTTP dates count whole seconds. */
async function nextSecond(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 1001 - (Date.now() % 1000)));
}

const started = Date.now();

beforeAll(async () => {
  database = await createTestDatabase();
  app = createApp({ db: database.db, publicUrl: PUBLIC_URL });
  later = new Hono();
  // The app's conditional GET, caching and CORS (src/api/http.ts), as createApp has them.
  later.use(...httpLayer());
  mountFeeds(later, { db: database.db, publicUrl: PUBLIC_URL, now: () => new Date(Date.now() + STABLE_AFTER_MS + 1000) });
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
  // Operator events: a failing live scrape, its recovery, a quarantined capture (12 models, then 3).
  const twelve = Array.from({ length: 12 }, (_, i) => e(`s${i + 1}`, i + 1, 80 - i));
  await capture(SWE, '2024-05-10T00:00:00Z', twelve, { scrapes: 1 }, 'live');
  await recordScrape(database.db, { board: SWE, status: 'failed', origin: 'live', capturedAt: new Date('2024-05-10T01:00:00Z'), ranAt: new Date('2024-05-10T01:00:00Z'), source: 'x', httpStatus: 503, error: 'HTTP 503' });
  await capture(SWE, '2024-05-10T02:00:00Z', twelve, { scrapes: 1 }, 'live');
  await capture(SWE, '2024-05-11T00:00:00Z', twelve.slice(0, 3));
});
afterAll(async () => {
  await database.drop();
});

describe('feed formats: one item per change set (the default)', () => {
  it('/feed.xml is RSS 2.0 with the channel title, link and description, a self link, and one item per change set', async () => {
    const { headers, text, items } = await feed('xml');
    expect(headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
    expect(text).toContain('<rss version="2.0"');
    expect(selfLinkOf('xml', text)).toBe(`${PUBLIC_URL}/feed.xml`);
    const expected = groups(await stored());
    expect(expected.length).toBeLessThan((await stored()).length);
    expect(items.length).toBe(expected.length);
  });

  it('/feed.atom is Atom 1.0 with id, text title, updated, self and alternate links, and entries with text titles and HTML content', async () => {
    const { headers, text, items } = await feed('atom');
    expect(headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
    expect(text).toContain('<feed xmlns="http://www.w3.org/2005/Atom"');
    expect(selfLinkOf('atom', text)).toBe(`${PUBLIC_URL}/feed.atom`);
    expect(items.length).toBe(groups(await stored()).length);
  });

  it('/feed.json is JSON Feed 1.1: per change set its summary, the events as an HTML list and as text, its link, capture date and tags', async () => {
    const { headers, text } = await feed('json');
    expect(headers.get('content-type')).toBe('application/feed+json; charset=utf-8');
    expect(selfLinkOf('json', text)).toBe(`${PUBLIC_URL}/feed.json`);
    const [newest] = groups(await stored({ board: TEXT }));
    const changeSet = JSON.parse((await get(`/v1/changes/${newest![0]!.snapshotId}`)).text) as { summary: string };
    const item = parseJsonFeed((await get(`/feed.json?board=${TEXT}`)).text).items?.[0];
    expect(item).toMatchObject({
      id: changeSetGuid({ board: TEXT, capturedAt: '2024-06-15T00:00:00.000Z' }),
      url: `${PUBLIC_URL}/v1/changes/${newest![0]!.snapshotId}`,
      title: changeSet.summary,
      date_published: '2024-06-15T00:00:00.000Z',
      tags: [TEXT, ...new Set(newest!.map((event) => event.kind))],
    });
    expect(changeSet.summary).toBe('lmarena-text: 1 entered; 1 exited');
    expect(item?.content_html).toBe(
      [
        '<ul>',
        '<li>GROK enters lmarena-text at #3 with 1270</li>',
        '<li>GEMINI leaves lmarena-text (was #3)</li>',
        '</ul>',
        `<p><a href="${PUBLIC_URL}/v1/changes/${newest![0]!.snapshotId}">Full change set</a> (captured 2024-06-15T00:00:00.000Z)</p>`,
      ].join('\n'),
    );
    expect(item?.content_text).toBe(
      ['• GROK enters lmarena-text at #3 with 1270', '• GEMINI leaves lmarena-text (was #3)', `Full change set: ${PUBLIC_URL}/v1/changes/${newest![0]!.snapshotId} (captured 2024-06-15T00:00:00.000Z)`].join('\n'),
    );
  });

  it.each(FORMATS)('/feed.%s: item ids are derived from board and capture time, newest first, the same on every request', async (format) => {
    const expected = groups(await stored()).map(groupId);
    expect(expected.length).toBeGreaterThan(3);
    expect((await feed(format)).items.map((item) => item.id)).toEqual(expected);
    expect((await feed(format)).items.map((item) => item.id)).toEqual(expected);
  });

  it.each(FORMATS)('/feed.%s: each item links to its change set in the API, and the link resolves', async (format) => {
    const { items } = await feed(format, `?board=${TEXT}`);
    expect(items.map((item) => item.url)).toEqual(groups(await stored({ board: TEXT })).map((group) => `${PUBLIC_URL}/v1/changes/${group[0]!.snapshotId}`));
    for (const item of items) expect((await get(item.url.slice(PUBLIC_URL.length))).status).toBe(200);
  });

  it('the three formats carry the same items with the same titles: the change sets’ summaries, markup characters included', async () => {
    const [rss, atom, json] = await Promise.all(FORMATS.map((format) => feed(format, `?board=${LIVEBENCH}`)));
    expect(rss?.items.map((item) => item.title)).toEqual(['livebench: 1 entered', 'livebench: first seen with 1 model, #1 L1']);
    expect(atom?.items).toEqual(rss?.items);
    expect(json?.items).toEqual(rss?.items);
    const body = parseAtomFeed(atom!.text).entries?.[0]?.content?.value ?? '';
    expect(body).toContain('<li>R&amp;D &lt;b&gt;&quot;beta&quot;&lt;/b&gt; enters livebench at #2 with 60</li>');
  });

  it.each(FORMATS)('/feed.%s: the self link keeps the query', async (format) => {
    const { text } = await feed(format, `?board=${TEXT}&kind=entered`);
    expect(selfLinkOf(format, text)).toBe(`${PUBLIC_URL}/feed.${format}?board=${TEXT}&kind=entered`);
  });
});

describe('feed formats: one item per event (?per=event)', () => {
  it.each(FORMATS)('/feed.%s?per=event: item ids are the events’ stable GUIDs, newest first, each linking to its event', async (format) => {
    const events = await stored();
    const { items } = await feed(format, '?per=event');
    expect(items.map((item) => item.id)).toEqual(events.map(eventGuid));
    expect(items.map((item) => item.url)).toEqual(events.map((event) => `${PUBLIC_URL}/v1/events/${event.id}`));
  });

  it('/feed.json?per=event: each item is the event in plain English, dated at its capture, tagged [kind, board]', async () => {
    const [first] = await stored();
    const item = parseJsonFeed((await get('/feed.json?per=event')).text).items?.[0];
    expect(item).toMatchObject({ url: `${PUBLIC_URL}/v1/events/${first?.id}`, date_published: first?.capturedAt, tags: [first?.kind, first?.board] });
    expect(item?.content_text).toBe(item?.title);
  });

  it('the three formats carry the same items with the same titles, markup characters included, Atom titles as plain text', async () => {
    const [rss, atom, json] = await Promise.all(FORMATS.map((format) => feed(format, '?kind=new_leader,entered&per=event')));
    expect(rss?.items.map((item) => item.title)).toEqual([
      'GROK enters lmarena-text at #3 with 1270',
      'V2 takes #1 on lmarena-vision (was #2) (significant: clear of the confidence intervals)',
      'CLAUDE takes #1 on lmarena-text (was #2) (within the confidence intervals)',
      'R&D <b>"beta"</b> enters livebench at #2 with 60',
    ]);
    expect(atom?.items.map((item) => item.title)).toEqual(rss?.items.map((item) => item.title));
    expect(json?.items.map((item) => item.title)).toEqual(rss?.items.map((item) => item.title));
    // XML-escaped once, as text: no HTML escaping inside to be undone a second time.
    expect(atom?.text).toContain('<title type="text">R&amp;D &lt;b&gt;&quot;beta&quot;&lt;/b&gt; enters livebench at #2 with 60</title>');
  });

  it('?per= other than event or change_set is a 400 naming the parameter', async () => {
    const bad = await get('/feed.xml?per=day');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text)).toMatchObject({ code: 'invalid_parameter', parameter: 'per' });
    expect((await feed('xml', '?per=change_set')).items).toEqual((await feed('xml')).items);
  });
});

describe('feed filters', () => {
  const filters: [string, Partial<EventFilter>][] = [
    ['?kind=new_leader', { kind: ['new_leader'] }],
    [`?board=${VISION}`, { board: VISION }],
    [`?board=${TEXT}&kind=rank_changed&kind=exited`, { board: TEXT, kind: ['rank_changed', 'exited'] }],
    ['?since=2024-06-09&until=2024-06-30', { since: new Date('2024-06-09T00:00:00Z'), until: new Date('2024-06-30T00:00:00Z') }],
    [`?model=claude&board=${TEXT}`, { model: 'claude', board: TEXT }],
  ];

  it.each(filters)('%s&per=event narrows the items identically in all three formats', async (query, filter) => {
    const expected = (await stored(filter)).map(eventGuid);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan((await stored()).length);
    for (const format of FORMATS) expect((await feed(format, `${query}&per=event`)).items.map((item) => item.id)).toEqual(expected);
  });

  it.each(filters)('%s: change sets with no passing event are left out, and an item holds only the events that pass', async (query, filter) => {
    const expected = groups(await stored(filter));
    for (const format of FORMATS) expect((await feed(format, query)).items.map((item) => item.id)).toEqual(expected.map(groupId));
    const items = parseJsonFeed((await get(`/feed.json${query}`)).text).items ?? [];
    for (const [index, item] of items.entries()) {
      const lines = (item.content_text ?? '').split('\n').filter((line) => line.startsWith('• '));
      expect(lines).toHaveLength(expected[index]!.length);
    }
  });

  it('an item showing part of its change set says how many of how many', async () => {
    const [item] = parseJsonFeed((await get(`/feed.json?board=${TEXT}&kind=new_leader`)).text).items ?? [];
    const whole = await stored({ board: TEXT, since: new Date('2024-06-08T00:00:00Z'), until: new Date('2024-06-08T00:00:00Z') });
    expect(whole.length).toBeGreaterThan(1);
    expect(item?.content_text?.split('\n')[0]).toBe(`Showing 1 of ${whole.length} events of this change set (those matching this feed's filters).`);
    expect(item?.content_html).toContain(`<p>Showing 1 of ${whole.length} events of this change set (those matching this feed&#39;s filters).</p>`);
  });

  it('limit counts items, not events', async () => {
    const expected = groups(await stored()).slice(0, 2);
    expect(expected.flat().length).toBeGreaterThan(2);
    for (const format of FORMATS) expect((await feed(format, '?limit=2')).items.map((item) => item.id)).toEqual(expected.map(groupId));
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

describe('operator events stay out of public feeds unless asked for', () => {
  const operator = ['scrape_failed', 'scrape_recovered', 'snapshot_quarantined'];

  it('the API has them (so the feeds below have something to leave out)', async () => {
    const all = await listEvents(database.db, { board: SWE, limit: 100 });
    expect(all.map((event) => event.kind).sort()).toEqual(['board_first_seen', ...operator].sort());
  });

  it.each(FORMATS)('/feed.%s, per change set and per event: no operator event by default', async (format) => {
    for (const query of [`?board=${SWE}`, `?board=${SWE}&per=event`, '?per=event&limit=1000']) {
      const { text, items } = await feed(format, query);
      expect(items.length).toBeGreaterThan(0);
      for (const kind of operator) expect(text).not.toContain(kind);
      expect(text).not.toMatch(/quarantined|stopped working|HTTP 503/i);
    }
  });

  it.each(FORMATS)('/feed.%s?kind=… naming them: each is its own item, linking to the event', async (format) => {
    const events = await listEvents(database.db, { board: SWE, kind: ['scrape_failed', 'scrape_recovered', 'snapshot_quarantined'], limit: 100 });
    expect(events).toHaveLength(3);
    const { items } = await feed(format, `?kind=${operator.join(',')}`);
    expect(items.map((item) => item.id)).toEqual(events.map(eventGuid));
    expect(items.map((item) => item.url)).toEqual(events.map((event) => `${PUBLIC_URL}/v1/events/${event.id}`));
  });
});

describe('conditional GET', () => {
  it.each(FORMATS)('/feed.%s: strong ETag, Cache-Control, and Last-Modified: the wall-clock time of the last write, not a capture time', async (format) => {
    const { headers } = await get(`/feed.${format}`, {}, later);
    expect(headers.get('etag')).toMatch(/^"[0-9a-f]{64}"$/);
    expect(headers.get('cache-control')).toBe('public, max-age=60');
    const lastModified = Date.parse(headers.get('last-modified') ?? '');
    expect(lastModified).toBe(Math.floor((await lastWrite()).getTime() / 1000) * 1000);
    // Written during this test run, although every capture is from 2024.
    expect(lastModified).toBeGreaterThanOrEqual(Math.floor(started / 1000) * 1000);
  });

  it('Last-Modified is held back while the last write is under a minute old: ETag only, and If-Modified-Since is not relied on', async () => {
    await capture(VISION, '2024-06-11T00:00:00Z', [e('v2', 1, 1212), e('v1', 2, 1200)], { scrapes: 2 });
    const fresh = await get(`/feed.json?board=${VISION}`);
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('etag')).toMatch(/^"[0-9a-f]{64}"$/);
    expect(fresh.headers.get('last-modified')).toBeNull();
    expect((await get(`/feed.json?board=${VISION}`, { 'if-modified-since': new Date(Date.now() + 86_400_000).toUTCString() })).status).toBe(200);
    expect((await get(`/feed.json?board=${VISION}`, { 'if-none-match': fresh.headers.get('etag') ?? '' })).status).toBe(304);
    // A minute on, the same content has its Last-Modified.
    expect((await get(`/feed.json?board=${VISION}`, {}, later)).headers.get('last-modified')).toBe(new Date(Math.floor((await lastWrite()).getTime() / 1000) * 1000).toUTCString());
  });

  it('ETags differ between formats and between filters, and repeat for the same request', async () => {
    const tags = await Promise.all(['/feed.xml', '/feed.atom', '/feed.json', '/feed.xml?kind=new_leader', `/feed.xml?board=${VISION}`, '/feed.xml?per=event'].map(async (path) => (await get(path)).headers.get('etag')));
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
    const response = await get(path, { 'if-none-match': `${other}, "0000"` }, later);
    expect(response.status).toBe(200);
    expect(itemsOf(format, response.text).length).toBe(groups(await stored({ board: TEXT })).length);
    // If-None-Match decides alone: a fresh If-Modified-Since does not make it 304.
    expect((await get(path, { 'if-none-match': other, 'if-modified-since': new Date(Date.now() + 86_400_000).toUTCString() }, later)).status).toBe(200);
  });

  it.each(FORMATS)('/feed.%s: If-Modified-Since at or after Last-Modified is 304, before it 200', async (format) => {
    const path = `/feed.${format}?board=${TEXT}`;
    const lastModified = (await get(path, {}, later)).headers.get('last-modified') ?? '';
    expect(lastModified).not.toBe('');
    const notModified = await get(path, { 'if-modified-since': lastModified }, later);
    expect(notModified.status).toBe(304);
    expect(notModified.text).toBe('');
    expect((await get(path, { 'if-modified-since': new Date(Date.parse(lastModified) + 1000).toUTCString() }, later)).status).toBe(304);
    expect((await get(path, { 'if-modified-since': new Date(Date.parse(lastModified) - 1000).toUTCString() }, later)).status).toBe(200);
    expect((await get(path, { 'if-modified-since': 'last week' }, later)).status).toBe(200);
  });

  it.each(FORMATS)('/feed.%s: an empty feed has an ETag, and If-None-Match 304s it', async (format) => {
    const path = `/feed.${format}?since=2030-01-01`;
    const { headers, items } = await feed(format, '?since=2030-01-01');
    expect(items).toEqual([]);
    expect(headers.get('etag')).toMatch(/^"[0-9a-f]{64}"$/);
    expect((await get(path, { 'if-none-match': headers.get('etag') ?? '' })).status).toBe(304);
  });

  it('a new change set changes the ETag and Last-Modified: the old validators get the new feed', async () => {
    const path = `/feed.json?board=${POLYGLOT}`;
    await capture(POLYGLOT, '2024-07-01T00:00:00Z', [e('p1', 1, 80), e('p2', 2, 70)]);
    const before = await get(path, {}, later);
    const etag = before.headers.get('etag') ?? '';
    const lastModified = before.headers.get('last-modified') ?? '';
    expect(lastModified).not.toBe('');
    expect((await get(path, { 'if-none-match': etag }, later)).status).toBe(304);
    expect((await get(path, { 'if-modified-since': lastModified }, later)).status).toBe(304);
    await nextSecond();
    await capture(POLYGLOT, '2024-07-02T00:00:00Z', [e('p2', 1, 85), e('p1', 2, 80)]);
    const after = await get(path, { 'if-none-match': etag }, later);
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(etag);
    expect(itemsOf('json', after.text).map((item) => item.id)).toEqual(groups(await stored({ board: POLYGLOT })).map(groupId));
    expect((await get(path, { 'if-modified-since': lastModified }, later)).status).toBe(200);
  });
});
