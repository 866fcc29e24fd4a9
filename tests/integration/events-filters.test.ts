// The organization and significance filters of `/v1/events` and the feeds: the same events as a
// subscription with the same filters (matchEvent), over paging and kept reads, on both databases.
import { parseJsonFeed } from 'feedsmith';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.ts';
import { identifyWith } from '../../src/context.ts';
import { CACHE_AFTER_MS, feedGroups, listEvents, listEventsKept, type EventFilter } from '../../src/db/queries.ts';
import type { EventKind, StoredEvent } from '../../src/diff/events.ts';
import { makeEntry, type Entry } from '../../src/entry.ts';
import { eventGuid } from '../../src/feed/items.ts';
import { loadIdentity } from '../../src/identity/identity.ts';
import { organizationModels } from '../../src/identity/store.ts';
import { applyCapture } from '../../src/ingest/store.ts';
import { eventIdentity, matchEvent, subscriptionFiltersFor, type EventQueryFilters } from '../../src/notify/filters.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

const PUBLIC_URL = 'https://rankwatch.test';
const TEXT = 'lmarena-text';
const VISION = 'lmarena-vision';
const PRICES = 'openrouter-prices';

let database: TestDatabase;
let app: ReturnType<typeof createApp>;
const identity = loadIdentity();

/** An LMArena-style entry: a 95% interval of ±4 unless `interval` is false (a board without intervals). */
function e(model: string, organization: string, rank: number, score: number, interval = true): Entry {
  return makeEntry({ model, name: model, organization, rank, score, votes: 1000, ...(interval ? { scoreLower: score - 4, scoreUpper: score + 4 } : {}) });
}

async function capture(board: string, day: string, entries: Entry[]): Promise<void> {
  await applyCapture(database.db, {
    board,
    capturedAt: new Date(`${day}T00:00:00Z`),
    entries,
    origin: 'import',
    source: null,
    contentHash: `${board}-${day}`,
    format: 'test',
    parserVersion: '1',
    publishedAt: null,
    settle: { scrapes: 1 },
  });
}

async function get(path: string) {
  const response = await app.request(path);
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as Record<string, unknown> & { events: StoredEvent[]; next: string | null } };
}

/** The query string of an events query. */
function search(query: EventQueryFilters): string {
  const params = new URLSearchParams({ limit: '1000' });
  for (const key of ['board', 'model', 'organization'] as const) if (query[key]) params.set(key, query[key]);
  if (query.kind?.length) params.set('kind', query.kind.join(','));
  if (query.significant !== undefined) params.set('significant', String(query.significant));
  return params.toString();
}

/** Every announced event, and the ones a subscription with these filters would be sent. */
async function subscribed(query: EventQueryFilters): Promise<StoredEvent[]> {
  const filters = subscriptionFiltersFor(query);
  const identify = identifyWith(identity);
  return (await listEvents(database.db, { limit: 100_000 })).filter((event) => matchEvent(filters, event, eventIdentity(event, identify)));
}

beforeAll(async () => {
  database = await createTestDatabase();
  app = createApp({ db: database.db, publicUrl: PUBLIC_URL, identity, metrics: null });
  await capture(TEXT, '2024-06-01', [
    e('gpt-4o', 'OpenAI', 1, 1300),
    e('qwen-max', 'Alibaba', 2, 1280),
    e('chatgpt-4o-latest', 'OpenAI', 3, 1279),
    e('qwen2.5-72b-instruct', 'Alibaba', 4, 1276),
    // An organization only the stored data names: model identity has no such lab.
    e('tiny-1', 'Tiny Lab', 5, 1200),
  ]);
  await capture(TEXT, '2024-06-08', [
    // Clear of every interval it passes: a significant rise, leader and score change.
    e('qwen-max', 'Alibaba', 1, 1330),
    // Within its old interval: a score change that is not significant.
    e('gpt-4o', 'OpenAI', 2, 1301),
    // Passes chatgpt-4o-latest inside the intervals: rank moves that are not significant.
    e('qwen2.5-72b-instruct', 'Alibaba', 3, 1281),
    e('chatgpt-4o-latest', 'OpenAI', 4, 1279),
    e('gpt-4o-mini', 'OpenAI', 5, 1250),
  ]);
  // No intervals: every verdict is null.
  await capture(VISION, '2024-06-02', [e('gpt-4o', 'OpenAI', 1, 1200, false), e('qwen-vl-max', 'Alibaba', 2, 1190, false)]);
  await capture(VISION, '2024-06-09', [e('qwen-vl-max', 'Alibaba', 1, 1210, false), e('gpt-4o', 'OpenAI', 2, 1200, false)]);
  // Price changes carry no verdict; OpenRouter names the maker in the key.
  await capture(PRICES, '2024-06-03', [makeEntry({ model: 'openai/gpt-4o', name: 'OpenAI: GPT-4o', priceInput: 2.5, priceOutput: 10 }), makeEntry({ model: 'qwen/qwen-max', name: 'Qwen: Qwen-Max', priceInput: 1.6, priceOutput: 6.4 })]);
  await capture(PRICES, '2024-06-10', [makeEntry({ model: 'openai/gpt-4o', name: 'OpenAI: GPT-4o', priceInput: 2, priceOutput: 8 }), makeEntry({ model: 'qwen/qwen-max', name: 'Qwen: Qwen-Max', priceInput: 1.2, priceOutput: 4.8 })]);
});
afterAll(async () => {
  await database.drop();
});

