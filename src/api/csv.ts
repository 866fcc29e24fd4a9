import { createRoute, type RouteConfig, type z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { stringify } from 'csv-stringify/sync';
import { parseAccept } from 'hono/utils/accept';
import type { Standing } from '../db/queries.ts';
import type { BoardSeries, Movers, NewEntries } from '../db/series.ts';
import type { StoredEvent } from '../diff/events.ts';
import type { BoardAggregates } from '../identity/store.ts';

/**
 * CSV export of the API's series and tables. A table is a fixed column list and rows of plain
 * values; `toCsv` writes it with csv-stringify: a header row, the columns in the table's order,
 * times as ISO 8601, null as an empty cell, and cells that a spreadsheet would run as a formula
 * (starting with = + - @ tab or CR, or their full-width forms) prefixed with `'` as OWASP
 * recommends, except numbers (a negative number stays a number).
 */

/** A cell value: what the API's JSON holds (objects and arrays are written as JSON text). */
export type CsvValue = string | number | boolean | Date | null | undefined | readonly unknown[] | Record<string, unknown>;

/** A table to write as CSV: the columns in order, and one record per row keyed by column. */
export interface CsvTable {
  columns: readonly string[];
  rows: readonly Readonly<Record<string, CsvValue>>[];
}

/** The media type of CSV answers. */
export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';

/** Writes a table as CSV text (RFC 4180, CRLF line ends), header row first. */
export function toCsv(table: CsvTable): string {
  const header = stringify([table.columns.map((column) => column)], { record_delimiter: 'windows' });
  if (table.rows.length === 0) return header;
  return (
    header +
    stringify(
      table.rows.map((row) => table.columns.map((column) => row[column] ?? null)),
      {
        record_delimiter: 'windows',
        escape_formulas: true,
        cast: {
          date: (value) => value.toISOString(),
          boolean: (value) => (value ? 'true' : 'false'),
          object: (value) => JSON.stringify(value),
          number: (value) => (Number.isFinite(value) ? String(value) : ''),
        },
      },
    )
  );
}

/** The two formats a negotiated GET answers in. */
export type ResponseFormat = 'json' | 'csv';

/** Strips a trailing `.csv` from a path or path parameter, saying whether it was there. */
export function withoutCsvExtension(value: string): { value: string; csv: boolean } {
  return value.endsWith('.csv') ? { value: value.slice(0, -'.csv'.length), csv: true } : { value, csv: false };
}

const specificity = (type: string) => (type === '*/*' || type === '*' ? 1 : type.endsWith('/*') ? 2 : 3);
const matches = (range: string, type: string) =>
  range === type || range === '*/*' || range === '*' || (range.endsWith('/*') && type.startsWith(range.slice(0, -1)));

/** The quality the Accept header gives a media type: that of its most specific matching range (RFC 9110 §12.5.1). */
function quality(ranges: readonly { type: string; q: number }[], type: string): { q: number; specificity: number } {
  let best = { q: 0, specificity: 0 };
  for (const range of ranges) {
    const name = range.type.toLowerCase();
    if (matches(name, type) && specificity(name) > best.specificity) best = { q: range.q, specificity: specificity(name) };
  }
  return best;
}

/**
 * CSV when the path ends in `.csv`, or when the Accept header prefers `text/csv` to
 * `application/json` (q-values respected; on equal q the more specific range wins, and on a full
 * tie JSON, the default); JSON otherwise, also when the header accepts neither.
 */
export function negotiateFormat(request: { path: string; accept?: string | null | undefined }): ResponseFormat {
  if (request.path.endsWith('.csv')) return 'csv';
  if (!request.accept) return 'json';
  const ranges = parseAccept(request.accept);
  const csv = quality(ranges, 'text/csv');
  const json = quality(ranges, 'application/json');
  if (csv.q <= 0) return 'json';
  if (csv.q > json.q) return 'csv';
  return csv.q === json.q && csv.specificity > json.specificity ? 'csv' : 'json';
}

/** A download file name: the parts joined by `-`, anything but letters, digits, `.`, `_` and `-` replaced by `_`, with `.csv`. */
export function csvFilename(...parts: readonly string[]): string {
  const base = parts
    .filter(Boolean)
    .join('-')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._-]+/, '')
    .slice(0, 150);
  return `${base || 'export'}.csv`;
}

/** How a negotiated answer is written as CSV: the table (built only when CSV is chosen) and its file name. */
export interface CsvExport {
  table: CsvTable | (() => CsvTable);
  /** Parts of the download name (see `csvFilename`), e.g. `['lmarena-text', 'standings']`. */
  filename: readonly string[];
}

/**
 * Answers a GET in the negotiated format (see `negotiateFormat`): `body` as JSON, or the CSV table
 * with `content-type: text/csv; charset=utf-8` and an attachment `content-disposition`. Both carry
 * `Vary: Accept` (caches keep the two apart). One line in a hono handler:
 * `return respond(c, { board, entries }, { table: () => standingsTable(entries), filename: [board, 'standings'] })`.
 */
export function respond(c: Context, body: unknown, csv: CsvExport): Response {
  c.header('Vary', 'Accept');
  if (negotiateFormat({ path: c.req.path, accept: c.req.header('accept') }) === 'json') return c.json(body);
  const table = typeof csv.table === 'function' ? csv.table() : csv.table;
  return c.body(toCsv(table), 200, {
    'content-type': CSV_CONTENT_TYPE,
    'content-disposition': `attachment; filename="${csvFilename(...csv.filename)}"`,
  });
}

// The OpenAPI side: a negotiated route documents both media types of its 200, and its `.csv`
// twin (the same route at the path plus `.csv`) documents CSV only. The CSV schema is a plain
// OpenAPI schema, not a zod one, so the typed client (hc) reads a route's JSON body type alone.

