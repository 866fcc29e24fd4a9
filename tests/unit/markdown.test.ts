import { describe, expect, it } from 'vitest';
import { findTable, inlineText, markdownTables, type TableShape } from '../../scrapers/lib/markdown.ts';
import { ParseError } from '../../src/errors.ts';
import { marked, type Token } from 'marked';

const inline = (markdown: string) => inlineText(marked.Lexer.lexInline(markdown) as Token[]);

describe('inlineText: the visible text of a cell', () => {
  it.each([
    ['plain', '  GPT-4  ', 'GPT-4'],
    ['HTML anchor', "<a href='https://example.com/'>文心一言(v2.2.0) </a>", '文心一言(v2.2.0)'],
    ['markdown link', '[GPT-4 ↗](https://openai.com/)', 'GPT-4 ↗'],
    ['bold', '**96.50**', '96.50'],
    ['bold link with an image badge', '[**Title**](https://x.org) &nbsp; ![Star](https://x.org/s.svg)', 'Title Star'],
    ['<br> in a header', 'OPEN<br/>多轮开放问题', 'OPEN 多轮开放问题'],
    ['entities', 'Beta &amp; Co &#39;x&#39; &#x4e2d;', "Beta & Co 'x' 中"],
    ['escaped pipe', 'C\\|D', 'C|D'],
    ['code span', '`mmsu`', 'mmsu'],
    ['tabs and padding', '\t阿里巴巴  \t', '阿里巴巴'],
  ])('%s', (_name, markdown, text) => {
    expect(inline(markdown)).toBe(text);
  });
});

describe('markdownTables', () => {
  const document = [
    '# Title',
    '',
    'Intro paragraph.',
    '',
    '| a | b |',
    '|---|---|',
    '| 1 | 2 |',
    '',
    ' ### Second <em>table</em>',
    '  | 排名 | 模型 | 总分 |',
    '|:--:|:--:|:--:|',
    '| 🏅️ | <a href="x">Alpha</a> | **9.5** |',
    '| -|[Beta ↗](http://b) | 8 ',
    '| 3 | Gamma |',
    '注：a note that lost its blank line',
    '',
    '- list item',
    '',
    '  | x | y |',
    '  |---|---|',
    '  | in | list |',
    '',
    '> | q | r |',
    '> |---|---|',
    '> | quoted | table |',
  ].join('\n');
  const tables = markdownTables(document);

  it('finds every table in order, with plain-text headers and cells', () => {
    expect(tables.map((table) => table.header)).toEqual([
      ['a', 'b'],
      ['排名', '模型', '总分'],
      ['x', 'y'],
      ['q', 'r'],
    ]);
    expect(tables[1]!.rows.map((row) => row.cells)).toEqual([
      ['🏅️', 'Alpha', '9.5'],
      ['-', 'Beta ↗', '8'],
      ['3', 'Gamma', ''],
    ]);
    expect(tables[2]!.rows[0]!.cells).toEqual(['in', 'list']);
    expect(tables[3]!.rows[0]!.cells).toEqual(['quoted', 'table']);
  });

  it('gives each table the nearest heading above it (null before any heading)', () => {
    expect(tables.map((table) => table.heading)).toEqual(['Title', 'Second table', 'Second table', 'Second table']);
    expect(markdownTables('| a |\n|---|\n| 1 |\n')[0]!.heading).toBeNull();
  });

  it('counts the cells each source line really had (marked pads short rows)', () => {
    expect(tables[1]!.rows.map((row) => row.sourceCells)).toEqual([3, 3, 2]);
  });

  it('drops a pipe-less line GFM folds into the table, and counts it as content after the table', () => {
    expect(tables[1]!.rows).toHaveLength(3);
    expect(tables[1]!.followedByContent).toBe(true);
  });

  it('says whether anything follows a table, so a document cut off inside its table can be told', () => {
    expect(tables.map((table) => table.followedByContent)).toEqual([true, true, true, false]);
    expect(markdownTables('# T\n\n| a |\n|---|\n| 1 |\n\n\n')[0]!.followedByContent).toBe(false);
    expect(markdownTables('| a |\n|---|\n| 1 |\n\nmore')[0]!.followedByContent).toBe(true);
  });

  it('finds nothing in text without tables', () => {
    expect(markdownTables('')).toEqual([]);
    expect(markdownTables('404: Not Found')).toEqual([]);
  });
});

describe('findTable: a board table found by its columns, under any title', () => {
  const shape: TableShape<'rank' | 'model' | 'score'> = {
    what: 'Test README',
    table: 'the board table',
    columns: { rank: { names: ['Rank'], optional: true }, model: { names: ['Model', 'Name'] }, score: { names: ['Total Score'] } },
  };
  const doc = (...parts: string[]) => `${parts.join('\n\n')}\n\nThe end.\n`;
  const other = '## Data\n\n| Subset | Size |\n|---|---|\n| a | 1 |';

  it('takes the first table having the required columns, matching header names whatever their spaces and case', () => {
    const found = findTable(doc(other, '## Anything\n\n| NAME | x | totalscore |\n|---|---|---|\n| m | 1 | 2 |', '| Model | Total Score |\n|---|---|\n| n | 3 |'), shape);
    expect(found.table.heading).toBe('Anything');
    expect(found.columns).toEqual({ rank: -1, model: 0, score: 2 });
  });

  it('lets the parser choose among the tables of that shape', () => {
    const longest: TableShape<'rank' | 'model' | 'score'> = { ...shape, choose: (tables) => tables.reduce((a, b) => (b.rows.length > a.rows.length ? b : a)) };
    const found = findTable(doc('| Model | Total Score |\n|---|---|\n| a | 1 |', '| Rank | Model | Total Score |\n|---|---|---|\n| 1 | b | 2 |\n| 2 | c | 1 |'), longest);
    expect(found.columns).toEqual({ rank: 0, model: 1, score: 2 });
    expect(found.table.rows).toHaveLength(2);
  });

  it.each([
    ['no table of that shape', doc(other), /^expected a Test README: markdown with the board table \(Model or Name, Total Score\), found 1 other table: "Data" \[Subset, Size\]$/],
    ['no table at all', 'Not Found', /found no markdown table \(text starting "Not Found"\)/],
    ['an empty body', ' \n', /found an empty document/],
    ['an HTML page', '<!DOCTYPE html><title>Oops</title>', /found an HTML page titled "Oops"/],
    ['JSON', '{"error": 1}', /found JSON starting/],
    ['a table cut off', '# Board\n\n| Model | Total Score |\n|---|---|\n| a | 1 |\n', /expected Test README: the board table followed by the rest of the document, found a document that ends inside the table under "Board" \(cut off after 1 rows\)/],
  ])('refuses %s with a ParseError saying what it expected and found', (_name, body, message) => {
    expect(() => findTable(body, shape)).toThrow(ParseError);
    expect(() => findTable(body, shape)).toThrow(message);
  });
});
