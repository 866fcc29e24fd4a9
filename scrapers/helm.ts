import { z } from 'zod';
import { makeEntry, type Direction, type Entry } from '../src/entry.ts';
import { ParseError } from '../src/errors.ts';
import { finishEntries } from './lib/entries.ts';
import { describeHtml } from './lib/html.ts';
import { competitionRanks } from './lib/rank.ts';
import { parseJson } from './lib/schema.ts';
import { excerpt, parseNumber } from './lib/values.ts';
import type { BoardDefinition, HealthThresholds, ParseContext, ParsedSnapshot, Scraper } from './scraper.ts';

/**
 * HELM (Stanford CRFM). Every leaderboard is a static page over `helm-summarize` output in the public
 * GCS bucket: `groups/<group>.json` is an array of tables (one per tab: Accuracy, Efficiency, ...), each
 * `{title, name, header: [{value, lower_is_better, ...}], rows: [[{value, run_spec_names?, ...}]]}`.
 * Column 0 is the model's display name; rows are unsorted and carry no rank; a missing cell has no
 * `value` (or null). A board is one table of one group file, ranked by its headline column: "Mean win
 * rate" / "Mean score" on a project's summary table, the group's main metric (first metric column) on a
 * single-scenario table. Ranks are competition ranks in the column's `lower_is_better` direction.
 */

const FORMAT = 'helm-groups-json';
const BUCKET = 'https://storage.googleapis.com/crfm-helm-public';

/**
 * A release is a new directory (`releases/v1.x.0/`) and old ones stay, so following HELM means polling
 * the release list (`${BUCKET}/config/project_metadata.json`) for the newest release of the project.
 * Until the scheduler can do that, each board's URL names a fixed release: the configurable default,
 * overridden by environment when HELM publishes a newer one.
 */
const RELEASES = {
  // Named in third-party notes (2025) as the current Safety release; not fetched from here.
  safety: 'v1.17.0',
  lite: 'v1.13.0',
  capabilities: 'v1.12.0',
} as const;

const releaseUrl = (project: keyof typeof RELEASES, groupFile: string) =>
  `${BUCKET}/${project}/benchmark_output/releases/${RELEASES[project]}/groups/${groupFile}`;

/** Per board: which table of which group file, and which column ranks it. */
interface HelmBoard {
  definition: BoardDefinition;
  groupFile: string;
  /** The table's `name` in the group file. */
  table: RegExp;
  /** The headline column's header text, or the group's first metric column. */
  headline: RegExp | 'first-metric';
}

const SUMMARY_HEADLINE = /^Mean (win rate|score)$/;

function helmBoard(
  id: string,
  name: string,
  project: keyof typeof RELEASES,
  groupFile: string,
  table: RegExp,
  headline: HelmBoard['headline'],
  scoreLabel: string,
  health: HealthThresholds,
): HelmBoard {
  return {
    definition: {
      id,
      name,
      direction: 'higher',
      scoreLabel,
      live: { url: releaseUrl(project, groupFile), format: FORMAT, schedule: '20 6 * * *', accept: 'application/json' },
      health,
    },
    groupFile,
    table,
    headline,
  };
}

// Floors: public Safety releases hold dozens of models (the dev suites captured hold 9); Lite and
// Capabilities hold 50-90.
const SAFETY_HEALTH: HealthThresholds = { minEntries: 5, maxDropFraction: 0.4 };
const BOARDS: readonly HelmBoard[] = [
  helmBoard('helm-safety', 'HELM Safety', 'safety', 'safety_scenarios.json', /^accuracy$/, SUMMARY_HEADLINE, 'Mean win rate (0-1)', SAFETY_HEALTH),
  helmBoard('helm-safety-harmbench', 'HELM Safety: HarmBench', 'safety', 'harm_bench.json', /^harm_bench_/, 'first-metric', 'HarmBench safety score (0-1)', SAFETY_HEALTH),
  helmBoard('helm-safety-simple-safety-tests', 'HELM Safety: SimpleSafetyTests', 'safety', 'simple_safety_tests.json', /^simple_safety_tests_/, 'first-metric', 'SimpleSafetyTests safety score (0-1)', SAFETY_HEALTH),
  helmBoard('helm-safety-bbq', 'HELM Safety: BBQ', 'safety', 'bbq.json', /^bbq_subject:all$/, 'first-metric', 'BBQ accuracy (0-1)', SAFETY_HEALTH),
  helmBoard('helm-safety-anthropic-red-team', 'HELM Safety: Anthropic Red Team', 'safety', 'anthropic_red_team.json', /^anthropic_red_team_/, 'first-metric', 'Anthropic Red Team safety score (0-1)', SAFETY_HEALTH),
  helmBoard('helm-safety-xstest', 'HELM Safety: XSTest', 'safety', 'xstest.json', /^xstest_/, 'first-metric', 'XSTest safety score (0-1)', SAFETY_HEALTH),
  helmBoard('helm-lite', 'HELM Lite', 'lite', 'core_scenarios.json', /^accuracy$/, SUMMARY_HEADLINE, 'Mean win rate (0-1)', { minEntries: 20, maxDropFraction: 0.3 }),
  helmBoard('helm-capabilities', 'HELM Capabilities', 'capabilities', 'core_scenarios.json', /^accuracy$/, SUMMARY_HEADLINE, 'Mean score (0-1)', { minEntries: 20, maxDropFraction: 0.3 }),
];

