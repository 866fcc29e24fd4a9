import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from '@hono/zod-openapi';
import { parse as parseCsv } from 'csv-parse/sync';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.ts';
import { aggregatesHistoryRoute, aggregatesRoute, standingsRoute } from '../../src/api/routes/boards.ts';
import { listEventsRoute } from '../../src/api/routes/events.ts';
import { entriesRoute, moversRoute, seriesRoute } from '../../src/api/routes/history.ts';
import { modelHistoryRoute } from '../../src/api/routes/models.ts';
import { ErrorSchema } from '../../src/api/schemas.ts';
import { boardSeries, movers, newEntries } from '../../src/db/series.ts';
import * as schema from '../../src/db/schema.ts';
import { snapshots } from '../../src/db/schema.ts';
import type { Db } from '../../src/db/client.ts';
import { loadIdentity } from '../../src/identity/identity.ts';
import { aggregatesHistory, boardAggregates } from '../../src/identity/store.ts';
import { importFile, planImport } from '../../src/ingest/run.ts';
import { HAVE_SHARED, SHARED } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// The history queries and CSV over HTTP (app.request), on real captures from ../shared/leaderboards
// read in place: every third LMArena capture of the CSV archive (2024-06-19 to 2025-07-18: ties,
// the 2025-02-17 hide of 30 models, models leaving and coming back) and one OpenRouter price list
// (model keys with slashes). Each JSON answer is checked against the query layer (src/db/series.ts,
// itself checked against the files in series.test.ts) and its documented schema; each CSV answer
// is parsed back with csv-parse and compared, cell by cell, with the JSON.

const BOARD = 'lmarena-text';
const PRICES = 'openrouter-prices';
const LMSYS = join(SHARED, 'lmarena/fboulnois-llm-leaderboard-csv/lmsys');
const OPENROUTER = join(SHARED, 'openrouter/api-v1-models/2025-12-18T15-11-29Z.json');
const identity = loadIdentity();

let database: TestDatabase;
let app: ReturnType<typeof createApp>;
/** Capture times of the stored LMArena snapshots, oldest first. */
let times: Date[] = [];

interface Answer {
  status: number;
  type: string;
  headers: Headers;
  text: string;
  body: unknown;
}

async function get(path: string, accept?: string): Promise<Answer> {
  const response = await app.request(path, accept ? { headers: { accept } } : {});
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  return { status: response.status, type, headers: response.headers, text, body: type.includes('json') ? (JSON.parse(text) as unknown) : null };
}

/** A 200 JSON answer's body, failing with the error body otherwise. */
async function json<T>(path: string): Promise<T> {
  const answer = await get(path);
  expect(answer.status, `${path}: ${answer.text.slice(0, 300)}`).toBe(200);
  expect(answer.type).toContain('application/json');
  return answer.body as T;
}

/** The JSON response schema of a route. */
function schemaOf(route: { responses: Record<number, unknown> }): z.ZodType {
  return (route.responses[200] as { content: { 'application/json': { schema: z.ZodType } } }).content['application/json'].schema;
}

function expectFits(schema: z.ZodType, body: unknown, what: string): void {
  const result = schema.safeParse(body);
  expect(result.success ? 'fits' : `${what}: ${JSON.stringify(result.error.issues.slice(0, 3))}`).toBe('fits');
}

/** The text a JSON value becomes in a CSV cell (src/api/csv.ts): empty for null, JSON for objects, a formula-like text behind `'`. */
function cellOf(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/.test(text) ? `'${text}` : text;
}

/**
 * Fetches `path` as CSV both ways (`.csv` before the query, and `Accept: text/csv`), checks the
 * headers, that both give the same text, and that it parses back to `rows` of the JSON, cell by cell.
 */
