import { describeEvent, plural } from '../diff/describe.ts';
import type { StoredEvent } from '../diff/events.ts';
import { LruMap, type FeedGroup } from '../db/queries.ts';
import { sha256 } from '../ingest/hash.ts';
import { escapeHtml, flagNotes } from '../notify/text.ts';

/** Where the feed lives and what it shows. */
export interface FeedContext {
  /** Base URL of the service, e.g. `https://rankwatch.example.org` (no trailing slash). */
  baseUrl: string;
  /** Full URL of this feed (with its query), for the self link. */
  selfUrl: string;
  title: string;
  homepage: string;
  version: string;
}

/** One item as every feed format shows it. */
export interface FeedItem {
  /** The stable GUID: RSS `<guid>`, Atom `<id>`, JSON Feed `id`. */
  id: string;
  /** The change set (or event) in the HTTP API. */
  url: string;
  /** One line of plain text. */
  title: string;
  /** The body as plain text (the fallback of `html`). */
  text: string;
  /** The body as an HTML fragment, every value escaped. */
  html: string;
  /** When the change was captured. */
  date: Date;
  /** The board and the event kinds. */
  tags: string[];
}

/** The home page of the feeds (RSS `<link>`, Atom alternate link, JSON Feed `home_page_url`): the index at `/`. */
export function homeUrl(context: Pick<FeedContext, 'baseUrl'>): string {
  return `${context.baseUrl}/`;
}

/** A GUID that stays the same for an event across restarts and re-imports (derived from its key). */
export function eventGuid(event: Pick<StoredEvent, 'key'>): string {
  return `urn:rankwatch:event:${sha256(event.key).slice(0, 32)}`;
}

/**
 * A GUID for a change set derived from what identifies it for good, its board and its snapshot's
 * capture time, never from a database id: a backfill that re-derives history, or a restore into
 * another database, gives the same item the same id.
 */
export function changeSetGuid(changeSet: { board: string; capturedAt: string }): string {
  return `urn:rankwatch:changes:${sha256(`${changeSet.board}\n${new Date(changeSet.capturedAt).toISOString()}`).slice(0, 32)}`;
}

/** The event in the settling window's words, for events shown outside the announced ones (`?status=`). */
function statusNote(event: StoredEvent): string {
  return event.status === 'published' ? '' : ` (${event.status})`;
}

/**
 * One item per event (`?per=event`, and operator events, which have no change set). Made once per
 * event object and base URL (see keptItem): the event must not change after.
 */
export function eventItem(context: Pick<FeedContext, 'baseUrl'>, event: StoredEvent): FeedItem {
  return keptItem(event, context.baseUrl, () => makeEventItem(context, event));
}

function makeEventItem(context: Pick<FeedContext, 'baseUrl'>, event: StoredEvent): FeedItem {
  const title = `${describeEvent(event.board, event)}${statusNote(event)}`;
  return {
    id: eventGuid(event),
    url: `${context.baseUrl}/v1/events/${event.id}`,
    title,
    text: title,
    html: `<p>${escapeHtml(title)}</p>`,
    date: new Date(event.capturedAt),
    tags: [event.kind, event.board],
  };
}

// Items by what they were made from (a feed group, an event) and base URL. The feed reads serve a
// page they have read before as the same objects (never changed after), so a page read from their
// cache is made into items once; an object read afresh makes its item anew.
const itemsMade = new WeakMap<object, Map<string, FeedItem>>();
// The serial number of each item made: items with the same serials are the very same items,
// whatever the request that asked for them.
const itemSerials = new WeakMap<FeedItem, number>();
let lastSerial = 0;

/** The item made from `source` for `baseUrl`, made by `make` the first time. */
function keptItem(source: object, baseUrl: string, make: () => FeedItem): FeedItem {
  const made = itemsMade.get(source) ?? new Map<string, FeedItem>();
  itemsMade.set(source, made);
  const known = made.get(baseUrl);
  if (known) return known;
  const item = make();
  made.set(baseUrl, item);
  // A change set item of a lone event is that event's own item, numbered already.
  if (!itemSerials.has(item)) itemSerials.set(item, ++lastSerial);
  return item;
}

