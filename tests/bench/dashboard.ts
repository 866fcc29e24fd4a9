// Time to first render of a board page with a year of history, beside the same page's API call.
//
// The HTTP API (`createApp`, which also serves the dashboard) is served by @hono/node-server on
// 127.0.0.1 on the read bench's database (tests/bench/history-db.ts: a year of hourly history of
// three boards), on PGlite and on PostgreSQL. Headless Chromium (tests/support/browser.ts: Debian's
// package, nothing off-host) opens `/boards/lmarena-text` once to warm up, then RUNS times, each in
// a fresh browser context (a first visit: empty cache), and measures from navigation start:
//   - first contentful paint: the page's `first-contentful-paint` performance entry;
//   - ready: when the page's script set `<html data-dashboard="ready">` (every chart drawn or
//     marked empty or error), its `performance.now()` taken by a MutationObserver installed before
//     the page's scripts, and by the `waitForFunction` polling for the mark when none saw it change.
// Beside each load, the API call the page's charts make, from Node (fetch, body read): the page's
// own `/v1/boards/lmarena-text/history?…` request as it sent it, or, if it sent none, the
// contract's `?models=` with the board's top 10. Printed: median and p90 of each, and each page
// figure as a multiple of the API call's.
//
// The page is checked before it is measured: it answers 200 (until the dashboard exists it is a
// 404, and the section fails saying so), every chart ends drawn or empty, and no console error, uncaught
// exception or off-host request happens; otherwise the section fails rather than time a broken page.
//
// Run alone: `npx node tests/bench/dashboard.ts` (RANKWATCH_BENCH_RENDER_RUNS, default 10; the
// PostgreSQL variables of `npm run bench`; Chromium as for the browser tests, RANKWATCH_CHROMIUM).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { createApp } from '../../src/api/app.ts';
import type { Database } from '../../src/db/client.ts';
import { dashboardCharts, launchBrowser, watchedPage, type DashboardChart } from '../support/browser.ts';
import { serveApp, type ServedApp } from '../support/serve.ts';
import { historyDump, openHistoryPglite, openHistoryPostgres } from './history-db.ts';
import { runAlone } from './postgres-server.ts';

/** The board whose page is measured, and how many of its models the page's charts follow. */
export const RENDER_BOARD = 'lmarena-text';
export const RENDER_PAGE = `/boards/${RENDER_BOARD}`;
/** The chart window of the loads: the year of history the bench database holds (the page's default is 90 days). */
export const RENDER_QUERY = '?days=365';
const TOP_MODELS = 10;

/** Nearest-rank percentile (p in 0–100) of a non-empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

// Installed before any script of the page: the moment the ready mark is set, to the microtask.
const READY_OBSERVER = `(() => {
  new MutationObserver((_, observer) => {
    if (document.documentElement && document.documentElement.dataset.dashboard === 'ready') {
      window.__rankwatchReadyAt ??= performance.now();
      observer.disconnect();
    }
  }).observe(document, { attributes: true, attributeFilter: ['data-dashboard'], subtree: true });
})()`;

// True once the page is ready and has painted; stamps the ready time itself if the observer saw no
// change (a mark present in the HTML as served).
const READY_AND_PAINTED = `(() => {
  if (window.__rankwatchReadyAt === undefined && document.documentElement?.dataset.dashboard === 'ready') window.__rankwatchReadyAt = performance.now();
  return window.__rankwatchReadyAt !== undefined && performance.getEntriesByName('first-contentful-paint').length > 0;
})()`;

const TIMES = `({ fcp: performance.getEntriesByName('first-contentful-paint')[0].startTime, ready: window.__rankwatchReadyAt })`;

/** One load of the page: its times (ms from navigation start), its charts, the API requests it made. */
interface Load {
  fcp: number;
  ready: number;
  charts: DashboardChart[];
  apiRequests: string[];
}

