import { parse as parseYaml, YAMLError } from 'yaml';
import { makeEntry, type Entry } from '../src/entry.ts';
import { ParseError } from '../src/errors.ts';
import { finishEntries } from './lib/entries.ts';
import { sniff, unexpectedBody } from './lib/sniff.ts';
import { competitionRanks } from './lib/rank.ts';
import { excerpt, parseNumber } from './lib/values.ts';
import type { BoardDefinition, ParseContext, ParsedSnapshot, Scraper } from './scraper.ts';

/**
 * Aider's polyglot coding leaderboard. One format: `aider-polyglot-yaml`, the
 * `polyglot_leaderboard.yml` the aider.chat site is rendered from, an unsorted list of benchmark
 * runs without ranks (the site sorts by `pass_rate_2`), so ranks are competition ranks of that score.
 */

const BOARD: BoardDefinition = {
  id: 'aider-polyglot',
  name: 'Aider Polyglot',
  direction: 'higher',
  scoreLabel: 'Percent of 225 Exercism exercises solved within two attempts (pass_rate_2)',
  live: {
    url: 'https://raw.githubusercontent.com/Aider-AI/aider/main/aider/website/_data/polyglot_leaderboard.yml',
    format: 'aider-polyglot-yaml',
    schedule: '20 6 * * *',
    accept: 'text/plain, application/yaml;q=0.9, */*;q=0.1',
  },
  // The board opened with 6 runs (December 2024; imports of that history are held to this too) and had
  // 69 by October 2025; append-mostly, runs are replaced two at a time at most, never by quarters.
  health: { minEntries: 5, maxDropFraction: 0.25 },
};

const WHAT = 'Aider polyglot leaderboard YAML';
const EXPECTED = `${WHAT}: a list of benchmark runs (dirname, model, edit_format, pass_rate_2, date)`;

/** The polyglot benchmark has 225 exercises; the older Python-only edit leaderboard has 133. */
const EDIT_BOARD_EXERCISES = 133;

/** The fields of one run that the board uses, checked. */
interface Run {
  dirname: string | null;
  model: string;
  editFormat: string;
  passRate: number;
}

function text(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() || null;
  // A bare `model: 4.5` is a number to YAML but a name to the leaderboard.
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

function readRun(raw: unknown, index: number): Run {
  const where = `run ${index + 1}`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ParseError(`${EXPECTED}; every item a mapping`, `${where}: ${excerpt(typeof raw === 'string' ? raw : String(JSON.stringify(raw)))}`);
  }
  const record = raw as Record<string, unknown>;
  const dirname = text(record.dirname);
  const label = dirname ? `${where} (${dirname})` : where;
  const model = text(record.model);
  const editFormat = text(record.edit_format);
  const missing = [
    model === null ? 'model' : null,
    editFormat === null ? 'edit_format' : null,
    record.pass_rate_2 === undefined ? 'pass_rate_2' : null,
    // `date` sits near the end of every record: a run cut off in its middle lacks it.
    typeof record.date !== 'string' && !(record.date instanceof Date) ? 'date' : null,
  ].filter((name): name is string => name !== null);
  if (missing.length > 0 || model === null || editFormat === null) {
    throw new ParseError(EXPECTED, `${label} without ${missing.join(', ')} (keys ${excerpt(Object.keys(record).join(', '), 160)})`);
  }
  const passRate = parseNumber(record.pass_rate_2);
  if (passRate === null || passRate === undefined || passRate < 0 || passRate > 100) {
    throw new ParseError(`${WHAT}: pass_rate_2 as a percentage from 0 to 100`, `${label}: ${excerpt(String(record.pass_rate_2))}`);
  }
  return { dirname, model, editFormat, passRate };
}

/** Largest exercise count any run states, to tell the polyglot board from the Python edit board. */
function exercises(records: readonly unknown[]): number {
  let most = 0;
  for (const raw of records) {
    const record = raw as Record<string, unknown>;
    for (const value of [record.test_cases, record.total_tests]) {
      const count = parseNumber(value);
      if (typeof count === 'number' && count > most) most = count;
    }
  }
  return most;
}

