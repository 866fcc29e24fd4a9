import type { Alert, AlertChangeSet } from '../alert.ts';
import { JSON_HEADERS, judgeHttp, maskLastSegment, type HttpChannel } from './adapter.ts';
import { alertHeadline, boardSummary, cutNotice, eventLines, fitLines, flagNotes, isMulti, isSubset, moreText, truncate, truncateEscaped } from '../text.ts';

/**
 * Slack's limits for a message with blocks (blocks, section and header text), and three of ours:
 * Slack rejects messages whose blocks add up to roughly 12,000–13,000 characters
 * (`msg_blocks_too_long`, undocumented), so all block text together stays under `totalText`;
 * the context line stays under `contextText`; the top-level `text` under `fallbackText`, the
 * length Slack recommends for it.
 */
export const SLACK_LIMITS = {
  blocks: 50,
  sectionText: 3000,
  headerText: 150,
  contextText: 2000,
  totalText: 10_000,
  fallbackText: 4000,
} as const;

/** A change set is only shown when it can have at least this much text (else it joins "…and N more change sets"). */
const MIN_CHANGE_SET_TEXT = 600;
/** Text kept back for the closing "…and N more change sets" section. */
const OVERFLOW_TEXT = 1000;

/** `&`, `<` and `>` as Slack wants them in mrkdwn text (the only three it decodes). */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A mrkdwn link `<url|label>`, its label escaped and cut to `maxLabel`. */
export function slackLink(url: string, label: string, maxLabel = 200): string {
  return `<${escapeSlack(url).replace(/\|/g, '%7C')}|${truncateEscaped(label, maxLabel, escapeSlack)}>`;
}

type Block = Record<string, unknown>;

const section = (text: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text } });
const context = (text: string): Block => ({ type: 'context', elements: [{ type: 'mrkdwn', text }] });
const divider = (): Block => ({ type: 'divider' });

/** The characters of text a block carries (what counts against `totalText`). */
function blockText(block: Block): number {
  const text = (block.text as { text?: string } | undefined)?.text ?? '';
  const elements = (block.elements as { text?: string }[] | undefined) ?? [];
  return text.length + elements.reduce((sum, element) => sum + (element.text?.length ?? 0), 0);
}

/**
 * The blocks of one change set within `budget` characters: its summary and flags (the summary
 * left out when the header already shows it whole), its events as bullet lines cut with
 * "…and N more" linking to the full change set, and a context line with the link.
 */
export function changeSetBlocks(changeSet: AlertChangeSet, budget: number, summaryInHeader: boolean, type: Alert['type'] = 'change_set.published'): Block[] {
  const link = context(truncate(`${slackLink(changeSet.url, 'Full change set')} · captured ${changeSet.capturedAt}`, SLACK_LIMITS.contextText));
  let left = budget - blockText(link);

  const flags = flagNotes(changeSet).map((note) => `:warning: *${note.title}:* ${escapeSlack(note.text)}`);
  // The summary gets what the flags and a few event lines leave, at most 1,000 characters.
  const labelMax = Math.max(40, Math.min(1000, left - 300 - flags.join('\n').length - changeSet.url.length));
  const head = [...(summaryInHeader ? [] : [`*${slackLink(changeSet.url, boardSummary(changeSet), labelMax)}*`]), ...flags].join('\n');
  const blocks: Block[] = [];
  if (head) {
    blocks.push(section(truncate(head, SLACK_LIMITS.sectionText)));
    left -= head.length;
  }

  const lines = eventLines(changeSet).map((line) => `• ${escapeSlack(line)}`);
  if (lines.length > 0) {
    const more = (omitted: number) => `${escapeSlack(cutNotice(type, changeSet, lines.length - omitted) ?? moreText(omitted))}: ${slackLink(changeSet.url, 'full change set')}`;
    blocks.push(section(fitLines(lines, Math.min(SLACK_LIMITS.sectionText, Math.max(left, 100)), more, isSubset(changeSet)).text));
  }
  blocks.push(link);
  return blocks;
}

