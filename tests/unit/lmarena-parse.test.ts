import { readFileSync } from 'node:fs';
import cron from 'node-cron';
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
      // The `full` category; ranks are LMArena's Rank (UB) from the bounds: 1 + the models whose lower
      // bound is above this one's upper bound. Gamma's wide interval reaches alpha's: both are #1.
      'arena-catalog.json',
      'arena-catalog-json',
      [
        [1, 'alpha-large', null, 1320.875, 1311.5, 1330, null],
        [1, 'gamma (preview)', null, 1301.25, 1290, 1312, null],
        [2, 'beta-chat-20250101', null, 1301.25, 1293.125, 1309.5, null],
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

  it('refuses a Gradio config without its layout, naming the path and the keys it has', () => {
    const page = fixture('gradio-page.html').replace('"layout"', '"layout_"');
    expect(() => lmarena.parse(page, { board: 'lmarena-text' })).toThrow(
      /^expected LMArena Gradio page \(window\.gradio_config\): layout an object, found no "layout" among keys ".*layout_/,
    );
  });

  it('refuses a Gradio page whose config is cut off', () => {
    const page = fixture('gradio-page.html');
    const cut = page.slice(0, page.indexOf('"data"') + 20);
    expect(() => lmarena.parse(cut, { board: 'lmarena-text' })).toThrow(/expected LMArena Gradio page: a complete window.gradio_config object, found malformed JSON .*the response may be cut off/);
  });

  it('refuses a board it does not know', () => {
    expect(() => lmarena.parse(fixture('lmsys-elo.csv'), { board: 'lmarena-nope' })).toThrow(ParseError);
  });
});

/** rank, model, name, organization, score, lower, upper, votes, price in, price out */
type FullRow = [number | null, string, string, string | null, number, number | null, number | null, number | null, number | null, number | null];
const fullRows = (entries: Entry[]): FullRow[] =>
  entries.map((e) => [e.rank, e.model, e.name, e.organization, e.score!, e.scoreLower, e.scoreUpper, e.votes, e.priceInput, e.priceOutput]);
const parseAs = (board: string, name: string) => lmarena.parse(fixture(name), { board, fileName: name });

