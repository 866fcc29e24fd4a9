import { EmbedAssertions, EmbedBuilder, embedLength } from '@discordjs/builders';
import { parse } from 'discord-markdown-parser';
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../src/diff/events.ts';
import type { Alert, AlertChangeSet } from '../../src/notify/alert.ts';
import { DISCORD_LIMITS, discordMessage, escapeDiscord } from '../../src/notify/channels/discord.ts';
import { slackMessage } from '../../src/notify/channels/slack.ts';

// Discord payloads checked with Discord's own tools: @discordjs/builders' embed validators (the
// ones discord.js runs before it sends), and a parser of Discord's markdown that shows what a
// client would render: names must come out as plain text, never as formatting.

const CAPTURED = '2026-11-23T14:05:00.000Z';
const BOARD = 'lmarena-text';
const NASTY = ['*gpt*_4_', 'Gemini__x', 'Gemini__y', 'R&D <b>"beta"</b>', '~~strike~~', '||spoiler||', '`code`', '# not a heading', '[click](https://evil.example)', '<@123456789>', 'back\\slash*', 'snake_case_model'];

type Node = ReturnType<typeof parse>[number];

/** The text a Discord client shows for markdown that must render as plain text; throws naming any formatting it would apply. */
function plainText(markdown: string): string {
  const walk = (nodes: Node[]): string =>
    nodes
      .map((node) => {
        if (node.type === 'text') return String(node.content);
        // An emoji renders as itself, and a bare URL as its own text (linked, as any chat client does): not formatting.
        if (node.type === 'twemoji') return String(node.name);
        if (node.type === 'url' && Array.isArray(node.content)) return walk(node.content as Node[]);
        throw new Error(`${JSON.stringify(markdown)} renders as ${node.type}`);
      })
      .join('');
  return walk(parse(markdown, 'extended'));
}

let nextId = 1;
function entered(model: string, rank: number): StoredEvent {
  const id = nextId++;
  return { id, key: `${BOARD}|${CAPTURED}|entered|${model}`, board: BOARD, kind: 'entered', model, name: model, capturedAt: CAPTURED, snapshotId: 7, old: null, new: { rank, score: 1390, scoreLower: null, scoreUpper: null, votes: null, organization: null }, status: 'published', settledAt: CAPTURED };
}

function changeSet(events: StoredEvent[], extra: Partial<AlertChangeSet> = {}): AlertChangeSet {
  return { id: 7, board: BOARD, capturedAt: CAPTURED, summary: `${BOARD}: ${events.length} entered`, bulkRemoval: false, methodologyChanged: false, url: 'https://rankwatch.example/v1/changes/7', events, ...extra };
}

const alertOf = (changeSets: AlertChangeSet[], type: Alert['type'] = 'change_set.published'): Alert => ({ id: 'msg_1', type, timestamp: CAPTURED, changeSets });

type Embed = { title: string; url: string; color: number; description?: string; timestamp?: string };

/** Builds each embed with @discordjs/builders, whose setters throw on anything Discord refuses, and checks the message totals. */
function expectDiscordAccepts(message: ReturnType<typeof discordMessage>): Embed[] {
  const embeds = message.embeds as Embed[];
  expect(embeds.length).toBeLessThanOrEqual(DISCORD_LIMITS.embeds);
  if (message.content !== undefined) expect(message.content.length).toBeLessThanOrEqual(DISCORD_LIMITS.content);
  let total = 0;
  for (const embed of embeds) {
    const built = new EmbedBuilder().setTitle(embed.title).setURL(embed.url).setColor(embed.color);
    if (embed.description !== undefined) built.setDescription(embed.description);
    if (embed.timestamp !== undefined) built.setTimestamp(new Date(embed.timestamp));
    EmbedAssertions.titlePredicate.parse(embed.title);
    EmbedAssertions.descriptionPredicate.parse(embed.description ?? null);
    total += embedLength(built.data);
  }
  expect(total).toBeLessThanOrEqual(DISCORD_LIMITS.total);
  return embeds;
}

