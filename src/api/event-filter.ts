import type { Context } from 'hono';
import type { Db } from '../db/client.ts';
import { boardExists, modelExists, type EventFilter } from '../db/queries.ts';
import { NotFoundError } from '../errors.ts';
import { parseKinds, parseLimit, parseStatuses, parseTime } from './params.ts';

/** Most events one request may ask for (`?limit=`). */
const MAX_LIMIT = 1000;

/**
 * The event filter of a request's query (`board`, `model`, `kind`, `status`, `since`, `until`,
 * `limit`), as `/v1/events` and the feeds read it. Throws InvalidInputError (400) for a malformed
 * parameter and NotFoundError (404) for an unknown board or model.
 */
export async function eventFilter(db: Db, c: Context): Promise<EventFilter> {
  const board = c.req.query('board');
  const model = c.req.query('model');
  const since = c.req.query('since');
  const until = c.req.query('until');
  const filter: EventFilter = {
    board: board || undefined,
    model: model || undefined,
    kind: parseKinds('kind', c.req.queries('kind') ?? []),
    status: parseStatuses('status', c.req.queries('status') ?? []),
    since: since ? parseTime('since', since) : undefined,
    until: until ? parseTime('until', until) : undefined,
    limit: parseLimit('limit', c.req.query('limit'), 100, MAX_LIMIT),
  };
  if (filter.board && !(await boardExists(db, filter.board))) throw new NotFoundError(`unknown board: ${filter.board}`);
  if (filter.model && !(await modelExists(db, filter.model, filter.board))) {
    throw new NotFoundError(`unknown model: ${filter.model}${filter.board ? ` on ${filter.board}` : ''}`);
  }
  return filter;
}
