import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import type { EventKind, StoredEvent } from '../../src/diff/events.ts';
import type { Alert, AlertChangeSet } from '../../src/notify/alert.ts';
import { changeSetDirection, DISCORD_COLORS, DISCORD_LIMITS, discordMessage, escapeDiscord, type Direction } from '../../src/notify/channels/discord.ts';
import { escapeSlack, SLACK_LIMITS, slackMessage } from '../../src/notify/channels/slack.ts';
import { fitLines, moreText, truncate, truncateEscaped } from '../../src/notify/text.ts';
import { generateWebhookSecret, signWebhook, webhookBody, webhookPayload } from '../../src/notify/channels/webhook.ts';

// ---------------------------------------------------------------------------------------------
// Sample alerts, built by hand with events shaped as the diff engine stores them.

const CAPTURED = '2026-11-23T14:05:00.000Z';
let nextEventId = 1;

function stored(board: string, kind: EventKind, fields: Partial<StoredEvent>): StoredEvent {
  const model = fields.model === undefined ? 'model' : fields.model;
  return {
    id: nextEventId++,
    key: `${board}/${kind}/${model ?? 'board'}`,
    board,
    capturedAt: CAPTURED,
    snapshotId: 42,
    status: 'published',
    settledAt: '2026-11-23T14:35:00.000Z',
    kind,
    model,
    name: model,
    old: null,
    new: null,
    ...fields,
  } as StoredEvent;
}

const newLeader = (board: string, model = 'gemini-2.5-pro', name = 'Gemini-2.5-Pro') =>
  stored(board, 'new_leader', {
    model,
    name,
    old: { rank: 2 },
    new: { rank: 1, score: 1467 },
    data: { previousLeaders: ['gpt-5'], sharedWith: [], significant: true, margin: 3.2, passed: ['gpt-5'] },
  });
const rankMove = (board: string, model: string, from: number, to: number, significant: boolean | null = true) =>
  stored(board, 'rank_changed', {
    model,
    name: model,
    old: { rank: from },
    new: { rank: to },
    data: { delta: from - to, significant, margin: significant ? 2.5 : -1, passed: significant === null ? [] : ['claude-opus-4'] },
  });
const priceChange = (board: string, model: string, from: [number, number], to: [number, number], percent: [number, number]) =>
  stored(board, 'price_changed', {
    model,
    name: model,
    old: { priceInput: from[0], priceOutput: from[1] },
    new: { priceInput: to[0], priceOutput: to[1] },
    data: { percentInput: percent[0], percentOutput: percent[1] },
  });
const entered = (board: string, model: string, rank: number) =>
  stored(board, 'entered', { model, name: model, new: { rank, score: 1390, scoreLower: 1384, scoreUpper: 1396, votes: 5210, organization: null } });
const exited = (board: string, model: string, rank: number) =>
  stored(board, 'exited', { model, name: model, old: { rank, score: 1301, scoreLower: 1290, scoreUpper: 1312, votes: 15840, organization: null } });
const gapMove = (board: string) =>
  stored(board, 'gap_changed', {
    model: null,
    name: 'US–China',
    old: { leader: 'US', points: 24.3, percent: 1.7, bestUS: 'gemini-2.5-pro', bestChina: 'deepseek-r1', insideIntervals: false },
    new: { leader: 'US', points: 12.1, percent: 0.8, bestUS: 'gemini-2.5-pro', bestChina: 'qwen3-max', insideIntervals: true },
    data: { countries: ['US', 'China'], leadChanged: false, movedPercent: 0.9, thresholdPercent: 0.5 },
  });

function changeSet(id: number, board: string, events: StoredEvent[], extra: Partial<AlertChangeSet> = {}): AlertChangeSet {
  return {
    id,
    board,
    capturedAt: CAPTURED,
    summary: `${board}: ${events.length} changes`,
    bulkRemoval: false,
    methodologyChanged: false,
    url: `https://rankwatch.example/v1/changes/${id}`,
    events,
    ...extra,
  };
}

