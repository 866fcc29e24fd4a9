import { load, type CheerioAPI } from 'cheerio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.ts';
import { announcerWith, identifyWith } from '../../src/context.ts';
import { EVENT_KINDS, type StoredEvent } from '../../src/diff/events.ts';
import { makeEntry, type Entry } from '../../src/entry.ts';
import { attributionFor, loadIdentity } from '../../src/identity/identity.ts';
import { applyCapture, recordScrape } from '../../src/ingest/store.ts';
import { FiltersSchema, matchEvent } from '../../src/notify/filters.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// The dashboard's pages (src/dashboard) through createApp and a real database: a small history
// stored with applyCapture (a ranked board over two months in which models climb, fall, enter and
// leave; a price board; a board with a quarantined capture; a board whose live scrape fails),
// and each page's content checked against what the test itself works out from those captures.

const TEXT = 'lmarena-text';
const PRICES = 'openrouter-prices';
const VISION = 'lmarena-vision';
const WEBDEV = 'lmarena-webdev';
/** The app's clock: three days after the text board's last capture. */
const NOW = new Date('2025-03-15T12:00:00Z');
const DAY_MS = 86_400_000;
const EVIL = 'Evil <script>alert(1)</script> & Co';
const EVIL_ESCAPED = 'Evil &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co';
const identity = loadIdentity();

/** The models of the text board, with the organization id and country of src/identity/organizations.yaml. */
const MODELS = {
  A: { model: 'gpt-4o-2024-05-13', name: 'GPT-4o', organization: 'OpenAI', org: 'openai', country: 'US' },
  B: { model: 'gemini-2.0-pro', name: 'Gemini 2.0 Pro', organization: 'Google', org: 'google', country: 'US' },
  C: { model: 'deepseek-v3', name: 'DeepSeek-V3', organization: 'DeepSeek', org: 'deepseek', country: 'CN' },
  D: { model: 'qwen-max', name: 'Qwen Max', organization: 'Alibaba', org: 'alibaba', country: 'CN' },
  E: { model: 'o1-preview', name: 'o1-preview', organization: 'OpenAI', org: 'openai', country: 'US' },
  F: { model: 'deepseek-r1', name: 'DeepSeek-R1', organization: 'DeepSeek', org: 'deepseek', country: 'CN' },
  G: { model: 'evil-model', name: EVIL, organization: 'Acme & Co', org: null, country: null },
  H: { model: 'gemma-2-27b', name: 'Gemma 2 27B', organization: 'Google', org: 'google', country: 'US' },
  I: { model: 'grok-3', name: 'Grok 3', organization: 'xAI', org: 'xai', country: 'US' },
  J: { model: 'llama-3.1-405b', name: 'Llama 3.1 405B', organization: 'Meta', org: 'meta', country: 'US' },
  K: { model: 'claude-3-opus', name: 'Claude 3 Opus', organization: 'Anthropic', org: 'anthropic', country: 'US' },
  L: { model: 'mistral-large-2407', name: 'Mistral Large', organization: 'Mistral', org: 'mistral-ai', country: 'FR' },
  M: { model: 'glm-4-plus', name: 'GLM-4 Plus', organization: 'Zhipu AI', org: 'zhipu-ai', country: 'CN' },
} as const;
type Letter = keyof typeof MODELS;

/** Models below the contenders on every capture, so the board holds more than the chart's top 10. */
const TAIL: [Letter, number][] = [
  ['J', 1235],
  ['K', 1230],
  ['L', 1225],
  ['M', 1220],
];

/** The text board's captures, best first: F enters and H leaves on 02-20, I enters on 03-12. */
const TEXT_CAPTURES: { at: string; rows: [Letter, number][] }[] = [
  { at: '2025-01-10T00:00:00Z', rows: [['A', 1300], ['B', 1290], ['C', 1280], ['E', 1270], ['D', 1260], ['H', 1250], ['G', 1240], ...TAIL] },
  { at: '2025-02-01T00:00:00Z', rows: [['B', 1305], ['A', 1300], ['C', 1282], ['E', 1271], ['D', 1262], ['H', 1251], ['G', 1241], ...TAIL] },
  { at: '2025-02-20T00:00:00Z', rows: [['B', 1310], ['F', 1305], ['A', 1300], ['C', 1283], ['E', 1272], ['D', 1262.5], ['G', 1242], ...TAIL] },
  { at: '2025-03-05T00:00:00Z', rows: [['B', 1312], ['F', 1306], ['A', 1301], ['D', 1290], ['C', 1283], ['E', 1272], ['G', 1243], ...TAIL] },
  { at: '2025-03-12T00:00:00Z', rows: [['F', 1330], ['B', 1315], ['A', 1301], ['D', 1291], ['C', 1284], ['E', 1273], ['G', 1244], ...TAIL, ['I', 1200]] },
];
const HALF_WIDTH = 4;

/** A row of the text board as the test expects it. */
interface Expected {
  rank: number;
  model: string;
  name: string;
  organization: string;
  org: string | null;
  country: string | null;
  score: number;
}

function rowsOf(rows: readonly [Letter, number][]): Expected[] {
  return rows.map(([letter, score], index) => ({ ...MODELS[letter], rank: index + 1, score }));
}

/** The text board as it stood at a time: its last capture at or before it (empty before the first). */
function textAt(time: Date): Expected[] {
  const capture = TEXT_CAPTURES.filter((item) => new Date(item.at) <= time).at(-1);
  return capture ? rowsOf(capture.rows) : [];
}

/** A rank move as the board page shows it: ▲n places gained, ▼n lost, new, or =. */
function delta(now: number, before: number | undefined): string {
  if (before === undefined) return 'new';
  if (before > now) return `▲${before - now}`;
  if (before < now) return `▼${now - before}`;
  return '=';
}

let database: TestDatabase;
let app: ReturnType<typeof createApp>;

async function store(board: string, at: string, entries: Entry[], source: string, direction: 'higher' | 'lower' = 'higher') {
  return applyCapture(database.db, {
    board,
    capturedAt: new Date(at),
    ranAt: new Date(at),
    entries,
    origin: 'import',
    source: `${board}-${at}.json`,
    contentHash: `${board}-${at}`,
    format: 'test',
    parserVersion: '1',
    publishedAt: null,
    health: { direction },
    // Announced at once: every change of the history is an event the pages list.
    settle: { scrapes: 1 },
    attribute: attributionFor(identity, source),
    onAnnounced: announcerWith(identity),
  });
}

