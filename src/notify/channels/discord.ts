import { escapeMarkdown } from '@discordjs/formatters';
import type { StoredEvent } from '../../diff/events.ts';
import { InvalidInputError } from '../../errors.ts';
import type { Alert, AlertChangeSet } from '../alert.ts';
import { JSON_HEADERS, judgeHttp, maskLastSegment, type HttpChannel } from './adapter.ts';
import { alertHeadline, boardSummary, cutNotice, eventLines, fitLines, flagNotes, isMulti, isSubset, moreText, truncate, truncateEscaped } from '../text.ts';

/** Discord's limits for one message with embeds (`total`: all embed text together; `content`: the message text). */
export const DISCORD_LIMITS = {
  embeds: 10,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  total: 6000,
  content: 2000,
} as const;

/** Which way a change set went, for its embed's colour (see changeSetDirection). */
export type Direction = 'up' | 'down' | 'neutral' | 'methodology';

/** Embed colours: green up, red down, grey neutral, blue for a methodology change. */
export const DISCORD_COLORS: Record<Direction, number> = {
  up: 0x2eb67d,
  down: 0xe01e5a,
  neutral: 0x95a5a6,
  methodology: 0x3498db,
};

/** One Discord embed as rankwatch builds it. */
export interface DiscordEmbed {
  title: string;
  url: string;
  color: number;
  description?: string;
  timestamp?: string;
}

/**
 * Text (a model's name, a summary) that Discord must show as written, never as markdown: Discord's
 * own `escapeMarkdown` (bold, italics, underline, strikethrough, spoilers, code, headings, lists),
 * and a backslash before `[ ] < >`, so a name can neither open a masked link nor form a mention,
 * channel or timestamp tag. Escape each piece of text as a whole: pairs such as `__` are
 * recognised within it.
 */
export function escapeDiscord(text: string): string {
  return escapeMarkdown(text, { heading: true, bulletedList: true, numberedList: true, maskedLink: false }).replace(/[[\]<>]/g, '\\$&');
}

/** A URL safe inside a masked link `[label](url)`. */
function linkUrl(url: string): string {
  return url.replace(/\(/g, '%28').replace(/\)/g, '%29').replace(/ /g, '%20');
}

/**
 * +1 when an event is good news for a model, -1 when bad, 0 when it has no direction:
 * a rise, an entry, a price cut and a recovered scrape are up; a fall, an exit, a price rise, a
 * failing scrape and a quarantined capture are down; score and gap moves (whose good direction
 * depends on the board) and a first sighting are neutral. A price change goes by the sum of its
 * input and output percentages.
 */
export function eventDirection(event: StoredEvent): -1 | 0 | 1 {
  switch (event.kind) {
    case 'new_leader':
    case 'entered':
    case 'scrape_recovered':
      return 1;
    case 'exited':
    case 'scrape_failed':
    case 'snapshot_quarantined':
      return -1;
    case 'rank_changed': {
      const from = event.old.rank;
      const to = event.new.rank;
      return from === to ? 0 : to < from ? 1 : -1;
    }
    case 'price_changed': {
      const change = (event.data.percentInput ?? 0) + (event.data.percentOutput ?? 0);
      return change < 0 ? 1 : change > 0 ? -1 : 0;
    }
    default:
      return 0;
  }
}

/**
 * A change set's direction, for its colour. In order: a methodology change is `methodology`
 * (its moves reflect the new method); a new #1 is `up`; otherwise the events' directions
 * (eventDirection) are summed — exits of a bulk removal left out, as they are probably not real —
 * and a positive sum is `up`, a negative one `down`, zero `neutral`.
 */
export function changeSetDirection(changeSet: AlertChangeSet): Direction {
  if (changeSet.methodologyChanged) return 'methodology';
  if (changeSet.events.some((event) => event.kind === 'new_leader')) return 'up';
  const sum = changeSet.events
    .filter((event) => !(changeSet.bulkRemoval && event.kind === 'exited'))
    .reduce((total, event) => total + eventDirection(event), 0);
  return sum > 0 ? 'up' : sum < 0 ? 'down' : 'neutral';
}

/** The text of an embed Discord counts against the 6,000-character total. */
export function embedLength(embed: DiscordEmbed): number {
  return embed.title.length + (embed.description?.length ?? 0);
}

/** Room kept in a description for at least the "…and N more" line. */
const MIN_DESCRIPTION = 160;

/**
 * One change set as an embed within `budget` characters: the board and summary as the title
 * (linking to the change set; the whole summary repeated in the description when the title had
 * to cut it and it fits), the flags in words, then one bullet line per event, cut with
 * "…and N more" and a link to the full change set. Coloured by changeSetDirection.
 */
