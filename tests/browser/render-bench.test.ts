import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.ts';
import { makeEntry } from '../../src/entry.ts';
import { applyCapture } from '../../src/ingest/store.ts';
import { formatRender, measureRender, percentile, RENDER_PAGE, RENDER_QUERY, type RenderResult } from '../bench/dashboard.ts';
import { describeBrowser } from '../support/browser.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// The render bench (tests/bench/dashboard.ts) on a stand-in board page written to the dashboard's
// contract: Chart.js from the app's own assets, the top 10's history from the API, each chart's
// data-state, then <html data-dashboard="ready">. The bench must time such a page, and refuse to
// time a page that is missing, has a chart in error or asks for anything off-host.

describe('the render bench figures', () => {
  it('takes nearest-rank percentiles', () => {
    const ten = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5];
    expect(percentile(ten, 50)).toBe(5);
    expect(percentile(ten, 90)).toBe(9);
    expect(percentile([4], 90)).toBe(4);
    expect(() => percentile([], 50)).toThrow();
  });

  it('prints median and p90 of each measure and the page figures as multiples of the API call', () => {
    const result: RenderResult = {
      runs: 3,
      chromium: '150.0',
      fcp: [40, 50, 60],
      ready: [100, 120, 150],
      api: [10, 12, 15],
      apiPath: '/v1/boards/lmarena-text/history?models=a,b',
      fromPage: true,
      apiBytes: 2048,
      charts: [{ id: 'ranks', caption: 'Ranks', state: 'drawn', datasets: [] }, { id: 'prices', caption: 'Prices', state: 'empty', datasets: [] }],
    };
    expect(formatRender('PGlite', result)).toEqual([
      `dashboard render on PGlite: ${RENDER_PAGE}${RENDER_QUERY}, 3 loads in headless Chromium 150.0 after a warm-up (each a first visit: a fresh context), beside its API call from Node:`,
      "  API call: GET /v1/boards/lmarena-text/history?models=a,b (2 models, 2 KB; the page's own request)",
      '  charts: 2 (1 drawn, 1 empty)',
      '  from navigation start          median ms   p90 ms  ÷ API median  ÷ API p90',
      '  first contentful paint              50.0     60.0          4.2x       4.0x',
      '  ready (data-dashboard)             120.0    150.0         10.0x      10.0x',
      '  API call (fetch, body read)         12.0     15.0',
    ]);
  });
});

const MODELS = 12;

/** The stand-in board page: what the bench needs of the real one. */
const standIn = (extra = '') => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>lmarena-text</title><link rel="icon" href="data:,"></head>
<body><h1>lmarena-text</h1>
<figure><canvas id="ranks"></canvas><figcaption>Rank of the top 10</figcaption></figure>
<script src="/assets/chart.umd.min.js"></script>
<script>
(async () => {
  const canvas = document.getElementById('ranks');
  try {
    const { entries } = await (await fetch('/v1/boards/lmarena-text/standings')).json();
    const models = entries.slice(0, 10).map((entry) => encodeURIComponent(entry.model)).join(',');
    const history = await (await fetch('/v1/boards/lmarena-text/history?models=' + models)).json();
    new Chart(canvas, {
      type: 'line',
      options: { animation: false, scales: { x: { type: 'linear' } } },
      data: { datasets: history.series.map((series) => ({ label: series.model, data: series.points.map((point) => ({ x: Date.parse(point.from), y: point.rank })) })) },
    });
    canvas.dataset.state = 'drawn';
  } catch (error) {
    canvas.dataset.state = 'error';
  }
  ${extra}
  document.documentElement.dataset.dashboard = 'ready';
})();
</script></body></html>`;

describeBrowser('the render bench on a stand-in board page', (browser) => {
  let database: TestDatabase;
  let chartJs: Uint8Array<ArrayBuffer>;

  /** The API, with `page` served as the board page and Chart.js under /assets/. */
  const withPage = (page: string | null) => {
    const api = createApp({ db: database.db, metrics: null });
    const app = new Hono();
    app.get('/assets/chart.umd.min.js', (c) => c.body(chartJs, 200, { 'content-type': 'text/javascript' }));
    // null: the board page is missing (answers 404), as a build without the dashboard would.
    app.get(RENDER_PAGE, (c) => (page === null ? c.notFound() : c.html(page)));
    app.all('*', (c) => api.fetch(c.req.raw));
    return app.fetch;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    chartJs = new Uint8Array(await readFile(join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js')));
    for (let capture = 0; capture < 3; capture++) {
      const entries = Array.from({ length: MODELS }, (_, i) => {
        const rank = ((i + capture) % MODELS) + 1;
        return makeEntry({ model: `model-${i}`, name: `Model ${i}`, rank, score: 1500 - rank * 10, votes: 1000 });
      });
      await applyCapture(database.db, {
        board: 'lmarena-text',
        capturedAt: new Date(Date.UTC(2025, 0, 1 + capture)),
        entries,
        origin: 'import',
        source: null,
        contentHash: `render-${capture}`,
        format: 'test',
        parserVersion: '1',
        publishedAt: null,
        settle: { scrapes: 1 },
      });
    }
  });

  afterAll(async () => {
    await database?.drop();
  });

  it("times first paint and the ready mark of each load, and the page's own history call from Node", async () => {
    // The mark comes 300 ms after the charts: the time measured must be the mark's, not the charts' or the paint's.
    const result = await measureRender(withPage(standIn('await new Promise((resolve) => setTimeout(resolve, 300));')), browser(), 3);
    expect(result.fromPage).toBe(true);
    expect(result.apiPath).toMatch(/^\/v1\/boards\/lmarena-text\/history\?models=([^,]+,){9}[^,]+$/);
    expect(result.apiBytes).toBeGreaterThan(1000);
    expect(result.charts).toEqual([{ id: 'ranks', caption: 'Rank of the top 10', state: 'drawn', datasets: expect.any(Array) }]);
    expect(result.charts[0]!.datasets).toHaveLength(10);
    for (const values of [result.fcp, result.ready, result.api]) {
      expect(values).toHaveLength(3);
      for (const value of values) expect(value).toBeGreaterThan(0);
    }
    for (const [run, ready] of result.ready.entries()) {
      expect(ready).toBeGreaterThanOrEqual(300);
      expect(result.fcp[run]).toBeLessThan(ready);
    }
  });

  it("times the contract's call (the top 10 of the standings) when the page makes no history call", async () => {
    const inline = standIn().replace(/<script>\n\(async[^]*<\/script>/, `<script>
  new Chart(document.getElementById('ranks'), { type: 'bar', options: { animation: false }, data: { labels: ['a'], datasets: [{ label: 'inline', data: [1] }] } });
  document.getElementById('ranks').dataset.state = 'drawn';
  document.documentElement.dataset.dashboard = 'ready';
