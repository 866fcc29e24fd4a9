import type { Db } from '../db/client.ts';
import { modelExists, type EventFilter } from '../db/queries.ts';
import { NotFoundError } from '../errors.ts';
import type { EventQuery } from './schemas.ts';

/**
 * The event filter of a validated `/v1/events` or feed query (EventQuerySchema; its board already
 * checked by the validation hook). Throws NotFoundError (404) for a model never stored (on that board).
 */
export async function eventFilter(db: Db, query: EventQuery): Promise<EventFilter> {
  const filter: EventFilter = { ...query };
  if (filter.model && !(await modelExists(db, filter.model, filter.board))) {
    throw new NotFoundError(`unknown model: ${filter.model}${filter.board ? ` on ${filter.board}` : ''}`);
  }
  return filter;
}
