import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.ts';
import { deliveries, subscriptions } from '../../src/db/schema.ts';
import { Dispatcher } from '../../src/notify/dispatcher.ts';
import { CHANNELS, createSubscription, listDeliveries } from '../../src/notify/subscriptions.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { BOARD, importTwo } from '../support/delivery.ts';

const POLICY = { allowHosts: ['127.0.0.1'] };

/** A receiver on loopback: records every request, answers as told (in order, then 200). */
interface Receiver {
  url: string;
  requests: { at: number; path: string; headers: IncomingHttpHeaders; body: string }[];
  answers: { status: number; headers?: Record<string, string>; body?: string }[];
  server: Server;
}

async function receiver(answers: Receiver['answers'] = []): Promise<Receiver> {
  const state: Receiver = { url: '', requests: [], answers: [...answers], server: createServer() };
  state.server.on('request', (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      state.requests.push({ at: Date.now(), path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      const answer = state.answers.shift() ?? { status: 200, body: 'ok' };
      response.writeHead(answer.status, answer.headers ?? {});
      response.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => state.server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(state.server.address() as AddressInfo).port}/hook`;
  return state;
}



let database: TestDatabase;
const servers: Server[] = [];
const dispatchers: Dispatcher[] = [];
beforeEach(async () => {
  database = await createTestDatabase();
});
afterEach(async () => {
  for (const dispatcher of dispatchers.splice(0)) await dispatcher.stop();
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
  await database.drop();
});

function dispatcher(options: Partial<ConstructorParameters<typeof Dispatcher>[0]> = {}): Dispatcher {
  const created = new Dispatcher({ database, publicUrl: 'https://rankwatch.test', allowHosts: POLICY.allowHosts, timeoutMs: 5_000, retrySchedule: [50, 50, 50, 50], ...options });
  dispatchers.push(created);
  return created;
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('alerts delivered to real receivers on loopback', () => {
  it('each matching subscription gets exactly one message per change set, signed where it is a webhook; the others nothing', async () => {
    const [slack, discord, hook, other] = await Promise.all([receiver(), receiver([{ status: 200, headers: { 'content-type': 'application/json' }, body: '{"id":"1"}' }]), receiver(), receiver()]);
    servers.push(slack.server, discord.server, hook.server, other.server);
    await createSubscription(database.db, { channel: 'slack', url: slack.url, filters: { kinds: ['new_leader'] } }, POLICY);
    await createSubscription(database.db, { channel: 'discord', url: discord.url, filters: { countries: ['CN'] } }, POLICY);
    const { secret } = await createSubscription(database.db, { channel: 'webhook', url: hook.url, filters: { boards: [BOARD], topN: 3 } }, POLICY);
    await createSubscription(database.db, { channel: 'webhook', url: other.url, filters: { boards: ['lmarena-vision'] } }, POLICY);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);

    const sender = dispatcher();
    await sender.start();
    await importTwo(database);
    await until(() => slack.requests.length + discord.requests.length + hook.requests.length >= 4);
    await sender.idle();

    // The first snapshot's board_first_seen is a change set too: only the webhook (no kind filter, top 3) takes it.
    expect(slack.requests).toHaveLength(1);
    const slackBody = JSON.parse(slack.requests[0]!.body);
    expect(slackBody.text).toContain('qwen-max');
    expect(JSON.stringify(slackBody.blocks)).toContain('takes #1');

    expect(discord.requests).toHaveLength(1);
    expect(discord.requests[0]!.path).toBe('/hook?wait=true');
    const embeds = JSON.parse(discord.requests[0]!.body).embeds as { description?: string; fields?: unknown[] }[];
    expect(JSON.stringify(embeds)).toContain('qwen-max');
    expect(JSON.stringify(embeds)).not.toContain('claude-3.5-sonnet');

    expect(hook.requests).toHaveLength(2);
    for (const request of hook.requests) {
      const verified = new Webhook(secret!).verify(request.body, request.headers as Record<string, string>) as { type: string; data: { changeSets: { events: unknown[] }[] } };
      expect(verified.type).toBe('change_set.published');
    }
    expect(other.requests).toHaveLength(0);
  });

  it('retries a receiver that answers 500 three times and delivers on the fourth attempt with the same webhook-id', async () => {
    const hook = await receiver([{ status: 500 }, { status: 500 }, { status: 500 }]);
    servers.push(hook.server);
    const { subscription, secret } = await createSubscription(database.db, { channel: 'webhook', url: hook.url, filters: { kinds: ['new_leader'] } }, POLICY);
    await importTwo(database);
    const sender = dispatcher();
    await sender.start();
    await until(() => hook.requests.length >= 4);
    await sender.idle();
    expect(hook.requests).toHaveLength(4);
    expect(new Set(hook.requests.map((request) => request.headers['webhook-id'])).size).toBe(1);
    expect(() => new Webhook(secret!).verify(hook.requests[3]!.body, hook.requests[3]!.headers as Record<string, string>)).not.toThrow();
    const [delivery] = await listDeliveries(database.db, subscription.id, 10);
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 4, lastStatusCode: 200 });
    expect(delivery!.attemptsLog.map((attempt) => `${attempt.outcome} ${attempt.statusCode}`)).toEqual(['failed 500', 'failed 500', 'failed 500', 'delivered 200']);
  });

  it('honours Retry-After on a 429: the next attempt comes no sooner than 2 s later', async () => {
    const hook = await receiver([{ status: 429, headers: { 'retry-after': '2' } }]);
    servers.push(hook.server);
    await createSubscription(database.db, { channel: 'webhook', url: hook.url, filters: { kinds: ['new_leader'] } }, POLICY);
    await importTwo(database);
    const sender = dispatcher();
    await sender.start();
    await until(() => hook.requests.length >= 2, 15_000);
    expect(hook.requests[1]!.at - hook.requests[0]!.at).toBeGreaterThanOrEqual(2_000);
  });

  it('a 410 Gone disables the subscription with the reason, and a failing receiver ends dead and visible', async () => {
    const gone = await receiver([{ status: 410, body: 'gone for good' }]);
    const broken = await receiver(Array.from({ length: 10 }, () => ({ status: 503 })));
    servers.push(gone.server, broken.server);
    const first = await createSubscription(database.db, { channel: 'webhook', url: gone.url, filters: { kinds: ['new_leader'] } }, POLICY);
    const second = await createSubscription(database.db, { channel: 'webhook', url: broken.url, filters: { kinds: ['new_leader'] } }, POLICY);
    await importTwo(database);
    const sender = dispatcher({ retrySchedule: [20, 20] });
    await sender.start();
    await until(async () => (await database.db.select().from(deliveries).where(eq(deliveries.subscriptionId, second.subscription.id)))[0]?.status === 'dead');
    const [disabled] = await database.db.select().from(subscriptions).where(eq(subscriptions.id, first.subscription.id));
    expect(disabled).toMatchObject({ enabled: false, disabledReason: '410 Gone: gone for good' });
    expect(gone.requests).toHaveLength(1);
    const [dead] = await listDeliveries(database.db, second.subscription.id, 10);
    expect(dead).toMatchObject({ status: 'dead', attempts: 3, lastStatusCode: 503 });
  });

  it('Slack\'s "no_service" answer disables a Slack subscription', async () => {
    const slack = await receiver([{ status: 404, body: 'no_service' }]);
    servers.push(slack.server);
    const { subscription } = await createSubscription(database.db, { channel: 'slack', url: slack.url, filters: { kinds: ['new_leader'] } }, POLICY);
    await importTwo(database);
    const sender = dispatcher();
    await sender.start();
    await until(async () => (await database.db.select().from(subscriptions).where(eq(subscriptions.id, subscription.id)))[0]?.enabled === false);
    const [row] = await database.db.select().from(subscriptions).where(eq(subscriptions.id, subscription.id));
    expect(row!.disabledReason).toMatch(/Slack answered 404 no_service/);
  });

  it('a subscription on a channel this version does not know is cancelled with the reason; the others are still sent', async () => {
    const known = await receiver();
    servers.push(known.server);
    const stranger = await createSubscription(database.db, { channel: 'webhook', url: known.url, filters: { kinds: ['new_leader'] } }, POLICY);
    await createSubscription(database.db, { channel: 'webhook', url: known.url, filters: { kinds: ['new_leader'] } }, POLICY);
    // As another version (one with a carrier-pigeon adapter) may have stored it.
    await database.db.update(subscriptions).set({ channel: 'carrier-pigeon' }).where(eq(subscriptions.id, stranger.subscription.id));
    await importTwo(database);
    const sender = dispatcher();
    await sender.start();
    await until(async () => (await database.db.select().from(deliveries).where(eq(deliveries.subscriptionId, stranger.subscription.id)))[0]?.status === 'cancelled');
    const [cancelled] = await database.db.select().from(deliveries).where(eq(deliveries.subscriptionId, stranger.subscription.id));
    expect(cancelled!.lastError).toBe(`unknown channel: carrier-pigeon (known: ${CHANNELS.join(', ')})`);
    await until(() => known.requests.length === 1);
  });
});

describe('several dispatchers on one database', () => {
  it('deliver side by side without sending any alert twice', async () => {
    const hooks = await Promise.all([receiver(), receiver(), receiver()]);
    servers.push(...hooks.map((hook) => hook.server));
    for (const hook of hooks) await createSubscription(database.db, { channel: 'webhook', url: hook.url }, POLICY);
    await importTwo(database);
    const queued = (await database.db.select().from(deliveries)).length;
    expect(queued).toBe(6);
    const [one, two] = [dispatcher({ batchSize: 2 }), dispatcher({ batchSize: 2 })];
    await Promise.all([one.runOnce(), two.runOnce(), one.runOnce(), two.runOnce()]);
    await Promise.all([one.runOnce(), two.runOnce()]);
    const ids = hooks.flatMap((hook) => hook.requests.map((request) => String(request.headers['webhook-id'])));
    expect(ids).toHaveLength(6);
    expect(new Set(ids).size).toBe(6);
  });
});

describe('digests and pacing', () => {
  it('an hourly digest gathers the change sets of its window into one message, sent when the window closes', async () => {
    const hook = await receiver();
    servers.push(hook.server);
    const { subscription, secret } = await createSubscription(database.db, { channel: 'webhook', url: hook.url, mode: 'hourly', timezone: 'Europe/Berlin' }, POLICY);
    await importTwo(database);
    const [gathering] = await database.db.select().from(deliveries).where(eq(deliveries.subscriptionId, subscription.id));
    expect(gathering).toMatchObject({ kind: 'digest', status: 'gathering' });
    expect(gathering!.title).toMatch(/^hourly digest, \d{4}-\d\d-\d\d \d\d:00–\d\d:00 Europe\/Berlin$/);
    expect(gathering!.nextAttemptAt.getUTCMinutes()).toBe(0);
    expect(gathering!.nextAttemptAt.getTime()).toBeGreaterThan(Date.now());
    const sender = dispatcher();
    expect(await sender.runOnce()).toBe(0);
    // When the window closes: one message with both change sets.
    await sender.idle();
    const closing = dispatcher({ now: () => new Date(gathering!.nextAttemptAt.getTime() + 1_000) });
    expect(await closing.runOnce()).toBe(1);
    expect(hook.requests).toHaveLength(1);
    // (Signed with the dispatcher's clock, an hour ahead here: the signature itself is checked elsewhere.)
    expect(secret).toMatch(/^whsec_/);
    const body = JSON.parse(hook.requests[0]!.body) as { type: string; data: { title: string; changeSets: unknown[] } };
    expect(body.type).toBe('digest.published');
    expect(body.data.title).toBe(gathering!.title);
    expect(body.data.changeSets).toHaveLength(2);
  });

  it('paces a Slack webhook to about one message a second', async () => {
    const slack = await receiver();
    servers.push(slack.server);
    await createSubscription(database.db, { channel: 'slack', url: slack.url }, POLICY);
    await importTwo(database);
    const sender = dispatcher();
    await sender.runOnce();
    expect(slack.requests).toHaveLength(2);
    expect(slack.requests[1]!.at - slack.requests[0]!.at).toBeGreaterThanOrEqual(950);
  });
});

describe('the subscriptions API', () => {
  const TOKEN = 'test-admin-token-0123456789';
  const app = () => createApp({ db: database.db, adminToken: TOKEN, urlPolicy: POLICY });
  const call = async (method: string, path: string, body?: unknown, token: string | null = TOKEN) => {
    const response = await app().request(path, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };

  it('needs the admin token; without RANKWATCH_ADMIN_TOKEN it is off', async () => {
    expect((await call('GET', '/v1/subscriptions', undefined, null)).status).toBe(401);
    expect((await call('GET', '/v1/subscriptions', undefined, 'wrong-token-wrong-token')).status).toBe(401);
    const off = await createApp({ db: database.db }).request('/v1/subscriptions');
    expect(off.status).toBe(503);
    expect(((await off.json()) as { message: string }).message).toMatch(/set RANKWATCH_ADMIN_TOKEN/);
    // Reading events stays public.
    expect((await createApp({ db: database.db }).request('/v1/events')).status).toBe(200);
  });

  it('creates (secret shown once), lists, patches, tests, rotates and deletes', async () => {
    const hook = await receiver();
    servers.push(hook.server);
    const created = await call('POST', '/v1/subscriptions', { channel: 'webhook', url: hook.url, filters: { boards: [BOARD], minRankDelta: 2 } });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_/);
    const id = created.body.subscription.id;
    const listed = await call('GET', '/v1/subscriptions');
    expect(JSON.stringify(listed.body)).not.toContain(created.body.secret);
    expect((await call('PATCH', `/v1/subscriptions/${id}`, { mode: 'daily', timezone: 'Europe/Berlin' })).body).toMatchObject({ mode: 'daily', timezone: 'Europe/Berlin' });

    const rotated = await call('POST', `/v1/subscriptions/${id}/rotate-secret`);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.subscription.signing.rotatingUntil).not.toBeNull();
    expect((await call('POST', `/v1/subscriptions/${id}/test`)).status).toBe(202);
    const sender = dispatcher();
    await sender.runOnce();
    expect(hook.requests).toHaveLength(1);
    // During a rotation the old and the new secret both sign.
    const headers = hook.requests[0]!.headers as Record<string, string>;
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    for (const secret of [created.body.secret as string, rotated.body.secret as string]) expect(() => new Webhook(secret).verify(hook.requests[0]!.body, headers)).not.toThrow();
    const log = await call('GET', `/v1/subscriptions/${id}/deliveries`);
    expect(log.body.deliveries[0]).toMatchObject({ kind: 'test', status: 'delivered', attempts: 1 });
    expect(log.body.deliveries[0].attemptsLog[0]).toMatchObject({ outcome: 'delivered', statusCode: 200 });
    const again = await call('POST', `/v1/deliveries/${log.body.deliveries[0].id}/redeliver`);
    expect(again.status).toBe(202);
    await sender.runOnce();
    expect(hook.requests).toHaveLength(2);
    expect(hook.requests[1]!.headers['webhook-id']).toBe(hook.requests[0]!.headers['webhook-id']);

    expect((await call('DELETE', `/v1/subscriptions/${id}`)).status).toBe(204);
    expect((await call('GET', `/v1/subscriptions/${id}`)).status).toBe(404);
  });

  it.each([
    [{ channel: 'webhook', url: 'http://169.254.169.254/' }, /169\.254\.169\.254/],
    [{ channel: 'webhook', url: 'https://10.1.2.3/hook' }, /10\.1\.2\.3 \(private\)/],
    [{ channel: 'email', url: 'https://example.com/' }, /url: an email URL is mailto:\/\/user:password@smtp\.example\.com… or mailtos:\/\//],
    [{ channel: 'sms', url: 'https://example.com/' }, /channel/],
    [{ channel: 'slack', url: 'https://hooks.slack.com/x', filters: { kinds: ['nope'] } }, /filters\.kinds\.0/],
    [{ channel: 'slack', url: 'https://hooks.slack.com/x', filters: { topN: 0 } }, /filters\.topN/],
    [{ channel: 'slack', url: 'https://hooks.slack.com/x', filters: { color: 'red' } }, /color/],
    [{ channel: 'slack', url: 'https://hooks.slack.com/x', mode: 'daily', timezone: 'Mars/Olympus' }, /timezone: an IANA time zone/],
  ])('refuses %j with a clear 400', async (body, message) => {
    const refused = await call('POST', '/v1/subscriptions', body);
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(message);
  });

  it('previews a filter over stored history: how many messages, which', async () => {
    await importTwo(database);
    const preview = await call('POST', '/v1/subscriptions/preview', { filters: { kinds: ['new_leader'] } });
    expect(preview.body).toMatchObject({ messages: 1, events: 1 });
    expect(preview.body.changeSets[0].events[0]).toMatchObject({ kind: 'new_leader', model: 'qwen-max' });
    const none = await call('POST', '/v1/subscriptions/preview', { filters: { countries: ['FR'] } });
    expect(none.body).toMatchObject({ messages: 0, events: 0 });
  });
});
