import type { Context, MiddlewareHandler } from 'hono';
import { rateLimiter } from 'hono-rate-limiter';

/** At most `limit` requests per client address in each window of `windowMs`. */
export interface RateLimit {
  limit: number;
  windowMs: number;
}

export const DEFAULT_RATE_LIMIT = '600/min';

const UNITS: Readonly<Record<string, number>> = { s: 1_000, sec: 1_000, second: 1_000, m: 60_000, min: 60_000, minute: 60_000, h: 3_600_000, hour: 3_600_000 };

/**
 * `RANKWATCH_RATE_LIMIT`: `600/min`, `20/s`, `5000/h`, `100/10s` (requests per window), or `off`
 * (null). An Error saying what is expected otherwise.
 */
export function parseRateLimit(text: string): RateLimit | null | Error {
  const value = text.trim();
  if (['off', 'false', 'none', '0'].includes(value)) return null;
  const match = /^(\d+)\s*\/\s*(\d*)\s*([a-z]+)$/.exec(value);
  const unit = match ? UNITS[match[3]!] : undefined;
  const limit = Number(match?.[1]);
  const count = match?.[2] ? Number(match[2]) : 1;
  if (!match || unit === undefined || limit < 1 || count < 1) {
    return new Error(`expected requests per window such as 600/min, 20/s, 5000/h or 100/10s, or off; got ${JSON.stringify(text)}`);
  }
  return { limit, windowMs: count * unit };
}

/** What the rate limiter needs from the app. */
export interface RateLimitDeps {
  rateLimit: RateLimit;
  /** The client's address (the rate is kept per address); null when unknown (all such requests share one count). */
  clientIp: (c: Context) => string | null;
  /** Requests that are not counted (admin and operations routes). */
  skip: (c: Context) => boolean;
}

/**
 * hono-rate-limiter with its memory store, one count per client address: past the limit a `429`
 * with `Retry-After` (seconds to the end of the window) and the API's JSON error; every counted
 * response says where the client stands in `RateLimit` and `RateLimit-Policy` (IETF draft 7).
 */
export function rateLimit(deps: RateLimitDeps): MiddlewareHandler {
  const { limit, windowMs } = deps.rateLimit;
  return rateLimiter({
    limit,
    windowMs,
    standardHeaders: 'draft-7',
    keyGenerator: (c) => deps.clientIp(c) ?? 'unknown',
    skip: deps.skip,
    handler: (c) =>
      c.json(
        {
          code: 'rate_limited',
          message: `too many requests: at most ${limit} per ${windowMs / 1000} s from one address; retry after ${c.res.headers.get('retry-after') ?? '?'} s`,
          requestId: c.get('requestId'),
        },
        429,
      ),
  });
}
