import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import { z } from 'zod';
import { readParameter } from '../api/routing.ts';
import { cursorSchema, EventQuerySchema, OptionalTextSchema, TimeSchema } from '../api/schemas.ts';
import type { Db } from '../db/client.ts';
import { AppError, InvalidInputError, NotFoundError } from '../errors.ts';
import type { Identity } from '../identity/identity.ts';
import { assetType, readDashboardAsset, type DashboardAssetReader } from './assets.ts';
import { boardPage, CHART_WINDOWS, DEFAULT_TOP, DEFAULT_WINDOW, MAX_TOP } from './board.ts';
import { eventsPage } from './events.ts';
import { healthPage } from './health.ts';
import { labsPage } from './labs.ts';
import { page } from './layout.ts';
import { modelPage } from './model.ts';
import { overviewPage } from './overview.ts';

export interface DashboardDeps {
  db: Db;
  identity: () => Identity;
  /** Reads the pages' scripts and stylesheet (default: from node_modules and src/dashboard/static). */
  assets?: DashboardAssetReader;
  /** The clock (tests). */
  now?: () => Date;
}

const WindowSchema = z
  .string()
  .optional()
  .transform((value, context): number => {
    if (value === undefined || value === '') return DEFAULT_WINDOW;
    const days = Number(value);
    if ((CHART_WINDOWS as readonly number[]).includes(days)) return days;
    context.addIssue({ code: 'custom', message: `one of ${CHART_WINDOWS.join(', ')} (0: all), got ${JSON.stringify(value)}` });
    return z.NEVER;
  });

const TopSchema = z
  .string()
  .optional()
  .transform((value, context): number => {
    if (value === undefined || value === '') return DEFAULT_TOP;
    const top = Number(value);
    if (Number.isInteger(top) && top >= 1 && top <= MAX_TOP) return top;
    context.addIssue({ code: 'custom', message: `a whole number from 1 to ${MAX_TOP}, got ${JSON.stringify(value)}` });
    return z.NEVER;
  });

/** One query parameter given once at most (a page's form never repeats them). */
function single(c: Context, name: string): string | undefined {
  const values = c.req.queries(name) ?? [];
  if (values.length > 1) throw new InvalidInputError(name, `given ${values.length} times; give it once`);
  return values[0];
}

/** A refused request as a page: what is wrong in words, with the status an API client would get (404 or 400). */
function errorPage(c: Context, error: AppError): Response | Promise<Response> {
  const status = error instanceof NotFoundError ? 404 : 400;
  // The parameter is shown apart, in code; the message already begins with it.
  const said = error instanceof InvalidInputError && error.message.startsWith(`${error.parameter}: `) ? error.message.slice(error.parameter.length + 2) : error.message;
  const title = status === 404 ? 'Not found' : 'Not a valid request';
  return c.html(
    page(
      { title, section: '' },
      html`<h1>${title}</h1>
      <p class="error">${error instanceof InvalidInputError ? html`<code>${error.parameter}</code>: ` : ''}${said}</p>
      <p><a href="/">Back to the boards</a></p>`,
    ),
    status,
    { 'cache-control': 'no-store' },
  );
}

/**
 * The dashboard: HTML pages built on the same queries as the API, readable without a script,
 * with charts the page's script draws from the API's JSON (`/`, `/boards/:board`, `/models/:id`,
 * `/events`, `/labs`, `/health`), and the files they load under `/assets/`. Bad parameters and
 * unknown boards or models are answered with a page saying so (400, 404).
 */
export function dashboardRoutes(deps: DashboardDeps): Hono {
  const { db, identity } = deps;
  const now = deps.now ?? (() => new Date());
  const readAsset = deps.assets ?? readDashboardAsset;
  const app = new Hono();
  // What the request got wrong is a page; anything else is the app's (a JSON 500, logged).
  app.onError((error, c) => {
    if (!(error instanceof AppError)) throw error;
    return errorPage(c, error);
  });

  app.get('/', async (c) => c.html(await overviewPage(db)));
  app.get('/boards/:board', async (c) => {
    const query = {
      at: readParameter(TimeSchema, 'at', single(c, 'at')),
      days: readParameter(WindowSchema, 'days', single(c, 'days')),
      top: readParameter(TopSchema, 'top', single(c, 'top')),
    };
    return c.html(await boardPage(db, c.req.param('board'), query, now()));
  });
  app.get('/models/:model{.+}', async (c) => c.html(await modelPage(db, identity(), c.req.param('model'))));
  app.get('/events', async (c) => {
    const raw = Object.fromEntries(Object.entries(c.req.queries()).map(([name, values]) => [name, values.length === 1 ? values[0] : values]));
    const { cursor: encoded, ...rest } = raw;
    const query = readParameter(EventQuerySchema.strict(), 'query', rest as never);
    const cursor = readParameter(cursorSchema('time'), 'cursor', encoded as never);
    return c.html(await eventsPage(db, identity(), { ...query, cursor }));
  });
  app.get('/labs', async (c) => c.html(await labsPage(db, identity(), readParameter(OptionalTextSchema, 'board', single(c, 'board')))));
  app.get('/health', async (c) => c.html(await healthPage(db)));
  app.get('/assets/:file', async (c) => {
    const name = c.req.param('file');
    const type = assetType(name);
    const bytes = type ? await readAsset(name) : null;
    if (!type || !bytes) throw new NotFoundError(`no dashboard file ${name}`);
    return c.body(bytes, 200, { 'content-type': type, 'cache-control': 'public, max-age=3600' });
  });
  return app;
}
