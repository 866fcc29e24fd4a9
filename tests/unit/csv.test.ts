import { parse } from 'csv-parse/sync';
import { Hono, type Context } from 'hono';
import { describe, expect, it } from 'vitest';
import { CSV_CONTENT_TYPE, csvFilename, negotiateFormat, respond, toCsv, withoutCsvExtension, type CsvTable } from '../../src/api/csv.ts';

const read = (text: string) => parse(text) as string[][];

describe('toCsv', () => {
  it('writes a header row and the columns in the table order, whatever the order of the row keys', () => {
    const table: CsvTable = { columns: ['b', 'a', 'c'], rows: [{ c: 3, a: 1, b: 2 }, { a: 'x' }] };
    expect(toCsv(table)).toBe('b,a,c\r\n2,1,3\r\n,x,\r\n');
  });

  it('writes the header alone for no rows', () => {
    expect(read(toCsv({ columns: ['model', 'rank'], rows: [] }))).toEqual([['model', 'rank']]);
  });

  it('writes null, undefined and the empty string as empty cells, times as ISO 8601, booleans as words, objects as JSON', () => {
    const text = toCsv({
      columns: ['none', 'missing', 'empty', 'at', 'yes', 'no', 'values', 'list'],
      rows: [{ none: null, empty: '', at: new Date('2025-02-17T00:00:00Z'), yes: true, no: false, values: { rank: 3, note: 'a,"b"' }, list: ['x', 'y'] }],
    });
    expect(text.split('\r\n')[1]).toMatch(/^,,,2025-02-17T00:00:00.000Z,true,false,/);
    expect(read(text)[1]).toEqual(['', '', '', '2025-02-17T00:00:00.000Z', 'true', 'false', '{"rank":3,"note":"a,\\"b\\""}', '["x","y"]']);
  });

  it('round-trips commas, quotes, newlines and non-ASCII text', () => {
    const names = ['GPT-4o, "omni"', 'line\nbreak', 'Qwen2.5-Max 通义千问', 'a;b|c'];
    const back = read(toCsv({ columns: ['name'], rows: names.map((name) => ({ name })) }));
    expect(back.slice(1).map(([name]) => name)).toEqual(names);
  });

  // OWASP CSV injection: a cell a spreadsheet would evaluate is prefixed with a single quote.
  it.each([
    ['=HYPERLINK("http://evil.test","x")', `'=HYPERLINK("http://evil.test","x")`],
    ['+1+cmd|" /C calc"!A0', `'+1+cmd|" /C calc"!A0`],
    ['-2+3', "'-2+3"],
    ['@SUM(A1:A9)', "'@SUM(A1:A9)"],
    ['\t=1+1', "'\t=1+1"],
    ['\r=1+1', "'\r=1+1"],
    ['＝1+1', "'＝1+1"],
    ['-1', "'-1"],
    ['gpt-4o', 'gpt-4o'],
    ['a=b', 'a=b'],
  ])('text %j is written as %j', (value, cell) => {
    expect(read(toCsv({ columns: ['name'], rows: [{ name: value }] }))[1]).toEqual([cell]);
  });

  it('keeps negative and fractional numbers as numbers', () => {
    const text = toCsv({ columns: ['delta', 'score', 'gain'], rows: [{ delta: -12, score: 1287.5, gain: -0.25 }] });
    expect(text).toBe('delta,score,gain\r\n-12,1287.5,-0.25\r\n');
  });
});

describe('negotiateFormat', () => {
  it.each([
    ['/v1/boards/x/standings', undefined, 'json'],
    ['/v1/boards/x/standings.csv', undefined, 'csv'],
    ['/v1/boards/x/standings.csv', 'application/json', 'csv'],
    ['/v1/boards/x/standings', 'text/csv', 'csv'],
    ['/v1/boards/x/standings', 'TEXT/CSV; charset=utf-8', 'csv'],
    ['/v1/boards/x/standings', 'application/json', 'json'],
    ['/v1/boards/x/standings', '*/*', 'json'],
    ['/v1/boards/x/standings', 'text/*', 'csv'],
    ['/v1/boards/x/standings', 'text/csv;q=0.5, application/json', 'json'],
    ['/v1/boards/x/standings', 'application/json;q=0.5, text/csv', 'csv'],
    ['/v1/boards/x/standings', 'text/csv, application/json', 'json'],
    ['/v1/boards/x/standings', 'text/csv, */*;q=0.8', 'csv'],
    ['/v1/boards/x/standings', 'text/csv;q=0, */*', 'json'],
    ['/v1/boards/x/standings', '*/*;q=0.1, text/csv;q=0.1', 'csv'],
    ['/v1/boards/x/standings', 'text/html', 'json'],
    ['/v1/boards/x/standings', 'text/csv;q=0.3', 'csv'],
    ['/v1/boards/x/standings', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'json'],
  ])('%s with Accept %j answers %s', (path, accept, format) => {
    expect(negotiateFormat({ path, accept })).toBe(format);
  });
});

describe('csvFilename and withoutCsvExtension', () => {
  it('keeps file names to safe characters', () => {
    expect(csvFilename('lmarena-text', 'history')).toBe('lmarena-text-history.csv');
    expect(csvFilename('openai/gpt-4o', 'history', '2025-02-17T00:00:00.000Z')).toBe('openai_gpt-4o-history-2025-02-17T00_00_00.000Z.csv');
    expect(csvFilename('"; evil="x\r\n')).toBe('evil_x_.csv');
    expect(csvFilename('')).toBe('export.csv');
  });

  it('strips a trailing .csv', () => {
    expect(withoutCsvExtension('gpt-4o/history.csv')).toEqual({ value: 'gpt-4o/history', csv: true });
    expect(withoutCsvExtension('gpt-4o/history')).toEqual({ value: 'gpt-4o/history', csv: false });
  });
});

describe('respond, from a hono handler', () => {
  const rows = [
    { model: 'gpt-4o', rank: 1, delta: -3 },
    { model: '=cmd', rank: null, delta: 2 },
  ];
  let built = 0;
  const app = new Hono();
  const handler = (c: Context) =>
    respond(c, { rows }, { table: () => ((built += 1), { columns: ['model', 'rank', 'delta'], rows }), filename: ['lmarena-text', 'movers'] });
  app.get('/v1/boards/lmarena-text/movers', handler);
  app.get('/v1/boards/lmarena-text/movers.csv', handler);

  it('answers JSON by default, without building the table', async () => {
    const response = await app.request('/v1/boards/lmarena-text/movers');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('vary')).toBe('Accept');
    expect(await response.json()).toEqual({ rows });
    expect(built).toBe(0);
  });

  it.each([
    ['/v1/boards/lmarena-text/movers.csv', {}],
    ['/v1/boards/lmarena-text/movers', { accept: 'text/csv' }],
  ])('answers CSV for %s %j, as an attachment', async (path, headers) => {
    const response = await app.request(path, { headers });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(CSV_CONTENT_TYPE);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="lmarena-text-movers.csv"');
    expect(response.headers.get('vary')).toBe('Accept');
    expect(read(await response.text())).toEqual([
      ['model', 'rank', 'delta'],
      ['gpt-4o', '1', '-3'],
      ["'=cmd", '', '2'],
    ]);
  });
});
