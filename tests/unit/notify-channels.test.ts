// The channel table: one adapter per channel (render, judge, pacing, URL check), and the
// dispatcher's and subscriptions' view of channels only through it.
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors.ts';
import type { Alert } from '../../src/notify/alert.ts';
import { adapterFor, CHANNEL_ADAPTERS, CHANNELS, checkChannelUrl, shownUrl, storedTarget } from '../../src/notify/channels/index.ts';
import { generateWebhookSecret } from '../../src/notify/channels/webhook.ts';
import { maskLastSegment, type ChannelAdapter } from '../../src/notify/channels/adapter.ts';

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
    expect(CHANNELS).toEqual(['slack', 'discord', 'webhook', 'telegram', 'teams', 'ntfy', 'mattermost', 'email']);
    for (const channel of CHANNELS) expect(adapterFor(channel)).toBe(CHANNEL_ADAPTERS[channel]);
    expect(() => adapterFor('carrier-pigeon')).toThrow(/unknown channel: carrier-pigeon \(known: slack, discord, webhook, telegram, teams, ntfy, mattermost, email\)/);
  });

  it('paces Slack, Telegram and Teams at one message a second per webhook or chat, ntfy at one per 5 s per topic, Mattermost at five a second, email at one connection a second per subscription, the others not at all', () => {
    expect(Object.fromEntries(CHANNELS.map((channel) => [channel, CHANNEL_ADAPTERS[channel].paceMs]))).toEqual({ slack: 1000, discord: 0, webhook: 0, telegram: 1000, teams: 1000, ntfy: 5000, mattermost: 200, email: 1000 });
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
      const url = channel === 'telegram' ? 'https://api.telegram.org/bot1:a/sendMessage?chat_id=1' : 'https://receiver.example/hook';
      for (const request of [adapter.render(alert, target(url, generateWebhookSecret()), now)].flat()) {
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

describe('subscription URLs', () => {
  it('an https URL needs its channel; an unknown scheme is refused naming the Apprise-style schemes taken', () => {
    expect(storedTarget('slack', ' https://hooks.slack.com/services/T0/B0/secret ')).toEqual({ channel: 'slack', url: 'https://hooks.slack.com/services/T0/B0/secret', credential: null });
    const error = (run: () => unknown) => {
      try {
        run();
      } catch (caught) {
        return caught as InvalidInputError;
      }
      throw new Error('expected a refusal');
    };
    expect(error(() => storedTarget(undefined, 'https://hooks.slack.com/services/T0/B0/secret'))).toMatchObject({ parameter: 'channel' });
    expect(error(() => storedTarget(undefined, 'https://hooks.slack.com/services/T0/B0/secret')).message).toMatch(/required with an https URL \(one of slack, discord, webhook/);
    const unknown = error(() => storedTarget(undefined, 'pigeon://loft/secret-123'));
    expect(unknown.message).toMatch(/unknown scheme pigeon:\/\//);
    expect(unknown.message).not.toContain('secret-123');
    expect(error(() => storedTarget('carrier-pigeon', 'https://example.com/')).message).toMatch(/unknown channel: carrier-pigeon/);
    expect(error(() => storedTarget('slack', 'ftp://files.example.com/secret-123')).message).toMatch(/^url: scheme ftp:\/\/ is not a slack URL/);
  });

  it('Slack and Discord webhooks are shown with their token masked; a generic webhook as given', () => {
    expect(shownUrl('slack', 'https://hooks.slack.com/services/T000/B000/XXXXXXXX')).toBe('https://hooks.slack.com/services/T000/B000/****');
    expect(shownUrl('discord', 'https://discord.com/api/webhooks/123456/abcdef-token')).toBe('https://discord.com/api/webhooks/123456/****');
    expect(shownUrl('webhook', 'https://hooks.example.com/rankwatch?key=1')).toBe('https://hooks.example.com/rankwatch?key=1');
    expect(maskLastSegment('https://hooks.example.com/a/b/')).toBe('https://hooks.example.com/a/****/');
  });
});
