import { CsvError, parse as parseCsvText } from 'csv-parse/sync';
import { z } from 'zod';
import { makeEntry, type Entry } from '../src/entry.ts';
import { ParseError } from '../src/errors.ts';
import { finishEntries } from './lib/entries.ts';
import { describeHtml } from './lib/html.ts';
import { competitionRanks } from './lib/rank.ts';
import { parseJson } from './lib/schema.ts';
import { sniff, unexpectedBody } from './lib/sniff.ts';
import { excerpt, parseNumber } from './lib/values.ts';
import type { BoardDefinition, ParseContext, ParsedSnapshot, Scraper } from './scraper.ts';

/**
 * LiveBench (livebench.ai). Each release publishes two files the page loads:
 * - `table_<release>.csv`: one row per model (`model` = raw id), one column per task, 0-100, no averages, no rank;
 * - `categories_<release>.json`: category → its task columns (6 categories in 2024, 7 from 2025_05_30 with
 *   "Agentic Coding").
 * The board's score is the page's "Global Average": per category the mean of the model's task scores,
 * then the mean of the category averages, shown with two decimals and sorted on. Ranks are competition
 * ranks of that rounded value.
 *
 * Gaps are treated as the page treats them (src/Table/Averaging.js reads every cell with parseFloat and
 * drops NaN): an empty cell, a cell a short row lacks, or a task column the table does not have yet is
 * left out of its category's mean, not counted as zero. A model with no score at all in some category
 * gets the page's NaN there; rankwatch gives it a null score and no rank.
 */

const WHAT = 'LiveBench table CSV';
const CATEGORIES_WHAT = 'the LiveBench categories JSON';

// A new release renames both files (table_<date>.csv, categories_<date>.json) and the page switches to
// it; the URLs below are the release current when this was written and are overridden by environment
// until the release list (the page's own list of dates) is polled.
const RELEASE = '2026_01_08';

const BOARDS: readonly BoardDefinition[] = [
  {
    id: 'livebench',
    name: 'LiveBench',
    direction: 'higher',
    scoreLabel: 'Global Average (mean of category averages, 0-100)',
    live: {
      url: `https://livebench.ai/table_${RELEASE}.csv`,
      format: 'livebench-csv',
      schedule: '30 6 * * *',
      accept: 'text/csv',
      attachments: { categories: `https://livebench.ai/categories_${RELEASE}.json` },
    },
    // Releases hold 59-127 models; rows are appended, and "revert results" commits remove a few.
    health: { minEntries: 30, maxDropFraction: 0.3 },
  },
];

type Categories = [category: string, tasks: string[]][];

/** categories_<release>.json: each category's task columns. */
const CategoriesSchema = z.record(z.string(), z.array(z.string().min(1), { error: 'a list of task column names' }).min(1, { error: 'a list of task column names' }), {
  error: 'an object of category → task columns',
});

/** The category → task columns mapping, from the `categories` attachment. */
function readCategories(context: ParseContext): Categories {
  const text = context.attachments?.categories;
  if (text === undefined) {
    throw new ParseError(
      `${CATEGORIES_WHAT} (categories_<release>.json) beside the table, as the "categories" attachment (rankwatch parse --attach categories=FILE)`,
      'no categories attachment',
    );
  }
  const sniffed = sniff(text);
  if (sniffed.kind === 'empty' || sniffed.kind === 'html') throw unexpectedBody(CATEGORIES_WHAT, sniffed);
  const categories = Object.entries(parseJson(sniffed.text, { what: CATEGORIES_WHAT, schema: CategoriesSchema }));
  if (categories.length === 0) throw new ParseError(`${CATEGORIES_WHAT}: at least one category`, 'an empty object');
  return categories;
}

/** CSV records; short rows are kept (the page tolerates them), anything else malformed is refused. */
function readRecords(text: string): string[][] {
  try {
    return parseCsvText(text, { bom: true, skip_empty_lines: true, trim: true, relax_column_count: true }) as string[][];
  } catch (error) {
    if (error instanceof CsvError) throw new ParseError(`${WHAT} with a header line`, `malformed CSV (${error.message})`, { cause: error });
    throw error;
  }
}

function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length;
}

