import { createSubscription, type SubscriptionInput } from '../../notify/subscriptions.ts';
import type { CliContext } from '../io.ts';
import type { FilterOptions } from '../options.ts';
import { answer } from '../remote.ts';
import { configOf, json, readThrough } from '../shared.ts';
import { adminClient, filtersFrom } from '../subscriptions.ts';

export async function run({ io }: CliContext, options: FilterOptions & { channel?: string; url: string; mode: string; timezone: string; description?: string; json?: boolean }): Promise<void> {
  const body = {
    ...(options.channel ? { channel: options.channel } : {}),
    url: options.url,
    filters: filtersFrom(options),
    mode: options.mode,
    timezone: options.timezone,
    ...(options.description ? { description: options.description } : {}),
  };
  const config = configOf(io);
  const policy = { allowHosts: config.delivery.allowHosts };
  const created = await readThrough(
    config,
    (database) => createSubscription(database.db, body, policy),
    // The service validates the body as createSubscription does here.
    (url) => answer(adminClient(config, url).v1.subscriptions.$post({ json: body as SubscriptionInput })),
  );
  if (options.json) {
    io.stdout(json(created));
    return;
  }
  io.stdout(`subscription ${created.subscription.id}: ${created.subscription.channel} ${created.subscription.url}\n`);
  if (created.secret) io.stdout(`signing secret (shown once; verify webhook-signature with it): ${created.secret}\n`);
}
