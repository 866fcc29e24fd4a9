import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { superclue } from '../../scrapers/superclue.ts';

// Conformance against the real captures, read in place from ../shared/leaderboards (never copied).
const ROOT = fileURLToPath(new URL('../../../shared/leaderboards/superclue', import.meta.url));
const present = existsSync(ROOT);
if (!present) console.warn(`SuperCLUE captures not found at ${ROOT}: the conformance tests are skipped`);

const list = (folder: string) => {
  const dir = join(ROOT, folder);
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.md')).sort().map((name) => join(folder, name)) : [];
};
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

interface Row {
  rank: number | null;
  name: string;
  score: number;
}

/**
 * An independent reading of the overall board: the 总排行榜/总榜单 heading naming the latest month
 * (the first when none names one), then the pipe lines under it, split by hand.
 */
function overallRows(text: string): { rows: Row[]; ranked: boolean } {
  const lines = text.split('\n');
  const headings = lines
    .map((line, at) => ({ line, at, month: /(\d{4})年(\d{1,2})月/.exec(line) }))
    .filter(({ line }) => /^\s*#+.*总(排行)?榜/.test(line));
  const monthOf = (h: (typeof headings)[number]) => (h.month ? Number(h.month[1]) * 100 + Number(h.month[2]) : 0);
  const heading = headings.reduce((best, h) => (monthOf(h) > monthOf(best) ? h : best));
  let at = heading.at + 1;
  while (!lines[at]!.trim().startsWith('|')) at++;
  const split = (line: string) => line.trim().replace(/^\|/, '').replace(/\|\s*$/, '').split('|').map((cell) => cell.trim());
  const header = split(lines[at]!);
  const column = (...names: string[]) => header.findIndex((cell) => names.includes(cell));
  const [rank, model, score] = [column('排名'), column('模型'), column('总分', '平均')];
  const rows: Row[] = [];
  for (const line of lines.slice(at + 2)) {
    if (!line.trim().startsWith('|')) break;
    const cells = split(line);
    const name = cells[model]!.replace(/<[^>]+>/g, '').replace(/^\[(.*)\]\(.*\)$/, '$1').replace('↗', '').trim();
    const mark = rank >= 0 ? cells[rank]!.replace('\uFE0F', '') : '';
    if (name === '人类' || mark === '🧝') continue;
    const medal = ({ '🏅': 1, '🥈': 2, '🥉': 3 } as Record<string, number>)[mark];
    rows.push({ rank: rank < 0 || mark === '-' ? null : (medal ?? Number(mark)), name, score: Number(cells[score]!.replace(/\*/g, '')) });
  }
  return { rows, ranked: rank >= 0 };
}

/** What each capture holds, read off the files by eye: model count, the leader, publishedAt. */
const KNOWN: Record<string, [number, string, string | null]> = {
  'readme/2023-05-09_README.md': [9, 'GPT-4', null],
  'readme/2023-05-30_README.md': [14, 'GPT-4', '2023-05-30'],
  'readme/2023-07-25_README.md': [20, '文心一言(v2.2.0)', '2023-07-25'],
  'readme/2023-09-26_README.md': [16, 'Baichuan-13B-Chat(V2)', '2023-08-01'],
  'readme/2023-09-27_README.md': [20, 'SenseChat 3.0', '2023-09-01'],
  'readme/2023-10-25_README.md': [20, 'SenseChat 3.0', '2023-09-01'],
  'readme/2023-11-16_README.md': [21, 'BlueLM', '2023-10-01'],
  'readme/2023-12-28_README.md': [26, '文心一言4.0(API)', '2023-12-01'],
  'readme/2026-02-06_README.md': [26, '文心一言4.0(API)', '2023-12-01'],
  'archived-monthly/README_2305.md': [14, 'GPT-4', '2023-05-30'],
  'archived-monthly/README_2306.md': [17, 'GPT-4', '2023-06-19'],
  'archived-monthly/README_2308.md': [16, 'Baichuan-13B-Chat(V2)', '2023-08-01'],
};

describe.skipIf(!present)('SuperCLUE captures under ../shared/leaderboards/superclue', () => {
  const files = [...list('readme'), ...list('archived-monthly')];

  it('finds every capture SOURCE.md names', () => {
    expect(list('readme')).toHaveLength(9);
    expect(list('archived-monthly')).toHaveLength(3);
    expect(new Set(files)).toEqual(new Set(Object.keys(KNOWN)));
  });

  it.each(files)('%s: every model of the overall board, its leader and its ranks', (file) => {
    const text = read(file);
    const { rows, ranked } = overallRows(text);
    const parsed = superclue.parse(text, { board: 'superclue', fileName: file });
    const [count, leader, published] = KNOWN[file]!;

    expect(parsed.format).toBe(ranked ? 'superclue-readme-ranked' : 'superclue-readme-unranked');
    expect(parsed.publishedAt).toBe(published);
    expect(parsed.entries).toHaveLength(rows.length);
    expect(rows).toHaveLength(count);
    expect(parsed.entries[0]!.model).toBe(leader);

    // Ranks as published (medals, integers, `-` = null), or competition ranks from 总分 before 排名 existed.
    const expected = new Map(rows.map((row) => [row.name, ranked ? row.rank : 1 + rows.filter((other) => other.score > row.score).length]));
    expect(new Map(parsed.entries.map((entry) => [entry.model, entry.rank]))).toEqual(expected);
    expect(new Map(parsed.entries.map((entry) => [entry.model, entry.score]))).toEqual(new Map(rows.map((row) => [row.name, row.score])));
    const top = rows.filter((row) => (ranked ? row.rank === 1 : true)).reduce((a, b) => (b.score > a.score ? b : a));
    expect(parsed.entries[0]!.model).toBe(top.name);
  });

  it.each(files)('%s: the same board when every heading is retitled (the table is found by its columns, not its title)', (file) => {
    const text = read(file);
    let n = 0;
    const retitled = text.replace(/^ *(#{1,6})[^\S\n]+\S.*$/gm, (_line, hashes: string) => `${hashes} Table ${++n}`);
    expect(retitled).not.toMatch(/^ *#.*总(排行)?榜/m);
    const [count, leader] = KNOWN[file]!;
    const { entries } = superclue.parse(retitled, { board: 'superclue' });
    expect(entries).toHaveLength(count);
    expect(entries[0]!.model).toBe(leader);
    expect(entries).toEqual(superclue.parse(text, { board: 'superclue' }).entries);
  });

  it('no entry is the human baseline, and the published ranks never contradict 总分 (ranksFollowScores holds)', () => {
    for (const file of files) {
      const { entries } = superclue.parse(read(file), { board: 'superclue' });
      expect(entries.map((entry) => entry.model)).not.toContain('人类');
      const ranked = entries.filter((entry) => entry.rank !== null);
      for (let i = 1; i < ranked.length; i++) expect(ranked[i]!.score!, file).toBeLessThanOrEqual(ranked[i - 1]!.score!);
    }
  });

  it('the 2023-12 board: unranked foreign models listed with rank null, a published tie at 9', () => {
    const { entries } = superclue.parse(read('readme/2023-12-28_README.md'), { board: 'superclue' });
    expect(entries.filter((entry) => entry.rank === null).map((entry) => entry.model)).toContain('GPT4-Turbo');
    expect(entries.filter((entry) => entry.rank === 9).map((entry) => [entry.model, entry.score])).toEqual([
      ['PCI-TransGPT', 68.33],
      ['360GPT_Pro', 68.32],
    ]);
  });
});
