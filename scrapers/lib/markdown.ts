import { marked, type Token, type Tokens } from 'marked';
import { ParseError } from '../../src/errors.ts';
import { describeHtml } from './html.ts';
import { excerpt } from './values.ts';

/** One row of a markdown table: its cells as plain text, and how many cells its source line really had. */
export interface MarkdownRow {
  cells: string[];
  /** Cells present in the source line; fewer than the header means the line was cut short (marked pads it). */
  sourceCells: number;
}

/** A GFM pipe table of a markdown document, with the heading it sits under. */
export interface MarkdownTable {
  /** Header cells as plain text (`OPEN<br/>总分` reads `OPEN 总分`). */
  header: string[];
  /** Body rows; a pipe-less line GFM would fold into the table (a note missing its blank line) is not a row. */
  rows: MarkdownRow[];
  /** Plain text of the nearest heading above the table (any level), or null when none precedes it. */
  heading: string | null;
  /** True when anything but blank lines follows the table (a document cut off inside its table ends with it). */
  followedByContent: boolean;
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** Decodes the HTML entities marked leaves in text (`&amp;`, `&#39;`, `&#x4e2d;`). */
function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name.startsWith('#')) {
      const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/**
 * The visible text of inline tokens: link and emphasis text kept, inline HTML tags dropped
 * (`<a href=…>GPT-4</a>` reads `GPT-4`), `<br>` read as a space, whitespace collapsed.
 */
export function inlineText(tokens: readonly Token[] | undefined): string {
  const parts: string[] = [];
  const walk = (list: readonly Token[]) => {
    for (const token of list) {
      if (token.type === 'html') {
        if (/^<br\s*\/?>$/i.test(token.raw.trim())) parts.push(' ');
      } else if (token.type === 'br') {
        parts.push(' ');
      } else if (token.type === 'codespan') {
        parts.push((token as Tokens.Codespan).text);
      } else if ('tokens' in token && Array.isArray(token.tokens) && token.tokens.length > 0) {
        walk(token.tokens);
      } else if ('text' in token && typeof token.text === 'string') {
        parts.push(decodeEntities(token.text));
      }
    }
  };
  walk(tokens ?? []);
  return parts.join('').replace(/\s+/g, ' ').trim();
}

/** Number of cells in one source line of a pipe table (escaped `\|` does not split). */
function countCells(line: string): number {
  const cells = line.trim().replace(/^\|/, '').replace(/(?<!\\)\|$/, '').split(/(?<!\\)\|/);
  return cells.length;
}

function tableOf(token: Tokens.Table, heading: string | null, followedByContent: boolean): MarkdownTable {
  const lines = token.raw.split('\n').filter((line) => line.trim() !== '');
  const bodyLines = lines.slice(2);
  const mapped = bodyLines.length === token.rows.length;
  const rows: MarkdownRow[] = [];
  let prose = false;
  token.rows.forEach((row, i) => {
    const line = mapped ? (bodyLines[i] ?? '') : '|';
    // GFM folds a pipe-less line right under a table into it as a row; it is a note that lost its blank line.
    if (!/(?<!\\)\|/.test(line)) {
      prose = true;
      return;
    }
    rows.push({ cells: row.map((cell) => inlineText(cell.tokens)), sourceCells: mapped ? countCells(line) : row.length });
  });
  return { header: token.header.map((cell) => inlineText(cell.tokens)), rows, heading, followedByContent: followedByContent || prose };
}

/**
 * Every table of a markdown document (GFM, read with marked's lexer), in document order,
 * including tables inside lists and blockquotes, each with the heading it sits under.
 */
export function markdownTables(markdown: string): MarkdownTable[] {
  const tokens = marked.lexer(markdown, { gfm: true });
  const tables: MarkdownTable[] = [];
  let heading: string | null = null;
  const walk = (list: readonly Token[], followed: boolean) => {
    const last = list.findLastIndex((token) => token.type !== 'space');
    list.forEach((token, index) => {
      const later = followed || index < last;
      if (token.type === 'heading') heading = inlineText((token as Tokens.Heading).tokens);
      else if (token.type === 'table') tables.push(tableOf(token as Tokens.Table, heading, later));
      else if (token.type === 'blockquote') walk((token as Tokens.Blockquote).tokens, later);
      else if (token.type === 'list') {
        const items = (token as Tokens.List).items;
        items.forEach((item, i) => walk(item.tokens, later || i < items.length - 1));
      }
    });
  };
  walk(tokens, false);
  return tables;
}

/** The columns a board's table is recognised by: for each, the header names it goes by (spaces and case aside). */
export type TableColumns<K extends string> = Record<K, { names: readonly string[]; optional?: boolean }>;

/** How a parser finds its board's table in a markdown document: by its columns, under whatever title. */
export interface TableShape<K extends string> {
  /** The document, for errors: "SuperCLUE README". */
  what: string;
  /** The table, for errors: "the overall leaderboard table". */
  table: string;
  columns: TableColumns<K>;
  /** Among the tables of this shape, the board's (default: the first in the document). */
  choose?: (candidates: readonly MarkdownTable[]) => MarkdownTable;
}

/** The board's table, the index of each of its columns (-1: an optional column it lacks), and the document without its byte-order mark. */
export interface FoundTable<K extends string> {
  text: string;
  table: MarkdownTable;
  columns: Record<K, number>;
}

const squash = (name: string) => name.replace(/\s+/g, '').toLowerCase();

/** The column indexes of `table` under `columns`, or null when a required one is missing. */
function columnsOf<K extends string>(table: MarkdownTable, columns: TableColumns<K>): Record<K, number> | null {
  const header = table.header.map(squash);
  const found = {} as Record<K, number>;
  for (const key of Object.keys(columns) as K[]) {
    const names = columns[key].names.map(squash);
    const at = header.findIndex((cell) => names.includes(cell));
    if (at < 0 && !columns[key].optional) return null;
    found[key] = at;
  }
  return found;
}

/**
 * The table of a board in a markdown document, found by its columns, not by its title (sources
 * retitle their tables: SuperCLUE's changed every month). A ParseError says what was expected and
 * found when the body is no markdown (empty, an HTML page, JSON), has no table of that shape (naming
 * the tables it has), or ends inside the table (a cut-off download).
 */
export function findTable<K extends string>(body: string, shape: TableShape<K>): FoundTable<K> {
  const names = (Object.keys(shape.columns) as K[])
    .filter((key) => !shape.columns[key].optional)
    .map((key) => shape.columns[key].names.join(' or '));
  const expected = `a ${shape.what}: markdown with ${shape.table} (${names.join(', ')})`;
  const text = body.replace(/^\uFEFF/, '');
  const head = text.trimStart().slice(0, 512);
  if (head === '') throw new ParseError(expected, 'an empty document');
  if (/^<(!doctype|html|head|body)\b/i.test(head)) throw new ParseError(expected, describeHtml(text));
  if (head.startsWith('{') || head.startsWith('[{')) throw new ParseError(expected, `JSON starting ${excerpt(head)}`);

  const tables = markdownTables(text);
  const candidates = tables.filter((table) => columnsOf(table, shape.columns) !== null);
  if (candidates.length === 0) {
    if (tables.length === 0) throw new ParseError(expected, `no markdown table (text starting ${excerpt(text)})`);
    const described = tables.slice(0, 6).map((table) => `${JSON.stringify(table.heading ?? '')} [${table.header.join(', ')}]`);
    throw new ParseError(expected, `${tables.length} other table${tables.length === 1 ? '' : 's'}: ${described.join('; ')}${tables.length > 6 ? '; …' : ''}`);
  }
  const table = shape.choose ? shape.choose(candidates) : candidates[0]!;
  if (!table.followedByContent) {
    const under = table.heading === null ? '' : ` under ${JSON.stringify(table.heading)}`;
    throw new ParseError(`${shape.what}: ${shape.table} followed by the rest of the document`, `a document that ends inside the table${under} (cut off after ${table.rows.length} rows)`);
  }
  return { text, table, columns: columnsOf(table, shape.columns)! };
}
