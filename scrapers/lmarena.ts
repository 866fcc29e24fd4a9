import { z } from 'zod';
import { makeEntry, type Entry } from '../src/entry.ts';
import { ParseError } from '../src/errors.ts';
import { readCsv } from './lib/csv.ts';
import { finishEntries } from './lib/entries.ts';
import { cellText, describeHtml } from './lib/html.ts';
import { parseInterval } from './lib/interval.ts';
import { upperBoundRanks } from './lib/rank.ts';
import { parseJson, validate } from './lib/schema.ts';
import { excerpt, parseNumber } from './lib/values.ts';
import type { BoardDefinition, HealthThresholds, LiveSource, ParseContext, ParsedSnapshot, Scraper } from './scraper.ts';

/**
 * LMArena (formerly LMSYS Chatbot Arena). Every format it has published for its boards:
 * - `lmsys-csv`: the leaderboard CSV archive of the Gradio era (fboulnois/llm-leaderboard-csv
 *   `lmsys.csv`), `rank` is the published "Rank (UB)";
 * - `lmarena-csv`: the 2025 CSVs built from the Hugging Face Space pickles (`lmarena_{text,vision,image}`),
 *   where `rank` is only the row position and the published rank is `rank_stylectrl`;
 * - `gradio-page`: the lmarena.ai page of the Gradio era, data in `window.gradio_config`;
 * - `nextjs-page`: the current lmarena.ai / arena.ai page, rows in React Server Components flight data
 *   (`self.__next_f.push([1,"…"])`), grouped by `arenaSlug` in a `"leaderboards"` array;
 * - `arena-catalog-json`: the official `lmarena/arena-catalog` export (ratings and 95% bounds only);
 * - `dataset-rows-json`: rows of the official Hugging Face dataset `lmarena-ai/leaderboard-dataset`
 *   as the datasets-server `/rows` and `/filter` endpoints serve them.
 */

/** The arena-catalog files, `data/leaderboard-<file>.json`. */
type CatalogFile = 'text' | 'text-style-control' | 'vision' | 'image';

/** Per board: where each format keeps it. A null slot means that format does not carry the board. */
interface LmarenaBoard {
  definition: BoardDefinition;
  catalog: { file: CatalogFile; category: string } | null;
  /** The fboulnois/llm-leaderboard-csv folders holding the board (a CSV does not say which arena it is: the board decides). */
  csvFolders: readonly string[];
  gradioTab: RegExp | null;
  /** The Next.js page: `arenaSlug`s, `categorySlug`, and whether the board is the style-controlled one. */
  page: { arenaSlugs: readonly string[]; category: string; styleControl: boolean } | null;
  dataset: { config: string; category: string } | null;
}

const CATALOG_URL = 'https://raw.githubusercontent.com/lmarena/arena-catalog/main/data';
const DATASET_FILTER_URL = 'https://datasets-server.huggingface.co/filter?dataset=lmarena-ai%2Fleaderboard-dataset';

function catalogLive(file: CatalogFile, schedule: string): LiveSource {
  return { url: `${CATALOG_URL}/leaderboard-${file}.json`, format: 'arena-catalog-json', schedule, accept: 'application/json' };
}

/**
 * The text splits of arena-catalog (keys as in its files), with board id suffix, label, the
 * Next.js `categorySlug` where one is known, and whether it is a language split.
 */
const TEXT_CATEGORIES: readonly { key: string; id: string; label: string; pageSlug: string | null; language: boolean }[] = [
  { key: 'coding', id: 'coding', label: 'Coding', pageSlug: 'coding', language: false },
  { key: 'math', id: 'math', label: 'Math', pageSlug: 'math', language: false },
  { key: 'creative_writing', id: 'creative-writing', label: 'Creative Writing', pageSlug: 'creative-writing', language: false },
  { key: 'if', id: 'instruction-following', label: 'Instruction Following', pageSlug: 'instruction-following', language: false },
  { key: 'hard_6', id: 'hard-prompts', label: 'Hard Prompts', pageSlug: 'hard-prompts', language: false },
  { key: 'hard_english_6', id: 'hard-prompts-english', label: 'Hard Prompts (English)', pageSlug: null, language: false },
  { key: 'long_user', id: 'longer-query', label: 'Longer Query', pageSlug: 'longer-query', language: false },
  { key: 'multiturn', id: 'multi-turn', label: 'Multi-Turn', pageSlug: 'multi-turn', language: false },
  { key: 'no_refusal', id: 'exclude-refusal', label: 'Exclude Refusal', pageSlug: null, language: false },
  { key: 'no_short', id: 'exclude-short-query', label: 'Exclude Short Query', pageSlug: null, language: false },
  { key: 'no_tie', id: 'exclude-ties', label: 'Exclude Ties', pageSlug: null, language: false },
  { key: 'expert', id: 'expert', label: 'Expert', pageSlug: null, language: false },
  { key: 'industry_business_and_management_and_financial_operations', id: 'industry-business', label: 'Business, Management & Financial Ops', pageSlug: null, language: false },
  { key: 'industry_entertainment_and_sports_and_media', id: 'industry-entertainment', label: 'Entertainment, Sports & Media', pageSlug: null, language: false },
  { key: 'industry_legal_and_government', id: 'industry-legal', label: 'Legal & Government', pageSlug: null, language: false },
  { key: 'industry_life_and_physical_and_social_science', id: 'industry-science', label: 'Life, Physical & Social Science', pageSlug: null, language: false },
  { key: 'industry_mathematical', id: 'industry-mathematical', label: 'Mathematical', pageSlug: null, language: false },
  { key: 'industry_medicine_and_healthcare', id: 'industry-medicine', label: 'Medicine & Healthcare', pageSlug: null, language: false },
  { key: 'industry_software_and_it_services', id: 'industry-software', label: 'Software & IT Services', pageSlug: null, language: false },
  { key: 'industry_writing_and_literature_and_language', id: 'industry-writing', label: 'Writing, Literature & Language', pageSlug: null, language: false },
  { key: 'english', id: 'english', label: 'English', pageSlug: null, language: true },
  { key: 'chinese', id: 'chinese', label: 'Chinese', pageSlug: null, language: true },
  { key: 'german', id: 'german', label: 'German', pageSlug: null, language: true },
  { key: 'french', id: 'french', label: 'French', pageSlug: null, language: true },
  { key: 'spanish', id: 'spanish', label: 'Spanish', pageSlug: null, language: true },
  { key: 'russian', id: 'russian', label: 'Russian', pageSlug: null, language: true },
  { key: 'japanese', id: 'japanese', label: 'Japanese', pageSlug: null, language: true },
  { key: 'korean', id: 'korean', label: 'Korean', pageSlug: null, language: true },
];

