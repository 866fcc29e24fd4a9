import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { EmbedBuilder, embedLength } from '@discordjs/builders';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.ts';
import { listChangeSets } from '../../src/db/queries.ts';
import { importFile, planImport } from '../../src/ingest/run.ts';
import { DISCORD_LIMITS } from '../../src/notify/channels/discord.ts';
import { Dispatcher } from '../../src/notify/dispatcher.ts';
import { HAVE_SHARED, SHARED } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// The Artificial Analysis captures in ../shared/leaderboards, read in place: the 2026-07-13
// snapshot brings 562 changes, announced when the 07-23 capture confirms them. A test alert shows
// a sample of 20 of them, and a subscription to entries only gets 21: each message says so.
const AA = join(SHARED, 'artificialanalysis/api-v2-data-llms-models');
const BOARD = 'artificialanalysis-intelligence';
const PUBLIC_URL = 'https://rankwatch.test';
const TOKEN = 'test-admin-token-0123456789';
const POLICY = { allowHosts: ['127.0.0.1'] };

interface Receiver {
  url: string;
  bodies: { headers: IncomingHttpHeaders; body: string }[];
  server: Server;
}

async function receiver(): Promise<Receiver> {
  const state: Receiver = { url: '', bodies: [], server: createServer() };
  state.server.on('request', (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      state.bodies.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => state.server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(state.server.address() as AddressInfo).port}/hook`;
  return state;
}

type DiscordBody = { content?: string; embeds: { title: string; url: string; color: number; description?: string; timestamp?: string }[] };
type SlackBody = { text: string; blocks: { type: string; text?: { text: string }; elements?: { text: string }[] }[] };
type WebhookBody = { type: string; data: { changeSets: { totalEvents: number; events: unknown[]; url: string }[] } };

/** Discord's own validators accept every embed, and the message stays within its limits. */
function expectDiscordAccepts(message: DiscordBody): void {
  let total = 0;
  for (const embed of message.embeds) {
    const built = new EmbedBuilder().setTitle(embed.title).setURL(embed.url).setColor(embed.color);
    if (embed.description !== undefined) built.setDescription(embed.description);
    if (embed.timestamp !== undefined) built.setTimestamp(new Date(embed.timestamp));
    total += embedLength(built.data);
  }
  expect(total).toBeLessThanOrEqual(DISCORD_LIMITS.total);
  expect((message.content ?? '').length).toBeLessThanOrEqual(DISCORD_LIMITS.content);
}

const slackText = (body: SlackBody) => body.blocks.flatMap((block) => [block.text?.text ?? '', ...(block.elements ?? []).map((element) => element.text)]).join('\n');

async function until(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting for deliveries');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe.skipIf(!HAVE_SHARED)('alerts that show part of a change set say so (Artificial Analysis, 562 changes, ../shared/leaderboards)', () => {
  let database: TestDatabase;
  let dispatcher: Dispatcher;
  const receivers: Record<'slack' | 'discord' | 'webhook' | 'entries', Receiver> = {} as Record<'slack' | 'discord' | 'webhook' | 'entries', Receiver>;
  const ids: Record<string, number> = {};
  let secret = '';
  let changeSetUrl = '';
  const app = () => createApp({ db: database.db, adminToken: TOKEN, urlPolicy: POLICY });
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await app().request(path, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as { subscription?: { id: number }; secret?: string | null } };
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    for (const name of ['slack', 'discord', 'webhook', 'entries'] as const) receivers[name] = await receiver();
    for (const item of planImport(['2026-07-09', '2026-07-13'].map((day) => join(AA, `${day}.json`)))) await importFile(database.db, BOARD, item);
    const subscribe = async (name: string, channel: string, url: string, filters: object) => {
      const created = await call('POST', '/v1/subscriptions', { channel, url, filters });
      expect(created.status).toBe(201);
      ids[name] = created.body.subscription!.id;
      if (created.body.secret) secret = created.body.secret;
    };
    await subscribe('slack', 'slack', receivers.slack.url, { boards: [BOARD] });
    await subscribe('discord', 'discord', receivers.discord.url, { boards: [BOARD] });
    await subscribe('webhook', 'webhook', receivers.webhook.url, { boards: [BOARD] });
    await subscribe('entries', 'discord', receivers.entries.url, { kinds: ['entered'] });
    dispatcher = new Dispatcher({ database, publicUrl: PUBLIC_URL, allowHosts: POLICY.allowHosts, timeoutMs: 5_000, retrySchedule: [50] });
    // The 07-23 capture confirms the 562 changes of 07-13: every subscription gets that change set.
    for (const item of planImport([join(AA, '2026-07-23.json')])) await importFile(database.db, BOARD, item);
    const [set] = (await listChangeSets(database.db, { board: BOARD, limit: 10 })).filter((candidate) => candidate.capturedAt.startsWith('2026-07-13'));
    expect(set?.summary).toBe('artificialanalysis-intelligence: 21 entered; 537 rank moves; 4 score changes');
    changeSetUrl = `${PUBLIC_URL}/v1/changes/${set!.id}`;
    await dispatcher.start();
    await until(() => Object.values(receivers).every((state) => state.bodies.length >= 1));
    await dispatcher.idle();
  });
  afterAll(async () => {
    await dispatcher?.stop();
    for (const state of Object.values(receivers)) await new Promise((resolve) => state.server.close(resolve));
    await database?.drop();
  });

  it('a subscription to entries gets the 21 entries and is told they are 21 of 562 events, matching its filters', () => {
    const message = JSON.parse(receivers.entries.bodies[0]!.body) as DiscordBody;
    expectDiscordAccepts(message);
    const lines = message.embeds[0]!.description!.split('\n');
    expect(lines.filter((line) => line.startsWith('• '))).toHaveLength(21);
    expect(lines.at(-1)).toBe(`…showing 21 of 562 events (those matching this subscription’s filters): [full change set](${changeSetUrl})`);
  });

  it('the whole change set, cut to fit a chat message, ends with "…and N more" (it carries all 562: nothing to explain)', () => {
    const discord = JSON.parse(receivers.discord.bodies[0]!.body) as DiscordBody;
    expectDiscordAccepts(discord);
    const shown = discord.embeds[0]!.description!.split('\n').filter((line) => line.startsWith('• ')).length;
    expect(discord.embeds[0]!.description!.endsWith(`…and ${562 - shown} more: [full change set](${changeSetUrl})`)).toBe(true);
    const webhook = JSON.parse(receivers.webhook.bodies[0]!.body) as WebhookBody;
    expect(webhook.data.changeSets[0]).toMatchObject({ totalEvents: 562, url: changeSetUrl });
    expect(webhook.data.changeSets[0]!.events).toHaveLength(562);
  });

  it('a test alert (POST /v1/subscriptions/:id/test) says it shows 20 of 562 events, on Slack, Discord and the webhook', async () => {
    for (const name of ['slack', 'discord', 'webhook'] as const) expect((await call('POST', `/v1/subscriptions/${ids[name]}/test`)).status).toBe(202);
    await until(() => ['slack', 'discord', 'webhook'].every((name) => receivers[name as 'slack'].bodies.length >= 2));
    await dispatcher.idle();
    const headline = 'Test alert from rankwatch (showing 20 of 562 events): artificialanalysis-intelligence: 21 entered; 537 rank moves; 4 score changes';

    const slack = JSON.parse(receivers.slack.bodies[1]!.body) as SlackBody;
    expect(slack.blocks[0]).toMatchObject({ type: 'header', text: { text: headline } });
    expect(slack.text.split('\n')[0]).toBe(headline);
    expect(slackText(slack)).toContain(`…showing 20 of 562 events (a sample): <${changeSetUrl}|full change set>`);

    const discord = JSON.parse(receivers.discord.bodies[1]!.body) as DiscordBody;
    expectDiscordAccepts(discord);
    expect(discord.content).toBe(`**${headline}**`);
    const lines = discord.embeds[0]!.description!.split('\n');
    expect(lines.filter((line) => line.startsWith('• '))).toHaveLength(20);
    expect(lines.at(-1)).toBe(`…showing 20 of 562 events (a sample): [full change set](${changeSetUrl})`);

    const hook = receivers.webhook.bodies[1]!;
    const payload = new Webhook(secret).verify(hook.body, hook.headers as Record<string, string>) as WebhookBody;
    expect(payload.type).toBe('test.sent');
    expect(payload.data.changeSets[0]).toMatchObject({ totalEvents: 562, url: changeSetUrl });
    expect(payload.data.changeSets[0]!.events).toHaveLength(20);
  });
});
