import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, pageOf, type PageKey } from '../../src/db/cursor.ts';
import { listChangeSets, listEvents, type EventFilter } from '../../src/db/queries.ts';
import { events } from '../../src/db/schema.ts';
import type { StoredEvent } from '../../src/diff/events.ts';
import { InvalidInputError } from '../../src/errors.ts';
import { importFile, planImport } from '../../src/ingest/run.ts';
import { createApp } from '../../src/api/app.ts';
import { createSubscription } from '../../src/notify/subscriptions.ts';
import { deliveries } from '../../src/db/schema.ts';
import { HAVE_SHARED, rankwatch, SHARED, startServe } from '../support/cli.ts';
import { createCliEnvironment, createTestDatabase, TEST_DB, type TestDatabase } from '../support/db.ts';

// Real captures from ../shared/leaderboards, read in place.
const CSV_DIR = join(SHARED, 'lmarena/fboulnois-llm-leaderboard-csv/lmsys');
const BOARD = 'lmarena-text';
const days = (from: string, to: string) =>
  HAVE_SHARED ? readdirSync(CSV_DIR).filter((name) => name >= `${from}.csv` && name <= `${to}.csv`).map((name) => join(CSV_DIR, name)) : [];

const eventKey = (event: StoredEvent): PageKey => ({ at: new Date(event.capturedAt), id: event.id });

/** Follows `next` from the first page to the last, calling `between` after each page. */
async function walk(db: TestDatabase['db'], filter: EventFilter, between: (page: number) => Promise<void> = async () => {}): Promise<StoredEvent[][]> {
  const pages: StoredEvent[][] = [];
  let after: PageKey | undefined;
  for (;;) {
    const page = pageOf(await listEvents(db, { ...filter, after, limit: filter.limit + 1 }), filter.limit, eventKey);
    pages.push(page.items);
    await between(pages.length);
    if (!page.next) return pages;
    after = decodeCursor('cursor', page.next, 'time');
  }
}

describe('cursors', () => {
  it('read back what they encode, and refuse anything else naming the parameter', () => {
    const key = { at: new Date('2024-06-19T12:34:56.789Z'), id: 4242 };
    expect(decodeCursor('cursor', encodeCursor(key), 'time')).toEqual(key);
    expect(decodeCursor('cursor', encodeCursor({ id: 7 }), 'id')).toEqual({ id: 7 });
    for (const bad of ['', 'abc', 'not a cursor!', encodeCursor({ id: 7 }), Buffer.from('c1.12.x').toString('base64url'), 'x'.repeat(300)]) {
      let error: unknown;
      try {
        decodeCursor('cursor', bad, 'time');
      } catch (caught) {
        error = caught;
      }
      expect(error, bad).toBeInstanceOf(InvalidInputError);
      expect((error as InvalidInputError).parameter).toBe('cursor');
    }
    // A time-ordered list's cursor is no cursor for an id-ordered one.
    expect(() => decodeCursor('cursor', encodeCursor(key), 'id')).toThrow(InvalidInputError);
  });

  it('cut one extra row into a next cursor, and give none on the last page', () => {
    expect(pageOf([1, 2, 3], 3, (id) => ({ id }))).toEqual({ items: [1, 2, 3], next: null });
    const page = pageOf([1, 2, 3, 4], 3, (id) => ({ id }));
    expect(page.items).toEqual([1, 2, 3]);
    expect(decodeCursor('cursor', page.next!, 'id')).toEqual({ id: 3 });
  });
});

