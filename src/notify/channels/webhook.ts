import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { Alert, AlertChangeSet } from '../alert.ts';
import { JSON_HEADERS, judgeHttp, type HttpChannel } from './adapter.ts';

/** The body of a webhook delivery, shaped as Standard Webhooks recommends: `{type, id, timestamp, data}`. */
export interface WebhookPayload {
  /** The alert's type: `change_set.published`, `digest` or `test`. */
  type: string;
  /** The alert's id, the same as the `webhook-id` header (stable across retries). */
  id?: string;
  /** When the alert was created (ISO 8601), not when this attempt was sent. */
  timestamp: string;
  data: {
    /** A digest's window, e.g. "hourly digest, 2026-11-23 14:00–15:00 Europe/Berlin". */
    title?: string;
    /** Every change set with every matched event, never cut (unlike the chat formats). */
    changeSets: AlertChangeSet[];
  };
}

/** An alert as the webhook payload: its change sets and their events in full. */
export function webhookPayload(alert: Alert): WebhookPayload {
  return {
    type: alert.type,
    id: alert.id,
    timestamp: alert.timestamp,
    data: { ...(alert.title === undefined ? {} : { title: alert.title }), changeSets: alert.changeSets },
  };
}

/** The exact body to send and sign: the payload as compact JSON. Sign this string, send this string. */
export function webhookBody(alert: Alert): string {
  return JSON.stringify(webhookPayload(alert));
}

/**
 * The Standard Webhooks headers for one delivery attempt: `webhook-id` (the message id, the same
 * on every retry), `webhook-timestamp` (unix seconds of this attempt) and `webhook-signature`,
 * one `v1,<base64 HMAC-SHA256>` per secret, space-separated, so that during a secret rotation
 * receivers holding either the old or the new secret can verify. Secrets are `whsec_<base64>`
 * (the prefix optional). Signed with the `standardwebhooks` package.
 */
export function signWebhook(secrets: readonly string[], messageId: string, timestamp: Date, body: string): Record<string, string> {
  if (secrets.length === 0) throw new Error('a webhook needs at least one signing secret');
  // The signed content is `${id}.${timestamp}.${body}`: an id with a full stop could forge another split.
  if (!messageId || messageId.includes('.')) throw new Error(`webhook message id must be non-empty and contain no ".": ${JSON.stringify(messageId)}`);
  const signatures = [...new Set(secrets)].map((secret) => new Webhook(secret).sign(messageId, timestamp, body));
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': signatures.join(' '),
  };
}

/** Bytes of randomness in a new secret (Standard Webhooks asks for at least 24). */
export const WEBHOOK_SECRET_BYTES = 32;

/** A new signing secret: `whsec_` and the base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(WEBHOOK_SECRET_BYTES).toString('base64')}`;
}

/**
 * A generic webhook: the full alert as JSON, signed per Standard Webhooks with the subscription's
 * secret (and, during a rotation, the previous one too).
 */
export const webhook = {
  signed: true,
  paceMs: 0,
  acceptUrl: (url) => url,
  render: (alert, target, now) => {
    const body = webhookBody(alert);
    const secrets = [target.secret, target.previousSecretUntil && target.previousSecretUntil > now ? target.previousSecret : null].filter((secret): secret is string => Boolean(secret));
    return { url: new URL(target.url), headers: { ...JSON_HEADERS, ...signWebhook(secrets, alert.id, now, body) }, body };
  },
  judge: (response, now) => judgeHttp(response, now),
} satisfies HttpChannel;