async function expectCsv(path: string, rows: readonly Record<string, unknown>[], filename: string): Promise<string[]> {
  const [pathname, query] = path.split('?');
  const suffixed = await get(`${pathname}.csv${query ? `?${query}` : ''}`);
  const negotiated = await get(path, 'text/csv');
  for (const answer of [suffixed, negotiated]) {
    expect(answer.status, `${path}: ${answer.text.slice(0, 300)}`).toBe(200);
    expect(answer.type).toBe('text/csv; charset=utf-8');
    expect(answer.headers.get('content-disposition')).toBe(`attachment; filename="${filename}"`);
    expect(answer.headers.get('vary')).toMatch(/\bAccept\b/);
  }
  expect(negotiated.text).toBe(suffixed.text);
  const records = parseCsv(suffixed.text, { relax_column_count: false }) as string[][];
  const [columns, ...cells] = records;
  expect(cells).toHaveLength(rows.length);
  for (const [index, row] of rows.entries()) {
    expect(cells[index], `${path} row ${index}`).toEqual(columns!.map((column) => cellOf(row[column])));
  }
  expect(rows.length, `${path}: rows to compare`).toBeGreaterThan(0);
  return columns!;
}

beforeAll(async () => {
  database = await createTestDatabase();
  app = createApp({ db: database.db, logError: () => {}, metrics: null });
  if (!HAVE_SHARED) return;
  const files = readdirSync(LMSYS)
    .filter((name) => name.endsWith('.csv'))
    .sort()
    .filter((_, index, all) => index % 3 === 0 || index === all.length - 1)
    .map((name) => join(LMSYS, name));
  for (const item of planImport(files)) await importFile(database.db, BOARD, item, {}, identity);
  await importFile(database.db, PRICES, { path: OPENROUTER, capturedAt: new Date('2025-12-18T15:11:29Z') }, {}, identity);
  times = (await database.db.select({ at: snapshots.capturedAt }).from(snapshots).where(eq(snapshots.boardId, BOARD)).orderBy(asc(snapshots.capturedAt))).map((row) => row.at);
  expect(times.length).toBeGreaterThan(20);
}, 600_000);
afterAll(async () => database?.drop());

type Series = Awaited<ReturnType<typeof boardSeries>>;
type Movers = Awaited<ReturnType<typeof movers>>;
type Entries = Awaited<ReturnType<typeof newEntries>>;
type Standings = { board: string; at: string; entries: Record<string, unknown>[] };

const iso = (date: Date) => date.toISOString();

describe.skipIf(!HAVE_SHARED)('GET /v1/boards/{board}/history: several models at once', () => {
  it('answers what boardSeries answers, models given as a comma list and repeated; fits its schema', async () => {
    const standing = await json<Standings>(`/v1/boards/${BOARD}/standings?at=${iso(times[10]!)}`);
    const models = standing.entries.slice(0, 4).map((entry) => entry.model as string);
    const since = times[5]!;
    const until = times[20]!;
    const expected = JSON.parse(JSON.stringify(await boardSeries(database.db, identity, BOARD, { models, since, until }))) as Series;
    const query = `since=${iso(since)}&until=${iso(until)}`;
    const comma = await json<Series>(`/v1/boards/${BOARD}/history?models=${models.map(encodeURIComponent).join(',')}&${query}`);
    const repeated = await json<Series>(`/v1/boards/${BOARD}/history?${models.map((model) => `models=${encodeURIComponent(model)}`).join('&')}&${query}`);
    expect(comma).toEqual(expected);
    expect(repeated).toEqual(expected);
    expect(comma.series.map((series) => series.model)).toEqual(models);
    expect(comma.series.every((series) => series.points.length > 0)).toBe(true);
    expectFits(schemaOf(seriesRoute), comma, 'history');
    // Without a window: the whole history, more periods than inside the window.
    const whole = await json<Series>(`/v1/boards/${BOARD}/history?models=${models.map(encodeURIComponent).join(',')}`);
    expect(whole).toMatchObject({ since: null, until: null });
    const count = (result: Series) => result.series.reduce((sum, series) => sum + series.points.length, 0);
    expect(count(whole)).toBeGreaterThan(count(comma));
  });

  it('as CSV: one row per period, parsing back to the JSON points', async () => {
    const standing = await json<Standings>(`/v1/boards/${BOARD}/standings`);
    const models = standing.entries.slice(0, 3).map((entry) => entry.model as string);
    const path = `/v1/boards/${BOARD}/history?models=${models.map(encodeURIComponent).join(',')}&since=${iso(times[3]!)}`;
    const body = await json<Series>(path);
    const rows = body.series.flatMap((series) => series.points.map((point) => ({ board: BOARD, model: series.model, id: series.id, ...point })));
    const columns = await expectCsv(path, rows, `${BOARD}-history.csv`);
    expect(columns.slice(0, 7)).toEqual(['board', 'model', 'id', 'from', 'to', 'rank', 'score']);
  });
});