async function loadPage(browser: Browser, origin: string): Promise<Load> {
  const watched = await watchedPage(browser);
  const { page, problems } = watched;
  try {
    const apiRequests: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.origin === origin && url.pathname.startsWith('/v1/')) apiRequests.push(`${url.pathname}${url.search}`);
    });
    await page.addInitScript(READY_OBSERVER);
    const response = await page.goto(`${origin}${RENDER_PAGE}${RENDER_QUERY}`, { waitUntil: 'commit' });
    if (response?.status() !== 200) throw new Error(`bench: GET ${RENDER_PAGE} answered ${response?.status() ?? 'nothing'} in Chromium`);
    await page.waitForFunction(READY_AND_PAINTED, undefined, { timeout: 30_000, polling: 'raf' });
    const times = await page.evaluate<{ fcp: number; ready: number }>(TIMES);
    const charts = await dashboardCharts(page);
    const name = (chart: DashboardChart) => chart.id || chart.caption;
    const broken = charts.filter((chart) => chart.state === 'error');
    const unsettled = charts.filter((chart) => chart.state !== 'drawn' && chart.state !== 'empty' && chart.state !== 'error');
    if (charts.length === 0) throw new Error(`bench: ${RENDER_PAGE} is ready but shows no chart (figure canvas)`);
    if (broken.length > 0) throw new Error(`bench: ${RENDER_PAGE}: charts in error: ${broken.map(name).join(', ')}`);
    if (unsettled.length > 0) throw new Error(`bench: ${RENDER_PAGE} is ready, but these charts are neither drawn, empty nor in error: ${unsettled.map((chart) => `${name(chart)} (${chart.state})`).join(', ')}`);
    const faults = [...problems.consoleErrors, ...problems.pageErrors, ...problems.offHost.map((request) => `off-host request ${request}`)];
    if (faults.length > 0) throw new Error(`bench: ${RENDER_PAGE} is not clean:\n  ${faults.join('\n  ')}`);
    return { ...times, charts, apiRequests };
  } finally {
    await watched.close();
  }
}

/** The time of one API call from Node: request sent to body read. */
async function callApi(origin: string, path: string): Promise<{ ms: number; bytes: number }> {
  const start = performance.now();
  const response = await fetch(`${origin}${path}`);
  const body = await response.text();
  const ms = performance.now() - start;
  if (response.status !== 200) throw new Error(`bench: GET ${path} answered ${response.status}: ${body.slice(0, 300)}`);
  return { ms, bytes: Buffer.byteLength(body) };
}

/** The contract's history call: the board's top models (current standings), by key. */
async function contractCall(origin: string): Promise<string> {
  const response = await fetch(`${origin}/v1/boards/${RENDER_BOARD}/standings`);
  if (response.status !== 200) throw new Error(`bench: GET /v1/boards/${RENDER_BOARD}/standings answered ${response.status}`);
  const { entries } = (await response.json()) as { entries: { model: string }[] };
  if (entries.length < TOP_MODELS) throw new Error(`bench: ${RENDER_BOARD} has ${entries.length} models, fewer than ${TOP_MODELS}`);
  return `/v1/boards/${RENDER_BOARD}/history?models=${entries.slice(0, TOP_MODELS).map((entry) => encodeURIComponent(entry.model)).join(',')}`;
}

/** What one database gave. */
export interface RenderResult {
  runs: number;
  /** Chromium's version. */
  chromium: string;
  fcp: number[];
  ready: number[];
  api: number[];
  apiPath: string;
  /** Whether `apiPath` is the page's own request (else the contract's, the page sending none). */
  fromPage: boolean;
  apiBytes: number;
  charts: DashboardChart[];
}

/** Fails at once, before any browser work, when the page is not served (until the dashboard exists: a 404). */
async function pageServed(origin: string): Promise<void> {
  const response = await fetch(`${origin}${RENDER_PAGE}`);
  const body = await response.text();
  if (response.status === 200 && (response.headers.get('content-type') ?? '').startsWith('text/html')) return;
  throw new Error(
    `bench: GET ${RENDER_PAGE} answered ${response.status} ${response.headers.get('content-type') ?? ''}: ${body.slice(0, 200)}\n` +
      `  the dashboard's board page is not served by createApp (yet): nothing to measure`,
  );
}

/** The app the bench serves: the API (and dashboard) on the database, as `rankwatch serve` builds it. */
export function renderApp(database: Database, log: (line: string) => void = console.log): (request: Request) => Response | Promise<Response> {
  return createApp({ db: database.db, metrics: null, logError: (message) => log(`  app error: ${message}`) }).fetch;
}

