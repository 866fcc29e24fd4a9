import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { livebench } from '../../scrapers/livebench.ts';
import { makeEntry, type Entry } from '../../src/entry.ts';
import { ParseError } from '../../src/errors.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/livebench/${name}`, import.meta.url), 'utf8');
const parse = (table: string, categories: string) =>
  livebench.parse(fixture(table), { board: 'livebench', fileName: table, attachments: { categories: fixture(categories) } });

/** rank, model, Global Average */
type Row = [number | null, string, number | null];
const rows = (entries: Entry[]): Row[] => entries.map((e) => [e.rank, e.model, e.score]);

describe('LiveBench parse: the Global Average of a release table with its categories', () => {
  it.each<[string, string, string, Row[]]>([
    [
      // 2024: six categories. delta-instruct-8k has no `connections`: Language is the mean of its other two
      // tasks (40), as the page does, not a zero. gamma and epsilon tie exactly.
      'table_2024_11_25.csv',
      'categories_2024_11_25.json',
      '6 categories, an empty cell, an exact tie',
      [
        [1, 'alpha-large-2024-11-20', 67.5],
        [2, 'beta-chat-7b', 51.02],
        [3, 'delta-instruct-8k', 45.49],
        [4, 'epsilon-base', 34.72],
        [4, 'gamma-mini-0613', 34.72],
      ],
    ],
    [
      // 2026: seven categories with Agentic Coding. theta-think-120b's row stops three cells short (its
      // typescript, typos and zebra_puzzle are missing, as in the real table); iota and kappa differ by
      // 0.0014 and tie at the two decimals the page ranks on.
      'table_2026_01_08.csv',
      'categories_2026_01_08.json',
      '7 categories, a short row, a tie after rounding',
      [
        [1, 'zeta-pro-2026-01', 89.51],
        [2, 'eta-flash-preview', 69.77],
        [3, 'theta-think-120b', 60.61],
        [4, 'iota-code', 56.52],
        [4, 'kappa-lite', 56.52],
      ],
    ],
    [
      // The first commit of a release may lack a task the categories list (consecutive_events): Data
      // Analysis is then the mean of the tasks present, as on the page.
      'table_2026_01_08-early.csv',
      'categories_2026_01_08.json',
      'a task column not yet in the table',
      [
        [1, 'zeta-pro-2026-01', 89.65],
        [2, 'eta-flash-preview', 69.98],
        [3, 'iota-code', 56.9],
      ],
    ],
  ])('%s with %s (%s)', (table, categories, _what, expected) => {
    const parsed = parse(table, categories);
    expect(parsed.format).toBe('livebench-csv');
    expect(parsed.publishedAt).toBeNull();
    expect(rows(parsed.entries)).toEqual(expected);
  });

  it('returns complete normalized entries: the raw id is key and name, no organization', () => {
    expect(parse('table_2024_11_25.csv', 'categories_2024_11_25.json').entries[0]).toEqual(
      makeEntry({ rank: 1, model: 'alpha-large-2024-11-20', name: 'alpha-large-2024-11-20', score: 67.5 }),
    );
  });

  it('a model with no result in a whole category gets a null score and no rank (the page shows NaN)', () => {
    const [header, ...lines] = fixture('table_2024_11_25.csv').trim().split('\n');
    const columns = header!.split(',');
    const language = ['connections', 'plot_unscrambling', 'typos'].map((task) => columns.indexOf(task));
    const blanked = lines.map((line) => (line.startsWith('beta-chat-7b,') ? line.split(',').map((cell, i) => (language.includes(i) ? '' : cell)).join(',') : line));
    const parsed = livebench.parse([header, ...blanked].join('\n'), { board: 'livebench', attachments: { categories: fixture('categories_2024_11_25.json') } });
    expect(rows(parsed.entries)).toEqual([
      [1, 'alpha-large-2024-11-20', 67.5],
      [2, 'delta-instruct-8k', 45.49],
      [3, 'epsilon-base', 34.72],
      [3, 'gamma-mini-0613', 34.72],
      [null, 'beta-chat-7b', null],
    ]);
  });

  it('ignores table columns no category lists, as the page does', () => {
    const [header, ...lines] = fixture('table_2024_11_25.csv').trim().split('\n');
    const body = [`${header},bonus_task`, ...lines.map((line) => `${line},1.0`)].join('\n');
    const parsed = livebench.parse(body, { board: 'livebench', attachments: { categories: fixture('categories_2024_11_25.json') } });
    expect(rows(parsed.entries)).toEqual(rows(parse('table_2024_11_25.csv', 'categories_2024_11_25.json').entries));
  });

  it('fetches the current release daily, with its categories as an attachment', () => {
    const [board] = livebench.boards;
    expect(board?.id).toBe('livebench');
    expect(board?.live?.url).toMatch(/^https:\/\/livebench\.ai\/table_\d{4}_\d{2}_\d{2}\.csv$/);
    expect(board?.live?.attachments?.categories).toBe(board?.live?.url.replace('table_', 'categories_').replace(/\.csv$/, '.json'));
    expect(board?.live?.schedule).toMatch(/^\d+ \d+ \* \* \*$/);
  });
});