describe('the stored events', () => {
  it('hold verdicts true, false and null, events without one, and board-level events', async () => {
    const all = await listEvents(database.db, { limit: 1000 });
    const verdicts = new Set(all.map((event) => (event.data && 'significant' in event.data ? String(event.data.significant) : 'none')));
    expect([...verdicts].sort()).toEqual(['false', 'none', 'null', 'true']);
    expect(all.some((event) => event.model === null)).toBe(true);
  });
});

describe('GET /v1/events?organization=', () => {
  it("lists only the events of that organization's models, by id or name, case aside, on every board", async () => {
    const byId = (await get('/v1/events?organization=openai&limit=1000')).body.events;
    expect(new Set(byId.map((event) => `${event.board} ${event.model}`))).toEqual(
      new Set([`${TEXT} gpt-4o`, `${TEXT} chatgpt-4o-latest`, `${TEXT} gpt-4o-mini`, `${VISION} gpt-4o`, `${PRICES} openai/gpt-4o`]),
    );
    expect((await get('/v1/events?organization=OpenAI&limit=1000')).body.events).toEqual(byId);
    const alibaba = (await get(`/v1/events?organization=Alibaba&board=${VISION}`)).body.events;
    expect(alibaba.length).toBeGreaterThan(0);
    expect(alibaba.every((event) => event.board === VISION && event.model === 'qwen-vl-max')).toBe(true);
  });

  it('leaves out board-level events', async () => {
    expect((await get(`/v1/events?board=${TEXT}&kind=board_first_seen`)).body.events).toHaveLength(1);
    expect((await get(`/v1/events?board=${TEXT}&kind=board_first_seen&organization=openai`)).body.events).toEqual([]);
  });

  it('answers an empty list for an organization with no stored model, known to identity or only to the stored data', async () => {
    expect(await get('/v1/events?organization=anthropic')).toMatchObject({ status: 200, body: { events: [], next: null } });
    expect(await get(`/v1/events?organization=${encodeURIComponent('tiny lab')}`)).toMatchObject({ status: 200, body: { events: [], next: null } });
  });

  it('404s an organization neither model identity nor the stored data knows, naming the parameter', async () => {
    const { status, body } = await get('/v1/events?organization=nope-labs');
    expect(status).toBe(404);
    expect(body).toMatchObject({ code: 'not_found', message: 'unknown organization: nope-labs', parameter: 'organization' });
  });
});

describe('GET /v1/events?significant=', () => {
  it('true: leaves out verdicts false and null, keeps events without a verdict', async () => {
    const all = (await get('/v1/events?limit=1000')).body.events;
    const significant = (await get('/v1/events?significant=true&limit=1000')).body.events;
    const judged = (event: StoredEvent) => event.data !== undefined && 'significant' in event.data;
    expect(significant).toEqual(all.filter((event) => !judged(event) || (event.data as { significant?: boolean | null }).significant === true));
    expect(significant.some(judged)).toBe(true);
    expect(significant.some((event) => !judged(event))).toBe(true);
    expect((await get('/v1/events?significant=false&limit=1000')).body.events).toEqual(all);
  });

  it.each(['maybe', 'yes', '2'])('400s significant=%s naming the parameter', async (value) => {
    const { status, body } = await get(`/v1/events?significant=${value}`);
    expect(status).toBe(400);
    expect(body).toMatchObject({ code: 'invalid_parameter', parameter: 'significant' });
    expect(body.message).toBe(`significant: expected true or false, got "${value}"`);
  });

  it('pages with the filters kept: the pages put together are the whole listing, each event once', async () => {
    const whole = (await get('/v1/events?organization=openai&significant=true&limit=1000')).body.events;
    expect(whole.length).toBeGreaterThan(2);
    const paged: StoredEvent[] = [];
    let next: string | null = null;
    do {
      const page = await get(`/v1/events?organization=openai&significant=true&limit=2${next ? `&cursor=${next}` : ''}`);
      paged.push(...page.body.events);
      next = page.body.next;
    } while (next);
    expect(paged.map((event) => event.id)).toEqual(whole.map((event) => event.id));
  });
});