/** The vision splits of arena-catalog, with the floor of models each has carried (17 to 87 in the captures). */
const VISION_CATEGORIES: readonly { key: string; id: string; label: string; minEntries: number }[] = [
  { key: 'english', id: 'english', label: 'English', minEntries: 25 },
  { key: 'chinese', id: 'chinese', label: 'Chinese', minEntries: 15 },
  { key: 'captioning', id: 'captioning', label: 'Captioning', minEntries: 5 },
  { key: 'creative_writing_vision', id: 'creative-writing', label: 'Creative Writing', minEntries: 10 },
  { key: 'diagram', id: 'diagram', label: 'Diagram', minEntries: 12 },
  { key: 'entity_recognition', id: 'entity-recognition', label: 'Entity Recognition', minEntries: 5 },
  { key: 'homework', id: 'homework', label: 'Homework', minEntries: 12 },
  { key: 'humor', id: 'humor', label: 'Humor', minEntries: 8 },
  { key: 'ocr', id: 'ocr', label: 'OCR', minEntries: 12 },
];

const SCORE_LABEL = 'Arena score (Bradley-Terry, Elo scale)';

/** A board whose only source is an arena-catalog split (ranks computed from the bounds: Rank (UB), which can sit out of score order). */
function catalogSplit(id: string, name: string, file: CatalogFile, category: string, schedule: string, health: HealthThresholds, pageSlug: string | null): LmarenaBoard {
  return {
    definition: { id, name, direction: 'higher', scoreLabel: SCORE_LABEL, live: catalogLive(file, schedule), health },
    catalog: { file, category },
    csvFolders: [],
    gradioTab: null,
    page: pageSlug ? { arenaSlugs: ['text'], category: pageSlug, styleControl: false } : null,
    dataset: null,
  };
}

