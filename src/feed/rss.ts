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

/** RSS 2.0 of events, newest first. */
export function renderRss(context: FeedContext, items: readonly StoredEvent[]): string {
  const feed = new Feed({
    title: context.title,
    id: context.selfUrl,
    link: context.baseUrl,
    description: 'Rank, score and price changes on public AI-model leaderboards, from rankwatch.',
    language: 'en',
    updated: items[0] ? new Date(items[0].capturedAt) : new Date(0),
    generator: `rankwatch ${context.version} (${context.homepage})`,
    feedLinks: { rss: context.selfUrl },
    ttl: 60,
  });
  for (const event of items) {
    const title = describeEvent(event.board, event);
    feed.addItem({
      title,
      id: eventGuid(event),
      guid: eventGuid(event),
      link: `${context.baseUrl}/v1/events/${event.id}`,
      date: new Date(event.capturedAt),
      description: title,
      category: [{ name: event.kind }, { name: event.board }],
    });
  }
  return feed.rss2();
}
