import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { superclue } from '../../scrapers/superclue.ts';
import { makeEntry, type Entry } from '../../src/entry.ts';
import { ParseError } from '../../src/errors.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/superclue/${name}`, import.meta.url), 'utf8');
const parse = (name: string) => superclue.parse(fixture(name), { board: 'superclue', fileName: name });

/** rank, model, organization, score */
type Row = [number | null, string, string | null, number];
const rows = (entries: Entry[]): Row[] => entries.map((e) => [e.rank, e.model, e.organization, e.score!]);

describe('SuperCLUE parse: every README era', () => {
  it.each<[string, string, string | null, Row[]]>([
    [
      // No rank column: competition ranks from 总分 (a tie shares 2); the bold 人类 row is not a model;
      // HTML anchors give the name, `&amp;` is decoded; publishedAt is the latest dated update note.
      'readme-2023-05.md',
      'superclue-readme-unranked',
      '2023-05-30',
      [
        [1, 'Alpha-Large', 'Acme AI', 76.67],
        [2, 'Beta Chat', 'Beta & Co', 65.13],
        [2, '伽马大模型', '清华&智谱AI', 65.13],
        [4, 'Zeta-7B', 'Zeta基金会', 23.37],
      ],
    ],
    [
      // Medals without a variation selector; the total is headed 平均; the 🧝 human row is dropped.
      'readme-2023-06.md',
      'superclue-readme-ranked',
      '2023-06-19',
      [
        [1, 'Alpha-Large', 'Acme AI', 78.76],
        [2, 'Beta Chat', 'Beta Labs', 67.98],
        [3, '伽马(4.0)', 'Gamma', 63.53],
        [4, 'Delta Instant', 'Deltaa', 60.38],
      ],
    ],
    [
      // `-` rows are listed but unranked (rank null, after the ranked ones); the open-source board below
      // (also with 总分) is not the overall one; publishedAt is the [23/07/25] release note of that month.
      'readme-2023-07.md',
      'superclue-readme-ranked',
      '2023-07-25',
      [
        [1, '文心样例(v2.2.0)', '百度', 62],
        [2, 'Gamma-130B', '清华大学&智谱AI', 59.35],
        [3, '星火样例(v1.5)', '科大讯飞', 58.02],
        [4, 'open-chat-7b', '上海AI实验室', 53.91],
        [null, 'Alpha-Large', 'Acme AI', 70.89],
        [null, 'Beta-2', 'Authropic', 60.94],
      ],
    ],
    [
      // The OPEN board (also 总分) comes first and last month's overall board too: the newest 总排行榜 wins;
      // markdown links with ↗ (also without a space); publishedAt is the board's month.
      'readme-2023-09.md',
      'superclue-readme-ranked',
      '2023-09-01',
      [
        [1, 'Sense样例 3.0', '商汤样例', 62.75],
        [2, 'Mengzi样例', '澜舟样例', 62.61],
        [3, 'Baichuan样例(V2)', '百川样例', 62.12],
        [null, 'Alpha-Large', 'Acme AI', 83.2],
        [null, 'Llama样例-13B', 'Meta', 31.63],
      ],
    ],
    [
      // `| -|Name |` without spaces, tabs after pipes, trailing spaces, 🏅️ with U+FE0F, a published tie (5, 5),
      // a note right under the table without a blank line.
      'readme-2023-12.md',
      'superclue-readme-ranked',
      '2023-12-01',
      [
        [1, '文心样例4.0(API)', '百度', 79.02],
        [2, '通义样例2.0', '阿里巴巴', 76.54],
        [3, 'Andes样例', 'OPPO', 75.04],
        [4, '智谱样例', '清华&智谱', 74.11],
        [5, 'PCI-Sample', '佳都样例', 68.33],
        [5, '360Sample_Pro', '360', 68.32],
        [7, 'Zeta_2_13B_Chat', 'Zeta', 37.36],
        [null, 'Alpha-Turbo', 'Acme AI', 90.63],
        [null, '文心样例4.0(网页)', '百度', 70.28],
      ],
    ],
  ])('%s (%s)', (name, format, published, expected) => {
    const parsed = parse(name);
    expect(parsed.format).toBe(format);
    expect(parsed.publishedAt).toBe(published);
    expect(rows(parsed.entries)).toEqual(expected);
  });

  it('returns complete normalized entries: model and name are the display name, no interval, votes or prices', () => {
    expect(parse('readme-2023-12.md').entries[0]).toEqual(
      makeEntry({ rank: 1, model: '文心样例4.0(API)', name: '文心样例4.0(API)', organization: '百度', score: 79.02 }),
    );
  });

  it('reads a medal with or without the U+FE0F variation selector', () => {
    const body = fixture('readme-2023-12.md');
    const bare = superclue.parse(body.replaceAll('\uFE0F', ''), { board: 'superclue' });
    expect(rows(bare.entries)).toEqual(rows(superclue.parse(body, { board: 'superclue' }).entries));
    expect(body).toContain('🏅\uFE0F');
  });

  it('leaves publishedAt null when the README states no date', () => {
    const body = fixture('readme-2023-05.md').replace(/#### 更新 Update（[^）]*）/g, '#### 更新');
    expect(superclue.parse(body, { board: 'superclue' }).publishedAt).toBeNull();
  });

  it('tolerates a byte-order mark and CRLF line ends', () => {
    expect(superclue.parse(`\uFEFF${fixture('readme-2023-06.md')}`, { board: 'superclue' }).entries).toHaveLength(4);
    const crlf = superclue.parse(fixture('readme-2023-12.md').replace(/\n/g, '\r\n'), { board: 'superclue' });
    expect(rows(crlf.entries)).toEqual(rows(parse('readme-2023-12.md').entries));
  });
});

describe('SuperCLUE parse: the overall table is found by its columns, not its title', () => {
  it.each(['readme-2023-05.md', 'readme-2023-06.md', 'readme-2023-07.md', 'readme-2023-09.md', 'readme-2023-12.md'])('%s: the same board under other titles, or none', (name) => {
    const original = parse(name).entries;
    const retitled = fixture(name).replace(/^ *(#{1,6})[^\S\n]+\S.*$/gm, (_line, hashes: string) => `${hashes} Results`);
    expect(retitled).not.toMatch(/^ *#.*总(排行)?榜/m);
    expect(superclue.parse(retitled, { board: 'superclue' }).entries).toEqual(original);
    const untitled = fixture(name).replace(/^ *#{1,6}[^\S\n]+\S.*$/gm, '');
    expect(superclue.parse(untitled, { board: 'superclue' }).entries).toEqual(original);
  });

  it('reads the total headed 平均 (2023-06) and takes the board listing the most models over a narrower one of the same shape', () => {
    // readme-2023-09.md puts a two-row OPEN board (排名, 模型, 机构, 总分) of the same month above the overall board.
    expect(parse('readme-2023-09.md').entries.map((entry) => entry.model)).not.toContain('Open-Winner');
    expect(fixture('readme-2023-06.md')).toMatch(/\|\s*平均\s*\|/);
    expect(parse('readme-2023-06.md').entries.length).toBeGreaterThan(0);
  });

  it('reads a board whose columns are headed in English (Rank, Model, Org, Total), not the open-source board below it', () => {
    const parsed = parse('readme-english-columns.md');
    expect(rows(parsed.entries)).toEqual([
      [1, 'Alpha', 'Acme AI', 79.02],
      [2, 'Beta', 'Beta Labs', 76.54],
    ]);
    expect(parsed.format).toBe('superclue-readme-ranked');
  });
});

describe('SuperCLUE parse: bad input is a ParseError that says what it expected and found', () => {
  it.each([
    ['empty', 'broken/empty.md', /expected a SuperCLUE README: markdown with the overall leaderboard table .*found an empty document/],
    ['error page', 'broken/error-page.html', /expected a SuperCLUE README.*found an HTML page titled "Unicorn! &middot; GitHub"/],
    ['Cloudflare challenge', 'broken/cloudflare.html', /found a Cloudflare challenge page \("Just a moment\.\.\."\)/],
    ['a 404 body', 'broken/not-found.txt', /expected a SuperCLUE README.*found no markdown table \(text starting "404: Not Found"\)/],
    ['cut off after a row', 'broken/truncated.md', /expected SuperCLUE README: the overall leaderboard table followed by the rest of the document, found a document that ends inside the table under "SuperCLUE总排行榜（2023年12月）" \(cut off after 3 rows\)/],
    ['cut off mid-row', 'broken/truncated-mid-row.md', /the overall leaderboard table followed by the rest of the document, found a document that ends inside the table .* \(cut off after 3 rows\)/],
    ['an unknown rank', 'broken/bad-rank.md', /expected SuperCLUE README: a rank \(🏅️, 🥈, 🥉, a whole number or -\) in 排名, found row 2 of "SuperCLUE总排行榜（2023年12月）": "第二"/],
    ['a non-numeric total', 'broken/bad-score.md', /expected SuperCLUE README: a numeric 总分, found row 2 of .*: "待定"/],
    ['JSON', '{"message":"Not Found"}', /found JSON starting/],
  ])('%s', (_name, input, message) => {
    const body = input.startsWith('broken/') ? fixture(input) : input;
    const attempt = () => superclue.parse(body, { board: 'superclue' });
    expect(attempt).toThrow(ParseError);
    expect(attempt).toThrow(message);
  });

  it('refuses a row cut short before its 总分 cell', () => {
    const body = fixture('readme-2023-12.md').replace('| 4 | 智谱样例 | 清华&智谱 | 74.11 | 69.91 | 83.92 | 网页 |', '| 4 | 智谱样例 | 清华&智谱');
    expect(() => superclue.parse(body, { board: 'superclue' })).toThrow(/a 总分 cell in every row, found row 5 of .* cut short after 3 cells/);
  });

  it('refuses a README whose overall board is gone (no table of model and total left), naming the tables it has', () => {
    const body = fixture('readme-2023-07.md').replaceAll('总分', '得分');
    expect(() => superclue.parse(body, { board: 'superclue' })).toThrow(ParseError);
    expect(() => superclue.parse(body, { board: 'superclue' })).toThrow(
      /expected a SuperCLUE README: markdown with the overall leaderboard table \(模型 or 模型名称 or Model, 总分 or 平均 or Total\), found 2 other tables: "2023年7月SuperCLUE中文大模型总排行榜" \[排名, 模型, 机构, 得分, /,
    );
  });

  it('refuses two different rows under one model name', () => {
    const body = fixture('readme-2023-12.md').replace('| 7 | Zeta_2_13B_Chat |', '| 7 | 智谱样例 |');
    expect(() => superclue.parse(body, { board: 'superclue' })).toThrow(/one row per model, found "智谱样例" twice/);
  });

  it('refuses a board it does not know', () => {
    expect(() => superclue.parse(fixture('readme-2023-12.md'), { board: 'superclue-open' })).toThrow(/expected the SuperCLUE board \(superclue\), found board "superclue-open"/);
  });
});