describe('Discord markdown escaping (Discord’s own escapeMarkdown, checked with a Discord markdown parser)', () => {
  it.each(NASTY)('%s renders as exactly that text', (name) => {
    expect(plainText(escapeDiscord(name))).toBe(name);
  });

  it('two names each escaped on their own still render as plain text side by side (no __ pairing across them)', () => {
    expect(plainText(`${escapeDiscord('Gemini__x')} passes ${escapeDiscord('Gemini__y')}`)).toBe('Gemini__x passes Gemini__y');
    expect(plainText(`${escapeDiscord('a*')}${escapeDiscord('*b')}`)).toBe('a**b');
  });

  it('unescaped, the same names would render as formatting (so the check above can fail)', () => {
    expect(() => plainText('*gpt*_4_')).toThrow(/renders as em/);
    expect(() => plainText('Gemini__x passes Gemini__y')).toThrow(/renders as u/);
  });

  it('embed titles are escaped: a summary naming *gpt*_4_ and Gemini__x shows as written, and Discord accepts the embed', () => {
    const events = [entered('*gpt*_4_', 3), entered('Gemini__x', 4), entered('Gemini__y', 5)];
    const summary = `${BOARD}: new #1 *gpt*_4_; Gemini__x and Gemini__y entered; R&D <b> too`;
    const message = discordMessage(alertOf([changeSet(events, { summary })]));
    const [embed] = expectDiscordAccepts(message);
    expect(embed!.title).not.toBe(summary);
    expect(plainText(embed!.title)).toBe(summary);
    const lines = embed!.description!.split('\n');
    expect(lines.map((line) => plainText(line))).toEqual(events.map((event) => `• ${event.name} enters ${BOARD} at #${event.kind === 'entered' ? event.new.rank : '?'} with 1390`));
  });

  it('a title cut to 256 characters is cut before the escaping, never inside an escape, and still renders as plain text', () => {
    const summary = `${BOARD}: ${'*gpt*_4_ '.repeat(60)}`;
    const [embed] = expectDiscordAccepts(discordMessage(alertOf([changeSet([entered('m', 1)], { summary })])));
    expect(embed!.title.length).toBeLessThanOrEqual(DISCORD_LIMITS.title);
    expect(embed!.title.endsWith('…')).toBe(true);
    expect(summary.startsWith(plainText(embed!.title).slice(0, -1))).toBe(true);
  });

  it('every nasty name at once, in every event line and the digest content: all plain text, all accepted by Discord', () => {
    const sets = NASTY.map((name, i) => ({ ...changeSet([entered(name, i + 1)], { summary: `${BOARD}: ${name} entered` }), id: 100 + i, url: `https://rankwatch.example/v1/changes/${100 + i}` }));
    const alert: Alert = { ...alertOf(sets, 'digest.published'), title: 'daily digest, *2026*-11-23 __UTC__' };
    const message = discordMessage(alert);
    const embeds = expectDiscordAccepts(message);
    expect(embeds.map((embed) => plainText(embed.title))).toEqual(NASTY.slice(0, 10).map((name) => `${BOARD}: ${name} entered`));
    for (const [i, embed] of embeds.entries()) expect(plainText(embed.description!)).toBe(`• ${NASTY[i]} enters ${BOARD} at #${i + 1} with 1390`);
    // The content: the bold headline, then links to the two change sets left over.
    expect(message.content).toContain('daily digest, \\*2026\\*-11-23 \\_\\_UTC\\_\\_');
  });
});

describe('messages that show a subset say so', () => {
  const many = Array.from({ length: 20 }, (_, i) => entered(`model-${i}`, i + 1));

  it('a test alert with a sample of 20 of 562 events says so in its headline and after its events (Discord and Slack)', () => {
    const alert = alertOf([changeSet(many, { totalEvents: 562 })], 'test.sent');
    const discord = discordMessage(alert);
    const [embed] = expectDiscordAccepts(discord);
    expect(discord.content).toMatch(/^\*\*Test alert from rankwatch \(showing 20 of 562 events\): /);
    expect(embed!.description!.split('\n').at(-1)).toBe('…showing 20 of 562 events (a sample): [full change set](https://rankwatch.example/v1/changes/7)');
    const slack = slackMessage(alert);
    expect((slack.blocks[0] as { text: { text: string } }).text.text).toMatch(/^Test alert from rankwatch \(showing 20 of 562 events\): /);
    expect(slack.text).toMatch(/^Test alert from rankwatch \(showing 20 of 562 events\): /);
    expect(JSON.stringify(slack.blocks)).toContain('…showing 20 of 562 events (a sample): <https://rankwatch.example/v1/changes/7|full change set>');
  });

  it('a subscription’s filtered alert says it shows the events matching its filters, of how many', () => {
    const alert = alertOf([changeSet(many.slice(0, 3), { totalEvents: 562 })]);
    const [embed] = expectDiscordAccepts(discordMessage(alert));
    expect(embed!.description!.split('\n').at(-1)).toBe('…showing 3 of 562 events (those matching this subscription’s filters): [full change set](https://rankwatch.example/v1/changes/7)');
  });

  it('an alert carrying the whole change set adds nothing, and a test of a whole small change set says no "of"', () => {
    const whole = discordMessage(alertOf([changeSet(many, { totalEvents: 20 })]));
    expect(whole.embeds.length).toBe(1);
    expect(JSON.stringify(whole)).not.toMatch(/showing|more/);
    const test = discordMessage(alertOf([changeSet(many.slice(0, 2), { totalEvents: 2 })], 'test.sent'));
    expect(test.content).toMatch(/^\*\*Test alert from rankwatch: /);
  });
});