const BOARDS: readonly LmarenaBoard[] = [
  {
    definition: {
      id: 'lmarena-text',
      name: 'LMArena Text',
      direction: 'higher',
      scoreLabel: SCORE_LABEL,
      live: {
        url: 'https://raw.githubusercontent.com/lmarena/arena-catalog/main/data/leaderboard-text.json',
        format: 'arena-catalog-json',
        schedule: '0 * * * *',
        accept: 'application/json',
      },
      // No entry floor: the service's own tests scrape one- and two-model documents into this board.
      health: { maxDropFraction: 0.3 },
    },
    catalog: { file: 'text', category: 'full' },
    csvFolders: ['lmsys', 'lmarena_text'],
    gradioTab: /\b(Language|Text)\b(?!-to)/,
    page: { arenaSlugs: ['text'], category: 'overall', styleControl: false },
    dataset: { config: 'text', category: 'overall' },
  },
  {
    definition: {
      id: 'lmarena-text-style-control',
      name: 'LMArena Text (style control)',
      direction: 'higher',
      scoreLabel: `${SCORE_LABEL}, style-controlled`,
      live: catalogLive('text-style-control', '5 * * * *'),
      health: { minEntries: 100, maxDropFraction: 0.3 },
    },
    catalog: { file: 'text-style-control', category: 'full' },
    csvFolders: [],
    gradioTab: null,
    page: { arenaSlugs: ['text'], category: 'overall', styleControl: true },
    dataset: { config: 'text_style_control', category: 'overall' },
  },
  {
    definition: {
      id: 'lmarena-webdev',
      name: 'LMArena WebDev (Code Arena)',
      direction: 'higher',
      scoreLabel: SCORE_LABEL,
      // The official machine-readable source is the CC BY 4.0 dataset; one page of its rows API holds 100 rows.
      live: {
        url: `${DATASET_FILTER_URL}&config=webdev&split=latest&where=%22category%22%3D%27overall%27&offset=0&length=100`,
        format: 'dataset-rows-json',
        schedule: '35 */3 * * *',
        accept: 'application/json',
      },
      health: { minEntries: 20, maxDropFraction: 0.3 },
    },
    catalog: null,
    csvFolders: [],
    gradioTab: null,
    page: { arenaSlugs: ['code', 'webdev'], category: 'overall', styleControl: false },
    dataset: { config: 'webdev', category: 'overall' },
  },
  {
    definition: {
      id: 'lmarena-vision',
      name: 'LMArena Vision',
      direction: 'higher',
      scoreLabel: SCORE_LABEL,
      live: catalogLive('vision', '20 */3 * * *'),
      health: { minEntries: 25, maxDropFraction: 0.3 },
    },
    catalog: { file: 'vision', category: 'full' },
    csvFolders: ['lmarena_vision'],
    gradioTab: /\bVision\b/,
    page: { arenaSlugs: ['vision'], category: 'overall', styleControl: false },
    dataset: { config: 'vision', category: 'overall' },
  },
  {
    definition: {
      id: 'lmarena-image',
      name: 'LMArena Text-to-Image',
      direction: 'higher',
      scoreLabel: SCORE_LABEL,
      live: catalogLive('image', '25 */3 * * *'),
      // Eight models in the spring-2025 captures: a small board where three departures are 37%.
      health: { minEntries: 5, maxDropFraction: 0.4 },
    },
    catalog: { file: 'image', category: 'full' },
    csvFolders: ['lmarena_image'],
    gradioTab: /Text-to-Image/,
    page: { arenaSlugs: ['text-to-image'], category: 'overall', styleControl: false },
    dataset: { config: 'text_to_image', category: 'overall' },
  },
  {
    definition: {
      id: 'lmarena-copilot',
      name: 'LMArena Copilot Arena',
      direction: 'higher',
      scoreLabel: SCORE_LABEL,
      // Published only in the Gradio page of early 2025; no live feed.
      live: null,
      health: { minEntries: 5, maxDropFraction: 0.4 },
    },
    catalog: null,
    csvFolders: [],
    gradioTab: /Copilot Arena/,
    page: null,
    dataset: null,
  },
  ...TEXT_CATEGORIES.map((category) =>
    catalogSplit(
      `lmarena-text-${category.id}`,
      `LMArena Text: ${category.label}`,
      'text',
      category.key,
      // At the same time as the others of the file (and LMArena Text, hourly, which reads it too):
      // the scheduler fetches a document once per tick for every board that reads it.
      '0 */3 * * *',
      // Language splits carry 170-280 models and lost up to a quarter between captures.
      category.language ? { minEntries: 60, maxDropFraction: 0.4 } : { minEntries: 100, maxDropFraction: 0.3 },
      category.pageSlug,
    ),
  ),
  ...VISION_CATEGORIES.map((category) =>
    catalogSplit(
      `lmarena-vision-${category.id}`,
      `LMArena Vision: ${category.label}`,
      'vision',
      category.key,
      // With LMArena Vision, which reads the same file: one fetch per tick.
      '20 */3 * * *',
      { minEntries: category.minEntries, maxDropFraction: 0.4 },
      null,
    ),
  ),
];

const EXPECTED =
  'an LMArena leaderboard: CSV archive, Gradio page (window.gradio_config), Next.js page (self.__next_f), arena-catalog JSON or leaderboard-dataset rows JSON';

function boardOf(context: ParseContext): LmarenaBoard {
  const board = BOARDS.find((candidate) => candidate.definition.id === context.board);
  if (!board) throw new ParseError(`one of the LMArena boards (${BOARDS.map((b) => b.definition.id).join(', ')})`, `board ${JSON.stringify(context.board)}`);
  return board;
}

/** Refuses a format that does not carry the board (a vision CSV cannot be told from a text one, so the board decides). */
function notCarried(board: LmarenaBoard, found: string): ParseError {
  const formats = [
    board.catalog && `arena-catalog JSON leaderboard-${board.catalog.file}.json "${board.catalog.category}"`,
    board.dataset && `leaderboard-dataset rows of ${board.dataset.config} "${board.dataset.category}"`,
    board.csvFolders.length > 0 && `CSV archive ${board.csvFolders.join(' or ')}`,
    board.gradioTab && 'Gradio page',
    board.page && 'Next.js page',
  ].filter(Boolean);
  return new ParseError(`a format that carries ${board.definition.id} (${formats.join(', ')})`, found);
}

function finish(rows: Entry[], format: string, what: string, publishedAt: string | null = null): ParsedSnapshot {
  return { entries: finishEntries(rows, what, 'higher'), format, publishedAt };
}

