import { listBoards } from '../../db/queries.ts';
import { formatBoards } from '../format.ts';
import type { CliContext } from '../io.ts';
import { answer, serviceClient } from '../remote.ts';
import { configOf, json, readThrough } from '../shared.ts';

export async function run({ io }: CliContext, options: { json?: boolean }): Promise<void> {
  const settings = configOf(io);
  const boards = await readThrough(
    settings,
    (database) => listBoards(database.db),
    async (url) => (await answer(serviceClient(url).v1.boards.$get())).boards,
  );
  const live = new Map([...settings.boards].map(([id, board]) => [id, { schedule: board.schedule, notConfigured: board.notConfigured }]));
  if (options.json) io.stdout(json(boards.map((board) => ({ ...board, schedule: live.get(board.id)?.schedule ?? null, notConfigured: live.get(board.id)?.notConfigured ?? null }))));
  else io.stdout(formatBoards(boards, live));
}
