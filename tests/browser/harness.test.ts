import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactsDir, browserGate, chromiumMissing, dashboardCharts, describeBrowser, isOffHost, openPage, screenshot, type PageProblems } from '../support/browser.ts';
import { serveApp, type ServedApp } from '../support/serve.ts';

// The browser helpers themselves, on pages made to go wrong: whatever the browser tests assert
// ("no console error", "no off-host request") can only fail if the helpers see these.

const CLEAN: PageProblems = { consoleErrors: [], consoleWarnings: [], pageErrors: [], failedRequests: [], offHost: [] };

describe('browser support without a browser', () => {
  it('says how to install Chromium when it is missing; skips, or fails under RANKWATCH_REQUIRE_BROWSER=1', () => {
    const env = { RANKWATCH_CHROMIUM: '/nonexistent/chromium' };
    expect(chromiumMissing(env)).toBe(
      "Chromium not found at /nonexistent/chromium (RANKWATCH_CHROMIUM): install Debian's package (apt-get install chromium) or set RANKWATCH_CHROMIUM to a Chromium executable",
    );
    expect(browserGate(env)).toEqual({ run: false, reason: chromiumMissing(env) });
    expect(() => browserGate({ ...env, RANKWATCH_REQUIRE_BROWSER: '1' })).toThrow(/^Chromium not found at \/nonexistent\/chromium.*apt-get install chromium.*RANKWATCH_REQUIRE_BROWSER=1/);
    // Any executable file counts as there (this test must not depend on Chromium being installed).
    expect(chromiumMissing({ RANKWATCH_CHROMIUM: process.execPath })).toBeNull();
    expect(browserGate({ RANKWATCH_CHROMIUM: process.execPath, RANKWATCH_REQUIRE_BROWSER: '1' })).toEqual({ run: true });
  });

  it('puts artifacts in RANKWATCH_ARTIFACTS_DIR, else test-artifacts/ in the repository', () => {
    expect(artifactsDir({ RANKWATCH_ARTIFACTS_DIR: '/tmp/elsewhere' })).toBe('/tmp/elsewhere');
    expect(artifactsDir({})).toBe(join(dirname(dirname(import.meta.dirname)), 'test-artifacts'));
  });

  it.each([
    ['http://127.0.0.1:8080/docs', false],
    ['data:image/png;base64,AAAA', false],
    ['blob:http://127.0.0.1:8080/0b6c', false],
    ['about:blank', false],
    ['http://localhost:8080/', true],
    ['http://127.0.0.2:8080/', true],
    ['http://[::1]:8080/', true],
    ['https://cdn.jsdelivr.net/npm/chart.js', true],
    ['ws://example.com/socket', true],
  ])('%s is off-host: %s', (url, off) => {
    expect(isOffHost(url)).toBe(off);
  });
});

