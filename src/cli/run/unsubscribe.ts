import { readParameter } from '../../api/routing.ts';
import { idSchema } from '../../api/schemas.ts';
import { deleteSubscription } from '../../notify/subscriptions.ts';
import type { CliContext } from '../io.ts';
import { answer } from '../remote.ts';
import { configOf, readThrough } from '../shared.ts';
import { adminClient } from '../subscriptions.ts';

export async function run({ io }: CliContext, id: string): Promise<void> {
  const number = readParameter(idSchema('a subscription id'), 'id', id);
  const config = configOf(io);
  await readThrough(
    config,
    (database) => deleteSubscription(database.db, number),
    async (url) => {
      await answer(adminClient(config, url).v1.subscriptions[':id'].$delete({ param: { id: String(number) } }));
    },
  );
  io.stdout(`subscription ${number} deleted\n`);
}
