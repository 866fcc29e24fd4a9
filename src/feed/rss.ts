import { Feed } from 'feed';
import { escapeHtml } from '../notify/text.ts';
import { homeUrl, keepRendered, xmlText, type FeedContext, type FeedItem } from './items.ts';

export { eventGuid } from './items.ts';

export const FEED_DESCRIPTION = 'Rank, score and price changes on public AI-model leaderboards, from rankwatch.';
export const FEED_LANGUAGE = 'en';

/**
 * RSS 2.0 of the items, newest first. Titles are plain text; `<description>` is the plain-text
 * body (lines kept apart with `<br>`) and `<content:encoded>` the HTML one. `updated` is when the
 * feed's content last changed (`lastBuildDate`); an empty feed is dated at the epoch so that the
 * same content always gives the same bytes (and ETag).
 */
export const renderRss = keepRendered(writeRss);

function writeRss(context: FeedContext, items: readonly FeedItem[], updated: Date | null): string {
  const feed = new Feed({
    title: context.title,
    id: context.selfUrl,
    link: homeUrl(context),
    description: FEED_DESCRIPTION,
    language: FEED_LANGUAGE,
    updated: updated ?? new Date(0),
    generator: `rankwatch ${context.version} (${context.homepage})`,
    feedLinks: { rss: context.selfUrl },
    ttl: 60,
  });
  for (const item of items) {
    feed.addItem({
      title: xmlText(item.title),
      id: item.id,
      guid: item.id,
      link: item.url,
      date: item.date,
      description: xmlText(escapeHtml(item.text).replace(/\n/g, '<br>\n')),
      content: xmlText(item.html),
      category: item.tags.map((tag) => ({ name: tag })),
    });
  }
  return feed.rss2();
}

/** A JSON Feed 1.1 item (https://www.jsonfeed.org/version/1.1/), the fields rankwatch writes. */
export interface JsonFeedItem {
  id: string;
  url: string;
  title: string;
  content_html: string;
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
 * JSON Feed 1.1 of the items, newest first, as an object. Built here rather than with the `feed`
 * package, whose `json1()` writes version 1 (no `language` or `authors`).
 */
export function jsonFeed(context: FeedContext, items: readonly FeedItem[]): JsonFeedDocument {
  return {
    version: 'https://jsonfeed.org/version/1.1',
    title: context.title,
    home_page_url: homeUrl(context),
    feed_url: context.selfUrl,
    description: FEED_DESCRIPTION,
    language: FEED_LANGUAGE,
    authors: [{ name: 'rankwatch', url: context.homepage }],
    items: items.map((item) => ({
      id: item.id,
      url: item.url,
      title: item.title,
      content_html: item.html,
      content_text: item.text,
      date_published: item.date.toISOString(),
      tags: item.tags,
    })),
  };
}

/** JSON Feed 1.1 of the items, newest first, as text. */
export const renderJsonFeed = keepRendered((context: FeedContext, items: readonly FeedItem[]): string => `${JSON.stringify(jsonFeed(context, items), null, 2)}\n`);
