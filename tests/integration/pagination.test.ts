import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, pageOf, type PageKey } from '../../src/db/cursor.ts';
import { listChangeSets, listEvents, type EventFilter } from '../../src/db/queries.ts';
import { events } from '../../src/db/schema.ts';
import type { StoredEvent } from '../../src/diff/events.ts';
import { InvalidInputError } from '../../src/errors.ts';
import { importFile, planImport } from '../../src/ingest/run.ts';
import { HAVE_SHARED, SHARED } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

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
      await database.db.insert(events).values({ key, boardId: BOARD, kind: 'score_changed', model: `inserted-${n}`, capturedAt });
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
