import { timingSafeEqual } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Context, Env, Hono, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { Db } from '../db/client.ts';
import { UNMATCHED_ROUTE, type Metrics } from '../metrics.ts';
import { AuthError } from './subscriptions.ts';

/** What a background part of the service is doing, as `/readyz` reports it. */
export const COMPONENT_STATES = ['running', 'disabled', 'starting', 'stopped'] as const;
export type ComponentState = (typeof COMPONENT_STATES)[number];

/** The background parts beside the HTTP API: the scrape scheduler and the outbox dispatcher. */
export interface BackgroundState {
  scheduler: ComponentState;
  dispatcher: ComponentState;
}

/** An app with nothing running beside it (tests, the Workers entry): only the database is checked. */
export const NOTHING_BESIDE: BackgroundState = { scheduler: 'disabled', dispatcher: 'disabled' };

/** How long `/readyz` waits for the database: a probe must answer, even when the server hangs. */
const DATABASE_CHECK_MS = 2_000;

export interface OperationsDeps {
  db: Db;
  /** Null: no `/metrics` (the Workers entry, where each request runs in a new app). */
  metrics: Metrics | null;
  /** Bearer token `/metrics` asks for; unset: public. */
  metricsToken: string | undefined;
  background: () => BackgroundState;
}

/** The route pattern a request was served by (`/v1/boards/:board`), never its raw path. */
export function routeLabel(c: Context): string {
  // Middleware is registered for ALL methods; the handler that serves the request is the last route
  // of its own method (hono routes HEAD as GET).
  const route = matchedRoutes(c).findLast((candidate) => candidate.method !== 'ALL');
  // `:model{.+}` reads as `:model`: the pattern's regular expression says nothing to a dashboard.
  return route ? route.path.replace(/\{[^/]*\}/g, '') : UNMATCHED_ROUTE;
}

/** Counts every request by route pattern, method and status, with its latency. Goes first, before any middleware can answer. */
export function countRequests(metrics: Metrics): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      metrics.requestServed(routeLabel(c), c.req.method, c.res.status, (performance.now() - started) / 1000);
    }
  };
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer\s+(.+)$/i.exec(header ?? '')?.[1]?.trim() ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function databaseAnswers(db: Db): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), DATABASE_CHECK_MS);
  });
  try {
    return await Promise.race([db.execute(sql`select 1`).then(() => true as const), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** `/readyz` (database, scheduler, dispatcher) and `/metrics` (Prometheus text). `/healthz` stays the liveness check. */
export function mountOperations<E extends Env>(app: Hono<E>, deps: OperationsDeps): void {
  app.get('/readyz', async (c) => {
    const background = deps.background();
    const checks = {
      database: (await databaseAnswers(deps.db)) ? 'ok' : 'unavailable',
      scheduler: background.scheduler,
      dispatcher: background.dispatcher,
    };
    const failing = Object.entries(checks)
      .filter(([, state]) => state !== 'ok' && state !== 'running' && state !== 'disabled')
      .map(([name]) => name);
    c.header('cache-control', 'no-store');
    if (failing.length > 0) return c.json({ status: 'not_ready', checks, failing }, 503);
    return c.json({ status: 'ready', checks });
  });

  const { metrics, metricsToken } = deps;
  if (!metrics) return;
  app.get('/metrics', async (c) => {
    if (metricsToken !== undefined && !bearerMatches(c.req.header('authorization'), metricsToken)) {
      c.header('www-authenticate', 'Bearer realm="rankwatch metrics"');
      throw new AuthError(401, 'this needs Authorization: Bearer with the metrics token (RANKWATCH_METRICS_TOKEN)');
    }
    return c.body(await metrics.render(), 200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
  });
}