describe('LMArena parse: the other boards, in every format that carries them', () => {
  it.each<[string, string, string, string | null, FullRow[]]>([
    [
      // The raw ("remove-style-control") text board of the page; Rank (UB) kept as published, so
      // Epsilon (#2, wide interval) sits below a #3 with a higher score; `\u0026`, `\u003c` unescaped.
      'lmarena-text',
      'nextjs-page.html',
      'nextjs-page',
      '2026-07-20T00:00:00.000Z',
      [
        [1, 'alpha-large-2026', 'Alpha Large', 'Acme AI', 1480.25, 1471, 1489.5, 20345, 10, 50],
        [1, 'beta-chat', 'Beta & Gamma <Chat>', 'Beta Labs', 1476.5, 1469, 1484, 8120, 1.25, 10],
        [2, 'epsilon-pro-preview', 'Epsilon Pro (preview)', 'Epsilon', 1455.75, 1421.5, 1490, 612, null, null],
        [3, 'delta-mini', 'Delta Mini', 'Delta Inc', 1460, 1455, 1465, 50211, null, null],
      ],
    ],
    [
      // The page's default text board is the style-controlled one.
      'lmarena-text-style-control',
      'nextjs-page.html',
      'nextjs-page',
      '2026-07-20T00:00:00.000Z',
      [
        [1, 'beta-chat', 'Beta & Gamma <Chat>', 'Beta Labs', 1471, 1463.5, 1478.5, 8120, 1.25, 10],
        [2, 'alpha-large-2026', 'Alpha Large', 'Acme AI', 1466.5, 1458, 1475, 20345, 10, 50],
        [3, 'delta-mini', 'Delta Mini', 'Delta Inc', 1440, 1435, 1445, 50211, null, null],
      ],
    ],
    [
      // WebDev is the page's `code` arena; its rows sit in a flight chunk split mid-array.
      'lmarena-webdev',
      'nextjs-page.html',
      'nextjs-page',
      '2026-07-20T00:00:00.000Z',
      [
        [1, 'alpha-large-2026', 'Alpha Large', 'Acme AI', 1520.4, 1509.8, 1531, 3120, 10, 50],
        [2, 'zeta-coder', 'Zeta Coder', 'Zeta', 1490, 1479, 1501, 2010, 0.3, 1.2],
        [2, 'beta-chat', 'Beta & Gamma <Chat>', 'Beta Labs', 1488.5, 1477, 1500, 1500, 1.25, 10],
      ],
    ],
    [
      // Only the "overall" rows; published ranks with a tie; null bounds and organization stay null.
      'lmarena-webdev',
      'dataset-rows.json',
      'dataset-rows-json',
      '2026-07-18',
      [
        [1, 'alpha-large-2026', 'alpha-large-2026', 'Acme AI', 1521.0843, 1512.5, 1529.75, 3120, null, null],
        [2, 'zeta-coder', 'zeta-coder', 'Zeta', 1490.5, 1479.25, 1501, 2010, null, null],
        [2, 'beta-chat', 'beta-chat', 'Beta Labs', 1488.5, 1477, 1500, 1500, null, null],
        [4, 'omega-small', 'omega-small', null, 1402, null, null, 402, null, null],
      ],
    ],
    [
      'lmarena-vision',
      'gradio-page.html',
      'gradio-page',
      null,
      [[1, 'Vision-Only', 'Vision-Only', 'Acme AI', 1342, 1304, 1371, 339, null, null]],
    ],
    [
      // No StyleCtrl column in this tab; "19,864" votes.
      'lmarena-image',
      'gradio-page.html',
      'gradio-page',
      null,
      [
        [1, 'Pixel-Ultra', 'Pixel-Ultra', 'Acme AI', 1088, 1086, 1090, 63297, null, null],
        [2, 'Canvas One', 'Canvas One', 'Beta Labs', 1021, 1018, 1024, 19864, null, null],
        [2, 'FLUX-ish 1.1 [pro]', 'FLUX-ish 1.1 [pro]', 'Gamma', 1018, 1015, 1022, 19032, null, null],
      ],
    ],
    [
      // Markdown links for names, `+14 / -15` intervals.
      'lmarena-copilot',
      'gradio-page.html',
      'gradio-page',
      null,
      [
        [1, 'Delta Coder V2.5 (FIM)', 'Delta Coder V2.5 (FIM)', 'Delta Inc', 1029, 1014, 1043, 2292, null, null],
        [1, 'Alpha Large (FIM)', 'Alpha Large (FIM)', 'Acme AI', 1021, 1012, 1030, 4011, null, null],
      ],
    ],
    [
      // Two different rows under one display name (a model and its "-old" predecessor): the later
      // one is a separate model, keyed "<name> [2]"; a verbatim repeat still counts once.
      'lmarena-image',
      'lmarena-image-2025.csv',
      'lmarena-csv',
      null,
      [
        [1, 'Pixel-Ultra-06', 'Pixel-Ultra-06', 'Acme AI', 1138, 1133, 1143, 11897, null, null],
        [1, 'Canvas One', 'Canvas One', 'Beta Labs', 1136, 1132, 1140, 34510, null, null],
        [3, 'Pixel-Ultra-06 [2]', 'Pixel-Ultra-06', 'Acme AI', 1113, 1109, 1117, 14219, null, null],
        [4, 'Brush 3.5 [dev] (fp8)', 'Brush 3.5 [dev] (fp8)', 'Gamma', 967, 964, 970, 50585, null, null],
      ],
    ],
    [
      // A catalog split: ranks from the bounds, as for the full board.
      'lmarena-text-coding',
      'arena-catalog.json',
      'arena-catalog-json',
      null,
      [[1, 'alpha-large', 'alpha-large', null, 1400.5, 1390.75, 1410.25, null, null, null]],
    ],
    [
      'lmarena-vision',
      'arena-catalog-vision.json',
      'arena-catalog-json',
      null,
      [
        [1, 'lens-pro', 'lens-pro', null, 1260.75, 1251.5, 1270, null, null, null],
        [2, 'iris-7b', 'iris-7b', null, 1232.125, 1223.75, 1240.5, null, null, null],
        [2, 'retina-flash', 'retina-flash', null, 1232.125, 1219.25, 1245, null, null, null],
      ],
    ],
    [
      'lmarena-vision-captioning',
      'arena-catalog-vision.json',
      'arena-catalog-json',
      null,
      [
        // The intervals overlap: the two share #1.
        [1, 'lens-pro', 'lens-pro', null, 1210.5, 1181, 1240, null, null, null],
        [1, 'iris-7b', 'iris-7b', null, 1188.25, 1161, 1215.5, null, null, null],
      ],
    ],
    [
      // Image keys carry spaces and parentheses; the preset-prompt splits are not boards.
      'lmarena-image',
      'arena-catalog-image.json',
      'arena-catalog-json',
      null,
      [
        [1, 'pixel-ultra-06 (nano-pixel)', 'pixel-ultra-06 (nano-pixel)', null, 1145.5, 1139, 1152, null, null, null],
        [2, 'canvas one', 'canvas one', null, 1125, 1120, 1130, null, null, null],
        [3, 'pixel-ultra-06-old', 'pixel-ultra-06-old', null, 1113.25, 1108, 1118.5, null, null, null],
      ],
    ],
  ])('%s from %s (%s)', (board, name, format, publishedAt, expected) => {
    const parsed = parseAs(board, name);
    expect(parsed.format).toBe(format);
    expect(parsed.publishedAt).toBe(publishedAt);
    expect(fullRows(parsed.entries)).toEqual(expected);
  });

  it('reads the same text table from the page for both text boards when the page does not type its boards', () => {
    const page = fixture('nextjs-page.html').replace(/\\"leaderboardType\\":\\"[a-z-]+\\",/g, '');
    const raw = lmarena.parse(page, { board: 'lmarena-text' });
    expect(raw.entries[0]).toMatchObject({ model: 'beta-chat', score: 1471 });
    expect(lmarena.parse(page, { board: 'lmarena-text-style-control' }).entries).toEqual(raw.entries);
  });

  it('sniffs the page and the dataset rows from the content, not the file name', () => {
    expect(lmarena.parse(fixture('nextjs-page.html'), { board: 'lmarena-webdev', fileName: 'rows' }).format).toBe('nextjs-page');
    expect(lmarena.parse(fixture('dataset-rows.json'), { board: 'lmarena-text', fileName: 'page.html' }).format).toBe('dataset-rows-json');
  });

  it('accepts a full first page of a longer table as the top of the board', () => {
    const rows = Array.from({ length: 100 }, (_, i) => ({
      row_idx: i,
      row: { model_name: `model-${i}`, organization: 'Org', rating: 1500 - i, rating_lower: 1490 - i, rating_upper: 1510 - i, vote_count: 1000, rank: i + 1, category: 'overall', leaderboard_publish_date: '2026-07-18' },
      truncated_cells: [],
    }));
    const parsed = lmarena.parse(JSON.stringify({ rows, num_rows_total: 143, num_rows_per_page: 100, partial: false }), { board: 'lmarena-webdev' });
    expect(parsed.entries).toHaveLength(100);
    expect(parsed.entries[99]).toMatchObject({ rank: 100, model: 'model-99' });
  });
});

