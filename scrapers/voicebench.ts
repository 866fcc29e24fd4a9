import { makeEntry, type Entry } from '../src/entry.ts';
import { ParseError } from '../src/errors.ts';
import { finishEntries } from './lib/entries.ts';
import { findTable, type TableShape } from './lib/markdown.ts';
import { competitionRanks } from './lib/rank.ts';
import { excerpt, parseNumber } from './lib/values.ts';
import type { BoardDefinition, ParseContext, ParsedSnapshot, Scraper } from './scraper.ts';

/**
 * VoiceBench (benchmark of LLM-based voice assistants). The leaderboard is the `## Leaderboard`
 * table of the GitHub README; no JSON or CSV exists. Sub-score columns were added over time
 * (OpenBookQA, MMSU, BBH, WildVoice) and `Overall` recomputed each time, so every score can move
 * in one commit: the parser reads whatever columns the table has and keeps only Overall.
 * Formats: `voicebench-readme` (a `Rank` column, kept as published) and
 * `voicebench-readme-unranked` (no Rank column: competition ranks from Overall).
 */

const BOARD: BoardDefinition = {
  id: 'voicebench',
  name: 'VoiceBench Leaderboard',
  direction: 'higher',
  scoreLabel: 'Overall (0-100)',
  live: {
    url: 'https://raw.githubusercontent.com/MatthewCYM/VoiceBench/main/README.md',
    format: 'voicebench-readme',
    schedule: '50 6 * * *',
    accept: 'text/plain',
  },
  // 6 models at launch (2024-10), 33 by mid-2025. Ranks are not promised to follow Overall: the
  // 2025-02-26 commit published #15 at 55.99 above #16 at 56.43 (fixed three days later).
  health: { minEntries: 5, maxDropFraction: 0.4, ranksFollowScores: false },
};

const WHAT = 'VoiceBench README';

/** The leaderboard: the first table with Model and Overall columns, whatever its heading. */
const LEADERBOARD: TableShape<'rank' | 'model' | 'overall'> = {
  what: WHAT,
  table: 'the leaderboard table',
  columns: { rank: { names: ['Rank'], optional: true }, model: { names: ['Model'] }, overall: { names: ['Overall'] } },
};

function parse(body: string, context: ParseContext): ParsedSnapshot {
  if (context.board !== BOARD.id) throw new ParseError(`the VoiceBench board (${BOARD.id})`, `board ${JSON.stringify(context.board)}`);
  const { table, columns: at } = findTable(body, LEADERBOARD);

  const rows = table.rows.map((row, i) => {
    const where = `row ${i + 1}`;
    if (row.sourceCells <= at.overall) throw new ParseError(`${WHAT}: an Overall cell in every row`, `${where} cut short after ${row.sourceCells} cells`);
    const name = (row.cells[at.model] ?? '').trim();
    if (!name) throw new ParseError(`${WHAT}: a model name in every row`, `${where}: an empty Model cell`);
    const score = parseNumber(row.cells[at.overall]);
    if (score === undefined) throw new ParseError(`${WHAT}: a numeric Overall`, `${where} (${name}): ${excerpt(row.cells[at.overall] ?? '')}`);
    // An empty Rank (a model listed without every sub-score) is listed but not ranked.
    const rank = at.rank >= 0 ? parseNumber(row.cells[at.rank]) : null;
    if (rank === undefined || (rank !== null && (!Number.isInteger(rank) || rank < 1))) {
      throw new ParseError(`${WHAT}: a whole-number Rank`, `${where} (${name}): ${excerpt(row.cells[at.rank] ?? '')}`);
    }
    return { rank, name, score };
  });

  const derived = at.rank < 0 ? competitionRanks(rows.map((row) => row.score), BOARD.direction) : null;
  const entries: Entry[] = rows.map((row, i) => makeEntry({ rank: derived ? (derived[i] ?? null) : row.rank, model: row.name, name: row.name, score: row.score }));
  return {
    entries: finishEntries(entries, WHAT, BOARD.direction),
    format: at.rank >= 0 ? 'voicebench-readme' : 'voicebench-readme-unranked',
    // The README dates some updates in its News list but not the table itself.
    publishedAt: null,
    columns: table.header.filter((_, i) => i !== at.rank && i !== at.model),
  };
}

/** The VoiceBench source (the GitHub README's leaderboard). */
export const voicebench: Scraper = {
  id: 'voicebench',
  name: 'VoiceBench',
  homepage: 'https://github.com/MatthewCYM/VoiceBench',
  terms:
    'The leaderboard is published in the public GitHub repository MatthewCYM/VoiceBench (code Apache-2.0); rankwatch ' +
    'fetches the raw README once a day, stores only the Overall scores and ranks, and links back to the repository.',
  parserVersion: '1',
  boards: [BOARD],
  docs: {
    formats: 'README table of every commit, with or without a Rank column',
    live: 'the GitHub README',
  },
  parse,
};