/**
 * One item per change set: its summary as the title, its events as a list (HTML, and plain text
 * with bullets), its flags in words, and a link to the change set in the API. When the feed's
 * filters let only some of its events through, or the item had to be cut, the body says how many
 * of how many it shows.
 */
export function changeSetItem(context: Pick<FeedContext, 'baseUrl'>, group: FeedGroup): FeedItem {
  return keptItem(group, context.baseUrl, () => makeChangeSetItem(context, group));
}

function makeChangeSetItem(context: Pick<FeedContext, 'baseUrl'>, group: FeedGroup): FeedItem {
  const first = group.events[0];
  if (!first) throw new Error('a feed item needs at least one event');
  if (first.snapshotId === null) return eventItem(context, first);
  // A snapshot stored without its summary still makes one item, titled with a count.
  const changeSet = group.changeSet ?? {
    id: first.snapshotId,
    board: first.board,
    capturedAt: first.capturedAt,
    summary: `${first.board}: ${plural(group.total, 'change')}`,
    bulkRemoval: false,
    methodologyChanged: false,
  };
  const url = `${context.baseUrl}/v1/changes/${changeSet.id}`;
  const notes = flagNotes(changeSet).map((note) => ({ label: `⚠️ ${note.title}:`, text: note.text }));
  const shown = group.events.length;
  const subset =
    shown < group.total
      ? `Showing ${shown} of ${plural(group.total, 'event')} of this change set${group.matched < group.total ? " (those matching this feed's filters)" : ''}.`
      : null;
  const lines = group.events.map((event) => `${describeEvent(event.board, event)}${statusNote(event)}`);
  const footer = `Full change set: ${url} (captured ${changeSet.capturedAt})`;
  const text = [...notes.map((note) => `${note.label} ${note.text}`), ...(subset ? [subset] : []), ...lines.map((line) => `• ${line}`), footer].join('\n');
  const html = [
    ...notes.map((note) => `<p><strong>${escapeHtml(note.label)}</strong> ${escapeHtml(note.text)}</p>`),
    ...(subset ? [`<p>${escapeHtml(subset)}</p>`] : []),
    `<ul>\n${lines.map((line) => `<li>${escapeHtml(line)}</li>`).join('\n')}\n</ul>`,
    `<p><a href="${escapeHtml(url)}">Full change set</a> (captured ${escapeHtml(changeSet.capturedAt)})</p>`,
  ].join('\n');
  const kinds = [...new Set(group.events.map((event) => event.kind))];
  return { id: changeSetGuid(changeSet), url, title: changeSet.summary, text, html, date: new Date(changeSet.capturedAt), tags: [changeSet.board, ...kinds] };
}

/**
 * Characters XML 1.0 cannot carry at all (C0 controls other than tab and newlines, U+FFFE/U+FFFF,
 * unpaired surrogates) removed: a model name holding one must not make the whole feed unreadable.
 */
export function xmlText(text: string): string {
  return text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '');
}

/** A feed format's writer: the context, the items newest first, and when the content last changed. */
export type FeedRenderer = (context: FeedContext, items: readonly FeedItem[], updated: Date | null) => string;

/**
 * The writer with its last documents kept: the same context, the very same items (see
 * changeSetItem) and the same date give the document written before, not a new rendering of a
 * page of thousands of events. One document is kept per feed (its context), the latest: a feed
 * whose content moved on replaces its document, older versions are never asked for again. Items
 * made otherwise (`?per=event`) are written each time.
 */
export function keepRendered(render: FeedRenderer, kept = 16): FeedRenderer {
  const documents = new LruMap<string, { content: string; document: string }>(kept);
  return (context, items, updated) => {
    const serials = items.map((item) => itemSerials.get(item));
    if (serials.some((serial) => serial === undefined)) return render(context, items, updated);
    const feed = JSON.stringify([context.baseUrl, context.selfUrl, context.title, context.homepage, context.version]);
    const content = `${updated?.getTime() ?? null} ${serials.join(',')}`;
    const known = documents.get(feed);
    if (known?.content === content) return known.document;
    const document = render(context, items, updated);
    documents.set(feed, { content, document });
    return document;
  };
}