describe.skipIf(!HAVE_SHARED)('keyset pages over stored history', () => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase();
    for (const item of planImport(days('2024-05-01', '2024-07-31'))) await importFile(database.db, BOARD, item);
  });
  afterEach(async () => database.drop());

  it('events: the pages put together are the whole listing, each event once, in order', async () => {
    const all = await listEvents(database.db, { board: BOARD, limit: 100_000 });
    expect(all.length).toBeGreaterThan(100);
    const pages = await walk(database.db, { board: BOARD, limit: 37 });
    expect(pages.length).toBe(Math.ceil(all.length / 37));
    expect(pages.flat().map((event) => event.id)).toEqual(all.map((event) => event.id));
  });

  it('events: rows inserted between pages, newer and older than the cursor, neither repeat nor hide what was listed', async () => {
    const before = await listEvents(database.db, { board: BOARD, limit: 100_000 });
    const newest = new Date(before[0]!.capturedAt);
    const oldest = new Date(before[before.length - 1]!.capturedAt);
    const inserted: string[] = [];
    const insert = async (capturedAt: Date, n: number) => {
      const key = `test:${capturedAt.toISOString()}:${n}`;
      inserted.push(key);
      // A whole score_changed event (stored events are read back through their kind's schema).
      const score = { score: 1200 + n, scoreLower: null, scoreUpper: null };
      await database.db.insert(events).values({
        key,
        boardId: BOARD,
        kind: 'score_changed',
        model: `inserted-${n}`,
        name: `Inserted ${n}`,
        old: { ...score, score: 1199 + n },
        new: score,
        data: { delta: 1, significant: null, margin: null, passed: [] },
        capturedAt,
      });
    };
    const pages = await walk(database.db, { board: BOARD, limit: 50 }, async (page) => {
      // A new capture (lands before every cursor) and a backfill at the very end (after them).
      await insert(new Date(newest.getTime() + page * 60_000), page * 2);
      await insert(new Date(oldest.getTime() - page * 60_000), page * 2 + 1);
    });
    const listed = pages.flat();
    const original = listed.filter((event) => !event.key.startsWith('test:'));
    // Every event there at the start is listed exactly once, in its place.
    expect(original.map((event) => event.id)).toEqual(before.map((event) => event.id));
    // Rows newer than the first page never show up later (the cursor is past them); older ones do.
    expect(listed.filter((event) => event.key.startsWith('test:') && new Date(event.capturedAt) > newest)).toEqual([]);
    expect(listed.filter((event) => event.key.startsWith('test:')).length).toBeGreaterThan(0);
    expect(new Set(listed.map((event) => event.id)).size).toBe(listed.length);
  });

  it('change sets: pages by capture time then id cover the listing once', async () => {
    const all = await listChangeSets(database.db, { board: BOARD, limit: 100_000 });
    expect(all.length).toBeGreaterThan(5);
    const seen: number[] = [];
    let after: PageKey | undefined;
    for (;;) {
      const page = pageOf(await listChangeSets(database.db, { board: BOARD, after, limit: 4 }), 3, (row) => ({ at: new Date(row.capturedAt), id: row.id }));
      seen.push(...page.items.map((row) => row.id));
      if (!page.next) break;
      after = decodeCursor('cursor', page.next, 'time');
    }
    expect(seen).toEqual(all.map((row) => row.id));
  });
});

/** Follows a list route from its first page, checking `next` against the Link header on the way. */
async function follow<T>(app: ReturnType<typeof createApp>, first: string, field: string, init?: RequestInit): Promise<{ rows: T[]; pages: number }> {
  const rows: T[] = [];
  let url: string | null = first;
  let pages = 0;
  while (url) {
    const response = await app.request(url, init);
    expect(response.status, url).toBe(200);
    const body = (await response.json()) as Record<string, unknown> & { next: string | null };
    rows.push(...(body[field] as T[]));
    pages++;
    const link = response.headers.get('link');
    if (body.next === null) {
      expect(link).toBeNull();
      url = null;
    } else {
      // The Link header names this very request with the cursor set to `next`.
      const target = /^<([^>]+)>; rel="next"$/.exec(link ?? '')?.[1];
      expect(target, `Link of ${url}`).toBeDefined();
      const parsed = new URL(target!, 'http://x');
      expect(parsed.searchParams.get('cursor')).toBe(body.next);
      const asked = new URL(url, 'http://x');
      for (const [name, value] of asked.searchParams) if (name !== 'cursor') expect(parsed.searchParams.get(name)).toBe(value);
      url = `${parsed.pathname}${parsed.search}`;
    }
  }
  return { rows, pages };
}

