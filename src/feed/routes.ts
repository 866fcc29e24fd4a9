import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { createRoute, z } from '@hono/zod-openapi';
import type { Env, Hono } from 'hono';
import { eventFilter } from '../api/event-filter.ts';
import { routeGroup } from '../api/routing.ts';
import { choiceSchema, errors, EventQuerySchema } from '../api/schemas.ts';
import { HOMEPAGE, VERSION } from '../config.ts';
import type { Db } from '../db/client.ts';
import { loadIdentity, type Identity } from '../identity/identity.ts';
import { feedEvents, feedGroups, LruMap, type EventFilter } from '../db/queries.ts';
import { EVENT_KINDS } from '../diff/events.ts';
import { HEALTH_KINDS } from '../notify/filters.ts';
import { renderAtom } from './atom.ts';
import { changeSetItem, eventItem, type FeedContext, type FeedItem } from './items.ts';
import { renderJsonFeed, renderRss } from './rss.ts';

/** What the feed routes need. */
export interface FeedDeps {
  db: Db;
  /** Model identity, for the organization filter (defaults to the shipped tables). */
  identity?: () => Identity;
  /** Public base URL for links in feeds; defaults to the request's own origin. */
  publicUrl?: string | undefined;
  /** The clock (tests): decides when a Last-Modified is old enough to be sent (see STABLE_AFTER_MS). */
  now?: () => Date;
}

/** One feed format: where it is served, its media type and how it is written. */
export interface FeedFormat {
  path: string;
  /** What it is, for people (`RSS 2.0`). */
  label: string;
  contentType: string;
  render: (context: FeedContext, items: readonly FeedItem[], updated: Date | null) => string;
}

/** The feeds rankwatch serves: the same items in RSS 2.0, Atom 1.0 and JSON Feed 1.1. */
export const FEED_FORMATS: readonly FeedFormat[] = [
  { path: '/feed.xml', label: 'RSS 2.0', contentType: 'application/rss+xml; charset=utf-8', render: renderRss },
  { path: '/feed.atom', label: 'Atom 1.0', contentType: 'application/atom+xml; charset=utf-8', render: renderAtom },
  { path: '/feed.json', label: 'JSON Feed 1.1', contentType: 'application/feed+json; charset=utf-8', render: renderJsonFeed },
];

export const FEED_TITLE = 'rankwatch: leaderboard changes';

/**
 * How old the last write to a feed must be before it is sent as Last-Modified. HTTP dates count
 * whole seconds, and `updated_at` is stamped when a row is written, before its transaction
 * commits: a date handed out sooner could equal that of a change committed just after, and the
 * client's If-Modified-Since would then hide it. Until then the feed has an ETag only.
 */
export const STABLE_AFTER_MS = 60_000;

/** A feed document as sent: its bytes and strong ETag, plain and (made when first asked for) gzipped. */
interface Encoded {
  bytes: Uint8Array<ArrayBuffer>;
  etag: string;
  gzip?: { bytes: Uint8Array<ArrayBuffer>; etag: string };
}

/** Feed documents as sent, the latest of each feed (format and URL): older versions are never asked for again. */
const documents = new LruMap<string, { document: string; encoded: Encoded }>(16);

/**
 * A feed document's bytes and strong ETag (the sha256 of the bytes), kept for the last feeds:
 * a feed of hundreds of kilobytes is encoded and hashed once per change, not per request (the
 * app's ETag middleware takes a route's own ETag as it is). The writers hand back the very same
 * string for the same content, so the comparison is one pointer check.
 */
function encoded(feed: string, document: string): Encoded {
  const known = documents.get(feed);
  if (known?.document === document) return known.encoded;
  const bytes = new TextEncoder().encode(document) as Uint8Array<ArrayBuffer>;
  const made: Encoded = { bytes, etag: `"${createHash('sha256').update(bytes).digest('hex')}"` };
  documents.set(feed, { document, encoded: made });
  return made;
}

/**
 * The gzipped form, made once per document: feed readers ask for gzip, and XML of a page of change
 * sets shrinks about tenfold. Its own strong ETag (another representation, other bytes).
 */
function gzipped(document: Encoded): { bytes: Uint8Array<ArrayBuffer>; etag: string } {
  document.gzip ??= { bytes: new Uint8Array(gzipSync(document.bytes)), etag: `${document.etag.slice(0, -1)}-gzip"` };
  return document.gzip;
}

/** Cloudflare Workers' extension of ResponseInit (ignored elsewhere). */
interface WorkersResponseInit extends ResponseInit {
  /** `manual`: the body is already in its Content-Encoding; the default, `automatic`, has workerd encode it (again). */
  encodeBody?: 'automatic' | 'manual';
}

/**
 * A response whose body is already gzipped, marked so for Cloudflare Workers: workerd encodes a
 * body in its Content-Encoding unless told it is done, and a reader would get gzip inside gzip.
 * Node (and any other runtime) ignores the mark.
 */
function alreadyEncoded(response: Response): Response {
  const init: WorkersResponseInit = { status: response.status, statusText: response.statusText, headers: response.headers, encodeBody: 'manual' };
  return new Response(response.body, init);
}

