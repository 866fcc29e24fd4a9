import type { IncomingHttpHeaders } from 'node:http';
import type { Alert } from '../alert.ts';

/** The subscription fields a channel reads to address and sign a request. */
export interface ChannelTarget {
  url: string;
  /**
   * A signed channel's signing secret; for an unsigned one the credential its URL carried, kept
   * apart from the stored URL (an ntfy token, an SMTP password), or null. Never shown back.
   */
  secret: string | null;
  previousSecret: string | null;
  previousSecretUntil: Date | null;
}

/** The request a channel makes of an alert. */
export interface ChannelRequest {
  url: URL;
  headers: Record<string, string>;
  body: string;
}

/** What the receiver answered (the body cut to 64 KiB). */
export interface ReceiverResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * What one attempt came to. `delivered`: the receiver took it. `gone`: the receiver says it no
 * longer exists (the subscription is disabled, nothing is retried). `failed`: retried on the
 * schedule, not before `retryAfterMs` when the receiver asked (statusCode null: no answer).
 */
export type AttemptResult =
  | { outcome: 'delivered'; statusCode: number }
  | { outcome: 'gone'; statusCode: number; error: string }
  | { outcome: 'failed'; statusCode: number | null; error: string; retryAfterMs: number | null };

/** What a subscriber's URL becomes when stored: the URL (no credentials in it) and the credential kept apart. */
export interface StoredTarget {
  url: string;
  /** Stored as the subscription's secret (never shown back); null: none. */
  credential: string | null;
}

/** How a channel that does not speak HTTP POST (email) is handed its delivery. */
export interface SendContext {
  /** The addresses the guard approved for the endpoint's host: connect to these only. */
  addresses: readonly string[];
  timeoutMs: number;
  signal: AbortSignal;
  now: Date;
  /** The service's public URL (links, and the host name of message ids). */
  publicUrl: string;
  /** Extra trust for TLS connections the channel makes (tests: a self-signed SMTP server). */
  tls?: { ca?: string | Buffer | undefined } | undefined;
}

/** What every channel says of itself: signing, pacing, the URLs it takes and how they are shown. */
interface ChannelBase {
  /** Whether its subscriptions get a signing secret (shown once, rotatable). */
  signed: boolean;
  /** Least time between two requests to one URL (the receiver's rate limit); 0: none. */
  paceMs: number;
  /**
   * Apprise-style URL schemes (without `:`) this channel takes besides https, e.g. `tgram`: a
   * subscription with such a URL needs no `channel`. A scheme belongs to one channel only.
   */
  schemes?: readonly string[];
  /**
   * What a subscriber's URL becomes when stored, before the guard: an Apprise-style URL turned
   * into the channel's own, a credential taken out of it. Throws an InvalidInputError naming
   * `url` that never repeats a secret. Absent: the URL as given, no credential.
   */
  parseUrl?: (input: string) => StoredTarget;
  /**
   * The http(s) URL the shared guard checks for a stored URL that is not one itself (email: the
   * SMTP server as `https://host:port/`). Absent: the stored URL.
   */
  endpoint?: (url: string) => string;
  /**
   * Refuses a URL this channel cannot use (an InvalidInputError naming `url`), after the shared
   * guard (https, public address: ../ssrf.ts) has passed it. Returns the URL to store.
   */
  acceptUrl: (url: URL) => URL;
  /** The stored URL as the API shows it: every secret in it masked. Absent: shown as stored. */
  showUrl?: (url: string) => string;
}

/** A channel that POSTs to its URL: the requests it makes, and how it reads the answers. */
export interface HttpChannel extends ChannelBase {
  /**
   * The request for an alert, or several sent in order (a message split at the receiver's
   * limit): each part is sent once, paced like separate messages, and a retry starts at the
   * first part not yet delivered. At most MAX_PARTS. Pure.
   */
  render: (alert: Alert, target: ChannelTarget, now: Date) => ChannelRequest | ChannelRequest[];
  /** What the receiver's answer means. Pure. */
  judge: (response: ReceiverResponse, now: Date) => AttemptResult;
  send?: never;
}

/** A channel that is not an HTTP POST (email): it sends each alert itself. */
export interface SendingChannel extends ChannelBase {
  /** Sends an alert, connecting only to `context.addresses`; never throws (a failure is an AttemptResult). */
  send: (alert: Alert, target: ChannelTarget, context: SendContext) => Promise<AttemptResult>;
  render?: never;
  judge?: never;
}

/**
 * One delivery channel: everything that differs between Slack, Discord, a signed webhook, … A new
 * channel is one module exporting an adapter, and its line in CHANNEL_ADAPTERS (./index.ts).
 */
export type ChannelAdapter = HttpChannel | SendingChannel;

/** The most requests one delivery may take (a split message's parts); the dispatcher's claim allows for them. */
export const MAX_PARTS = 5;

/** Masks a secret for display: its first `keep` characters, then `****`. */
export function mask(secret: string, keep = 0): string {
  return `${secret.slice(0, keep)}****`;
}

/** A URL shown with its last path segment (a webhook's token) masked: `https://hooks.slack.com/services/T0/B0/****`. */
export function maskLastSegment(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return mask(url);
  }
  const segments = parsed.pathname.split('/');
  const last = segments.findLastIndex((segment) => segment !== '');
  if (last < 0) return url;
  segments[last] = mask(segments[last]!);
  return `${parsed.origin}${segments.join('/')}${parsed.search}`;
}

/** The headers every channel sends. */
export const JSON_HEADERS: Readonly<Record<string, string>> = { 'content-type': 'application/json', 'user-agent': 'rankwatch-webhooks' };

/** Seconds or an HTTP date, as Retry-After gives it; null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: Date): number | null {
  if (!value) return null;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, date - now.getTime());
}

/** What a channel reads in a refusal before the common rules apply. */
export interface ChannelVerdict {
  /** Why the receiver is gone (its words), when it says so. */
  gone?: string | null;
  /** A wait the body asks for, when the headers give none. */
  retryAfterMs?: number | null;
}

/**
 * The common reading of an answer: 2xx delivered; 410 (or what `verdict` says is gone) gone; a 3xx
 * a failure (redirects are not followed); everything else a failure to retry, after Retry-After
 * (or the wait the body asks for) when given.
 */
export function judgeHttp(response: ReceiverResponse, now: Date, verdict: (response: ReceiverResponse, snippet: string) => ChannelVerdict = () => ({})): AttemptResult {
  const { statusCode, headers, body } = response;
  const snippet = body.trim().slice(0, 200);
  if (statusCode >= 200 && statusCode < 300) return { outcome: 'delivered', statusCode };
  if (statusCode === 410) return { outcome: 'gone', statusCode, error: `410 Gone${snippet ? `: ${snippet}` : ''}` };
  const read = verdict(response, snippet);
  if (read.gone) return { outcome: 'gone', statusCode, error: read.gone };
  const retryHeader = Array.isArray(headers['retry-after']) ? headers['retry-after'][0] : headers['retry-after'];
  const what = statusCode >= 300 && statusCode < 400 ? `${statusCode} redirect (not followed)` : `HTTP ${statusCode}`;
  return { outcome: 'failed', statusCode, error: `${what}${snippet ? `: ${snippet}` : ''}`, retryAfterMs: parseRetryAfter(retryHeader, now) ?? read.retryAfterMs ?? null };
}