describe('LMArena parse: the other boards refuse bad input with what they expected and found', () => {
  it.each([
    ['lmarena-webdev', 'empty', '', /expected an LMArena leaderboard.*found an empty document/],
    ['lmarena-webdev', 'Cloudflare challenge', 'broken/cloudflare.html', /expected an LMArena leaderboard.*found a Cloudflare challenge page \("Just a moment\.\.\."\)/],
    ['lmarena-vision', 'error page', 'broken/error-page.html', /expected an LMArena leaderboard.*found an HTML page titled "502 Bad Gateway"/],
    ['lmarena-text-chinese', 'Cloudflare challenge', 'broken/cloudflare.html', /found a Cloudflare challenge page/],
    ['lmarena-image', 'empty', ' \n', /found an empty document/],
    ['lmarena-webdev', 'dataset JSON cut off', 'broken/dataset-truncated.json', /expected leaderboard-dataset rows JSON, found malformed JSON/],
    ['lmarena-webdev', 'dataset page shorter than the table', 'broken/dataset-short-page.json', /expected leaderboard-dataset rows JSON: all 143 rows or a full page of 100, found 2 rows/],
    ['lmarena-webdev', 'dataset rows with renamed keys (agent shape)', 'broken/dataset-renamed.json', /expected leaderboard-dataset rows JSON: rows\[0\]\.row\.rating a numeric rating .*found no "rating" among keys "model_name, organization, license, score, /],
    ['lmarena-webdev', 'dataset cells truncated by the viewer', 'broken/dataset-truncated-cells.json', /expected leaderboard-dataset rows JSON: whole cells, found row 0 with truncated cells license/],
    ['lmarena-webdev', 'dataset with no rows', 'broken/dataset-empty.json', /expected leaderboard-dataset rows JSON of category "overall", found no rows/],
    ['lmarena-webdev', 'dataset error answer', 'broken/dataset-error.json', /expected leaderboard-dataset rows JSON: rows an array, found no "rows" among keys "error"/],
    ['lmarena-webdev', 'page cut off', 'broken/nextjs-truncated.html', /expected LMArena Next.js page: a complete "leaderboards" array, found one cut off after \d+ characters/],
    ['lmarena-text', 'page rows with a renamed key', 'broken/nextjs-renamed.html', /expected LMArena Next.js page \(text leaderboard\): entries\[0\]\.rating a numeric rating, found model "Alpha Large": no "rating" among keys "rank, rankUpper/],
    ['lmarena-webdev', 'page without boards (login redirect)', 'broken/nextjs-no-leaderboards.html', /expected LMArena Next.js page: a "leaderboards" array in its flight data, found \d+ characters of flight data without one/],
    ['lmarena-vision', 'page without the board', 'nextjs-page.html', /arenaSlug "vision", category "overall", found leaderboards "code\/overall, text\/overall \(default\), text\/overall \(remove-style-control\)"/],
    ['lmarena-text-coding', 'page without the category', 'nextjs-page.html', /arenaSlug "text", category "coding", found leaderboards/],
    ['lmarena-vision', 'catalog of another arena', 'arena-catalog.json', /expected arena-catalog JSON of leaderboard-vision.json, found the categories of a text file \(coding\)/],
    ['lmarena-text', 'catalog of another arena', 'arena-catalog-vision.json', /found the categories of a vision file \(captioning, ocr\)/],
    ['lmarena-image', 'catalog of another arena', 'arena-catalog-vision.json', /expected arena-catalog JSON of leaderboard-image.json, found the categories of a vision file/],
    ['lmarena-text-math', 'catalog without the category', 'arena-catalog.json', /expected arena-catalog JSON with a "math" category, found keys "coding, full"/],
    ['lmarena-vision', 'catalog cut off', 'broken/truncated.json', /expected arena-catalog JSON, found malformed JSON/],
    ['lmarena-text-coding', 'CSV for a catalog-only board', 'lmsys-elo.csv', /expected a format that carries lmarena-text-coding \(arena-catalog JSON leaderboard-text.json "coding", Next.js page\), found a CSV table/],
    ['lmarena-text-coding', 'dataset rows for a catalog-only board', 'dataset-rows.json', /carries lmarena-text-coding .*found leaderboard-dataset rows JSON/],
    ['lmarena-webdev', 'catalog for a dataset board', 'arena-catalog.json', /expected leaderboard-dataset rows JSON: rows an array, found no "rows" among keys "coding, full"/],
    ['lmarena-text-style-control', 'Gradio page (no style-controlled scores)', 'gradio-page.html', /expected a format that carries lmarena-text-style-control .*found a Gradio page/],
    ['lmarena-copilot', 'Next.js page', 'nextjs-page.html', /expected a format that carries lmarena-copilot \(Gradio page\), found a Next.js page/],
    ['lmarena-text', 'the lmarena-history wide matrix', 'broken/history-matrix.csv', /expected LMArena CSV: one leaderboard, not a history, found the lmarena-history wide matrix \(3 publish dates 20240105\.\.20240119 × 3 models\)/],
  ])('%s: %s', (board, _name, input, message) => {
    const body = /^(broken\/)?[\w.-]+\.(json|csv|html)$/.test(input) ? fixture(input) : input;
    const attempt = () => lmarena.parse(body, { board });
    expect(attempt).toThrow(ParseError);
    expect(attempt).toThrow(message);
  });
});

describe('LMArena boards', () => {
  it('have unique kebab-case ids, live URLs with valid schedules, and health thresholds', () => {
    const ids = lmarena.boards.map((board) => board.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const board of lmarena.boards) {
      expect(board.id).toMatch(/^lmarena(-[a-z0-9]+)+$/);
      expect(board.health, board.id).toBeDefined();
      if (board.id !== 'lmarena-text') expect(board.health?.minEntries, board.id).toBeGreaterThan(1);
      if (board.live) {
        expect(board.live.url).toMatch(/^https:\/\//);
        expect(cron.validate(board.live.schedule), board.id).toBe(true);
      }
    }
    expect(ids).toEqual(expect.arrayContaining(['lmarena-text', 'lmarena-webdev', 'lmarena-vision', 'lmarena-image', 'lmarena-text-style-control', 'lmarena-text-coding', 'lmarena-text-chinese']));
  });

  it('fetch the official exports: arena-catalog files hourly for text, the dataset for WebDev', () => {
    const live = (id: string) => lmarena.boards.find((board) => board.id === id)?.live;
    expect(live('lmarena-text')).toMatchObject({ url: expect.stringMatching(/arena-catalog\/main\/data\/leaderboard-text\.json$/), schedule: '0 * * * *' });
    expect(live('lmarena-text-style-control')?.url).toMatch(/leaderboard-text-style-control\.json$/);
    expect(live('lmarena-text-coding')?.url).toMatch(/leaderboard-text\.json$/);
    expect(live('lmarena-vision-ocr')?.url).toMatch(/leaderboard-vision\.json$/);
    expect(live('lmarena-image')?.url).toMatch(/leaderboard-image\.json$/);
    expect(live('lmarena-webdev')).toMatchObject({ format: 'dataset-rows-json', url: expect.stringMatching(/^https:\/\/datasets-server\.huggingface\.co\/filter\?dataset=lmarena-ai%2Fleaderboard-dataset&config=webdev&/) });
    expect(lmarena.boards.every((board) => !board.live?.page)).toBe(true);
  });
});
