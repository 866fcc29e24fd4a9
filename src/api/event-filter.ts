import type { Db } from '../db/client.ts';
import { modelExists, type EventFilter } from '../db/queries.ts';
import { NotFoundError } from '../errors.ts';
import type { Identity } from '../identity/identity.ts';
import { organizationModels } from '../identity/store.ts';
import type { EventQuery } from './schemas.ts';

/** A 404 for an organization neither model identity nor the stored data knows; names the parameter. */
export class UnknownOrganizationError extends NotFoundError {
  readonly parameter = 'organization';
  constructor(organization: string) {
    super(`unknown organization: ${organization}`);
  }
}

/**
 * The event filter of a validated `/v1/events` or feed query (EventQuerySchema; its board already
 * checked by the validation hook), or of the CLI's `events`. Throws NotFoundError (404) for a
 * model never stored (on that board) and for an organization unknown to model identity and to the
 * stored data.
 */
export async function eventFilter(db: Db, identity: Identity, { organization, ...query }: EventQuery): Promise<EventFilter> {
  const filter: EventFilter = { ...query };
  if (filter.model && !(await modelExists(db, filter.model, filter.board))) {
    throw new NotFoundError(`unknown model: ${filter.model}${filter.board ? ` on ${filter.board}` : ''}`);
  }
  if (organization) {
    const models = await organizationModels(db, identity, organization, filter.board);
    if (!models) throw new UnknownOrganizationError(organization);
    filter.organization = models;
  }
  return filter;
}