/** Reads one table row given its cells by role; `where` names the row in errors. */
function tableEntry(
  cells: { rank: unknown; model: unknown; score: unknown; ci: unknown; votes: unknown; organization: unknown },
  where: string,
  what: string,
  key?: string,
): Entry {
  const name = cellText(String(cells.model ?? ''));
  const rank = parseNumber(cells.rank);
  const score = parseNumber(cells.score);
  const votes = parseNumber(cells.votes);
  if (!name) throw new ParseError(`${what}: a model name in every row`, `${where}: an empty model cell`);
  if (rank === undefined || (rank !== null && (!Number.isInteger(rank) || rank < 1))) {
    throw new ParseError(`${what}: a whole-number rank`, `${where}: ${excerpt(String(cells.rank))}`);
  }
  if (score === undefined || score === null) throw new ParseError(`${what}: a numeric score`, `${where}: ${excerpt(String(cells.score))}`);
  if (votes === undefined) throw new ParseError(`${what}: a vote count`, `${where}: ${excerpt(String(cells.votes))}`);
  const bounds = parseInterval(String(cells.ci ?? ''), score);
  if (bounds === undefined) throw new ParseError(`${what}: a confidence interval like +3/-4`, `${where}: ${excerpt(String(cells.ci))}`);
  const organization = cells.organization === null || cells.organization === undefined ? '' : String(cells.organization).trim();
  return makeEntry({
    rank,
    model: key ?? name,
    name,
    organization: organization || null,
    score,
    scoreLower: bounds?.lower ?? null,
    scoreUpper: bounds?.upper ?? null,
    votes,
  });
}

const CSV_WHAT = 'LMArena CSV';

/**
 * The nakasyou/lmarena-history matrix: one row per publish date, one column per model. Each row is
 * a snapshot of its own date, and nothing in the parse context says which one is wanted.
 */
function refuseWideMatrix(header: string[], rows: string[][]): void {
  if (header[0] !== '' || header.length < 3 || !rows.every((row) => /^\d{8}$/.test(row[0] ?? ''))) return;
  const dates = rows.map((row) => row[0] ?? '');
  throw new ParseError(
    `${CSV_WHAT}: one leaderboard, not a history`,
    `the lmarena-history wide matrix (${rows.length} publish dates ${dates[0]}..${dates.at(-1)} × ${header.length - 1} models): each row is a separate dated snapshot`,
  );
}

function parseCsv(body: string): ParsedSnapshot {
  const { header, rows } = readCsv(body, `${CSV_WHAT} with a header line`);
  refuseWideMatrix(header, rows);
  const column = (...names: string[]) => header.findIndex((cell) => names.includes(cell));
  const index = {
    rank: column('rank'),
    styleRank: column('rank_stylectrl'),
    model: column('model'),
    score: column('arena_score', 'arena_elo'),
    ci: column('95_pct_ci'),
    votes: column('votes'),
    organization: column('organization'),
  };
  const missing = Object.entries({ rank: index.rank, model: index.model, 'arena_score|arena_elo': index.score, '95_pct_ci': index.ci, votes: index.votes, organization: index.organization })
    .filter(([, at]) => at < 0)
    .map(([name]) => name);
  if (missing.length > 0) {
    throw new ParseError(`${CSV_WHAT} columns rank, model, arena_score (or arena_elo), 95_pct_ci, votes, organization`, `no ${missing.join(', ')} among columns ${header.join(',')}`);
  }
  // The 2025 files number their rows 1..N in `rank` and publish the real rank in
  // `rank_stylectrl`; in the archive `rank` is Rank (UB), which always has ties on a real board.
  const rowPositions = index.styleRank >= 0 && rows.length > 1 && rows.every((row, i) => row[index.rank] === String(i + 1));
  const rankColumn = rowPositions ? index.styleRank : index.rank;
  // The 2025 files join pickle keys to display names, and two keys can share one name (an image
  // model and its "-old" predecessor): a later, different row under a taken name is a separate model.
  const versions = new Map<string, string[]>();
  const keyOf = (row: string[]): string | undefined => {
    if (!rowPositions) return undefined;
    const name = cellText(row[index.model] ?? '');
    const signature = JSON.stringify(row.filter((_, i) => i !== index.rank));
    const seen = versions.get(name) ?? [];
    if (!seen.includes(signature)) seen.push(signature);
    versions.set(name, seen);
    const version = seen.indexOf(signature) + 1;
    return version > 1 ? `${name} [${version}]` : undefined;
  };
  const entries = rows.map((row, i) =>
    tableEntry(
      { rank: row[rankColumn], model: row[index.model], score: row[index.score], ci: row[index.ci], votes: row[index.votes], organization: row[index.organization] },
      `line ${i + 2}`,
      CSV_WHAT,
      keyOf(row),
    ),
  );
  return finish(entries, rowPositions ? 'lmarena-csv' : 'lmsys-csv', CSV_WHAT);
}