function alertOf(changeSets: AlertChangeSet[], extra: Partial<Alert> = {}): Alert {
  return { id: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', type: changeSets.length > 1 ? 'digest.published' : 'change_set.published', timestamp: CAPTURED, changeSets, ...extra };
}

/** 500 events: a new #1, then rank moves, prices, entries and exits, in display order. */
function bigChangeSet(id = 7, board = 'lmarena-text'): AlertChangeSet {
  const events = [newLeader(board)];
  for (let i = 0; events.length < 500; i++) {
    const model = `model-${String(i).padStart(3, '0')}`;
    if (i % 10 === 3) events.push(priceChange(board, model, [0.45, 2.15], [0.4, 1.75], [-11.11, -18.6]));
    else if (i % 10 === 7) events.push(exited(board, model, 100 + i));
    else events.push(rankMove(board, model, 10 + i, 11 + i, i % 2 === 0));
  }
  return changeSet(id, board, events, { summary: `${board}: new #1 Gemini-2.5-Pro; 449 rank moves (225 significant); 50 price changes; 50 exited` });
}

/** A digest of `count` change sets, each flagged, with a long summary and 50 events: the worst case for the limits. */
function heavyDigest(count: number): Alert {
  const sets = Array.from({ length: count }, (_, i) => {
    const board = `board-${i}`;
    const events = Array.from({ length: 50 }, (__, j) => rankMove(board, `a-rather-long-model-name-${j}-preview-2026-11-23`, j + 3, j + 2));
    return changeSet(300 + i, board, events, { summary: `${board}: ${'methodology changed (added style control); '.repeat(8)}50 rank moves`, bulkRemoval: true, methodologyChanged: true });
  });
  return alertOf(sets, { type: 'digest.published', title: `weekly digest, ${'very long title '.repeat(12)}` });
}

/** All mrkdwn/plain text strings of a Slack block. */
function slackTexts(block: object): string[] {
  const b = block as { text?: { text: string }; elements?: { text: string }[] };
  return [...(b.text ? [b.text.text] : []), ...(b.elements ?? []).map((element) => element.text)];
}

const bullets = (text: string) => text.split('\n').filter((line) => line.startsWith('• ')).length;

type Embed = { title: string; description?: string; color: number; url: string; fields?: { name: string; value: string }[]; footer?: { text: string } };
const embedText = (embed: Embed) =>
  embed.title.length + (embed.description?.length ?? 0) + (embed.footer?.text.length ?? 0) + (embed.fields ?? []).reduce((sum, field) => sum + field.name.length + field.value.length, 0);

/** Every per-message and per-embed limit Discord enforces. */
function expectWithinDiscordLimits(message: { content?: string; embeds: object[] }): void {
  const embeds = message.embeds as Embed[];
  expect(embeds.length).toBeLessThanOrEqual(DISCORD_LIMITS.embeds);
  expect((message.content ?? '').length).toBeLessThanOrEqual(DISCORD_LIMITS.content);
  expect(embeds.reduce((sum, embed) => sum + embedText(embed), 0)).toBeLessThanOrEqual(DISCORD_LIMITS.total);
  for (const embed of embeds) {
    expect(embed.title.length).toBeLessThanOrEqual(DISCORD_LIMITS.title);
    expect((embed.description ?? '').length).toBeLessThanOrEqual(DISCORD_LIMITS.description);
    expect((embed.fields ?? []).length).toBeLessThanOrEqual(DISCORD_LIMITS.fields);
    for (const field of embed.fields ?? []) {
      expect(field.name.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldName);
      expect(field.value.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldValue);
    }
  }
}

// ---------------------------------------------------------------------------------------------

describe('text helpers', () => {
  it.each<[string, number, string]>([
    ['abcdef', 6, 'abcdef'],
    ['abcdef', 4, 'abc…'],
    ['abcdef', 1, '…'],
    ['a😀b', 3, 'a…'], // never half a surrogate pair
    ['😀😀', 3, '😀…'],
  ])('truncate(%j, %i) = %j', (text, max, expected) => {
    expect(truncate(text, max)).toBe(expected);
  });

  it('truncateEscaped never cuts an escape sequence in half', () => {
    const out = truncateEscaped('a & b & c & d', 12, escapeSlack);
    expect(out.length).toBeLessThanOrEqual(12);
    expect(out).toBe('a &amp; b …');
  });

  it.each<[number, string, number]>([
    [100, 'one\ntwo\nthree\nfour', 0],
    [15, 'one\n…and 3 more', 3],
    [19, 'one\ntwo\n…and 2 more', 2],
    [11, '…and 4 more', 4],
  ])('fitLines within %i characters', (max, text, omitted) => {
    const fitted = fitLines(['one', 'two', 'three', 'four'], max, (n) => moreText(n));
    expect(fitted).toEqual({ text, shown: 4 - omitted, omitted });
    expect(fitted.text.length).toBeLessThanOrEqual(max);
  });
});

describe('slackMessage', () => {
  it('keeps an alert of 500 events within 50 blocks and 3,000 characters a section, ending with "…and N more" and the link', () => {
    const big = bigChangeSet();
    const message = slackMessage(alertOf([big]));
    expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    const header = message.blocks[0] as { type: string; text: { type: string; text: string } };
    expect(header.type).toBe('header');
    expect(header.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
    expect(header.text.text).toContain('lmarena-text: new #1 Gemini-2.5-Pro');
    for (const block of message.blocks) for (const text of slackTexts(block)) expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    expect(message.blocks.flatMap(slackTexts).join('').length).toBeLessThanOrEqual(SLACK_LIMITS.totalText);

    const events = message.blocks.flatMap(slackTexts).find((text) => text.startsWith('• '));
    expect(events).toBeDefined();
    const shown = bullets(events!);
    expect(shown).toBeGreaterThan(10);
    expect(events!.endsWith(`…and ${500 - shown} more: <${big.url}|full change set>`)).toBe(true);
    expect(events!).toContain('• Gemini-2.5-Pro takes #1 on lmarena-text (was #2) (significant: clear of the confidence intervals)');
    // The link to the full change set is also always there as context.
    expect(message.blocks.some((block) => (block as { type: string }).type === 'context' && slackTexts(block)[0]!.includes(`<${big.url}|Full change set>`))).toBe(true);
  });

  it('has a plain-text fallback for notifications', () => {
    const message = slackMessage(alertOf([bigChangeSet()]));
    expect(message.text).toContain('lmarena-text: new #1 Gemini-2.5-Pro');
    expect(message.text).toContain('https://rankwatch.example/v1/changes/7');
    expect(message.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);
  });

  it('escapes &, < and > in mrkdwn text, so names cannot inject links or mentions', () => {
    const board = 'aider';
    const sneaky = changeSet(3, board, [rankMove(board, 'A<B> & <!channel>', 5, 3)], { summary: 'aider: 1 rank move for A<B> & <!channel>' });
    const message = slackMessage(alertOf([sneaky, changeSet(4, 'helm', [gapMove('helm')])]));
    const texts = message.blocks.flatMap(slackTexts).join('\n');
    expect(texts).toContain('A&lt;B&gt; &amp; &lt;!channel&gt; rises from #5 to #3 on aider');
    expect(texts).toContain('1 rank move for A&lt;B&gt; &amp; &lt;!channel&gt;');
    expect(texts).not.toContain('<!channel>');
    expect(texts).not.toContain('A<B>');
    expect(message.text).toContain('A&lt;B&gt; &amp; &lt;!channel&gt;');
  });

  it('says a bulk removal and a methodology change in words', () => {
    const board = 'openllm';
    const flagged = changeSet(9, board, [exited(board, 'x', 9)], { bulkRemoval: true, methodologyChanged: true });
    const texts = slackMessage(alertOf([flagged])).blocks.flatMap(slackTexts).join('\n');
    expect(texts).toContain(':warning: *Bulk removal:*');
    expect(texts).toContain(':warning: *Methodology change:*');
  });

  it('cuts a digest of 30 change sets to 50 blocks and lists the rest as "…and N more change sets"', () => {
    const sets = Array.from({ length: 30 }, (_, i) => changeSet(100 + i, `board-${i}`, [rankMove(`board-${i}`, 'gpt-5', 3, 2), entered(`board-${i}`, 'kimi-k2', 4)]));
    const message = slackMessage(alertOf(sets, { type: 'digest.published', title: 'hourly digest, 2026-11-23 14:00–15:00 Europe/Berlin' }));
    expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    expect(slackTexts(message.blocks[0]!)[0]).toBe('hourly digest, 2026-11-23 14:00–15:00 Europe/Berlin: 30 change sets');
    const shown = message.blocks.filter((block) => (block as { type: string }).type === 'context').length;
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(30);
    const overflow = slackTexts(message.blocks.at(-1)!)[0]!;
    expect(overflow.startsWith(`*…and ${30 - shown} more change sets:*`)).toBe(true);
    expect(overflow).toContain(`<https://rankwatch.example/v1/changes/${100 + shown}|board-${shown}: 2 changes>`);
    expect(message.blocks.flatMap(slackTexts).join('').length).toBeLessThanOrEqual(SLACK_LIMITS.totalText);
  });

  it.each([1, 5, 12, 13, 60])('keeps a heavy digest of %i change sets within the limits, every change set shown or counted', (count) => {
    const message = slackMessage(heavyDigest(count));
    expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    expect(slackTexts(message.blocks[0]!)[0]!.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
    for (const block of message.blocks) for (const text of slackTexts(block)) expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    expect(message.blocks.flatMap(slackTexts).join('').length).toBeLessThanOrEqual(SLACK_LIMITS.totalText);
    expect(message.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);
    const shown = message.blocks.filter((block) => (block as { type: string }).type === 'context').length;
    const overflow = slackTexts(message.blocks.at(-1)!)[0]!.match(/^\*…and (\d+) more change sets?:\*/);
    expect(shown + Number(overflow?.[1] ?? 0)).toBe(count);
  });
});

describe('discordMessage', () => {
  it('keeps an alert of 500 events within every Discord limit, ending with "…and N more" and the link', () => {
    const big = bigChangeSet();
    const message = discordMessage(alertOf([big]));
    expectWithinDiscordLimits(message);
    const [embed] = message.embeds as Embed[];
    expect(message.embeds).toHaveLength(1);
    expect(embed!.url).toBe(big.url);
    const description = embed!.description!;
    const shown = bullets(description);
    expect(shown).toBeGreaterThan(10);
    expect(description.endsWith(`…and ${500 - shown} more: [full change set](${big.url})`)).toBe(true);
    expect(description.length).toBeGreaterThan(3500); // uses the room it has
  });

  it.each<[string, AlertChangeSet, Direction]>([
    // A new #1 from #5 pushes four models down one place each: still good news, so still green.
    ['a new #1 that pushes others down', changeSet(1, 'lmarena-text', [newLeader('lmarena-text'), rankMove('lmarena-text', 'gemini-2.5-pro', 5, 1), ...[1, 2, 3, 4].map((rank) => rankMove('lmarena-text', `model-${rank}`, rank, rank + 1))]), 'up'],
    ['rises only', changeSet(2, 'aider', [rankMove('aider', 'gpt-5', 4, 2), rankMove('aider', 'o3', 6, 5), rankMove('aider', 'grok-4', 2, 3)]), 'up'],
    ['exits', changeSet(3, 'swebench', [exited('swebench', 'old-1', 30), exited('swebench', 'old-2', 31)]), 'down'],
    ['price cuts', changeSet(4, 'openrouter', [priceChange('openrouter', 'deepseek-r1', [0.55, 2.19], [0.45, 2.15], [-18.18, -1.83])]), 'up'],
    ['price rises', changeSet(5, 'openrouter', [priceChange('openrouter', 'claude-opus-4', [15, 75], [18, 90], [20, 20])]), 'down'],
    ['a gap move alone', changeSet(6, 'lmarena-text', [gapMove('lmarena-text')]), 'neutral'],
    ['exits of a bulk removal', changeSet(7, 'openllm', [exited('openllm', 'a', 50), exited('openllm', 'b', 51)], { bulkRemoval: true }), 'neutral'],
    ['a methodology change', changeSet(8, 'livebench', [newLeader('livebench')], { methodologyChanged: true }), 'methodology'],
  ])('colours %s by direction', (_, set, direction) => {
    expect(changeSetDirection(set)).toBe(direction);
    const [embed] = discordMessage(alertOf([set])).embeds as Embed[];
    expect(embed!.color).toBe(DISCORD_COLORS[direction]);
  });

  it('gives a rising set and an exits set different colours: green and red', () => {
    const rising = changeSet(1, 'lmarena-text', [newLeader('lmarena-text'), rankMove('lmarena-text', 'o3', 4, 3)]);
    const exits = changeSet(2, 'swebench', [exited('swebench', 'old-1', 30)]);
    const embeds = discordMessage(alertOf([rising, exits])).embeds as Embed[];
    expect(embeds.map((embed) => embed.color)).toEqual([0x2eb67d, 0xe01e5a]);
  });

  it('cuts a digest of 15 change sets to 10 embeds and says how many were left out', () => {
    const sets = Array.from({ length: 15 }, (_, i) => {
      const board = `board-${i}`;
      return changeSet(200 + i, board, Array.from({ length: 40 }, (__, j) => rankMove(board, `model-${j}`, j + 2, j + 1)));
    });
    const message = discordMessage(alertOf(sets, { type: 'digest.published', title: 'daily digest, 2026-11-23' }));
    expectWithinDiscordLimits(message);
    expect(message.embeds).toHaveLength(10);
    expect(message.content).toContain('**daily digest, 2026-11-23: 15 change sets**');
    expect(message.content).toContain('…and 5 more change sets not shown:');
    for (let i = 10; i < 15; i++) expect(message.content).toContain(`(<https://rankwatch.example/v1/changes/${200 + i}>)`);
    for (const embed of message.embeds as Embed[]) expect(embed.description).toMatch(/…and \d+ more: \[full change set\]\(https:\/\/rankwatch\.example\/v1\/changes\/2\d\d\)$/);
  });

  it.each([1, 9, 10, 11, 40])('keeps a heavy digest of %i change sets within every Discord limit, every change set shown or counted', (count) => {
    const message = discordMessage(heavyDigest(count));
    expectWithinDiscordLimits(message);
    const left = Number(message.content?.match(/…and (\d+) more change sets? not shown/)?.[1] ?? 0);
    expect(message.embeds.length + left).toBe(count);
    for (const embed of message.embeds as Embed[]) expect(embed.description).toMatch(/…and \d+ more: \[full change set\]\(https:\/\/rankwatch\.example\/v1\/changes\/\d+\)$/);
  });

  it('never lets model names mention anyone, and escapes their markdown', () => {
    const board = 'lmarena-text';
    const message = discordMessage(alertOf([changeSet(1, board, [entered(board, '@everyone <@1234> gpt_4*turbo', 3)])]));
    expect(message.allowed_mentions).toEqual({ parse: [] });
    const [embed] = message.embeds as Embed[];
    expect(embed!.description).toContain('• @everyone \\<@1234\\> gpt\\_4\\*turbo enters lmarena-text at #3 with 1390');
    // Spoilers and strikethrough need pairs: a lone | or ~ is plain text already (tests/unit/notify-discord.test.ts parses it).
    expect(escapeDiscord('a||b`c~~d[e]')).toBe('a\\|\\|b\\`c\\~\\~d\\[e\\]');
  });

  it('says a bulk removal and a methodology change in words', () => {
    const board = 'openllm';
    const [embed] = discordMessage(alertOf([changeSet(9, board, [exited(board, 'x', 9)], { bulkRemoval: true, methodologyChanged: true })])).embeds as Embed[];
    expect(embed!.description).toContain('⚠️ **Bulk removal:**');
    expect(embed!.description).toContain('⚠️ **Methodology change:**');
  });
});

describe('webhook', () => {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const rotated = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';

  it('carries every change set and every event in the Standard Webhooks shape', () => {
    const alert = alertOf([bigChangeSet()]);
    const body = JSON.parse(webhookBody(alert)) as ReturnType<typeof webhookPayload>;
    expect(Object.keys(body)).toEqual(['type', 'id', 'timestamp', 'data']);
    expect(body).toMatchObject({ type: 'change_set.published', id: alert.id, timestamp: CAPTURED });
    expect(body.data.changeSets[0]!.events).toHaveLength(500);
    expect(body.data.changeSets[0]!.events).toEqual(alert.changeSets[0]!.events);
    expect(webhookPayload(alertOf([], { type: 'digest.published', title: 'hourly digest' })).data).toEqual({ title: 'hourly digest', changeSets: [] });
  });

  it('signs so that the standardwebhooks package verifies the delivery', () => {
    const alert = alertOf([bigChangeSet()]);
    const body = webhookBody(alert);
    const now = new Date();
    const headers = signWebhook([secret], alert.id, now, body);
    expect(headers['webhook-id']).toBe(alert.id);
    expect(headers['webhook-timestamp']).toBe(String(Math.floor(now.getTime() / 1000)));
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('sends both signatures during a rotation, each verifying with its own secret', () => {
    const body = webhookBody(alertOf([changeSet(1, 'aider', [rankMove('aider', 'o3', 3, 2)])]));
    const headers = signWebhook([rotated, secret], 'msg_rotation', new Date(), body);
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(() => new Webhook(secret).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(rotated).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(generateWebhookSecret()).verify(body, headers)).toThrow(WebhookVerificationError);
  });

  it('fails verification for a tampered body', () => {
    const body = webhookBody(alertOf([changeSet(1, 'aider', [rankMove('aider', 'o3', 3, 2)])]));
    const headers = signWebhook([secret], 'msg_tamper', new Date(), body);
    const tampered = body.replace('"rank":2', '"rank":1');
    expect(tampered).not.toBe(body);
    expect(() => new Webhook(secret).verify(tampered, headers)).toThrow(WebhookVerificationError);
  });

  it.each<[string, readonly string[], string]>([
    ['no secret', [], 'msg_1'],
    ['a message id with a full stop', [secret], 'msg.1'],
    ['an empty message id', [secret], ''],
  ])('refuses to sign with %s', (_, secrets, id) => {
    expect(() => signWebhook(secrets, id, new Date(), '{}')).toThrow();
  });

  it('generates whsec_ secrets of 24–32 random bytes that sign and verify', () => {
    const generated = generateWebhookSecret();
    expect(generated).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const bytes = Buffer.from(generated.slice('whsec_'.length), 'base64').length;
    expect(bytes).toBeGreaterThanOrEqual(24);
    expect(bytes).toBeLessThanOrEqual(32);
    expect(generateWebhookSecret()).not.toBe(generated);
    const headers = signWebhook([generated], 'msg_new', new Date(), '{"type":"test"}');
    expect(() => new Webhook(generated).verify('{"type":"test"}', headers)).not.toThrow();
  });
});
