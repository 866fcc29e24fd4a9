import { createRoute, z } from '@hono/zod-openapi';
import { listBoards, standingsAt } from '../../db/queries.ts';
import { UnknownBoardError, routeGroup, type RouteDeps } from '../routing.ts';
import { aggregatesHistory, boardAggregates } from '../../identity/store.ts';
import { AggregatesSchema, BoardParamsSchema, BoardSchema, choiceSchema, errors, json, queryLimitSchema, StandingSchema, TimeSchema } from '../schemas.ts';

const GROUPINGS = ['organization', 'country'] as const;

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
    200: json(z.object({ board: z.string(), at: z.iso.datetime({ offset: true }), entries: z.array(StandingSchema) }).strict(), 'the standings'),
    ...errors(400, 404),
  },
});

export const aggregatesRoute = createRoute({
  method: 'get',
  path: '/v1/boards/{board}/aggregates',
  tags: ['boards'],
  summary: 'The best model of each organization (the lab ranking) or country, and the US–China gap',
  request: { params: BoardParamsSchema, query: z.object({ by: choiceSchema(GROUPINGS, 'organization'), at: TimeSchema }) },
  responses: { 200: json(AggregatesSchema, 'the aggregates'), ...errors(400, 404) },
});

export const aggregatesHistoryRoute = createRoute({
  method: 'get',
  path: '/v1/boards/{board}/aggregates/history',
  tags: ['boards'],
  summary: 'The aggregates at every snapshot, newest first',
  request: { params: BoardParamsSchema, query: z.object({ by: choiceSchema(GROUPINGS, 'country'), since: TimeSchema, limit: queryLimitSchema(100) }) },
  responses: {
    200: json(z.object({ board: z.string(), by: z.enum(GROUPINGS), history: z.array(AggregatesSchema) }).strict(), 'the aggregates, newest first'),
    ...errors(400, 404),
  },
});

/** `/v1/boards…`: boards, standings and aggregates. An unknown `:board` is a 404 before any handler runs (routing.ts). */
export function boardRoutes(deps: RouteDeps) {
  const { db, identity } = deps;
  return routeGroup(deps)
    .openapi(listBoardsRoute, async (c) => c.json({ boards: await listBoards(db) }, 200))
    .openapi(boardRoute, async (c) => {
      const { board } = c.req.valid('param');
      const found = (await listBoards(db)).find((candidate) => candidate.id === board);
      if (!found) throw new UnknownBoardError(board);
      return c.json(found, 200);
    })
    .openapi(standingsRoute, async (c) => {
      const { board } = c.req.valid('param');
      const { at } = c.req.valid('query');
      return c.json({ board, at: (at ?? new Date()).toISOString(), entries: await standingsAt(db, board, at) }, 200);
    })
    .openapi(aggregatesRoute, async (c) => {
      const { board } = c.req.valid('param');
      const { by, at } = c.req.valid('query');
      const found = await boardAggregates(db, identity(), board, by, at);
      if (!found) throw new UnknownBoardError(board);
      return c.json(found, 200);
    })
    .openapi(aggregatesHistoryRoute, async (c) => {
      const { board } = c.req.valid('param');
      const { by, since, limit } = c.req.valid('query');
      return c.json({ board, by, history: await aggregatesHistory(db, identity(), board, by, { since, limit }) }, 200);
    });
}