function parseTable(text: string, categories: Categories, direction: BoardDefinition['direction']): ParsedSnapshot {
  const [header, ...rows] = readRecords(text);
  if (!header || header.length === 0) throw new ParseError(`${WHAT} with a header line`, 'an empty CSV file');
  const columns = new Map(header.map((name, i) => [name, i]));
  const modelColumn = columns.get('model');
  if (modelColumn === undefined) throw new ParseError(`${WHAT}: a "model" column`, `columns ${excerpt(header.join(','))}`);

  // A task the table lacks is skipped as the page skips it; a category with none of its tasks means the
  // table and the categories JSON are from different releases (or a column was renamed).
  const present = categories.map(([category, tasks]) => {
    const indexes = tasks.map((task) => columns.get(task)).filter((index): index is number => index !== undefined);
    if (indexes.length === 0) {
      throw new ParseError(
        `${WHAT} with the task columns of every category of the categories JSON (table and categories of one release)`,
        `no column of ${JSON.stringify(category)} (${tasks.join(', ')}) among columns ${excerpt(header.join(','), 160)}`,
      );
    }
    return indexes;
  });
  if (rows.length === 0) throw new ParseError(`${WHAT} with at least one model`, 'a header line only');

  const scored = rows.map((row, i) => {
    const line = `line ${i + 2}`;
    // A short row in the middle is a model without its last tasks (the page reads them as missing);
    // a short last row is a file cut off mid-row.
    if (row.length > header.length) throw new ParseError(`${WHAT}: at most ${header.length} cells per row`, `${line}: ${row.length} cells`);
    if (row.length < header.length && i === rows.length - 1) {
      throw new ParseError(`${WHAT}: ${header.length} cells in the last row`, `${line}: ${row.length} cells; the file looks cut off`);
    }
    const model = row[modelColumn]?.trim() ?? '';
    if (!model) throw new ParseError(`${WHAT}: a model id in every row`, `${line}: an empty model cell`);
    const cell = (index: number): number | null => {
      const value = parseNumber(row[index] ?? '');
      if (value === undefined) throw new ParseError(`${WHAT}: numeric task scores`, `${line} (${model}), column ${header[index]}: ${excerpt(row[index] ?? '')}`);
      return value;
    };
    const averages = present.map((indexes) => mean(indexes.map(cell).filter((value): value is number => value !== null)));
    const global = averages.every((average): average is number => average !== null) ? mean(averages) : null;
    // The page shows and sorts on toFixed(2); ranking the rounded value gives its ties.
    return { model, score: global === null ? null : Number(global.toFixed(2)) };
  });

  const ranks = competitionRanks(
    scored.map((row) => row.score),
    direction,
  );
  const entries: Entry[] = scored.map((row, i) => makeEntry({ rank: ranks[i] ?? null, model: row.model, name: row.model, score: row.score }));
  // The components of the global average: each category with the tasks the table has for it.
  const components = categories.map(([category], i) => `${category}: ${(present[i] ?? []).map((index) => header[index]).join(', ')}`);
  return { entries: finishEntries(entries, WHAT, direction), format: 'livebench-csv', publishedAt: null, columns: components };
}

/** Recognises the table CSV (the categories come as an attachment) and names what arrived instead. */
function parse(body: string, context: ParseContext): ParsedSnapshot {
  const board = BOARDS.find((candidate) => candidate.id === context.board);
  if (!board) throw new ParseError(`the LiveBench board (${BOARDS.map((b) => b.id).join(', ')})`, `board ${JSON.stringify(context.board)}`);
  const text = body.replace(/^\uFEFF/, '');
  const head = text.trimStart().slice(0, 512);
  if (head === '') throw new ParseError(WHAT, 'an empty document');
  if (head.startsWith('<')) throw new ParseError(WHAT, describeHtml(text));
  if (head.startsWith('{') || head.startsWith('[')) throw new ParseError(WHAT, `JSON starting ${excerpt(head)} (the categories file given as the table?)`);
  const firstLine = head.split(/\r?\n/, 1)[0] ?? '';
  if (!firstLine.includes(',')) throw new ParseError(WHAT, `text starting ${excerpt(firstLine)}`);
  const categories = readCategories(context);
  return parseTable(text, categories, board.direction);
}

/** The LiveBench source: the Global Average board, recomputed from a release's table and categories. */
export const livebench: Scraper = {
  id: 'livebench',
  name: 'LiveBench',
  homepage: 'https://livebench.ai/',
  terms:
    'Results published openly by the LiveBench team on livebench.ai (site repository LiveBench/livebench.github.io). ' +
    'rankwatch reads the two data files the page itself loads (table and categories of the current release) once a ' +
    'day, never the rendered page, recomputes the Global Average as the page does, and links back to livebench.ai.',
  parserVersion: '1',
  boards: [...BOARDS],
  docs: {
    formats: '`table_<release>.csv` with `categories_<release>.json` attached (`--attach categories=FILE`)',
    live: '`livebench.ai/table_2026_01_08.csv` + categories',
  },
  parse,
};