const CSV_SCHEMA = { type: 'string', description: 'CSV (RFC 4180): a header row, then one row per record; see the README for the columns' } as const;

/** A 200 answering JSON of `schema`, or CSV when asked (`Accept: text/csv`). */
export function jsonOrCsv<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema }, 'text/csv': { schema: CSV_SCHEMA } } } as const;
}

/** A 200 answering CSV. */
export function csvOnly(description: string) {
  return { description, content: { 'text/csv': { schema: CSV_SCHEMA } } } as const;
}

/** The `.csv` twin of a negotiated route: the same parameters and errors, at `path.csv`, answering CSV. */
export function csvTwin<R extends RouteConfig>(route: R) {
  const { 200: answer, ...others } = route.responses;
  const description = (answer as { description?: string } | undefined)?.description ?? 'the table';
  type Twin = Omit<R, 'path' | 'responses'> & { path: `${R['path']}.csv`; responses: Omit<R['responses'], 200> & { 200: ReturnType<typeof csvOnly> } };
  const twin = { ...route, path: `${route.path}.csv`, summary: `${route.summary ?? ''} (CSV)`.trim(), responses: { ...others, 200: csvOnly(`${description}, as CSV`) } };
  return createRoute(twin as unknown as Twin);
}

// Tables of each result, columns in a fixed order.

const STANDING_COLUMNS = [
  'board',
  'rank',
  'model',
  'sourceKey',
  'name',
  'organization',
  'score',
  'scoreLower',
  'scoreUpper',
  'votes',
  'priceInput',
  'priceOutput',
  'validFrom',
  'validTo',
] as const;

/** Standings at a time (`/v1/boards/:board/standings`) or a model's history (`/v1/models/:id/history`): one row per period. */
export function standingsTable(rows: readonly Standing[]): CsvTable {
  return { columns: STANDING_COLUMNS, rows: rows.map((row) => ({ ...row })) };
}

const EVENT_COLUMNS = [
  'id',
  'board',
  'kind',
  'model',
  'name',
  'capturedAt',
  'status',
  'settledAt',
  'snapshotId',
  'oldRank',
  'newRank',
  'oldScore',
  'newScore',
  'old',
  'new',
  'data',
  'key',
] as const;

const numberIn = (values: Readonly<Record<string, unknown>> | null | undefined, key: string): number | null => {
  const value = values?.[key];
  return typeof value === 'number' ? value : null;
};

/** Events (`/v1/events`): the ranks and scores in columns of their own, and `old`, `new`, `data` as JSON text. */
export function eventsTable(events: readonly StoredEvent[]): CsvTable {
  return {
    columns: EVENT_COLUMNS,
    rows: events.map((event) => ({
      ...event,
      oldRank: numberIn(event.old, 'rank'),
      newRank: numberIn(event.new, 'rank'),
      oldScore: numberIn(event.old, 'score'),
      newScore: numberIn(event.new, 'score'),
      old: event.old,
      new: event.new,
      data: event.data ?? null,
    })),
  };
}

const AGGREGATE_COLUMNS = ['board', 'at', 'by', 'group', 'place', 'models', 'bestModel', 'bestName', 'bestRank', 'bestScore', 'bestScoreLower', 'bestScoreUpper'] as const;

/** Aggregates (`/v1/boards/:board/aggregates`, `.../aggregates/history`): one row per group per time. */
export function aggregatesTable(history: readonly BoardAggregates[]): CsvTable {
  return {
    columns: AGGREGATE_COLUMNS,
    rows: history.flatMap((at) =>
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
  };
}

const SERIES_COLUMNS = ['board', 'model', 'id', 'from', 'to', 'rank', 'score', 'scoreLower', 'scoreUpper', 'votes', 'priceInput', 'priceOutput', 'name'] as const;

/** A board series (`/v1/boards/:board/history`): one row per period, models in request order. */
export function seriesTable(result: BoardSeries): CsvTable {
  return {
    columns: SERIES_COLUMNS,
    rows: result.series.flatMap((series) => series.points.map((point) => ({ board: result.board, model: series.model, id: series.id, ...point }))),
  };
}

const MOVER_COLUMNS = ['list', 'place', 'model', 'name', 'organization', 'rankThen', 'rankNow', 'delta', 'scoreThen', 'scoreNow', 'scoreGain'] as const;

/** Movers (`/v1/boards/:board/movers`): gains, then losses, then (when asked) entered and exited, in a `list` column. */
export function moversTable(result: Movers): CsvTable {
  return {
    columns: MOVER_COLUMNS,
    rows: [
      ...result.gains.map((mover) => ({ list: 'gain', ...mover })),
      ...result.losses.map((mover) => ({ list: 'loss', ...mover })),
      ...(result.entered ?? []).map((row) => ({ list: 'entered', model: row.model, name: row.name, organization: row.organization, rankNow: row.rank, scoreNow: row.score })),
      ...(result.exited ?? []).map((row) => ({ list: 'exited', model: row.model, name: row.name, organization: row.organization, rankThen: row.rank, scoreThen: row.score })),
    ],
  };
}

const ENTRY_COLUMNS = ['board', 'enteredAt', 'model', 'name', 'organization', 'rank', 'score', 'scoreLower', 'scoreUpper', 'votes', 'reentry'] as const;

/** New entries (`/v1/boards/:board/entries`): one row per appearance, newest first. */
export function newEntriesTable(result: NewEntries): CsvTable {
  return { columns: ENTRY_COLUMNS, rows: result.entries.map((entry) => ({ board: result.board, ...entry })) };
}