</script>`);
    expect(inline).not.toContain('/v1/');
    const result = await measureRender(withPage(inline), browser(), 1);
    expect(result.fromPage).toBe(false);
    // The last capture ranks model-10 first, then model-11, model-0, model-1…
    expect(result.apiPath).toBe(`/v1/boards/lmarena-text/history?models=${['model-10', 'model-11', ...Array.from({ length: 8 }, (_, i) => `model-${i}`)].join(',')}`);
    expect(result.charts).toEqual([{ id: 'ranks', caption: 'Rank of the top 10', state: 'drawn', datasets: [{ label: 'inline', points: 1 }] }]);
  });

  it("times the dashboard's own board page: both its charts drawn from the page's history call of the top 10", async () => {
    const result = await measureRender(createApp({ db: database.db, metrics: null }).fetch, browser(), 2);
    expect(result.fromPage).toBe(true);
    expect(new URL(result.apiPath, 'http://x').searchParams.getAll('models')).toHaveLength(10);
    expect(result.charts.map((chart) => [chart.id, chart.state])).toEqual([
      ['bump-chart', 'drawn'],
      ['score-chart', 'drawn'],
    ]);
    expect(result.charts[0]!.datasets).toHaveLength(10);
    for (const [run, ready] of result.ready.entries()) expect(result.fcp[run]).toBeLessThanOrEqual(ready);
  });

  it('fails, saying so, when the board page is not served', async () => {
    await expect(measureRender(withPage(null), browser(), 1)).rejects.toThrow(/GET \/boards\/lmarena-text answered 404[^]*not served/);
  });

  it('refuses to time a page whose chart is in error or unsettled, or that asks for anything off-host', async () => {
    const broken = standIn().replace("'/v1/boards/lmarena-text/history?models='", "'/v1/boards/lmarena-text/history?nothing='");
    await expect(measureRender(withPage(broken), browser(), 1)).rejects.toThrow(/charts in error: ranks/);
    const unsettled = standIn().replace("canvas.dataset.state = 'drawn';", '');
    expect(unsettled).not.toBe(standIn());
    await expect(measureRender(withPage(unsettled), browser(), 1)).rejects.toThrow(/neither drawn, empty nor in error: ranks \(null\)/);
    const offHost = standIn("await fetch('https://cdn.example/x.js').catch(() => {});");
    await expect(measureRender(withPage(offHost), browser(), 1)).rejects.toThrow(/not clean:[^]*off-host request GET https:\/\/cdn\.example\/x\.js/);
  });
});