export function changeSetEmbed(changeSet: AlertChangeSet, budget: number, type: Alert['type'] = 'change_set.published'): DiscordEmbed {
  const summary = boardSummary(changeSet);
  // Embed titles render markdown too: a model called `*gpt*_4_` must not turn the title italic.
  const title = truncateEscaped(summary, Math.min(DISCORD_LIMITS.title, budget - MIN_DESCRIPTION), escapeDiscord);
  let left = Math.min(DISCORD_LIMITS.description, budget - title.length);

  const notes = flagNotes(changeSet);
  // The intro lines share what is left beyond room for the events; the whole summary is repeated
  // (when the title had to cut it) only if it fits in its share.
  const share = (lines: number) => Math.max(0, Math.floor((left - MIN_DESCRIPTION) / Math.max(lines, 1)) - 1);
  const fullSummary = escapeDiscord(summary);
  const repeat = title !== fullSummary && fullSummary.length <= share(notes.length + 1);
  const introMax = share(notes.length + (repeat ? 1 : 0));
  const head = [
    ...(repeat ? [fullSummary] : []),
    ...notes.map((note) => {
      const label = `⚠️ **${note.title}:** `;
      return `${label}${truncateEscaped(note.text, introMax - label.length, escapeDiscord)}`;
    }),
  ].filter((line) => line.length <= introMax);
  left -= head.reduce((sum, line) => sum + line.length + 1, 0);

  const lines = eventLines(changeSet).map((line) => `• ${escapeDiscord(line)}`);
  const more = (omitted: number) => `${escapeDiscord(cutNotice(type, changeSet, lines.length - omitted) ?? moreText(omitted))}: [full change set](${linkUrl(changeSet.url)})`;
  const events = fitLines(lines, left, more, isSubset(changeSet)).text;
  const description = [...head, ...(events ? [events] : [])].join('\n');
  return {
    title,
    url: changeSet.url,
    color: DISCORD_COLORS[changeSetDirection(changeSet)],
    ...(description ? { description } : {}),
    timestamp: changeSet.capturedAt,
  };
}

/** The message text: the digest's (or test's) headline and the change sets left out for want of embeds. */
function messageContent(alert: Alert, left: readonly AlertChangeSet[]): string | undefined {
  const lines: string[] = [];
  if (isMulti(alert) || alert.type === 'test.sent') lines.push(`**${truncateEscaped(alertHeadline(alert), 500, escapeDiscord)}**`);
  if (left.length > 0) {
    const heading = `${moreText(left.length, left.length === 1 ? 'change set' : 'change sets')} not shown:`;
    lines.push(heading);
    const links = left.map((changeSet) => `• [${truncateEscaped(boardSummary(changeSet), 120, escapeDiscord)}](<${linkUrl(changeSet.url)}>)`);
    const used = lines.reduce((sum, line) => sum + line.length + 1, 0);
    lines.push(fitLines(links, DISCORD_LIMITS.content - used, (omitted) => moreText(omitted)).text);
  }
  return lines.length ? truncate(lines.join('\n'), DISCORD_LIMITS.content) : undefined;
}

/**
 * An alert as a Discord webhook message: one embed per change set (at most 10; the rest named in
 * `content` as "…and N more change sets not shown" with their links), each coloured by its
 * direction, the 6,000 characters of embed text shared equally between the embeds. A digest or a
 * test alert gets its headline in `content`. Mentions are never parsed (`allowed_mentions`), so
 * a model called "@everyone" pings nobody.
 */
export function discordMessage(alert: Alert): { content?: string; embeds: object[]; allowed_mentions: { parse: [] } } {
  const shown = alert.changeSets.slice(0, DISCORD_LIMITS.embeds);
  const left = alert.changeSets.slice(DISCORD_LIMITS.embeds);
  const share = Math.floor(DISCORD_LIMITS.total / Math.max(shown.length, 1));
  const embeds = shown.map((changeSet) => changeSetEmbed(changeSet, share, alert.type));
  const content = messageContent(alert, left) ?? (embeds.length === 0 ? truncate(alertHeadline(alert), DISCORD_LIMITS.content) : undefined);
  return { ...(content ? { content } : {}), embeds, allowed_mentions: { parse: [] } };
}

/** Discord's error codes that mean the webhook is gone: Unknown Webhook, Invalid Webhook Token. */
const DISCORD_GONE = [10015, 50027];

/**
 * A Discord webhook: embeds, sent with `?wait=true` so a refused message is answered with an error
 * (not a silent 204). Discord's JSON errors name a deleted webhook; a 429 may give its wait in the body.
 */
export const discord = {
  signed: false,
  paceMs: 0,
  acceptUrl: (url) => {
    if (url.searchParams.has('wait')) throw new InvalidInputError('url', 'leave out ?wait=…: rankwatch adds ?wait=true itself so failures surface');
    return url;
  },
  /** The webhook's token (its last path segment) is its secret. */
  showUrl: maskLastSegment,
  render: (alert, target) => {
    const url = new URL(target.url);
    url.searchParams.set('wait', 'true');
    return { url, headers: { ...JSON_HEADERS }, body: JSON.stringify(discordMessage(alert)) };
  },
  judge: (response, now) =>
    judgeHttp(response, now, ({ statusCode, body }) => {
      let parsed: { code?: unknown; message?: unknown; retry_after?: unknown };
      try {
        parsed = JSON.parse(body) as typeof parsed;
      } catch {
        // Not JSON: judged by the status alone.
        return {};
      }
      if (parsed === null || typeof parsed !== 'object') return {};
      const gone = typeof parsed.code === 'number' && DISCORD_GONE.includes(parsed.code);
      return {
        gone: gone ? `Discord answered ${statusCode} ${typeof parsed.message === 'string' ? parsed.message : String(parsed.code)}: the webhook is gone` : null,
        retryAfterMs: statusCode === 429 && typeof parsed.retry_after === 'number' ? Math.round(parsed.retry_after * 1000) : null,
      };
    }),
} satisfies HttpChannel;
