// Headless Chromium for the browser tests (tests/browser/) and the render bench
// (tests/bench/dashboard.ts): Debian's `chromium` package driven by playwright-core, which brings
// no browser of its own.
//
// Every request that is not to 127.0.0.1 is blocked and recorded: the pages must work with no CDN
// and no network. The block is at the network layer: the browser's proxy is a local socket that
// drops every connection, and only 127.0.0.1 bypasses it (`<-loopback>` first, so `localhost`,
// 127.0.0.2 and [::1] go to the proxy too). That stops requests from every frame, worker and
// WebSocket, and unlike request interception it keeps the HTTP cache on and adds nothing to the
// requests the bench times. What was blocked is recorded from the context's request events.
import { accessSync, constants } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page, type Request, type Response } from 'playwright-core';
import { afterAll, beforeAll, describe } from 'vitest';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

type Env = Readonly<Record<string, string | undefined>>;

/** Where Chromium is: `RANKWATCH_CHROMIUM`, else Debian's `/usr/bin/chromium`. */
export function chromiumPath(env: Env = process.env): string {
  return env.RANKWATCH_CHROMIUM || '/usr/bin/chromium';
}

/** Why Chromium cannot be started (with how to install it), or null when it is there. */
export function chromiumMissing(env: Env = process.env): string | null {
  const path = chromiumPath(env);
  try {
    accessSync(path, constants.X_OK);
    return null;
  } catch {
    return (
      `Chromium not found at ${path}${env.RANKWATCH_CHROMIUM ? ' (RANKWATCH_CHROMIUM)' : ''}: ` +
      `install Debian's package (apt-get install chromium) or set RANKWATCH_CHROMIUM to a Chromium executable`
    );
  }
}

/**
 * Whether the browser tests run: yes when Chromium is there; skipped with the reason when it is
 * not; an error (with the same reason) when RANKWATCH_REQUIRE_BROWSER=1, as in CI.
 */
export function browserGate(env: Env = process.env): { run: true } | { run: false; reason: string } {
  const missing = chromiumMissing(env);
  if (!missing) return { run: true };
  if (env.RANKWATCH_REQUIRE_BROWSER === '1') throw new Error(`${missing} (RANKWATCH_REQUIRE_BROWSER=1: the browser tests may not be skipped)`);
  return { run: false, reason: missing };
}

/** The switches Chromium runs with, beside playwright's own (which include a fresh temporary profile). */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A phone's viewport (CSS pixels), for `openPage(…, { phone: true })`. */
export const PHONE = { width: 390, height: 844 } as const;
/** The viewport of every other page. */
export const DESKTOP = { width: 1280, height: 800 } as const;

/** A running Chromium, and how to stop it (and its proxy). */
export interface TestBrowser {
  browser: Browser;
  close(): Promise<void>;
}

/** A local proxy that drops every connection: where every request not to 127.0.0.1 goes. */
async function blackHole(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('black-hole proxy: no port');
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * Launches headless Chromium (`chromiumPath()`) with CHROMIUM_ARGS and every request not to
 * 127.0.0.1 blocked. playwright's `launch` gives it a fresh temporary `--user-data-dir` of its own
 * (`playwright_chromiumdev_profile-*` under the OS temp dir, removed when the browser closes):
 * playwright refuses the switch in `args`, and `launchPersistentContext` would allow one context
 * only, where each page here gets a context of its own (its colour scheme, viewport, cache).
 */
export async function launchBrowser(env: Env = process.env): Promise<TestBrowser> {
  const missing = chromiumMissing(env);
  if (missing) throw new Error(missing);
  const proxy = await blackHole();
  try {
    const browser = await chromium.launch({
      executablePath: chromiumPath(env),
      headless: true,
      args: [...CHROMIUM_ARGS],
      proxy: { server: `http://127.0.0.1:${proxy.port}`, bypass: '<-loopback>,127.0.0.1' },
      timeout: 30_000,
    });
    return {
      browser,
      async close() {
        await browser.close();
        await proxy.close();
      },
    };
  } catch (error) {
    await proxy.close();
    throw error;
  }
}

/** Whether a request leaves this machine's 127.0.0.1 (data:, blob: and about: URLs never do). */
export function isOffHost(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return true;
  }
  if (parsed.protocol === 'data:' || parsed.protocol === 'blob:' || parsed.protocol === 'about:') return false;
  return parsed.hostname !== '127.0.0.1';
}

/** What went wrong on a page, as it happened: each list empty on a clean page. */
export interface PageProblems {
  /** `console.error` and the browser's own errors (e.g. "Failed to load resource"), with where. */
  consoleErrors: string[];
  consoleWarnings: string[];
  /** Uncaught exceptions and unhandled rejections. */
  pageErrors: string[];
  /** Requests that failed (network error, blocked) or were answered 4xx/5xx: `METHOD URL: why`. */
  failedRequests: string[];
  /** Every request to anywhere but 127.0.0.1 (each was blocked). */
  offHost: string[];
}

/** How to show a page: light or dark (`prefers-color-scheme`), desktop or phone. */
export interface PageOptions {
  colorScheme?: 'light' | 'dark';
  /** A phone: PHONE viewport, touch, mobile meta-viewport handling, 3x pixels. */
  phone?: boolean;
}

/** A page in a context of its own, watched from before its first request. */
export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  problems: PageProblems;
  /** Closes the page's context (and the page). */
  close(): Promise<void>;
}

