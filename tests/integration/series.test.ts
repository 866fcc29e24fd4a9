import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lmarena } from '../../scrapers/lmarena.ts';
import {
  aggregatesTable,
  eventsTable,
  moversTable,
  newEntriesTable,
  seriesTable,
  standingsTable,
  toCsv,
  type CsvTable,
} from '../../src/api/csv.ts';
import { listEvents, standingsAt } from '../../src/db/queries.ts';
import { boardSeries, modelList, movers, newEntries, resolveWindow, UnknownModelsError, type Mover } from '../../src/db/series.ts';
import type { Entry } from '../../src/entry.ts';
import { InvalidInputError } from '../../src/errors.ts';
import { loadIdentity } from '../../src/identity/identity.ts';
import { aggregatesHistory, canonicalHistory } from '../../src/identity/store.ts';
import { applyCapture } from '../../src/ingest/store.ts';
import { importFile, planImport } from '../../src/ingest/run.ts';
import { HAVE_SHARED, SHARED } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// Real LMArena history from ../shared/leaderboards, read in place: the whole CSV archive, 86
// captures from 2024-06-19 to 2025-07-18 (ties, the 2025-02-17 bulk hide of 30 models, models that
// leave and come back). Every
// answer is checked against the same files parsed here and walked in plain TypeScript.
const FOLDER = join(SHARED, 'lmarena/fboulnois-llm-leaderboard-csv/lmsys');
const BOARD = 'lmarena-text';
const FIRST = '2024-06-19.csv';
const LAST = '2025-07-18.csv';
const identity = loadIdentity();

/** One stored capture as the test reads it: time and entries by board key. */
interface Capture {
  at: Date;
  entries: Map<string, Entry>;
}

let database: TestDatabase;
/** The captures that became history (quarantined ones are held back from the standings). */
let captures: Capture[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  if (!HAVE_SHARED) return;
  const files = readdirSync(FOLDER)
    .filter((name) => name >= FIRST && name <= LAST)
    .map((name) => join(FOLDER, name));
  for (const item of planImport(files)) {
    const result = await importFile(database.db, BOARD, item);
    if (result.status === 'quarantined') continue;
    const parsed = lmarena.parse(readFileSync(item.path, 'utf8'), { board: BOARD, fileName: item.path.split('/').at(-1) });
    // On a board keyed by model identity, a model new to the board takes its canonical id as its key.
    const entries = new Map(parsed.entries.map((entry) => [identity.resolve('lmarena', entry).id, entry]));
    expect(entries.size, `${item.path}: one key per entry`).toBe(parsed.entries.length);
    captures.push({ at: item.capturedAt, entries });
  }
  expect(captures.length).toBeGreaterThan(20);
}, 600_000);
afterAll(async () => database?.drop());

/** The board as the files say it stood at `at`: the latest capture at or before it. */
function stateAt(at: Date): Map<string, Entry> {
  return [...captures].reverse().find((capture) => capture.at.getTime() <= at.getTime())?.entries ?? new Map();
}

const DAY = 86_400_000;
const plus = (at: Date, ms: number) => new Date(at.getTime() + ms);
const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

