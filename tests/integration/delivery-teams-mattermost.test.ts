import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { subscriptions } from '../../src/db/schema.ts';
import { MATTERMOST_LIMITS, type MattermostMessage } from '../../src/notify/channels/mattermost.ts';
import { TEAMS_CARD_VERSION, TEAMS_LIMITS } from '../../src/notify/channels/teams.ts';
import { Dispatcher } from '../../src/notify/dispatcher.ts';
import { createSubscription, listDeliveries } from '../../src/notify/subscriptions.ts';
import { adaptiveCardProblems } from '../support/adaptive-cards.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { importTwo } from '../support/delivery.ts';

// Teams workflows and Mattermost hooks played by real HTTP receivers on loopback (allow-listed),
// alerts sent by the real dispatcher: each payload is checked against the channel's documented
// shape and limits, and each kind of answer against what it does to the delivery and subscription.

const POLICY = { allowHosts: ['127.0.0.1'] };
const SIG = 'KODuebWbDGYFr0z0eu-6Rj8aUKz7108W3wrNJZxFE5A';
const KEY = 'yobjmukpaw3r3urc5h6i369yim';

/** A receiver on loopback: records every request, answers as told (in order, then `fallback`). */
interface Receiver {
  origin: string;
  requests: { at: number; path: string; headers: IncomingHttpHeaders; body: string }[];
  answers: { status: number; headers?: Record<string, string>; body?: string }[];
  server: Server;
}

