// Telegram and ntfy alerts through the real Dispatcher to receivers on loopback that check every
// payload against the documented limits (Telegram: 4,096 characters of text after entity parsing;
// ntfy: a 4,096-byte message, a 1 KB title, 512 bytes of tags), answer as the real services do,
// and record when each request came.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { load } from 'cheerio';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deliveries, subscriptions } from '../../src/db/schema.ts';
import { MAX_PARTS } from '../../src/notify/channels/adapter.ts';
import { Dispatcher } from '../../src/notify/dispatcher.ts';
import { createSubscription, listDeliveries, redeliver } from '../../src/notify/subscriptions.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { e, capture, importTwo } from '../support/delivery.ts';

const POLICY = { allowHosts: ['127.0.0.1'] };
const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** A receiver on loopback: checks and records every request, answers as told (in order, then `fallback`). */
interface Receiver {
  base: string;
  requests: { at: number; path: string; headers: IncomingHttpHeaders; body: string; problems: string[] }[];
  server: Server;
}

async function receiver(check: (body: string) => string[], answers: Answer[], fallback: Answer): Promise<Receiver> {
  const state: Receiver = { base: '', requests: [], server: createServer() };
  const queue = [...answers];
  state.server.on('request', (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      state.requests.push({ at: Date.now(), path: request.url ?? '', headers: request.headers, body, problems: check(body) });
      const answer = queue.shift() ?? fallback;
      response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      response.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => state.server.listen(0, '127.0.0.1', resolve));
  state.base = `127.0.0.1:${(state.server.address() as AddressInfo).port}`;
  return state;
}

/** What the Bot API would refuse in a sendMessage body (empty when it would take it). */
function telegramProblems(raw: string): string[] {
  const body = JSON.parse(raw) as { chat_id?: unknown; text?: unknown; parse_mode?: unknown; link_preview_options?: unknown };
  const problems: string[] = [];
  if (typeof body.text !== 'string') return ['no text'];
  const shown = load(body.text, null, false).text();
  if (shown.trim().length === 0 || shown.length > 4096) problems.push(`text of ${shown.length} characters after entity parsing`);
  if (body.text.length > 4096) problems.push(`raw text of ${body.text.length} characters`);
  if (body.parse_mode !== 'HTML') problems.push('parse_mode is not HTML');
  if (typeof body.chat_id !== 'number' && typeof body.chat_id !== 'string') problems.push('no chat_id');
  return problems;
}

/** What ntfy would refuse (or turn into an attachment) in a JSON publish. */
function ntfyProblems(raw: string): string[] {
  const body = JSON.parse(raw) as { topic?: unknown; title?: unknown; message?: unknown; tags?: unknown; priority?: unknown };
  const problems: string[] = [];
  if (typeof body.topic !== 'string' || !/^[-_A-Za-z0-9]{1,64}$/.test(body.topic)) problems.push('topic');
  if (typeof body.message !== 'string' || Buffer.byteLength(body.message) > 4096) problems.push('message over 4,096 bytes');
  if (typeof body.title !== 'string' || Buffer.byteLength(body.title) > 1024) problems.push('title over 1 KB');
  if (!Array.isArray(body.tags) || Buffer.byteLength(body.tags.join(',')) > 512) problems.push('tags over 512 bytes');
  if (![1, 2, 3, 4, 5].includes(body.priority as number)) problems.push('priority');
  return problems;
}

const TELEGRAM_OK: Answer = { status: 200, body: '{"ok":true,"result":{"message_id":1}}' };
const NTFY_OK: Answer = { status: 200, body: '{"id":"abc","event":"message"}' };




/** Two snapshots: `count` models enter (a change set too long for one Telegram message or one ntfy message). */
async function importMany(database: TestDatabase, count: number): Promise<void> {
  const base = [e('gpt-4o', 1, 1400), e('claude-3.5-sonnet', 2, 1390, 'Anthropic')];
  await capture(database, '2025-01-01', base);
  const newcomers = Array.from({ length: count }, (_, i) => e(`a-rather-long-model-name-${String(i).padStart(3, '0')}-preview-2026`, 3 + i, 1380 - i, 'Alibaba'));
  await capture(database, '2025-01-08', [...base, ...newcomers]);
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

function dispatcher(): Dispatcher {
  const created = new Dispatcher({ database, publicUrl: 'https://rankwatch.test', allowHosts: POLICY.allowHosts, timeoutMs: 5_000, retrySchedule: [50, 50, 50, 50] });
  dispatchers.push(created);
  return created;
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const subscriptionRow = async (id: number) => (await database.db.select().from(subscriptions).where(eq(subscriptions.id, id)))[0]!;

describe('Telegram through the dispatcher', () => {
  const apiUrl = (base: string, chat = '-1001234567890') => `http://${base}/bot${TOKEN}/sendMessage?chat_id=${chat}`;

  it('delivers a new #1 as one sendMessage (HTML, within the limits) to the bot’s method URL; the API shows the token masked', async () => {
    const bot = await receiver(telegramProblems, [], TELEGRAM_OK);
    servers.push(bot.server);
    const { subscription, secret } = await createSubscription(database.db, { channel: 'telegram', url: `${apiUrl(bot.base)}&message_thread_id=7`, filters: { kinds: ['new_leader'] } }, POLICY);
    expect(secret).toBeNull();
    expect(subscription.url).toBe(`http://${bot.base}/bot123456789:****/sendMessage?chat_id=-1001234567890&message_thread_id=7`);
    await importTwo(database);
    const sender = dispatcher();
    await sender.start();
    await until(async () => (await listDeliveries(database.db, subscription.id, 10))[0]?.status === 'delivered');
    expect(bot.requests).toHaveLength(1);
    const [request] = bot.requests;
    expect(request!.path).toBe(`/bot${TOKEN}/sendMessage`);
    expect(request!.problems).toEqual([]);
    const body = JSON.parse(request!.body) as { chat_id: number; message_thread_id: number; text: string; link_preview_options: unknown };
    expect(body).toMatchObject({ chat_id: -1001234567890, message_thread_id: 7, parse_mode: 'HTML', link_preview_options: { is_disabled: true } });
    expect(load(body.text, null, false).text()).toMatch(/^lmarena-text: .*\n• qwen-max takes #1 on lmarena-text/);
  });

  it('a 500 is retried and then delivered', async () => {
    const bot = await receiver(telegramProblems, [{ status: 500, body: '{"ok":false,"error_code":500,"description":"Internal Server Error"}' }], TELEGRAM_OK);
    servers.push(bot.server);
    const { subscription } = await createSubscription(database.db, { channel: 'telegram', url: apiUrl(bot.base), filters: { kinds: ['new_leader'] } }, POLICY);
    await importTwo(database);
    const sender = dispatcher();
    await sender.start();
    await until(async () => (await listDeliveries(database.db, subscription.id, 10))[0]?.status === 'delivered');
    const [delivery] = await listDeliveries(database.db, subscription.id, 10);
    expect(delivery!.attemptsLog.map((attempt) => `${attempt.outcome} ${attempt.statusCode}`)).toEqual(['failed 500', 'delivered 200']);
    expect(bot.requests[1]!.body).toBe(bot.requests[0]!.body);
  });

  it('a 429 waits as long as parameters.retry_after says: the next attempt comes no sooner than 2 s later', async () => {
    const bot = await receiver(telegramProblems, [{ status: 429, body: '{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 2","parameters":{"retry_after":2}}' }], TELEGRAM_OK);
    servers.push(bot.server);
    await createSubscription(database.db, { channel: 'telegram', url: apiUrl(bot.base), filters: { kinds: ['new_leader'] } }, POLICY);
    await importTwo(database);
    const sender = dispatcher();
    await sender.start();
    await until(() => bot.requests.length >= 2);
    expect(bot.requests[1]!.at - bot.requests[0]!.at).toBeGreaterThanOrEqual(2_000);
  });

  it('"bot was blocked by the user" disables the subscription with Telegram’s words', async () => {
    const bot = await receiver(telegramProblems, [], { status: 403, body: '{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}' });
    servers.push(bot.server);
    const { subscription } = await createSubscription(database.db, { channel: 'telegram', url: apiUrl(bot.base), filters: { kinds: ['new_leader'] } }, POLICY);
    await importTwo(database);
    const sender = dispatcher();
    await sender.start();
    await until(async () => (await subscriptionRow(subscription.id)).enabled === false);
    expect((await subscriptionRow(subscription.id)).disabledReason).toBe('Telegram answered 403 Forbidden: bot was blocked by the user: the bot can no longer post in this chat');
    expect(bot.requests).toHaveLength(1);
  });

  it('a long alert goes in parts, paced; a 429 on part 2 makes the retry send parts 2 and 3 on, never part 1 again', async () => {
    const bot = await receiver(telegramProblems, [TELEGRAM_OK, { status: 429, body: '{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1","parameters":{"retry_after":1}}' }], TELEGRAM_OK);
    servers.push(bot.server);
    // No DNS here: api.telegram.org "resolves" to a public address (nothing connects to it).
    const telegramDns = async () => [{ address: '149.154.167.220', family: 4 }];
    const { subscription } = await createSubscription(database.db, { url: `tgram://${TOKEN}/-1001234567890`, filters: { kinds: ['entered'] } }, { ...POLICY, lookup: telegramDns });
    // tgram:// always means api.telegram.org: the stored URL is pointed at the receiver, as the API form with the allow-list.
    expect(subscription).toMatchObject({ channel: 'telegram', url: 'https://api.telegram.org/bot123456789:****/sendMessage?chat_id=-1001234567890' });
    await database.db.update(subscriptions).set({ url: apiUrl(bot.base) }).where(eq(subscriptions.id, subscription.id));
    await importMany(database, 180);
    const sender = dispatcher();
    await sender.start();
    await until(async () => (await listDeliveries(database.db, subscription.id, 10))[0]?.status === 'delivered', 30_000);
    const texts = bot.requests.map((request) => (JSON.parse(request.body) as { text: string }).text);
    for (const request of bot.requests) expect(request.problems).toEqual([]);
    // The parts: the first attempt's first (taken) and second (refused), then the retry's.
    const parts = [texts[0]!, ...texts.slice(2)];
    expect(parts.length).toBeGreaterThanOrEqual(3);
    expect(parts.length).toBeLessThanOrEqual(MAX_PARTS);
    expect(texts[1]).toBe(texts[2]);
    expect(texts.filter((text) => text === texts[0])).toHaveLength(1);
    expect(new Set(parts).size).toBe(parts.length);
    // Paced: about a second between parts of one message to one chat, and the retry after retry_after.
    for (let i = 1; i < bot.requests.length; i += 1) expect(bot.requests[i]!.at - bot.requests[i - 1]!.at).toBeGreaterThanOrEqual(950);
    const [delivery] = await listDeliveries(database.db, subscription.id, 10);
    expect(delivery!.attemptsLog.map((attempt) => `${attempt.outcome} ${attempt.statusCode}`)).toEqual(['failed 429', 'delivered 200']);
    expect(delivery!.attemptsLog[0]!.error).toMatch(new RegExp(`^part 2 of ${parts.length}: HTTP 429`));
    const [row] = await database.db.select().from(deliveries).where(eq(deliveries.id, delivery!.id));
    expect(row!.partsSent).toBe(0);
    // Every newcomer is in a part, or counted in the last part's "…and N more".
    const shown = parts.join('\n').split('\n').filter((line) => line.startsWith('• ')).length;
    const more = Number(/…and (\d+) more: <a href="https:\/\/rankwatch\.test\/v1\/changes\/\d+">full change set<\/a>$/.exec(parts.at(-1)!)?.[1] ?? 0);
    expect(shown + more).toBe(180);
  }, 60_000);

  it('a message in parts that died at part 2, redelivered, sends part 2 on: part 1 never twice', async () => {
    const bot = await receiver(telegramProblems, [TELEGRAM_OK, { status: 500, body: '{"ok":false,"error_code":500,"description":"Internal Server Error"}' }], TELEGRAM_OK);
    servers.push(bot.server);
    const { subscription } = await createSubscription(database.db, { channel: 'telegram', url: apiUrl(bot.base), filters: { kinds: ['entered'] } }, POLICY);
    await importMany(database, 180);
    // No retries: the first failure is final.
    const sender = new Dispatcher({ database, publicUrl: 'https://rankwatch.test', allowHosts: POLICY.allowHosts, timeoutMs: 5_000, retrySchedule: [] });
    dispatchers.push(sender);
    await sender.start();
    await until(async () => (await listDeliveries(database.db, subscription.id, 10))[0]?.status === 'dead');
    expect(bot.requests).toHaveLength(2);
    const [dead] = await listDeliveries(database.db, subscription.id, 10);
    await redeliver(database.db, dead!.id);
    await until(async () => (await listDeliveries(database.db, subscription.id, 10))[0]?.status === 'delivered', 30_000);
    const texts = bot.requests.map((request) => (JSON.parse(request.body) as { text: string }).text);
    expect(texts.length).toBeGreaterThanOrEqual(4);
    expect(texts[2]).toBe(texts[1]);
    expect(texts.filter((text) => text === texts[0])).toHaveLength(1);
  }, 60_000);
});

describe('ntfy through the dispatcher', () => {
  it('publishes JSON to the server’s root with the Apprise URL’s credentials (Basic, or a Bearer token), within ntfy’s limits; the API shows the topic masked', async () => {
    const server = await receiver(ntfyProblems, [], NTFY_OK);
    servers.push(server.server);
    const basic = await createSubscription(database.db, { url: `ntfy://alice:s3cr%40t@${server.base}/rankwatch-alerts`, filters: { kinds: ['entered'] } }, POLICY);
    const bearer = await createSubscription(database.db, { channel: 'ntfy', url: `http://${server.base}/rankwatch-tokens?token=tk_AgQdq7mVBoFD37zQVN29RhuMzNIz2`, filters: { kinds: ['entered'] } }, POLICY);
    expect(basic.subscription).toMatchObject({ channel: 'ntfy', url: `http://${server.base}/ran****` });
    expect(JSON.stringify([basic, bearer])).not.toMatch(/s3cr|tk_Ag/);
    await importMany(database, 180);
    const sender = dispatcher();
    await sender.start();
    await until(() => server.requests.length >= 2);
    await sender.idle();
    expect(server.requests).toHaveLength(2);
    for (const request of server.requests) {
      expect(request.path).toBe('/');
      expect(request.problems).toEqual([]);
    }
    const byTopic = Object.fromEntries(server.requests.map((request) => [(JSON.parse(request.body) as { topic: string }).topic, request]));
    expect(byTopic['rankwatch-alerts']!.headers.authorization).toBe(`Basic ${Buffer.from('alice:s3cr@t').toString('base64')}`);
    expect(byTopic['rankwatch-tokens']!.headers.authorization).toBe('Bearer tk_AgQdq7mVBoFD37zQVN29RhuMzNIz2');
    const body = JSON.parse(byTopic['rankwatch-alerts']!.body) as { title: string; message: string; priority: number; tags: string[]; click: string };
    expect(body.title).toMatch(/^lmarena-text: /);
    expect(body.click).toMatch(/^https:\/\/rankwatch\.test\/v1\/changes\/\d+$/);
    expect(body.tags).toEqual(['chart_with_upwards_trend', 'lmarena-text']);
    expect(body.priority).toBe(3);
    // Far too long for one message: cut, saying how many were left out, linking the change set.
    expect(body.message.split('\n').at(-1)).toMatch(new RegExp(`^…and \\d+ more: ${body.click.replace(/\./g, '\\.')}$`));
  });

  it('waiting out the 5 s pace holds the batch’s claim: a second dispatcher never sends again a delivery sent or waiting its turn', async () => {
    const server = await receiver(ntfyProblems, [], NTFY_OK);
    servers.push(server.server);
    const { subscription } = await createSubscription(database.db, { channel: 'ntfy', url: `http://${server.base}/rankwatch-alerts`, filters: { kinds: ['new_leader'] } }, POLICY);
    const [a, b, c] = [(rank: number) => e('gpt-4o', rank, 1400 - rank), (rank: number) => e('claude-3.5-sonnet', rank, 1400 - rank, 'Anthropic'), (rank: number) => e('qwen-max', rank, 1400 - rank, 'Alibaba')];
    await capture(database, '2025-01-01', [a(1), b(2), c(3)]);
    await capture(database, '2025-01-02', [b(1), a(2), c(3)]);
    await capture(database, '2025-01-03', [c(1), b(2), a(3)]);
    await capture(database, '2025-01-04', [a(1), c(2), b(3)]);
    await capture(database, '2025-01-05', [b(1), c(2), a(3)]);
    await capture(database, '2025-01-06', [c(1), a(2), b(3)]);
    // One batch of five to one topic: the fifth waits ~20 s for its turn, past the batch's
    // claim (5 × (1.5 s + 1 s) + 5 s); the other dispatcher polls for due rows all along.
    const options = { database, publicUrl: 'https://rankwatch.test', allowHosts: POLICY.allowHosts, timeoutMs: 1_500, retrySchedule: [50, 50] };
    const first = new Dispatcher(options);
    const second = new Dispatcher(options);
    dispatchers.push(first, second);
    await first.start();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await second.start();
    await until(async () => (await listDeliveries(database.db, subscription.id, 10)).every((delivery) => delivery.status === 'delivered'), 30_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const sent = await listDeliveries(database.db, subscription.id, 10);
    expect(sent.map((delivery) => delivery.attemptsLog.length)).toEqual([1, 1, 1, 1, 1]);
    expect(server.requests).toHaveLength(5);
    for (let i = 1; i < 5; i += 1) expect(server.requests[i]!.at - server.requests[i - 1]!.at).toBeGreaterThanOrEqual(4_900);
  }, 60_000);

  it('a new #1 is high priority with a trophy; a 500 is retried and then delivered', async () => {
    const server = await receiver(ntfyProblems, [{ status: 500, body: '{"code":50001,"http":500,"error":"internal server error"}' }], NTFY_OK);
    servers.push(server.server);
    const { subscription } = await createSubscription(database.db, { channel: 'ntfy', url: `http://${server.base}/rankwatch-alerts`, filters: { kinds: ['new_leader'] } }, POLICY);
    await importTwo(database);
    const sender = dispatcher();
    await sender.start();
    await until(async () => (await listDeliveries(database.db, subscription.id, 10))[0]?.status === 'delivered', 20_000);
    const [delivery] = await listDeliveries(database.db, subscription.id, 10);
    expect(delivery!.attemptsLog.map((attempt) => `${attempt.outcome} ${attempt.statusCode}`)).toEqual(['failed 500', 'delivered 200']);
    expect(JSON.parse(server.requests[1]!.body)).toMatchObject({ topic: 'rankwatch-alerts', priority: 4, tags: ['trophy', 'chart_with_upwards_trend', 'lmarena-text'] });
    expect(server.requests[1]!.headers).not.toHaveProperty('authorization');
  }, 30_000);

  it('a 429 with Retry-After: 7 is honoured (longer than the 5 s pace): the next attempt comes no sooner', async () => {
    const server = await receiver(ntfyProblems, [{ status: 429, headers: { 'retry-after': '7' }, body: '{"code":42901,"http":429,"error":"limit reached: too many requests, please be nice"}' }], NTFY_OK);
    servers.push(server.server);
    await createSubscription(database.db, { channel: 'ntfy', url: `http://${server.base}/rankwatch-alerts`, filters: { kinds: ['new_leader'] } }, POLICY);
    await importTwo(database);
    const sender = dispatcher();
    await sender.start();
    await until(() => server.requests.length >= 2, 20_000);
    expect(server.requests[1]!.at - server.requests[0]!.at).toBeGreaterThanOrEqual(7_000);
  }, 30_000);

  it('a 403 (credentials refused) disables the subscription, saying so', async () => {
    const server = await receiver(ntfyProblems, [], { status: 403, body: '{"code":40301,"http":403,"error":"forbidden","link":"https://ntfy.sh/docs/publish/#authentication"}' });
    servers.push(server.server);
    const { subscription } = await createSubscription(database.db, { url: `ntfy://tk_AgQdq7mVBoFD37zQVN29RhuMzNIz2@${server.base}/rankwatch-alerts`, filters: { kinds: ['new_leader'] } }, POLICY);
    await importTwo(database);
    const sender = dispatcher();
    await sender.start();
    await until(async () => (await subscriptionRow(subscription.id)).enabled === false);
    expect((await subscriptionRow(subscription.id)).disabledReason).toMatch(/^ntfy answered 403 forbidden: the server refused to let rankwatch publish to this topic/);
    expect(server.requests).toHaveLength(1);
  });
});
