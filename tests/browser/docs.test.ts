import { access } from 'node:fs/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.ts';
import { readSwaggerUiAsset } from '../../src/api/routes/docs.ts';
import { describeBrowser, openPage, screenshot, type OpenedPage, type PageProblems } from '../support/browser.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { serveApp, type ServedApp } from '../support/serve.ts';

// The pages the service serves today, in headless Chromium over real HTTP: `/docs` (Swagger UI
// from node_modules, reading /openapi.json) and `/`. Screenshots are kept in
// test-artifacts/screenshots/ (RANKWATCH_ARTIFACTS_DIR/screenshots/).

const CLEAN: PageProblems = { consoleErrors: [], consoleWarnings: [], pageErrors: [], failedRequests: [], offHost: [] };
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

interface OpenApiDocument {
  paths: Record<string, Partial<Record<(typeof METHODS)[number], { tags?: string[] }>>>;
}

/** The operations Swagger UI lists: each operation once under each of its tags (once under "default" without one). */
function listedOperations(document: OpenApiDocument): number {
  let count = 0;
  for (const item of Object.values(document.paths)) for (const method of METHODS) if (item[method]) count += Math.max(1, item[method].tags?.length ?? 0);
  return count;
}

/** The rendered operation for METHOD PATH. */
const operation = (opened: OpenedPage, method: string, path: string) =>
  opened.page.locator(`.opblock.opblock-${method.toLowerCase()}:has(> .opblock-summary .opblock-summary-path[data-path="${path}"])`);

describeBrowser('the docs page and the home page in Chromium', (browser) => {
  let database: TestDatabase;
  let served: ServedApp;
  let operations: number;

  beforeAll(async () => {
    database = await createTestDatabase();
    served = await serveApp(createApp({ db: database.db, metrics: null }).fetch);
    operations = listedOperations((await (await fetch(`${served.origin}/openapi.json`)).json()) as OpenApiDocument);
  });

  afterAll(async () => {
    await served?.close();
    await database?.drop();
  });

  it('/docs renders every operation of /openapi.json, GET /v1/events among them, with no error and nothing off-host', async () => {
    expect(operations).toBeGreaterThan(30);
    const opened = await openPage(browser(), `${served.origin}/docs`);
    try {
      expect(opened.response?.status()).toBe(200);
      await expect.poll(() => opened.page.locator('.opblock').count(), { timeout: 10_000 }).toBe(operations);
      await expect.poll(() => opened.page.locator('.information-container .title').innerText()).toMatch(/^rankwatch API/);
      const events = operation(opened, 'GET', '/v1/events');
      expect(await events.count()).toBe(1);
      expect(await events.isVisible()).toBe(true);
      expect(await events.locator('.opblock-summary-method').innerText()).toBe('GET');
      expect(await events.locator('.opblock-summary-description').innerText()).not.toBe('');
      const path = await screenshot(opened.page, 'docs');
      await access(path);
      expect(opened.problems).toEqual(CLEAN);
    } finally {
      await opened.close();
    }
  });

  it('/docs on a phone in dark mode: the same operations, no error, screenshot kept', async () => {
    const opened = await openPage(browser(), `${served.origin}/docs`, { phone: true, colorScheme: 'dark' });
    try {
      await expect.poll(() => opened.page.locator('.opblock').count(), { timeout: 10_000 }).toBe(operations);
      expect(await opened.page.evaluate('[innerWidth, matchMedia("(prefers-color-scheme: dark)").matches]')).toEqual([390, true]);
      expect(await operation(opened, 'GET', '/v1/events').isVisible()).toBe(true);
      await screenshot(opened.page, 'docs-phone-dark');
      expect(opened.problems).toEqual(CLEAN);
    } finally {
      await opened.close();
    }
  });

  it('/ loads: an HTML page with a title and a heading, no error, nothing off-host', async () => {
    const opened = await openPage(browser(), `${served.origin}/`);
    try {
      expect(opened.response?.status()).toBe(200);
      expect(opened.response?.headers()['content-type']).toMatch(/^text\/html/);
      expect(await opened.page.title()).not.toBe('');
      expect(await opened.page.locator('h1').first().isVisible()).toBe(true);
      await screenshot(opened.page, 'home');
      expect(opened.problems).toEqual(CLEAN);
    } finally {
      await opened.close();
    }
  });

  it('a docs page whose script is missing is caught: a 404, a console error, an exception, no operations', async () => {
    const broken = createApp({ db: database.db, metrics: null, docsAssets: (name) => (name === 'swagger-ui-bundle.js' ? Promise.resolve(null) : readSwaggerUiAsset(name)) });
    const servedBroken = await serveApp(broken.fetch);
    const opened = await openPage(browser(), `${servedBroken.origin}/docs`);
    try {
      expect(opened.response?.status()).toBe(200);
      expect(opened.problems.failedRequests).toEqual([`GET ${servedBroken.origin}/docs/swagger-ui-bundle.js: 404`]);
      expect(opened.problems.consoleErrors).toEqual([expect.stringMatching(/^Failed to load resource: .*404/)]);
      expect(opened.problems.pageErrors).toEqual(['SwaggerUIBundle is not defined']);
      expect(await opened.page.locator('.opblock').count()).toBe(0);
    } finally {
      await opened.close();
      await servedBroken.close();
    }
  });
});