/** HELM's creator organizations by model-id prefix (as its schema.json names them). */
const ORGANIZATIONS: Readonly<Record<string, string>> = {
  '01-ai': '01.AI',
  ai21: 'AI21 Labs',
  allenai: 'Allen Institute for AI',
  amazon: 'Amazon',
  anthropic: 'Anthropic',
  cohere: 'Cohere',
  databricks: 'Databricks',
  'deepseek-ai': 'DeepSeek',
  google: 'Google',
  ibm: 'IBM',
  meta: 'Meta',
  microsoft: 'Microsoft',
  mistralai: 'Mistral AI',
  moonshotai: 'Moonshot AI',
  nvidia: 'NVIDIA',
  openai: 'OpenAI',
  qwen: 'Qwen',
  snowflake: 'Snowflake',
  tiiuae: 'TII UAE',
  upstage: 'Upstage',
  writer: 'Writer',
  xai: 'xAI',
};

function boardOf(context: ParseContext): HelmBoard {
  const found = BOARDS.find((candidate) => candidate.definition.id === context.board);
  if (!found) throw new ParseError(`one of the HELM boards (${BOARDS.map((b) => b.definition.id).join(', ')})`, `board ${JSON.stringify(context.board)}`);
  return found;
}

/** A header cell: its text and, for a metric column, its direction. Any other header value reads as an empty cell. */
const HeaderCellSchema = z
  .looseObject({ value: z.unknown(), lower_is_better: z.boolean().optional().catch(undefined) })
  .catch(() => ({ value: undefined, lower_is_better: undefined }));

/** A row cell: its value and the run specs it comes from (which name the model). */
const CellSchema = z.looseObject({ value: z.unknown().optional(), run_spec_names: z.array(z.unknown()).optional().catch(undefined) });

/** A group file (`helm-summarize` output): an array of tables of {title, name, header, rows}. */
const TablesSchema = z.array(
  z.looseObject({
    name: z.string().catch(''),
    title: z.string().catch(''),
    header: z.array(HeaderCellSchema),
    rows: z.array(z.array(CellSchema)),
  }),
  { error: 'an array of tables' },
);

type Table = z.infer<typeof TablesSchema>[number];
type Cell = z.infer<typeof CellSchema>;

/** The HELM model id of a row (`meta/llama-3-70b`) from `model=meta_llama-3-70b` in its run specs. */
function modelIdOf(row: readonly Cell[], where: string, what: string): string | null {
  const ids = new Set<string>();
  for (const cell of row) {
    for (const spec of cell.run_spec_names ?? []) {
      const match = typeof spec === 'string' ? /(?:^|[:,])model=([^,]+)/.exec(spec) : null;
      if (match?.[1]) ids.add(match[1]);
    }
  }
  if (ids.size > 1) throw new ParseError(`${what}: one model per row`, `${where}: run specs of ${[...ids].join(', ')}`);
  const [id] = ids;
  // Run spec names spell the id with `_` for `/`; HELM's organization prefixes hold no underscore.
  return id === undefined ? null : id.replace('_', '/');
}

function headlineIndex(table: Table, board: HelmBoard, what: string): number {
  const headline = board.headline;
  const index =
    headline === 'first-metric'
      ? table.header.findIndex((cell, i) => i > 0 && typeof cell.lower_is_better === 'boolean')
      : table.header.findIndex((cell, i) => i > 0 && typeof cell.value === 'string' && headline.test(cell.value.trim()));
  if (index < 0) {
    const wanted = headline === 'first-metric' ? 'a metric column (with lower_is_better)' : `a "Mean win rate" or "Mean score" column`;
    throw new ParseError(`${what}: ${wanted}`, `columns ${excerpt(table.header.map((cell) => String(cell.value ?? '')).join(' | '), 160)}`);
  }
  return index;
}