describe('subscription filters of an events query', () => {
  const queries: EventQueryFilters[] = [
    {},
    { organization: 'openai' },
    { organization: 'OpenAI', significant: true },
    { organization: 'alibaba', kind: ['rank_changed', 'new_leader'] },
    { significant: true },
    { board: TEXT, organization: 'openai' },
    { board: VISION, significant: true },
    { kind: ['rank_changed', 'score_changed', 'price_changed'], significant: true },
    { organization: 'Tiny Lab' },
    { organization: 'anthropic' },
  ];

  it.each(queries)('%j: the API lists the events the subscription would be sent', async (query) => {
    const { status, body } = await get(`/v1/events?${search(query)}`);
    expect(status).toBe(200);
    expect(body.events.map((event) => event.id)).toEqual((await subscribed(query)).map((event) => event.id));
  });
});

describe('feeds', () => {
  it('take both filters, with them in the self link', async () => {
    const query = 'organization=alibaba&significant=true&per=event';
    const document = await app.request(`/feed.json?${query}`);
    expect(document.status).toBe(200);
    const feed = parseJsonFeed(await document.text());
    expect(feed.feed_url).toBe(`${PUBLIC_URL}/feed.json?${query}`);
    const expected = (await get('/v1/events?organization=alibaba&significant=true&limit=1000')).body.events;
    expect(expected.length).toBeGreaterThan(0);
    expect((feed.items ?? []).map((item) => item.id)).toEqual(expected.map(eventGuid));
  });

  it('answer the API’s 404 for an unknown organization and its 400 for a bad flag', async () => {
    const unknown = await app.request('/feed.atom?organization=nope-labs');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 'not_found', parameter: 'organization' });
    const bad = await app.request('/feed.xml?significant=maybe');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'invalid_parameter', parameter: 'significant' });
  });
});

describe('kept reads', () => {
  it('keep a page per organization and per significance, not one for all', async () => {
    // Every write a minute and more old: pages are kept from now on (see CACHE_AFTER_MS).
    const past = sql`now() - make_interval(secs => ${(CACHE_AFTER_MS * 2) / 1000})`;
    await database.db.execute(sql`update events set updated_at = ${past}`);
    await database.db.execute(sql`update snapshots set created_at = ${past}`);
    const openai = (await organizationModels(database.db, identity, 'openai'))!;
    const alibaba = (await organizationModels(database.db, identity, 'alibaba'))!;
    const models = (events: readonly StoredEvent[]) => new Set(events.map((event) => event.model));
    const kinds: EventKind[] = ['rank_changed', 'score_changed'];
    const reads = [(filter: EventFilter) => listEventsKept(database.db, filter), async (filter: EventFilter) => (await feedGroups(database.db, filter)).content.flatMap((group) => group.events)];
    for (const read of reads) {
      const first = await read({ organization: openai, limit: 100 });
      const second = await read({ organization: alibaba, limit: 100 });
      expect(models(first).has('gpt-4o')).toBe(true);
      expect(models(second).has('gpt-4o')).toBe(false);
      expect(models(second).has('qwen-max')).toBe(true);
      const every = await read({ kind: kinds, limit: 100 });
      const significant = await read({ kind: kinds, significant: true, limit: 100 });
      expect(significant.length).toBeGreaterThan(0);
      expect(significant.length).toBeLessThan(every.length);
      // Asked again: the kept page of each, not the other's.
      expect((await read({ organization: openai, limit: 100 })).map((event) => event.id)).toEqual(first.map((event) => event.id));
      expect((await read({ kind: kinds, limit: 100 })).map((event) => event.id)).toEqual(every.map((event) => event.id));
    }
  });
});