/** The closing section listing the change sets that did not fit, each a link, itself cut to fit. */
function overflowBlock(left: readonly AlertChangeSet[], budget: number): Block {
  const lines = left.map((changeSet) => `• ${slackLink(changeSet.url, boardSummary(changeSet))}`);
  const heading = `*${moreText(left.length, left.length === 1 ? 'change set' : 'change sets')}:*`;
  const listed = fitLines(lines, Math.min(SLACK_LIMITS.sectionText, budget) - heading.length - 1, (omitted) => moreText(omitted));
  return section(`${heading}\n${listed.text}`);
}

/** The plain-text notification line(s): the headline, then each change set's summary in a digest. */
function fallbackText(alert: Alert): string {
  const multi = isMulti(alert);
  const lines = [
    escapeSlack(alertHeadline(alert)),
    ...(multi ? alert.changeSets.map((changeSet) => `• ${escapeSlack(boardSummary(changeSet))}`) : alert.changeSets.map((changeSet) => changeSet.url)),
  ];
  return fitLines(lines, SLACK_LIMITS.fallbackText, (omitted) => moreText(omitted)).text;
}

/**
 * An alert as a Slack message: Block Kit `blocks` and the plain-text `text` Slack shows in
 * notifications. Layout: a header (the board and summary, or the digest's title); per change set
 * a section with its summary and flags, a section of event lines, and a context link to the
 * change set, with dividers between change sets. Events that do not fit end with "…and N more"
 * linking to the full change set; change sets that do not fit (blocks or text) are listed, as far
 * as they fit, in a closing "…and N more change sets" section. Stays within SLACK_LIMITS.
 */
export function slackMessage(alert: Alert): { text: string; blocks: object[] } {
  const headline = alertHeadline(alert);
  const header = truncate(headline, SLACK_LIMITS.headerText);
  const blocks: Block[] = [{ type: 'header', text: { type: 'plain_text', text: header, emoji: true } }];
  const multi = isMulti(alert);
  const changeSets = alert.changeSets;
  if (changeSets.length === 0) return { text: fallbackText(alert), blocks: [...blocks, section('No changes.')] };

  // Each change set takes up to 4 blocks (divider, summary, events, link); one is kept for the overflow list.
  const perChangeSet = multi ? 4 : 3;
  const budget = SLACK_LIMITS.totalText - header.length;
  const fitting = Math.min(Math.floor((SLACK_LIMITS.blocks - 1) / perChangeSet), Math.floor(budget / MIN_CHANGE_SET_TEXT));
  const shown = changeSets.length <= fitting ? changeSets.length : Math.min(fitting, Math.floor((budget - OVERFLOW_TEXT) / MIN_CHANGE_SET_TEXT));
  const left = changeSets.slice(shown);
  const share = Math.floor((budget - (left.length ? OVERFLOW_TEXT : 0)) / Math.max(shown, 1));

  for (const [index, changeSet] of changeSets.slice(0, shown).entries()) {
    if (multi && index > 0) blocks.push(divider());
    blocks.push(...changeSetBlocks(changeSet, share, !multi && header === headline, alert.type));
  }
  if (left.length > 0) {
    blocks.push(divider());
    blocks.push(overflowBlock(left, OVERFLOW_TEXT));
  }
  return { text: fallbackText(alert), blocks };
}

/** Slack's answers (with a 4xx) that mean the incoming webhook is gone for good. */
const SLACK_GONE = ['no_service', 'channel_not_found', 'channel_is_archived', 'invalid_token', 'no_team', 'team_disabled'];

/** A Slack incoming webhook: Block Kit messages, about one a second per webhook. */
export const slack = {
  signed: false,
  paceMs: 1_000,
  acceptUrl: (url) => url,
  /** The webhook's last path segment is its secret. */
  showUrl: maskLastSegment,
  render: (alert, target) => ({ url: new URL(target.url), headers: { ...JSON_HEADERS }, body: JSON.stringify(slackMessage(alert)) }),
  judge: (response, now) =>
    judgeHttp(response, now, ({ statusCode }, snippet) => ({ gone: SLACK_GONE.includes(snippet) ? `Slack answered ${statusCode} ${snippet}: the webhook is gone` : null })),
} satisfies HttpChannel;