/**
 * Whether an `Accept-Encoding` value accepts gzip (RFC 9110 §12.5.3): `gzip` (or `x-gzip`) with a
 * q-value above 0, or `*` above 0 when gzip is not refused by name.
 */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  let named: number | null = null;
  let any: number | null = null;
  for (const part of header.split(',')) {
    const [coding = '', ...parameters] = part.trim().toLowerCase().split(';');
    const q = parameters.map((parameter) => /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(parameter)?.[1]).find((value) => value !== undefined);
    const weight = q === undefined ? 1 : Number(q);
    if (coding.trim() === 'gzip' || coding.trim() === 'x-gzip') named = Math.max(named ?? 0, weight);
    else if (coding.trim() === '*') any = weight;
  }
  return named !== null ? named > 0 : any !== null && any > 0;
}

/** What a feed item stands for: a change set (the default) or one event (`?per=event`). */
export const FEED_PER = ['change_set', 'event'] as const;
export type FeedPer = (typeof FEED_PER)[number];

/** A feed's query: `per`, then the filters of `/v1/events`. */
export const FeedQuerySchema = z.object({ per: choiceSchema(FEED_PER, 'change_set', { emptyIsFallback: true }), ...EventQuerySchema.shape });

/** Event kinds a feed shows unless `?kind=` names others: every kind but the operator events. */
export const PUBLIC_FEED_KINDS = EVENT_KINDS.filter((kind) => !HEALTH_KINDS.includes(kind));

/**
 * The Last-Modified to send for content last written at `written`: null while that is under
 * STABLE_AFTER_MS before `now` (see there), or when nothing was written. Pure.
 */
export function stableLastModified(written: Date | null, now: Date): Date | null {
  if (written === null || now.getTime() - written.getTime() < STABLE_AFTER_MS) return null;
  return written;
}

/**
 * The items of a feed, one per change set holding the events that pass or one per event, and when
 * its content last changed.
 */
export async function feedItems(db: Db, context: Pick<FeedContext, 'baseUrl'>, filter: EventFilter, per: FeedPer): Promise<{ written: Date | null; items: FeedItem[] }> {
  if (per === 'event') {
    const { written, content } = await feedEvents(db, filter);
    return { written, items: content.map((event) => eventItem(context, event)) };
  }
  const { written, content } = await feedGroups(db, filter);
  return { written, items: content.map((group) => changeSetItem(context, group)) };
}

/** The route of one feed format. */
export function feedRoute(format: FeedFormat) {
  const mediaType = format.contentType.split(';')[0]!;
  return createRoute({
    method: 'get',
    path: format.path,
    tags: ['feeds'],
    summary: `The announced changes as ${format.label}, one item per change set (per=event: per event)`,
    request: { query: FeedQuerySchema },
    responses: {
      200: { description: format.label, content: { [mediaType]: { schema: z.string().openapi({ description: format.label }) } } },
      304: { description: 'not modified (If-None-Match, If-Modified-Since)' },
      ...errors(400, 404),
    },
  });
}

/**
 * The feed routes: `GET /feed.xml` (RSS 2.0), `/feed.atom` (Atom 1.0) and `/feed.json` (JSON Feed
 * 1.1), whose home link is the dashboard at `/`. The feeds take the `/v1/events` query
 * filters and `per`; bad ones throw (the app's onError answers with its JSON 400/404). Operator
 * events are left out unless `kind` names them. Each answers with a Last-Modified (see
 * stableLastModified); the ETag, Cache-Control and the 304s to conditional GETs are the app's
 * for every route (src/api/http.ts). Links are built on `publicUrl` when it is set, never on the
 * request's Host or X-Forwarded-Host.
 */
export function feedRoutes(deps: FeedDeps) {
  const now = deps.now ?? (() => new Date());
  const identity = deps.identity ?? (() => loadIdentity());
  const group = routeGroup(deps);

  for (const format of FEED_FORMATS) {
    group.openapi(feedRoute(format), async (c) => {
      const { per, ...query } = c.req.valid('query');
      const requested = await eventFilter(deps.db, identity(), query);
      const filter: EventFilter = { ...requested, kind: requested.kind?.length ? requested.kind : PUBLIC_FEED_KINDS };
      const url = new URL(c.req.url);
      const baseUrl = (deps.publicUrl ?? url.origin).replace(/\/$/, '');
      const context: FeedContext = { baseUrl, selfUrl: `${baseUrl}${url.pathname}${url.search}`, title: FEED_TITLE, homepage: HOMEPAGE, version: VERSION };
      const { written, items } = await feedItems(deps.db, context, filter, per);
      const lastModified = stableLastModified(written, now());
      const document = encoded(`${format.path} ${context.selfUrl}`, format.render(context, items, written));
      const gzip = acceptsGzip(c.req.header('accept-encoding'));
      const { bytes, etag } = gzip ? gzipped(document) : document;
      const response = c.body(bytes, 200, {
        'content-type': format.contentType,
        ...(gzip ? { 'content-encoding': 'gzip' } : {}),
        vary: 'Accept-Encoding',
        etag,
        ...(lastModified ? { 'last-modified': lastModified.toUTCString() } : {}),
      });
      return gzip ? alreadyEncoded(response) : response;
    });
  }
  return group;
}

/** Adds the feed routes to an app (tests mount them on a bare hono app with their own clock). */
export function mountFeeds<E extends Env>(app: Hono<E>, deps: FeedDeps): void {
  app.route('/', feedRoutes(deps) as never);
}
