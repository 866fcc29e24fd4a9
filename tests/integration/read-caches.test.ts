// What the read paths keep between requests (model identity's index of stored keys, feed pages,
// rendered feed documents, known boards) and that none of it outlives a write it should show.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.ts';
import { boardExists, CACHE_AFTER_MS, feedEvents, feedGroups, listEventsKept, standingsAt } from '../../src/db/queries.ts';
import { boardSeries } from '../../src/db/series.ts';
import { boards, events } from '../../src/db/schema.ts';
import { makeEntry, type Entry } from '../../src/entry.ts';
import { changeSetItem, eventItem, keepRendered, type FeedContext, type FeedItem } from '../../src/feed/items.ts';
import { loadIdentity } from '../../src/identity/identity.ts';
import { canonicalHistory } from '../../src/identity/store.ts';
import { applyCapture } from '../../src/ingest/store.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

let database: TestDatabase;

function e(model: string, rank: number, score: number): Entry {
  return makeEntry({ model, name: model, rank, score, scoreLower: score - 4, scoreUpper: score + 3, votes: 1000, organization: 'OpenAI' });
}

async function capture(board: string, day: string, entries: Entry[]): Promise<void> {
  await applyCapture(database.db, {
    board,
    capturedAt: new Date(`${day}T00:00:00Z`),
    entries,
    origin: 'import',
    source: `${board}-${day}`,
    contentHash: `${board}-${day}`,
    format: 'test',
    parserVersion: '1',
    publishedAt: null,
    settle: { scrapes: 1 },
  });
}

/** Dates every write so far `CACHE_AFTER_MS` and more in the past, as a database last written minutes ago. */
async function age(): Promise<void> {
  const past = sql`now() - make_interval(secs => ${(CACHE_AFTER_MS * 2) / 1000})`;
  await database.db.execute(sql`update events set updated_at = ${past}`);
  await database.db.execute(sql`update snapshots set created_at = ${past}`);
}

beforeAll(async () => {
  database = await createTestDatabase();
  await capture('lmarena-text', '2024-06-01', [e('gpt-4o', 1, 1287), e('gemini', 2, 1270)]);
  await capture('lmarena-text', '2024-06-08', [e('gemini', 1, 1290), e('gpt-4o', 2, 1287)]);
});
afterAll(async () => {
  await database.drop();
});

describe('model history: the index of stored keys', () => {
  it('finds a key a later capture stores under the same canonical id, on another board', async () => {
    const identity = loadIdentity();
    const before = await canonicalHistory(database.db, identity, 'gpt-4o');
    expect([...new Set(before.map((row) => row.board))]).toEqual(['lmarena-text']);
    // Kept between calls while no snapshot is stored: the same rows, frozen.
    expect(await canonicalHistory(database.db, identity, 'gpt-4o')).toBe(before);
    expect(Object.isFrozen(before[0])).toBe(true);
    await capture('openrouter-prices', '2024-06-09', [makeEntry({ model: 'openai/gpt-4o', name: 'OpenAI: GPT-4o', priceInput: 2.5, priceOutput: 10 })]);
    const after = await canonicalHistory(database.db, identity, 'gpt-4o');
    expect([...new Set(after.map((row) => row.board))]).toEqual(['lmarena-text', 'openrouter-prices']);
    expect(after.find((row) => row.board === 'openrouter-prices')?.model).toBe('openai/gpt-4o');
  });

  it('serves the new period and name of a model through the API after a capture', async () => {
    const app = createApp({ db: database.db, metrics: null });
    const first = (await (await app.request('/v1/models/gemini/history?board=lmarena-text')).json()) as { history: unknown[] };
    await capture('lmarena-text', '2024-06-15', [e('gemini', 1, 1295), e('gpt-4o', 2, 1287)]);
    const second = (await (await app.request('/v1/models/gemini/history?board=lmarena-text')).json()) as { history: { score: number }[] };
    expect(second.history).toHaveLength(first.history.length + 1);
    expect(second.history.at(-1)?.score).toBe(1295);
  });
});

