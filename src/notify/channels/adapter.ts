import type { IncomingHttpHeaders } from 'node:http';
import type { Alert } from '../alert.ts';

/** The subscription fields a channel reads to address and sign a request. */
export interface ChannelTarget {
  url: string;
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

/**
 * One delivery channel: everything that differs between Slack, Discord, a signed webhook, … A new
 * channel is one module exporting an adapter, and its line in CHANNEL_ADAPTERS (./index.ts).
 */
export interface ChannelAdapter {
  /** Whether its subscriptions get a signing secret (shown once, rotatable). */
  signed: boolean;
  /** Least time between two requests to one URL (the receiver's rate limit); 0: none. */
  paceMs: number;
  /**
   * Refuses a URL this channel cannot use (an InvalidInputError naming `url`), after the shared
   * guard (https, public address: ../ssrf.ts) has passed it. Returns the URL to store.
   */
  acceptUrl: (url: URL) => URL;
  /** The request for an alert. Pure. */
  render: (alert: Alert, target: ChannelTarget, now: Date) => ChannelRequest;
  /** What the receiver's answer means. Pure. */
  judge: (response: ReceiverResponse, now: Date) => AttemptResult;
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
