import { join } from 'node:path';
import { Hono } from 'hono';
import { parseAtomFeed, parseJsonFeed, parseRssFeed } from 'feedsmith';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.ts';
import { httpLayer } from '../../src/api/http.ts';
import { getChangeSet, listChangeSets, listEvents, MAX_FEED_ITEM_EVENTS } from '../../src/db/queries.ts';
import { describeEvent } from '../../src/diff/describe.ts';
import { changeSetGuid } from '../../src/feed/items.ts';
import { escapeHtml } from '../../src/notify/text.ts';
import { mountFeeds, STABLE_AFTER_MS } from '../../src/feed/routes.ts';
import { importFile, planImport } from '../../src/ingest/run.ts';
import { HAVE_SHARED, SHARED } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// The real captures in ../shared/leaderboards, read in place: the LMArena CSV of 2025-02-17 (LMArena
// hid 30 deprecated models the day before: one bulk removal) and the Artificial Analysis snapshot
// of 2026-07-13 (562 changes, announced once the 07-23 capture confirmed them).
const LMSYS = join(SHARED, 'lmarena/fboulnois-llm-leaderboard-csv/lmsys');
const AA = join(SHARED, 'artificialanalysis/api-v2-data-llms-models');
const TEXT = 'lmarena-text';
const INTELLIGENCE = 'artificialanalysis-intelligence';
const PUBLIC_URL = 'https://rankwatch.test';
const FORMATS = ['xml', 'atom', 'json'] as const;
type Format = (typeof FORMATS)[number];

async function importInto(database: TestDatabase, board: string, folder: string, days: readonly string[], extension: string) {
  const results = [];
  for (const item of planImport(days.map((day) => join(folder, `${day}.${extension}`)))) results.push(await importFile(database.db, board, item));
  return results;
}

/** One feed item with its HTML body, as each format carries it. */
interface Body {
  id: string;
  title: string;
  url: string;
  date: string;
  html: string;
}

function bodiesOf(format: Format, text: string): Body[] {
  if (format === 'xml') {
    return (parseRssFeed(text).items ?? []).map((item) => ({
      id: item.guid?.value ?? '',
      title: item.title ?? '',
      url: item.link ?? '',
      date: new Date(item.pubDate ?? '').toISOString(),
      html: item.content?.encoded ?? '',
    }));
  }
  if (format === 'atom') {
    return (parseAtomFeed(text).entries ?? []).map((entry) => {
      expect(entry.title?.type).toBe('text');
      return { id: entry.id ?? '', title: entry.title?.value ?? '', url: entry.links?.[0]?.href ?? '', date: new Date(entry.updated ?? '').toISOString(), html: entry.content?.value ?? '' };
    });
  }
  return (parseJsonFeed(text).items ?? []).map((item) => ({ id: item.id ?? '', title: item.title ?? '', url: item.url ?? '', date: item.date_published ?? '', html: item.content_html ?? '' }));
}

const listItems = (html: string) => html.match(/<li>.*?<\/li>/g) ?? [];