describe.skipIf(!HAVE_SHARED)('history queries on the real LMArena archive (../shared/leaderboards)', () => {
  it('a board series for several models holds, at every capture in the window, the rank and score the files give', async () => {
    const since = plus(captures[5]!.at, DAY / 2);
    const until = captures[22]!.at;
    const atSince = stateAt(since);
    const inWindow = captures.filter((capture) => capture.at > since && capture.at <= until);
    // Three leaders at `since`, one model that arrives inside the window, one the 2025-02-17 hide removes.
    const leaders = [...atSince.entries()].sort(([, a], [, b]) => a.rank! - b.rank!).slice(0, 3).map(([key]) => key);
    const arriving = [...inWindow.at(-1)!.entries.keys()].find((key) => !atSince.has(key))!;
    const leaving = [...atSince.keys()].find((key) => !leaders.includes(key) && !inWindow.at(-1)!.entries.has(key))!;
    expect([arriving, leaving]).not.toContain(undefined);
    // Asked for by key, by the name the CSV published, and by a spelling of the canonical id.
    const published = atSince.get(leaders[1]!)!.model;
    const requested = [leaders[0]!, published, leaders[2]!.toUpperCase(), arriving, leaving];
    const result = await boardSeries(database.db, identity, BOARD, { models: requested, since, until });
    expect(result.series.map((series) => series.model)).toEqual([leaders[0], leaders[1], leaders[2], arriving, leaving]);
    expect(result.series[1]!.requested).toEqual([published]);

    const times = [since, ...inWindow.map((capture) => capture.at)];
    for (const series of result.series) {
      // Oldest first, no overlap, every period overlapping the window.
      for (const [index, point] of series.points.entries()) {
        expect(point.to === null || new Date(point.from) < new Date(point.to)).toBe(true);
        if (index > 0) expect(new Date(point.from) >= new Date(series.points[index - 1]!.to!)).toBe(true);
        expect(new Date(point.from) <= until && (point.to === null || new Date(point.to) > since)).toBe(true);
      }
      for (const at of times) {
        const expected = stateAt(at).get(series.model);
        const covering = series.points.filter((point) => new Date(point.from) <= at && (point.to === null || new Date(point.to) > at));
        if (!expected) {
          expect(covering, `${series.model} at ${at.toISOString()}`).toEqual([]);
          continue;
        }
        expect(covering, `${series.model} at ${at.toISOString()}`).toHaveLength(1);
        expect({ rank: covering[0]!.rank, score: covering[0]!.score, votes: covering[0]!.votes, name: covering[0]!.name }).toEqual({
          rank: expected.rank,
          score: expected.score,
          votes: expected.votes,
          name: expected.name,
        });
      }
      // Every period holds at one of those times: nothing outside the files is in the series.
      for (const point of series.points) {
        expect(times.some((at) => new Date(point.from) <= at && (point.to === null || new Date(point.to) > at))).toBe(true);
      }
    }
    expect(result.series.find((series) => series.model === leaving)!.points.at(-1)!.to).not.toBeNull();
  });

  it('a series request naming no model at all is refused naming models; one naming a model the board never listed is not found, naming models', async () => {
    const known = [...captures[0]!.entries.keys()][0]!;
    for (const models of [[], [' ', '']]) {
      const error = await boardSeries(database.db, identity, BOARD, { models }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as InvalidInputError).parameter).toBe('models');
    }
    const unknown = await boardSeries(database.db, identity, BOARD, { models: [known, 'no-such-model-anywhere'] }).catch((caught: unknown) => caught);
    expect(unknown).toBeInstanceOf(UnknownModelsError);
    expect(unknown).toMatchObject({ parameter: 'models', message: 'unknown model "no-such-model-anywhere" on lmarena-text' });
  });

  /** Movers computed from the files alone: models ranked at both ends, by the documented order. */
  function expectedMovers(since: Date, until: Date) {
    const then = stateAt(since);
    const now = stateAt(until);
    const moved: Omit<Mover, 'place'>[] = [];
    for (const [model, entry] of now) {
      const old = then.get(model);
      if (!old || old.rank === null || entry.rank === null || old.rank === entry.rank) continue;
      const scoreGain = old.score === null || entry.score === null ? null : entry.score - old.score;
      moved.push({ model, name: entry.name, organization: entry.organization, rankThen: old.rank, rankNow: entry.rank, delta: old.rank - entry.rank, scoreThen: old.score, scoreNow: entry.score, scoreGain });
    }
    const size = (mover: Omit<Mover, 'place'>) => Math.abs(mover.delta);
    const gains = moved
      .filter((mover) => mover.delta > 0)
      .sort((a, b) => size(b) - size(a) || (b.scoreGain ?? -Infinity) - (a.scoreGain ?? -Infinity) || a.rankNow - b.rankNow || compareText(a.model, b.model));
    const losses = moved
      .filter((mover) => mover.delta < 0)
      .sort((a, b) => size(b) - size(a) || (a.scoreGain ?? Infinity) - (b.scoreGain ?? Infinity) || a.rankNow - b.rankNow || compareText(a.model, b.model));
    const withPlace = (list: Omit<Mover, 'place'>[]) => list.map((mover) => ({ place: 1 + list.filter((other) => size(other) > size(mover)).length, ...mover }));
    return {
      gains: withPlace(gains),
      losses: withPlace(losses),
      entered: [...now.keys()].filter((model) => !then.has(model)).sort(),
      exited: [...then.keys()].filter((model) => !now.has(model)).sort(),
    };
  }

  it('movers over 7 and 30 days and between any two times match the files: every gain and loss, in order, with places', async () => {
    const windows = [
      resolveWindow({ days: 7 }, captures.at(-1)!.at, 7),
      resolveWindow({ days: 30 }, captures.at(-1)!.at, 7),
      resolveWindow({ days: 30, until: plus(captures[15]!.at, DAY / 3) }, new Date(), 7),
      { since: plus(captures[2]!.at, 3 * 3_600_000), until: captures[20]!.at },
    ];
    let moves = 0;
    for (const window of windows) {
      const expected = expectedMovers(window.since, window.until);
      const found = await movers(database.db, BOARD, { ...window, limit: 10_000, entries: true });
      expect(found.direction).toBe('higher');
      expect(found.gains).toEqual(expected.gains);
      expect(found.losses).toEqual(expected.losses);
      expect(found.entered!.map((row) => row.model).sort()).toEqual(expected.entered);
      expect(found.exited!.map((row) => row.model).sort()).toEqual(expected.exited);
      moves += found.gains.length + found.losses.length;
    }
    expect(moves).toBeGreaterThan(50);
  });

  it('a movers list cut at its limit keeps every model tied with the last one, sharing its place', async () => {
    const window = { since: captures[0]!.at, until: captures.at(-1)!.at };
    const expected = expectedMovers(window.since, window.until);
    // A limit that falls inside a run of equal moves.
    const limit = expected.losses.findIndex((mover, index) => index > 0 && Math.abs(mover.delta) === Math.abs(expected.losses[index - 1]!.delta));
    expect(limit).toBeGreaterThan(0);
    const found = await movers(database.db, BOARD, { ...window, limit });
    const edge = Math.abs(expected.losses[limit - 1]!.delta);
    expect(found.losses).toEqual(expected.losses.filter((mover) => Math.abs(mover.delta) >= edge));
    expect(found.losses.length).toBeGreaterThan(limit);
    expect(found.losses.at(-1)!.place).toBe(found.losses[limit - 1]!.place);
    expect(found.entered).toBeUndefined();
  });

  /** Appearances computed from the files: a capture listing a model the previous one did not. */
  function expectedEntries(since: Date, until: Date, reentries: boolean) {
    const rows = [];
    for (const [index, capture] of captures.entries()) {
      if (index === 0 || capture.at <= since || capture.at > until) continue;
      for (const [model, entry] of capture.entries) {
        if (captures[index - 1]!.entries.has(model)) continue;
        const before = captures.slice(0, index).some((earlier) => earlier.entries.has(model));
        if (before && !reentries) continue;
        rows.push({ model, enteredAt: capture.at.toISOString(), rank: entry.rank, score: entry.score, votes: entry.votes, reentry: before });
      }
    }
    return rows.sort((a, b) => compareText(b.enteredAt, a.enteredAt) || (a.rank ?? Infinity) - (b.rank ?? Infinity) || compareText(a.model, b.model));
  }

  it('new entries in a window are the first appearances the files show; with reentries, the returns too', async () => {
    const windows = [
      { since: captures[0]!.at, until: captures.at(-1)!.at },
      { since: plus(captures[8]!.at, DAY / 2), until: plus(captures[18]!.at, DAY / 2) },
      // From before the board's first capture: the models it started with did not enter.
      { since: plus(captures[0]!.at, -30 * DAY), until: captures[3]!.at },
    ];
    let firsts = 0;
    let returns = 0;
    for (const window of windows) {
      for (const reentries of [false, true]) {
        const found = await newEntries(database.db, BOARD, { ...window, reentries });
        const picked = found.entries.map(({ model, enteredAt, rank, score, votes, reentry }) => ({ model, enteredAt, rank, score, votes, reentry }));
        expect(picked).toEqual(expectedEntries(window.since, window.until, reentries));
        if (reentries) returns += found.entries.filter((entry) => entry.reentry).length;
        else firsts += found.entries.length;
      }
    }
    expect(firsts).toBeGreaterThan(10);
    expect(returns).toBeGreaterThan(0);
  });

  it('the models parameter takes comma lists and repeats', () => {
    expect(modelList(['gpt-4o, gemini-2.5-pro', 'gpt-4o', ' ', 'o3,,'])).toEqual(['gpt-4o', 'gemini-2.5-pro', 'o3']);
  });

  it('windows are read strictly: days or since, since before until', () => {
    const now = new Date('2025-03-07T00:00:00Z');
    expect(resolveWindow({}, now, 7)).toEqual({ since: new Date('2025-02-28T00:00:00Z'), until: now });
    expect(resolveWindow({ days: 30 }, now, 7).since).toEqual(new Date('2025-02-05T00:00:00Z'));
    const cases: [Parameters<typeof resolveWindow>[0], string][] = [
      [{ days: 0 }, 'days'],
      [{ days: 1.5 }, 'days'],
      [{ days: 7, since: now }, 'days'],
      [{ since: now, until: now }, 'since'],
      [{ since: plus(now, DAY) }, 'since'],
    ];
    for (const [input, parameter] of cases) {
      expect(() => resolveWindow(input, now, 7)).toThrow(expect.objectContaining({ parameter }));
    }
  });

  /** The text a JSON value is written as in a CSV cell, formula-escaped, per the contract of src/api/csv.ts. */
  function cellOf(value: unknown): string {
    if (value === null || value === undefined) return '';
    if (typeof value === 'number') return String(value);
    if (typeof value === 'boolean') return String(value);
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/.test(text) ? `'${text}` : text;
  }

  /** Parses the CSV back and checks the header and every cell against the JSON rows. */
  function expectCsvOf(table: CsvTable, json: readonly Record<string, unknown>[]) {
    const text = toCsv(table);
    const records = parseCsv(text, { bom: false, relax_column_count: false }) as string[][];
    expect(records[0]).toEqual([...table.columns]);
    expect(records.slice(1)).toHaveLength(json.length);
    for (const [index, row] of json.entries()) {
      expect(records[index + 1], `row ${index}`).toEqual(table.columns.map((column) => cellOf(row[column])));
    }
    expect(json.length).toBeGreaterThan(0);
  }

  it('CSV of each series and table parses back to the JSON rows', async () => {
    const last = captures.at(-1)!.at;
    const standing = await standingsAt(database.db, BOARD, captures[10]!.at);
    expectCsvOf(standingsTable(standing), standing as unknown as Record<string, unknown>[]);

    const leader = standing[0]!.model;
    const history = await canonicalHistory(database.db, identity, leader, BOARD);
    expectCsvOf(standingsTable(history), history as unknown as Record<string, unknown>[]);

    const series = await boardSeries(database.db, identity, BOARD, { models: standing.slice(0, 4).map((row) => row.model) });
    expectCsvOf(
      seriesTable(series),
      series.series.flatMap((one) => one.points.map((point) => ({ board: BOARD, model: one.model, id: one.id, ...point }))),
    );

    const moved = await movers(database.db, BOARD, { since: captures[0]!.at, until: last, limit: 10_000, entries: true });
    expectCsvOf(moversTable(moved), [
      ...moved.gains.map((mover) => ({ list: 'gain', ...mover })),
      ...moved.losses.map((mover) => ({ list: 'loss', ...mover })),
      ...moved.entered!.map((row) => ({ list: 'entered', model: row.model, name: row.name, organization: row.organization, rankNow: row.rank, scoreNow: row.score })),
      ...moved.exited!.map((row) => ({ list: 'exited', model: row.model, name: row.name, organization: row.organization, rankThen: row.rank, scoreThen: row.score })),
    ]);
    // Negative deltas are numbers, not escaped text.
    expect(toCsv(moversTable(moved))).toMatch(/,-\d+,/);

    const entries = await newEntries(database.db, BOARD, { since: captures[0]!.at, until: last, reentries: true });
    expectCsvOf(newEntriesTable(entries), entries.entries.map((entry) => ({ board: BOARD, ...entry })));

    const events = await listEvents(database.db, { board: BOARD, limit: 300 });
    expectCsvOf(
      eventsTable(events),
      events.map((event) => ({
        ...event,
        // Whatever the kind: the columns read rank and score where the event has them.
        oldRank: (event.old as { rank?: number | null } | null)?.rank ?? null,
        newRank: (event.new as { rank?: number | null } | null)?.rank ?? null,
        oldScore: (event.old as { score?: number | null } | null)?.score ?? null,
        newScore: (event.new as { score?: number | null } | null)?.score ?? null,
        data: event.data ?? null,
      })),
    );

    const aggregates = await aggregatesHistory(database.db, identity, BOARD, 'country', { limit: 3 });
    expectCsvOf(
      aggregatesTable(aggregates),
      aggregates.flatMap((at) =>
        at.groups.map((group) => ({
          board: at.board,
          at: at.at,
          by: at.by,
          group: group.group,
          place: group.place,
          models: group.models,
          bestModel: group.best.model,
          bestName: group.best.name,
          bestRank: group.best.rank,
          bestScore: group.best.score,
          bestScoreLower: group.best.scoreLower,
          bestScoreUpper: group.best.scoreUpper,
        })),
      ),
    );
  });
});

