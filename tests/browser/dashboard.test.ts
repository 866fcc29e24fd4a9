import { readFile } from 'node:fs/promises';
import type { Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBoard } from '../../scrapers/index.ts';
import { createApp } from '../../src/api/app.ts';
import { announcerWith, boardKeyWith } from '../../src/context.ts';
import { EVENT_KINDS } from '../../src/diff/events.ts';
import { makeEntry, type Entry } from '../../src/entry.ts';
import { attributionFor, loadIdentity } from '../../src/identity/identity.ts';
import { applyCapture, recordScrape, type CaptureResult } from '../../src/ingest/store.ts';
import { dashboardCharts, describeBrowser, PHONE, screenshot, watchedPage, type PageOptions, type PageProblems, type WatchedPage } from '../support/browser.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { serveApp, type ServedApp } from '../support/serve.ts';

// The dashboard's pages in headless Chromium over real HTTP, on a history stored the way a scrape
// stores it (applyCapture with model identity): LMArena's text arena over five months (models
// climbing, entering, leaving and coming back; US and Chinese labs trading the lead, inside and
// outside the published intervals), its WebDev arena, and OpenRouter's price list (GPT-4o on all
// three). What the charts must draw is worked out here from the API's JSON and from the entries
// stored, never by the page's own code. The browser's clock is the server's (NOW): the charts'
// windows end at the page's `Date.now()`.

const DAY = 86_400_000;
const NOW = new Date('2025-05-20T12:00:00.000Z');
const TEXT = 'lmarena-text';
const WEBDEV = 'lmarena-webdev';
const PRICES = 'openrouter-prices';
/** On all three boards: its page's chart has one line per board that ranks it. */
const GPT4O = 'gpt-4o-2024-05-13';
/** The kinds the events page and the feeds list unless asked for others: all but the operator events. */
const PUBLIC_KINDS = EVENT_KINDS.filter((kind) => !['scrape_failed', 'scrape_recovered', 'snapshot_quarantined'].includes(kind));
const CLEAN: PageProblems = { consoleErrors: [], consoleWarnings: [], pageErrors: [], failedRequests: [], offHost: [] };

/** A model of the text arena: its LMArena key, display name, organization (as LMArena spells it) and country. */
interface Model {
  key: string;
  name: string;
  organization: string;
  country: 'US' | 'CN' | 'FR';
}

const MODELS: Record<string, Model> = {
  A: { key: 'gemini-exp-1206', name: 'Gemini-Exp-1206', organization: 'Google', country: 'US' },
  B: { key: 'chatgpt-4o-latest-20241120', name: 'ChatGPT-4o-latest (2024-11-20)', organization: 'OpenAI', country: 'US' },
  C: { key: GPT4O, name: 'GPT-4o-2024-05-13', organization: 'OpenAI', country: 'US' },
  D: { key: 'o1-2024-12-17', name: 'o1-2024-12-17', organization: 'OpenAI', country: 'US' },
  E: { key: 'claude-3-5-sonnet-20241022', name: 'Claude 3.5 Sonnet (20241022)', organization: 'Anthropic', country: 'US' },
  F: { key: 'grok-2-2024-08-13', name: 'Grok-2-08-13', organization: 'xAI', country: 'US' },
  G: { key: 'llama-3.1-405b-instruct-bf16', name: 'Meta-Llama-3.1-405B-Instruct-bf16', organization: 'Meta', country: 'US' },
  H: { key: 'gemini-2.5-pro-exp-03-25', name: 'Gemini-2.5-Pro-Exp-03-25', organization: 'Google', country: 'US' },
  I: { key: 'deepseek-v3', name: 'DeepSeek-V3', organization: 'DeepSeek', country: 'CN' },
  J: { key: 'deepseek-r1', name: 'DeepSeek-R1', organization: 'DeepSeek', country: 'CN' },
  K: { key: 'qwen-max-2025-01-25', name: 'Qwen2.5-Max', organization: 'Alibaba', country: 'CN' },
  L: { key: 'glm-4-plus', name: 'GLM-4-Plus', organization: 'Zhipu', country: 'CN' },
  M: { key: 'yi-lightning', name: 'Yi-Lightning', organization: '01 AI', country: 'CN' },
  N: { key: 'step-2-16k-exp-202412', name: 'Step-2-16K-Exp', organization: 'StepFun', country: 'CN' },
  O: { key: 'hunyuan-turbos-20250226', name: 'Hunyuan-TurboS-20250226', organization: 'Tencent', country: 'CN' },
  P: { key: 'mistral-large-2411', name: 'Mistral-Large-2411', organization: 'Mistral', country: 'FR' },
  Q: { key: 'qwen3-235b-a22b', name: 'Qwen3-235B-A22B', organization: 'Alibaba', country: 'CN' },
};

/** A model's score at one capture and its interval's half width ([score - w, score + w]). */
type Scored = [score: number, halfWidth: number];

/**
 * The text arena's captures. Ranks follow the scores (competition ranking: E and K tie at the
 * end). The best US model against the best Chinese one: US ahead outside the intervals, US ahead
 * inside them, China ahead inside, China ahead outside, US ahead outside, US ahead inside. o1
 * passes Gemini and ChatGPT-4o clear of their intervals on 2025-03-20 (a significant move). Grok-2
 * leaves for two captures and comes back into the top 10; Llama leaves for good; DeepSeek-R1,
 * Qwen2.5-Max, Hunyuan, Gemini 2.5 and Qwen3 enter.
 */
const TEXT_CAPTURES: { at: string; scores: Record<string, Scored> }[] = [
  { at: '2025-01-10', scores: { A: [1365, 4], B: [1360, 4], D: [1352, 5], E: [1340, 4], C: [1330, 4], I: [1318, 5], F: [1300, 4], G: [1295, 4], L: [1290, 5], M: [1285, 5], N: [1280, 6], P: [1275, 5] } },
  { at: '2025-02-01', scores: { A: [1366, 4], J: [1362, 8], B: [1361, 4], D: [1355, 5], E: [1338, 4], C: [1331, 4], I: [1320, 5], F: [1301, 4], G: [1294, 4], L: [1291, 5], M: [1283, 5], N: [1282, 6], P: [1274, 5] } },
  { at: '2025-03-01', scores: { J: [1380, 8], A: [1375, 4], B: [1372, 4], D: [1368, 5], E: [1345, 4], K: [1340, 7], C: [1333, 4], I: [1322, 5], G: [1296, 4], L: [1292, 5], M: [1284, 5], N: [1283, 6] } },
  { at: '2025-03-20', scores: { J: [1398, 6], D: [1385, 4], A: [1376, 4], B: [1374, 4], E: [1350, 4], K: [1345, 6], C: [1334, 4], I: [1323, 5], O: [1310, 8], L: [1293, 5], M: [1285, 5], N: [1284, 6] } },
  { at: '2025-04-15', scores: { H: [1420, 7], J: [1396, 6], A: [1377, 4], B: [1375, 4], D: [1371, 5], E: [1352, 4], K: [1346, 5], F: [1340, 6], C: [1336, 4], I: [1324, 5], O: [1312, 7], L: [1294, 5], M: [1286, 5], N: [1285, 6], P: [1276, 5] } },
  { at: '2025-05-10', scores: { H: [1422, 7], Q: [1418, 8], J: [1397, 6], A: [1378, 4], B: [1376, 4], D: [1372, 5], E: [1353, 4], K: [1353, 5], F: [1341, 5], C: [1337, 4], I: [1325, 5], O: [1313, 6], L: [1295, 5], M: [1287, 5], N: [1286, 6], P: [1277, 5] } },
];