/** A Gradio component: a dataframe's `value` is its table, a tab item's `label` its tab. */
const GradioComponentSchema = z.looseObject({
  id: z.number(),
  type: z.string(),
  props: z.looseObject({ label: z.unknown().optional(), value: z.unknown().optional() }).catch({}),
});
type GradioComponent = z.infer<typeof GradioComponentSchema>;
interface GradioLayout {
  id: number;
  children?: GradioLayout[];
}
const GradioLayoutSchema: z.ZodType<GradioLayout> = z.looseObject({ id: z.number(), children: z.array(z.lazy(() => GradioLayoutSchema)).optional() });
const GradioConfigSchema = z.looseObject({ components: z.array(GradioComponentSchema), layout: GradioLayoutSchema });
/** A dataframe's value: its headers and rows. */
const GradioTableSchema = z.looseObject({ headers: z.array(z.string()), data: z.array(z.array(z.unknown())) });

const GRADIO_WHAT = 'LMArena Gradio page';
const GRADIO_MARKER = 'window.gradio_config = ';

function gradioConfig(html: string): z.infer<typeof GradioConfigSchema> {
  const start = html.indexOf(GRADIO_MARKER);
  if (start < 0) throw new ParseError(EXPECTED, describeHtml(html));
  const end = html.indexOf('</script>', start);
  const text = html.slice(start + GRADIO_MARKER.length, end < 0 ? undefined : end).trim().replace(/;$/, '');
  return parseJson(text, { what: `${GRADIO_WHAT} (window.gradio_config)`, expected: `${GRADIO_WHAT}: a complete window.gradio_config object`, schema: GradioConfigSchema });
}

/** Dataframe components with the labels of the tabs they sit in, outermost first. */
function dataframesWithTabs(components: GradioComponent[], layout: GradioLayout): { component: GradioComponent; tabs: string[] }[] {
  const byId = new Map(components.map((component) => [component.id, component]));
  const found: { component: GradioComponent; tabs: string[] }[] = [];
  const walk = (node: GradioLayout, tabs: string[]) => {
    const component = byId.get(node.id);
    const here = component?.type === 'tabitem' && typeof component.props.label === 'string' ? [...tabs, component.props.label] : tabs;
    if (component?.type === 'dataframe') found.push({ component, tabs: here });
    for (const child of node.children ?? []) walk(child, here);
  };
  walk(layout, []);
  return found;
}

function parseGradio(html: string, board: LmarenaBoard): ParsedSnapshot {
  const { components, layout } = gradioConfig(html);
  const tab = board.gradioTab;
  if (!tab) throw notCarried(board, 'a Gradio page');
  const rankHeader = (headers: string[]) => headers.findIndex((h) => /^Rank\*? \(UB\)$|^Rank$/.test(h));
  const scoreHeader = (headers: string[]) => headers.findIndex((h) => /^Arena (Score|Elo)$/.test(h));
  const tables = dataframesWithTabs(components, layout).flatMap(({ component, tabs }) => {
    const value = GradioTableSchema.safeParse(component.props.value);
    return value.success && rankHeader(value.data.headers) >= 0 && scoreHeader(value.data.headers) >= 0 && value.data.headers.includes('Model') ? [{ value: value.data, tabs }] : [];
  });
  const inTab = tables.filter(({ tabs }) => tabs.some((label) => /Leaderboard/.test(label)) && tab.test(tabs.at(-1) ?? ''));
  const chosen = inTab[0];
  if (!chosen) {
    throw new ParseError(
      `${GRADIO_WHAT}: a leaderboard table (Rank, Model, Arena Score) under a tab matching ${tab}`,
      tables.length > 0 ? `tables under tabs ${tables.map(({ tabs }) => JSON.stringify(tabs.at(-1) ?? '')).join(', ')}` : 'no leaderboard table',
    );
  }
  const value = chosen.value;
  const at = (name: string) => value.headers.indexOf(name);
  const rank = rankHeader(value.headers);
  const score = scoreHeader(value.headers);
  const entries = value.data.map((row, i) =>
    tableEntry(
      { rank: row[rank], model: row[at('Model')], score: row[score], ci: row[at('95% CI')] ?? '', votes: row[at('Votes')] ?? null, organization: row[at('Organization')] ?? null },
      `row ${i + 1}`,
      GRADIO_WHAT,
    ),
  );
  return finish(entries, 'gradio-page', GRADIO_WHAT);
}

const PAGE_WHAT = 'LMArena Next.js page';
const PAGE_PUSH = /self\.__next_f\.push\(\[1,\s*("(?:[^"\\]|\\[\s\S])*")\s*\]\)/g;
const LEADERBOARDS = '"leaderboards":';

/** The flight data of a Next.js page: the JS strings of its `self.__next_f.push([1,"…"])` chunks, joined (a chunk may end mid-row). */
function flightData(html: string): string {
  const chunks: string[] = [];
  for (const match of html.matchAll(PAGE_PUSH)) {
    try {
      chunks.push(JSON.parse(match[1] ?? '') as string);
    } catch (error) {
      throw new ParseError(`${PAGE_WHAT}: self.__next_f.push chunks holding JS strings`, `an unreadable chunk ${excerpt(match[1] ?? '')}`, { cause: error });
    }
  }
  if (chunks.length === 0) throw new ParseError(`${PAGE_WHAT}: flight data in self.__next_f.push([1,"…"]) chunks`, `none in ${describeHtml(html)}`);
  return chunks.join('');
}

/** The JSON array or object that opens at `open`, up to its matching bracket; null when the text ends first. */
function balanced(text: string, open: number): string | null {
  let depth = 0;
  let inString = false;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') {
      depth--;
      if (depth === 0) return text.slice(open, i + 1);
    }
  }
  return null;
}

