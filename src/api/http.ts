import { createHash } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { etag, RETAINED_304_HEADERS } from 'hono/etag';
import type { Logger } from '../log.ts';
import { routeLabel } from './operations.ts';
import { DASHBOARD_PAGES, DASHBOARD_PREFIXES } from '../dashboard/paths.ts';
import { rateLimit, type RateLimit } from './rate-limit.ts';

/** Largest request body accepted, in bytes (64 KiB): subscriptions and previews are a few hundred bytes. */
export const DEFAULT_BODY_LIMIT = 64 * 1024;

/** The families of routes, by what may be cached and who may read them from a browser. */
export const ROUTE_FAMILIES = ['admin', 'operations', 'feed', 'docs', 'page', 'api'] as const;
export type RouteFamily = (typeof ROUTE_FAMILIES)[number];

/** Managing subscriptions and deliveries: bearer token, never cached, never cross-origin. */
const ADMIN_PREFIXES = ['/v1/subscriptions', '/v1/deliveries'];
const OPERATIONS = new Set(['/healthz', '/readyz', '/metrics']);
const FEEDS = new Set(['/feed.xml', '/feed.atom', '/feed.json']);
const DOCS = new Set(['/openapi.json', '/docs']);

/** The family of a request path (the raw path: a prefix match, so `/v1/subscriptions/7/test` is admin). */
export function routeFamily(path: string): RouteFamily {
  if (ADMIN_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))) return 'admin';
  if (OPERATIONS.has(path)) return 'operations';
  if (FEEDS.has(path)) return 'feed';
  if (DOCS.has(path) || path.startsWith('/docs/')) return 'docs';
  if (DASHBOARD_PAGES.includes(path) || DASHBOARD_PREFIXES.some((prefix) => path.startsWith(prefix))) return 'page';
  return 'api';
}

/**
 * `Cache-Control` of a successful GET (or its 304) by family: public reads may be reused for a
 * minute by browsers and shared caches (the data moves at most once per scrape, hourly at best,
 * and the ETag makes a stale copy cheap to check); the documentation for five minutes; admin and
 * operations answers never.
 */
export const CACHE_CONTROL: Readonly<Record<RouteFamily, string>> = {
  admin: 'no-store',
  operations: 'no-store',
  feed: 'public, max-age=60',
  docs: 'public, max-age=300',
  // The dashboard shows the data as it is now, like the API.
  page: 'public, max-age=60',
  api: 'public, max-age=60',
};

/** What the caching, CORS, limit and request-log middleware needs; every field has a default. */
export interface HttpOptions {
  /** Per-address rate limit on the public routes; null or unset: none. */
  rateLimit?: RateLimit | null;
  /** The client's address (rate limit and request log); unset: unknown (null). */
  clientIp?: (c: Context) => string | null;
  /** Largest request body in bytes (default DEFAULT_BODY_LIMIT). */
  bodyLimit?: number;
  /** Where the one line per request goes (unset: not logged). */
  requestLog?: Pick<Logger, 'info'>;
}

/** A strong ETag of a body: the hex sha256 of its bytes, as hono/etag quotes it. */
export function digest(body: Uint8Array): ArrayBuffer {
  return Uint8Array.from(createHash('sha256').update(body).digest()).buffer;
}

// Kept on a 304 beside what RFC 9110 lists: Last-Modified, the CORS headers (a script reading a
// 304 from another origin needs them as much as with the 200) and the request id.
const RETAINED = [...RETAINED_304_HEADERS, 'last-modified', 'access-control-allow-origin', 'access-control-expose-headers', 'x-request-id'];

const isRead = (c: Context): boolean => c.req.method === 'GET' || c.req.method === 'HEAD';

/**
 * `If-Modified-Since` for responses that carry a `Last-Modified` (the feeds): a 304 when the date
 * is at or after it, to the second (RFC 9110 §13.1.3). Only without `If-None-Match`, which takes
 * precedence (§13.2.2) and which hono/etag answers; an unparseable date is never "not modified".
 */
function ifModifiedSince(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const since = c.req.header('if-modified-since');
    if (!isRead(c) || c.res.status !== 200 || since === undefined || c.req.header('if-none-match') !== undefined) return;
    const lastModified = Date.parse(c.res.headers.get('last-modified') ?? '');
    const sinceTime = Date.parse(since);
    if (Number.isNaN(lastModified) || Number.isNaN(sinceTime) || lastModified > sinceTime) return;
    await c.res.body?.cancel();
    c.res = new Response(null, { status: 304 });
    for (const key of [...c.res.headers.keys()]) if (!RETAINED.includes(key)) c.res.headers.delete(key);
  };
}

