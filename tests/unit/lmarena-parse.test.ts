import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lmarena } from '../../scrapers/lmarena.ts';
import { makeEntry, type Entry } from '../../src/entry.ts';
import { ParseError } from '../../src/errors.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/lmarena/${name}`, import.meta.url), 'utf8');
const parse = (name: string) => lmarena.parse(fixture(name), { board: 'lmarena-text', fileName: name });

/** rank, model, organization, score, lower, upper, votes */
type Row = [number | null, string, string | null, number, number | null, number | null, number | null];
const rows = (entries: Entry[]): Row[] => entries.map((e) => [e.rank, e.model, e.organization, e.score!, e.scoreLower, e.scoreUpper, e.votes]);

describe('LMArena parse: every published format', () => {
  it.each<[string, string, Row[]]>([
    [
      'lmsys-elo.csv',
      'lmsys-csv',
      [
        [1, 'Alpha-Large', 'Acme AI', 1290, 1286, 1293, 42000],
        [2, 'Beta Chat', 'Beta Labs', 1270, 1265, 1275, 30000],
        [2, 'Gamma-1.5', 'Gamma', 1268, 1265, 1272, 31000],
        [4, 'Delta, the model', 'Delta Inc', 1250, 1244, 1256, 9000],
      ],
    ],
    [
      // `rank` is Rank (UB) with ties: kept as published, rank_stylectrl ignored.
      'lmsys-stylectrl.csv',
      'lmsys-csv',
      [
        [1, 'Alpha-Large', 'Acme AI', 1340, 1335, 1344, 31927],
        [1, 'Beta Chat', 'Beta Labs', 1337, 1332, 1341, 19924],
        [3, 'Gamma-1.5', 'Gamma', 1309, 1305, 1314, 21425],
        [3, 'Epsilon', 'Epsilon', 1303, 1298, 1308, 13957],
      ],
    ],
    [
      // `rank` is the row position; the published rank is rank_stylectrl; a verbatim repeated row is one model.
      'lmarena-text-2025.csv',
      'lmarena-csv',
      [
        [1, 'Alpha-Large', 'Acme AI', 1472, 1467, 1477, 22146],
        [2, 'Beta Chat', 'Beta Labs', 1446, 1440, 1452, 13688],
        [2, 'Gamma-1.5', 'Gamma', 1438, 1432, 1444, 9270],
        [3, 'Epsilon', 'Epsilon', 1430, 1426, 1434, 28115],
        [3, 'Zeta-34B-Chat', 'Zeta', 1134, 1128, 1140, 15917],
      ],
    ],
    [
      // Only the Language tab's table; HTML anchors and markdown links give the name; `3,474` votes; `+14 / -15`.
      'gradio-page.html',
      'gradio-page',
      [
        [1, 'Alpha-Large & Co', 'Acme AI', 1443, 1435, 1454, 3474],
        [2, 'Beta Chat', 'Beta Labs', 1408, 1402, 1413, 5120],
        [2, 'Gamma-1.5', 'Gamma', 1404, 1398, 1410, 10397],
        [4, 'Delta Mini', 'Delta Inc', 1380.5, 1365.5, 1394.5, 2292],
      ],
    ],
    [
      // The `full` category; ranks derived from the rating with ties shared (1, 2, 2, 4).
      'arena-catalog.json',
      'arena-catalog-json',
      [
        [1, 'alpha-large', null, 1320.875, 1311.5, 1330, null],
        [2, 'beta-chat-20250101', null, 1301.25, 1293.125, 1309.5, null],
        [2, 'gamma (preview)', null, 1301.25, 1290, 1312, null],
        [4, 'delta', null, 1250, 1240, 1260, null],
      ],
    ],
  ])('%s (%s)', (name, format, expected) => {
    const parsed = parse(name);
    expect(parsed.format).toBe(format);
    expect(rows(parsed.entries)).toEqual(expected);
  });

  it('returns complete normalized entries (names, null prices)', () => {
    expect(parse('lmsys-elo.csv').entries[0]).toEqual(
      makeEntry({ rank: 1, model: 'Alpha-Large', name: 'Alpha-Large', organization: 'Acme AI', score: 1290, scoreLower: 1286, scoreUpper: 1293, votes: 42000 }),
    );
  });

  it('sniffs the format from the content, not the file name', () => {
    const body = fixture('arena-catalog.json');
    expect(lmarena.parse(body, { board: 'lmarena-text', fileName: 'data.csv' }).format).toBe('arena-catalog-json');
    expect(lmarena.parse(`\uFEFF${fixture('lmsys-elo.csv')}`, { board: 'lmarena-text' }).format).toBe('lmsys-csv');
  });

  it('keeps an absent interval as null bounds', () => {
    const [entry] = lmarena.parse(readFileSync(new URL('../fixtures/lmarena/broken/no-bounds.json', import.meta.url), 'utf8'), { board: 'lmarena-text' }).entries;
    expect(entry).toMatchObject({ model: 'alpha', score: 1300.5, scoreLower: null, scoreUpper: null });
  });
});