/** The WebDev arena: GPT-4o climbs from 3 to 2, clear of DeepSeek-V3's interval. */
const WEBDEV_CAPTURES: { at: string; scores: Record<string, Scored> }[] = [
  { at: '2025-02-10', scores: { E: [1250, 6], I: [1210, 7], C: [1200, 6], A: [1190, 6] } },
  { at: '2025-04-20', scores: { E: [1255, 6], C: [1230, 6], I: [1212, 7], A: [1195, 6] } },
];

/** OpenRouter's price list: USD per million input and output tokens (no rank, no score). */
const PRICE_CAPTURES: { at: string; prices: Record<string, [name: string, input: number, output: number]> }[] = [
  {
    at: '2025-01-15',
    prices: {
      'openai/gpt-4o-2024-05-13': ['OpenAI: GPT-4o (2024-05-13)', 5, 15],
      'openai/o1': ['OpenAI: o1', 15, 60],
      'anthropic/claude-3.5-sonnet': ['Anthropic: Claude 3.5 Sonnet', 3, 15],
      'deepseek/deepseek-chat': ['DeepSeek: DeepSeek V3', 0.14, 0.28],
      'qwen/qwen-max': ['Qwen: Qwen-Max', 1.6, 6.4],
      'x-ai/grok-2-1212': ['xAI: Grok 2 1212', 2, 10],
      'mistralai/mistral-large-2411': ['Mistral Large 2411', 2, 6],
      'meta-llama/llama-3.1-405b-instruct': ['Meta: Llama 3.1 405B Instruct', 0.8, 0.8],
    },
  },
  {
    at: '2025-03-10',
    prices: {
      'openai/gpt-4o-2024-05-13': ['OpenAI: GPT-4o (2024-05-13)', 5, 15],
      'openai/o1': ['OpenAI: o1', 15, 60],
      'anthropic/claude-3.5-sonnet': ['Anthropic: Claude 3.5 Sonnet', 3, 15],
      'google/gemini-2.0-flash-001': ['Google: Gemini 2.0 Flash', 0.1, 0.4],
      'deepseek/deepseek-chat': ['DeepSeek: DeepSeek V3', 0.27, 1.1],
      'deepseek/deepseek-r1': ['DeepSeek: R1', 0.55, 2.19],
      'qwen/qwen-max': ['Qwen: Qwen-Max', 1.6, 6.4],
      'mistralai/mistral-large-2411': ['Mistral Large 2411', 2, 6],
      'meta-llama/llama-3.1-405b-instruct': ['Meta: Llama 3.1 405B Instruct', 3, 3],
    },
  },
  {
    at: '2025-05-05',
    prices: {
      'openai/gpt-4o-2024-05-13': ['OpenAI: GPT-4o (2024-05-13)', 2.5, 10],
      'openai/o1': ['OpenAI: o1', 15, 60],
      'anthropic/claude-3.5-sonnet': ['Anthropic: Claude 3.5 Sonnet', 3, 15],
      'google/gemini-2.0-flash-001': ['Google: Gemini 2.0 Flash', 0.1, 0.4],
      'deepseek/deepseek-chat': ['DeepSeek: DeepSeek V3', 0.27, 1.1],
      'deepseek/deepseek-r1': ['DeepSeek: R1', 0.5, 2.18],
      'qwen/qwen-max': ['Qwen: Qwen-Max', 1.6, 6.4],
      'mistralai/mistral-large-2411': ['Mistral Large 2411', 2, 6],
      'meta-llama/llama-3.1-405b-instruct': ['Meta: Llama 3.1 405B Instruct', 0.8, 0.8],
    },
  },
];

/** Ranked entries from scores: competition ranking, best score first. */
function ranked(scores: Record<string, Scored>): Entry[] {
  const rows = Object.entries(scores).sort((a, b) => b[1][0] - a[1][0]);
  return rows.map(([letter, [score, width]]) => {
    const model = MODELS[letter]!;
    const rank = 1 + rows.filter(([, [other]]) => other > score).length;
    return makeEntry({ model: model.key, name: model.name, organization: model.organization, rank, score, scoreLower: score - width, scoreUpper: score + width, votes: 10_000 });
  });
}

/** The US–China gap at each text capture, from the entries stored: the best of each country, signed (US ahead: above 0). */
function expectedGaps(): { at: number; percent: number; inside: boolean }[] {
  return TEXT_CAPTURES.map(({ at, scores }) => {
    const best = (country: string) =>
      Object.entries(scores)
        .filter(([letter]) => MODELS[letter]!.country === country)
        .map(([, [score, width]]) => ({ score, lower: score - width, upper: score + width }))
        .sort((a, b) => b.score - a.score)[0]!;
    const [us, cn] = [best('US'), best('CN')];
    const leader = us.score >= cn.score ? us : cn;
    const percent = Math.round((Math.abs(us.score - cn.score) / leader.score) * 100 * 100) / 100;
    return { at: Date.parse(`${at}T00:00:00Z`), percent: Math.sign(us.score - cn.score) * percent, inside: us.lower <= cn.upper && cn.lower <= us.upper };
  });
}

/** A stored period of one value, as the API's series and model history give it. */
interface Period {
  from: string;
  to: string | null;
  value: number | null;
}

/**
 * The line a chart draws of a model's periods in the window [since, until]: each period from its
 * start to its end (clipped to the window), and a break (y null) where the model was off the board.
 */
function stepsOf(periods: readonly Period[], since: number, until: number): [number, number | null][] {
  const out: [number, number | null][] = [];
  let end: number | null = null;
  for (const period of periods) {
    if (period.value === null) continue;
    const from = Math.max(Date.parse(period.from), since);
    const to = Math.min(period.to === null ? until : Date.parse(period.to), until);
    if (end !== null && from > end) out.push([end, null]);
    out.push([from, period.value], [to, period.value]);
    end = to;
  }
  return out;
}

/** The start (UTC midnight) of the board page's window of `days` before `at`. */
const windowStart = (at: Date, days: number) => Math.floor((at.getTime() - days * DAY) / DAY) * DAY;

