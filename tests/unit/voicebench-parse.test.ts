import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { voicebench } from '../../scrapers/voicebench.ts';
import { makeEntry, type Entry } from '../../src/entry.ts';
import { ParseError } from '../../src/errors.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/voicebench/${name}`, import.meta.url), 'utf8');
const parse = (name: string) => voicebench.parse(fixture(name), { board: 'voicebench', fileName: name });

/** rank, model, score (Overall) */
type Row = [number | null, string, number | null];
const rows = (entries: Entry[]): Row[] => entries.map((e) => [e.rank, e.model, e.score]);

describe('VoiceBench parse: every README era', () => {
  it.each<[string, string, Row[]]>([
    [
      // Launch: five subsets, `|------|` separators; the Dataset table below has no Model/Overall.
      'readme-2024-10.md',
      'voicebench-readme',
      [
        [1, 'Whisper-x+Alpha-3.1', 74.5],
        [2, 'Beta-Voice', 64.02],
        [3, 'Gamma-Audio', 59.83],
        [4, 'Delta-Omni', 41.56],
      ],
    ],
    [
      // OpenBookQA added: Overall recomputed for every model, the model renamed (an alias matter, not the parser's).
      'readme-2024-11.md',
      'voicebench-readme',
      [
        [1, 'Whisper-x-large+Alpha-3.1', 81.83],
        [2, 'Beta-Voice', 60.69],
        [3, 'Gamma-Audio', 58.62],
        [4, 'Delta-Omni', 28.44],
      ],
    ],
    [
      // MMSU added: every Overall recomputed again and two ranks swap at once.
      'readme-2024-12.md',
      'voicebench-readme',
      [
        [1, 'Whisper-x-large+Alpha-3.1', 79.06],
        [2, 'Gamma-Audio', 55.35],
        [3, 'Beta-Voice', 55.2],
        [4, 'Delta-Omni', 27.9],
      ],
    ],
    [
      // Ten subsets (WildVoice, OBQA, BBH); ranks kept as published even where Overall disagrees (#3 55.99 above
      // #4 56.43, as the real 2025-02-26 table had); the commented-out row and the Awesome table are ignored.
      'readme-2025-06.md',
      'voicebench-readme',
      [
        [1, 'Whisper-x-large+Alpha-4o', 87.8],
        [2, 'Alpha-4o-Audio', 86.75],
        [3, 'Epsilon-Voice', 55.99],
        [4, 'Zeta-v0.5-1B', 56.43],
        [5, 'Delta-Omni', 30.42],
      ],
    ],
    [
      // No Rank column: competition ranks from Overall, a tie shares 2.
      'readme-no-rank.md',
      'voicebench-readme-unranked',
      [
        [1, 'Whisper-x-large+Alpha-3.1', 81.83],
        [2, 'Beta-Voice', 60.69],
        [2, 'Gamma-Audio', 60.69],
        [4, 'Delta-Omni', 28.44],
      ],
    ],
  ])('%s (%s)', (name, format, expected) => {
    const parsed = parse(name);
    expect(parsed.format).toBe(format);
    expect(parsed.publishedAt).toBeNull();
    expect(rows(parsed.entries)).toEqual(expected);
  });

  it('returns complete normalized entries: no organization, interval, votes or prices', () => {
    expect(parse('readme-2024-10.md').entries[0]).toEqual(makeEntry({ rank: 1, model: 'Whisper-x+Alpha-3.1', name: 'Whisper-x+Alpha-3.1', score: 74.5 }));
  });

  it('keeps a row listed without Rank and Overall as an unranked entry with no score', () => {
    const body = fixture('readme-2024-11.md').replace(
      '|  4   | Delta-Omni ',
      '|      | Kappa-Omni                    |    3.82    |    3.20    | 31.20 |   58.46    | 15.00  |  100.00  |         |\n|  4   | Delta-Omni ',
    );
    const parsed = voicebench.parse(body, { board: 'voicebench' });
    expect(rows(parsed.entries).at(-1)).toEqual([null, 'Kappa-Omni', null]);
    expect(parsed.entries).toHaveLength(5);
  });
});

