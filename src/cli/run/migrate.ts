import { openStore } from '../../context.ts';
import type { CliContext } from '../io.ts';
import { configOf } from '../shared.ts';

export async function run({ io }: CliContext): Promise<void> {
  const database = await openStore(configOf(io), 'migrate');
  io.stdout(`database is up to date (${database.kind} ${database.location})\n`);
  await database.close();
}