describe.skipIf(!HAVE_SHARED)('GET /v1/boards/{board}/movers', () => {
  it('answers what movers answers for days, since and until, limit and entries; fits its schema', async () => {
    const until = times.at(-1)!;
    const cases: [string, Parameters<typeof movers>[2]][] = [
      [`days=30&until=${iso(until)}`, { since: new Date(until.getTime() - 30 * 86_400_000), until }],
      [`since=${iso(times[2]!)}&until=${iso(times[12]!)}&limit=3&entries=true`, { since: times[2]!, until: times[12]!, limit: 3, entries: true }],
      [`since=${iso(times[0]!)}&until=${iso(until)}&limit=1000`, { since: times[0]!, until, limit: 1000 }],
    ];
    let moves = 0;
    for (const [query, options] of cases) {
      const body = await json<Movers>(`/v1/boards/${BOARD}/movers?${query}`);
      expect(body, query).toEqual(JSON.parse(JSON.stringify(await movers(database.db, BOARD, options))));
      expectFits(schemaOf(moversRoute), body, query);
      moves += body.gains.length + body.losses.length;
    }
    expect(moves).toBeGreaterThan(20);
    // The default window: the last 7 days up to now (the archive ends in 2025: nobody moved since).
    const recent = await json<Movers>(`/v1/boards/${BOARD}/movers`);
    expect(new Date(recent.until).getTime() - new Date(recent.since).getTime()).toBe(7 * 86_400_000);
    expect(Math.abs(Date.now() - new Date(recent.until).getTime())).toBeLessThan(60_000);
    expect(recent.entered).toBeUndefined();
  });

  it('as CSV: gains, losses, entered and exited in a list column, parsing back to the JSON', async () => {
    const path = `/v1/boards/${BOARD}/movers?since=${iso(times[4]!)}&until=${iso(times[16]!)}&limit=5&entries=true`;
    const body = await json<Movers>(path);
    expect(body.entered!.length + body.exited!.length).toBeGreaterThan(0);
    const rows = [
      ...body.gains.map((mover) => ({ list: 'gain', ...mover })),
      ...body.losses.map((mover) => ({ list: 'loss', ...mover })),
      ...body.entered!.map((row) => ({ list: 'entered', model: row.model, name: row.name, organization: row.organization, rankNow: row.rank, scoreNow: row.score })),
      ...body.exited!.map((row) => ({ list: 'exited', model: row.model, name: row.name, organization: row.organization, rankThen: row.rank, scoreThen: row.score })),
    ];
    await expectCsv(path, rows, `${BOARD}-movers.csv`);
  });
});

describe.skipIf(!HAVE_SHARED)('GET /v1/boards/{board}/entries', () => {
  it('answers what newEntries answers, first appearances or with reentries; fits its schema', async () => {
    let returns = 0;
    for (const reentries of [false, true]) {
      const query = `since=${iso(times[0]!)}&until=${iso(times.at(-1)!)}${reentries ? '&reentries=true' : ''}`;
      const body = await json<Entries>(`/v1/boards/${BOARD}/entries?${query}`);
      expect(body).toEqual(JSON.parse(JSON.stringify(await newEntries(database.db, BOARD, { since: times[0]!, until: times.at(-1)!, reentries }))));
      expect(body.entries.length).toBeGreaterThan(10);
      expectFits(schemaOf(entriesRoute), body, query);
      returns += body.entries.filter((entry) => entry.reentry).length;
    }
    expect(returns).toBeGreaterThan(0);
    // `days` back from `until`.
    const week = await json<Entries>(`/v1/boards/${BOARD}/entries?days=60&until=${iso(times[10]!)}`);
    expect(week).toEqual(JSON.parse(JSON.stringify(await newEntries(database.db, BOARD, { since: new Date(times[10]!.getTime() - 60 * 86_400_000), until: times[10]! }))));
  });

  it('as CSV: one row per appearance, parsing back to the JSON', async () => {
    const path = `/v1/boards/${BOARD}/entries?since=${iso(times[0]!)}&reentries=true`;
    const body = await json<Entries>(path);
    await expectCsv(path, body.entries.map((entry) => ({ board: BOARD, ...entry })), `${BOARD}-entries.csv`);
  });
});

