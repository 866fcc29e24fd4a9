import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { getChangeSet, getEvent, getQuarantine, listChangeSets, listEvents, listQuarantines } from '../../db/queries.ts';
import { NotFoundError } from '../../errors.ts';
import { csvTwin, eventsTable, jsonOrCsv, respond } from '../csv.ts';
import { eventFilter } from '../event-filter.ts';
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
  queryLimitSchema,
  TimeSchema,
} from '../schemas.ts';

export const listEventsRoute = createRoute({
  method: 'get',
  path: '/v1/events',
  tags: ['events'],
  summary: 'Change events, newest first',
  request: { query: EventQuerySchema },
  responses: { 200: jsonOrCsv(z.object({ events: z.array(EventSchema) }).strict(), 'the events'), ...errors(400, 404) },
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
  summary: "Change sets (each snapshot's announced events summed up), newest first",
  request: { query: z.object({ board: OptionalTextSchema, since: TimeSchema, limit: queryLimitSchema(100) }) },
  responses: { 200: json(z.object({ changes: z.array(ChangeSetSchema) }).strict(), 'the change sets'), ...errors(400, 404) },
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
  summary: 'Captures held back by the sanity checks, newest first',
  request: { query: z.object({ board: OptionalTextSchema, limit: queryLimitSchema(100) }) },
  responses: { 200: json(z.object({ quarantine: z.array(QuarantineSchema) }).strict(), 'the quarantined captures'), ...errors(400, 404) },
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
  const eventsOf = async (c: Context, query: EventQuery) => {
    const events = await listEvents(db, await eventFilter(db, query));
    return respond(c, { events }, { table: () => eventsTable(events), filename: [query.board ?? '', 'events'] });
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
    .openapi(listChangesRoute, async (c) => c.json({ changes: await listChangeSets(db, c.req.valid('query')) }, 200))
    .openapi(changeRoute, async (c) => {
      const { id } = c.req.valid('param');
      const found = await getChangeSet(db, id);
      if (!found) throw new NotFoundError(`unknown change set: ${id}`);
      return c.json(found, 200);
    })
    .openapi(listQuarantineRoute, async (c) => c.json({ quarantine: await listQuarantines(db, c.req.valid('query')) }, 200))
    .openapi(quarantineRoute, async (c) => {
      const { id } = c.req.valid('param');
      const held = await getQuarantine(db, id);
      if (!held) throw new NotFoundError(`unknown quarantined capture: ${id}`);
      return c.json(held, 200);
    });
}