describe('LMArena parse: bad input is a ParseError that says what it expected and found', () => {
  it.each([
    ['empty', '', /expected an LMArena leaderboard.*found an empty document/],
    ['whitespace', '  \n ', /found an empty document/],
    ['error page', 'broken/error-page.html', /expected an LMArena leaderboard.*found an HTML page titled "502 Bad Gateway"/],
    ['Cloudflare challenge', 'broken/cloudflare.html', /found a Cloudflare challenge page \("Just a moment\.\.\."\)/],
    ['JSON of the wrong shape', 'broken/wrong-shape.json', /expected arena-catalog JSON with a "full" category, found keys "error"/],
    ['JSON cut off', 'broken/truncated.json', /expected arena-catalog JSON, found malformed JSON/],
    ['CSV cut off inside a quoted cell', 'broken/truncated.csv', /expected LMArena CSV with a header line, found malformed CSV/],
    ['CSV cut off mid-row', 'broken/truncated-row.csv', /found malformed CSV \(Invalid Record Length/],
    ['CSV with a renamed column', 'broken/renamed-column.csv', /expected LMArena CSV columns rank, model, arena_score .*found no arena_score\|arena_elo among columns rank,model,score/],
    ['CSV with a non-numeric score', 'broken/bad-score.csv', /expected LMArena CSV: a numeric score, found line 2: "n\/a"/],
    ['plain text', 'not a leaderboard at all', /found text starting "not a leaderboard at all"/],
  ])('%s', (_name, input, message) => {
    const body = input.includes('/') && !input.includes(' ') ? fixture(input) : input;
    const attempt = () => lmarena.parse(body, { board: 'lmarena-text' });
    expect(attempt).toThrow(ParseError);
    expect(attempt).toThrow(message);
  });

  it('refuses two different rows under one model name', () => {
    const body = `${fixture('lmsys-elo.csv')}5,Beta Chat,1200,+5/-5,100,Beta Labs,Proprietary,Online,https://example.org/beta2\n`;
    expect(() => lmarena.parse(body, { board: 'lmarena-text' })).toThrow(/one row per model, found "Beta Chat" twice, with different values/);
  });

  it('refuses a Gradio page without the board\'s table', () => {
    const page = fixture('gradio-page.html').replace('💬 Language', '💬 Something else');
    expect(() => lmarena.parse(page, { board: 'lmarena-text' })).toThrow(/under a tab matching .* found tables under tabs "💬 Something else", "👀 Vision"/);
  });

  it('refuses a Gradio page whose config is cut off', () => {
    const page = fixture('gradio-page.html');
    const cut = page.slice(0, page.indexOf('"data"') + 20);
    expect(() => lmarena.parse(cut, { board: 'lmarena-text' })).toThrow(/a complete window.gradio_config object, found unparseable JSON/);
  });

  it('refuses a board it does not know', () => {
    expect(() => lmarena.parse(fixture('lmsys-elo.csv'), { board: 'lmarena-nope' })).toThrow(ParseError);
  });
});
