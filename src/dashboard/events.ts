import { html } from 'hono/html';
import { eventFilter } from '../api/event-filter.ts';
import type { EventQuery } from '../api/schemas.ts';
import { byCaptureTime, pageOf, type PageKey } from '../db/cursor.ts';
import type { Db } from '../db/client.ts';
import { listBoards, listEventsKept } from '../db/queries.ts';
import { describeEvent } from '../diff/describe.ts';
import { EVENT_KINDS } from '../diff/events.ts';
import { PUBLIC_FEED_KINDS } from '../feed/routes.ts';
import type { Identity } from '../identity/identity.ts';
import { subscriptionFiltersFor } from '../notify/filters.ts';
import { boardPath, href, modelPath, page, when, type Html } from './layout.ts';

/** The query of the events page: the filters of `/v1/events`, and the page to show. */
export type EventsPageQuery = EventQuery & { cursor?: PageKey | undefined };

/** The query string the page's filters make, for the feed, the API and the next page (no limit, no cursor). */
function filterQuery(query: EventsPageQuery): Record<string, string | boolean | readonly string[] | undefined> {
  return {
    board: query.board,
    kind: query.kind,
    model: query.model,
    organization: query.organization,
    significant: query.significant,
    since: query.since?.toISOString(),
    until: query.until?.toISOString(),
  };
}

/**
 * The events timeline (`/events`): the announced events, newest first, with the filters of the
 * feeds and the API as a form (its URL is the page's state: every view is a link), the feed, API
 * call and subscription filter that give the same events, and a link to the next page.
 */
export async function eventsPage(db: Db, identity: Identity, query: EventsPageQuery): Promise<Html> {
  const filter = await eventFilter(db, identity, query);
  const rows = await listEventsKept(db, { ...filter, kind: filter.kind?.length ? filter.kind : PUBLIC_FEED_KINDS, after: query.cursor, limit: filter.limit + 1 });
  const { items, next } = pageOf(rows, filter.limit, byCaptureTime);
  const boards = await listBoards(db);
  const shared = filterQuery(query);
  const feedUrl = href('/feed.atom', shared);
  // The API lists every kind unless told: name the page's own (the operator events left out, as here and in the feed).
  const apiUrl = href('/v1/events', { ...shared, kind: query.kind?.length ? query.kind : PUBLIC_FEED_KINDS });
  const nextUrl = next ? href('/events', { ...shared, limit: query.limit === 100 ? undefined : String(query.limit), cursor: next }) : null;
  const chosen = new Set(query.kind ?? []);

  return page(
    { title: 'Events', section: '/events' },
    html`<h1>Events</h1>
    <form class="filters" method="get" action="/events" aria-label="Filter the events">
      <label>Board <select name="board">
        <option value="">every board</option>
        ${boards.map((board) => html`<option value="${board.id}"${board.id === query.board ? html` selected` : ''}>${board.name}</option>`)}
      </select></label>
      <label>Model <input name="model" value="${query.model ?? ''}" placeholder="board key"></label>
      <label>Organization <input name="organization" value="${query.organization ?? ''}" placeholder="e.g. openai"></label>
      <label class="check"><input type="checkbox" name="significant" value="true"${query.significant ? html` checked` : ''}> significant only</label>
      <fieldset><legend>Kinds</legend>
        ${EVENT_KINDS.map((kind) => html`<label class="check"><input type="checkbox" name="kind" value="${kind}"${chosen.has(kind) ? html` checked` : ''}> ${kind.replaceAll('_', ' ')}</label>`)}
      </fieldset>
      <button type="submit">Filter</button> <a href="/events">Clear</a>
    </form>
    <details class="same-elsewhere">
      <summary>The same events elsewhere</summary>
      <p>Feed: <a href="${feedUrl}"><code>${feedUrl}</code></a></p>
      <p>API: <a href="${apiUrl}"><code>${apiUrl}</code></a></p>
      <p>Subscription filter (<code>POST /v1/subscriptions</code>, <code>filters</code>):</p>
      <pre><code>${JSON.stringify(subscriptionFiltersFor(query), null, 2)}</code></pre>
    </details>
    ${items.length
      ? html`<ol class="events">${items.map(
          (event) => html`<li class="event ${event.kind}">
        ${when(event.capturedAt)} <span class="badge kind">${event.kind.replaceAll('_', ' ')}</span>
        <a href="${boardPath(event.board)}">${event.board}</a>:
        ${event.model ? html`<a href="${modelPath(event.model)}">${describeEvent(event.board, event)}</a>` : describeEvent(event.board, event)}
        ${event.snapshotId !== null ? html` · <a href="/v1/changes/${event.snapshotId}">change set</a>` : ''}
      </li>`,
        )}</ol>`
      : html`<p>No event matches these filters.</p>`}
    ${nextUrl ? html`<p><a href="${nextUrl}" rel="next">Older events</a></p>` : ''}`,
  );
}

