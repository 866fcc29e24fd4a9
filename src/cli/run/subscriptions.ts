import { collectPages } from '../../db/cursor.ts';
import { listSubscriptions } from '../../notify/subscriptions.ts';
import type { CliContext } from '../io.ts';
import { answer } from '../remote.ts';
import { configOf, json, readThrough } from '../shared.ts';
import { adminClient, formatSubscriptions } from '../subscriptions.ts';

export async function run({ io }: CliContext, options: { json?: boolean }): Promise<void> {
  const config = configOf(io);
  const found = await readThrough(
    config,
    (database) => listSubscriptions(database.db),
    // Every page: the service answers up to 1000 a page.
    (url) =>
      collectPages(Infinity, 1000, async (cursor, size) => {
        const { subscriptions, next } = await answer(adminClient(config, url).v1.subscriptions.$get({ query: { limit: String(size), ...(cursor ? { cursor } : {}) } }));
        return { items: subscriptions, next };
      }),
  );
  io.stdout(options.json ? json(found) : formatSubscriptions(found));
}