/**
 * The model key is `model [edit_format]`, always, for every row:
 * - `model` alone is not unique: the same model is benchmarked in several edit formats
 *   (Qwen2.5-Coder-32B-Instruct in `whole` and in `diff` since January 2025);
 * - adding the format only to repeated models would change an existing row's key the day a second
 *   run of it is added (an exit and an entry for nothing);
 * - `dirname` names a run, not a model: when the maintainers re-run a configuration (o3 after its
 *   price cut, June 2025) the new run replaces the old under a new dirname, and keying by it would
 *   report an exit and an entry instead of a score change. The cost of this choice: the
 *   maintainers' rewrites of a display name (`deepseek/deepseek-reasoner` became
 *   `DeepSeek-V3.2-Exp (Reasoner)`) change the key, which model aliases have to absorb.
 * Should two runs ever share model and format, both take their dirname too rather than fail the board.
 */
function keys(runs: readonly Run[]): string[] {
  const base = runs.map((run) => `${run.model} [${run.editFormat}]`);
  const count = new Map<string, number>();
  for (const key of base) count.set(key, (count.get(key) ?? 0) + 1);
  return base.map((key, i) => ((count.get(key) ?? 0) > 1 && runs[i]?.dirname ? `${key} ${runs[i].dirname}` : key));
}

function parseLeaderboard(text: string): ParsedSnapshot {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    if (error instanceof YAMLError) {
      throw new ParseError(EXPECTED, `malformed YAML (${excerpt(error.message, 160)}); the file may be cut off`, { cause: error });
    }
    throw error;
  }
  if (!Array.isArray(document)) {
    const found =
      typeof document === 'object' && document !== null
        ? `a mapping with keys ${excerpt(Object.keys(document).join(', '))}`
        : `a single value ${excerpt(String(document))}`;
    throw new ParseError(EXPECTED, found);
  }
  if (document.length === 0) throw new ParseError(EXPECTED, 'an empty list');
  const runs = document.map(readRun);
  const most = exercises(document);
  if (most > 0 && most <= EDIT_BOARD_EXERCISES) {
    throw new ParseError(
      `${WHAT}: runs of the 225-exercise polyglot benchmark`,
      `at most ${most} exercises per run (the Python edit leaderboard, edit_leaderboard.yml?)`,
    );
  }
  const runKeys = keys(runs);
  const perModel = new Map<string, number>();
  for (const run of runs) perModel.set(run.model, (perModel.get(run.model) ?? 0) + 1);
  const ranks = competitionRanks(
    runs.map((run) => run.passRate),
    BOARD.direction,
  );
  // total_cost (USD for the whole run, 0 when unknown) is not a per-token price: it stays out of the entry.
  const entries: Entry[] = runs.map((run, i) =>
    makeEntry({
      rank: ranks[i] ?? null,
      model: runKeys[i] ?? run.model,
      name: (perModel.get(run.model) ?? 0) > 1 ? `${run.model} (${run.editFormat})` : run.model,
      score: run.passRate,
    }),
  );
  // The newest `date` is only when the latest run was benchmarked, not when the board was published.
  return { entries: finishEntries(entries, WHAT, BOARD.direction), format: 'aider-polyglot-yaml', publishedAt: null };
}

/** Refuses HTML and empty bodies before YAML sees them: YAML would read most text as one string. */
function parse(body: string, context: ParseContext): ParsedSnapshot {
  if (context.board !== BOARD.id) throw new ParseError(`the Aider board (${BOARD.id})`, `board ${JSON.stringify(context.board)}`);
  const sniffed = sniff(body);
  if (sniffed.kind === 'empty' || sniffed.kind === 'html') throw unexpectedBody(EXPECTED, sniffed);
  return parseLeaderboard(sniffed.text);
}

/** The Aider polyglot leaderboard source. */
export const aider: Scraper = {
  id: 'aider',
  name: 'Aider LLM Leaderboards',
  homepage: 'https://aider.chat/docs/leaderboards/',
  terms:
    'The leaderboard data is a YAML file in the Aider-AI/aider repository (Apache-2.0). rankwatch fetches that raw file ' +
    'from GitHub once a day instead of the rendered page, and credits aider.chat as the source.',
  parserVersion: '1',
  boards: [BOARD],
  docs: {
    formats: '`polyglot_leaderboard.yml`',
    live: 'the GitHub file',
  },
  // The model key's trailing ` [edit format]` is a harness setting: identity reads the model without it.
  identityKey: (entry) => entry.model.trim().replace(/\s*\[[^\]]*\]$/, ''),
  parse,
};