const price = (model: string, name: string, organization: string, priceInput: number, priceOutput: number) => makeEntry({ model, name, organization, priceInput, priceOutput });
/** The price board's captures: GPT-4o's prices are halved on 03-10. */
const PRICE_CAPTURES: { at: string; entries: Entry[] }[] = [
  {
    at: '2025-03-01T00:00:00Z',
    entries: [
      price('anthropic/claude-3.5-haiku', 'Anthropic: Claude 3.5 Haiku', 'Anthropic', 0.8, 4),
      price('deepseek/deepseek-r1', 'DeepSeek: R1', 'DeepSeek', 0.55, 2.19),
      price('openai/gpt-4o-2024-05-13', 'OpenAI: GPT-4o', 'OpenAI', 5, 15),
    ],
  },
  {
    at: '2025-03-10T00:00:00Z',
    entries: [
      price('anthropic/claude-3.5-haiku', 'Anthropic: Claude 3.5 Haiku', 'Anthropic', 0.8, 4),
      price('deepseek/deepseek-r1', 'DeepSeek: R1', 'DeepSeek', 0.55, 2.19),
      price('openai/gpt-4o-2024-05-13', 'OpenAI: GPT-4o', 'OpenAI', 2.5, 10),
    ],
  },
];
const VISION_ENTRIES = [
  makeEntry({ model: 'evil-model', name: EVIL, organization: 'Acme & Co', rank: 1, score: 1250 }),
  makeEntry({ model: 'gpt-4o-2024-05-13', name: 'GPT-4o', organization: 'OpenAI', rank: 2, score: 1200 }),
];

beforeAll(async () => {
  database = await createTestDatabase();
  app = createApp({ db: database.db, metrics: null, now: () => NOW, logError: () => {} });
  for (const { at, rows } of TEXT_CAPTURES) {
    const entries = rowsOf(rows).map((row) =>
      makeEntry({ rank: row.rank, model: row.model, name: row.name, organization: row.organization, score: row.score, scoreLower: row.score - HALF_WIDTH, scoreUpper: row.score + HALF_WIDTH, votes: 10_000 - row.rank * 100 }),
    );
    expect((await store(TEXT, at, entries, 'lmarena')).status).not.toBe('quarantined');
  }
  for (const { at, entries } of PRICE_CAPTURES) await store(PRICES, at, entries, 'openrouter', 'lower');
  await store(VISION, '2025-03-01T00:00:00Z', VISION_ENTRIES, 'lmarena');
  // The same key twice: held back by the sanity checks.
  const held = await store(VISION, '2025-03-08T00:00:00Z', [...VISION_ENTRIES, { ...VISION_ENTRIES[0]!, rank: 3 }], 'lmarena');
  expect(held.status).toBe('quarantined');
  await recordScrape(database.db, {
    board: WEBDEV,
    status: 'failed',
    origin: 'live',
    capturedAt: new Date('2025-03-14T00:00:00Z'),
    ranAt: new Date('2025-03-14T00:00:00Z'),
    source: 'https://example.test/webdev.json',
    httpStatus: 503,
    error: 'HTTP 503',
  });
});
afterAll(async () => database?.drop());

// ---------------------------------------------------------------------------------------------
// Reading pages

interface Page {
  status: number;
  headers: Headers;
  text: string;
  $: CheerioAPI;
}

async function get(path: string, headers: Record<string, string> = {}): Promise<Page> {
  const response = await app.request(path, { headers });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, $: load(text) };
}

/** A 200 HTML page, failing with the start of its body otherwise. */
async function page(path: string): Promise<Page> {
  const answer = await get(path);
  expect(answer.status, `${path}: ${answer.$('main').text().trim().slice(0, 300)}`).toBe(200);
  expect(answer.headers.get('content-type')).toMatch(/^text\/html; charset=utf-8$/i);
  return answer;
}

async function json<T>(path: string): Promise<T> {
  const response = await app.request(path);
  const text = await response.text();
  expect(response.status, `${path}: ${text.slice(0, 300)}`).toBe(200);
  expect(response.headers.get('content-type')).toContain('application/json');
  return JSON.parse(text) as T;
}

/** Whitespace-collapsed text of an element. */
function textOf($: CheerioAPI, element: Parameters<CheerioAPI>[0]): string {
  return $(element).text().replace(/\s+/g, ' ').trim();
}

/** A table's body rows as arrays of cell texts (th and td alike). */
function tableRows($: CheerioAPI, table: Parameters<CheerioAPI>[0]): string[][] {
  return $(table)
    .find('tbody tr')
    .toArray()
    .map((row) => $(row).children('th, td').toArray().map((cell) => textOf($, cell)));
}

/** The path and query of a root-relative link. */
function link(target: string): URL {
  expect(target.startsWith('/'), target).toBe(true);
  return new URL(target, 'http://dashboard.test');
}

// ---------------------------------------------------------------------------------------------

describe('/: the boards overview', () => {
  it('lists each stored board with its leader, model count, last scrape, health and last change; an unscraped board says so', async () => {
    const { $, headers } = await page('/');
    expect(headers.get('cache-control')).toBe('public, max-age=60');
    const rows = new Map(
      $('main table tbody tr')
        .toArray()
        .map((row) => [$(row).find('th .muted').text(), $(row)] as const),
    );
    const cells = (board: string) => rows.get(board)!.children('td').toArray().map((cell) => textOf($, cell));

    // [leader, models, last scrape, health]
    const latest = textAt(NOW);
    expect(cells(TEXT).slice(0, 4)).toEqual([latest[0]!.name, String(latest.length), '2025-03-12 00:00 UTC', 'ok']);
    expect(rows.get(TEXT)!.find('td a').first().attr('href')).toBe(`/models/${latest[0]!.model}`);
    // A board of prices has no ranks, so no leader.
    expect(cells(PRICES).slice(0, 4)).toEqual(['–', '3', '2025-03-10 00:00 UTC', 'ok']);
    expect(rows.get(PRICES)!.find('td a').length).toBe(0);
    // The quarantined capture is the last scrape; the standings are the good capture's.
    expect(cells(VISION).slice(0, 4)).toEqual([EVIL, '2', '2025-03-08 00:00 UTC', 'quarantined']);
    expect(cells(WEBDEV).slice(0, 5)).toEqual(['–', '0', '2025-03-14 00:00 UTC', 'failing', 'none yet']);
    expect(cells('lmarena-image')).toEqual(['–', '0', 'never', 'not scraped yet', 'none yet']);
    expect(rows.get('lmarena-image')!.find('.badge').attr('class')).toBe('badge none');
    expect(rows.get(WEBDEV)!.find('.badge').attr('class')).toBe('badge bad');

    // The last change: the text board's last capture made DeepSeek-R1 the leader and let Grok 3 in.
    const change = rows.get(TEXT)!.children('td').last();
    expect(change.find('time').attr('datetime')).toBe('2025-03-12T00:00:00.000Z');
    const summary = textOf($, change.find('.summary'));
    expect(summary).toContain(`new #1 ${latest[0]!.name}`);
    expect(summary).toContain('1 entered');
    const [newest] = (await json<{ changes: { summary: string }[] }>(`/v1/changes?board=${TEXT}&limit=1`)).changes;
    expect(summary).toBe(newest!.summary);
    expect(textOf($, rows.get(PRICES)!.children('td').last().find('.summary'))).toBe(`${PRICES}: 1 price change`);

    // Most recent change first; boards without a change after those with one.
    const order = [...rows.keys()];
    expect(order.slice(0, 3)).toEqual([TEXT, PRICES, VISION]);
    expect(order.indexOf(WEBDEV)).toBeGreaterThan(2);
  });

  it('has a strong ETag and answers 304 to it', async () => {
    const first = await page('/');
    const etag = first.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    const again = await app.request('/', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.headers.get('cache-control')).toBe('public, max-age=60');
  });
});