/** A server on 127.0.0.2 (this machine, but not 127.0.0.1): any request reaching it got through the block. */
async function elsewhere(): Promise<{ server: Server; port: number; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((request, response) => {
    hits.push(`${request.method} ${request.url}`);
    response.end('reached');
  });
  server.on('upgrade', (request, socket) => {
    hits.push(`upgrade ${request.url}`);
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
  return { server, port: (server.address() as AddressInfo).port, hits };
}

const page = (body: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>test</title></head><body>${body}</body></html>`;

describeBrowser('the page helpers on pages that go wrong', (browser) => {
  let served: ServedApp;
  let other: Awaited<ReturnType<typeof elsewhere>>;
  const ownHits: string[] = [];
  let dir: string;

  beforeAll(async () => {
    other = await elsewhere();
    const chartJs = await readFile(join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js'));
    const app = new Hono();
    app.use(async (c, next) => {
      ownHits.push(c.req.path);
      await next();
    });
    app.get('/favicon.ico', (c) => c.body(null, 204));
    app.get('/clean', (c) => c.html(page('<h1>clean</h1><script>window.done = true</script>')));
    app.get('/console', (c) => c.html(page(`<script>console.error('injected error', 42); console.warn('injected warning')</script>`)));
    app.get('/exception', (c) => c.html(page(`<script>throw new Error('injected exception')</script><script>Promise.reject(new Error('injected rejection'))</script>`)));
    app.get('/missing-asset', (c) => c.html(page('<script src="/missing.js"></script>')));
    app.get('/off-host', (c) => {
      const port = new URL(c.req.url).port;
      return c.html(
        page(`<img src="http://example.com/x" alt="">
<script>
  const socket = new Promise((resolve) => { const ws = new WebSocket('ws://127.0.0.2:${other.port}/socket'); ws.onerror = ws.onclose = resolve; });
  Promise.allSettled([
    fetch('https://example.com/y', { mode: 'no-cors' }),
    fetch('http://localhost:${port}/via-localhost', { mode: 'no-cors' }),
    fetch('http://127.0.0.2:${other.port}/elsewhere', { mode: 'no-cors' }),
    fetch('/own'),
    socket,
  ]).then((results) => { window.settled = results.map((result) => result.status); });
</script>`),
      );
    });
    app.get('/own', (c) => c.text('own'));
    app.get('/assets/chart.umd.min.js', (c) => c.body(chartJs, 200, { 'content-type': 'text/javascript' }));
    app.get('/charts', (c) =>
      c.html(
        page(`<figure><canvas id="ranks"></canvas><figcaption> Rank over time </figcaption></figure>
<figure><canvas id="broken"></canvas><figcaption>Prices</figcaption></figure>
<script src="/assets/chart.umd.min.js"></script>
<script>
  const ranks = document.getElementById('ranks');
  new Chart(ranks, { type: 'line', options: { animation: false }, data: { labels: ['a', 'b', 'c'], datasets: [{ label: 'model-a', data: [1, 2, 1] }, { label: 'model-b', data: [2, 1, 2] }] } });
  ranks.dataset.state = 'drawn';
  document.getElementById('broken').dataset.state = 'error';
  document.documentElement.dataset.dashboard = 'ready';
</script>`),
      ),
    );
    app.get('/never-ready', (c) => c.html(page('<figure><canvas></canvas></figure>')));
    served = await serveApp(app.fetch);
    dir = await mkdtemp(join(tmpdir(), 'rankwatch-browser-artifacts-'));
  });

  afterAll(async () => {
    await served?.close();
    await new Promise((resolve) => other?.server.close(resolve));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a clean page reports nothing', async () => {
    const opened = await openPage(browser(), `${served.origin}/clean`);
    try {
      expect(opened.response?.status()).toBe(200);
      expect(await opened.page.evaluate('window.done')).toBe(true);
      expect(opened.problems).toEqual(CLEAN);
    } finally {
      await opened.close();
    }
  });

  it('reports console.error and console.warn with their text and place', async () => {
    const opened = await openPage(browser(), `${served.origin}/console`);
    try {
      expect(opened.problems.consoleErrors).toEqual([expect.stringMatching(/^injected error 42 \(http:\/\/127\.0\.0\.1:\d+\/console:\d+\)$/)]);
      expect(opened.problems.consoleWarnings).toEqual([expect.stringMatching(/^injected warning /)]);
      expect(opened.problems.pageErrors).toEqual([]);
    } finally {
      await opened.close();
    }
  });

  it('reports uncaught exceptions and unhandled rejections', async () => {
    const opened = await openPage(browser(), `${served.origin}/exception`);
    try {
      await expect.poll(() => opened.problems.pageErrors.length).toBe(2);
      expect(opened.problems.pageErrors).toEqual(expect.arrayContaining(['injected exception', 'injected rejection']));
    } finally {
      await opened.close();
    }
  });

  it('reports a missing asset as a failed request and a console error', async () => {
    const opened = await openPage(browser(), `${served.origin}/missing-asset`);
    try {
      expect(opened.problems.failedRequests).toEqual([`GET ${served.origin}/missing.js: 404`]);
      expect(opened.problems.consoleErrors).toEqual([expect.stringMatching(/^Failed to load resource: .*404/)]);
    } finally {
      await opened.close();
    }
  });

  it('records every off-host request and blocks it: none reaches another address, localhost included', async () => {
    const opened = await openPage(browser(), `${served.origin}/off-host`);
    try {
      await opened.page.waitForFunction('Array.isArray(window.settled)');
      // The page's own request went through; every other one failed.
      expect(await opened.page.evaluate('window.settled')).toEqual(['rejected', 'rejected', 'rejected', 'fulfilled', 'fulfilled']);
      const port = new URL(served.origin).port;
      expect([...opened.problems.offHost].sort()).toEqual(
        [
          'GET http://example.com/x',
          'GET https://example.com/y',
          `GET http://localhost:${port}/via-localhost`,
          `GET http://127.0.0.2:${other.port}/elsewhere`,
          `WebSocket ws://127.0.0.2:${other.port}/socket`,
        ].sort(),
      );
      expect(other.hits).toEqual([]);
      expect(ownHits).toContain('/own');
      expect(ownHits).not.toContain('/via-localhost');
      expect(opened.problems.failedRequests).toEqual(expect.arrayContaining([expect.stringMatching(/^GET http:\/\/example\.com\/x: net::ERR_/)]));
    } finally {
      await opened.close();
    }
  });

  it('emulates a dark colour scheme and a phone viewport; a page is light and desktop-sized otherwise', async () => {
    const probe = '({ dark: matchMedia("(prefers-color-scheme: dark)").matches, width: innerWidth, height: innerHeight, touch: navigator.maxTouchPoints > 0 })';
    const phone = await openPage(browser(), `${served.origin}/clean`, { colorScheme: 'dark', phone: true });
    const desktop = await openPage(browser(), `${served.origin}/clean`);
    try {
      expect(await phone.page.evaluate(probe)).toEqual({ dark: true, width: 390, height: 844, touch: true });
      expect(await desktop.page.evaluate(probe)).toEqual({ dark: false, width: 1280, height: 800, touch: false });
    } finally {
      await phone.close();
      await desktop.close();
    }
  });

  it('saves a screenshot as <dir>/screenshots/<name>.png; refuses a name that is a path', async () => {
    const opened = await openPage(browser(), `${served.origin}/clean`);
    try {
      const path = await screenshot(opened.page, 'harness-clean', dir);
      expect(path).toBe(join(dir, 'screenshots', 'harness-clean.png'));
      const png = await readFile(path);
      expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      expect(png.length).toBeGreaterThan(1000);
      await expect(screenshot(opened.page, '../escape', dir)).rejects.toThrow(/letters, digits/);
    } finally {
      await opened.close();
    }
  });

  it("reads the dashboard's charts: data-state and Chart.js datasets, once the page is ready", async () => {
    const opened = await openPage(browser(), `${served.origin}/charts`);
    try {
      expect(await dashboardCharts(opened.page)).toEqual([
        { id: 'ranks', caption: 'Rank over time', state: 'drawn', datasets: [{ label: 'model-a', points: 3 }, { label: 'model-b', points: 3 }] },
        { id: 'broken', caption: 'Prices', state: 'error', datasets: [] },
      ]);
      expect(opened.problems).toEqual(CLEAN);
    } finally {
      await opened.close();
    }
  });

  it('gives up on a page that never says it is ready', async () => {
    const opened = await openPage(browser(), `${served.origin}/never-ready`);
    try {
      await expect(dashboardCharts(opened.page, 300)).rejects.toThrow(/Timeout 300ms/);
    } finally {
      await opened.close();
    }
  });
});