describe('feed pages', () => {
  const filter = { limit: 100, kind: ['rank_changed' as const, 'new_leader' as const] };

  it('reads a page afresh while its last write is recent, since a write stamped earlier may not have committed yet', async () => {
    const first = await feedGroups(database.db, filter);
    const second = await feedGroups(database.db, filter);
    expect(second).not.toBe(first);
    expect(second).toEqual(first);
  });

  it('keeps a page and its date while its writes are all older than CACHE_AFTER_MS; a new capture moves both', async () => {
    await age();
    const first = await feedGroups(database.db, filter);
    expect(first.content.length).toBeGreaterThan(0);
    expect(first.written).toBeInstanceOf(Date);
    expect(await feedGroups(database.db, filter)).toBe(first);
    await capture('lmarena-text', '2024-06-22', [e('gpt-4o', 1, 1300), e('gemini', 2, 1295)]);
    const after = await feedGroups(database.db, filter);
    expect(after).not.toBe(first);
    expect(after.content[0]?.changeSet?.capturedAt).toBe('2024-06-22T00:00:00.000Z');
    expect(after.content.length).toBe(first.content.length + 1);
    expect(after.written!.getTime()).toBeGreaterThan(first.written!.getTime());
  });

  it("keeps a board's page across writes to another board, not the page of every board", async () => {
    await age();
    const mine = { ...filter, board: 'lmarena-text' };
    const board = await feedGroups(database.db, mine);
    const all = await feedGroups(database.db, filter);
    await capture('openrouter-prices', '2024-06-23', [makeEntry({ model: 'openai/gpt-4o', name: 'OpenAI: GPT-4o', priceInput: 2, priceOutput: 8 })]);
    expect(await feedGroups(database.db, mine)).toBe(board);
    expect(await feedGroups(database.db, filter)).not.toBe(all);
  });

  it('reads again when an event changes status (settling rewrites updated_at), with the date of that write', async () => {
    await age();
    const everything = { limit: 100, status: ['published' as const, 'retracted' as const] };
    const first = await feedGroups(database.db, everything);
    const [one] = first.content.flatMap((group) => group.events);
    await database.db.execute(sql`update events set status = 'retracted', updated_at = date_trunc('milliseconds', clock_timestamp()) - make_interval(secs => ${(CACHE_AFTER_MS * 1.5) / 1000}) where id = ${one!.id}`);
    const [stamped] = await database.db.select({ at: events.updatedAt }).from(events).where(eq(events.id, one!.id));
    const after = await feedGroups(database.db, everything);
    expect(after).not.toBe(first);
    expect(after.content.flatMap((group) => group.events).find((event) => event.id === one!.id)?.status).toBe('retracted');
    expect(after.written).toEqual(stamped!.at);
  });

  it('asks for the version once for requests arriving together, and again for the next request', async () => {
    await age();
    let versionReads = 0;
    // feedVersion is the read paths' one raw statement (db.execute); the pages are selects.
    const counted = new Proxy(database.db, {
      get(target, property) {
        const value = Reflect.get(target, property, target) as unknown;
        if (property !== 'execute' || typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          versionReads++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const together = await Promise.all([feedGroups(counted, filter), feedGroups(counted, filter), listEventsKept(counted, filter), feedEvents(counted, filter)]);
    expect(versionReads).toBe(1);
    expect(together[1]).toBe(together[0]);
    await feedGroups(counted, filter);
    expect(versionReads).toBe(2);
    // Another board's version is another read.
    await Promise.all([feedGroups(counted, filter), feedGroups(counted, { ...filter, board: 'lmarena-text' })]);
    expect(versionReads).toBe(4);
  });

  it('keeps a page of one item per event the same way, as the same item objects', async () => {
    await age();
    const context = { baseUrl: 'https://a.test' };
    const first = await feedEvents(database.db, filter);
    expect(first.content.length).toBeGreaterThan(0);
    expect(await feedEvents(database.db, filter)).toBe(first);
    expect(eventItem(context, first.content[0]!)).toBe(eventItem(context, first.content[0]!));
    expect(eventItem({ baseUrl: 'https://b.test' }, first.content[0]!).url).toMatch(/^https:\/\/b\.test\//);
    await capture('lmarena-text', '2024-06-29', [e('gemini', 1, 1310), e('gpt-4o', 2, 1300)]);
    const after = await feedEvents(database.db, filter);
    expect(after).not.toBe(first);
    expect(after.content.length).toBeGreaterThan(first.content.length);
  });
});

describe('rendered feed documents', () => {
  const context: FeedContext = { baseUrl: 'https://a.test', selfUrl: 'https://a.test/feed.xml', title: 't', homepage: 'https://h.test', version: '1' };

  it('writes the same items (the same objects), context and date once; anything else anew', async () => {
    let written = 0;
    const render = keepRendered((_context, items) => `${++written}:${items.length}`);
    await age();
    const groups = (await feedGroups(database.db, { limit: 100 })).content;
    const items = () => groups.map((group) => changeSetItem(context, group));
    expect(items()[0]).toBe(items()[0]);
    const once = render(context, items(), new Date(0));
    expect(render(context, items(), new Date(0))).toBe(once);
    expect(written).toBe(1);
    render({ ...context, selfUrl: 'https://a.test/feed.xml?limit=5' }, items(), new Date(0));
    render(context, items(), new Date(1000));
    render(context, items().slice(1), new Date(0));
    expect(written).toBe(4);
    // Items not made by the feed (copies) are written each time.
    const loose: FeedItem = { ...items()[0]! };
    render(context, [loose], new Date(0));
    render(context, [loose], new Date(0));
    expect(written).toBe(6);
  });

  it("keeps each feed's latest document only: an older version is written again, another feed's stays kept", async () => {
    let written = 0;
    const render = keepRendered((_context, items, updated) => `${++written}:${items.length}:${updated?.getTime()}`);
    await age();
    const groups = (await feedGroups(database.db, { limit: 100 })).content;
    const items = groups.map((group) => changeSetItem(context, group));
    const other = { ...context, selfUrl: 'https://a.test/feed.xml?board=lmarena-text' };
    const kept = render(other, items, new Date(0));
    const before = render(context, items, new Date(0));
    render(context, items, new Date(1000));
    expect(written).toBe(3);
    // The feed moved on: its earlier content is no longer kept, and is written anew.
    expect(render(context, items, new Date(0))).not.toBe(before);
    expect(written).toBe(4);
    expect(render(other, items, new Date(0))).toBe(kept);
    expect(written).toBe(4);
  });
});

describe('known boards', () => {
  it('answers false for an unknown board until it is registered, then true', async () => {
    expect(await boardExists(database.db, 'bench-board')).toBe(false);
    await database.db.insert(boards).values({ id: 'bench-board', sourceId: 'lmarena', name: 'Bench', direction: 'higher' });
    expect(await boardExists(database.db, 'bench-board')).toBe(true);
    expect(await boardExists(database.db, 'bench-board')).toBe(true);
  });
});

describe('standings at a time: kept per board until its next snapshot', () => {
  it('a new capture, and one inserted before stored history, show at once in standings now and at a past time', async () => {
    const board = 'lmarena-vision';
    await capture(board, '2024-07-01', [e('gpt-4o', 1, 1200), e('gemini', 2, 1190)]);
    await capture(board, '2024-07-10', [e('gemini', 1, 1210), e('gpt-4o', 2, 1200)]);
    const at = new Date('2024-07-05T00:00:00Z');
    const ranks = (rows: readonly { model: string; rank: number | null }[]) => rows.map((row) => `${row.rank} ${row.model}`);
    expect(ranks(await standingsAt(database.db, board, at))).toEqual(['1 gpt-4o', '2 gemini']);
    expect(ranks(await standingsAt(database.db, board))).toEqual(['1 gemini', '2 gpt-4o']);
    // Read again: the same rows, shared and frozen.
    const again = await standingsAt(database.db, board, at);
    expect(again).toBe(await standingsAt(database.db, board, at));
    expect(Object.isFrozen(again[0])).toBe(true);
    // A capture of another board changes nothing here.
    await capture('lmarena-text', '2024-07-03', [e('gpt-4o', 1, 1290), e('gemini', 2, 1280)]);
    expect(await standingsAt(database.db, board, at)).toBe(again);
    // A new capture of this board: now moves, the past stays.
    await capture(board, '2024-07-20', [e('claude', 1, 1230), e('gemini', 2, 1210), e('gpt-4o', 3, 1200)]);
    expect(ranks(await standingsAt(database.db, board))).toEqual(['1 claude', '2 gemini', '3 gpt-4o']);
    expect(ranks(await standingsAt(database.db, board, at))).toEqual(['1 gpt-4o', '2 gemini']);
    // A capture inserted before stored history, on 2024-07-04: the board at 07-05 is that capture.
    await capture(board, '2024-07-04', [e('gemini', 1, 1205), e('gpt-4o', 2, 1200), e('llama', 3, 1100)]);
    expect(ranks(await standingsAt(database.db, board, at))).toEqual(['1 gemini', '2 gpt-4o', '3 llama']);
    // Over HTTP too.
    const app = createApp({ db: database.db });
    const body = (await (await app.request(`/v1/boards/${board}/standings?at=2024-07-05`)).json()) as { entries: { model: string; rank: number }[] };
    expect(ranks(body.entries)).toEqual(['1 gemini', '2 gpt-4o', '3 llama']);
  });
});

describe('board series and event pages', () => {
  it('a board series is kept until the board\'s next snapshot', async () => {
    const board = 'lmarena-webdev';
    const identity = loadIdentity();
    await capture(board, '2024-08-01', [e('gpt-4o', 1, 1200), e('gemini', 2, 1190)]);
    const first = await boardSeries(database.db, identity, board, { models: ['gpt-4o', 'gemini'] });
    expect(await boardSeries(database.db, identity, board, { models: ['gpt-4o', 'gemini'] })).toBe(first);
    expect(first.series.map((series) => series.points.length)).toEqual([1, 1]);
    await capture(board, '2024-08-05', [e('gemini', 1, 1215), e('gpt-4o', 2, 1200)]);
    const second = await boardSeries(database.db, identity, board, { models: ['gpt-4o', 'gemini'] });
    expect(second.series.map((series) => series.points.map((point) => point.rank))).toEqual([[1, 2], [2, 1]]);
  });

  it('an events page is kept only once its board\'s last write is a minute old, and until the next write', async () => {
    const board = 'lmarena-copilot';
    await capture(board, '2024-09-01', [e('gpt-4o', 1, 1200), e('gemini', 2, 1190)]);
    await capture(board, '2024-09-05', [e('gemini', 1, 1215), e('gpt-4o', 2, 1200)]);
    const filter = { board, status: ['published', 'pending'] as const, limit: 50 };
    // Fresh writes: read each time (a write stamped earlier may still be committing).
    const fresh = await listEventsKept(database.db, { ...filter, status: [...filter.status] });
    expect(await listEventsKept(database.db, { ...filter, status: [...filter.status] })).not.toBe(fresh);
    await age();
    const settled = await listEventsKept(database.db, { ...filter, status: [...filter.status] });
    expect(await listEventsKept(database.db, { ...filter, status: [...filter.status] })).toBe(settled);
    expect(settled.map((event) => event.id)).toEqual(fresh.map((event) => event.id));
    // The next capture of the board is shown at once.
    await capture(board, '2024-09-09', [e('claude', 1, 1230), e('gemini', 2, 1215), e('gpt-4o', 3, 1200)]);
    const after = await listEventsKept(database.db, { ...filter, status: [...filter.status] });
    expect(after.length).toBeGreaterThan(settled.length);
    expect(after.some((event) => event.model === 'claude')).toBe(true);
  });
});