describe('LiveBench parse: bad input is a ParseError that says what it expected and found', () => {
  const categories2026 = fixture('categories_2026_01_08.json');
  it.each<[string, string, string | undefined, RegExp]>([
    ['no categories attachment', 'table_2026_01_08.csv', undefined, /expected the LiveBench categories JSON \(categories_<release>\.json\) beside the table, as the "categories" attachment \(rankwatch parse --attach categories=FILE\), found no categories attachment/],
    ['categories cut off', 'table_2026_01_08.csv', 'broken/categories-truncated.json', /expected the LiveBench categories JSON, found malformed JSON/],
    ['categories of the wrong shape', 'table_2026_01_08.csv', 'broken/categories-wrong-shape.json', /expected the LiveBench categories JSON: Reasoning a list of task column names, found "theory_of_mind,zebra_puzzle"/],
    ['categories: an HTML page', 'table_2026_01_08.csv', 'broken/error-page.html', /expected the LiveBench categories JSON, found an HTML page titled "404 Not Found"/],
    ['table and categories of different releases', 'table_2024_11_25.csv', 'categories_2026_01_08.json', /the task columns of every category .* found no column of "Coding" \(code_generation, code_completion\) among columns "model,AMPS_Hard,LCB_generation/],
    ['empty', '', 'categories_2026_01_08.json', /expected LiveBench table CSV, found an empty document/],
    ['error page', 'broken/error-page.html', 'categories_2026_01_08.json', /expected LiveBench table CSV, found an HTML page titled "404 Not Found"/],
    ['Cloudflare block page', 'broken/cloudflare.html', 'categories_2026_01_08.json', /found a Cloudflare challenge page \("Attention Required! \| Cloudflare"\)/],
    ['the categories file as the body', 'categories_2026_01_08.json', 'categories_2026_01_08.json', /expected LiveBench table CSV, found JSON starting .* \(the categories file given as the table\?\)/],
    ['CSV cut off mid-row', 'broken/truncated.csv', 'categories_2026_01_08.json', /expected LiveBench table CSV: 24 cells in the last row, found line 6: 13 cells; the file looks cut off/],
    ['model column renamed', 'broken/renamed-column.csv', 'categories_2024_11_25.json', /expected LiveBench table CSV: a "model" column, found columns "model_name,AMPS_Hard/],
    ['a cell that is not a number', 'broken/bad-cell.csv', 'categories_2024_11_25.json', /numeric task scores, found line 3 \(alpha-large-2024-11-20\), column coding_completion: "ERR"/],
    ['a row longer than the header', 'broken/long-row.csv', 'categories_2024_11_25.json', /at most 19 cells per row, found line 2: 20 cells/],
    ['a header and no models', 'broken/header-only.csv', 'categories_2024_11_25.json', /expected LiveBench table CSV with at least one model, found a header line only/],
    ['plain text', 'Service Unavailable', 'categories_2026_01_08.json', /found text starting "Service Unavailable"/],
  ])('%s', (_name, input, categories, message) => {
    const body = /\.(csv|json|html)$/.test(input) ? fixture(input) : input;
    const attachments = categories === undefined ? undefined : { categories: fixture(categories) };
    const attempt = () => livebench.parse(body, { board: 'livebench', attachments });
    expect(attempt).toThrow(ParseError);
    expect(attempt).toThrow(message);
  });

  it('refuses an unknown board and two different rows under one model id', () => {
    expect(() => livebench.parse(fixture('table_2026_01_08.csv'), { board: 'livebench-x', attachments: { categories: categories2026 } })).toThrow(ParseError);
    const table = fixture('table_2026_01_08.csv').replace('eta-flash-preview,', 'zeta-pro-2026-01,');
    expect(() => livebench.parse(table, { board: 'livebench', attachments: { categories: categories2026 } })).toThrow(/one row per model, found "zeta-pro-2026-01" twice, with different values/);
  });
});