describe.skipIf(!HAVE_SHARED)('CSV of the existing tables: standings, events, model history, aggregates', () => {
  it('standings at a time', async () => {
    const path = `/v1/boards/${BOARD}/standings?at=${iso(times[8]!)}`;
    const body = await json<Standings>(path);
    expectFits(schemaOf(standingsRoute), body, 'standings');
    const columns = await expectCsv(path, body.entries, `${BOARD}-standings.csv`);
    expect(columns).toContain('validFrom');
  });

  it('events, with the ranks and scores in columns of their own', async () => {
    const path = `/v1/events?board=${BOARD}&kind=rank_changed,new_leader&limit=200`;
    const body = await json<{ events: { old: Record<string, unknown> | null; new: Record<string, unknown> | null; data?: unknown }[] }>(path);
    expectFits(schemaOf(listEventsRoute), body, 'events');
    const rows = body.events.map((event) => ({
      ...event,
      oldRank: event.old?.rank ?? null,
      newRank: event.new?.rank ?? null,
      oldScore: event.old?.score ?? null,
      newScore: event.new?.score ?? null,
      data: event.data ?? null,
    }));
    expect(rows.some((row) => typeof row.oldRank === 'number')).toBe(true);
    await expectCsv(path, rows, `${BOARD}-events.csv`);
  });

  it('a model history, by a key with a slash (OpenRouter) and by a board key', async () => {
    const prices = await json<Standings>(`/v1/boards/${PRICES}/standings`);
    const slashed = prices.entries.map((entry) => entry.model as string).find((model) => model.includes('/'))!;
    expect(slashed).toContain('/');
    for (const spell of [slashed, encodeURIComponent(slashed)]) {
      const path = `/v1/models/${spell}/history?board=${PRICES}`;
      const body = await json<{ model: string; history: Record<string, unknown>[] }>(path);
      expect(body.model).toBe(slashed);
      expectFits(schemaOf(modelHistoryRoute), body, 'history');
      await expectCsv(path, body.history, `${slashed.replace(/\//g, '_')}-history.csv`);
    }
    const leader = (await json<Standings>(`/v1/boards/${BOARD}/standings`)).entries[0]!.model as string;
    const body = await json<{ history: Record<string, unknown>[] }>(`/v1/models/${encodeURIComponent(leader)}/history`);
    expect(body.history.length).toBeGreaterThan(1);
    await expectCsv(`/v1/models/${encodeURIComponent(leader)}/history`, body.history, `${leader}-history.csv`);
  });

  it('aggregates now and over time, one row per group per time', async () => {
    type Aggregates = { board: string; at: string; by: string; groups: { group: string; place: number; models: number; best: Record<string, unknown> }[] };
    const rowsOf = (list: Aggregates[]) =>
      list.flatMap((at) =>
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
      );
    const nowPath = `/v1/boards/${BOARD}/aggregates?by=organization&at=${iso(times[6]!)}`;
    const now = await json<Aggregates>(nowPath);
    expectFits(schemaOf(aggregatesRoute), now, 'aggregates');
    await expectCsv(nowPath, rowsOf([now]), `${BOARD}-aggregates-organization.csv`);
    const historyPath = `/v1/boards/${BOARD}/aggregates/history?by=country&since=${iso(times[3]!)}&until=${iso(times[9]!)}`;
    const history = await json<{ history: Aggregates[] }>(historyPath);
    expect(history.history.map((at) => at.at)).toEqual(times.slice(3, 10).reverse().map(iso));
    expectFits(schemaOf(aggregatesHistoryRoute), history, 'aggregates history');
    await expectCsv(historyPath, rowsOf(history.history), `${BOARD}-aggregates-country-history.csv`);
  });
});

