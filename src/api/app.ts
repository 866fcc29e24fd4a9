import { Hono } from 'hono';
import { requestId, type RequestIdVariables } from 'hono/request-id';
import { sql } from 'drizzle-orm';
import { ZodError } from 'zod';
import { VERSION } from '../config.ts';
import type { Db } from '../db/client.ts';
import {
  boardExists,
  getChangeSet,
  getEvent,
  getQuarantine,
  listBoards,
  listChangeSets,
  listEvents,
  listQuarantines,
  standingsAt,
} from '../db/queries.ts';
import { AppError, ConflictError, describeError, InvalidInputError, NotFoundError } from '../errors.ts';
import { mountFeeds } from '../feed/routes.ts';
import { eventFilter } from './event-filter.ts';
import { loadIdentity, type Identity } from '../identity/identity.ts';
import { aggregatesHistory, boardAggregates, canonicalHistory, modelAcrossBoards, unmappedModels } from '../identity/store.ts';
import { escapeForLog } from '../log.ts';
import { rejectControlCharacters } from './control-characters.ts';
import { parseId, parseLimit, parseTime } from './params.ts';
import { AuthError, mountSubscriptions } from './subscriptions.ts';
import type { UrlPolicy } from '../notify/subscriptions.ts';
import { Metrics } from '../metrics.ts';
import { countRequests, mountOperations, NOTHING_BESIDE, type BackgroundState } from './operations.ts';
import { httpLayer, type HttpOptions } from './http.ts';

/** What the HTTP API needs. */
export interface ApiDeps {
  db: Db;
  /** Public base URL for links in feeds; defaults to the request's own origin. */
  publicUrl?: string | undefined;
  /** Logs unexpected errors (defaults to stderr). */
  logError?: (message: string) => void;
  /** Model identity (defaults to the shipped tables). */
  identity?: Identity;
  /** Bearer token for `/v1/subscriptions` and `/v1/deliveries` (unset: those answer 503). */
  adminToken?: string | undefined;
  /** Webhook URL guard: hosts exempt from the private-address check, and (tests) a DNS lookup. */
  urlPolicy?: UrlPolicy;
  /**
   * Prometheus metrics served at `/metrics`, shared with the scheduler and dispatcher that report
   * into them (default: a registry of this app's own); null: no `/metrics` (the Workers entry).
   */
  metrics?: Metrics | null;
  /** Bearer token for `/metrics` (unset: public). */
  metricsToken?: string | undefined;
  /** The scheduler's and dispatcher's state for `/readyz` (default: neither runs beside this app). */
  background?: () => BackgroundState;
  /** Caching, CORS, body and rate limits, the request log (src/api/http.ts; default: no rate limit, no request log). */
  http?: HttpOptions;
}

type Env = { Variables: RequestIdVariables };

const MAX_LIMIT = 1000;

function statusOf(error: unknown): 400 | 401 | 404 | 409 | 500 | 503 {
  if (error instanceof AuthError) return error.status;
  if (error instanceof InvalidInputError || error instanceof ZodError) return 400;
  if (error instanceof NotFoundError) return 404;
  if (error instanceof ConflictError) return 409;
  return 500;
}