/** One board of the page's "leaderboards" arrays; anything in them that is not an object is no board. */
const PageLeaderboardSchema = z.looseObject({
  arenaSlug: z.unknown().optional(),
  categorySlug: z.unknown().optional(),
  leaderboardType: z.unknown().optional(),
  lastUpdated: z.unknown().optional(),
  entries: z.unknown().optional(),
});
type PageLeaderboard = z.infer<typeof PageLeaderboardSchema>;
const PageLeaderboardsSchema = z.array(z.unknown(), { error: 'a "leaderboards" array' }).transform((items) =>
  items.flatMap((item) => {
    const board = PageLeaderboardSchema.safeParse(item);
    return board.success ? [board.data] : [];
  }),
);

function pageLeaderboards(flight: string): PageLeaderboard[] {
  const found: PageLeaderboard[] = [];
  for (let at = flight.indexOf(LEADERBOARDS); at >= 0; at = flight.indexOf(LEADERBOARDS, at + 1)) {
    const open = at + LEADERBOARDS.length;
    if (flight[open] !== '[') continue;
    const text = balanced(flight, open);
    if (text === null) throw new ParseError(`${PAGE_WHAT}: a complete "leaderboards" array`, `one cut off after ${flight.length - open} characters; the page may be truncated`);
    found.push(...parseJson(text, { what: `${PAGE_WHAT}: a "leaderboards" array of JSON objects`, schema: PageLeaderboardsSchema }));
  }
  return found;
}

/** Of the page's boards, the one for `board`: same arena and category; the type picks style control where both are present. */
function pageBoard(leaderboards: PageLeaderboard[], board: LmarenaBoard): PageLeaderboard {
  const page = board.page;
  if (!page) throw notCarried(board, 'a Next.js page');
  const candidates = leaderboards.filter(
    (item) => page.arenaSlugs.includes(String(item.arenaSlug)) && (typeof item.categorySlug === 'string' ? item.categorySlug : 'overall') === page.category,
  );
  // The site shows style control by default; the raw board is the "remove-style-control" type.
  const typed = candidates.filter((item) => typeof item.leaderboardType === 'string');
  const wanted = typed.length === 0 ? candidates : typed.filter((item) => (item.leaderboardType === 'remove-style-control') !== page.styleControl);
  const chosen = wanted[0];
  if (!chosen) {
    const seen = leaderboards.map((item) => `${String(item.arenaSlug)}/${typeof item.categorySlug === 'string' ? item.categorySlug : 'overall'}${typeof item.leaderboardType === 'string' ? ` (${item.leaderboardType})` : ''}`);
    throw new ParseError(
      `${PAGE_WHAT}: a leaderboard with arenaSlug ${page.arenaSlugs.map((slug) => JSON.stringify(slug)).join(' or ')}, category "${page.category}"${page.styleControl ? ', style control' : ''}`,
      seen.length > 0 ? `leaderboards ${excerpt(seen.join(', '), 200)}` : 'a "leaderboards" array with no boards',
    );
  }
  return chosen;
}

/** An ISO date from a date-like value, or null. */
function isoDate(value: unknown): string | null {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(value)) return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : new Date(time).toISOString();
}


const optionalText = z.string().trim().nullish().catch(null);
const optionalNumber = z.number().nullish().catch(null);

/** A board's rows in the page's flight data. */
const PageRowsSchema = z.array(
  z
    .looseObject({
      modelDisplayName: optionalText,
      modelKey: optionalText,
      modelOrganization: optionalText,
      rating: z.number({ error: 'a numeric rating' }),
      rank: z.number({ error: 'a whole-number rank' }).int({ error: 'a whole-number rank' }).min(1, { error: 'a whole-number rank' }).nullish(),
      ratingLower: optionalNumber,
      ratingUpper: optionalNumber,
      votes: optionalNumber,
      inputPricePerMillion: optionalNumber,
      outputPricePerMillion: optionalNumber,
    })
    .refine((row) => Boolean(row.modelDisplayName || row.modelKey), { error: 'modelDisplayName or modelKey' }),
  { error: 'an "entries" array of rows' },
);

