import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { boardSeries, movers, newEntries, resolveWindow } from '../../db/series.ts';
import { csvTwin, jsonOrCsv, moversTable, newEntriesTable, respond, seriesTable } from '../csv.ts';
import { routeGroup, type RouteDeps } from '../routing.ts';
import { BoardParamsSchema, BoardSeriesSchema, daysSchema, errors, flagSchema, ModelsSchema, MoversSchema, NewEntriesSchema, queryLimitSchema, TimeSchema } from '../schemas.ts';

/** Days a movers or entries window spans when neither `days` nor `since` is given. */
const DEFAULT_DAYS = 7;

export const seriesRoute = createRoute({
  method: 'get',
  path: '/v1/boards/{board}/history',
  tags: ['boards'],
  summary: 'The rank/score series of several models on a board: every period overlapping the window',
  request: { params: BoardParamsSchema, query: z.object({ models: ModelsSchema, since: TimeSchema, until: TimeSchema }) },
  responses: { 200: jsonOrCsv(BoardSeriesSchema, 'one series per board key, in request order'), ...errors(400, 404) },
});

export const moversRoute = createRoute({
  method: 'get',
  path: '/v1/boards/{board}/movers',
  tags: ['boards'],
  summary: 'The largest rank gains and losses between two times (default: the last 7 days)',
  request: {
    params: BoardParamsSchema,
    query: z.object({ days: daysSchema(DEFAULT_DAYS), since: TimeSchema, until: TimeSchema, limit: queryLimitSchema(10), entries: flagSchema(false) }),
  },
  responses: { 200: jsonOrCsv(MoversSchema, 'the gains and the losses, largest first'), ...errors(400, 404) },
});

export const entriesRoute = createRoute({
  method: 'get',
  path: '/v1/boards/{board}/entries',
  tags: ['boards'],
  summary: 'The models that appeared on a board in a window (default: the last 7 days), newest first',
  request: { params: BoardParamsSchema, query: z.object({ since: TimeSchema, until: TimeSchema, days: daysSchema(DEFAULT_DAYS), reentries: flagSchema(false) }) },
  responses: { 200: jsonOrCsv(NewEntriesSchema, 'the new entries, newest first'), ...errors(400, 404) },
});

export const seriesCsvRoute = csvTwin(seriesRoute);
export const moversCsvRoute = csvTwin(moversRoute);
export const entriesCsvRoute = csvTwin(entriesRoute);

/**
 * `/v1/boards/:board/history`, `/movers`, `/entries` (src/db/series.ts), each also at `.csv` and
 * in CSV by `Accept: text/csv`.
 */
export function historyRoutes(deps: RouteDeps) {
  const { db, identity } = deps;

  const series = async (c: Context, board: string, query: z.output<typeof seriesRoute.request.query>) => {
    const result = await boardSeries(db, identity(), board, query);
    return respond(c, result, { table: () => seriesTable(result), filename: [board, 'history'] });
  };
  const moving = async (c: Context, board: string, query: z.output<typeof moversRoute.request.query>) => {
    const window = resolveWindow(query, new Date(), DEFAULT_DAYS);
    const result = await movers(db, board, { ...window, limit: query.limit, entries: query.entries });
    return respond(c, result, { table: () => moversTable(result), filename: [board, 'movers'] });
  };
  const entering = async (c: Context, board: string, query: z.output<typeof entriesRoute.request.query>) => {
    const window = resolveWindow(query, new Date(), DEFAULT_DAYS);
    const result = await newEntries(db, board, { ...window, reentries: query.reentries });
    return respond(c, result, { table: () => newEntriesTable(result), filename: [board, 'entries'] });
  };

  return routeGroup(deps)
    .openapi(seriesRoute, (c) => series(c, c.req.valid('param').board, c.req.valid('query')))
    .openapi(seriesCsvRoute, (c) => series(c, c.req.valid('param').board, c.req.valid('query')))
    .openapi(moversRoute, (c) => moving(c, c.req.valid('param').board, c.req.valid('query')))
    .openapi(moversCsvRoute, (c) => moving(c, c.req.valid('param').board, c.req.valid('query')))
    .openapi(entriesRoute, (c) => entering(c, c.req.valid('param').board, c.req.valid('query')))
    .openapi(entriesCsvRoute, (c) => entering(c, c.req.valid('param').board, c.req.valid('query')));
}