describe.skipIf(!HAVE_SHARED)('format negotiation', () => {
  const path = () => `/v1/boards/${BOARD}/movers?since=${iso(times[1]!)}&until=${iso(times[9]!)}`;

  it.each([
    ['text/csv', 'csv'],
    ['text/csv, application/json;q=0.9', 'csv'],
    ['application/json, text/csv;q=0.5', 'json'],
    ['text/*', 'csv'],
    ['*/*', 'json'],
    ['application/json', 'json'],
    ['image/png', 'json'],
  ])('Accept: %s answers %s', async (accept, format) => {
    const answer = await get(path(), accept);
    expect(answer.status).toBe(200);
    expect(answer.type).toContain(format === 'csv' ? 'text/csv' : 'application/json');
    expect(answer.headers.get('vary')).toMatch(/\bAccept\b/);
  });

  it('the JSON and the CSV of one URL carry different strong ETags, each answering its own 304', async () => {
    const asJson = await app.request(path());
    const asCsv = await app.request(path(), { headers: { accept: 'text/csv' } });
    const [jsonTag, csvTag] = [asJson.headers.get('etag'), asCsv.headers.get('etag')];
    expect(jsonTag).toMatch(/^"/);
    expect(csvTag).toMatch(/^"/);
    expect(csvTag).not.toBe(jsonTag);
    expect((await app.request(path(), { headers: { accept: 'text/csv', 'if-none-match': csvTag! } })).status).toBe(304);
    expect((await app.request(path(), { headers: { 'if-none-match': csvTag! } })).status).toBe(200);
  });
});

/** A second drizzle handle on the test database's own connection that counts the queries it sends. */
async function countingDb(): Promise<{ db: Db; queries: () => number }> {
  let count = 0;
  const logger = { logQuery: () => void count++ };
  if (database.pglite) {
    const { drizzle } = await import('drizzle-orm/pglite');
    return { db: drizzle(database.pglite, { schema, logger }), queries: () => count };
  }
  const { drizzle } = await import('drizzle-orm/postgres-js');
  return { db: drizzle(database.sql!, { schema, logger }), queries: () => count };
}

describe.skipIf(!HAVE_SHARED)('aggregatesHistory: the lab and country rankings over time in two queries', () => {
  /** The answer snapshot by snapshot: boardAggregates at each capture time, newest first. */
  async function perSnapshot(board: string, by: 'organization' | 'country', at: readonly Date[]) {
    const answers = [];
    for (const time of [...at].reverse()) answers.push(await boardAggregates(database.db, identity, board, by, time));
    return answers;
  }

  it.each(['organization', 'country'] as const)('by %s: the same as boardAggregates at every snapshot, over the whole history and any window', async (by) => {
    const windows: [{ since?: Date; until?: Date; limit: number }, Date[]][] = [
      [{ limit: 1000 }, times],
      [{ since: times[4]!, until: times[17]!, limit: 1000 }, times.slice(4, 18)],
      // Between captures: only those inside count.
      [{ since: new Date(times[2]!.getTime() + 1), until: new Date(times[9]!.getTime() - 1), limit: 1000 }, times.slice(3, 9)],
      // The newest `limit` of the window.
      [{ until: times[20]!, limit: 5 }, times.slice(16, 21)],
      [{ since: times[25]!, limit: 3 }, times.slice(-3)],
    ];
    for (const [filter, expected] of windows) {
      const found = await aggregatesHistory(database.db, identity, BOARD, by, filter);
      expect(found.map((at) => at.at)).toEqual([...expected].reverse().map(iso));
      expect(found).toEqual(await perSnapshot(BOARD, by, expected));
    }
    const all = await aggregatesHistory(database.db, identity, BOARD, by, { limit: 1000 });
    // Real rankings: several groups at every snapshot, and the lead changing over the year.
    expect(all.every((at) => at.groups.length >= (by === 'country' ? 3 : 10))).toBe(true);
    expect(new Set(all.map((at) => at.groups[0]!.best.model)).size).toBeGreaterThan(1);
    if (by === 'country') expect(all.filter((at) => at.gap !== null).length).toBeGreaterThan(times.length / 2);
  });

  it('a window without a snapshot, or a board outside the registry, is an empty history', async () => {
    expect(await aggregatesHistory(database.db, identity, BOARD, 'country', { until: new Date(times[0]!.getTime() - 1), limit: 10 })).toEqual([]);
    expect(await aggregatesHistory(database.db, identity, BOARD, 'country', { since: new Date(times.at(-1)!.getTime() + 1), limit: 10 })).toEqual([]);
    expect(await aggregatesHistory(database.db, identity, 'no-such-board', 'country', { limit: 10 })).toEqual([]);
  });

  it('sends two queries whatever the number of snapshots', async () => {
    const counting = await countingDb();
    for (const limit of [1, 5, 1000]) {
      const before = counting.queries();
      const found = await aggregatesHistory(counting.db, identity, BOARD, 'organization', { limit });
      expect(found).toHaveLength(Math.min(limit, times.length));
      expect(counting.queries() - before, `limit ${limit}`).toBe(2);
    }
  });
});

describe('bad input: 400 naming the parameter, 404 for an unknown board (JSON errors, also on .csv paths)', () => {
  it.each([
    [`/v1/boards/${BOARD}/history`, 'models', /^models: required: name at least one model/],
    [`/v1/boards/${BOARD}/history?models=`, 'models', /^models: name at least one model/],
    [`/v1/boards/${BOARD}/history?models=,%20,`, 'models', /^models: name at least one model/],
    [`/v1/boards/${BOARD}/history?models=${Array.from({ length: 101 }, (_, index) => `m${index}`).join(',')}`, 'models', /^models: at most 100 models, got 101$/],
    [`/v1/boards/${BOARD}/history?models=x&since=2024-02-30`, 'since', /^since: expected an ISO 8601 date/],
    [`/v1/boards/${BOARD}/history?models=x&until=later`, 'until', /^until: expected an ISO 8601 date/],
    [`/v1/boards/${BOARD}/history?models=x&since=2025-01-02&until=2025-01-01`, 'since', /must not be after until/],
    [`/v1/boards/${BOARD}/movers?days=0`, 'days', /^days: expected a whole number of days from 1 to 3660, got "0"$/],
    [`/v1/boards/${BOARD}/movers?days=1.5`, 'days', /^days: expected a whole number of days/],
    [`/v1/boards/${BOARD}/movers?days=7&since=2025-01-01`, 'days', /give days or since, not both/],
    [`/v1/boards/${BOARD}/movers?since=2025-01-01&until=2025-01-01`, 'since', /must be before until/],
    [`/v1/boards/${BOARD}/movers?limit=0`, 'limit', /^limit: expected a whole number from 1 to 1000, got "0"$/],
    [`/v1/boards/${BOARD}/movers?entries=yes`, 'entries', /^entries: expected true or false, got "yes"$/],
    [`/v1/boards/${BOARD}/movers.csv?until=2025-13-01`, 'until', /^until: expected an ISO 8601 date/],
    [`/v1/boards/${BOARD}/movers?since=2025-01-01&since=2025-02-01`, 'since', /^since: /],
    [`/v1/boards/${BOARD}/entries?reentries=1`, 'reentries', /^reentries: expected true or false, got "1"$/],
    [`/v1/boards/${BOARD}/entries?days=4000`, 'days', /^days: expected a whole number of days from 1 to 3660/],
    [`/v1/boards/${BOARD}/entries?since=2030-01-01`, 'since', /must be before until/],
    [`/v1/boards/${BOARD}/entries.csv?days=x`, 'days', /^days: /],
    [`/v1/boards/${BOARD}/standings.csv?at=soon`, 'at', /^at: expected an ISO 8601 date/],
    [`/v1/boards/${BOARD}/aggregates/history.csv?until=2024-02-30`, 'until', /^until: expected an ISO 8601 date/],
    [`/v1/boards/${BOARD}/aggregates.csv?by=lab`, 'by', /^by: expected organization or country, got "lab"$/],
    ['/v1/events.csv?limit=5000', 'limit', /^limit: expected a whole number from 1 to 1000/],
  ])('GET %s → 400 naming %s', async (path, parameter, message) => {
    for (const accept of [undefined, 'text/csv']) {
      const answer = await get(path, accept);
      expect(answer.status, `${path}: ${answer.text.slice(0, 200)}`).toBe(400);
      expect(answer.type).toContain('application/json');
      expect(answer.body).toMatchObject({ code: 'invalid_parameter', parameter });
      expect((answer.body as { message: string }).message).toMatch(message);
      expectFits(ErrorSchema, answer.body, 'error');
    }
  });

  it.each([
    '/v1/boards/nope/history?models=x',
    '/v1/boards/nope/history.csv?models=x',
    '/v1/boards/nope/movers',
    '/v1/boards/nope/movers.csv?days=30',
    '/v1/boards/nope/entries',
    '/v1/boards/nope/entries.csv',
    '/v1/boards/nope/standings.csv',
    '/v1/boards/nope/aggregates.csv',
    '/v1/boards/nope/aggregates/history.csv',
    '/v1/events.csv?board=nope',
    '/v1/models/nobody/nothing/history.csv',
    `/v1/boards/${BOARD}/history?models=no-such-model-anywhere`,
    `/v1/boards/${BOARD}/history.csv?models=gpt-4o-2024-05-13,no-such-model-anywhere`,
  ])('GET %s → 404', async (path) => {
    const answer = await get(path, 'text/csv');
    expect(answer.status).toBe(404);
    expect(answer.type).toContain('application/json');
    expect(answer.body).toMatchObject({ code: 'not_found' });
    if (path.includes('/nope')) expect(answer.body).toMatchObject({ message: 'unknown board: nope', parameter: 'board' });
    if (path.includes('no-such-model')) expect(answer.body).toMatchObject({ message: 'unknown model "no-such-model-anywhere" on lmarena-text', parameter: 'models' });
  });
});

describe('/openapi.json documents the new routes and every CSV form', () => {
  it('the three queries with both media types, and a .csv operation of each table answering text/csv', async () => {
    const document = (await get('/openapi.json')).body as { paths: Record<string, { get?: { parameters?: { name: string; in: string; required?: boolean }[]; responses: Record<string, { content?: Record<string, unknown> }> } }> };
    const media = (path: string) => Object.keys(document.paths[path]?.get?.responses['200']?.content ?? {});
    for (const path of ['/v1/boards/{board}/history', '/v1/boards/{board}/movers', '/v1/boards/{board}/entries', '/v1/boards/{board}/standings', '/v1/boards/{board}/aggregates', '/v1/boards/{board}/aggregates/history', '/v1/events', '/v1/models/{model}/history']) {
      expect(media(path), path).toEqual(['application/json', 'text/csv']);
      expect(media(`${path}.csv`), `${path}.csv`).toEqual(['text/csv']);
      expect(document.paths[`${path}.csv`]!.get!.parameters).toEqual(document.paths[path]!.get!.parameters);
    }
    const parameters = (path: string) => document.paths[path]!.get!.parameters!.filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name);
    expect(parameters('/v1/boards/{board}/history')).toEqual(['models', 'since', 'until']);
    expect(document.paths['/v1/boards/{board}/history']!.get!.parameters!.find((parameter) => parameter.name === 'models')!.required).toBe(true);
    expect(parameters('/v1/boards/{board}/movers')).toEqual(['days', 'since', 'until', 'limit', 'entries']);
    expect(parameters('/v1/boards/{board}/entries')).toEqual(['since', 'until', 'days', 'reentries']);
    expect(parameters('/v1/boards/{board}/aggregates/history')).toEqual(['by', 'since', 'until', 'limit']);
  });
});
