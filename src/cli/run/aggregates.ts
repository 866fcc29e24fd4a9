import { readParameter } from '../../api/routing.ts';
import { queryLimitSchema, TimeSchema } from '../../api/schemas.ts';
import { identityFor } from '../../context.ts';
import { InvalidInputError, NotFoundError } from '../../errors.ts';
import { aggregatesHistory, boardAggregates } from '../../identity/store.ts';
import { formatAggregates, formatGapHistory } from '../format.ts';
import type { CliContext } from '../io.ts';
import { answer, serviceClient } from '../remote.ts';
import { configOf, json, readThrough, requireBoard } from '../shared.ts';

export async function run({ io }: CliContext, board: string, options: { by: string; at?: string; history?: boolean; limit: string; json?: boolean }): Promise<void> {
  requireBoard(board);
  if (options.by !== 'organization' && options.by !== 'country') throw new InvalidInputError('--by', `expected organization or country, got ${JSON.stringify(options.by)}`);
  const at = readParameter(TimeSchema, '--at', options.at);
  if (options.history) {
    const limit = readParameter(queryLimitSchema(100), '--limit', options.limit);
    const by = options.by as 'organization' | 'country';
    const history = await readThrough(
      configOf(io),
      (database) => aggregatesHistory(database.db, identityFor(configOf(io)), board, by, { limit }),
      async (url) =>
        (await answer(serviceClient(url).v1.boards[':board'].aggregates.history.$get({ param: { board: encodeURIComponent(board) }, query: { by, limit: String(limit) } }))).history,
    );
    io.stdout(options.json ? json(history) : formatGapHistory(history));
    return;
  }
  const found = await readThrough(
    configOf(io),
    async (database) => {
      const found = await boardAggregates(database.db, identityFor(configOf(io)), board, options.by as 'organization' | 'country', at);
      if (!found) throw new NotFoundError(`unknown board: ${board}`);
      return found;
    },
    (url) => answer(serviceClient(url).v1.boards[':board'].aggregates.$get({ param: { board: encodeURIComponent(board) }, query: { by: options.by, at: at?.toISOString() } })),
  );
  io.stdout(options.json ? json(found) : formatAggregates(found));
}
