import { describeEvent, plural } from '../diff/describe.ts';
import type { Alert, AlertChangeSet } from './alert.ts';

/** The mark a cut text ends with. */
export const ELLIPSIS = '…';

/**
 * `text` cut to at most `max` UTF-16 code units (what `.length` counts; never fewer than Slack
 * or Discord count), ending with `…` when cut. A surrogate pair is never split.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  let end = max - ELLIPSIS.length;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, Math.max(0, end))}${ELLIPSIS}`;
}

/**
 * `escape(text)` cut to at most `max` characters, cutting the raw text so an escape sequence
 * (`&amp;`, `\*`) is never split in half.
 */
export function truncateEscaped(text: string, max: number, escape: (raw: string) => string): string {
  const whole = escape(text);
  if (whole.length <= max) return whole;
  // The escaped length grows with the raw cut: find the longest cut that still fits.
  let low = 0;
  let high = Math.min(text.length, max);
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (escape(truncate(text, mid)).length <= max) low = mid;
    else high = mid - 1;
  }
  return escape(truncate(text, low));
}

/**
 * Text that a CommonMark renderer (Teams' TextBlocks, Mattermost) must show as written: a
 * backslash before the characters that open emphasis, code, a link, an HTML tag, a table cell or
 * strikethrough (`\ * _ [ ] < ~ | \``), before an `&` that would start an entity (`&amp;`),
 * and before a list, heading or quote marker the text starts with (it may open a list item's
 * content). Escape each piece of text as a whole.
 */