/** The rankwatch HTTP API (hono): boards, standings, events, model history, RSS, health. */
export function createApp(deps: ApiDeps): Hono<Env> {
  const { db } = deps;
  const app = new Hono<Env>();
  const identity = (): Identity => deps.identity ?? loadIdentity();
  const logError = deps.logError ?? ((message: string) => process.stderr.write(`${message}\n`));
  const metrics = deps.metrics === undefined ? new Metrics(db, (error) => logError(`metrics: cannot read the outbox: ${describeError(error)}`)) : deps.metrics;
  // First: requests another middleware answers (a 400 for a control character) are counted too.
  if (metrics) app.use(countRequests(metrics));
  app.use(requestId());
  app.use(...httpLayer(deps.http));
  app.use(rejectControlCharacters(() => app.routes));

  app.onError((error, c) => {
    const status = statusOf(error);
    const body: Record<string, unknown> = {
      code: error instanceof AppError ? error.code : error instanceof ZodError ? 'invalid_parameter' : 'internal_error',
      message: status === 500 ? 'internal error' : error instanceof ZodError ? error.issues.map((issue) => issue.message).join('; ') : error.message,
      requestId: c.get('requestId'),
    };
    if (error instanceof InvalidInputError) body.parameter = error.parameter;
    // Escaped here whatever logger is given: the path and the error come from the request.
    if (status === 500) logError(escapeForLog(`[${c.get('requestId')}] ${c.req.method} ${c.req.path}: ${error.stack ?? error.message}`));
    return c.json(body, status);
  });
  app.notFound((c) => c.json({ code: 'not_found', message: `no route for ${c.req.method} ${c.req.path}`, requestId: c.get('requestId') }, 404));

  mountSubscriptions(app, { db, adminToken: deps.adminToken, policy: deps.urlPolicy ?? { allowHosts: [] }, identity });
  mountFeeds(app, { db, publicUrl: deps.publicUrl });

  app.get('/healthz', async (c) => {
    await db.execute(sql`select 1`);
    return c.json({ status: 'ok', version: VERSION });
  });
  mountOperations(app, { db, metrics, metricsToken: deps.metricsToken, background: deps.background ?? (() => NOTHING_BESIDE) });

  app.get('/v1/boards', async (c) => c.json({ boards: await listBoards(db) }));

  app.get('/v1/boards/:board', async (c) => {
    const board = (await listBoards(db)).find((candidate) => candidate.id === c.req.param('board'));
    if (!board) throw new NotFoundError(`unknown board: ${c.req.param('board')}`);
    return c.json(board);
  });

  app.get('/v1/boards/:board/standings', async (c) => {
    const board = c.req.param('board');
    const atParam = c.req.query('at');
    const at = atParam ? parseTime('at', atParam) : undefined;
    if (!(await boardExists(db, board))) throw new NotFoundError(`unknown board: ${board}`);
    const entries = await standingsAt(db, board, at);
    return c.json({ board, at: (at ?? new Date()).toISOString(), entries });
  });

  app.get('/v1/events', async (c) => {
    const filter = await eventFilter(db, c);
    return c.json({ events: await listEvents(db, filter) });
  });

  app.get('/v1/events/:id', async (c) => {
    const id = parseId('id', c.req.param('id'), 'an event id');
    const event = await getEvent(db, id);
    if (!event) throw new NotFoundError(`unknown event: ${id}`);
    return c.json(event);
  });

  app.get('/v1/changes', async (c) => {
    const board = c.req.query('board') || undefined;
    if (board && !(await boardExists(db, board))) throw new NotFoundError(`unknown board: ${board}`);
    const since = c.req.query('since');
    const limit = parseLimit('limit', c.req.query('limit'), 100, MAX_LIMIT);
    return c.json({ changes: await listChangeSets(db, { board, since: since ? parseTime('since', since) : undefined, limit }) });
  });

  app.get('/v1/changes/:id', async (c) => {
    const id = parseId('id', c.req.param('id'), 'a change set id');
    const found = await getChangeSet(db, id);
    if (!found) throw new NotFoundError(`unknown change set: ${id}`);
    return c.json(found);
  });

  app.get('/v1/quarantine', async (c) => {
    const board = c.req.query('board') || undefined;
    if (board && !(await boardExists(db, board))) throw new NotFoundError(`unknown board: ${board}`);
    const limit = parseLimit('limit', c.req.query('limit'), 100, MAX_LIMIT);
    return c.json({ quarantine: await listQuarantines(db, { board, limit }) });
  });

  app.get('/v1/quarantine/:id', async (c) => {
    const id = parseId('id', c.req.param('id'), 'a quarantine id');
    const held = await getQuarantine(db, id);
    if (!held) throw new NotFoundError(`unknown quarantined capture: ${id}`);
    return c.json(held);
  });

  // Model keys can hold slashes (`openai/gpt-4o`), so the key is the rest of the path.
  app.get('/v1/identity/unmapped', async (c) => {
    const board = c.req.query('board') || undefined;
    if (board && !(await boardExists(db, board))) throw new NotFoundError(`unknown board: ${board}`);
    return c.json({ unmapped: await unmappedModels(db, identity(), board) });
  });

  // Model keys can hold slashes (`openai/gpt-4o`), so the key is the rest of the path, with or
  // without a trailing `/history` (one route: two overlapping `{.+}` patterns do not both match).
  app.get('/v1/models/:model{.+}', async (c) => {
    const rest = c.req.param('model');
    const board = c.req.query('board') || undefined;
    if (board && !(await boardExists(db, board))) throw new NotFoundError(`unknown board: ${board}`);
    if (rest.endsWith('/history')) {
      const model = rest.slice(0, -'/history'.length);
      // Across boards: every key model identity gives the same canonical id.
      const history = await canonicalHistory(db, identity(), model, board);
      if (history.length === 0) throw new NotFoundError(`unknown model: ${model}${board ? ` on ${board}` : ''}`);
      return c.json({ model, history });
    }
    const found = await modelAcrossBoards(db, identity(), rest);
    if (!found) throw new NotFoundError(`unknown model: ${rest} (on no board now)`);
    return c.json(found);
  });

  app.get('/v1/boards/:board/aggregates/history', async (c) => {
    const board = c.req.param('board');
    const by = c.req.query('by') ?? 'country';
    if (by !== 'organization' && by !== 'country') throw new InvalidInputError('by', `expected organization or country, got ${JSON.stringify(by)}`);
    const since = c.req.query('since');
    const limit = parseLimit('limit', c.req.query('limit'), 100, MAX_LIMIT);
    if (!(await boardExists(db, board))) throw new NotFoundError(`unknown board: ${board}`);
    const history = await aggregatesHistory(db, identity(), board, by, { since: since ? parseTime('since', since) : undefined, limit });
    return c.json({ board, by, history });
  });

  app.get('/v1/boards/:board/aggregates', async (c) => {
    const board = c.req.param('board');
    const by = c.req.query('by') ?? 'organization';
    if (by !== 'organization' && by !== 'country') throw new InvalidInputError('by', `expected organization or country, got ${JSON.stringify(by)}`);
    const atParam = c.req.query('at');
    const at = atParam ? parseTime('at', atParam) : undefined;
    const found = (await boardExists(db, board)) ? await boardAggregates(db, identity(), board, by, at) : null;
    if (!found) throw new NotFoundError(`unknown board: ${board}`);
    return c.json(found);
  });


  return app;
}
