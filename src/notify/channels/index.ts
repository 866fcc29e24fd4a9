import { InvalidInputError } from '../../errors.ts';
import { checkWebhookUrl, type WebhookUrlOptions } from '../ssrf.ts';
import type { ChannelAdapter, StoredTarget } from './adapter.ts';
import { discord } from './discord.ts';
import { email } from './email.ts';
import { mattermost } from './mattermost.ts';
import { ntfy } from './ntfy.ts';
import { slack } from './slack.ts';
import { teams } from './teams.ts';
import { telegram } from './telegram.ts';
import { webhook } from './webhook.ts';

/**
 * Every delivery channel, by the name subscriptions give (`channel`). The dispatcher and the
 * subscriptions read channels only through this table: a new channel is its adapter module and
 * one line here.
 */
export const CHANNEL_ADAPTERS = { slack, discord, webhook, telegram, teams, ntfy, mattermost, email } as const satisfies Record<string, ChannelAdapter>;

/** A channel's name: a key of CHANNEL_ADAPTERS. */
export type Channel = keyof typeof CHANNEL_ADAPTERS;

/** The channels' names, in the table's order. */
export const CHANNELS = Object.keys(CHANNEL_ADAPTERS) as [Channel, ...Channel[]];

/** The adapter of a stored channel name; an unknown one (a channel since removed) is an error naming it. */
export function adapterFor(channel: string): ChannelAdapter {
  if (!Object.hasOwn(CHANNEL_ADAPTERS, channel)) throw new Error(`unknown channel: ${channel} (known: ${CHANNELS.join(', ')})`);
  return CHANNEL_ADAPTERS[channel as Channel];
}

/** A URL's scheme, lower-cased, without `:` (null when it has none). */
function schemeOf(url: string): string | null {
  return /^([a-z][a-z0-9+.-]*):/i.exec(url.trim())?.[1]?.toLowerCase() ?? null;
}

/** The channel an Apprise-style URL's scheme names (`tgram://…`: telegram), or null for http(s) and unknown schemes. */
export function channelOfScheme(url: string): Channel | null {
  const scheme = schemeOf(url);
  if (scheme === null) return null;
  return CHANNELS.find((channel) => (CHANNEL_ADAPTERS[channel] as ChannelAdapter).schemes?.includes(scheme)) ?? null;
}

/** Every Apprise-style scheme taken, for error messages. */
function knownSchemes(): string {
  return CHANNELS.flatMap((channel) => (CHANNEL_ADAPTERS[channel] as ChannelAdapter).schemes ?? []).map((scheme) => `${scheme}://`).join(', ');
}

/**
 * What a subscriber gave (`channel` and `url`, or an Apprise-style URL alone) as it is stored: the
 * channel, its URL without credentials, and the credential kept apart. The channel named must
 * match the URL's scheme; an http(s) URL needs the channel named. Errors never repeat the URL.
 */
export function storedTarget(channel: string | undefined, url: string): StoredTarget & { channel: Channel } {
  const byScheme = channelOfScheme(url);
  const scheme = schemeOf(url);
  if (channel !== undefined) adapterFor(channel);
  if (byScheme && channel !== undefined && channel !== byScheme) {
    throw new InvalidInputError('url', `a ${scheme}:// URL is a ${byScheme} subscription, not ${channel}`);
  }
  const chosen = (byScheme ?? channel) as Channel | undefined;
  if (chosen === undefined) {
    if (scheme === 'http' || scheme === 'https') throw new InvalidInputError('channel', `required with an ${scheme} URL (one of ${CHANNELS.join(', ')})`);
    throw new InvalidInputError('url', `${scheme === null ? 'not a URL' : `unknown scheme ${scheme}://`}: give an https URL with its channel, or one of ${knownSchemes()}`);
  }
  const adapter: ChannelAdapter = CHANNEL_ADAPTERS[chosen];
  if (!byScheme && scheme !== 'http' && scheme !== 'https' && adapter.parseUrl === undefined) {
    throw new InvalidInputError('url', `${scheme === null ? 'not a URL' : `scheme ${scheme}:// is not a ${chosen} URL`} (expected https://…)`);
  }
  const stored = adapter.parseUrl ? adapter.parseUrl(url.trim()) : { url: url.trim(), credential: null };
  return { channel: chosen, ...stored };
}

/** A stored URL as the API shows it: the channel masks its secrets. */
export function shownUrl(channel: string, url: string): string {
  const adapter = CHANNEL_ADAPTERS[channel as Channel] as ChannelAdapter | undefined;
  return adapter?.showUrl ? adapter.showUrl(url) : url;
}

/**
 * Checks a stored URL for a channel: the shared guard (https only, no credentials, every address
 * public unless allow-listed: ../ssrf.ts) on it, or on the endpoint it names (email's SMTP
 * server), then what the channel accepts. Returns the URL to store and the addresses to connect
 * to (pinned against DNS rebinding).
 */
export async function checkChannelUrl(channel: string, url: string, options: WebhookUrlOptions): Promise<{ url: URL; addresses: string[] }> {
  const adapter = adapterFor(channel);
  const checked = await checkWebhookUrl(adapter.endpoint ? adapter.endpoint(url) : url, options);
  const accepted = adapter.acceptUrl(checked.url);
  return { url: adapter.endpoint ? new URL(url) : accepted, addresses: checked.addresses };
}