describe('movers on a lower-is-better board', () => {
  it('score gains count in the board direction and break ties between equal rank moves', async () => {
    const fresh = await createTestDatabase();
    try {
      // openrouter-prices is the registry's lower-is-better board; the values here are made up.
      const entry = (model: string, rank: number, score: number): Entry => ({
        rank,
        model,
        name: model,
        organization: null,
        score,
        scoreLower: null,
        scoreUpper: null,
        votes: null,
        priceInput: null,
        priceOutput: null,
      });
      const capture = (at: string, entries: Entry[]) =>
        applyCapture(fresh.db, { board: 'openrouter-prices', capturedAt: new Date(at), entries, origin: 'import', source: 'test', contentHash: at, format: null, parserVersion: null, publishedAt: null });
      await capture('2026-01-01T00:00:00Z', [entry('a', 1, 1), entry('b', 2, 2), entry('c', 3, 3), entry('d', 4, 4), entry('e', 5, 5)]);
      // c and e both climb two places; e's score fell (improved) by 3.5, c's by 2.5.
      await capture('2026-01-02T00:00:00Z', [entry('c', 1, 0.5), entry('a', 2, 1), entry('e', 3, 1.5), entry('b', 4, 2), entry('d', 5, 4)]);
      const found = await movers(fresh.db, 'openrouter-prices', { since: new Date('2026-01-01T12:00:00Z'), until: new Date('2026-01-02T12:00:00Z') });
      expect(found.direction).toBe('lower');
      expect(found.gains.map(({ place, model, delta, scoreGain }) => ({ place, model, delta, scoreGain }))).toEqual([
        { place: 1, model: 'e', delta: 2, scoreGain: 3.5 },
        { place: 1, model: 'c', delta: 2, scoreGain: 2.5 },
      ]);
      expect(found.losses.map(({ place, model, delta, scoreGain }) => ({ place, model, delta, scoreGain }))).toEqual([
        { place: 1, model: 'b', delta: -2, scoreGain: 0 },
        { place: 2, model: 'a', delta: -1, scoreGain: 0 },
        { place: 2, model: 'd', delta: -1, scoreGain: 0 },
      ]);
    } finally {
      await fresh.drop();
    }
  });
});