interface SeriesBody {
  since: string | null;
  until: string | null;
  series: { model: string; name: string | null; points: { from: string; to: string | null; rank: number | null; score: number | null; scoreLower: number | null; scoreUpper: number | null; priceInput: number | null }[] }[];
}
interface StandingsBody {
  entries: { rank: number | null; model: string; name: string; organization: string | null; score: number | null; priceInput: number | null; priceOutput: number | null }[];
}
interface EventBody {
  id: number;
  board: string;
  kind: string;
  model: string | null;
  capturedAt: string;
  snapshotId: number | null;
}

/** A chart as Chart.js holds it: each dataset's points, its x scale's range. */
interface DrawnChart {
  id: string;
  state: string | null;
  x: { min: number; max: number } | null;
  datasets: { label: string; model: string | null; band: boolean; fill: unknown; data: [number, number | null][]; background: unknown }[];
  note: string | null;
}

/** Every chart of the page, once it is ready: its state, the note after it, and its datasets. */
async function drawnCharts(page: Page): Promise<DrawnChart[]> {
  await dashboardCharts(page);
  return page.evaluate<DrawnChart[]>(`[...document.querySelectorAll('canvas[data-chart]')].map((canvas) => {
    const chart = typeof Chart === 'undefined' ? undefined : Chart.getChart(canvas);
    const note = canvas.nextElementSibling;
    return {
      id: canvas.id,
      state: canvas.dataset.state ?? null,
      x: chart ? { min: chart.scales.x.min, max: chart.scales.x.max } : null,
      datasets: chart
        ? chart.data.datasets.map((dataset) => ({
            label: String(dataset.label),
            model: dataset.model ?? null,
            band: dataset.band === true,
            fill: dataset.fill ?? null,
            data: dataset.data.map((point) => [point.x, point.y]),
            background: dataset.backgroundColor ?? null,
          }))
        : [],
      note: note && note.tagName === 'P' ? note.className + ': ' + note.textContent : null,
    };
  })`);
}

/** The rows of the standings table: rank, model name, its link. */
function standingsRows(page: Page): Promise<string[][]> {
  return page.$$eval('table.standings tbody tr', (rows) =>
    rows.map((row) => [row.cells[0]!.textContent!.trim(), row.querySelector('th')!.textContent!.trim(), row.querySelector('th a')!.getAttribute('href')!]),
  );
}

/** The rows the standings table must have, from the API's standings. */
const expectedRows = (body: StandingsBody) => body.entries.map((entry) => [entry.rank === null ? '–' : String(entry.rank), entry.name, `/models/${entry.model.split('/').map(encodeURIComponent).join('/')}`]);

/** The events listed on an events page, as the API's events would be listed. */
function listedEvents(page: Page): Promise<string[]> {
  return page.$$eval('ol.events > li', (items) =>
    items.map((item) =>
      [
        item.className,
        item.querySelector('time')!.getAttribute('datetime'),
        item.querySelector('a[href^="/boards/"]')!.textContent!.trim(),
        item.querySelector('a[href^="/models/"]')?.getAttribute('href') ?? '-',
        item.querySelector('a[href^="/v1/changes/"]')?.getAttribute('href') ?? '-',
      ].join(' '),
    ),
  );
}

const asListed = (events: readonly EventBody[]) =>
  events.map((event) =>
    [
      `event ${event.kind}`,
      event.capturedAt,
      event.board,
      event.model ? `/models/${event.model.split('/').map(encodeURIComponent).join('/')}` : '-',
      event.snapshotId === null ? '-' : `/v1/changes/${event.snapshotId}`,
    ].join(' '),
  );

/**
 * How wide the page is, and what reaches past the phone's width other than inside a `.scroll`
 * wrapper (an element inside one whose box is placed outside it, absolutely, counts).
 */
function overflowing(page: Page): Promise<{ scrollWidth: number; culprits: string[] }> {
  return page.evaluate(`(() => {
    const width = ${PHONE.width};
    // The wrapper clips what flows inside it; an absolutely placed box only if it is placed against the wrapper or inside it.
    const contained = (element) => {
      const wrapper = element.closest('.scroll');
      if (wrapper === null) return false;
      if (!['absolute', 'fixed'].includes(getComputedStyle(element).position)) return true;
      return element.offsetParent !== null && wrapper.contains(element.offsetParent);
    };
    const culprits = [...document.querySelectorAll('body *')]
      .filter((element) => element.getBoundingClientRect().right > width + 0.5 && !contained(element))
      .map((element) => element.tagName.toLowerCase() + (element.className ? '.' + element.className : '') + ': ' + (element.textContent || '').trim().slice(0, 60));
    return { scrollWidth: document.documentElement.scrollWidth, culprits };
  })()`);
}