function parsePage(html: string, board: LmarenaBoard): ParsedSnapshot {
  if (!board.page) throw notCarried(board, 'a Next.js page');
  const flight = flightData(html);
  const leaderboards = pageLeaderboards(flight);
  if (leaderboards.length === 0) {
    throw new ParseError(`${PAGE_WHAT}: a "leaderboards" array in its flight data`, `${flight.length} characters of flight data without one`);
  }
  const chosen = pageBoard(leaderboards, board);
  const rows = validate(chosen.entries, {
    what: `${PAGE_WHAT} (${String(chosen.arenaSlug)} leaderboard)`,
    schema: PageRowsSchema,
    at: ['entries'],
    rows: { key: 'modelDisplayName', noun: 'model' },
  });
  const entries = rows.map((row) => {
    const name = row.modelDisplayName || row.modelKey!;
    return makeEntry({
      rank: row.rank ?? null,
      model: row.modelKey || name,
      name,
      organization: row.modelOrganization || null,
      score: row.rating,
      scoreLower: row.ratingLower ?? null,
      scoreUpper: row.ratingUpper ?? null,
      votes: row.votes ?? null,
      priceInput: row.inputPricePerMillion ?? null,
      priceOutput: row.outputPricePerMillion ?? null,
    });
  });
  return finish(entries, 'nextjs-page', PAGE_WHAT, isoDate(chosen.lastUpdated));
}

const CATALOG_WHAT = 'arena-catalog JSON';

/** Splits only one arena's catalog file has: a text file handed to the vision board is refused, not misread. */
const CATALOG_MARKS: Readonly<Record<'text' | 'vision' | 'image', readonly string[]>> = {
  text: ['coding', 'math', 'hard_6', 'if', 'multiturn'],
  vision: ['captioning', 'ocr', 'diagram', 'homework', 'humor', 'entity_recognition', 'creative_writing_vision'],
  image: ['is_preset_generation', 'not_preset_generation'],
};

/** leaderboard-<arena>.json: category → model key → rating and its 95% bounds. */
const CatalogSchema = z.record(z.string(), z.unknown(), { error: 'an object of categories' });
const CatalogCategorySchema = z.record(
  z.string(),
  z.looseObject({ rating: z.number(), rating_q025: z.number().nullish().catch(null), rating_q975: z.number().nullish().catch(null) }),
  { error: 'an object of models ({rating, rating_q025, rating_q975} per model key)' },
);

function parseCatalog(json: unknown, text: string, board: LmarenaBoard): ParsedSnapshot {
  const catalog = board.catalog;
  if (!catalog) throw notCarried(board, 'arena-catalog JSON');
  const document = validate(json, { what: CATALOG_WHAT, schema: CatalogSchema }, text);
  const keys = Object.keys(document);
  const arena = catalog.file === 'text-style-control' ? 'text' : catalog.file;
  for (const [other, marks] of Object.entries(CATALOG_MARKS)) {
    const foreign = marks.filter((mark) => keys.includes(mark));
    if (other !== arena && foreign.length > 0) {
      throw new ParseError(`${CATALOG_WHAT} of leaderboard-${catalog.file}.json`, `the categories of a ${other} file (${foreign.join(', ')})`);
    }
  }
  if (document[catalog.category] === undefined) throw new ParseError(`${CATALOG_WHAT} with a "${catalog.category}" category`, `keys ${excerpt(keys.join(', '))}`);
  const category = validate(document[catalog.category], { what: CATALOG_WHAT, schema: CatalogCategorySchema, at: [catalog.category] });
  const rows = Object.entries(category).map(([key, value]) => ({ key, rating: value.rating, lower: value.rating_q025 ?? null, upper: value.rating_q975 ?? null }));
  // The export has no ranks: they are LMArena's published Rank (UB), computed from the bounds it gives
  // (equal to the ranks of the CSV archive and the page of the same day, which other formats carry).
  const ranks = upperBoundRanks(
    rows.map((row) => ({ score: row.rating, lower: row.lower, upper: row.upper })),
    board.definition.direction,
  );
  const entries = rows.map((row, i) =>
    makeEntry({ rank: ranks[i] ?? null, model: row.key, name: row.key, score: row.rating, scoreLower: row.lower, scoreUpper: row.upper }),
  );
  return finish(entries, 'arena-catalog-json', CATALOG_WHAT);
}

const DATASET_WHAT = 'leaderboard-dataset rows JSON';
/** The most rows the datasets-server API returns per request. */
const DATASET_PAGE = 100;

/** The datasets-server's rows answer: `{rows: [{row_idx, row, truncated_cells}], num_rows_total}`. */
const DatasetSchema = z.looseObject({
  rows: z.array(
    z.looseObject({
      row_idx: z.number().optional().catch(undefined),
      row: z.record(z.string(), z.unknown()),
      truncated_cells: z.array(z.unknown()).optional().catch(undefined),
    }),
  ),
  num_rows_total: z.number().nullish().catch(null),
});

/** A leaderboard row of the board's category. */
const DatasetRowSchema = z.looseObject({
  model_name: z.string({ error: 'a model_name' }).trim().min(1, { error: 'a model_name' }),
  rating: z.number({ error: 'a numeric rating (the agent config\'s "score" rows are another board)' }),
  rank: z.number({ error: 'a whole-number rank' }).int({ error: 'a whole-number rank' }).min(1, { error: 'a whole-number rank' }).nullish(),
  organization: z.string().trim().nullish().catch(null),
  rating_lower: z.number().nullish().catch(null),
  rating_upper: z.number().nullish().catch(null),
  vote_count: z.number().nullish().catch(null),
});