describe('VoiceBench parse: the leaderboard is found by its columns, not its title', () => {
  it.each(['readme-2024-10.md', 'readme-2025-06.md', 'readme-no-rank.md'])('%s: the same board under another heading, and after a table of another shape', (name) => {
    const original = voicebench.parse(fixture(name), { board: 'voicebench' }).entries;
    const retitled = fixture(name)
      .replace(/^## Leaderboard\s*$/m, '## Results\n\n| Subset | # Samples |\n|---|---|\n| alpacaeval | 199 |\n')
      .replace(/^#{1,6} .*leaderboard.*$/gim, '');
    expect(retitled).not.toMatch(/leaderboard/i);
    expect(voicebench.parse(retitled, { board: 'voicebench' }).entries).toEqual(original);
  });
});

describe('VoiceBench parse: bad input is a ParseError that says what it expected and found', () => {
  it.each([
    ['empty', 'broken/empty.md', /expected a VoiceBench README: markdown with the leaderboard table \(Model, Overall\), found an empty document/],
    ['error page', 'broken/error-page.html', /expected a VoiceBench README.*found an HTML page titled "Unicorn! &middot; GitHub"/],
    ['Cloudflare challenge', 'broken/cloudflare.html', /found a Cloudflare challenge page \("Just a moment\.\.\."\)/],
    ['a 404 body', 'broken/not-found.txt', /found no markdown table \(text starting "404: Not Found"\)/],
    ['cut off after a row', 'broken/truncated.md', /expected VoiceBench README: the leaderboard table followed by the rest of the document, found a document that ends inside the table under "Leaderboard" \(cut off after 3 rows\)/],
    ['cut off mid-row', 'broken/truncated-mid-row.md', /the leaderboard table followed by the rest of the document, found a document that ends inside the table under "Leaderboard" \(cut off after 3 rows\)/],
    ['Overall renamed', 'broken/renamed-columns.md', /\(Model, Overall\), found 1 other table: "Leaderboard" \[Rank, Model, AlpacaEval, .*, Average\]/],
    ['a non-numeric rank', 'broken/bad-rank.md', /expected VoiceBench README: a whole-number Rank, found row 2 \(Beta-Voice\): "2nd"/],
    ['a non-numeric Overall', 'broken/bad-score.md', /expected VoiceBench README: a numeric Overall, found row 2 \(Beta-Voice\): "60.6x"/],
    ['JSON', '{"message":"Not Found"}', /found JSON starting/],
  ])('%s', (_name, input, message) => {
    const body = input.startsWith('broken/') ? fixture(input) : input;
    const attempt = () => voicebench.parse(body, { board: 'voicebench' });
    expect(attempt).toThrow(ParseError);
    expect(attempt).toThrow(message);
  });

  it('refuses a row cut short before its Overall cell', () => {
    const body = fixture('readme-2024-11.md').replace(/\|  2 {3}\| Beta-Voice.*\n/, '|  2   | Beta-Voice | 3.67 |\n');
    expect(() => voicebench.parse(body, { board: 'voicebench' })).toThrow(/an Overall cell in every row, found row 2 cut short after 3 cells/);
  });

  it('refuses two different rows under one model name', () => {
    const body = fixture('readme-2024-11.md').replace('|  4   | Delta-Omni  ', '|  4   | Beta-Voice  ');
    expect(() => voicebench.parse(body, { board: 'voicebench' })).toThrow(/one row per model, found "Beta-Voice" twice/);
  });

  it('refuses a board it does not know', () => {
    expect(() => voicebench.parse(fixture('readme-2024-10.md'), { board: 'voicebench-mmsu' })).toThrow(/expected the VoiceBench board \(voicebench\), found board "voicebench-mmsu"/);
  });
});