/** Relative luminance (0 black … 1 white) of a CSS `rgb()` colour. */
function luminance(color: string): number {
  const [r, g, b] = (color.match(/[\d.]+/g) ?? []).slice(0, 3).map((part) => {
    const channel = Number(part) / 255;
    return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

describeBrowser('the dashboard in Chromium, on a stored history', (browser) => {
  let database: TestDatabase;
  let served: ServedApp;
  const identity = loadIdentity();
  const serverErrors: string[] = [];
  const quarantined: CaptureResult[] = [];

  /**
   * A page with the browser's clock at NOW, opened at `path`, watched from its first request;
   * `before` prepares the page before it is opened (routes).
   */
  async function open(path: string, options: PageOptions = {}, before?: (page: Page) => Promise<unknown>): Promise<WatchedPage & { response: Response | null }> {
    const watched = await watchedPage(browser(), options);
    try {
      await watched.page.clock.setFixedTime(NOW);
      await before?.(watched.page);
      const response = await watched.page.goto(`${served.origin}${path}`, { waitUntil: 'load' });
      return { ...watched, response };
    } catch (error) {
      await watched.close();
      throw error;
    }
  }

  async function api<T>(path: string): Promise<T> {
    const response = await fetch(`${served.origin}${path}`, { headers: { accept: 'application/json' } });
    const text = await response.text();
    expect(response.status, `${path}: ${text.slice(0, 300)}`).toBe(200);
    return JSON.parse(text) as T;
  }

  /** Every event `/v1/events` lists for a query string, following its pages. */
  async function allEvents(search: string): Promise<EventBody[]> {
    const events: EventBody[] = [];
    let cursor: string | null = null;
    do {
      const query = new URLSearchParams(search);
      if (cursor) query.set('cursor', cursor);
      const body: { events: EventBody[]; next: string | null } = await api(`/v1/events?${query}`);
      events.push(...body.events);
      cursor = body.next;
    } while (cursor);
    return events;
  }

  /** The top `top` of a board now, and their series over the window the board page asks for. */
  async function expectedSeries(board: string, top: number, since: number | null, until: Date | null): Promise<{ standings: StandingsBody['entries']; series: SeriesBody }> {
    const standings = (await api<StandingsBody>(`/v1/boards/${board}/standings${until ? `?at=${until.toISOString()}` : ''}`)).entries.slice(0, top);
    const query = new URLSearchParams(standings.map((entry): [string, string] => ['models', entry.model]));
    if (since !== null) query.set('since', new Date(since).toISOString());
    if (until) query.set('until', until.toISOString());
    return { standings, series: await api<SeriesBody>(`/v1/boards/${board}/history?${query}`) };
  }

  async function capture(board: string, at: string, entries: Entry[], ranAt?: Date): Promise<CaptureResult> {
    const found = findBoard(board)!;
    return applyCapture(database.db, {
      board,
      capturedAt: new Date(`${at}T00:00:00Z`),
      ranAt: ranAt ?? new Date(Date.parse(`${at}T00:00:00Z`) + 5 * 60_000),
      entries,
      origin: 'import',
      source: `${board}-${at}.json`,
      contentHash: `${board}-${at}-${entries.length}`,
      format: 'test',
      parserVersion: '1',
      publishedAt: null,
      // The board's direction; the default sanity thresholds (the real ones expect hundreds of rows).
      health: { direction: found.board.direction },
      attribute: attributionFor(identity, found.scraper.id),
      onAnnounced: announcerWith(identity),
      boardKey: boardKeyWith(identity, found.scraper),
      // Announced at once: every change of the history is an event.
      settle: { scrapes: 1 },
    });
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    for (const { at, scores } of TEXT_CAPTURES) expect((await capture(TEXT, at, ranked(scores))).status).not.toBe('quarantined');
    for (const { at, scores } of WEBDEV_CAPTURES) expect((await capture(WEBDEV, at, ranked(scores))).status).not.toBe('quarantined');
    for (const { at, prices } of PRICE_CAPTURES) {
      const entries = Object.entries(prices).map(([model, [name, priceInput, priceOutput]]) => makeEntry({ model, name, organization: model.split('/')[0]!, priceInput, priceOutput }));
      expect((await capture(PRICES, at, entries)).status).not.toBe('quarantined');
    }
    // Operator news for the health page: a text-arena capture that lost most rows (held back), a WebDev scrape that failed.
    quarantined.push(await capture(TEXT, '2025-05-12', ranked(TEXT_CAPTURES.at(-1)!.scores).slice(0, 4)));
    await recordScrape(database.db, {
      board: WEBDEV,
      status: 'failed',
      origin: 'live',
      capturedAt: new Date('2025-05-15T06:00:00Z'),
      ranAt: new Date('2025-05-15T06:00:00Z'),
      source: 'https://lmarena.ai/leaderboard/webdev',
      httpStatus: 503,
      error: 'HTTP 503 Service Unavailable',
    });
    served = await serveApp(createApp({ db: database.db, identity, metrics: null, now: () => NOW, logError: (message) => serverErrors.push(message) }).fetch);
  }, 120_000);

  afterAll(async () => {
    await served?.close();
    await database?.drop();
  });

  it('stored the history the pages are built on', async () => {
    expect(quarantined.map((result) => result.status)).toEqual(['quarantined']);
    const { boards } = await api<{ boards: { id: string; snapshots: number; lastScrape: { status: string } | null }[] }>('/v1/boards');
    const byId = new Map(boards.map((board) => [board.id, board]));
    expect([TEXT, WEBDEV, PRICES].map((id) => [id, byId.get(id)?.snapshots, byId.get(id)?.lastScrape?.status])).toEqual([
      [TEXT, TEXT_CAPTURES.length, 'quarantined'],
      [WEBDEV, WEBDEV_CAPTURES.length, 'failed'],
      [PRICES, PRICE_CAPTURES.length, 'changed'],
    ]);
    // GPT-4o is one model on the three boards.
    const model = await api<{ boards: { board: string }[] }>(`/v1/models/${GPT4O}`);
    expect(model.boards.map((row) => row.board).sort()).toEqual([TEXT, WEBDEV, PRICES].sort());
  });

  describe('every page: clean, ready, charts drawn, screenshots kept', () => {
    const PAGES: [name: string, path: string, charts: string[]][] = [
      ['overview', '/', []],
      ['board-lmarena-text', `/boards/${TEXT}`, ['bump-chart', 'score-chart']],
      ['board-openrouter-prices', `/boards/${PRICES}`, ['price-chart']],
      ['model', `/models/${GPT4O}`, ['model-chart']],
      ['events', '/events', []],
      ['labs', '/labs', ['gap-chart']],
      ['health', '/health', []],
    ];

    it.each(PAGES)('%s (%s) in light mode on a desktop', async (name, path, charts) => {
      const opened = await open(path);
      try {
        expect(opened.response?.status()).toBe(200);
        const drawn = await drawnCharts(opened.page);
        expect(drawn.map((chart) => [chart.id, chart.state, chart.note])).toEqual(charts.map((id) => [id, 'drawn', null]));
        for (const chart of drawn) expect(chart.datasets.some((dataset) => dataset.data.length > 0)).toBe(true);
        expect(await opened.page.evaluate('matchMedia("(prefers-color-scheme: dark)").matches')).toBe(false);
        expect(await opened.page.locator('main h1').count()).toBe(1);
        const file = await screenshot(opened.page, `dashboard-${name}`);
        expect((await readFile(file)).subarray(1, 4).toString()).toBe('PNG');
        expect(opened.problems).toEqual(CLEAN);
      } finally {
        await opened.close();
      }
    });

    it.each([
      ['board-lmarena-text', `/boards/${TEXT}`, 2],
      ['events', `/events?board=${TEXT}`, 0],
    ])('%s (%s) in dark mode on a phone', async (name, path, charts) => {
      const opened = await open(path, { colorScheme: 'dark', phone: true });
      try {
        const drawn = await drawnCharts(opened.page);
        expect(drawn.map((chart) => chart.state)).toEqual(Array(charts).fill('drawn'));
        expect(await opened.page.evaluate('[innerWidth, matchMedia("(prefers-color-scheme: dark)").matches]')).toEqual([PHONE.width, true]);
        await screenshot(opened.page, `dashboard-${name}-dark-phone`);
        expect(opened.problems).toEqual(CLEAN);
      } finally {
        await opened.close();
      }
    });
  });

  describe('the charts draw the stored history', () => {
    it("the bump chart: today's top 10 in standings order, each line its periods' ranks over the last 90 days; the score chart: the top 5 with their intervals", async () => {
      const opened = await open(`/boards/${TEXT}`);
      try {
        const [bump, scores] = await drawnCharts(opened.page);
        const since = windowStart(NOW, 90);
        const { standings, series } = await expectedSeries(TEXT, 10, since, null);
        expect(standings).toHaveLength(10);
        expect(bump!.datasets.map((dataset) => [dataset.label, dataset.model])).toEqual(standings.map((entry) => [entry.name, entry.model]));
        expect(bump!.x).toEqual({ min: since, max: NOW.getTime() });
        for (const [index, entry] of standings.entries()) {
          const periods = series.series.find((one) => one.model === entry.model)!.points.map((point) => ({ from: point.from, to: point.to, value: point.rank }));
          expect(bump!.datasets[index]!.data, entry.model).toEqual(stepsOf(periods, since, NOW.getTime()));
        }
        // Grok-2 left the board for two captures and came back into the top 10: its line breaks.
        const grok = bump!.datasets.find((dataset) => dataset.model === MODELS.F!.key)!;
        expect(grok.data.filter(([, y]) => y === null)).toHaveLength(1);
        // The current leader's line ends at rank 1.
        expect(bump!.datasets[0]!.data.at(-1)).toEqual([NOW.getTime(), 1]);

        const five = standings.slice(0, 5);
        expect(scores!.datasets.map((dataset) => [dataset.label, dataset.band, dataset.fill])).toEqual(
          five.flatMap((entry) => [
            [`${entry.name} (lower bound)`, true, false],
            [`${entry.name} (upper bound)`, true, '-1'],
            [entry.name, false, null],
          ]),
        );
        for (const [index, entry] of five.entries()) {
          const points = series.series.find((one) => one.model === entry.model)!.points;
          const line = (value: (point: (typeof points)[number]) => number | null) => stepsOf(points.map((point) => ({ from: point.from, to: point.to, value: value(point) })), since, NOW.getTime());
          expect(scores!.datasets.slice(index * 3, index * 3 + 3).map((dataset) => dataset.data)).toEqual([line((p) => p.scoreLower), line((p) => p.scoreUpper), line((p) => p.score)]);
        }
      } finally {
        await opened.close();
      }
    });

    it('?top=3: the bump chart follows the best 3', async () => {
      const opened = await open(`/boards/${TEXT}?top=3`);
      try {
        const [bump] = await drawnCharts(opened.page);
        const { standings, series } = await expectedSeries(TEXT, 3, windowStart(NOW, 90), null);
        expect(bump!.datasets.map((dataset) => dataset.label)).toEqual(standings.map((entry) => entry.name));
        expect(bump!.datasets.map((dataset) => dataset.label)).toEqual([MODELS.H!.name, MODELS.Q!.name, MODELS.J!.name]);
        for (const [index, entry] of standings.entries()) {
          const periods = series.series.find((one) => one.model === entry.model)!.points.map((point) => ({ from: point.from, to: point.to, value: point.rank }));
          expect(bump!.datasets[index]!.data).toEqual(stepsOf(periods, windowStart(NOW, 90), NOW.getTime()));
        }
        expect(opened.problems).toEqual(CLEAN);
      } finally {
        await opened.close();
      }
    });

    it("the price chart: each listed model's input price over time", async () => {
      const opened = await open(`/boards/${PRICES}`);
      try {
        const charts = await drawnCharts(opened.page);
        expect(charts.map((chart) => chart.id)).toEqual(['price-chart']);
        const since = windowStart(NOW, 90);
        const { standings, series } = await expectedSeries(PRICES, 10, since, null);
        expect(standings.length).toBe(Object.keys(PRICE_CAPTURES.at(-1)!.prices).length);
        const [prices] = charts;
        expect(prices!.datasets.map((dataset) => [dataset.label, dataset.model])).toEqual(standings.map((entry) => [entry.name, entry.model]));
        for (const [index, entry] of standings.entries()) {
          const points = series.series.find((one) => one.model === entry.model)!.points;
          expect(prices!.datasets[index]!.data).toEqual(stepsOf(points.map((point) => ({ from: point.from, to: point.to, value: point.priceInput })), since, NOW.getTime()));
        }
        // GPT-4o's cut from $5 to $2.50 on 2025-05-05.
        const gpt4o = prices!.datasets.find((dataset) => dataset.model === 'openai/gpt-4o-2024-05-13')!;
        expect(gpt4o.data).toEqual([
          [since, 5],
          [Date.parse('2025-05-05T00:00:00Z'), 5],
          [Date.parse('2025-05-05T00:00:00Z'), 2.5],
          [NOW.getTime(), 2.5],
        ]);
      } finally {
        await opened.close();
      }
    });

    it("the model page: one line per board that ranks the model, its periods' ranks", async () => {
      const opened = await open(`/models/${GPT4O}`);
      try {
        const [chart] = await drawnCharts(opened.page);
        const { history } = await api<{ history: { board: string; validFrom: string; validTo: string | null; rank: number | null }[] }>(`/v1/models/${GPT4O}/history`);
        const boards = [...new Set(history.map((period) => period.board))];
        // On the price list too, which ranks nothing: no line there.
        expect([...boards].sort()).toEqual([TEXT, WEBDEV, PRICES].sort());
        const rankedOn = boards.filter((board) => history.some((period) => period.board === board && period.rank !== null));
        expect([...rankedOn].sort()).toEqual([TEXT, WEBDEV].sort());
        expect(chart!.datasets.map((dataset) => dataset.label)).toEqual(rankedOn);
        const first = Math.min(...history.map((period) => Date.parse(period.validFrom)));
        for (const [index, board] of rankedOn.entries()) {
          const periods = history.filter((period) => period.board === board).map((period) => ({ from: period.validFrom, to: period.validTo, value: period.rank }));
          expect(chart!.datasets[index]!.data).toEqual(stepsOf(periods, first, NOW.getTime()));
        }
        expect(chart!.datasets.find((dataset) => dataset.label === WEBDEV)!.data.filter(([, y]) => y !== null).map(([, y]) => y)).toEqual([3, 3, 2, 2]);
        // The "Now" table: its standing on each of the three boards.
        expect(await opened.page.$$eval('main table tbody th', (cells) => cells.map((cell) => cell.textContent!.trim()).sort())).toEqual([TEXT, WEBDEV, PRICES].sort());
      } finally {
        await opened.close();
      }
    });

    it('the gap chart: one point per snapshot, above 0 where the US leads, hollow inside the intervals', async () => {
      const opened = await open('/labs');
      try {
        const [gap] = await drawnCharts(opened.page);
        const expected = expectedGaps();
        // Both signs, both kinds of point: the chart can get any of them wrong.
        expect(new Set(expected.map((point) => `${Math.sign(point.percent)} ${point.inside}`)).size).toBe(4);
        expect(gap!.datasets).toHaveLength(1);
        const [line] = gap!.datasets;
        expect(line!.data).toEqual(expected.map((point) => [point.at, point.percent]));
        const backgrounds = line!.background as string[];
        expect(backgrounds.map((color) => color === 'transparent')).toEqual(expected.map((point) => point.inside));
        expect(backgrounds.filter((color) => color !== 'transparent').every((color) => color === backgrounds.find((other) => other !== 'transparent'))).toBe(true);
        expect(gap!.x).toEqual({ min: expected[0]!.at, max: expected.at(-1)!.at });
        const { history } = await api<{ history: unknown[] }>(`/v1/boards/${TEXT}/aggregates/history?by=country&limit=1000`);
        expect(line!.data).toHaveLength(history.length);
        // The gap now, in words.
        const now = expected.at(-1)!;
        expect(await opened.page.locator('p.gap').innerText()).toMatch(new RegExp(`^US leads by 4 points \\(${now.percent.toFixed(2)}%\\)[^]*inside the published intervals`));
      } finally {
        await opened.close();
      }
    });
  });

  describe('filters: the URL is the state', () => {
    /** The query of a URL as sets of values (a list may come comma-joined or repeated), empty values left out. */
    const parameters = (url: string) => {
      const out: Record<string, string[]> = {};
      for (const [name, value] of new URL(url, served.origin).searchParams) {
        if (value === '') continue;
        out[name] = [...(out[name] ?? []), ...value.split(',')].sort();
      }
      return out;
    };
    const OPENAI = new Set(Object.values(MODELS).filter((model) => model.organization === 'OpenAI').map((model) => identity.resolve('lmarena', { model: model.key, name: model.name, organization: model.organization }).id));

    it('/events: a board chosen, a kind ticked, an organization typed, significant only, Enter: the URL, the events of /v1/events, the feed link', async () => {
      const opened = await open('/events');
      try {
        const form = opened.page.locator('form.filters');
        await form.locator('select[name="board"]').selectOption(TEXT);
        await form.getByRole('checkbox', { name: 'rank changed' }).check();
        await form.getByLabel('significant only').check();
        const organization = form.getByLabel('Organization');
        await organization.click();
        await organization.pressSequentially('OpenAI');
        await Promise.all([opened.page.waitForURL(/\/events\?/), organization.press('Enter')]);
        const url = new URL(opened.page.url());
        expect(parameters(url.href)).toEqual({ board: [TEXT], kind: ['rank_changed'], organization: ['OpenAI'], significant: ['true'] });
        // The form shows what it filters by.
        expect(await form.locator('select[name="board"]').inputValue()).toBe(TEXT);
        expect(await form.getByRole('checkbox', { name: 'rank changed' }).isChecked()).toBe(true);
        expect(await form.getByLabel('significant only').isChecked()).toBe(true);
        expect(await organization.inputValue()).toBe('OpenAI');

        const listed = await listedEvents(opened.page);
        const { events } = await api<{ events: EventBody[] }>(`/v1/events${url.search}`);
        expect(listed).toEqual(asListed(events));
        expect(events.length).toBeGreaterThan(0);
        for (const event of events) expect([event.board, event.kind, OPENAI.has(event.model!)]).toEqual([TEXT, 'rank_changed', true]);
        // Each filter took something away.
        const wider = await Promise.all(
          ['board', 'kind', 'organization', 'significant'].map(async (name) => {
            const query = new URLSearchParams(url.search);
            query.delete(name);
            return (await api<{ events: EventBody[] }>(`/v1/events?${query}`)).events.length;
          }),
        );
        for (const [index, count] of wider.entries()) expect(count, `without ${['board', 'kind', 'organization', 'significant'][index]}`).toBeGreaterThan(events.length);

        const feed = await opened.page.locator('.same-elsewhere a[href^="/feed.atom"]').getAttribute('href');
        expect(parameters(feed!)).toEqual(parameters(url.href));
        const apiLink = await opened.page.locator('.same-elsewhere a[href^="/v1/events"]').getAttribute('href');
        expect(asListed((await api<{ events: EventBody[] }>(apiLink!)).events)).toEqual(listed);
        expect(opened.problems).toEqual(CLEAN);
      } finally {
        await opened.close();
      }
    });

    it('/events: a model typed, two kinds ticked, Tab to the button and Enter', async () => {
      const opened = await open('/events');
      try {
        const form = opened.page.locator('form.filters');
        await form.getByLabel('Model').fill(MODELS.J!.key);
        await form.getByRole('checkbox', { name: 'new leader' }).check();
        await form.getByRole('checkbox', { name: 'entered' }).check();
        await form.getByRole('checkbox', { name: 'snapshot quarantined' }).focus();
        await opened.page.keyboard.press('Tab');
        expect(await opened.page.evaluate('[document.activeElement.tagName, document.activeElement.textContent]')).toEqual(['BUTTON', 'Filter']);
        await Promise.all([opened.page.waitForURL(/\/events\?/), opened.page.keyboard.press('Enter')]);
        const url = new URL(opened.page.url());
        expect(parameters(url.href)).toEqual({ model: [MODELS.J!.key], kind: ['entered', 'new_leader'] });
        const listed = await listedEvents(opened.page);
        const { events } = await api<{ events: EventBody[] }>(`/v1/events${url.search}`);
        expect(listed).toEqual(asListed(events));
        // DeepSeek-R1 entered the text arena and took the lead there.
        expect(events.map((event) => [event.kind, event.board, event.model, event.capturedAt.slice(0, 10)])).toEqual([
          ['new_leader', TEXT, MODELS.J!.key, '2025-03-01'],
          ['entered', TEXT, MODELS.J!.key, '2025-02-01'],
        ]);
        expect(parameters((await opened.page.locator('.same-elsewhere a[href^="/feed.atom"]').getAttribute('href'))!)).toEqual(parameters(url.href));
      } finally {
        await opened.close();
      }
    });

    it('/events: the API link of "the same events elsewhere" lists the events the page lists, operator events left out as on the page', async () => {
      const opened = await open(`/events?board=${TEXT}`);
      try {
        const listed = await listedEvents(opened.page);
        expect(listed.length).toBeGreaterThan(0);
        expect(listed.some((line) => line.startsWith('event snapshot_quarantined'))).toBe(false);
        const apiLink = await opened.page.locator('.same-elsewhere a[href^="/v1/events"]').getAttribute('href');
        expect(asListed((await api<{ events: EventBody[] }>(apiLink!)).events)).toEqual(listed);
        const feed = await opened.page.locator('.same-elsewhere a[href^="/feed.atom"]').getAttribute('href');
        expect(parameters(feed!)).toEqual({ board: [TEXT] });
      } finally {
        await opened.close();
      }
    });

    it('/events: "Older events" pages on, through every event of the filter, and stops', async () => {
      const opened = await open(`/events?board=${TEXT}&limit=7`);
      try {
        const pages: string[][] = [];
        for (;;) {
          pages.push(await listedEvents(opened.page));
          const older = opened.page.getByRole('link', { name: 'Older events' });
          if ((await older.count()) === 0) break;
          expect(parameters((await older.getAttribute('href'))!)).toMatchObject({ board: [TEXT], limit: ['7'] });
          await Promise.all([opened.page.waitForURL(/cursor=/), older.click()]);
          expect(pages.length).toBeLessThan(50);
        }
        const all = await allEvents(`board=${TEXT}&kind=${PUBLIC_KINDS.join(',')}`);
        expect(pages.length).toBe(Math.ceil(all.length / 7));
        expect(pages.slice(0, -1).every((listed) => listed.length === 7)).toBe(true);
        expect(pages.flat()).toEqual(asListed(all));
        expect(opened.problems).toEqual(CLEAN);
      } finally {
        await opened.close();
      }
    });

    it("the board page's window links: the URL's days=, the chart's x range and lines", async () => {
      const opened = await open(`/boards/${TEXT}`);
      try {
        const windows = opened.page.getByRole('navigation', { name: 'Chart window' });
        const seen: number[] = [];
        for (const [label, days] of [['30 days', 30], ['365 days', 365], ['all', 0], ['90 days', 90]] as const) {
          // 90 days is the default: its link leaves days= out.
          const wanted = days === 90 ? null : String(days);
          await Promise.all([opened.page.waitForURL((url) => url.searchParams.get('days') === wanted), windows.getByRole('link', { name: label }).click()]);
          expect(new URL(opened.page.url()).searchParams.get('days')).toBe(wanted);
          expect(await windows.locator('a[aria-current]').innerText()).toBe(label);
          const [bump] = await drawnCharts(opened.page);
          const since = days ? windowStart(NOW, days) : null;
          const { standings, series } = await expectedSeries(TEXT, 10, since, null);
          const start = since ?? Math.min(...series.series.flatMap((one) => one.points.map((point) => Date.parse(point.from))));
          expect(bump!.x, label).toEqual({ min: start, max: NOW.getTime() });
          for (const [index, entry] of standings.entries()) {
            const periods = series.series.find((one) => one.model === entry.model)!.points.map((point) => ({ from: point.from, to: point.to, value: point.rank }));
            expect(bump!.datasets[index]!.data, `${label}: ${entry.model}`).toEqual(stepsOf(periods, start, NOW.getTime()));
          }
          seen.push(start);
        }
        expect(seen).toEqual([windowStart(NOW, 30), windowStart(NOW, 365), Date.parse(`${TEXT_CAPTURES[0]!.at}T00:00:00Z`), windowStart(NOW, 90)]);
        expect(opened.problems).toEqual(CLEAN);
      } finally {
        await opened.close();
      }
    });

    it("the board page's date form: the standings as they stood then, the charts ending there", async () => {
      const opened = await open(`/boards/${TEXT}`);
      try {
        const now = expectedRows(await api<StandingsBody>(`/v1/boards/${TEXT}/standings`));
        expect(await standingsRows(opened.page)).toEqual(now);
        await opened.page.getByLabel('On (UTC)').fill('2025-03-05');
        await Promise.all([opened.page.waitForURL(/at=2025-03-05/), opened.page.getByRole('button', { name: 'Show' }).click()]);
        expect(parameters(opened.page.url())).toEqual({ at: ['2025-03-05'], top: ['10'], days: ['90'] });
        const at = new Date('2025-03-05T00:00:00Z');
        const then = expectedRows(await api<StandingsBody>(`/v1/boards/${TEXT}/standings?at=${at.toISOString()}`));
        expect(await standingsRows(opened.page)).toEqual(then);
        expect(then).not.toEqual(now);
        expect(then).toHaveLength(Object.keys(TEXT_CAPTURES[2]!.scores).length);
        expect(await opened.page.locator('table.standings caption').innerText()).toMatch(/^As it stood at 2025-03-05 00:00 UTC: 12 models/);
        const [bump] = await drawnCharts(opened.page);
        const { standings } = await expectedSeries(TEXT, 10, windowStart(at, 90), at);
        expect(bump!.datasets.map((dataset) => dataset.label)).toEqual(standings.map((entry) => entry.name));
        expect(bump!.x).toEqual({ min: windowStart(at, 90), max: at.getTime() });
        expect(opened.problems).toEqual(CLEAN);
      } finally {
        await opened.close();
      }
    });
  });

  describe('without JavaScript, in dark and light, on a phone', () => {
    it('without JavaScript the board page still lists the standings, the same rows', async () => {
      const context = await browser().newContext({ javaScriptEnabled: false });
      try {
        const page = await context.newPage();
        const response = await page.goto(`${served.origin}/boards/${TEXT}`);
        expect(response?.status()).toBe(200);
        expect(await standingsRows(page)).toEqual(expectedRows(await api<StandingsBody>(`/v1/boards/${TEXT}/standings`)));
        // No script ran: nothing marked, nothing drawn.
        expect(await page.getAttribute('html', 'data-dashboard')).toBeNull();
        expect(await page.locator('canvas[data-state]').count()).toBe(0);
        expect(await page.locator('canvas[data-chart]').count()).toBe(2);
        // The forms are plain GET forms.
        await page.getByLabel('On (UTC)').fill('2025-03-05');
        await Promise.all([page.waitForURL(/at=2025-03-05/), page.getByRole('button', { name: 'Show' }).click()]);
        expect(await standingsRows(page)).toEqual(expectedRows(await api<StandingsBody>(`/v1/boards/${TEXT}/standings?at=2025-03-05`)));
      } finally {
        await context.close();
      }
    });

    it.each([
      ['dark', (value: number) => value < 0.05, (value: number) => value > 0.6],
      ['light', (value: number) => value > 0.9, (value: number) => value < 0.05],
    ] as const)('in the %s scheme the page, and the charts, follow it', async (scheme, background, text) => {
      const opened = await open(`/boards/${TEXT}`, { colorScheme: scheme });
      try {
        await drawnCharts(opened.page);
        const colors = await opened.page.evaluate<{ background: string; text: string; muted: string; ticks: string }>(`({
          background: getComputedStyle(document.body).backgroundColor,
          text: getComputedStyle(document.body).color,
          muted: getComputedStyle(document.documentElement).getPropertyValue('--muted').trim(),
          ticks: Chart.getChart(document.getElementById('bump-chart')).scales.x.options.ticks.color,
        })`);
        expect(background(luminance(colors.background)), colors.background).toBe(true);
        expect(text(luminance(colors.text)), colors.text).toBe(true);
        // The axes' labels are drawn in the scheme's muted colour.
        expect(colors.ticks).toBe(colors.muted);
        expect(colors.muted).toBe(scheme === 'dark' ? '#a4abb8' : '#5b6270');
        expect(opened.problems).toEqual(CLEAN);
      } finally {
        await opened.close();
      }
    });

    it.each([
      `/boards/${TEXT}`,
      `/boards/${PRICES}`,
      '/',
      `/models/${GPT4O}`,
      `/events?board=${TEXT}&model=&organization=OpenAI&significant=true&kind=rank_changed&kind=score_changed`,
      '/labs',
      '/health',
    ])('on a phone nothing but the tables scrolls sideways: %s', async (path) => {
      const opened = await open(path, { colorScheme: 'dark', phone: true });
      try {
        await dashboardCharts(opened.page);
        // The feed and API links are in a closed <details>: open it.
        if (path.startsWith('/events')) await opened.page.locator('.same-elsewhere summary').click();
        const { scrollWidth, culprits } = await overflowing(opened.page);
        expect({ scrollWidth: scrollWidth <= PHONE.width, culprits }, `scrollWidth ${scrollWidth}`).toEqual({ scrollWidth: true, culprits: [] });
        // A page wider than the phone would have been zoomed out to fit.
        expect(await opened.page.evaluate('innerWidth')).toBe(PHONE.width);
        // The wide tables do scroll inside their wrappers.
        if (path === `/boards/${TEXT}`) expect(await opened.page.$eval('.scroll', (wrapper) => wrapper.scrollWidth > wrapper.clientWidth)).toBe(true);
        expect(opened.problems).toEqual(CLEAN);
      } finally {
        await opened.close();
      }
    });
  });

  describe('keyboard', () => {
    /** What has the focus: its text, link target, whether it sits in the viewport, its outline, and the contrast of the outline with the page. */
    const focused = (page: Page) =>
      page.evaluate<{ text: string; href: string | null; inNav: boolean; onScreen: boolean; outline: string; outlineWidth: number; outlineColor: string; background: string }>(`(() => {
        const element = document.activeElement;
        const box = element.getBoundingClientRect();
        const style = getComputedStyle(element);
        return {
          text: element.textContent.trim(),
          href: element.getAttribute('href'),
          inNav: element.closest('nav[aria-label="Sections"]') !== null,
          onScreen: box.width > 0 && box.height > 0 && box.left >= 0 && box.top >= 0 && box.right <= innerWidth && box.bottom <= innerHeight,
          outline: style.outlineStyle,
          outlineWidth: parseFloat(style.outlineWidth),
          outlineColor: style.outlineColor,
          background: getComputedStyle(document.body).backgroundColor,
        };
      })()`);
    const contrast = (a: string, b: string) => {
      const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
      return (light! + 0.05) / (dark! + 0.05);
    };

    it.each(['light', 'dark'] as const)('%s: Tab reaches the skip link first, then the home link and the navigation, each with a visible outline', async (scheme) => {
      const opened = await open(`/boards/${TEXT}`, { colorScheme: scheme });
      try {
        await dashboardCharts(opened.page);
        const order: [string, string | null, boolean][] = [];
        for (let step = 0; step < 7; step++) {
          await opened.page.keyboard.press('Tab');
          const now = await focused(opened.page);
          order.push([now.text, now.href, now.inNav]);
          expect(now.onScreen, now.text).toBe(true);
          expect([now.outline, now.outlineWidth >= 2], now.text).toEqual(['solid', true]);
          expect(contrast(now.outlineColor, now.background), `${now.text}: ${now.outlineColor} on ${now.background}`).toBeGreaterThanOrEqual(3);
        }
        expect(order).toEqual([
          ['Skip to content', '#main', false],
          ['rankwatch', '/', false],
          ['Boards', '/', true],
          ['Events', '/events', true],
          ['Labs & countries', '/labs', true],
          ['Health', '/health', true],
          ['API', '/docs', true],
        ]);
        expect(opened.problems).toEqual(CLEAN);
      } finally {
        await opened.close();
      }
    });

    it('the skip link takes the keyboard past the navigation, into the content', async () => {
      const opened = await open(`/boards/${TEXT}`);
      try {
        await dashboardCharts(opened.page);
        await opened.page.keyboard.press('Tab');
        await opened.page.keyboard.press('Enter');
        await opened.page.keyboard.press('Tab');
        expect(await opened.page.evaluate('[location.hash, document.activeElement.closest("main") !== null, document.activeElement.textContent.trim()]')).toEqual(['#main', true, 'events']);
      } finally {
        await opened.close();
      }
    });
  });

  describe('a chart whose data cannot be had', () => {
    const HISTORY = `/v1/boards/${TEXT}/history`;

    it('answered 500: both charts say so and are in error; the standings remain; the page is ready', async () => {
      const opened = await open(`/boards/${TEXT}`, {}, (page) =>
        page.route(
          (url) => url.pathname === HISTORY,
          (route) => route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ code: 'internal_error', message: 'internal error', requestId: 'test' }) }),
        ),
      );
      try {
        const charts = await drawnCharts(opened.page);
        expect(charts.map((chart) => [chart.id, chart.state, chart.note, chart.datasets.length])).toEqual([
          ['bump-chart', 'error', 'error: The chart could not be drawn: internal error', 0],
          ['score-chart', 'error', 'error: The chart could not be drawn: internal error', 0],
        ]);
        expect(await opened.page.getAttribute('html', 'data-dashboard')).toBe('ready');
        // The notes are shown, under the charts.
        expect(await opened.page.evaluate(`[...document.querySelectorAll('figure p.error')].map((note) => note.offsetHeight > 0)`)).toEqual([true, true]);
        expect(await standingsRows(opened.page)).toEqual(expectedRows(await api<StandingsBody>(`/v1/boards/${TEXT}/standings`)));
        // The failure is the only problem: the one call both charts share answered 500, and nothing threw.
        expect(opened.problems.failedRequests).toEqual([expect.stringMatching(/^GET http:\/\/127\.0\.0\.1:\d+\/v1\/boards\/lmarena-text\/history\?models=.*: 500$/)]);
        expect(opened.problems.consoleErrors).toEqual([expect.stringMatching(/^Failed to load resource: .*500/)]);
        expect([opened.problems.pageErrors, opened.problems.consoleWarnings, opened.problems.offHost]).toEqual([[], [], []]);
      } finally {
        await opened.close();
      }
    });

    it('no answer at all (the connection fails): the gap chart is in error, the lab and country rankings remain', async () => {
      const opened = await open('/labs', {}, (page) => page.route((url) => url.pathname === `/v1/boards/${TEXT}/aggregates/history`, (route) => route.abort('connectionfailed')));
      try {
        const charts = await drawnCharts(opened.page);
        expect(charts.map((chart) => [chart.id, chart.state])).toEqual([['gap-chart', 'error']]);
        expect(charts[0]!.note).toMatch(/^error: The chart could not be drawn: /);
        expect(await opened.page.getAttribute('html', 'data-dashboard')).toBe('ready');
        const { groups } = await api<{ groups: unknown[] }>(`/v1/boards/${TEXT}/aggregates?by=organization`);
        expect(await opened.page.locator('section[aria-labelledby="labs-title"] tbody tr').count()).toBe(groups.length);
        expect(await opened.page.locator('section[aria-labelledby="countries-title"] tbody tr').count()).toBe(3);
        expect(opened.problems.failedRequests).toEqual([expect.stringMatching(/aggregates\/history\?by=country&limit=1000: net::ERR_CONNECTION_FAILED$/)]);
        expect(opened.problems.pageErrors).toEqual([]);
      } finally {
        await opened.close();
      }
    });
  });

  it('the server logged no error', () => {
    expect(serverErrors).toEqual([]);
  });
});
