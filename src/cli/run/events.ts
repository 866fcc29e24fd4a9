import { eventFilter } from '../../api/event-filter.ts';
import { readParameter } from '../../api/routing.ts';
import { KindsSchema, queryLimitSchema, StatusesSchema, TimeSchema, type EventQuery } from '../../api/schemas.ts';
import { identityFor } from '../../context.ts';
import { byCaptureTime, collectPages, decodeCursor, pageOf } from '../../db/cursor.ts';
import { listEvents } from '../../db/queries.ts';
import { decodeStoredEvent } from '../../diff/events.ts';
import { formatEvents } from '../format.ts';
import type { CliContext } from '../io.ts';
import { answer, serviceClient } from '../remote.ts';
import { configOf, json, PAGE, readThrough, requireBoard } from '../shared.ts';

/** `/v1/events`'s query for the CLI's (the API gives at most 1000 at once). */
function eventQuery(query: EventQuery) {
  return {
    board: query.board,
    model: query.model,
    organization: query.organization,
    kind: query.kind.length ? query.kind.join(',') : undefined,
    significant: query.significant ? 'true' : undefined,
    since: query.since?.toISOString(),
    status: query.status.length ? query.status.join(',') : undefined,
    limit: String(Math.min(query.limit, 1000)),
  };
}

export async function run({ io }: CliContext, options: { board?: string; model?: string; organization?: string; kind?: string[]; significant?: boolean; since?: string; status?: string[]; limit: string; all?: boolean; json?: boolean }): Promise<void> {
  if (options.board) requireBoard(options.board);
  const query: EventQuery = {
    board: options.board,
    model: options.model,
    organization: options.organization,
    kind: readParameter(KindsSchema, '--kind', options.kind ?? []),
    significant: options.significant ?? false,
    status: readParameter(StatusesSchema, '--status', options.status ?? []),
    since: readParameter(TimeSchema, '--since', options.since),
    until: undefined,
    limit: readParameter(queryLimitSchema(100, 10_000), '--limit', options.limit),
  };
  const want = options.all ? Infinity : query.limit;
  const settings = configOf(io);
  const found = await readThrough(
    settings,
    async (database) => {
      // The API's filter, so an unknown model or organization is refused here as there.
      const filter = await eventFilter(database.db, identityFor(settings), query);
      return collectPages(want, PAGE, async (cursor, size) =>
        pageOf(await listEvents(database.db, { ...filter, after: cursor ? decodeCursor('cursor', cursor, 'time') : undefined, limit: size + 1 }), size, byCaptureTime),
      );
    },
    (url) =>
      collectPages(want, PAGE, async (cursor, size) => {
        const { events, next } = await answer(serviceClient(url).v1.events.$get({ query: { ...eventQuery({ ...query, limit: size }), ...(cursor ? { cursor } : {}) } }));
        // The service's JSON, checked as the database's rows are.
        return { items: events.map(decodeStoredEvent), next };
      }),
  );
  io.stdout(options.json ? json(found) : formatEvents(found));
}