async function receiver(answers: Receiver['answers'] = [], fallback: Receiver['answers'][number] = { status: 200, body: 'ok' }): Promise<Receiver> {
  const state: Receiver = { origin: '', requests: [], answers: [...answers], server: createServer() };
  state.server.on('request', (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      state.requests.push({ at: Date.now(), path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      const answer = state.answers.shift() ?? fallback;
      response.writeHead(answer.status, answer.headers ?? {});
      response.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => state.server.listen(0, '127.0.0.1', resolve));
  state.origin = `http://127.0.0.1:${(state.server.address() as AddressInfo).port}`;
  return state;
}

/** A workflow trigger's URL on a receiver, as Teams gives it. */
const workflowUrl = (hook: Receiver) => `${hook.origin}/workflows/643e69f83c8944438d68119179a10a64/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${SIG}`;
/** A Mattermost hook's URL on a receiver, as Mattermost gives it. */
const hookUrl = (hook: Receiver) => `${hook.origin}/hooks/${KEY}`;



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

/** A Teams request as Microsoft documents it: JSON, one Adaptive Card Microsoft's library accepts, within the size kept. */
function expectTeamsPayload(request: Receiver['requests'][number]): { body: { text: string }[]; actions: { url: string }[] } {
  expect(request.headers['content-type']).toBe('application/json');
  expect(Buffer.byteLength(request.body)).toBeLessThanOrEqual(TEAMS_LIMITS.bytes);
  const message = JSON.parse(request.body) as { type: string; attachments: { contentType: string; contentUrl: null; content: { version: string; body: { text: string }[]; actions: { url: string }[] } }[] };
  expect(message.type).toBe('message');
  expect(message.attachments).toHaveLength(1);
  expect(message.attachments[0]).toMatchObject({ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: { type: 'AdaptiveCard', version: TEAMS_CARD_VERSION, msteams: { width: 'Full' } } });
  expect(adaptiveCardProblems(message.attachments[0]!.content)).toEqual([]);
  return message.attachments[0]!.content;
}

/** A Mattermost request as its incoming webhooks take it: JSON, Slack-shaped, within one post. */
function expectMattermostPayload(request: Receiver['requests'][number]): MattermostMessage {
  expect(request.headers['content-type']).toBe('application/json');
  const message = JSON.parse(request.body) as MattermostMessage;
  expect(typeof message.text).toBe('string');
  const text = message.text.length + (message.attachments ?? []).reduce((sum, attachment) => sum + attachment.title.length + attachment.fallback.length + attachment.text.length, 0);
  expect(text).toBeLessThanOrEqual(MATTERMOST_LIMITS.postText);
  for (const attachment of message.attachments ?? []) expect(Object.keys(attachment).sort()).toEqual(['color', 'fallback', 'text', 'title', 'title_link']);
  return message;
}

describe('Microsoft Teams workflows', () => {
  it('delivers the new #1 as an Adaptive Card to the workflow URL, its signature masked wherever it is shown', async () => {
    const hook = await receiver([], { status: 202 });
    servers.push(hook.server);
    const { subscription } = await createSubscription(database.db, { channel: 'teams', url: workflowUrl(hook), filters: { kinds: ['new_leader'] } }, POLICY);
    expect(subscription.url).toBe(workflowUrl(hook).replace(SIG, '****'));
    const sender = dispatcher();
    await sender.start();
    await importTwo(database);
    await until(() => hook.requests.length >= 1);
    await sender.idle();
    expect(hook.requests).toHaveLength(1);
    expect(hook.requests[0]!.path).toBe(workflowUrl(hook).slice(hook.origin.length));
    const card = expectTeamsPayload(hook.requests[0]!);
    expect(card.body[0]!.text).toMatch(/qwen-max/);
    expect(JSON.stringify(card.body)).toContain('takes #1');
    expect(card.actions[0]!.url).toMatch(/^https:\/\/rankwatch\.test\/v1\/changes\/\d+$/);
    const [delivery] = await listDeliveries(database.db, subscription.id, 10);
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 1, lastStatusCode: 202 });
  });

  it('retries a workflow that answers 500 and delivers on the next attempt', async () => {
    const hook = await receiver([{ status: 500, body: '{"error":{"code":"InternalServerError","message":"try again"}}' }], { status: 202 });
    servers.push(hook.server);
    const { subscription } = await createSubscription(database.db, { channel: 'teams', url: workflowUrl(hook), filters: { kinds: ['new_leader'] } }, POLICY);
    await importTwo(database);
    const sender = dispatcher();
    await sender.start();
    await until(async () => (await listDeliveries(database.db, subscription.id, 10))[0]?.status === 'delivered');
    expect(hook.requests).toHaveLength(2);
    expect(hook.requests[1]!.body).toBe(hook.requests[0]!.body);
    const [delivery] = await listDeliveries(database.db, subscription.id, 10);
    expect(delivery!.attemptsLog.map((attempt) => `${attempt.outcome} ${attempt.statusCode}`)).toEqual(['failed 500', 'delivered 202']);
  });

  it('honours Retry-After on a 429: the next attempt comes no sooner than 2 s later', async () => {
    const hook = await receiver([{ status: 429, headers: { 'retry-after': '2' }, body: '{"error":{"code":"WorkflowRequestsThrottled","message":"Rate limit is exceeded."}}' }], { status: 202 });
    servers.push(hook.server);
    await createSubscription(database.db, { channel: 'teams', url: workflowUrl(hook), filters: { kinds: ['new_leader'] } }, POLICY);
    await importTwo(database);
    const sender = dispatcher();
    await sender.start();
    await until(() => hook.requests.length >= 2, 15_000);
    expect(hook.requests[1]!.at - hook.requests[0]!.at).toBeGreaterThanOrEqual(2_000);
  });

  it.each([
    [404, '{"error":{"code":"WorkflowNotFound","message":"The workflow could not be found."}}', 'Teams workflow answered 404 WorkflowNotFound (The workflow could not be found.): the workflow or its trigger is gone, turned off or refuses this URL'],
    [400, `{"error":{"code":"WorkflowTriggerIsNotEnabled","message":"Could not execute workflow '643e69f8' trigger 'manual' with state 'Disabled': trigger is not enabled."}}`, "Teams workflow answered 400 WorkflowTriggerIsNotEnabled (Could not execute workflow '643e69f8' trigger 'manual' with state 'Disabled': trigger is not enabled.)"],
    [401, '{"error":{"code":"DirectApiInvalidAuthorizationSignature","message":"The provided authorization signature is not valid."}}', 'Teams workflow answered 401 DirectApiInvalidAuthorizationSignature'],
  ])('a %i %s disables the subscription with the reason, and nothing is retried', async (status, body, reason) => {
    const hook = await receiver([{ status, headers: { 'content-type': 'application/json' }, body }]);
    servers.push(hook.server);
    const { subscription } = await createSubscription(database.db, { channel: 'teams', url: workflowUrl(hook) }, POLICY);
    await importTwo(database);
    const sender = dispatcher();
    await sender.start();
    await until(async () => (await database.db.select().from(subscriptions).where(eq(subscriptions.id, subscription.id)))[0]?.enabled === false);
    await sender.idle();
    const [row] = await database.db.select().from(subscriptions).where(eq(subscriptions.id, subscription.id));
    expect(row!.disabledReason).toContain(reason);
    expect(row!.disabledReason).not.toContain(SIG);
    // Two change sets were queued: the second is cancelled, never sent.
    expect(hook.requests).toHaveLength(1);
    const deliveries = await listDeliveries(database.db, subscription.id, 10);
    expect(deliveries.map((delivery) => delivery.status).sort()).toEqual(['cancelled', 'cancelled']);
  });
});

describe('Mattermost incoming webhooks', () => {
  it('delivers to the hook URL as Mattermost gives it: markdown text and one attachment', async () => {
    const hook = await receiver();
    servers.push(hook.server);
    const { subscription } = await createSubscription(database.db, { channel: 'mattermost', url: hookUrl(hook), filters: { kinds: ['new_leader'] } }, POLICY);
    expect(subscription.url).toBe(`${hook.origin}/hooks/****`);
    const sender = dispatcher();
    await sender.start();
    await importTwo(database);
    await until(() => hook.requests.length >= 1);
    await sender.idle();
    expect(hook.requests).toHaveLength(1);
    expect(hook.requests[0]!.path).toBe(`/hooks/${KEY}`);
    const message = expectMattermostPayload(hook.requests[0]!);
    expect(message.text).toMatch(/^\*\*lmarena-text: .*qwen-max/);
    expect(message.attachments).toHaveLength(1);
    expect(message.attachments![0]!.text).toContain('takes #1');
    expect(message.attachments![0]!.title_link).toMatch(/^https:\/\/rankwatch\.test\/v1\/changes\/\d+$/);
    expect(message).not.toHaveProperty('channel');
  });

  it('an Apprise mmost:// URL with a bot name and two channels: one post each, and a retry resumes at the channel not yet posted to', async () => {
    const hook = await receiver([{ status: 200, body: 'ok' }, { status: 500, body: 'store failed' }]);
    servers.push(hook.server);
    const port = new URL(hook.origin).port;
    const { subscription } = await createSubscription(database.db, { url: `mmost://rankwatch@127.0.0.1:${port}/${KEY}?channel=town-square,@ana`, filters: { kinds: ['new_leader'] } }, POLICY);
    expect(subscription).toMatchObject({ channel: 'mattermost', url: `${hook.origin}/hooks/****?channel=town-square%2C%40ana&username=rankwatch` });
    await importTwo(database);
    const sender = dispatcher();
    await sender.start();
    await until(async () => (await listDeliveries(database.db, subscription.id, 10))[0]?.status === 'delivered');
    const bodies = hook.requests.map((request) => expectMattermostPayload(request));
    expect(hook.requests.map((request) => request.path)).toEqual([`/hooks/${KEY}`, `/hooks/${KEY}`, `/hooks/${KEY}`]);
    expect(bodies.map((body) => `${body.channel} ${body.username}`)).toEqual(['town-square rankwatch', '@ana rankwatch', '@ana rankwatch']);
    const [delivery] = await listDeliveries(database.db, subscription.id, 10);
    expect(delivery!.attemptsLog.map((attempt) => `${attempt.outcome} ${attempt.statusCode} ${attempt.error ?? ''}`.trim())).toEqual(['failed 500 part 2 of 2: HTTP 500: store failed', 'delivered 200']);
  });

  it('honours X-Ratelimit-Reset on a 429 without Retry-After: the next attempt comes no sooner than 2 s later', async () => {
    const hook = await receiver([{ status: 429, headers: { 'x-ratelimit-limit': '10', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '2' }, body: 'limit exceeded\n' }]);
    servers.push(hook.server);
    const { subscription } = await createSubscription(database.db, { channel: 'mattermost', url: hookUrl(hook), filters: { kinds: ['new_leader'] } }, POLICY);
    await importTwo(database);
    const sender = dispatcher();
    await sender.start();
    await until(() => hook.requests.length >= 2, 15_000);
    expect(hook.requests[1]!.at - hook.requests[0]!.at).toBeGreaterThanOrEqual(2_000);
    await until(async () => (await listDeliveries(database.db, subscription.id, 10))[0]?.status === 'delivered');
  });

  it.each([
    [400, '{"id":"web.incoming_webhook.invalid.app_error","message":"Invalid webhook.","detailed_error":"","request_id":"k3b1ghsw5ig8mkeqg1yz7jgaxr","status_code":400}', 'Mattermost answered 400 web.incoming_webhook.invalid.app_error (Invalid webhook.): the webhook is gone'],
    [501, '{"id":"web.incoming_webhook.disabled.app_error","message":"Incoming webhooks have been disabled by the system admin.","status_code":501}', 'incoming webhooks are turned off on the server'],
    [403, '{"id":"web.incoming_webhook.permissions.app_error","message":"Inappropriate channel permissions.","status_code":403}', "the webhook's owner may no longer post in the channel"],
  ])('a %i %s disables the subscription with the reason', async (status, body, reason) => {
    const hook = await receiver([{ status, headers: { 'content-type': 'application/json' }, body }]);
    servers.push(hook.server);
    const { subscription } = await createSubscription(database.db, { channel: 'mattermost', url: hookUrl(hook), filters: { kinds: ['new_leader'] } }, POLICY);
    await importTwo(database);
    const sender = dispatcher();
    await sender.start();
    await until(async () => (await database.db.select().from(subscriptions).where(eq(subscriptions.id, subscription.id)))[0]?.enabled === false);
    const [row] = await database.db.select().from(subscriptions).where(eq(subscriptions.id, subscription.id));
    expect(row!.disabledReason).toContain(reason);
    expect(hook.requests).toHaveLength(1);
    const [delivery] = await listDeliveries(database.db, subscription.id, 10);
    expect(delivery).toMatchObject({ status: 'cancelled', attempts: 1, lastStatusCode: status });
  });
});
