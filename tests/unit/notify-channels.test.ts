// The channel table: one adapter per channel (render, judge, pacing, URL check), and the
// dispatcher's and subscriptions' view of channels only through it.
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors.ts';
import type { Alert } from '../../src/notify/alert.ts';
import { adapterFor, CHANNEL_ADAPTERS, CHANNELS, checkChannelUrl } from '../../src/notify/channels/index.ts';
import { generateWebhookSecret } from '../../src/notify/channels/webhook.ts';
import type { ChannelAdapter } from '../../src/notify/channels/adapter.ts';

const alert: Alert = { id: 'msg_1', type: 'test.sent', timestamp: '2026-11-23T14:00:00.000Z', changeSets: [] };
const now = new Date('2026-11-23T14:00:00Z');
const target = (url: string, secret: string | null = null, previous: { secret: string; until: Date } | null = null) => ({
  url,
  secret,
  previousSecret: previous?.secret ?? null,
  previousSecretUntil: previous?.until ?? null,
});
const publicDns = async () => [{ address: '34.206.0.1', family: 4 }];

describe('the channel table', () => {
  it('names the channels subscriptions accept, each with its adapter', () => {
    expect(CHANNELS).toEqual(['slack', 'discord', 'webhook', 'email']);
    for (const channel of CHANNELS) expect(adapterFor(channel)).toBe(CHANNEL_ADAPTERS[channel]);
    expect(() => adapterFor('carrier-pigeon')).toThrow(/unknown channel: carrier-pigeon \(known: slack, discord, webhook, email\)/);
  });

  it('paces Slack at one message a second per webhook and email at one connection a second per subscription, the others not at all', () => {
    expect(Object.fromEntries(CHANNELS.map((channel) => [channel, CHANNEL_ADAPTERS[channel].paceMs]))).toEqual({ slack: 1000, discord: 0, webhook: 0, email: 1000 });
  });

  it('signs only webhooks', () => {
    expect(CHANNELS.filter((channel) => CHANNEL_ADAPTERS[channel].signed)).toEqual(['webhook']);
  });
});

describe('render', () => {
  it('Discord is asked to wait for the message (so a refusal is answered), Slack is posted to as given', () => {
    expect(CHANNEL_ADAPTERS.discord.render(alert, target('https://discord.com/api/webhooks/1/abc')).url.searchParams.get('wait')).toBe('true');
    expect(CHANNEL_ADAPTERS.slack.render(alert, target('https://hooks.slack.com/services/T/B/x')).url.href).toBe('https://hooks.slack.com/services/T/B/x');
    for (const channel of CHANNELS) {
      const adapter: ChannelAdapter = CHANNEL_ADAPTERS[channel];
      // A channel that sends itself (email) has no request to look at.
      if (!adapter.render) continue;
      for (const request of [adapter.render(alert, target('https://receiver.example/hook', generateWebhookSecret()), now)].flat()) {
        expect(request.headers['content-type']).toBe('application/json');
        expect(() => JSON.parse(request.body) as unknown).not.toThrow();
      }
    }
  });

  it('a webhook is signed with the previous secret too while a rotation runs, then with the new one alone', () => {
    // Receivers check the signature's time against their clock.
    const now = new Date();
    const [current, previous] = [generateWebhookSecret(), generateWebhookSecret()];
    const during = CHANNEL_ADAPTERS.webhook.render(alert, target('https://receiver.example/hook', current, { secret: previous, until: new Date(now.getTime() + 1000) }), now);
    expect(during.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(() => new Webhook(previous).verify(during.body, during.headers)).not.toThrow();
    const after = CHANNEL_ADAPTERS.webhook.render(alert, target('https://receiver.example/hook', current, { secret: previous, until: new Date(now.getTime() - 1000) }), now);
    expect(after.headers['webhook-signature']!.split(' ')).toHaveLength(1);
    expect(() => new Webhook(current).verify(after.body, after.headers)).not.toThrow();
  });
});

describe('judge: outcomes as a discriminated union', () => {
  it('a delivered attempt carries no error; a gone one no retry time', () => {
    expect(CHANNEL_ADAPTERS.webhook.judge({ statusCode: 204, headers: {}, body: '' }, now)).toEqual({ outcome: 'delivered', statusCode: 204 });
    expect(CHANNEL_ADAPTERS.slack.judge({ statusCode: 403, headers: {}, body: 'invalid_token' }, now)).toEqual({
      outcome: 'gone',
      statusCode: 403,
      error: 'Slack answered 403 invalid_token: the webhook is gone',
    });
    expect(CHANNEL_ADAPTERS.discord.judge({ statusCode: 429, headers: { 'retry-after': '3' }, body: '{"retry_after": 9}' }, now)).toEqual({
      outcome: 'failed',
      statusCode: 429,
      error: 'HTTP 429: {"retry_after": 9}',
      retryAfterMs: 3000,
    });
  });

  it("a Slack answer means nothing special to the other channels", () => {
    expect(CHANNEL_ADAPTERS.webhook.judge({ statusCode: 404, headers: {}, body: 'no_service' }, now).outcome).toBe('failed');
    expect(CHANNEL_ADAPTERS.webhook.judge({ statusCode: 404, headers: {}, body: '{"code": 10015}' }, now).outcome).toBe('failed');
  });
});

describe('URL check', () => {
  it('Discord refuses a URL that already says ?wait; the others take it', async () => {
    const url = 'https://discord.com/api/webhooks/1/abc?wait=false';
    const refused = await checkChannelUrl('discord', url, { allowHosts: [], lookup: publicDns }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(InvalidInputError);
    expect((refused as InvalidInputError).message).toMatch(/leave out \?wait/);
    await expect(checkChannelUrl('webhook', url, { allowHosts: [], lookup: publicDns })).resolves.toMatchObject({ addresses: ['34.206.0.1'] });
  });

  it('every channel keeps the shared guard: no private addresses', async () => {
    // Email's stored URL names its SMTP server, which the guard checks as https://host:port/.
    const privateUrl = (channel: string) => (channel === 'email' ? 'mailtos://u@10.0.0.9:587/?mode=starttls&from=a@example.com&to=a@example.com' : 'https://10.0.0.9/hook');
    for (const channel of CHANNELS) await expect(checkChannelUrl(channel, privateUrl(channel), { allowHosts: [] })).rejects.toThrow('10.0.0.9 (private)');
  });

  it('email: the guard checks the SMTP server (smtp=) on its port, not the mail domain; the URL stored is the mailto URL', async () => {
    const url = 'mailtos://u@example.com:465/?smtp=10.0.0.9&mode=ssl&from=u@example.com&to=u@example.com';
    await expect(checkChannelUrl('email', url, { allowHosts: [], lookup: publicDns })).rejects.toThrow('https://10.0.0.9:465/ resolves to 10.0.0.9 (private)');
    await expect(checkChannelUrl('email', url, { allowHosts: ['10.0.0.9:587'] })).rejects.toThrow('10.0.0.9 (private)');
    const allowed = await checkChannelUrl('email', url, { allowHosts: ['10.0.0.9:465'] });
    expect(allowed).toEqual({ url: new URL(url), addresses: ['10.0.0.9'] });
  });
});
