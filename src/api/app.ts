import { OpenAPIHono } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import { ZodError } from 'zod';
import { VERSION } from '../config.ts';
import type { Db } from '../db/client.ts';
import { AppError, ConflictError, describeError, InvalidInputError, NotFoundError } from '../errors.ts';
import { feedRoutes } from '../feed/routes.ts';
import { loadIdentity, type Identity } from '../identity/identity.ts';
import { escapeForLog } from '../log.ts';
import type { UrlPolicy } from '../notify/subscriptions.ts';
import { Metrics } from '../metrics.ts';
import { rejectControlCharacters } from './control-characters.ts';
import { countRequests, NOTHING_BESIDE, type BackgroundState } from './operations.ts';
import { invalidInput, validationHook, type ApiEnv, type RouteDeps } from './routing.ts';
import { boardRoutes } from './routes/boards.ts';
import { dashboardRoutes } from '../dashboard/routes.ts';
import type { DashboardAssetReader } from '../dashboard/assets.ts';
import { docsRoutes, openApiRoute, readSwaggerUiAsset, type DocsAssetReader } from './routes/docs.ts';
import { eventRoutes } from './routes/events.ts';
import { historyRoutes } from './routes/history.ts';
import { modelRoutes } from './routes/models.ts';
import { operationRoutes } from './routes/operations.ts';
import { AuthError, subscriptionRoutes } from './routes/subscriptions.ts';
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
  /** Reads the docs page's swagger-ui-dist files (default: from node_modules, at the first request). */
  docsAssets?: DocsAssetReader;
  /** Reads the dashboard's scripts and stylesheet (default: from node_modules and src/dashboard/static). */
  dashboardAssets?: DashboardAssetReader;
  /** The clock of the dashboard's pages (tests; default the system clock). */
  now?: () => Date;
}

const TITLE = 'rankwatch API';

/** The OpenAPI tags, in the order the docs page shows them. */
const TAGS = [
  { name: 'boards', description: 'boards, their standings at any time, and the lab and country rankings' },
  { name: 'events', description: 'change events, change sets and quarantined captures' },
  { name: 'models', description: 'models across boards: identity and history' },
  { name: 'feeds', description: 'RSS, Atom and JSON Feed of the announced changes' },
  { name: 'subscriptions', description: 'alerts to Slack, Discord and webhooks (admin token)' },
  { name: 'operations', description: 'liveness, readiness and Prometheus metrics' },
  { name: 'docs', description: 'this document and its page' },
];

type ErrorStatus = 400 | 401 | 404 | 409 | 415 | 500 | 503;

function statusOf(error: unknown): ErrorStatus {
  if (error instanceof AuthError) return error.status;
  if (error instanceof InvalidInputError || error instanceof ZodError) return 400;
  if (error instanceof NotFoundError) return 404;
  if (error instanceof ConflictError) return 409;
  // The body validator's own answers: malformed JSON (400), a body that is not JSON (415).
  if (error instanceof HTTPException && (error.status === 400 || error.status === 415)) return error.status;
  return 500;
}

/** The JSON error body of a thrown error: code, message, the parameter it names (if any). */
function errorBody(error: Error, status: ErrorStatus): { code: string; message: string; parameter?: string } {
  if (error instanceof ZodError) error = invalidInput(error, 'body');
  if (error instanceof HTTPException) {
    return status === 415
      ? { code: 'unsupported_media_type', message: 'content-type: expected application/json', parameter: 'content-type' }
      : { code: 'invalid_parameter', message: `body: ${error.message}`, parameter: 'body' };
  }
  if (status === 500) return { code: 'internal_error', message: 'internal error' };
  const code = error instanceof AppError ? error.code : 'internal_error';
  const parameter = 'parameter' in error && typeof error.parameter === 'string' ? error.parameter : undefined;
  return { code, message: error.message, ...(parameter === undefined ? {} : { parameter }) };
}

/**
 * The rankwatch HTTP API (hono + zod-openapi): boards, standings, events, models, feeds,
 * subscriptions, health and metrics, each route declared with its schemas (src/api/routes/, one
 * file per group), and the OpenAPI 3.1 document of them all at `/openapi.json`.
 */
export function createApp(deps: ApiDeps) {
  const { db } = deps;
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook(db) });
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
    // Escaped here whatever logger is given: the path and the error come from the request.
    if (status === 500) logError(escapeForLog(`[${c.get('requestId')}] ${c.req.method} ${c.req.path}: ${error.stack ?? error.message}`));
    return c.json({ ...errorBody(error, status), requestId: c.get('requestId') }, status);
  });
  app.notFound((c) => c.json({ code: 'not_found', message: `no route for ${c.req.method} ${c.req.path}`, requestId: c.get('requestId') }, 404));

  const routeDeps: RouteDeps = { db, identity };
  const routes = app
    .route('/', subscriptionRoutes({ db, adminToken: deps.adminToken, policy: deps.urlPolicy ?? { allowHosts: [] }, identity }))
    .route('/', feedRoutes({ db, publicUrl: deps.publicUrl, identity }))
    .route('/', operationRoutes({ db, metrics, metricsToken: deps.metricsToken, background: deps.background ?? (() => NOTHING_BESIDE) }))
    .route('/', boardRoutes(routeDeps))
    .route('/', historyRoutes(routeDeps))
    .route('/', eventRoutes(routeDeps))
    .route('/', modelRoutes(routeDeps))
    .route('/', docsRoutes({ db, readAsset: deps.docsAssets ?? readSwaggerUiAsset, title: TITLE }))
    // Pages for people, not operations of the API: left out of the OpenAPI document.
    .route('/', dashboardRoutes({ db, identity, assets: deps.dashboardAssets, now: deps.now }));

  // Last: the document covers every group above (and this route).
  let document: ReturnType<typeof app.getOpenAPI31Document> | undefined;
  return routes.openapi(openApiRoute, (c) => {
    document ??= app.getOpenAPI31Document({
      openapi: '3.1.0',
      info: { title: TITLE, version: VERSION, description: 'rankwatch watches public AI-model leaderboards and announces what moves. Errors are `{code, message, parameter?, requestId}`.' },
      tags: TAGS,
    });
    return c.json(document as unknown as Record<string, unknown>, 200);
  });
}

/** The API's routes and their types, for hono's typed client (`hc<AppType>`, see src/cli/remote.ts). */
export type AppType = ReturnType<typeof createApp>;
