import { identityFor } from '../../context.ts';
import { boardExists } from '../../db/queries.ts';
import { NotFoundError } from '../../errors.ts';
import { canonicalHistory } from '../../identity/store.ts';
import { formatHistory } from '../format.ts';
import type { CliContext } from '../io.ts';
import { answer, serviceClient } from '../remote.ts';
import { configOf, json, readThrough, requireBoard } from '../shared.ts';

export async function run({ io }: CliContext, model: string, options: { board?: string; json?: boolean }): Promise<void> {
  if (options.board) requireBoard(options.board);
  const history = await readThrough(
    configOf(io),
    async (database) => {
      if (options.board && !(await boardExists(database.db, options.board))) throw new NotFoundError(`unknown board: ${options.board}`);
      return canonicalHistory(database.db, identityFor(configOf(io)), model, options.board);
    },
    async (url) =>
      (await answer(serviceClient(url).v1.models[':model{.+?}'].history.$get({ param: { model: encodeURIComponent(model) }, query: { board: options.board } }))).history,
  );
  if (history.length === 0) throw new NotFoundError(`unknown model: ${model}${options.board ? ` on ${options.board}` : ''} (model keys are case-sensitive; see \`rankwatch events\`)`);
  io.stdout(options.json ? json(history) : formatHistory(history));
}
