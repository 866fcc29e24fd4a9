import { makeEntry, type Entry } from '../src/entry.ts';
import { ParseError } from '../src/errors.ts';
import { finishEntries } from './lib/entries.ts';
import { findTable, type MarkdownTable, type TableShape } from './lib/markdown.ts';
import { competitionRanks } from './lib/rank.ts';
import { excerpt, parseNumber } from './lib/values.ts';
import type { BoardDefinition, ParseContext, ParsedSnapshot, Scraper } from './scraper.ts';

/**
 * SuperCLUE, the Chinese general-LLM benchmark. Its GitHub README carried the monthly overall
 * leaderboard (总排行榜) as a markdown table from 2023-05 to 2023-12 and still shows the 2023-12 board.
 * Formats:
 * - `superclue-readme-ranked`: 2023-06 onwards, a `排名` column with medals 🏅️/🥈/🥉 for 1-3,
 *   integers from 4 (ties share one) and `-` for reference models listed but not ranked;
 * - `superclue-readme-unranked`: 2023-05, no rank column: competition ranks from 总分.
 * A human-baseline row (`人类`, rank cell 🧝) is not a model and is left out.
 */

const BOARD: BoardDefinition = {
  id: 'superclue',
  name: 'SuperCLUE overall (总排行榜)',
  direction: 'higher',
  scoreLabel: '总分 (total score, 0-100)',
  live: {
    url: 'https://raw.githubusercontent.com/CLUEbenchmark/SuperCLUE/main/README.md',
    format: 'superclue-readme-ranked',
    schedule: '40 6 * * *',
    accept: 'text/plain',
  },
  // The README boards list 10 to 25 models; a board under 6 is a cut-off or a different table.
  // Each monthly edition is a new line-up whose names carry their version (文心一言(v2.2.0), then
  // (V2.2.3), then (v2.3.1)): most keys change every month, so the key check is off.
  health: { minEntries: 6, maxDropFraction: 0.4, ranksFollowScores: true, minKeyOverlap: 0 },
};

const WHAT = 'SuperCLUE README';
const MONTH = /(\d{4})\s*年\s*(\d{1,2})\s*月/;
const HUMAN = '人类';

const MEDALS: Readonly<Record<string, number>> = { '🏅': 1, '🥇': 1, '🥈': 2, '🥉': 3 };

/** The table's month as `YYYY-MM`, when its heading names one (`2023年12月`). */
function headingMonth(table: MarkdownTable): string | null {
  const match = MONTH.exec(table.heading ?? '');
  return match ? `${match[1]}-${match[2]!.padStart(2, '0')}` : null;
}

/**
 * The overall board is a table of rank, model and total, whatever its title (总榜单(v1.0版),
 * 2023年7月…总排行榜, SuperCLUE总排行榜（2023年12月）): the total is 总分, or 平均 in 2023-06; the
 * 2023-05 board has no rank column. Other boards can have that shape too (the OPEN and open-source
 * boards have a 总分), and a README can keep last month's board below this month's: the overall
 * board is the one listing the most models, the first of those in the README.
 */
const OVERALL: TableShape<'rank' | 'model' | 'organization' | 'score'> = {
  what: WHAT,
  table: 'the overall leaderboard table',
  columns: {
    // English headers too: a README that renames its columns still has its board.
    rank: { names: ['排名', 'Rank'], optional: true },
    model: { names: ['模型', '模型名称', 'Model'] },
    organization: { names: ['机构', 'Org', 'Organization'], optional: true },
    score: { names: ['总分', '平均', 'Total'] },
  },
  choose: (candidates) => candidates.reduce((best, table) => (table.rows.length > best.rows.length ? table : best)),
};

/** The published rank: a medal, an integer, `-` (listed, not ranked → null), or 'human' for the baseline row. */
function rankOf(cell: string, where: string): number | null | 'human' {
  const text = cell.replace(/[\uFE0E\uFE0F\s]/g, '');
  if (text === '🧝') return 'human';
  if (/^[-–—]+$/.test(text)) return null;
  const medal = MEDALS[text];
  if (medal !== undefined) return medal;
  if (/^\d+$/.test(text) && Number(text) >= 1) return Number(text);
  throw new ParseError(`${WHAT}: a rank (🏅️, 🥈, 🥉, a whole number or -) in 排名`, `${where}: ${excerpt(cell)}`);
}

