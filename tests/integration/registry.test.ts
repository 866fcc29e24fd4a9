// The registry of scrapers/ written to `sources` and `boards` (every command does, at start):
// every source and board, and only what changed rewritten, so a command on an unchanged registry
// writes nothing.
import { asc, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scrapers } from '../../scrapers/index.ts';
import type { Scraper } from '../../scrapers/scraper.ts';
import { boards, sources } from '../../src/db/schema.ts';
import { syncRegistry } from '../../src/ingest/store.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

let database: TestDatabase;

beforeEach(async () => {
  database = await createTestDatabase();
});
afterEach(async () => {
  await database.drop();
});

const boardRows = () => database.db.select().from(boards).orderBy(asc(boards.id));
const sourceRows = () => database.db.select().from(sources).orderBy(asc(sources.id));

describe('syncRegistry', () => {
  it('writes every source and board of the registry', async () => {
    expect((await sourceRows()).map((row) => [row.id, row.name, row.parserVersion])).toEqual(
      [...scrapers].sort((a, b) => (a.id < b.id ? -1 : 1)).map((scraper) => [scraper.id, scraper.name, scraper.parserVersion]),
    );
    const expected = scrapers.flatMap((scraper) => scraper.boards.map((board) => [board.id, scraper.id, board.name, board.direction]));
    expect((await boardRows()).map((row) => [row.id, row.sourceId, row.name, row.direction])).toEqual(expected.sort((a, b) => (a[0]! < b[0]! ? -1 : 1)));
  });

  it('rewrites nothing when the registry is unchanged', async () => {
    const [boardsBefore, sourcesBefore] = [await boardRows(), await sourceRows()];
    await new Promise((resolve) => setTimeout(resolve, 20));
    await syncRegistry(database.db, scrapers);
    expect(await boardRows()).toEqual(boardsBefore);
    expect(await sourceRows()).toEqual(sourcesBefore);
  });

  it('updates what changed, and only that, keeping when each board was first seen', async () => {
    const [board] = scrapers[0]!.boards;
    const firstSeenAt = new Date('2025-01-02T03:04:05Z');
    await database.db.update(boards).set({ firstSeenAt }).where(eq(boards.id, board!.id));
    const [boardsBefore, sourcesBefore] = [await boardRows(), await sourceRows()];
    await new Promise((resolve) => setTimeout(resolve, 20));
    const renamed: Scraper[] = scrapers.map((scraper, index) =>
      index === 0 ? { ...scraper, parserVersion: `${scraper.parserVersion}-next`, boards: scraper.boards.map((entry, i) => (i === 0 ? { ...entry, name: `${entry.name} (renamed)` } : entry)) } : scraper,
    );
    await syncRegistry(database.db, renamed);

    const boardsAfter = await boardRows();
    const changedBoard = boardsAfter.find((row) => row.id === board!.id)!;
    expect(changedBoard.name).toBe(`${board!.name} (renamed)`);
    expect(changedBoard.firstSeenAt).toEqual(firstSeenAt);
    expect(changedBoard.updatedAt.getTime()).toBeGreaterThan(boardsBefore.find((row) => row.id === board!.id)!.updatedAt.getTime());
    expect(boardsAfter.filter((row) => row.id !== board!.id)).toEqual(boardsBefore.filter((row) => row.id !== board!.id));

    const sourcesAfter = await sourceRows();
    const changedSource = sourcesAfter.find((row) => row.id === scrapers[0]!.id)!;
    expect(changedSource.parserVersion).toBe(`${scrapers[0]!.parserVersion}-next`);
    expect(changedSource.updatedAt.getTime()).toBeGreaterThan(sourcesBefore.find((row) => row.id === scrapers[0]!.id)!.updatedAt.getTime());
    expect(sourcesAfter.filter((row) => row.id !== scrapers[0]!.id)).toEqual(sourcesBefore.filter((row) => row.id !== scrapers[0]!.id));
  });
});