/**
 * `Cache-Control` on every response: a successful GET/HEAD (or its 304) by its family unless the
 * route chose its own; every error and every other method `no-store` (an error must not be
 * reused, nor a write's answer). Public API reads also say `Vary: Accept`, as a format may be
 * chosen by it.
 */
function cacheControl(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const family = routeFamily(c.req.path);
    const ok = c.res.status < 300 || c.res.status === 304;
    if (!isRead(c) || !ok) {
      c.res.headers.set('cache-control', 'no-store');
      return;
    }
    if (!c.res.headers.has('cache-control')) c.res.headers.set('cache-control', CACHE_CONTROL[family]);
    if (family === 'api' && !/\baccept\b/i.test(c.res.headers.get('vary') ?? '')) c.res.headers.append('vary', 'Accept');
  };
}

/**
 * CORS for the public reads (hono/cors): any origin may GET and HEAD them, without credentials,
 * and read the validators, the rate-limit state and the request id; a preflight is answered
 * `204`. Admin routes get no CORS header at all, so a browser on another site cannot call them.
 *
 * On a request that is not a preflight, hono/cors is run after the route, on its response: run
 * before, it writes its headers to an empty response made for them, and hono then merges the
 * route's response into that one by re-creating it from its body as a stream, so a body of bytes
 * (a feed, a JSON page) is copied and streamed instead of written to the socket as it is (twice
 * the time per request on a feed of 60 KB). With `origin: '*'` it does nothing after `next()`.
 */
function publicCors(): MiddlewareHandler {
  const allow = cors({
    origin: '*',
    allowMethods: ['GET', 'HEAD'],
    exposeHeaders: ['ETag', 'Last-Modified', 'Link', 'Retry-After', 'RateLimit', 'RateLimit-Policy', 'X-Request-Id'],
    maxAge: 600,
  });
  const nothing = async () => {};
  return async (c, next) => {
    if (routeFamily(c.req.path) === 'admin') return next();
    if (c.req.method === 'OPTIONS') return allow(c, next);
    await next();
    await allow(c, nothing);
  };
}

/** A `413` in the API's error shape for a request body over `maxSize` bytes (hono/body-limit). */
function limitBody(maxSize: number): MiddlewareHandler {
  return bodyLimit({
    maxSize,
    onError: (c) =>
      c.json({ code: 'payload_too_large', message: `the request body is larger than ${maxSize} bytes`, parameter: 'body', requestId: c.get('requestId') }, 413),
  });
}

/** One log line per request: method, route pattern, path, status, duration, request id, client address. */
function logRequests(log: Pick<Logger, 'info'>, clientIp: (c: Context) => string | null): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const durationMs = Math.round((performance.now() - started) * 10) / 10;
      const status = c.res.status;
      log.info(`${c.req.method} ${c.req.path} ${status} ${durationMs} ms`, {
        method: c.req.method,
        route: routeLabel(c),
        path: c.req.path,
        status,
        durationMs,
        requestId: c.get('requestId'),
        ip: clientIp(c),
      });
    }
  };
}

/**
 * The HTTP layer of every route, in order: the request log (outermost: it sees the final status),
 * CORS, Cache-Control, conditional GET (hono/etag: a strong ETag on every 200 GET, `304` with no
 * body to a matching `If-None-Match`; then `If-Modified-Since`), the body limit and the rate limit.
 * Goes after hono/request-id (the id is in errors and logs).
 */
export function httpLayer(options: HttpOptions = {}): MiddlewareHandler[] {
  const clientIp = options.clientIp ?? (() => null);
  return [
    ...(options.requestLog ? [logRequests(options.requestLog, clientIp)] : []),
    publicCors(),
    cacheControl(),
    ifModifiedSince(),
    etag({ generateDigest: digest, retainedHeaders: RETAINED }),
    limitBody(options.bodyLimit ?? DEFAULT_BODY_LIMIT),
    ...(options.rateLimit
      ? [rateLimit({ rateLimit: options.rateLimit, clientIp, skip: (c) => ['admin', 'operations'].includes(routeFamily(c.req.path)) })]
      : []),
  ];
}
