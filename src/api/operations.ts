import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { UNMATCHED_ROUTE, type Metrics } from '../metrics.ts';

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

/** The route pattern a request was served by (`/v1/boards/:board`), never its raw path. */
export function routeLabel(c: Context): string {
  // Middleware is registered for ALL methods; the handler that serves the request is the first
  // route of its own method (hono runs handlers in the order they were added, and routes HEAD as
  // GET): `/v1/models/a/b/history` matches both model patterns and is served by the history one.
  const route = matchedRoutes(c).find((candidate) => candidate.method !== 'ALL');
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