describe('/boards/:board: a ranked board', () => {
  /** The standings table: [rank, model name, organization, score, votes, Δ7, Δ30] per row, and the model links. */
  function standings($: CheerioAPI): { cells: string[][]; models: string[] } {
    const rows = $('table.standings tbody tr').toArray();
    return {
      cells: rows.map((row) => {
        const cells = $(row).children('th, td').toArray();
        return cells.map((cell, index) => {
          // The score cell holds the interval under the score; the deltas a visually hidden label.
          if (index === 3) return $(cell).contents().first().text().trim();
          if (index >= 5) return $(cell).find('[aria-hidden="true"]').text();
          return textOf($, cell);
        });
      }),
      models: rows.map((row) => decodeURIComponent($(row).find('th a').attr('href')!.replace(/^\/models\//, ''))),
    };
  }

  function expectedStandings(at: Date): string[][] {
    const week = new Map(textAt(new Date(at.getTime() - 7 * DAY_MS)).map((row) => [row.model, row.rank]));
    const month = new Map(textAt(new Date(at.getTime() - 30 * DAY_MS)).map((row) => [row.model, row.rank]));
    return textAt(at).map((row) => [
      String(row.rank),
      row.name,
      row.organization,
      String(row.score),
      String(10_000 - row.rank * 100),
      delta(row.rank, week.get(row.model)),
      delta(row.rank, month.get(row.model)),
    ]);
  }

  it.each([
    ['?at=2025-03-06T00:00:00Z', new Date('2025-03-06T00:00:00Z')],
    ['?at=2025-03-06', new Date('2025-03-06T00:00:00Z')],
    ['', NOW],
  ])('standings%s in rank order with the deltas against 7 and 30 days before', async (query, at) => {
    const { $ } = await page(`/boards/${TEXT}${query}`);
    const expected = expectedStandings(at);
    const { cells, models } = standings($);
    expect(cells).toEqual(expected);
    expect(models).toEqual(textAt(at).map((row) => row.model));
    // The history exercises every kind of delta.
    const deltas = new Set(expected.flatMap((row) => row.slice(5)).map((text) => text.replace(/\d+$/, '')));
    expect([...deltas].sort()).toEqual(['=', 'new', '▲', '▼']);
    // The interval under each score.
    expect($('table.standings tbody tr').first().find('.interval').text()).toBe(`${textAt(at)[0]!.score - HALF_WIDTH} – ${textAt(at)[0]!.score + HALF_WIDTH}`);
    expect(textOf($, 'table.standings caption')).toContain(`${expected.length} models`);
  });

  it('before the first capture nothing stood on the board', async () => {
    const { $ } = await page(`/boards/${TEXT}?at=2024-12-01`);
    expect($('table.standings').length).toBe(0);
    expect(textOf($, 'main')).toContain('Nothing stood on this board at 2024-12-01 00:00 UTC');
  });

  /** The models, window and end a chart's data-src asks the API for. */
  function chartSource($: CheerioAPI, chart: string): { url: URL; models: string[] } {
    const source = $(`canvas[data-chart="${chart}"]`).attr('data-src');
    expect(source, chart).toBeTruthy();
    const url = link(source!);
    expect(url.pathname).toBe(`/v1/boards/${TEXT}/history`);
    return { url, models: url.searchParams.getAll('models') };
  }

  interface Series {
    board: string;
    since: string | null;
    until: string | null;
    series: { model: string; points: { from: string; to: string | null; rank: number | null; score: number | null }[] }[];
  }

  it('the bump chart asks the API for the top 10 models over 90 days, and the API answers their series', async () => {
    const { $ } = await page(`/boards/${TEXT}`);
    const { url, models } = chartSource($, 'bump');
    const current = textAt(NOW);
    expect(current.length).toBeGreaterThan(10);
    expect(models).toEqual(current.slice(0, 10).map((row) => row.model));
    // From the start of the day 90 days before now; no end (now).
    expect(url.searchParams.get('since')).toBe('2024-12-15T00:00:00.000Z');
    expect(url.searchParams.has('until')).toBe(false);
    const body = await json<Series>(url.pathname + url.search);
    expect(body.series.map((series) => series.model)).toEqual(models);
    for (const series of body.series) {
      const last = series.points.at(-1)!;
      expect(last.to, series.model).toBeNull();
      expect(last.rank, series.model).toBe(current.find((row) => row.model === series.model)!.rank);
    }
    // The score chart reads the same series and draws the best five.
    expect($('canvas[data-chart="scores"]').attr('data-src')).toBe($('canvas[data-chart="bump"]').attr('data-src'));
    expect($('canvas[data-chart="scores"]').attr('data-models')).toBe('5');
    expect($('canvas[data-chart="prices"]').length).toBe(0);
    // The page preloads the chart library its script loads after the first paint.
    expect($('link[rel="preload"][as="script"][href="/assets/chart.umd.min.js"]').length).toBe(1);
    expect($('script[src="/assets/dashboard.js"]').length).toBe(1);
  });

  it('?top=3 follows the best three; ?at= ends the series there', async () => {
    const at = new Date('2025-03-06T00:00:00Z');
    const { $ } = await page(`/boards/${TEXT}?top=3&at=${at.toISOString()}&days=30`);
    const { url, models } = chartSource($, 'bump');
    const then = textAt(at);
    expect(models).toEqual(then.slice(0, 3).map((row) => row.model));
    expect(url.searchParams.get('since')).toBe('2025-02-04T00:00:00.000Z');
    expect(url.searchParams.get('until')).toBe(at.toISOString());
    const body = await json<Series>(url.pathname + url.search);
    expect(body.series.map((series) => series.model)).toEqual(models);
    for (const series of body.series) {
      // Nothing after `at`; the period holding at `at` has the rank the table shows.
      expect(series.points.every((point) => point.from <= at.toISOString()), series.model).toBe(true);
      const holding = series.points.find((point) => point.to === null || point.to > at.toISOString())!;
      expect(holding.rank, series.model).toBe(then.find((row) => row.model === series.model)!.rank);
    }
    // DeepSeek-R1 is followed from its entry on 02-20, which the 30-day window reaches.
    expect(body.series.find((series) => series.model === 'deepseek-r1')!.points[0]!.from).toBe('2025-02-20T00:00:00.000Z');
    expect($('input[name="top"]').attr('value')).toBe('3');
    expect($('input[name="at"]').attr('value')).toBe('2025-03-06');
  });

  it("the charts' captions say whose ranks they follow: today's top, or the top of the time asked for", async () => {
    const now = (await page(`/boards/${TEXT}`)).$;
    expect(textOf(now, 'figure:has(canvas[data-chart="bump"]) figcaption')).toMatch(/^Rank over time of today's top 10 \(1 at the top\)/);
    expect(textOf(now, 'figure:has(canvas[data-chart="scores"]) figcaption')).toMatch(/^Score over time of today's top 5,/);
    const then = (await page(`/boards/${TEXT}?top=3&at=2025-03-06`)).$;
    expect(textOf(then, 'figure:has(canvas[data-chart="bump"]) figcaption')).toMatch(/^Rank over time of the top 3 of that time \(1 at the top\)/);
    expect(textOf(then, 'figure:has(canvas[data-chart="scores"]) figcaption')).toMatch(/^Score over time of the top 3 of that time,/);
  });

  it('links the chart windows (30, 90, 365 days, all), each keeping the time and top, the current one marked', async () => {
    const at = '2025-03-06T00:00:00.000Z';
    const { $ } = await page(`/boards/${TEXT}?at=${at}&top=4&days=365`);
    const links = $('nav[aria-label="Chart window"] a')
      .toArray()
      .map((anchor) => ({ label: $(anchor).text(), url: link($(anchor).attr('href')!), current: $(anchor).attr('aria-current') === 'true' }));
    expect(links.map((item) => item.label)).toEqual(['30 days', '90 days', '365 days', 'all']);
    expect(links.map((item) => item.url.searchParams.get('days'))).toEqual(['30', null, '365', '0']);
    expect(links.map((item) => item.current)).toEqual([false, false, true, false]);
    for (const item of links) {
      expect(item.url.pathname).toBe(`/boards/${TEXT}`);
      expect(item.url.searchParams.get('at')).toBe(at);
      expect(item.url.searchParams.get('top')).toBe('4');
      const target = await page(item.url.pathname + item.url.search);
      const { url } = chartSource(target.$, 'bump');
      const days = Number(item.url.searchParams.get('days') ?? 90);
      const since = days ? new Date(Math.floor((Date.parse(at) - days * DAY_MS) / DAY_MS) * DAY_MS).toISOString() : null;
      expect(url.searchParams.get('since'), item.label).toBe(since);
      expect(target.$('nav[aria-label="Chart window"] a[aria-current="true"]').text()).toBe(item.label);
    }
  });

  it('lists the stored change sets newest first, each linking to its change set', async () => {
    const { $ } = await page(`/boards/${TEXT}`);
    const items = $('ol.timeline li').toArray();
    expect(items.map((item) => $(item).find('time').attr('datetime'))).toEqual(TEXT_CAPTURES.map((capture) => new Date(capture.at).toISOString()).reverse());
    for (const item of items) {
      const target = $(item).find('a').attr('href')!;
      expect(target).toMatch(/^\/v1\/changes\/\d+$/);
      const change = await json<{ board: string; capturedAt: string; summary: string }>(target);
      expect(change.board).toBe(TEXT);
      expect(change.capturedAt).toBe($(item).find('time').attr('datetime'));
      expect(textOf($, $(item).find('a'))).toBe(change.summary);
    }
    expect(textOf($, items[items.length - 1]!)).toContain(`first seen with ${TEXT_CAPTURES[0]!.rows.length} models`);
  });
});

describe('/boards/:board: a board of prices', () => {
  it('shows input and output prices instead of scores, and a price chart instead of the rank and score charts', async () => {
    const { $ } = await page(`/boards/${PRICES}`);
    const headings = $('table.standings thead th').toArray().map((cell) => textOf($, cell));
    expect(headings).toEqual(['Rank', 'Model', 'Organization', 'Input $/M', 'Output $/M', 'Δ 7 days', 'Δ 30 days']);
    const shown = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(3));
    const latest = PRICE_CAPTURES.at(-1)!.entries;
    const rows = tableRows($, 'table.standings');
    expect(rows.map((row) => row.slice(1, 5))).toEqual(latest.map((entry) => [entry.name, entry.organization, shown(entry.priceInput!), shown(entry.priceOutput!)]));
    expect(rows.map((row) => row[0])).toEqual(latest.map(() => '–'));
    expect($('canvas[data-chart="prices"]').length).toBe(1);
    expect($('canvas[data-chart="scores"], canvas[data-chart="bump"]').length).toBe(0);
    const source = link($('canvas[data-chart="prices"]').attr('data-src')!);
    expect(source.searchParams.getAll('models')).toEqual(latest.map((entry) => entry.model));
    const body = await json<{ series: { model: string; points: { priceInput: number | null }[] }[] }>(source.pathname + source.search);
    const gpt = body.series.find((series) => series.model === 'openai/gpt-4o-2024-05-13')!;
    expect(gpt.points.map((point) => point.priceInput)).toEqual([5, 2.5]);
    // Model keys with slashes link to the model's page segment by segment.
    expect($('table.standings tbody th a').toArray().map((anchor) => $(anchor).attr('href'))).toEqual(latest.map((entry) => `/models/${entry.model}`));
  });
});

describe('/models/:id', () => {
  it('shows the canonical id, organization, country, every key, the current standing on each board, and a chart the API feeds', async () => {
    const { $ } = await page('/models/gpt-4o-2024-05-13');
    expect(textOf($, 'h1')).toBe('GPT-4o');
    const facts = Object.fromEntries(
      $('dl.facts > div')
        .toArray()
        .map((item) => [textOf($, $(item).find('dt')), textOf($, $(item).find('dd'))]),
    );
    expect(facts).toEqual({
      'Canonical id': 'gpt-4o-2024-05-13',
      Organization: 'openai',
      Country: 'US',
      'Listed as': `gpt-4o-2024-05-13 on ${TEXT}, gpt-4o-2024-05-13 on ${VISION}, openai/gpt-4o-2024-05-13 on ${PRICES}`,
    });
    const gpt = textAt(NOW).find((row) => row.model === 'gpt-4o-2024-05-13')!;
    // [board, rank, score, input, output, since]: on the text board since the capture its score last changed.
    expect(tableRows($, 'main table')).toEqual([
      [TEXT, String(gpt.rank), String(gpt.score), '–', '–', '2025-03-05 00:00 UTC'],
      [VISION, '2', '1200', '–', '–', '2025-03-01 00:00 UTC'],
      [PRICES, '–', '–', '2.500', '10', '2025-03-10 00:00 UTC'],
    ]);
    const source = $('canvas[data-chart="model-ranks"]').attr('data-src')!;
    expect(source).toBe('/v1/models/gpt-4o-2024-05-13/history');
    const history = await json<Record<string, unknown>>(source);
    expect(JSON.stringify(history)).toContain(TEXT);
  });

  it("links its organization to the events of that organization's models, on every board", async () => {
    const { $ } = await page('/models/gpt-4o-2024-05-13');
    const target = link($('dl.facts a').filter((_, anchor) => $(anchor).text() === 'openai').attr('href')!);
    expect(target.pathname + target.search).toBe('/events?organization=openai');
    const listed = await page(target.pathname + target.search);
    const models = listed.$('ol.events li a[href^="/models/"]').toArray().map((anchor) => listed.$(anchor).attr('href')!.replace('/models/', ''));
    expect(models.length).toBeGreaterThan(0);
    const openai = Object.values(MODELS).filter((model) => model.org === 'openai').map((model) => model.model);
    for (const model of models) expect(openai.some((key) => decodeURIComponent(model).endsWith(key)), model).toBe(true);
  });

  it('a model that left the board says where it was listed before', async () => {
    const { $ } = await page('/models/gemma-2-27b');
    expect(textOf($, '#now-title + *')).toBe('On no board now.');
    expect(textOf($, 'main')).toContain(`Listed before on ${TEXT}.`);
  });

  it("links the model's events and feed under every key it is listed as, on every board", async () => {
    const { $ } = await page('/models/gpt-4o-2024-05-13');
    const links = $('main a[href^="/events?model="]').toArray().map((anchor) => $(anchor).attr('href')!);
    const feeds = $('main a[href^="/feed.atom?model="]').toArray().map((anchor) => $(anchor).attr('href')!);
    expect(links.map((target) => link(target).searchParams.get('model')).sort()).toEqual(['gpt-4o-2024-05-13', 'openai/gpt-4o-2024-05-13']);
    expect(feeds.map((target) => link(target).searchParams.get('model')).sort()).toEqual(['gpt-4o-2024-05-13', 'openai/gpt-4o-2024-05-13']);
    const listed: EventKey[] = [];
    for (const target of links) listed.push(...pageEvents((await page(target)).$));
    // Its fall from #1 to #2 on the text board, and its price cut on the price board.
    expect(listed).toContain(keyOf({ capturedAt: '2025-02-01T00:00:00.000Z', kind: 'rank_changed', board: TEXT, model: 'gpt-4o-2024-05-13' }));
    expect(listed).toContain(keyOf({ capturedAt: '2025-03-10T00:00:00.000Z', kind: 'price_changed', board: PRICES, model: 'openai/gpt-4o-2024-05-13' }));
    for (const target of feeds) expect((await app.request(target)).status, target).toBe(200);
  });

  it('a model listed only under a key that is not its canonical id links its events under that key', async () => {
    const { $ } = await page('/models/anthropic/claude-3.5-haiku');
    expect(textOf($, 'dl.facts code')).toContain('claude-3.5-haiku');
    const targets = $('main a[href^="/events?model="], main a[href^="/feed.atom?model="]').toArray().map((anchor) => $(anchor).attr('href')!);
    expect(targets).toHaveLength(2);
    for (const target of targets) {
      expect(link(target).searchParams.get('model')).toBe('anthropic/claude-3.5-haiku');
      expect((await app.request(target)).status, target).toBe(200);
    }
  });

  it('a price board key with its provider prefix finds the model too', async () => {
    const { $ } = await page('/models/openai/gpt-4o-2024-05-13');
    expect(textOf($, 'dl.facts code')).toContain('gpt-4o-2024-05-13');
  });
});

// ---------------------------------------------------------------------------------------------
// Events

/** An event as the page and the API both tell it: when, what, where, whom. */
type EventKey = string;
const keyOf = (event: { capturedAt: string; kind: string; board: string; model: string | null }): EventKey =>
  `${event.capturedAt} ${event.kind} ${event.board} ${event.model ?? '-'}`;

function pageEvents($: CheerioAPI): EventKey[] {
  return $('ol.events > li')
    .toArray()
    .map((item) => {
      const kind = ($(item).attr('class') ?? '').split(/\s+/).find((name) => name !== 'event')!;
      const model = $(item).find('a[href^="/models/"]').attr('href');
      return keyOf({
        capturedAt: $(item).find('time').attr('datetime')!,
        kind,
        board: $(item).find('a[href^="/boards/"]').text(),
        model: model ? decodeURIComponent(model.replace(/^\/models\//, '')) : null,
      });
    });
}

async function apiEvents(query: string): Promise<StoredEvent[]> {
  return (await json<{ events: StoredEvent[] }>(`/v1/events?${query}&limit=1000`)).events;
}

const HEALTH: readonly string[] = ['scrape_failed', 'scrape_recovered', 'snapshot_quarantined'];

/** Entries and exits of the text board, worked out from its captures. */
function textMoves(): { entered: string[]; exited: string[] } {
  const entered: string[] = [];
  const exited: string[] = [];
  for (let index = 1; index < TEXT_CAPTURES.length; index++) {
    const before = new Set(rowsOf(TEXT_CAPTURES[index - 1]!.rows).map((row) => row.model));
    const after = new Set(rowsOf(TEXT_CAPTURES[index]!.rows).map((row) => row.model));
    const at = new Date(TEXT_CAPTURES[index]!.at).toISOString();
    for (const model of after) if (!before.has(model)) entered.push(keyOf({ capturedAt: at, kind: 'entered', board: TEXT, model }));
    for (const model of before) if (!after.has(model)) exited.push(keyOf({ capturedAt: at, kind: 'exited', board: TEXT, model }));
  }
  return { entered, exited };
}

describe('/events', () => {
  it('by board: the same events as /v1/events, in its order', async () => {
    const { $ } = await page(`/events?board=${TEXT}`);
    const listed = pageEvents($);
    expect(listed).toEqual((await apiEvents(`board=${TEXT}`)).map(keyOf));
    expect(listed.length).toBeGreaterThan(20);
    expect(listed.every((key) => key.split(' ')[2] === TEXT)).toBe(true);
    // Newest first.
    const times = listed.map((key) => key.split(' ')[0]!);
    expect([...times].sort().reverse()).toEqual(times);
    expect($('select[name="board"] option[selected]').attr('value')).toBe(TEXT);
  });

  it.each([['kind=entered&kind=exited'], ['kind=entered,exited'], ['kind=entered%2Cexited']])('by kinds (%s): the entries and exits of the history', async (query) => {
    const { $ } = await page(`/events?board=${TEXT}&${query}`);
    const listed = pageEvents($);
    expect(listed).toEqual((await apiEvents(`board=${TEXT}&kind=entered,exited`)).map(keyOf));
    const { entered, exited } = textMoves();
    expect([...listed].sort()).toEqual([...entered, ...exited].sort());
    expect(entered.length).toBe(2);
    expect(exited.length).toBe(1);
    expect($('input[name="kind"][checked]').toArray().map((box) => $(box).attr('value'))).toEqual(['entered', 'exited']);
  });

  it('by model: its events on every board', async () => {
    const { $ } = await page('/events?model=deepseek-r1');
    const listed = pageEvents($);
    expect(listed).toEqual((await apiEvents('model=deepseek-r1')).map(keyOf));
    expect(listed.every((key) => key.endsWith(' deepseek-r1'))).toBe(true);
    // Entered on 02-20, took the lead on 03-12.
    expect(listed).toContain(keyOf({ capturedAt: '2025-02-20T00:00:00.000Z', kind: 'entered', board: TEXT, model: 'deepseek-r1' }));
    expect(listed).toContain(keyOf({ capturedAt: '2025-03-12T00:00:00.000Z', kind: 'new_leader', board: TEXT, model: 'deepseek-r1' }));
    expect($('input[name="model"]').attr('value')).toBe('deepseek-r1');
  });

  it.each([
    [`board=${TEXT}&kind=rank_changed&kind=new_leader&model=gemini-2.0-pro`, { boards: [TEXT], models: ['gemini-2.0-pro'], kinds: ['rank_changed', 'new_leader'] }],
    [`board=${TEXT}&kind=gap_changed`, { boards: [TEXT], kinds: ['gap_changed'] }],
    [`board=${PRICES}`, { boards: [PRICES] }],
    ['', {}],
    ['kind=scrape_failed,snapshot_quarantined', { kinds: ['scrape_failed', 'snapshot_quarantined'], health: true }],
  ])('?%s: the feed, the API call and the subscription filter give the events the page lists', async (query, filters) => {
    const { $ } = await page(`/events?${query}`);
    const listed = pageEvents($);
    expect(listed.length, 'events listed').toBeGreaterThan(0);
    const requested = new URLSearchParams(query);
    const kinds = requested.getAll('kind').flatMap((kind) => kind.split(','));
    const links = $('details.same-elsewhere a').toArray().map((anchor) => link($(anchor).attr('href')!));
    const feed = links.find((url) => url.pathname === '/feed.atom')!;
    const api = links.find((url) => url.pathname === '/v1/events')!;
    for (const url of [feed, api]) {
      expect(url.searchParams.get('board'), url.pathname).toBe(requested.get('board'));
      expect(url.searchParams.get('model'), url.pathname).toBe(requested.get('model'));
    }
    expect(feed.searchParams.get('kind')?.split(',') ?? []).toEqual(kinds);
    // The API lists every kind unless told, the feed only the public ones: the link names them.
    expect(api.searchParams.get('kind')?.split(',') ?? []).toEqual(kinds.length ? kinds : EVENT_KINDS.filter((kind) => !HEALTH.includes(kind)));
    const viaApi = (await json<{ events: StoredEvent[] }>(api.pathname + api.search)).events;
    expect(viaApi.map(keyOf)).toEqual(listed);
    const atom = await app.request(feed.pathname + feed.search);
    expect(atom.status).toBe(200);
    expect(atom.headers.get('content-type')).toContain('application/atom+xml');

    const shown = JSON.parse($('details.same-elsewhere pre').text()) as unknown;
    expect(shown).toEqual(filters);
    // As a subscription, it takes exactly the announced events the page lists.
    const subscription = FiltersSchema.parse(shown);
    const every = await apiEvents('');
    const identify = identifyWith(identity);
    const matched = every.filter((event) => matchEvent(subscription, event, event.model ? identify(event.board, { model: event.model, name: event.name, organization: null }) : null));
    expect(matched.map(keyOf)).toEqual(listed);
  });

  it('?status= is kept in the feed and API links (the announced events, the default, need no parameter)', async () => {
    const links = async (query: string) => {
      const { $ } = await page(`/events?${query}`);
      return $('details.same-elsewhere a').toArray().map((anchor) => link($(anchor).attr('href')!));
    };
    for (const url of await links(`board=${TEXT}&status=all`)) expect(url.searchParams.get('status'), url.pathname).toBe('published,pending,reverted,superseded,retracted');
    for (const url of await links(`board=${TEXT}`)) expect(url.searchParams.has('status'), url.pathname).toBe(false);
  });

  it.each([[`board=${TEXT}`], [`board=${TEXT}&kind=entered,exited,new_leader`], ['']])('?%s&limit=1: "Older events" visits every event exactly once', async (query) => {
    const all = pageEvents((await page(`/events?${query}`)).$);
    const seen: EventKey[] = [];
    let next: string | undefined = `/events?${query}&limit=1`;
    while (next) {
      const { $ } = await page(next);
      const listed = pageEvents($);
      expect(listed, next).toHaveLength(1);
      seen.push(...listed);
      const older = $('a[rel="next"]');
      next = older.attr('href');
      if (next) {
        expect(older.text()).toBe('Older events');
        const url = link(next);
        expect(url.searchParams.get('limit')).toBe('1');
        for (const name of ['board', 'kind']) expect(url.searchParams.get(name), name).toBe(new URLSearchParams(query).get(name));
      }
      expect(seen.length).toBeLessThanOrEqual(all.length);
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(all);
  });
});

// ---------------------------------------------------------------------------------------------

describe('/labs', () => {
  interface Group {
    group: string;
    best: Expected;
    models: number;
  }
  /** Best model of each group, best first, with competition places. */
  function ranking(by: 'org' | 'country'): (Group & { place: number })[] {
    const groups = new Map<string, Expected[]>();
    for (const row of textAt(NOW)) {
      const group = row[by];
      if (group) groups.set(group, [...(groups.get(group) ?? []), row]);
    }
    const bests = [...groups].map(([group, rows]) => ({ group, models: rows.length, best: [...rows].sort((a, b) => b.score - a.score)[0]! }));
    bests.sort((a, b) => b.best.score - a.best.score);
    return bests.map((item) => ({ ...item, place: 1 + bests.filter((other) => other.best.score > item.best.score).length }));
  }
  const rowOf = (item: Group & { place: number }) => [String(item.place), item.group, item.best.name, String(item.best.rank), String(item.best.score), String(item.models)];

  it('ranks the labs and the countries by their best model', async () => {
    const { $ } = await page(`/labs?board=${TEXT}`);
    const [labs, countries] = $('main table').toArray();
    expect(tableRows($, labs!)).toEqual(ranking('org').map(rowOf));
    expect(tableRows($, countries!)).toEqual(ranking('country').map(rowOf));
    // At least two labs from each of the two countries.
    const origins = ranking('org').map((item) => item.best.country);
    expect(origins.filter((country) => country === 'US').length).toBeGreaterThanOrEqual(2);
    expect(origins.filter((country) => country === 'CN').length).toBeGreaterThanOrEqual(2);
    expect(ranking('country').map((item) => item.group)).toEqual(['CN', 'US', 'FR']);
    expect($('select[name="board"] option[selected]').attr('value')).toBe(TEXT);
  });

  it('states the US–China gap: the leader, the points, the percent, and whether the intervals overlap', async () => {
    const { $ } = await page(`/labs?board=${TEXT}`);
    const countries = ranking('country');
    const us = countries.find((item) => item.group === 'US')!.best;
    const cn = countries.find((item) => item.group === 'CN')!.best;
    const points = us.score - cn.score;
    const leader = points > 0 ? us : cn;
    const percent = ((Math.abs(points) / leader.score) * 100).toFixed(2);
    const overlap = us.score - HALF_WIDTH <= cn.score + HALF_WIDTH && cn.score - HALF_WIDTH <= us.score + HALF_WIDTH;
    expect(leader.country).toBe('CN');
    expect(textOf($, 'p.gap')).toBe(
      `${leader.country} leads by ${Math.abs(points)} points (${percent}%): ${us.name} (US) ${us.score} against ${cn.name} (CN) ${cn.score}; ${overlap ? 'inside the published intervals: the two best could be level' : 'outside the published intervals'}.`,
    );
    expect(overlap).toBe(false);
    const source = $('canvas[data-chart="gap"]').attr('data-src')!;
    const history = await json<{ aggregates: unknown[] } | unknown[]>(source);
    expect(JSON.stringify(history)).toContain('"US"');
  });

  it('with no board named shows the text board; a board without scores has no gap', async () => {
    expect(textOf((await page('/labs')).$, 'p.gap')).toBe(textOf((await page(`/labs?board=${TEXT}`)).$, 'p.gap'));
    const { $ } = await page(`/labs?board=${PRICES}`);
    expect($('p.gap').length).toBe(0);
    expect(textOf($, 'main')).toContain('This board has no scored model from both the US and China.');
  });

  it('an unknown board is a 404 page', async () => {
    const { status, $ } = await get('/labs?board=nope');
    expect(status).toBe(404);
    expect(textOf($, 'main .error')).toBe('unknown board: nope');
  });
});

describe('/health', () => {
  it('shows the failed scrape, the quarantined capture and the operator events', async () => {
    const { $ } = await page('/health');
    expect(textOf($, 'p.lead .badge')).toBe('1 failing');
    const rows = new Map(tableRows($, 'main table').map((row) => [row[0]!, row.slice(1)]));
    expect(rows.get(WEBDEV)).toEqual(['failing', '2025-03-14 00:00 UTC', 'failed (live)', '503', 'HTTP 503']);
    expect(rows.get(VISION)).toEqual(['quarantined', '2025-03-08 00:00 UTC', 'quarantined (import)', '–', 'duplicate model keys: "evil-model" ×2']);
    expect(rows.get(TEXT)).toEqual(['ok', '2025-03-12 00:00 UTC', 'changed (import)', '–', '']);
    const held = $('#quarantine-title').parent().find('li').toArray();
    expect(held.map((item) => textOf($, item))).toEqual([`2025-03-08 00:00 UTC ${VISION}: 3 rows held back: duplicate model keys: "evil-model" ×2`]);
    const detail = await json<{ board: string; rowCount: number }>($(held[0]).find('a[href^="/v1/quarantine/"]').attr('href')!);
    expect(detail).toMatchObject({ board: VISION, rowCount: 3 });
    const operator = $('#operator-title').parent().find('li').toArray().map((item) => textOf($, item));
    expect(operator).toHaveLength(2);
    expect(operator[0]).toMatch(/^2025-03-14 00:00 UTC lmarena-webdev: .*HTTP 503/);
    expect(operator[1]).toMatch(/^2025-03-08 00:00 UTC lmarena-vision: .*quarantined/);
  });
});

// ---------------------------------------------------------------------------------------------

describe('errors are pages that say what is wrong', () => {
  it.each([
    ['/boards/nope', 404, 'unknown board: nope'],
    ['/models/nope', 404, 'unknown model: nope'],
    ['/assets/nope.js', 404, 'no dashboard file nope.js'],
    ['/events?board=nope', 404, 'unknown board: nope'],
    ['/events?model=nope', 404, 'unknown model: nope'],
    [`/boards/${TEXT}?days=7`, 400, 'days'],
    [`/boards/${TEXT}?top=0`, 400, 'top'],
    [`/boards/${TEXT}?top=31`, 400, 'top'],
    [`/boards/${TEXT}?at=2024-02-30`, 400, 'at'],
    [`/boards/${TEXT}?at=2025-03-01&at=2025-03-02`, 400, 'at'],
    ['/labs?board=nope', 404, 'unknown board: nope'],
    ['/events?limit=0', 400, 'limit'],
    ['/events?kind=nope', 400, 'kind'],
    ['/events?since=yesterday', 400, 'since'],
  ])('%s: %i', async (path, status, said) => {
    const answer = await get(path);
    expect(answer.status).toBe(status);
    expect(answer.headers.get('content-type')).toMatch(/^text\/html/i);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.headers.get('etag')).toBeNull();
    const message = textOf(answer.$, 'main .error');
    if (status === 400) {
      // The parameter named first, then why.
      expect(answer.$('main .error code').first().text()).toBe(said);
      expect(message.startsWith(`${said}: `)).toBe(true);
      expect(textOf(answer.$, 'h1')).toBe('Not a valid request');
    } else {
      expect(message).toBe(said);
      expect(textOf(answer.$, 'h1')).toBe('Not found');
    }
  });

  it('the message names the parameter once, then says why', async () => {
    const message = async (path: string) => textOf((await get(path)).$, 'main .error');
    expect(await message(`/boards/${TEXT}?at=2025-03-01&at=2025-03-02`)).toBe('at: given 2 times; give it once');
    expect(await message(`/boards/${TEXT}?days=7`)).toBe('days: one of 30, 90, 365, 0 (0: all), got "7"');
    expect(await message(`/boards/${TEXT}?top=0`)).toBe('top: a whole number from 1 to 30, got "0"');
    expect(await message(`/boards/${TEXT}?at=2024-02-30`)).toMatch(/^at: expected an ISO 8601 date .* got "2024-02-30": there is no day 30 in February 2024/);
  });
});

describe('/assets/', () => {
  it.each([
    ['chart.umd.min.js', 'text/javascript; charset=utf-8', 'Chart'],
    ['dashboard.js', 'text/javascript; charset=utf-8', 'data-chart'],
    ['dashboard.css', 'text/css; charset=utf-8', 'prefers-color-scheme'],
  ])('%s: 200 %s with an ETag, 304 to If-None-Match', async (name, type, contains) => {
    const response = await app.request(`/assets/${name}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(type);
    const etag = response.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    expect(await response.text()).toContain(contains);
    const again = await app.request(`/assets/${name}`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });
});

describe('a name holding markup is shown as text', () => {
  it.each([['/'], [`/boards/${TEXT}`], ['/models/evil-model'], [`/events?board=${TEXT}`]])('%s', async (path) => {
    const { text, $ } = await page(path);
    expect(text).not.toContain('<script>alert(1)</script>');
    expect(text).toContain(EVIL_ESCAPED);
    expect($('script').toArray().every((script) => !$(script).text().includes('alert'))).toBe(true);
    expect($('main').text()).toContain(EVIL);
  });

  it('on the model page, as its title and heading', async () => {
    const { $ } = await page('/models/evil-model');
    expect($('h1').text()).toBe(EVIL);
    expect($('title').text()).toBe(`${EVIL} · rankwatch`);
  });
});

// ---------------------------------------------------------------------------------------------

const PAGES = [
  '/',
  `/boards/${TEXT}`,
  `/boards/${TEXT}?at=2025-03-06&top=3&days=30`,
  `/boards/${PRICES}`,
  `/boards/${WEBDEV}`,
  '/models/gpt-4o-2024-05-13',
  '/models/evil-model',
  '/models/anthropic/claude-3.5-haiku',
  '/events',
  `/events?board=${TEXT}&kind=entered&limit=1`,
  `/labs?board=${TEXT}`,
  `/labs?board=${PRICES}`,
  '/health',
];

describe('every page', () => {
  it.each(PAGES.map((path) => [path]))('%s: one h1, main, nav, lang, title, the three feeds announced, table headers with a scope', async (path) => {
    const { $ } = await page(path);
    expectWellFormed($);
  });

  it.each([['/boards/nope'], [`/boards/${TEXT}?days=7`]])('error page %s is as well formed', async (path) => {
    const { $, status } = await get(path);
    expect(status).toBeGreaterThanOrEqual(400);
    expectWellFormed($);
  });

  it.each(PAGES.map((path) => [path]))('%s: every link and chart source on it answers', async (path) => {
    const { $ } = await page(path);
    const targets = new Set(
      [...$('a[href]').toArray().map((anchor) => $(anchor).attr('href')!), ...$('[data-src]').toArray().map((element) => $(element).attr('data-src')!)].filter((target) =>
        // This app is made without metrics (`metrics: null`), so the health page's /metrics link has nothing behind it.
        target.startsWith('/') && target !== '/metrics',
      ),
    );
    expect(targets.size).toBeGreaterThan(5);
    const broken: string[] = [];
    for (const target of targets) {
      const response = await app.request(target);
      if (response.status >= 400) broken.push(`${target}: ${response.status}`);
    }
    expect(broken).toEqual([]);
  });
});

function expectWellFormed($: CheerioAPI): void {
  expect($('html').attr('lang')).toBe('en');
  expect($('h1').length).toBe(1);
  expect($('main').length).toBe(1);
  expect($('nav').length).toBeGreaterThanOrEqual(1);
  expect($('title').length).toBe(1);
  expect($('title').text()).toMatch(/\S · rankwatch$/);
  const feeds = $('head link[rel="alternate"]')
    .toArray()
    .map((element) => `${$(element).attr('type')} ${$(element).attr('href')}`);
  expect(feeds).toEqual(['application/rss+xml /feed.xml', 'application/atom+xml /feed.atom', 'application/feed+json /feed.json']);
  for (const table of $('table').toArray()) {
    const headers = $(table).find('th').toArray();
    expect(headers.length).toBeGreaterThan(0);
    expect(headers.map((cell) => $(cell).attr('scope')).filter((scope) => scope !== 'col' && scope !== 'row')).toEqual([]);
    expect($(table).find('thead th[scope="col"]').length).toBeGreaterThan(0);
  }
}