describe.skipIf(!HAVE_SHARED)('one feed item per change set, on the real captures (../shared/leaderboards)', () => {
  let database: TestDatabase;
  let app: ReturnType<typeof createApp>;
  beforeAll(async () => {
    database = await createTestDatabase();
    app = createApp({ db: database.db, publicUrl: PUBLIC_URL });
    await importInto(database, TEXT, LMSYS, ['2025-02-12', '2025-02-17', '2025-02-18'], 'csv');
    await importInto(database, INTELLIGENCE, AA, ['2026-07-09', '2026-07-13', '2026-07-23'], 'json');
  });
  afterAll(async () => database?.drop());

  async function items(format: Format, query: string): Promise<Body[]> {
    const response = await app.request(`/feed.${format}${query}`);
    expect(response.status).toBe(200);
    return bodiesOf(format, await response.text());
  }

  /** The change set captured on `day`, with its announced events. */
  async function changeSetOn(board: string, day: string) {
    const [set] = (await listChangeSets(database.db, { board, limit: 100 })).filter((candidate) => candidate.capturedAt.startsWith(day));
    expect(set).toBeDefined();
    const full = await getChangeSet(database.db, set!.id);
    return { ...set!, announced: full!.events.filter((event) => event.status === 'published') };
  }

  it.each(FORMATS)('/feed.%s: the bulk removal of 2025-02-17 (30 models hidden at once) is one item, titled with its summary, listing its events', async (format) => {
    const bulk = await changeSetOn(TEXT, '2025-02-17');
    expect(bulk.bulkRemoval).toBe(true);
    expect(bulk.announced.filter((event) => event.kind === 'exited')).toHaveLength(30);
    const perEvent = await listEvents(database.db, { board: TEXT, limit: 1000 });
    expect(perEvent.length).toBeGreaterThan(200);

    const found = await items(format, `?board=${TEXT}&limit=1000`);
    expect(found.length).toBe((await listChangeSets(database.db, { board: TEXT, limit: 100 })).filter((set) => Object.keys(set.counts).length > 0).length);
    expect(found.length).toBeLessThanOrEqual(3);
    const item = found.find((candidate) => candidate.id === changeSetGuid({ board: TEXT, capturedAt: '2025-02-17T00:00:00.000Z' }));
    expect(item).toMatchObject({ title: bulk.summary, url: `${PUBLIC_URL}/v1/changes/${bulk.id}`, date: '2025-02-17T00:00:00.000Z' });
    expect(item!.title).toMatch(/^lmarena-text: .*30 removed at once \(bulk removal; the rest of the board stayed\)/);
    // 207 events: the item lists 50 (the change set behind its link has them all), the 30 exits among
    // them since who came and went goes before rank and score moves, and says how many it shows.
    expect(bulk.announced.length).toBeGreaterThan(MAX_FEED_ITEM_EVENTS);
    expect(listItems(item!.html)).toHaveLength(MAX_FEED_ITEM_EVENTS);
    expect(listItems(item!.html).filter((line) => / leaves lmarena-text /.test(line))).toHaveLength(30);
    expect(item!.html).toContain(`Showing ${MAX_FEED_ITEM_EVENTS} of ${bulk.announced.length} events of this change set.`);
    expect(item!.html).toContain('<strong>⚠️ Bulk removal:</strong>');
    // The item's link is the change set in the API, and it resolves to the same summary.
    const linked = await app.request(item!.url.slice(PUBLIC_URL.length));
    expect(linked.status).toBe(200);
    expect(((await linked.json()) as { summary: string }).summary).toBe(bulk.summary);
  });

  it.each(FORMATS)('/feed.%s: the Artificial Analysis snapshot with 562 changes is one item listing 50 of them, the 21 entries first', async (format) => {
    const big = await changeSetOn(INTELLIGENCE, '2026-07-13');
    expect(big.announced).toHaveLength(562);
    expect(big.summary).toBe('artificialanalysis-intelligence: 21 entered; 537 rank moves; 4 score changes');
    const found = await items(format, `?board=${INTELLIGENCE}`);
    expect(found.map((item) => item.title)).toEqual([big.summary, expect.stringMatching(/^artificialanalysis-intelligence: first seen with \d+ models/)]);
    const lines = listItems(found[0]!.html);
    expect(lines).toHaveLength(MAX_FEED_ITEM_EVENTS);
    const entries = big.announced.filter((event) => event.kind === 'entered');
    expect(entries).toHaveLength(21);
    expect(lines.slice(0, 21)).toEqual(entries.map((event) => `<li>${escapeHtml(describeEvent(event.board, event))}</li>`));
    expect(found[0]!.html).toContain(`Showing ${MAX_FEED_ITEM_EVENTS} of 562 events of this change set.`);
  });

  it('?limit=1 is one item, the newest change set, however many events it holds (listing at most 50)', async () => {
    for (const format of FORMATS) {
      const found = await items(format, '?limit=1');
      expect(found).toHaveLength(1);
      expect(found[0]!.id).toBe(changeSetGuid({ board: INTELLIGENCE, capturedAt: '2026-07-13T00:00:00.000Z' }));
      expect(listItems(found[0]!.html)).toHaveLength(MAX_FEED_ITEM_EVENTS);
    }
  });

  it('filters apply inside an item: ?kind=exited gives the bulk removal alone, holding its 30 exits and saying 30 of how many', async () => {
    const bulk = await changeSetOn(TEXT, '2025-02-17');
    for (const format of FORMATS) {
      const found = await items(format, `?board=${TEXT}&kind=exited`);
      expect(found.map((item) => item.title)).toEqual([bulk.summary]);
      expect(listItems(found[0]!.html)).toHaveLength(30);
      expect(found[0]!.html).toContain(`Showing 30 of ${bulk.announced.length} events of this change set (those matching this feed&#39;s filters).`);
    }
  });

  it('?since and ?until pick change sets by capture time; ?model keeps the items that model moved in, each holding only its events', async () => {
    const found = await items('json', `?board=${TEXT}&since=2025-02-13&until=2025-02-17`);
    expect(found.map((item) => item.date)).toEqual(['2025-02-17T00:00:00.000Z']);
    const model = (await changeSetOn(TEXT, '2025-02-17')).announced.find((event) => event.kind === 'rank_changed')!.model!;
    const mine = await listEvents(database.db, { board: TEXT, model, limit: 1000 });
    const byModel = await items('json', `?board=${TEXT}&model=${encodeURIComponent(model)}`);
    expect(byModel.length).toBe(new Set(mine.map((event) => event.snapshotId)).size);
    expect(byModel.flatMap((item) => listItems(item.html))).toHaveLength(mine.length);
  });
});