/** Serves `app` on 127.0.0.1 and measures `runs` loads of the board page and of its API call, after one warm-up each. */
export async function measureRender(app: (request: Request) => Response | Promise<Response>, browser: Browser, runs: number): Promise<RenderResult> {
  const served: ServedApp = await serveApp(app);
  try {
    await pageServed(served.origin);
    const warm = await loadPage(browser, served.origin);
    const own = warm.apiRequests.find((path) => path.startsWith(`/v1/boards/${RENDER_BOARD}/history?`));
    const apiPath = own ?? (await contractCall(served.origin));
    const { bytes } = await callApi(served.origin, apiPath);
    const result: RenderResult = { runs, chromium: browser.version(), fcp: [], ready: [], api: [], apiPath, fromPage: own !== undefined, apiBytes: bytes, charts: warm.charts };
    // Interleaved, so that whatever else the machine does weighs on both alike.
    for (let run = 0; run < runs; run++) {
      const load = await loadPage(browser, served.origin);
      result.fcp.push(load.fcp);
      result.ready.push(load.ready);
      result.api.push((await callApi(served.origin, apiPath)).ms);
    }
    return result;
  } finally {
    await served.close();
  }
}

const columns = (label: string, median: string, p90: string, medianRatio: string, p90Ratio: string) =>
  `  ${label.padEnd(30)} ${median.padStart(9)} ${p90.padStart(8)} ${medianRatio.padStart(13)} ${p90Ratio.padStart(10)}`.trimEnd();

/** The table of one database's figures. */
export function formatRender(kind: string, result: RenderResult): string[] {
  const apiMedian = percentile(result.api, 50);
  const apiP90 = percentile(result.api, 90);
  const models = new URL(result.apiPath, 'http://x').searchParams.getAll('models').flatMap((value) => value.split(',')).length;
  const drawn = result.charts.filter((chart) => chart.state === 'drawn').length;
  const row = (label: string, values: number[] | null, ratio: boolean) => {
    const median = values ? percentile(values, 50) : apiMedian;
    const p90 = values ? percentile(values, 90) : apiP90;
    return columns(label, median.toFixed(1), p90.toFixed(1), ratio ? `${(median / apiMedian).toFixed(1)}x` : '', ratio ? `${(p90 / apiP90).toFixed(1)}x` : '');
  };
  return [
    `dashboard render on ${kind}: ${RENDER_PAGE}${RENDER_QUERY}, ${result.runs} loads in headless Chromium ${result.chromium} after a warm-up (each a first visit: a fresh context), beside its API call from Node:`,
    `  API call: GET ${result.apiPath.length > 90 ? `${result.apiPath.slice(0, 87)}...` : result.apiPath} (${models} models, ${(result.apiBytes / 1024).toFixed(0)} KB; ${result.fromPage ? "the page's own request" : 'the page sent none: the top 10 of the standings'})`,
    `  charts: ${result.charts.length} (${drawn} drawn, ${result.charts.length - drawn} empty)`,
    columns('from navigation start', 'median ms', 'p90 ms', '÷ API median', '÷ API p90'),
    row('first contentful paint', result.fcp, true),
    row('ready (data-dashboard)', result.ready, true),
    row('API call (fetch, body read)', null, false),
  ];
}

/**
 * The render section of the bench: the history database on PGlite (from the cached dump) and, with
 * `postgresUrl` (an empty database), on PostgreSQL; one Chromium for both; the table per database.
 */
export async function benchDashboard(root: string, postgresUrl: string | null, log: (line: string) => void = console.log): Promise<string[]> {
  const runs = Number(process.env.RANKWATCH_BENCH_RENDER_RUNS ?? 10);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`RANKWATCH_BENCH_RENDER_RUNS: a whole number of loads, at least 1, got ${process.env.RANKWATCH_BENCH_RENDER_RUNS}`);
  const history = await historyDump(root, join(root, '../shared/leaderboards'), log);
  const dir = await mkdtemp(join(tmpdir(), 'rankwatch-bench-render-'));
  const lines: string[] = [];
  try {
    const pglite = await openHistoryPglite(history.dump, dir);
    try {
      const launched = await launchBrowser();
      try {
        // PGlite first: a page that is not there fails here, before PostgreSQL is filled.
        const onPglite = await measureRender(renderApp(pglite, log), launched.browser, runs);
        if (postgresUrl) {
          const postgres = await openHistoryPostgres(pglite.db, postgresUrl);
          try {
            lines.push(...formatRender('PostgreSQL', await measureRender(renderApp(postgres, log), launched.browser, runs)), '');
          } finally {
            await postgres.close();
          }
        }
        lines.push(...formatRender('PGlite', onPglite));
      } finally {
        await launched.close();
      }
    } finally {
      await pglite.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return lines;
}

// `npx node tests/bench/dashboard.ts`: this section alone.
await runAlone(import.meta.url, (root, server) => benchDashboard(root, server.url));
