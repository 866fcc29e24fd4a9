import { Feed } from 'feed';
import { describeEvent } from '../diff/describe.ts';
import type { StoredEvent } from '../diff/events.ts';
import { sha256 } from '../ingest/hash.ts';

/** A GUID that stays the same for an event across restarts and re-imports (derived from its key). */
export function eventGuid(event: Pick<StoredEvent, 'key'>): string {
  return `urn:rankwatch:event:${sha256(event.key).slice(0, 32)}`;
}

/** Where the feed lives and what it shows. */
export interface FeedContext {
  /** Base URL of the service, e.g. `https://rankwatch.example.org`. */
  baseUrl: string;
  /** Full URL of this feed (with its query), for the self link. */
  selfUrl: string;
  title: string;
  homepage: string;
  version: string;
}

const DESCRIPTION = 'Rank, score and price changes on public AI-model leaderboards, from rankwatch.';
const LANGUAGE = 'en';

/** One event as every feed format shows it. */
export interface FeedEntry {
  /** The stable GUID (eventGuid): RSS `<guid>`, Atom `<id>`, JSON Feed `id`. */
  id: string;
  /** The event in the HTTP API. */
  url: string;
  /** One line of plain text (describeEvent). */
  title: string;
  /** When the change was captured. */
  date: Date;
  /** The event kind and the board. */
  tags: string[];
}

/** The feed entry for one stored event. */
export function feedEntry(context: Pick<FeedContext, 'baseUrl'>, event: StoredEvent): FeedEntry {
  return {
    id: eventGuid(event),
    url: `${context.baseUrl}/v1/events/${event.id}`,
    title: describeEvent(event.board, event),
    date: new Date(event.capturedAt),
    tags: [event.kind, event.board],
  };
}

/**
 * When a list of events last changed: the latest time one of them was announced (`settledAt`, or
 * `capturedAt` for events announced at once). Null for no events. Feeds use it as their updated
 * time and the HTTP Last-Modified.
 */
export function feedUpdated(items: readonly StoredEvent[]): Date | null {
  let latest: number | null = null;
  for (const event of items) {
    const at = Date.parse(event.settledAt ?? event.capturedAt);
    if (latest === null || at > latest) latest = at;
  }
  return latest === null ? null : new Date(latest);
}

/** Text made safe to put where HTML is expected (Atom `type="html"`, RSS descriptions). */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * The `feed` package's model of the events, shared by RSS and Atom; `format` is the one whose self
 * link is `context.selfUrl`. An empty feed is dated at the epoch so that the same events always
 * give the same bytes (and ETag).
 */
function xmlFeed(context: FeedContext, items: readonly StoredEvent[], format: 'rss' | 'atom'): Feed {
  const feed = new Feed({
    title: context.title,
    id: context.selfUrl,
    link: context.baseUrl,
    description: DESCRIPTION,
    language: LANGUAGE,
    updated: feedUpdated(items) ?? new Date(0),
    generator: `rankwatch ${context.version} (${context.homepage})`,
    // Atom requires an author for the feed (or for every entry).
    author: { name: 'rankwatch', link: context.homepage },
    feedLinks: { [format]: context.selfUrl },
    ttl: 60,
  });
  for (const entry of items.map((event) => feedEntry(context, event))) {
    feed.addItem({
      // Atom titles are written as `type="html"`; RSS titles are plain text.
      title: format === 'atom' ? escapeHtml(entry.title) : entry.title,
      id: entry.id,
      guid: entry.id,
      link: entry.url,
      date: entry.date,
      description: escapeHtml(entry.title),
      // `name` is RSS's <category>, `term` Atom's (required there).
      category: entry.tags.map((tag) => ({ name: tag, term: tag })),
    });
  }
  return feed;
}

/** RSS 2.0 of events, newest first. */
export function renderRss(context: FeedContext, items: readonly StoredEvent[]): string {
  return xmlFeed(context, items, 'rss').rss2();
}

/** Atom 1.0 of events, newest first: entry ids are the stable GUIDs, the self link is `selfUrl`. */
export function renderAtom(context: FeedContext, items: readonly StoredEvent[]): string {
  return xmlFeed(context, items, 'atom').atom1();
}

/** A JSON Feed 1.1 item (https://www.jsonfeed.org/version/1.1/), the fields rankwatch writes. */
export interface JsonFeedItem {
  id: string;
  url: string;
  title: string;
  content_text: string;
  date_published: string;
  tags: string[];
}

/** A JSON Feed 1.1 document, the fields rankwatch writes. */
export interface JsonFeedDocument {
  version: 'https://jsonfeed.org/version/1.1';
  title: string;
  home_page_url: string;
  feed_url: string;
  description: string;
  language: string;
  authors: { name: string; url: string }[];
  items: JsonFeedItem[];
}

/**
 * JSON Feed 1.1 of events, newest first, as an object. Built here rather than with the `feed`
 * package, whose `json1()` writes version 1 (no `language` or `authors`).
 */
export function jsonFeed(context: FeedContext, items: readonly StoredEvent[]): JsonFeedDocument {
  return {
    version: 'https://jsonfeed.org/version/1.1',
    title: context.title,
    home_page_url: context.baseUrl,
    feed_url: context.selfUrl,
    description: DESCRIPTION,
    language: LANGUAGE,
    authors: [{ name: 'rankwatch', url: context.homepage }],
    items: items.map((event) => {
      const entry = feedEntry(context, event);
      return { id: entry.id, url: entry.url, title: entry.title, content_text: entry.title, date_published: entry.date.toISOString(), tags: entry.tags };
    }),
  };
}

/** JSON Feed 1.1 of events, newest first, as text. */
export function renderJsonFeed(context: FeedContext, items: readonly StoredEvent[]): string {
  return `${JSON.stringify(jsonFeed(context, items), null, 2)}\n`;
}