describe.skipIf(!HAVE_SHARED)('Last-Modified and ETag move with the content, after imports and backfills (real captures)', () => {
  let database: TestDatabase;
  /** The feed routes with the clock a minute ahead, so Last-Modified is sent at once (see STABLE_AFTER_MS). */
  let app: Hono;
  beforeAll(async () => {
    database = await createTestDatabase();
    app = new Hono();
    // The app's conditional GET (src/api/http.ts), as createApp has it.
    app.use(...httpLayer());
    mountFeeds(app, { db: database.db, publicUrl: PUBLIC_URL, now: () => new Date(Date.now() + STABLE_AFTER_MS + 1000) });
  });
  afterAll(async () => database?.drop());

  // Feeds whose items change at each step below (a date alone changing would prove nothing).
  const PATHS = ['/feed.xml', '/feed.atom', '/feed.json', '/feed.json?per=event&limit=1000', `/feed.atom?board=${TEXT}`];

  /** The items of a feed body (ids, titles, bodies), whatever its format. */
  const itemsIn = (path: string, body: string) => JSON.stringify(bodiesOf(path.startsWith('/feed.xml') ? 'xml' : path.startsWith('/feed.atom') ? 'atom' : 'json', body));

  /** Each feed's body and validators now; every one must answer 304 to its own validators. */
  async function snapshotFeeds(): Promise<Map<string, { body: string; etag: string; lastModified: string }>> {
    const seen = new Map<string, { body: string; etag: string; lastModified: string }>();
    for (const path of PATHS) {
      const response = await app.request(path);
      const etag = response.headers.get('etag') ?? '';
      const lastModified = response.headers.get('last-modified') ?? '';
      expect(lastModified, path).not.toBe('');
      seen.set(path, { body: await response.text(), etag, lastModified });
      expect((await app.request(path, { headers: { 'if-none-match': etag } })).status).toBe(304);
      expect((await app.request(path, { headers: { 'if-modified-since': lastModified } })).status).toBe(304);
    }
    return seen;
  }

  /** Every feed, asked with its old If-Modified-Since alone and its old If-None-Match alone, is 200 with new content. */
  async function expectChanged(before: Map<string, { body: string; etag: string; lastModified: string }>): Promise<void> {
    for (const [path, old] of before) {
      const bySince = await app.request(path, { headers: { 'if-modified-since': old.lastModified } });
      expect(bySince.status, `${path} If-Modified-Since ${old.lastModified}`).toBe(200);
      expect(itemsIn(path, await bySince.text()), path).not.toBe(itemsIn(path, old.body));
      expect(Date.parse(bySince.headers.get('last-modified') ?? '')).toBeGreaterThan(Date.parse(old.lastModified));
      const byTag = await app.request(path, { headers: { 'if-none-match': old.etag } });
      expect(byTag.status, `${path} If-None-Match`).toBe(200);
      expect(byTag.headers.get('etag')).not.toBe(old.etag);
    }
  }

  /** HTTP dates count whole seconds: the next import starts in a later second than anything a client has seen. */
  const nextSecond = () => new Promise((resolve) => setTimeout(resolve, 1001 - (Date.now() % 1000)));

  it('a newer capture, then an older one (a backfill re-deriving later history): the old validators get 200 and the new content each time', async () => {
    await importInto(database, TEXT, LMSYS, ['2025-02-12', '2025-02-17'], 'csv');
    const first = await snapshotFeeds();
    const firstSeen = changeSetGuid({ board: TEXT, capturedAt: '2025-02-12T00:00:00.000Z' });
    const titleOf = (body: string) => bodiesOf('atom', body).find((item) => item.id === firstSeen)?.title;
    expect(titleOf(first.get(`/feed.atom?board=${TEXT}`)!.body)).toMatch(/^lmarena-text: first seen with \d+ models/);

    await nextSecond();
    await importInto(database, TEXT, LMSYS, ['2025-02-18'], 'csv');
    await expectChanged(first);

    const second = await snapshotFeeds();
    await nextSecond();
    // Older than everything stored: the board's later change sets are derived again.
    const [backfill] = await importInto(database, TEXT, LMSYS, ['2025-02-10'], 'csv');
    expect(backfill!.insertedBefore).not.toBeNull();
    await expectChanged(second);
    // The 2025-02-12 item keeps its id (board and capture time) while its content is derived anew.
    const rederived = bodiesOf('atom', await (await app.request(`/feed.atom?board=${TEXT}`)).text());
    const item = rederived.find((candidate) => candidate.id === firstSeen);
    expect(item?.title).toMatch(/^lmarena-text: /);
    expect(item?.title).not.toMatch(/first seen/);
  });

  it('an older Artificial Analysis capture after the newer ones: 200 with the new content, not 304', async () => {
    await importInto(database, INTELLIGENCE, AA, ['2026-07-13', '2026-07-23'], 'json');
    const before = await snapshotFeeds();
    await nextSecond();
    const [backfill] = await importInto(database, INTELLIGENCE, AA, ['2026-07-09'], 'json');
    expect(backfill!.insertedBefore).not.toBeNull();
    const after = new Map([...before].filter(([path]) => !path.includes(TEXT)));
    await expectChanged(after);
  });
});
