import { identityFor } from '../../context.ts';
import { InvalidInputError, NotFoundError } from '../../errors.ts';
import { modelAcrossBoards, unmappedModels } from '../../identity/store.ts';
import { formatModel, formatUnmapped } from '../format.ts';
import type { CliContext } from '../io.ts';
import { answer, serviceClient } from '../remote.ts';
import { configOf, json, readThrough, requireBoard } from '../shared.ts';

export async function run({ io }: CliContext, id: string | undefined, options: { unmapped?: boolean; board?: string; json?: boolean }): Promise<void> {
  if (options.board) requireBoard(options.board);
  const settings = configOf(io);
  if (options.unmapped || id === undefined) {
    if (!options.unmapped) throw new InvalidInputError('id', 'give a model id, or --unmapped');
    const found = await readThrough(
      settings,
      (database) => unmappedModels(database.db, identityFor(settings), options.board),
      async (url) => (await answer(serviceClient(url).v1.identity.unmapped.$get({ query: { board: options.board } }))).unmapped,
    );
    io.stdout(options.json ? json(found) : formatUnmapped(found));
    return;
  }
  const found = await readThrough(
    settings,
    async (database) => {
      const model = await modelAcrossBoards(database.db, identityFor(settings), id);
      if (!model) throw new NotFoundError(`unknown model: ${id} (on no board now; model keys are case-sensitive, canonical ids are lower-case)`);
      return model;
    },
    (url) => answer(serviceClient(url).v1.models[':model{.+}'].$get({ param: { model: encodeURIComponent(id) }, query: {} })),
  );
  io.stdout(options.json ? json(found) : formatModel(found));
}
