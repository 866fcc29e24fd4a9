import { readParameter } from '../../api/routing.ts';
import { idSchema, queryLimitSchema, TimeSchema } from '../../api/schemas.ts';
import { byCaptureTime, collectPages, decodeCursor, pageOf } from '../../db/cursor.ts';
import { getChangeSet, listChangeSets } from '../../db/queries.ts';
import { decodeStoredEvent } from '../../diff/events.ts';
import { NotFoundError } from '../../errors.ts';
import { formatChangeSets, formatEvents, shortTime } from '../format.ts';
import type { CliContext } from '../io.ts';
import { answer, serviceClient } from '../remote.ts';
import { configOf, json, PAGE, readThrough, requireBoard } from '../shared.ts';

export async function run({ io }: CliContext, id: string | undefined, options: { board?: string; since?: string; limit: string; all?: boolean; json?: boolean }): Promise<void> {
  if (options.board) requireBoard(options.board);
  if (id !== undefined) {
    const number = readParameter(idSchema('a change set id'), 'id', id);
    const found = await readThrough(
      configOf(io),
      (database) => getChangeSet(database.db, number),
      async (url) => {
        const found = await answer(serviceClient(url).v1.changes[':id'].$get({ param: { id: String(number) } }));
        // The service's JSON, checked as the database's rows are.
        return { ...found, events: found.events.map(decodeStoredEvent) };
      },
    );
    if (!found) throw new NotFoundError(`unknown change set: ${id}`);
    io.stdout(options.json ? json(found) : `${shortTime(found.capturedAt)}  ${found.summary}\n\n${formatEvents(found.events)}`);
    return;
  }
  const filter = {
    board: options.board,
    since: readParameter(TimeSchema, '--since', options.since),
    limit: readParameter(queryLimitSchema(100), '--limit', options.limit),
  };
  const want = options.all ? Infinity : filter.limit;
  const found = await readThrough(
    configOf(io),
    (database) =>
      collectPages(want, PAGE, async (cursor, size) =>
        pageOf(await listChangeSets(database.db, { ...filter, after: cursor ? decodeCursor('cursor', cursor, 'time') : undefined, limit: size + 1 }), size, byCaptureTime),
      ),
    (url) =>
      collectPages(want, PAGE, async (cursor, size) => {
        const query = { limit: String(size), board: filter.board, since: filter.since?.toISOString(), ...(cursor ? { cursor } : {}) };
        const { changes, next } = await answer(serviceClient(url).v1.changes.$get({ query }));
        return { items: changes, next };
      }),
  );
  io.stdout(options.json ? json(found) : formatChangeSets(found));
}