describe.skipIf(!HAVE_SHARED)('paged lists over HTTP', () => {
  const TOKEN = 'pagination-admin-token-0123456789';
  let database: TestDatabase;
  let app: ReturnType<typeof createApp>;
  beforeEach(async () => {
    database = await createTestDatabase();
    for (const item of planImport(days('2024-06-01', '2024-07-31'))) await importFile(database.db, BOARD, item);
    app = createApp({ db: database.db, adminToken: TOKEN, urlPolicy: { allowHosts: ['127.0.0.1'] } });
  });
  afterEach(async () => database.drop());

  it('/v1/events: next and Link walk every event once, keeping the filters', async () => {
    const all = await listEvents(database.db, { board: BOARD, kind: ['rank_changed'], limit: 100_000 });
    expect(all.length).toBeGreaterThan(60);
    const { rows, pages } = await follow<StoredEvent>(app, `/v1/events?board=${BOARD}&kind=rank_changed&limit=25`, 'events');
    expect(pages).toBe(Math.ceil(all.length / 25));
    expect(rows.map((event) => event.id)).toEqual(all.map((event) => event.id));
    expect(rows.every((event) => event.kind === 'rank_changed')).toBe(true);
  });

  it('/v1/changes and /v1/quarantine page the same way', async () => {
    const changes = await listChangeSets(database.db, { board: BOARD, limit: 100_000 });
    const { rows } = await follow<{ id: number }>(app, `/v1/changes?board=${BOARD}&limit=4`, 'changes');
    expect(rows.map((row) => row.id)).toEqual(changes.map((row) => row.id));
    // Nothing quarantined: one empty last page.
    const held = await app.request('/v1/quarantine?limit=5');
    expect(await held.json()).toEqual({ quarantine: [], next: null });
  });

  it('/v1/subscriptions and a subscription\'s deliveries page by id', async () => {
    const auth = { headers: { authorization: `Bearer ${TOKEN}` } };
    const made: number[] = [];
    for (let n = 0; n < 7; n++) made.push((await createSubscription(database.db, { channel: 'webhook', url: `http://127.0.0.1:9/hook-${n}` }, { allowHosts: ['127.0.0.1'] })).subscription.id);
    const { rows, pages } = await follow<{ id: number }>(app, '/v1/subscriptions?limit=3', 'subscriptions', auth);
    expect(pages).toBe(3);
    expect(rows.map((row) => row.id)).toEqual(made);
    const owner = made[0]!;
    for (let n = 0; n < 5; n++) {
      await database.db.insert(deliveries).values({ subscriptionId: owner, messageId: `msg_${n}`, kind: 'test', status: 'pending', eventIds: [], nextAttemptAt: new Date() });
    }
    const listed = await follow<{ id: number }>(app, `/v1/subscriptions/${owner}/deliveries?limit=2`, 'deliveries', auth);
    expect(listed.pages).toBe(3);
    const ids = listed.rows.map((row) => row.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(new Set(ids).size).toBe(5);
  });

  it('a cursor that is not one, or of another list, is a 400 naming cursor', async () => {
    const events = (await (await app.request(`/v1/events?board=${BOARD}&limit=1`)).json()) as { next: string };
    const bad = [
      ['/v1/events?cursor=nonsense', 'cursor'],
      ['/v1/changes?cursor=%F0%9F%98%80', 'cursor'],
      [`/v1/subscriptions?cursor=${events.next}`, 'cursor'],
    ] as const;
    for (const [url, parameter] of bad) {
      const response = await app.request(url, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(response.status, url).toBe(400);
      expect(await response.json()).toMatchObject({ code: 'invalid_parameter', parameter, message: expect.stringMatching(/^cursor: expected the cursor of a previous page/) });
    }
  });
});

describe.skipIf(!HAVE_SHARED)('rankwatch events --all', () => {
  it('lists every event past one page, from the database and through a running service', async () => {
    const environment = await createCliEnvironment();
    try {
      const imported = await rankwatch(['import', BOARD, ...days('2024-05-01', '2024-12-31')], environment.env);
      expect(imported.code, imported.stderr).toBe(0);
      const limited = JSON.parse((await rankwatch(['events', '--json', '--status', 'all', '--limit', '10'], environment.env)).stdout) as StoredEvent[];
      expect(limited).toHaveLength(10);
      const all = await rankwatch(['events', '--all', '--json', '--status', 'all'], environment.env);
      expect(all.code, all.stderr).toBe(0);
      const events = JSON.parse(all.stdout) as StoredEvent[];
      // More than one page of 1000, each event once, newest first.
      expect(events.length).toBeGreaterThan(1000);
      expect(new Set(events.map((event) => event.id)).size).toBe(events.length);
      expect(events.slice(0, 10).map((event) => event.id)).toEqual(limited.map((event) => event.id));
      if (TEST_DB === 'pglite') {
        // The service holds the embedded database: the CLI pages through its API instead.
        const service = await startServe({ ...environment.env, RANKWATCH_SCHEDULER: 'false', RANKWATCH_DISPATCHER: 'false' });
        try {
          const remote = await rankwatch(['events', '--all', '--json', '--status', 'all'], environment.env);
          expect(remote.code, remote.stderr).toBe(0);
          expect((JSON.parse(remote.stdout) as StoredEvent[]).map((event) => event.id)).toEqual(events.map((event) => event.id));
          // Past the API's largest page (1000) without --all too.
          const many = await rankwatch(['events', '--json', '--status', 'all', '--limit', '1500'], environment.env);
          expect(many.code, many.stderr).toBe(0);
          expect((JSON.parse(many.stdout) as StoredEvent[]).map((event) => event.id)).toEqual(events.slice(0, 1500).map((event) => event.id));
        } finally {
          service.child.kill('SIGTERM');
          await service.exited;
        }
      }
    } finally {
      await environment.cleanup();
    }
  }, 240_000);
});
