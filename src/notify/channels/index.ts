import { checkWebhookUrl, type WebhookUrlOptions } from '../ssrf.ts';
import type { ChannelAdapter } from './adapter.ts';
import { discord } from './discord.ts';
import { slack } from './slack.ts';
import { webhook } from './webhook.ts';

/**
 * Every delivery channel, by the name subscriptions give (`channel`). The dispatcher and the
 * subscriptions read channels only through this table: a new channel is its adapter module and
 * one line here.
 */
export const CHANNEL_ADAPTERS = { slack, discord, webhook } as const satisfies Record<string, ChannelAdapter>;

/** A channel's name: a key of CHANNEL_ADAPTERS. */
export type Channel = keyof typeof CHANNEL_ADAPTERS;

/** The channels' names, in the table's order. */
export const CHANNELS = Object.keys(CHANNEL_ADAPTERS) as [Channel, ...Channel[]];

/** The adapter of a stored channel name; an unknown one (a channel since removed) is an error naming it. */
export function adapterFor(channel: string): ChannelAdapter {
  if (!Object.hasOwn(CHANNEL_ADAPTERS, channel)) throw new Error(`unknown channel: ${channel} (known: ${CHANNELS.join(', ')})`);
  return CHANNEL_ADAPTERS[channel as Channel];
}

/**
 * Checks a subscriber's URL for a channel: the shared guard (https only, no credentials, every
 * address public unless allow-listed: ../ssrf.ts), then what the channel accepts. Returns the URL
 * to store and the addresses to connect to (pinned against DNS rebinding).
 */
export async function checkChannelUrl(channel: string, url: string, options: WebhookUrlOptions): Promise<{ url: URL; addresses: string[] }> {
  const checked = await checkWebhookUrl(url, options);
  return { url: adapterFor(channel).acceptUrl(checked.url), addresses: checked.addresses };
}