function parseTable(table: Table, board: HelmBoard, what: string): Entry[] {
  const first = table.header[0]?.value;
  if (typeof first !== 'string' || !/^Model/i.test(first)) {
    throw new ParseError(`${what}: the model in column 0 ("Model/adapter")`, `column 0 ${excerpt(String(first ?? ''))}`);
  }
  const column = headlineIndex(table, board, what);
  const direction: Direction = table.header[column]?.lower_is_better === true ? 'lower' : 'higher';
  const rows = table.rows.map((row, i) => {
    const where = `row ${i + 1}`;
    if (row.length !== table.header.length) throw new ParseError(`${what}: ${table.header.length} cells per row`, `${where}: ${row.length} cells`);
    const nameCell = row[0];
    const name = typeof nameCell?.value === 'string' ? nameCell.value.trim() : '';
    if (!name) throw new ParseError(`${what}: a model name in column 0 of every row`, `${where}: ${excerpt(JSON.stringify(nameCell ?? null))}`);
    const cell = row[column];
    const score = parseNumber(cell?.value);
    if (score === undefined) throw new ParseError(`${what}: a number or no value in the ${String(table.header[column]?.value)} column`, `${where} (${name}): ${excerpt(JSON.stringify(cell ?? null))}`);
    const id = modelIdOf(row, `${where} (${name})`, what);
    const prefix = id?.split('/')[0] ?? '';
    return { model: id ?? name, name, organization: Object.hasOwn(ORGANIZATIONS, prefix) ? (ORGANIZATIONS[prefix] ?? null) : null, score };
  });
  if (rows.length > 0 && rows.every((row) => row.score === null)) {
    throw new ParseError(`${what}: values in the ${String(table.header[column]?.value)} column`, `${rows.length} rows, none with a value`);
  }
  const ranks = competitionRanks(
    rows.map((row) => row.score),
    direction,
  );
  const entries = rows.map((row, i) => makeEntry({ rank: ranks[i] ?? null, model: row.model, name: row.name, organization: row.organization, score: row.score }));
  return finishEntries(entries, what, direction);
}

/** GCS answers a missing object (a release not published yet, a renamed group) with an XML error. */
function describeMarkup(text: string): string {
  const code = /<Error>\s*<Code>([^<]*)<\/Code>(?:\s*<Message>([^<]*)<\/Message>)?/.exec(text);
  if (code) return `a storage error document (${code[1]}${code[2] ? `: ${code[2]}` : ''})`;
  return describeHtml(text);
}

function baseName(fileName: string): string {
  return fileName.split(/[?#]/, 1)[0]!.split(/[\\/]/).at(-1) ?? '';
}

/** `safety_scenarios.json`, `.../groups/safety_scenarios.json` or a dated copy `v4_safety_scenarios.json`. */
function namesGroupFile(fileName: string, groupFile: string): boolean {
  const base = baseName(fileName);
  return base === groupFile || (base.endsWith(groupFile) && /[-_.]$/.test(base.slice(0, -groupFile.length)));
}

/** Picks the board's table out of a `groups/<group>.json` file and ranks its rows. */
function parse(body: string, context: ParseContext): ParsedSnapshot {
  const board = boardOf(context);
  const what = `HELM groups/${board.groupFile}`;
  const text = body.replace(/^\uFEFF/, '');
  const head = text.trimStart().slice(0, 512);
  if (head === '') throw new ParseError(what, 'an empty document');
  if (head.startsWith('<')) throw new ParseError(what, describeMarkup(text));
  if (!head.startsWith('[') && !head.startsWith('{')) throw new ParseError(what, `text starting ${excerpt(head)}`);
  // Several group files hold a table of the same name ("accuracy"); the file name tells them apart.
  if (context.fileName && !namesGroupFile(context.fileName, board.groupFile)) {
    throw new ParseError(`${what} for board ${board.definition.id}`, `a file named ${JSON.stringify(baseName(context.fileName))}`);
  }
  const tables = parseJson(text, { what, schema: TablesSchema });
  const table = tables.find((candidate) => board.table.test(candidate.name));
  if (!table) {
    const names = tables.map((candidate) => JSON.stringify(candidate.name || candidate.title));
    throw new ParseError(`${what} with a table named like ${board.table}`, names.length > 0 ? `tables ${names.join(', ')}` : 'no tables');
  }
  const label = `${what} table "${table.name}"`;
  // The table's metric columns (XSTest was added between two releases of the safety suite).
  const columns = table.header.slice(1).map((cell) => (typeof cell.value === 'string' ? cell.value : '')).filter(Boolean);
  return { entries: parseTable(table, board, label), format: FORMAT, publishedAt: null, columns };
}

/** The HELM source: one board per leaderboard table of a project release's group files. */
export const helm: Scraper = {
  id: 'helm',
  name: 'HELM (Stanford CRFM)',
  homepage: 'https://crfm.stanford.edu/helm/',
  terms:
    'HELM publishes its results openly (framework Apache-2.0) in the public bucket crfm-helm-public, the same JSON its ' +
    'leaderboard pages load. rankwatch reads one group file per board once a day, never the pages, and links back to HELM.',
  parserVersion: '1',
  boards: BOARDS.map((entry) => entry.definition),
  docs: {
    formats: '`groups/<group>.json` of a release (`helm-summarize` output)',
    live: 'the release\'s file in the public GCS bucket',
  },
  parse,
};
