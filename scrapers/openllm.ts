import { makeEntry, type Entry } from '../src/entry.ts';
import { ParseError } from '../src/errors.ts';
import { readCsv } from './lib/csv.ts';
import { sniff, unexpectedBody } from './lib/sniff.ts';
import { finishEntries } from './lib/entries.ts';
import { competitionRanks } from './lib/rank.ts';
import { excerpt, parseNumber } from './lib/values.ts';
import type { BoardDefinition, ParseContext, ParsedSnapshot, Scraper } from './scraper.ts';

/**
 * Hugging Face's Open LLM Leaderboard (v2), retired in 2025: imported only, from the daily CSV exports
 * of fboulnois/llm-leaderboard-csv (`csv/huggingface_v2.csv`). Two eras of that export:
 * - `fboulnois-v2-csv` (2024-07 .. 2024-11): the Space's table, `model` and `average` columns;
 * - `fboulnois-v2-api-csv` (2024-12 .. 2025-06): flattened API fields, `model_name` and `model_average_score`.
 * Neither publishes ranks (rows are sorted by the average), so ranks are competition ranks of it.
 */

const BOARD: BoardDefinition = {
  id: 'open-llm-leaderboard',
  name: 'Open LLM Leaderboard (v2)',
  direction: 'higher',
  scoreLabel: 'Average of IFEval, BBH, MATH Lvl 5, GPQA, MuSR and MMLU-PRO (normalized, 0-100)',
  live: null,
  // The smallest capture (2024-07-13) has 235 models and the board only grew until it was retired.
  health: { minEntries: 100, maxDropFraction: 0.4 },
};

/** One era of the export: which columns hold the repo id and the average, and which prove it is v2. */
interface Era {
  format: string;
  model: string;
  score: string;
  benchmarks: readonly string[];
}

const ERAS: readonly Era[] = [
  { format: 'fboulnois-v2-csv', model: 'model', score: 'average', benchmarks: ['ifeval', 'bbh', 'math_lvl_5', 'gpqa', 'musr', 'mmlupro'] },
  { format: 'fboulnois-v2-api-csv', model: 'model_name', score: 'model_average_score', benchmarks: ['evaluations_ifeval_value'] },
];

const WHAT = 'Open LLM Leaderboard v2 CSV';
const EXPECTED = `${WHAT} (fboulnois export: columns model, average, ifeval, bbh... or model_name, model_average_score, evaluations_...)`;
/** Benchmarks of the v1 leaderboard (2023 .. 2024-06): its averages are on another scale and must not land on this board. */
const V1_BENCHMARKS = ['arc', 'hellaswag', 'truthfulqa', 'winogrande', 'gsm8k'];
/** A Hugging Face repo id, `owner/name`, or a bare legacy name such as `gpt2`. */
const REPO_ID = /^[A-Za-z0-9][\w.-]*(\/[\w.-]+)?$/;

function eraOf(header: readonly string[]): Era {
  const has = (column: string) => header.includes(column);
  const era = ERAS.find((candidate) => has(candidate.model) && has(candidate.score));
  const v1 = V1_BENCHMARKS.filter(has);
  if (!era || era.benchmarks.some((column) => !has(column))) {
    if (v1.length > 0) throw new ParseError(EXPECTED, `the v1 leaderboard's benchmark columns ${v1.join(', ')}`);
    const missing = era ? era.benchmarks.filter((column) => !has(column)) : ['model|model_name', 'average|model_average_score'];
    throw new ParseError(EXPECTED, `no ${missing.join(', ')} among columns ${excerpt(header.join(','), 240)}`);
  }
  return era;
}

/** One submission: the repo id and its average. */
interface Row {
  id: string;
  score: number;
}

function readRows(text: string): { rows: Row[]; format: string } {
  const { header, rows } = readCsv(text, `${WHAT} with a header line`);
  const era = eraOf(header);
  const modelAt = header.indexOf(era.model);
  const scoreAt = header.indexOf(era.score);
  return {
    format: era.format,
    rows: rows.map((cells, i) => {
      const where = `line ${i + 2}`;
      const id = cells[modelAt] ?? '';
      if (!REPO_ID.test(id)) throw new ParseError(`${WHAT}: a Hugging Face repo id in ${era.model}`, `${where}: ${excerpt(id)}`);
      const score = parseNumber(cells[scoreAt]);
      if (score === undefined || score === null) throw new ParseError(`${WHAT}: a numeric ${era.score}`, `${where}: ${excerpt(cells[scoreAt] ?? '')}`);
      return { id, score };
    }),
  };
}

/**
 * A model evaluated in several precisions (bfloat16 and float16) or revisions has a row for each.
 * The board is keyed by repo id, so each model stands with its best row (the first, on equal averages).
 */
function bestPerModel(rows: readonly Row[]): Row[] {
  const best = new Map<string, Row>();
  for (const row of rows) {
    const kept = best.get(row.id);
    if (!kept || row.score > kept.score) best.set(row.id, row);
  }
  return [...best.values()];
}

/** Refuses what is not CSV (HTML, JSON of the Hugging Face API, empty) before the CSV reader sees it. */
function parse(body: string, context: ParseContext): ParsedSnapshot {
  if (context.board !== BOARD.id) throw new ParseError(`the Open LLM Leaderboard board (${BOARD.id})`, `board ${JSON.stringify(context.board)}`);
  const { text, head, kind } = sniff(body);
  if (kind !== 'text') throw unexpectedBody(EXPECTED, { text, head, kind });
  const firstLine = head.split(/\r?\n/, 1)[0] ?? '';
  if (!firstLine.includes(',')) throw new ParseError(EXPECTED, `text starting ${excerpt(firstLine)}`);
  const { rows, format } = readRows(text);
  const models = bestPerModel(rows);
  const ranks = competitionRanks(
    models.map((row) => row.score),
    BOARD.direction,
  );
  const entries: Entry[] = models.map((row, i) =>
    makeEntry({
      rank: ranks[i] ?? null,
      model: row.id,
      name: row.id,
      // The repo's owner: a user or an organization on the Hub; legacy ids like `gpt2` have none.
      organization: row.id.includes('/') ? (row.id.split('/')[0] ?? null) : null,
      score: row.score,
    }),
  );
  return { entries: finishEntries(entries, WHAT, BOARD.direction), format, publishedAt: null };
}

/** The Open LLM Leaderboard source (import only). */
export const openLlm: Scraper = {
  id: 'openllm',
  name: 'Open LLM Leaderboard',
  homepage: 'https://huggingface.co/spaces/open-llm-leaderboard/open_llm_leaderboard',
  terms:
    'Retired in 2025; its results are the Hugging Face dataset open-llm-leaderboard/contents (no licence stated in the card). ' +
    'rankwatch never fetches it: it only imports the third-party CSV exports of fboulnois/llm-leaderboard-csv, and credits both.',
  parserVersion: '1',
  boards: [BOARD],
  docs: {
    formats: 'the v2 CSV exports',
    live: '- (retired: import only)',
  },
  parse,
};
