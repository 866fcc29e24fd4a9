import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lmarena } from '../../scrapers/lmarena.ts';
import { ParseError } from '../../src/errors.ts';

// Conformance against the real captures, read in place from ../shared/leaderboards (never copied).
const ROOT = fileURLToPath(new URL('../../../shared/leaderboards/lmarena', import.meta.url));
const present = existsSync(ROOT);
if (!present) console.warn(`LMArena captures not found at ${ROOT}: the conformance tests are skipped`);

const list = (folder: string, extension: string) => {
  const dir = join(ROOT, folder);
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith(extension)).sort().map((name) => join(folder, name)) : [];
};
const parse = (file: string) => lmarena.parse(readFileSync(join(ROOT, file), 'utf8'), { board: 'lmarena-text', fileName: file });

/** A minimal independent CSV reading: cells of each data line (these files quote no commas in the columns used). */
function csvRows(file: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(join(ROOT, file), 'utf8').trim().split('\n');
  const columns = header!.split(',');
  return lines.map((line) => {
    const cells = line.match(/("[^"]*"|[^,]*)(,|$)/g)!.map((cell) => cell.replace(/,$/, '').replace(/^"|"$/g, ''));
    return Object.fromEntries(columns.map((column, i) => [column, cells[i] ?? '']));
  });
}

describe.skipIf(!present)('LMArena captures under ../shared/leaderboards/lmarena', () => {
  const archive = list('fboulnois-llm-leaderboard-csv/lmsys', '.csv');
  const modern = list('fboulnois-llm-leaderboard-csv/lmarena_text', '.csv');
  const catalogs = [...list('arena-catalog/leaderboard-text', '.json'), ...list('arena-catalog/leaderboard-data', '.json')];

  it('finds every capture the foundation issue names', () => {
    expect(archive).toHaveLength(86);
    expect(modern).toHaveLength(3);
    expect(catalogs).toHaveLength(5);
  });

  it.each(archive)('%s: every row, the top model and Rank (UB) as published', (file) => {
    const rows = csvRows(file);
    const parsed = parse(file);
    expect(parsed.format).toBe('lmsys-csv');
    expect(parsed.entries).toHaveLength(rows.length);
    expect(parsed.entries[0]!.model).toBe(rows[0]!.model);
    const published = new Map(rows.map((row) => [row.model, Number(row.rank)]));
    expect(new Map(parsed.entries.map((entry) => [entry.model, entry.rank]))).toEqual(published);
  });

  it.each(modern)('%s: the published rank is rank_stylectrl; a verbatim repeated row counts once', (file) => {
    const rows = csvRows(file);
    const distinct = new Set(rows.map((row) => JSON.stringify(Object.values({ ...row, rank: '' }))));
    const parsed = parse(file);
    expect(parsed.format).toBe('lmarena-csv');
    expect(parsed.entries).toHaveLength(distinct.size);
    expect(parsed.entries[0]!.model).toBe(rows[0]!.model);
    expect(new Map(parsed.entries.map((entry) => [entry.model, entry.rank]))).toEqual(new Map(rows.map((row) => [row.model, Number(row.rank_stylectrl)])));
  });

  it.each(catalogs)('%s: every model of "full", ranked as LMArena publishes ranks (Rank (UB) from the bounds)', (file) => {
    const full = (JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as { full: Record<string, CatalogRow> }).full;
    const parsed = parse(file);
    expect(parsed.format).toBe('arena-catalog-json');
    expectUpperBoundRanks(parsed.entries, full);
  });

  it('the Gradio page of 2025-03-28: the 183 rows of the text table, Gemini-2.5-Pro-Exp-03-25 first', () => {
    const file = 'gradio-page/2025-03-28_lmarena.ai_page_source.html';
    const html = readFileSync(join(ROOT, file), 'utf8');
    const parsed = parse(file);
    expect(parsed.format).toBe('gradio-page');
    expect(parsed.entries).toHaveLength(183);
    // The capture's own extraction (SOURCE.md) reads the top three the same way.
    expect(parsed.entries.slice(0, 3).map((entry) => [entry.rank, entry.name, entry.score])).toEqual([
      [1, 'Gemini-2.5-Pro-Exp-03-25', 1443],
      [2, 'ChatGPT-4o-latest (2025-03-26)', 1408],
      [2, 'Grok-3-Preview-02-24', 1404],
    ]);
    // Every row: read the first text-arena table with SOURCE.md's regex, stripping tags by hand.
    const config = JSON.parse(/window\.gradio_config = (\{.*?\});<\/script>/s.exec(html)![1]!) as {
      components: { type: string; props: { value?: { headers: string[]; data: unknown[][] } } }[];
    };
    const table = config.components.find((c) => c.type === 'dataframe' && c.props.value?.headers.includes('Rank (StyleCtrl)'))!.props.value!;
    const names = table.data.map((row) => String(row[2]).replace(/<[^>]+>/g, '').trim());
    expect(names).toHaveLength(183);
    expect(parsed.entries.map((entry) => entry.name).sort()).toEqual([...names].sort());
  });
});

// The other boards. Each split of arena-catalog, by its key in the files (this table is the test's own).
const TEXT_SPLITS: Record<string, string> = {
  coding: 'lmarena-text-coding',
  math: 'lmarena-text-math',
  creative_writing: 'lmarena-text-creative-writing',
  if: 'lmarena-text-instruction-following',
  hard_6: 'lmarena-text-hard-prompts',
  hard_english_6: 'lmarena-text-hard-prompts-english',
  long_user: 'lmarena-text-longer-query',
  multiturn: 'lmarena-text-multi-turn',
  no_refusal: 'lmarena-text-exclude-refusal',
  no_short: 'lmarena-text-exclude-short-query',
  no_tie: 'lmarena-text-exclude-ties',
  expert: 'lmarena-text-expert',
  industry_business_and_management_and_financial_operations: 'lmarena-text-industry-business',
  industry_entertainment_and_sports_and_media: 'lmarena-text-industry-entertainment',
  industry_legal_and_government: 'lmarena-text-industry-legal',
  industry_life_and_physical_and_social_science: 'lmarena-text-industry-science',
  industry_mathematical: 'lmarena-text-industry-mathematical',
  industry_medicine_and_healthcare: 'lmarena-text-industry-medicine',
  industry_software_and_it_services: 'lmarena-text-industry-software',
  industry_writing_and_literature_and_language: 'lmarena-text-industry-writing',
  english: 'lmarena-text-english',
  chinese: 'lmarena-text-chinese',
  german: 'lmarena-text-german',
  french: 'lmarena-text-french',
  spanish: 'lmarena-text-spanish',
  russian: 'lmarena-text-russian',
  japanese: 'lmarena-text-japanese',
  korean: 'lmarena-text-korean',
};
const VISION_SPLITS: Record<string, string> = {
  english: 'lmarena-vision-english',
  chinese: 'lmarena-vision-chinese',
  captioning: 'lmarena-vision-captioning',
  creative_writing_vision: 'lmarena-vision-creative-writing',
  diagram: 'lmarena-vision-diagram',
  entity_recognition: 'lmarena-vision-entity-recognition',
  homework: 'lmarena-vision-homework',
  humor: 'lmarena-vision-humor',
  ocr: 'lmarena-vision-ocr',
};

type Catalog = Record<string, Record<string, { rating: number }>>;
const catalogCache = new Map<string, Catalog>();
const readCatalog = (file: string): Catalog => {
  if (!catalogCache.has(file)) catalogCache.set(file, JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as Catalog);
  return catalogCache.get(file)!;
};
const parseAs = (board: string, file: string) => lmarena.parse(readFileSync(join(ROOT, file), 'utf8'), { board, fileName: file });

/** Count, top model and every rank of one catalog split, computed here from the file. */
function expectCatalogSplit(board: string, file: string, category: string) {
  const parsed = parseAs(board, file);
  expect(parsed.format).toBe('arena-catalog-json');
  expectUpperBoundRanks(parsed.entries, readCatalog(file)[category]! as Record<string, CatalogRow>);
}

/** The rows of the Gradio table under the tab whose label contains `label`, names stripped of their HTML or markdown link. */
function gradioTable(html: string, label: string): { rank: number; name: string; score: number }[] {
  const config = JSON.parse(/window\.gradio_config = (\{.*?\});<\/script>/s.exec(html)![1]!) as {
    components: { id: number; type: string; props: { label?: string; value?: { headers: string[]; data: unknown[][] } } }[];
    layout: { id: number; children?: unknown[] };
  };
  type Node = { id: number; children?: Node[] };
  const byId = new Map(config.components.map((c) => [c.id, c]));
  const find = (node: Node): Node | undefined =>
    byId.get(node.id)?.type === 'tabitem' && byId.get(node.id)?.props.label?.includes(label) ? node : node.children?.map(find).find(Boolean);
  const below = (node: Node): Node[] => [node, ...(node.children ?? []).flatMap(below)];
  const tab = find(config.layout as Node)!;
  const table = below(tab).map((node) => byId.get(node.id)).find((c) => c?.type === 'dataframe')!.props.value!;
  const at = (name: string) => table.headers.findIndex((h) => h.startsWith(name));
  return table.data.map((row) => ({
    rank: Number(row[at('Rank')]),
    name: String(row[at('Model')]).replace(/<[^>]+>/g, '').replace(/^\[([^\]]+)\]\(.*\)$/, '$1').replace(/&amp;/g, '&').trim(),
    score: Number(row[at('Arena')]),
  }));
}