/** A new page, in a new context (fresh cache and storage), with its problems recorded. */
export async function watchedPage(browser: Browser, options: PageOptions = {}): Promise<WatchedPage> {
  const context = await browser.newContext({
    colorScheme: options.colorScheme ?? 'light',
    ...(options.phone ? { viewport: PHONE, deviceScaleFactor: 3, isMobile: true, hasTouch: true } : { viewport: DESKTOP }),
  });
  const problems: PageProblems = { consoleErrors: [], consoleWarnings: [], pageErrors: [], failedRequests: [], offHost: [] };
  context.on('console', (message) => {
    const type = message.type();
    if (type !== 'error' && type !== 'warning') return;
    const { url, lineNumber } = message.location();
    const text = `${message.text()}${url ? ` (${url}:${lineNumber})` : ''}`;
    (type === 'error' ? problems.consoleErrors : problems.consoleWarnings).push(text);
  });
  context.on('weberror', (error) => problems.pageErrors.push(error.error().message));
  context.on('request', (request) => {
    if (isOffHost(request.url())) problems.offHost.push(`${request.method()} ${request.url()}`);
  });
  // WebSockets are not requests to playwright: each page reports its own.
  context.on('page', (page) =>
    page.on('websocket', (socket) => {
      if (isOffHost(socket.url())) problems.offHost.push(`WebSocket ${socket.url()}`);
    }),
  );
  // A 4xx/5xx is reported once: Chromium then aborts some of them (a script's), which is no news.
  const answered = new WeakSet<Request>();
  context.on('response', (response) => {
    if (response.status() < 400) return;
    answered.add(response.request());
    problems.failedRequests.push(`${response.request().method()} ${response.url()}: ${response.status()}`);
  });
  context.on('requestfailed', (request) => {
    if (!answered.has(request)) problems.failedRequests.push(`${request.method()} ${request.url()}: ${request.failure()?.errorText ?? 'failed'}`);
  });
  const page = await context.newPage();
  return { page, context, problems, close: () => context.close() };
}

/** A watched page that has loaded `url` (its `load` event), with the navigation's response. */
export interface OpenedPage extends WatchedPage {
  response: Response | null;
}

/** Opens `url` in a new watched page and waits for its `load` event. */
export async function openPage(browser: Browser, url: string, options: PageOptions = {}): Promise<OpenedPage> {
  const watched = await watchedPage(browser, options);
  try {
    const response = await watched.page.goto(url, { waitUntil: 'load' });
    return { ...watched, response };
  } catch (error) {
    await watched.close();
    throw error;
  }
}

/** Where test artifacts go: `RANKWATCH_ARTIFACTS_DIR`, else `test-artifacts/` in the repository (gitignored). */
export function artifactsDir(env: Env = process.env): string {
  return env.RANKWATCH_ARTIFACTS_DIR || join(REPO_ROOT, 'test-artifacts');
}

/** Saves a full-page screenshot as `<artifacts>/screenshots/<name>.png` and returns its path. */
export async function screenshot(page: Page, name: string, dir: string = artifactsDir()): Promise<string> {
  if (!/^[a-z0-9][a-z0-9._-]*$/i.test(name)) throw new Error(`screenshot name ${JSON.stringify(name)}: letters, digits, '.', '_' and '-' only`);
  const folder = join(dir, 'screenshots');
  await mkdir(folder, { recursive: true });
  const path = join(folder, `${name}.png`);
  // CSS pixels: a phone's 3x screenshot of a long page would be tens of megapixels.
  await page.screenshot({ path, fullPage: true, scale: 'css' });
  return path;
}

/** A chart of the dashboard: its figure's caption, the canvas's `data-state`, and Chart.js's datasets. */
export interface DashboardChart {
  id: string;
  caption: string;
  state: string | null;
  datasets: { label: string; points: number }[];
}

/**
 * Waits for the dashboard's script to finish (`<html data-dashboard="ready">`) and reads every
 * chart (`figure canvas`): its `data-state` (drawn, empty or error) and, through Chart.js 4's
 * global `Chart.getChart(canvas)`, its datasets.
 */
export async function dashboardCharts(page: Page, timeoutMs = 15_000): Promise<DashboardChart[]> {
  await page.waitForFunction(`document.documentElement.dataset.dashboard === 'ready'`, undefined, { timeout: timeoutMs });
  return page.evaluate<DashboardChart[]>(`[...document.querySelectorAll('figure canvas')].map((canvas) => {
    const chart = typeof Chart === 'undefined' ? undefined : Chart.getChart(canvas);
    return {
      id: canvas.id,
      caption: canvas.closest('figure').querySelector('figcaption')?.textContent.trim() ?? '',
      state: canvas.dataset.state ?? null,
      datasets: chart ? chart.data.datasets.map((dataset) => ({ label: String(dataset.label ?? ''), points: dataset.data.length })) : [],
    };
  })`);
}

/**
 * `describe` for browser tests: one Chromium for the suite (launched before its first test, closed
 * after its last), given to the body as `browser()`. Without Chromium the suite is skipped and
 * says how to install it; under RANKWATCH_REQUIRE_BROWSER=1 the file fails with that message.
 */
export function describeBrowser(name: string, body: (browser: () => Browser) => void): void {
  const gate = browserGate();
  if (!gate.run) {
    console.warn(`browser tests skipped: ${gate.reason}`);
    describe.skip(`${name} (skipped: ${gate.reason})`, () => body(() => {
      throw new Error('skipped');
    }));
    return;
  }
  describe(name, () => {
    let launched: TestBrowser | undefined;
    beforeAll(async () => {
      launched = await launchBrowser();
    });
    afterAll(async () => {
      await launched?.close();
    });
    body(() => {
      if (!launched) throw new Error('Chromium did not start (see the error of beforeAll)');
      return launched.browser;
    });
  });
}
