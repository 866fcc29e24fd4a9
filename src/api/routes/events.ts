import { createRoute, z } from '@hono/zod-openapi';
import type { PageKey } from '../../db/cursor.ts';
import type { Context } from 'hono';
import { getChangeSet, getEvent, getQuarantine, listChangeSets, listEventsKept, listQuarantines } from '../../db/queries.ts';
import { NotFoundError } from '../../errors.ts';
import { csvTwin, eventsTable, jsonOrCsv, respond } from '../csv.ts';
import { eventFilter } from '../event-filter.ts';
import { byCaptureTime, pageWithLink } from '../pages.ts';
import { routeGroup, type RouteDeps } from '../routing.ts';
import {
  ChangeSetSchema,
  ChangeSetWithEventsSchema,
  errors,
  EventQuerySchema,
  type EventQuery,
  EventSchema,
  idSchema,
  json,
  OptionalTextSchema,
  QuarantineDetailSchema,
  QuarantineSchema,
  cursorSchema,
  NextSchema,
  queryLimitSchema,
  TimeSchema,
} from '../schemas.ts';

export const listEventsRoute = createRoute({
  method: 'get',
  path: '/v1/events',
  tags: ['events'],
  summary: 'Change events, newest first, a page at a time',
  request: { query: EventQuerySchema.extend({ cursor: cursorSchema('time') }) },
  responses: { 200: jsonOrCsv(z.object({ events: z.array(EventSchema), next: NextSchema }).strict(), 'the events'), ...errors(400, 404) },
});

export const eventRoute = createRoute({
  method: 'get',
  path: '/v1/events/{id}',
  tags: ['events'],
  summary: 'One event',
  request: { params: z.object({ id: idSchema('an event id') }) },
  responses: { 200: json(EventSchema, 'the event'), ...errors(400, 404) },
});

export const listChangesRoute = createRoute({
  method: 'get',
  path: '/v1/changes',
  tags: ['events'],
  summary: "Change sets (each snapshot's announced events summed up), newest first, a page at a time",
  request: { query: z.object({ board: OptionalTextSchema, since: TimeSchema, limit: queryLimitSchema(100), cursor: cursorSchema('time') }) },
  responses: { 200: json(z.object({ changes: z.array(ChangeSetSchema), next: NextSchema }).strict(), 'the change sets'), ...errors(400, 404) },
});

export const changeRoute = createRoute({
  method: 'get',
  path: '/v1/changes/{id}',
  tags: ['events'],
  summary: 'One change set with its events, settling and dropped ones included',
  request: { params: z.object({ id: idSchema('a change set id') }) },
  responses: { 200: json(ChangeSetWithEventsSchema, 'the change set'), ...errors(400, 404) },
});

export const listQuarantineRoute = createRoute({
  method: 'get',
  path: '/v1/quarantine',
  tags: ['events'],
  summary: 'Captures held back by the sanity checks, newest first, a page at a time',
  request: { query: z.object({ board: OptionalTextSchema, limit: queryLimitSchema(100), cursor: cursorSchema('time') }) },
  responses: { 200: json(z.object({ quarantine: z.array(QuarantineSchema), next: NextSchema }).strict(), 'the quarantined captures'), ...errors(400, 404) },
});

export const quarantineRoute = createRoute({
  method: 'get',
  path: '/v1/quarantine/{id}',
  tags: ['events'],
  summary: 'One quarantined capture with its entries',
  request: { params: z.object({ id: idSchema('a quarantine id') }) },
  responses: { 200: json(QuarantineDetailSchema, 'the quarantined capture'), ...errors(400, 404) },
});

export const listEventsCsvRoute = csvTwin(listEventsRoute);

/** `/v1/events` (also at `/v1/events.csv` and in CSV by `Accept: text/csv`), `/v1/changes`, `/v1/quarantine`: what the scrapes found. */
export function eventRoutes(deps: RouteDeps) {
  const { db } = deps;
  // A page in either format: the CSV of a page is its events, the next page in the Link header.
  const eventsOf = async (c: Context, { cursor, ...query }: EventQuery & { cursor?: PageKey | undefined }) => {
    const filter = await eventFilter(db, deps.identity(), query);
    const page = pageWithLink(c, await listEventsKept(db, { ...filter, after: cursor, limit: filter.limit + 1 }), filter.limit, byCaptureTime);
    return respond(c, { events: page.items, next: page.next }, { table: () => eventsTable(page.items), filename: [query.board ?? '', 'events'] });
  };
  return routeGroup(deps)
    .openapi(listEventsRoute, (c) => eventsOf(c, c.req.valid('query')))
    .openapi(listEventsCsvRoute, (c) => eventsOf(c, c.req.valid('query')))
    .openapi(eventRoute, async (c) => {
      const { id } = c.req.valid('param');
      const event = await getEvent(db, id);
      if (!event) throw new NotFoundError(`unknown event: ${id}`);
      return c.json(event, 200);
    })
    .openapi(listChangesRoute, async (c) => {
      const { cursor, limit, ...query } = c.req.valid('query');
      const page = pageWithLink(c, await listChangeSets(db, { ...query, after: cursor, limit: limit + 1 }), limit, byCaptureTime);
      return c.json({ changes: page.items, next: page.next }, 200);
    })
    .openapi(changeRoute, async (c) => {
      const { id } = c.req.valid('param');
      const found = await getChangeSet(db, id);
      if (!found) throw new NotFoundError(`unknown change set: ${id}`);
      return c.json(found, 200);
    })
    .openapi(listQuarantineRoute, async (c) => {
      const { cursor, limit, ...query } = c.req.valid('query');
      const page = pageWithLink(c, await listQuarantines(db, { ...query, after: cursor, limit: limit + 1 }), limit, byCaptureTime);
      return c.json({ quarantine: page.items, next: page.next }, 200);
    })
    .openapi(quarantineRoute, async (c) => {
      const { id } = c.req.valid('param');
      const held = await getQuarantine(db, id);
      if (!held) throw new NotFoundError(`unknown quarantined capture: ${id}`);
      return c.json(held, 200);
    });
}