function parseDatasetRows(document: z.infer<typeof DatasetSchema>, board: LmarenaBoard): ParsedSnapshot {
  const dataset = board.dataset;
  if (!dataset) throw notCarried(board, DATASET_WHAT);
  const items = document.rows.map((item, position) => {
    if (item.truncated_cells && item.truncated_cells.length > 0) {
      throw new ParseError(`${DATASET_WHAT}: whole cells`, `row ${String(item.row_idx)} with truncated cells ${item.truncated_cells.join(', ')}`);
    }
    return { index: item.row_idx, position, row: item.row };
  });
  const first = items[0]?.index;
  if (typeof first === 'number' && first !== 0) throw new ParseError(`${DATASET_WHAT}: the first page (row_idx from 0)`, `rows from row_idx ${first}`);
  // One request holds at most 100 rows: a first page that is full stands for the board's top,
  // a shorter one must be the whole table (otherwise the response was cut).
  const total = document.num_rows_total ?? null;
  if (total !== null && total > items.length && items.length < DATASET_PAGE) {
    throw new ParseError(`${DATASET_WHAT}: all ${total} rows or a full page of ${DATASET_PAGE}`, `${items.length} rows`);
  }
  const ofCategory = items.filter(({ row }) => row.category === dataset.category);
  if (ofCategory.length === 0) {
    const categories = [...new Set(items.map(({ row }) => JSON.stringify(row.category ?? null)))];
    throw new ParseError(`${DATASET_WHAT} of category "${dataset.category}"`, items.length > 0 ? `categories ${excerpt(categories.join(', '))}` : 'no rows');
  }
  const entries = ofCategory.map(({ position, row }) => {
    const checked = validate(row, { what: DATASET_WHAT, schema: DatasetRowSchema, at: ['rows', position, 'row'] });
    return makeEntry({
      rank: checked.rank ?? null,
      model: checked.model_name,
      name: checked.model_name,
      organization: checked.organization || null,
      score: checked.rating,
      scoreLower: checked.rating_lower ?? null,
      scoreUpper: checked.rating_upper ?? null,
      votes: checked.vote_count ?? null,
    });
  });
  const dates = ofCategory.map(({ row }) => isoDate(row.leaderboard_publish_date)).filter((date): date is string => date !== null).sort();
  return finish(entries, 'dataset-rows-json', DATASET_WHAT, dates.at(-1) ?? null);
}

const HAS_ROWS = z.object({ rows: z.array(z.unknown()) });

/** The dataset's rows answer (it has a "rows" array), else the arena-catalog export. */
function parseJsonBody(text: string, board: LmarenaBoard): ParsedSnapshot {
  const what = board.catalog ? CATALOG_WHAT : DATASET_WHAT;
  const document = parseJson(text, { what, schema: z.unknown() });
  if (board.catalog && !HAS_ROWS.safeParse(document).success) return parseCatalog(document, text, board);
  return parseDatasetRows(validate(document, { what: DATASET_WHAT, schema: DatasetSchema }, text), board);
}

/** Recognises the format from the content itself: JSON, an HTML page, or CSV text. */
function parse(body: string, context: ParseContext): ParsedSnapshot {
  const board = boardOf(context);
  const text = body.replace(/^\uFEFF/, '');
  const head = text.trimStart().slice(0, 512);
  if (head === '') throw new ParseError(EXPECTED, 'an empty document');
  if (head.startsWith('{') || head.startsWith('[')) return parseJsonBody(text, board);
  if (head.startsWith('<') || /<html|<!doctype/i.test(head)) {
    if (text.includes('self.__next_f')) return parsePage(text, board);
    return parseGradio(text, board);
  }
  const firstLine = head.split(/\r?\n/, 1)[0] ?? '';
  if (!firstLine.includes(',')) throw new ParseError(EXPECTED, `text starting ${excerpt(firstLine)}`);
  if (board.csvFolders.length === 0) throw notCarried(board, 'a CSV table');
  return parseCsv(text);
}

/** The LMArena source. */
export const lmarena: Scraper = {
  id: 'lmarena',
  name: 'LMArena',
  homepage: 'https://lmarena.ai/leaderboard',
  terms:
    'Arena data: Hugging Face Space (Apache-2.0) and dataset lmarena-ai/leaderboard-dataset (CC BY 4.0, attribute LMArena); ' +
    'arena-catalog is LMArena\'s official machine-readable export. The website\'s terms forbid scraping its pages, ' +
    'so live fetches use the official JSON (arena-catalog on GitHub, the dataset through the Hugging Face datasets-server); ' +
    'page captures (Gradio, Next.js) are only imported.',
  parserVersion: '2',
  // Display names in the CSV archive and the pages, internal keys in the JSON export: one board key through model identity.
  boardKeys: 'identity',
  boards: BOARDS.map((board) => board.definition),
  docs: {
    formats: 'leaderboard CSV archive (2024-06 to 2025-07, all column variants), the 2025 CSVs (`rank_stylectrl`), the Gradio page (`window.gradio_config`), the Next.js page (`self.__next_f.push` payloads), arena-catalog JSON, the official dataset\'s row JSON',
    live: "arena-catalog JSON on GitHub; WebDev from the CC BY 4.0 dataset's rows API",
  },
  parse,
};
