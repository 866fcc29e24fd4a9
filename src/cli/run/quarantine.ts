import { readParameter } from '../../api/routing.ts';
import { idSchema, queryLimitSchema } from '../../api/schemas.ts';
import { byCaptureTime, collectPages, decodeCursor, pageOf } from '../../db/cursor.ts';
import { getQuarantine, listQuarantines } from '../../db/queries.ts';
import { NotFoundError } from '../../errors.ts';
import { formatQuarantine, formatQuarantineDetail } from '../format.ts';
import type { CliContext } from '../io.ts';
import { answer, serviceClient } from '../remote.ts';
import { configOf, json, PAGE, readThrough, requireBoard } from '../shared.ts';

export async function run({ io }: CliContext, id: string | undefined, options: { board?: string; limit: string; all?: boolean; json?: boolean }): Promise<void> {
  if (options.board) requireBoard(options.board);
  if (id !== undefined) {
    const number = readParameter(idSchema('a quarantine id'), 'id', id);
    const held = await readThrough(
      configOf(io),
      (database) => getQuarantine(database.db, number),
      (url) => answer(serviceClient(url).v1.quarantine[':id'].$get({ param: { id: String(number) } })),
    );
    if (!held) throw new NotFoundError(`unknown quarantined capture: ${id}`);
    io.stdout(options.json ? json(held) : formatQuarantineDetail(held));
    return;
  }
  const filter = { board: options.board, limit: readParameter(queryLimitSchema(100), '--limit', options.limit) };
  const want = options.all ? Infinity : filter.limit;
  const found = await readThrough(
    configOf(io),
    (database) =>
      collectPages(want, PAGE, async (cursor, size) =>
        pageOf(await listQuarantines(database.db, { ...filter, after: cursor ? decodeCursor('cursor', cursor, 'time') : undefined, limit: size + 1 }), size, byCaptureTime),
      ),
    (url) =>
      collectPages(want, PAGE, async (cursor, size) => {
        const { quarantine, next } = await answer(serviceClient(url).v1.quarantine.$get({ query: { limit: String(size), board: filter.board, ...(cursor ? { cursor } : {}) } }));
        return { items: quarantine, next };
      }),
  );
  io.stdout(options.json ? json(found) : formatQuarantine(found));
}
