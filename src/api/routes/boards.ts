import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { listBoards, standingsAt } from '../../db/queries.ts';
import { UnknownBoardError, routeGroup, type RouteDeps } from '../routing.ts';
import { aggregatesHistory, boardAggregates } from '../../identity/store.ts';
import { AggregatesSchema, BoardParamsSchema, BoardSchema, choiceSchema, errors, json, queryLimitSchema, StandingSchema, TimeSchema } from '../schemas.ts';
import { aggregatesTable, csvTwin, jsonOrCsv, respond, standingsTable } from '../csv.ts';

const GROUPINGS = ['organization', 'country'] as const;
type Grouping = (typeof GROUPINGS)[number];

export const listBoardsRoute = createRoute({
  method: 'get',
  path: '/v1/boards',
  tags: ['boards'],
  summary: 'Every board with its last scrape, size and snapshot count',
  responses: { 200: json(z.object({ boards: z.array(BoardSchema) }), 'the boards'), ...errors() },
});

export const boardRoute = createRoute({
  method: 'get',
  path: '/v1/boards/{board}',
  tags: ['boards'],
  summary: 'One board',
  request: { params: BoardParamsSchema },
  responses: { 200: json(BoardSchema, 'the board'), ...errors(404) },
});

export const standingsRoute = createRoute({
  method: 'get',
  path: '/v1/boards/{board}/standings',
  tags: ['boards'],
  summary: 'The board as it stood at a time (default now), best first',
  request: { params: BoardParamsSchema, query: z.object({ at: TimeSchema }) },
  responses: {
    200: jsonOrCsv(z.object({ board: z.string(), at: z.iso.datetime({ offset: true }), entries: z.array(StandingSchema) }).strict(), 'the standings'),
    ...errors(400, 404),
  },
});

export const aggregatesRoute = createRoute({
  method: 'get',
  path: '/v1/boards/{board}/aggregates',
  tags: ['boards'],
  summary: 'The best model of each organization (the lab ranking) or country, and the US–China gap',
  request: { params: BoardParamsSchema, query: z.object({ by: choiceSchema(GROUPINGS, 'organization'), at: TimeSchema }) },
  responses: { 200: jsonOrCsv(AggregatesSchema, 'the aggregates'), ...errors(400, 404) },
});

export const aggregatesHistoryRoute = createRoute({
  method: 'get',
  path: '/v1/boards/{board}/aggregates/history',
  tags: ['boards'],
  summary: 'The aggregates at every snapshot (from since to until), newest first',
  request: { params: BoardParamsSchema, query: z.object({ by: choiceSchema(GROUPINGS, 'country'), since: TimeSchema, until: TimeSchema, limit: queryLimitSchema(100) }) },
  responses: {
    200: jsonOrCsv(z.object({ board: z.string(), by: z.enum(GROUPINGS), history: z.array(AggregatesSchema) }).strict(), 'the aggregates, newest first'),
    ...errors(400, 404),
  },
});

export const standingsCsvRoute = csvTwin(standingsRoute);
export const aggregatesCsvRoute = csvTwin(aggregatesRoute);
export const aggregatesHistoryCsvRoute = csvTwin(aggregatesHistoryRoute);

/**
 * `/v1/boards…`: boards, standings and aggregates, the tables also at `.csv` and in CSV by
 * `Accept: text/csv`. An unknown `:board` is a 404 before any handler runs (routing.ts).
 */
export function boardRoutes(deps: RouteDeps) {
  const { db, identity } = deps;
  const standingsOf = async (c: Context, board: string, at: Date | undefined) => {
    const entries = await standingsAt(db, board, at);
    return respond(c, { board, at: (at ?? new Date()).toISOString(), entries }, { table: () => standingsTable(entries), filename: [board, 'standings'] });
  };
  const aggregatesOf = async (c: Context, board: string, by: Grouping, at: Date | undefined) => {
    const found = await boardAggregates(db, identity(), board, by, at);
    if (!found) throw new UnknownBoardError(board);
    return respond(c, found, { table: () => aggregatesTable([found]), filename: [board, 'aggregates', by] });
  };
  const historyOf = async (c: Context, board: string, { by, ...filter }: z.output<typeof aggregatesHistoryRoute.request.query>) => {
    const history = await aggregatesHistory(db, identity(), board, by, filter);
    return respond(c, { board, by, history }, { table: () => aggregatesTable(history), filename: [board, 'aggregates', by, 'history'] });
  };
  return routeGroup(deps)
    .openapi(listBoardsRoute, async (c) => c.json({ boards: await listBoards(db) }, 200))
    .openapi(boardRoute, async (c) => {
      const { board } = c.req.valid('param');
      const found = (await listBoards(db)).find((candidate) => candidate.id === board);
      if (!found) throw new UnknownBoardError(board);
      return c.json(found, 200);
    })
    .openapi(standingsRoute, (c) => standingsOf(c, c.req.valid('param').board, c.req.valid('query').at))
    .openapi(standingsCsvRoute, (c) => standingsOf(c, c.req.valid('param').board, c.req.valid('query').at))
    .openapi(aggregatesRoute, (c) => aggregatesOf(c, c.req.valid('param').board, c.req.valid('query').by, c.req.valid('query').at))
    .openapi(aggregatesCsvRoute, (c) => aggregatesOf(c, c.req.valid('param').board, c.req.valid('query').by, c.req.valid('query').at))
    .openapi(aggregatesHistoryRoute, (c) => historyOf(c, c.req.valid('param').board, c.req.valid('query')))
    .openapi(aggregatesHistoryCsvRoute, (c) => historyOf(c, c.req.valid('param').board, c.req.valid('query')));
}