/** `[GPT-4 ↗](…)` reads `GPT-4 ↗` once the link is gone: the arrow is decoration. */
function modelName(cell: string): string {
  return cell.replace(/↗/g, '').replace(/\s+/g, ' ').trim();
}

/** The date the README states for the board: a dated note within the board's month, else the month itself; without a month, the latest `Update（YYYY-MM-DD）`. */
function publishedAt(body: string, month: string | null): string | null {
  const stated: string[] = [];
  for (const match of body.matchAll(/Update\s*[（(]\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*[)）]/g)) {
    stated.push(`${match[1]}-${match[2]!.padStart(2, '0')}-${match[3]!.padStart(2, '0')}`);
  }
  for (const match of body.matchAll(/\[(\d{2})\/(\d{2})\/(\d{2})\]/g)) stated.push(`20${match[1]}-${match[2]}-${match[3]}`);
  const valid = stated.filter((date) => !Number.isNaN(Date.parse(date))).sort();
  if (month) return valid.filter((date) => date.startsWith(`${month}-`)).at(-1) ?? `${month}-01`;
  return valid.at(-1) ?? null;
}

function parse(body: string, context: ParseContext): ParsedSnapshot {
  if (context.board !== BOARD.id) throw new ParseError(`the SuperCLUE board (${BOARD.id})`, `board ${JSON.stringify(context.board)}`);
  const { text, table, columns } = findTable(body, OVERALL);
  const heading = JSON.stringify(table.heading ?? '');

  const rows: { rank: number | null; name: string; organization: string | null; score: number }[] = [];
  table.rows.forEach((row, i) => {
    const where = `row ${i + 1} of ${heading}`;
    if (row.sourceCells <= columns.score) throw new ParseError(`${WHAT}: a 总分 cell in every row`, `${where} cut short after ${row.sourceCells} cells`);
    const name = modelName(row.cells[columns.model] ?? '');
    const rank = columns.rank >= 0 ? rankOf(row.cells[columns.rank] ?? '', where) : null;
    if (rank === 'human' || name === HUMAN) return;
    if (!name) throw new ParseError(`${WHAT}: a model name in every row`, `${where}: an empty 模型 cell`);
    const score = parseNumber(row.cells[columns.score]);
    if (score === null || score === undefined) throw new ParseError(`${WHAT}: a numeric 总分`, `${where}: ${excerpt(row.cells[columns.score] ?? '')}`);
    const organization = columns.organization >= 0 ? (row.cells[columns.organization] ?? '').trim() : '';
    rows.push({ rank, name, organization: organization || null, score });
  });

  const derived = columns.rank < 0 ? competitionRanks(rows.map((row) => row.score), BOARD.direction) : null;
  const entries: Entry[] = rows.map((row, i) =>
    makeEntry({ rank: derived ? (derived[i] ?? null) : row.rank, model: row.name, name: row.name, organization: row.organization, score: row.score }),
  );
  return {
    entries: finishEntries(entries, WHAT, BOARD.direction),
    format: columns.rank >= 0 ? 'superclue-readme-ranked' : 'superclue-readme-unranked',
    publishedAt: publishedAt(text, headingMonth(table)),
    // The score columns (those with numbers; not 机构, 许可证 and the like), spaces dropped: the README
    // writes "OPEN 多轮开放问题" and "OPEN多轮开放问题" for one column.
    columns: table.header
      .filter((_, i) => i !== columns.rank && table.rows.some((row) => typeof parseNumber(row.cells[i] ?? '') === 'number'))
      .map((name) => name.replace(/\s+/g, '')),
  };
}

/** The SuperCLUE source (the GitHub README's overall board). */
export const superclue: Scraper = {
  id: 'superclue',
  name: 'SuperCLUE',
  homepage: 'https://github.com/CLUEbenchmark/SuperCLUE',
  terms:
    'The leaderboard is published in the public GitHub repository CLUEbenchmark/SuperCLUE; rankwatch fetches the raw README ' +
    'once a day (a monthly board, frozen at 2023-12 since the live board moved to superclueai.com), stores only the ' +
    'table\'s numbers and links back to the repository. The website is not scraped.',
  parserVersion: '1',
  boards: [BOARD],
  docs: {
    formats: 'README markdown of every era, ranked (medals, `-`) and unranked (2023-05): the table with a model and a total column (总分 or 平均), under whatever title',
    live: 'the GitHub README',
  },
  parse,
};