export function escapeCommonMark(text: string): string {
  return text
    .replace(/[\\`*_[\]<~|]/g, '\\$&')
    .replace(/&(?=#?[a-z0-9]+;)/gi, '\\&')
    .replace(/^(\s*)([#>+-])/, '$1\\$2')
    .replace(/^(\s*\d+)([.)])/, '$1\\$2');
}

/** A URL safe inside a markdown link `[label](url)`: the characters that would end it or split it encoded. */
export function markdownLinkUrl(url: string): string {
  return url.replace(/\(/g, '%28').replace(/\)/g, '%29').replace(/ /g, '%20').replace(/</g, '%3C').replace(/>/g, '%3E');
}

/** `&`, `<`, `>`, `"` and `'` as HTML entities: safe in HTML text and attribute values (feeds, email). */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** What `fitLines` kept: the text, how many lines it shows and how many it left out. */
export interface FittedLines {
  text: string;
  shown: number;
  omitted: number;
}

/**
 * As many of `lines` (in order) as fit in `max` characters, joined by newlines; when some do not
 * fit (or always, with `always`), the text ends with the line `more(omitted)` (e.g. `…and 12
 * more: <link>`), counted within `max`. A first line too long on its own is cut rather than
 * dropped. Lines must already be escaped for their channel, so a line is never cut in the middle
 * of its markup.
 */
export function fitLines(lines: readonly string[], max: number, more: (omitted: number) => string, always = false): FittedLines {
  let text = '';
  let shown = 0;
  for (const [index, line] of lines.entries()) {
    const rest = lines.length - index - 1;
    const tail = rest > 0 || always ? `\n${more(rest)}` : '';
    const candidate = shown > 0 ? `${text}\n${line}` : line;
    if (candidate.length + tail.length <= max) {
      text = candidate;
      shown += 1;
      continue;
    }
    if (shown === 0 && max - tail.length > ELLIPSIS.length + 20) {
      // One overlong line: show its start rather than nothing at all.
      text = truncate(line, max - tail.length);
      shown = 1;
      continue;
    }
    break;
  }
  const omitted = lines.length - shown;
  if (omitted > 0 || always) text = shown > 0 ? `${text}\n${more(omitted)}` : more(omitted);
  return { text: truncate(text, max), shown, omitted };
}

/** `…and 12 more` — the start of every cut notice; each channel appends its own link. */
export function moreText(omitted: number, what = ''): string {
  return `${ELLIPSIS}and ${omitted} more${what ? ` ${what}` : ''}`;
}

/** The change set's flags in words (bulk removal, methodology change), one sentence each. */
export function flagNotes(changeSet: Pick<AlertChangeSet, 'bulkRemoval' | 'methodologyChanged'>): { title: string; text: string }[] {
  const notes: { title: string; text: string }[] = [];
  if (changeSet.methodologyChanged) {
    notes.push({
      title: 'Methodology change',
      text: 'the leaderboard changed how its score is computed and recomputed the scores; rank and score moves reflect the new method, not new results.',
    });
  }
  if (changeSet.bulkRemoval) {
    notes.push({
      title: 'Bulk removal',
      text: 'many models left at once while the rest of the board stayed (likely a display filter or a clean-up at the source), so these exits are probably not real.',
    });
  }
  return notes;
}

/** How many events the change set announced: `totalEvents`, never fewer than the alert carries. */
export function totalEvents(changeSet: AlertChangeSet): number {
  return Math.max(changeSet.totalEvents ?? 0, changeSet.events.length);
}

/** Whether the alert carries only some of the change set's events (a subscription's filters, a test's sample). */
export function isSubset(changeSet: AlertChangeSet): boolean {
  return changeSet.events.length < totalEvents(changeSet);
}

/**
 * The line that ends a change set's event list when a message shows `shown` of its events but not
 * all, unescaped, before the channel's link to the full change set: `…and 12 more` when the
 * message had to cut lines of events it carries; `…showing 20 of 562 events (a sample)` when the
 * alert carries only some of the change set's events, saying why. Null when all are shown.
 */
export function cutNotice(type: Alert['type'], changeSet: AlertChangeSet, shown: number): string | null {
  const carried = changeSet.events.length;
  const total = totalEvents(changeSet);
  if (shown >= total) return null;
  if (carried === total) return moreText(total - shown);
  const why = type === 'test.sent' ? 'a sample' : shown < carried ? `${carried} match this subscription’s filters` : 'those matching this subscription’s filters';
  return `${ELLIPSIS}showing ${shown} of ${plural(total, 'event')} (${why})`;
}

/** One plain-English line per event of the change set (describeEvent), unescaped. */
export function eventLines(changeSet: AlertChangeSet): string[] {
  return changeSet.events.map((event) => describeEvent(changeSet.board, event));
}

/** A change set's summary, starting with its board's name (summaries normally already do). */
export function boardSummary(changeSet: AlertChangeSet): string {
  return changeSet.summary.startsWith(changeSet.board) ? changeSet.summary : `${changeSet.board}: ${changeSet.summary}`;
}

/** Whether the alert reads as a list of change sets (a digest, or several at once) rather than one. */
export function isMulti(alert: Alert): boolean {
  return alert.type === 'digest.published' || alert.changeSets.length > 1;
}

/**
 * The alert's one-line headline, unescaped: the digest's title with its count, or the single
 * change set's board and summary; a test alert says so, and how many of the change set's events
 * its sample shows ("showing 20 of 562 events").
 */
export function alertHeadline(alert: Alert): string {
  const [only] = alert.changeSets;
  const base = isMulti(alert)
    ? `${alert.title ?? 'rankwatch digest'}: ${plural(alert.changeSets.length, 'change set')}`
    : only
      ? boardSummary(only)
      : 'no changes';
  if (alert.type !== 'test.sent') return base;
  // A test shows a sample of the newest change set: say so up front, where a cut header keeps it.
  const sample = only && !isMulti(alert) && isSubset(only) ? ` (showing ${only.events.length} of ${plural(totalEvents(only), 'event')})` : '';
  return `Test alert from rankwatch${sample}: ${base}`;
}

/** What `fitWhole` kept: the lines (the notice last, when there is one) and how many it left out. */
export interface FittedWhole {
  lines: string[];
  omitted: number;
}

/**
 * As many of `lines` (in order) as fit in `max`, joined by newlines, then the line `more(omitted)`
 * when some were left out (or always, with `always`). Unlike fitLines a line is never cut, only
 * left out whole, so markup (a tag, an entity) is never split; the notice itself is left out
 * only when it cannot fit at all. `measure` counts a text: characters by default, or UTF-8
 * bytes for a channel that limits bytes (each newline counts 1).
 */
export function fitWhole(lines: readonly string[], max: number, more: (omitted: number) => string, always = false, measure: (text: string) => number = (text) => text.length): FittedWhole {
  const kept: string[] = [];
  let used = -1;
  for (const [index, line] of lines.entries()) {
    const rest = lines.length - index - 1;
    const tail = rest > 0 || always ? measure(more(rest)) + 1 : 0;
    if (used + 1 + measure(line) + tail > max) break;
    kept.push(line);
    used += 1 + measure(line);
  }
  const omitted = lines.length - kept.length;
  if (omitted > 0 || always) {
    const notice = more(omitted);
    if (used + 1 + measure(notice) <= max) kept.push(notice);
  }
  return { lines: kept, omitted };
}

/**
 * Shares `budget` between parts that would like `needs`: a part gets what it needs when that is
 * no more than an equal share of what is left, and the parts that need more split the rest
 * equally (so a digest's small change sets are shown whole and the large ones share the room).
 */
export function shareBudget(needs: readonly number[], budget: number): number[] {
  const given = needs.map(() => 0);
  let left = budget;
  const open = needs.map((_, index) => index).sort((a, b) => needs[a]! - needs[b]!);
  for (const [position, index] of open.entries()) {
    const fair = Math.floor(left / (open.length - position));
    if (needs[index]! > fair) {
      for (const rest of open.slice(position)) given[rest] = fair;
      break;
    }
    given[index] = needs[index]!;
    left -= needs[index]!;
  }
  return given;
}
