import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lmarena } from '../../scrapers/lmarena.ts';

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

  it.each(catalogs)('%s: every model of "full", ranked by rating with ties shared', (file) => {
    const full = (JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as { full: Record<string, { rating: number }> }).full;
    const ratings = Object.entries(full).map(([key, value]) => [key, value.rating] as const);
    const parsed = parse(file);
    expect(parsed.format).toBe('arena-catalog-json');
    expect(parsed.entries).toHaveLength(ratings.length);
    const best = ratings.reduce((a, b) => (b[1] > a[1] ? b : a));
    expect(parsed.entries[0]!.model).toBe(best[0]);
    for (const [key, rating] of ratings) {
      const rank = 1 + ratings.filter(([, other]) => other > rating).length;
      expect(parsed.entries.find((entry) => entry.model === key)?.rank).toBe(rank);
    }
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
