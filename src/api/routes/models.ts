import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { NotFoundError } from '../../errors.ts';
import { canonicalHistory, modelAcrossBoards, unmappedModels } from '../../identity/store.ts';
import { csvTwin, jsonOrCsv, respond, standingsTable } from '../csv.ts';
import { routeGroup, type RouteDeps } from '../routing.ts';
import { errors, json, ModelHistorySchema, ModelParamsSchema, ModelStandingSchema, OptionalTextSchema, UnmappedSchema } from '../schemas.ts';

const BoardQuerySchema = z.object({ board: OptionalTextSchema });

// Model keys hold slashes (`openai/gpt-4o`), so the key is the rest of the path. The OpenAPI
// document shows `/v1/models/{model}` and `/v1/models/{model}/history`; hono serves them with
// `:model{.+?}/history` and `:model{.+}` (a lazy pattern first: two greedy `.+` patterns do not
// both match, the first would swallow `/history`). `{model{.+}}` is how zod-openapi writes `:model{.+}`.
const MODEL = '/v1/models/{model}';

export const modelRoute = createRoute({
  method: 'get',
  path: MODEL,
  tags: ['models'],
  summary: "A model's canonical id, organization, country and current standing on every board",
  request: { params: ModelParamsSchema, query: BoardQuerySchema },
  responses: { 200: json(ModelStandingSchema, 'the model'), ...errors(400, 404) },
});

export const modelHistoryRoute = createRoute({
  method: 'get',
  path: `${MODEL}/history`,
  tags: ['models'],
  summary: 'Every period of a model on every board (or one), oldest first per board',
  request: { params: ModelParamsSchema, query: BoardQuerySchema },
  responses: { 200: jsonOrCsv(ModelHistorySchema, 'the history'), ...errors(400, 404) },
});

export const unmappedRoute = createRoute({
  method: 'get',
  path: '/v1/identity/unmapped',
  tags: ['models'],
  summary: 'Organizations and model keys of the current boards that identity cannot place',
  request: { query: BoardQuerySchema },
  responses: { 200: json(z.object({ unmapped: z.array(UnmappedSchema) }).strict(), 'what identity does not know'), ...errors(400, 404) },
});

/** `/v1/models/{model}/history.csv`: the history as CSV (`Accept: text/csv` on the route above does the same). */
export const modelHistoryCsvRoute = csvTwin(modelHistoryRoute);

/** The served twin of a documented model route: the same route on the slash-taking pattern, kept out of the document. */
function served<R extends typeof modelRoute | typeof modelHistoryRoute | typeof modelHistoryCsvRoute, P extends string>(route: R, path: P) {
  return { ...route, path, hide: true } as Omit<R, 'path'> & { path: P; hide: true };
}

/** `/v1/models/…` and `/v1/identity/unmapped`: models across boards. */
export function modelRoutes(deps: RouteDeps) {
  const { db, identity } = deps;
  const group = routeGroup(deps);
  group.openAPIRegistry.registerPath(modelHistoryRoute);
  group.openAPIRegistry.registerPath(modelHistoryCsvRoute);
  group.openAPIRegistry.registerPath(modelRoute);
  const historyOf = async (c: Context, model: string, board: string | undefined) => {
    // Across boards: every key model identity gives the same canonical id.
    const history = await canonicalHistory(db, identity(), model, board);
    if (history.length === 0) throw new NotFoundError(`unknown model: ${model}${board ? ` on ${board}` : ''}`);
    return respond(c, { model, history }, { table: () => standingsTable(history), filename: [model, 'history'] });
  };
  // `history.csv` before `{model{.+}}`, which would take `…/history.csv` as a model key.
  return group
    .openapi(served(modelHistoryCsvRoute, '/v1/models/{model{.+?}}/history.csv'), (c) => historyOf(c, c.req.valid('param').model, c.req.valid('query').board))
    .openapi(served(modelHistoryRoute, '/v1/models/{model{.+?}}/history'), (c) => historyOf(c, c.req.valid('param').model, c.req.valid('query').board))
    .openapi(served(modelRoute, '/v1/models/{model{.+}}'), async (c) => {
      const { model } = c.req.valid('param');
      const found = await modelAcrossBoards(db, identity(), model);
      if (!found) throw new NotFoundError(`unknown model: ${model} (on no board now)`);
      return c.json(found, 200);
    })
    .openapi(unmappedRoute, async (c) => c.json({ unmapped: await unmappedModels(db, identity(), c.req.valid('query').board) }, 200));
}
