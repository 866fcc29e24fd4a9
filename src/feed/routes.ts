import type { Env, Hono } from 'hono';
import { eventFilter } from '../api/event-filter.ts';
import { HOMEPAGE, VERSION } from '../config.ts';
import type { Db } from '../db/client.ts';
import { listEvents } from '../db/queries.ts';
import type { StoredEvent } from '../diff/events.ts';
import { sha256 } from '../ingest/hash.ts';
import { feedUpdated, renderAtom, renderJsonFeed, renderRss, type FeedContext } from './rss.ts';

/** What the feed routes need. */
export interface FeedDeps {
  db: Db;
  /** Public base URL for links in feeds; defaults to the request's own origin. */
  publicUrl?: string | undefined;
}

/** One feed format: where it is served, its media type and how it is written. */
export interface FeedFormat {
  path: string;
  contentType: string;
  render: (context: FeedContext, items: readonly StoredEvent[]) => string;
}

/** The feeds rankwatch serves: the same events in RSS 2.0, Atom 1.0 and JSON Feed 1.1. */
export const FEED_FORMATS: readonly FeedFormat[] = [
  { path: '/feed.xml', contentType: 'application/rss+xml; charset=utf-8', render: renderRss },
  { path: '/feed.atom', contentType: 'application/atom+xml; charset=utf-8', render: renderAtom },
  { path: '/feed.json', contentType: 'application/feed+json; charset=utf-8', render: renderJsonFeed },
];

export const FEED_TITLE = 'rankwatch: leaderboard changes';

/** Feed readers may reuse a feed for a minute without asking again. */
const CACHE_CONTROL = 'public, max-age=60';

/** What identifies one version of a feed for conditional GET. */
export interface Validators {
  /** Strong entity tag, quoted. */
  etag: string;
  /** When the feed's events last changed; null for an empty feed. */
  lastModified: Date | null;
}

/** A strong, quoted entity tag for a body: its sha256. */
export function entityTag(body: string): string {
  return `"${sha256(body)}"`;
}

/**
 * Whether an `If-None-Match` value matches the entity tag: `*`, or any tag of the list under weak
 * comparison (a `W/` prefix on either side is ignored, as RFC 9110 §13.1.2 requires).
 */
export function etagMatches(ifNoneMatch: string, etag: string): boolean {
  if (ifNoneMatch.trim() === '*') return true;
  const opaque = (tag: string): string => tag.trim().replace(/^W\//, '');
  const wanted = opaque(etag);
  return (ifNoneMatch.match(/(?:W\/)?"[^"]*"/g) ?? []).some((tag) => opaque(tag) === wanted);
}

/**
 * Whether a GET can be answered 304 Not Modified (RFC 9110 §13.2.2): by `If-None-Match` when the
 * request has one; otherwise by `If-Modified-Since` at or after Last-Modified (to the second, as
 * HTTP dates go). An unparseable date, or a feed without Last-Modified, is never "not modified".
 */
export function isNotModified(request: { ifNoneMatch?: string | undefined; ifModifiedSince?: string | undefined }, current: Validators): boolean {
  if (request.ifNoneMatch !== undefined) return etagMatches(request.ifNoneMatch, current.etag);
  if (request.ifModifiedSince === undefined || current.lastModified === null) return false;
  const since = Date.parse(request.ifModifiedSince);
  if (Number.isNaN(since)) return false;
  return Math.floor(current.lastModified.getTime() / 1000) * 1000 <= since;
}

/** Response headers for validation and caching, sent with both 200 and 304. */
export function cacheHeaders(current: Validators): Record<string, string> {
  return {
    etag: current.etag,
    ...(current.lastModified ? { 'last-modified': current.lastModified.toUTCString() } : {}),
    'cache-control': CACHE_CONTROL,
  };
}

/**
 * Registers `GET /feed.xml` (RSS 2.0), `/feed.atom` (Atom 1.0) and `/feed.json` (JSON Feed 1.1) on
 * the app. They take the `/v1/events` query filters; bad ones throw (the app's onError answers
 * with its JSON 400/404). Each answers with an ETag and Last-Modified, and 304 to a matching
 * conditional GET.
 */
export function mountFeeds<E extends Env>(app: Hono<E>, deps: FeedDeps): void {
  for (const format of FEED_FORMATS) {
    app.get(format.path, async (c) => {
      const events = await listEvents(deps.db, await eventFilter(deps.db, c));
      const url = new URL(c.req.url);
      const baseUrl = (deps.publicUrl ?? url.origin).replace(/\/$/, '');
      const context: FeedContext = { baseUrl, selfUrl: `${baseUrl}${url.pathname}${url.search}`, title: FEED_TITLE, homepage: HOMEPAGE, version: VERSION };
      const body = format.render(context, events);
      const current: Validators = { etag: entityTag(body), lastModified: feedUpdated(events) };
      const headers = cacheHeaders(current);
      if (isNotModified({ ifNoneMatch: c.req.header('if-none-match'), ifModifiedSince: c.req.header('if-modified-since') }, current)) {
        return c.body(null, 304, headers);
      }
      return c.body(body, 200, { ...headers, 'content-type': format.contentType });
    });
  }
}