describe.skipIf(!present)('LMArena captures: the vision, image, style-control, category and Copilot boards', () => {
  const vision = list('arena-catalog/leaderboard-vision', '.json');
  const image = list('arena-catalog/leaderboard-image', '.json');
  const style = list('arena-catalog/leaderboard-text-style-control', '.json');
  const text = [...list('arena-catalog/leaderboard-text', '.json'), ...list('arena-catalog/leaderboard-data', '.json')];
  const csvFolders = { 'lmarena-vision': list('fboulnois-llm-leaderboard-csv/lmarena_vision', '.csv'), 'lmarena-image': list('fboulnois-llm-leaderboard-csv/lmarena_image', '.csv') };
  const history = list('nakasyou-lmarena-history', '.csv');

  it('finds every capture SOURCE.md lists for these boards', () => {
    expect(vision).toHaveLength(13);
    expect(image).toHaveLength(7);
    expect(style).toHaveLength(1);
    expect(text).toHaveLength(5);
    expect(csvFolders['lmarena-vision']).toHaveLength(4);
    expect(csvFolders['lmarena-image']).toHaveLength(4);
    expect(history).toHaveLength(1);
  });

  it('has a board for every split the captures carry (bar the image preset-prompt splits)', () => {
    const ids = new Set(lmarena.boards.map((board) => board.id));
    const keys = (files: string[]) => new Set(files.flatMap((file) => Object.keys(readCatalog(file))).filter((key) => key !== 'full'));
    for (const key of keys([...text, ...style])) expect(ids.has(TEXT_SPLITS[key] ?? `no board for ${key}`), key).toBe(true);
    for (const key of keys(vision)) expect(ids.has(VISION_SPLITS[key] ?? `no board for ${key}`), key).toBe(true);
    expect([...keys(image)].sort()).toEqual(['is_preset_generation', 'not_preset_generation']);
  });

  it.each([
    ...vision.map((file) => ['lmarena-vision', file] as const),
    ...image.map((file) => ['lmarena-image', file] as const),
    ...style.map((file) => ['lmarena-text-style-control', file] as const),
  ])('%s %s: every model of "full", ranked by rating with ties shared', (board, file) => expectCatalogSplit(board, file, 'full'));

  const splitCases = [
    ...text.flatMap((file) => Object.entries(TEXT_SPLITS).map(([key, board]) => [board, file, key] as const)),
    ...vision.flatMap((file) => Object.entries(VISION_SPLITS).map(([key, board]) => [board, file, key] as const)),
  ];
  it.each(splitCases)('%s %s: the "%s" split, or a clear refusal where the file lacks it', (board, file, key) => {
    if (readCatalog(file)[key]) return expectCatalogSplit(board, file, key);
    const attempt = () => parseAs(board, file);
    expect(attempt).toThrow(ParseError);
    expect(attempt).toThrow(`expected arena-catalog JSON with a "${key}" category`);
  });

  it.each(Object.entries(csvFolders).flatMap(([board, files]) => files.map((file) => [board, file] as const)))(
    '%s %s: rank_stylectrl as published; a display name shared by two different rows is two models',
    (board, file) => {
      const rows = csvRows(file);
      // Keys: the display name, and "<name> [n]" for the n-th different row under a name already seen.
      const versions = new Map<string, string[]>();
      const expected = new Map<string, number>();
      for (const row of rows) {
        const signature = JSON.stringify({ ...row, rank: '' });
        const seen = versions.get(row.model!) ?? [];
        if (!seen.includes(signature)) seen.push(signature);
        versions.set(row.model!, seen);
        const n = seen.indexOf(signature) + 1;
        expected.set(n > 1 ? `${row.model} [${n}]` : row.model!, Number(row.rank_stylectrl));
      }
      const parsed = parseAs(board, file);
      expect(parsed.format).toBe('lmarena-csv');
      expect(parsed.entries).toHaveLength(expected.size);
      expect(parsed.entries[0]!.model).toBe(rows[0]!.model);
      expect(new Map(parsed.entries.map((entry) => [entry.model, entry.rank]))).toEqual(expected);
    },
  );

  it('image CSVs of July 2025 list Imagen-4.0-ultra twice (the current model and its "-old" predecessor)', () => {
    const parsed = parseAs('lmarena-image', 'fboulnois-llm-leaderboard-csv/lmarena_image/2025-07-27.csv');
    expect(parsed.entries.filter((entry) => entry.name === 'Imagen-4.0-ultra-generate-preview-06-06').map((entry) => [entry.model, entry.rank, entry.score])).toEqual([
      ['Imagen-4.0-ultra-generate-preview-06-06', 1, 1138],
      ['Imagen-4.0-ultra-generate-preview-06-06 [2]', 3, 1113],
    ]);
  });

  it.each([
    ['lmarena-vision', 'Vision', 48, 'Gemini-2.5-Pro-Exp-03-25'],
    ['lmarena-image', 'Text-to-Image', 8, 'Imagen-3.0-generate-002'],
    ['lmarena-copilot', 'Copilot Arena', 13, 'Deepseek V2.5 (FIM)'],
  ])('the Gradio page of 2025-03-28: %s, the %s tab (%i rows, %s first)', (board, label, count, top) => {
    const file = 'gradio-page/2025-03-28_lmarena.ai_page_source.html';
    const rows = gradioTable(readFileSync(join(ROOT, file), 'utf8'), label);
    const parsed = parseAs(board, file);
    expect(parsed.format).toBe('gradio-page');
    expect(rows).toHaveLength(count);
    expect(parsed.entries).toHaveLength(count);
    const best = rows.reduce((a, b) => (b.rank < a.rank || (b.rank === a.rank && b.score > a.score) ? b : a));
    expect(best.name).toBe(top);
    expect(parsed.entries[0]!.name).toBe(top);
    expect(new Map(parsed.entries.map((entry) => [entry.name, entry.rank]))).toEqual(new Map(rows.map((row) => [row.name, row.rank])));
  });

  it('refuses the lmarena-history wide matrix as one board: each of its rows is a dated snapshot', () => {
    const [file] = history;
    const lines = readFileSync(join(ROOT, file!), 'utf8').trim().split('\n');
    const dates = lines.slice(1).map((line) => line.split(',')[0]);
    const attempt = () => parseAs('lmarena-text', file!);
    expect(attempt).toThrow(ParseError);
    expect(attempt).toThrow(`(${dates.length} publish dates ${dates[0]}..${dates.at(-1)} × ${lines[0]!.split(',').length - 1} models)`);
  });
});

interface CatalogRow {
  rating: number;
  rating_q025?: number;
  rating_q975?: number;
}

/**
 * Every model of a catalog split, each ranked as LMArena's "Rank (UB)" counts it, pairwise (the
 * test's own O(n²) reading): 1 + the models whose lower bound is above this model's upper bound.
 * The best-rated model comes first.
 */
function expectUpperBoundRanks(entries: readonly { model: string; rank: number | null }[], rows: Record<string, CatalogRow>) {
  const all = Object.entries(rows);
  expect(entries).toHaveLength(all.length);
  expect(entries[0]!.model).toBe(all.reduce((a, b) => (b[1].rating > a[1].rating ? b : a))[0]);
  const ranks = new Map(entries.map((entry) => [entry.model, entry.rank]));
  for (const [key, row] of all) {
    const beaten = all.filter(([other, value]) => other !== key && value.rating_q025! > row.rating_q975!).length;
    expect(ranks.get(key), key).toBe(1 + beaten);
  }
  // Ties are common, as on the published board.
  expect(new Set(entries.map((entry) => entry.rank)).size).toBeLessThan(entries.length);
}
