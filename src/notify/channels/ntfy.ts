import { InvalidInputError } from '../../errors.ts';
import type { Alert, AlertChangeSet } from '../alert.ts';
import { JSON_HEADERS, judgeHttp, mask, type HttpChannel } from './adapter.ts';
import { changeSetDirection } from './discord.ts';
import { alertHeadline, boardSummary, cutNotice, eventLines, fitWhole, flagNotes, isMulti, isSubset, moreText, shareBudget, truncate } from '../text.ts';

/**
 * ntfy's limits for a published message (docs.ntfy.sh/publish/#limitations), in UTF-8 bytes: the
 * message up to 4,096 bytes (a longer one becomes an attachment), the title up to 1 KB and all
 * tags together up to 512 bytes (more is refused with a 400). And one of ours: `titleText`, the
 * characters of title shown (a notification's title is one line).
 */
export const NTFY_LIMITS = {
  message: 4096,
  title: 1024,
  tags: 512,
  titleText: 250,
} as const;

/** The longest event line, in bytes (a hostile model name is cut to fit). */
const EVENT_LINE = 300;
/** A change set of a digest gets at least this many bytes, else it joins "…and N more change sets". */
const MIN_CHANGE_SET_BYTES = 250;
/** Bytes kept back for the closing list of change sets that did not fit. */
const OVERFLOW_BYTES = 800;

const encoder = new TextEncoder();

/** A text's length in UTF-8 bytes, what ntfy's limits count. */
export function utf8Length(text: string): number {
  return encoder.encode(text).length;
}

/** `text` cut to at most `max` UTF-8 bytes, ending with `…` when cut; a character is never split. */
export function truncateBytes(text: string, max: number): string {
  if (utf8Length(text) <= max) return text;
  let low = 0;
  let high = Math.min(text.length, max);
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (utf8Length(truncate(text, mid)) <= max) low = mid;
    else high = mid - 1;
  }
  return truncate(text, low);
}

/** Bytes of lines joined by newlines. */
const joined = (lines: readonly string[]) => lines.reduce((sum, line) => sum + utf8Length(line) + 1, 0) - (lines.length ? 1 : 0);

/**
 * One change set as plain-text lines within `budget` bytes: its summary (in a digest), the flags
 * in words as far as they fit, one bullet per event, and a last line linking the change set:
 * `Full change set: <url>`, or `…and N more: <url>` (`…showing 20 of 562 events (…): <url>`)
 * when events were left out.
 */
function changeSetLines(changeSet: AlertChangeSet, budget: number, withSummary: boolean, type: Alert['type']): string[] {
  const events = eventLines(changeSet).map((line) => `• ${truncateBytes(line, EVENT_LINE)}`);
  const more = (omitted: number) => `${cutNotice(type, changeSet, events.length - omitted) ?? 'Full change set'}: ${changeSet.url}`;
  const reserve = utf8Length(more(events.length)) + 1;
  const head: string[] = [];
  if (withSummary) head.push(truncateBytes(boardSummary(changeSet), Math.max(60, Math.min(400, Math.floor(budget / 3)))));
  for (const note of flagNotes(changeSet)) {
    const line = `⚠️ ${note.title}: ${note.text}`;
    if (joined([...head, line]) + 1 + reserve <= budget) head.push(line);
  }
  const fitted = fitWhole(events, budget - joined(head) - (head.length ? 1 : 0), more, true, utf8Length);
  return [...head, ...fitted.lines];
}

/**
 * The message text, within NTFY_LIMITS.message bytes: for one change set its flags, events and
 * link (the summary repeated first when the title had to cut it); for a digest each change set's
 * summary, flags, events and link after a blank line, the change sets that do not fit listed as
 * `• summary: <url>` under "…and N more change sets:".
 */
function messageText(alert: Alert, title: string): string {
  const changeSets = alert.changeSets;
  const [only] = changeSets;
  if (!only) return 'No changes.';
  const max = NTFY_LIMITS.message;
  if (!isMulti(alert)) {
    const headline = alertHeadline(alert);
    const top = title === headline ? [] : [truncateBytes(headline, 1000)];
    return [...top, ...changeSetLines(only, max - joined(top) - (top.length ? 1 : 0), false, alert.type)].join('\n');
  }
  const fitting = Math.floor(max / MIN_CHANGE_SET_BYTES);
  const shown = changeSets.length <= fitting ? changeSets.length : Math.max(1, Math.floor((max - OVERFLOW_BYTES) / MIN_CHANGE_SET_BYTES));
  const left = changeSets.slice(shown);
  // Each change set after the first is preceded by a blank line (2 bytes with its newline).
  const needs = changeSets.slice(0, shown).map((changeSet) => joined(changeSetLines(changeSet, Number.MAX_SAFE_INTEGER, true, alert.type)) + 2);
  const given = shareBudget(needs, max - (left.length ? OVERFLOW_BYTES : 0));
  const blocks = changeSets.slice(0, shown).map((changeSet, index) => changeSetLines(changeSet, given[index]! - 2, true, alert.type).join('\n'));
  if (left.length > 0) {
    const heading = `${moreText(left.length, left.length === 1 ? 'change set' : 'change sets')}:`;
    const links = left.map((changeSet) => `• ${truncateBytes(boardSummary(changeSet), 150)}: ${changeSet.url}`);
    blocks.push([heading, ...fitWhole(links, OVERFLOW_BYTES - utf8Length(heading) - 3, (omitted) => moreText(omitted), false, utf8Length).lines].join('\n'));
  }
  // The shares add up to the limit; cut whole lines from the end should rounding ever pass it.
  const lines = blocks.join('\n\n').split('\n');
  while (joined(lines) > max) lines.pop();
  return lines.join('\n');
}

/** Event kinds that make a message high priority (4): a new #1, and a board's scrape failing or a capture quarantined. */
const URGENT_KINDS: ReadonlySet<string> = new Set(['new_leader', 'scrape_failed', 'snapshot_quarantined']);

/**
 * The notification's tags: emoji shortcodes ntfy shows before the title — `test_tube` for a
 * test, `trophy` for a new #1, `warning` for a flag or a failing board,
 * `chart_with_upwards_trend`/`chart_with_downwards_trend` for the way the change sets went — then
 * the boards' ids (shown as text), all within NTFY_LIMITS.tags bytes.
 */
export function ntfyTags(alert: Alert): string[] {
  const events = alert.changeSets.flatMap((changeSet) => changeSet.events);
  const directions = new Set(alert.changeSets.map(changeSetDirection));
  const wanted = [
    ...(alert.type === 'test.sent' ? ['test_tube'] : []),
    ...(events.some((event) => event.kind === 'new_leader') ? ['trophy'] : []),
    ...(alert.changeSets.some((changeSet) => changeSet.bulkRemoval || changeSet.methodologyChanged) || events.some((event) => event.kind === 'scrape_failed' || event.kind === 'snapshot_quarantined') ? ['warning'] : []),
    ...(directions.has('up') ? ['chart_with_upwards_trend'] : []),
    ...(directions.has('down') ? ['chart_with_downwards_trend'] : []),
    ...new Set(alert.changeSets.map((changeSet) => changeSet.board)),
  ];
  const tags: string[] = [];
  for (const tag of wanted) if (joined([...tags, tag]) <= NTFY_LIMITS.tags) tags.push(tag);
  return tags;
}

/** An alert as ntfy's JSON publish body (without the topic): title, plain-text message, priority, tags, click URL. */
export function ntfyMessage(alert: Alert): { title: string; message: string; priority: 3 | 4; tags: string[]; click?: string } {
  const title = truncateBytes(truncate(alertHeadline(alert), NTFY_LIMITS.titleText), NTFY_LIMITS.title);
  const urgent = alert.changeSets.some((changeSet) => changeSet.events.some((event) => URGENT_KINDS.has(event.kind)));
  const click = alert.changeSets[0]?.url;
  return { title, message: messageText(alert, title), priority: urgent ? 4 : 3, tags: ntfyTags(alert), ...(click ? { click } : {}) };
}

/** A topic as ntfy takes it: letters, digits, `_` and `-`, up to 64. */
const TOPIC = /^[-_A-Za-z0-9]{1,64}$/;
const NTFY_FORM = 'https://ntfy.sh/<topic>, or ntfys://[user:password@]<host>/<topic>';

/** A stored ntfy URL's server (where to publish) and topic. */
interface NtfyAddress {
  origin: string;
  topic: string;
}

/** Reads a stored (or given) topic URL `http(s)://host/<topic>`; errors never repeat the topic or a credential. */
function readTopicUrl(input: string): NtfyAddress {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new InvalidInputError('url', `not a valid URL (expected ${NTFY_FORM})`);
  }
  const segments = url.pathname.split('/').slice(1);
  if (segments.length !== 1 || segments[0] === '') throw new InvalidInputError('url', `an ntfy URL names one topic: ${NTFY_FORM} (one subscription per topic)`);
  if (!TOPIC.test(segments[0]!)) throw new InvalidInputError('url', 'an ntfy topic is 1–64 letters, digits, _ or -');
  return { origin: url.origin, topic: segments[0]! };
}

/** The Authorization header for an access token or a user and password. */
function authorization(credentials: { token: string } | { user: string; password: string }): string {
  if ('token' in credentials) return `Bearer ${credentials.token}`;
  return `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`, 'utf8').toString('base64')}`;
}

/** Percent-decoding that says so (never echoing the text) when it is malformed. */
function decoded(text: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new InvalidInputError('url', `the ${what} is not valid percent-encoding`);
  }
}

/**
 * The credential a URL carries, as the Authorization header: `?token=` or `<token>@` (an access
 * token, `tk_…`: Apprise's detection) for Bearer, `<user>:<password>@` for Basic; null for none.
 */
function credentialOf(userinfo: string | null, query: URLSearchParams): string | null {
  const tokens = query.getAll('token');
  if (tokens.length > 1) throw new InvalidInputError('url', 'give one ?token=');
  if (tokens.length === 1) {
    if (userinfo !== null) throw new InvalidInputError('url', 'give either ?token= or user:password@, not both');
    if (!tokens[0]) throw new InvalidInputError('url', '?token= is empty');
    return authorization({ token: tokens[0] });
  }
  if (userinfo === null) return null;
  const colon = userinfo.indexOf(':');
  const user = decoded(colon < 0 ? userinfo : userinfo.slice(0, colon), 'user name');
  const password = colon < 0 ? null : decoded(userinfo.slice(colon + 1), 'password');
  // An access token alone (`tk_…@host`), or as the password of an empty user (`:tk_…@host`).
  if (password === null && /^tk_/i.test(user)) return authorization({ token: user });
  if (user === '' && password && /^tk_/i.test(password)) return authorization({ token: password });
  if (!user || !password) throw new InvalidInputError('url', 'credentials are user:password@ or an access token (tk_…@ or ?token=tk_…)');
  return authorization({ user, password });
}

/**
 * An Apprise-style ntfy URL (Apprise's syntax): `ntfy://<topic>` and `ntfys://<topic>` (ntfy.sh),
 * `ntfy://<host>[:port]/<topic>` (http), `ntfys://<host>[:port]/<topic>` (https), with
 * `<user>:<password>@`, `<token>@` or `?token=`. ntfy.sh is always https.
 */
function readApprise(input: string): { address: NtfyAddress; credential: string | null } {
  const match = /^(ntfys?):\/\/([^/?#]*)(\/[^?#]*)?(?:\?([^#]*))?$/i.exec(input);
  if (!match) throw new InvalidInputError('url', `not an ntfy URL (expected ${NTFY_FORM})`);
  const authority = match[2]!;
  const at = authority.lastIndexOf('@');
  const userinfo = at < 0 ? null : authority.slice(0, at);
  const host = authority.slice(at + 1);
  const query = new URLSearchParams(match[4] ?? '');
  const unknown = [...new Set(query.keys())].filter((key) => key !== 'token');
  if (unknown.length > 0) throw new InvalidInputError('url', `rankwatch does not take ${unknown.map((key) => `?${key}`).join(', ')} on an ntfy URL (it sets title, priority, tags and click itself; only ?token= is read)`);
  const credential = credentialOf(userinfo, query);
  const topics = (match[3] ?? '').split('/').filter(Boolean);
  // `ntfy://<topic>`: no path, the host is the topic on ntfy.sh.
  const [server, topic] = topics.length === 0 ? ['ntfy.sh', host] : [host, topics[0]!];
  if (topics.length > 1) throw new InvalidInputError('url', `names ${topics.length} topics: make one subscription per topic`);
  if (!server) throw new InvalidInputError('url', `names no server (expected ${NTFY_FORM})`);
  if (!TOPIC.test(topic)) throw new InvalidInputError('url', 'an ntfy topic is 1–64 letters, digits, _ or -');
  const secure = match[1]!.toLowerCase() === 'ntfys' || /^ntfy\.sh(:443)?$/i.test(server);
  let origin: string;
  try {
    origin = new URL(`${secure ? 'https' : 'http'}://${server}/`).origin;
  } catch {
    throw new InvalidInputError('url', `the server is not a valid host (expected ${NTFY_FORM})`);
  }
  return { address: { origin, topic }, credential };
}

/** What ntfy's JSON error says (`{code, http, error, link}`), or null when it is not one. */
function readError(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as { error?: unknown } | null;
    return parsed !== null && typeof parsed === 'object' && typeof parsed.error === 'string' ? parsed.error.slice(0, 200) : null;
  } catch {
    return null;
  }
}

/**
 * An ntfy topic, on ntfy.sh or a self-hosted server: each alert published as JSON to the server's
 * root (UTF-8 safe, unlike headers), with the Authorization header the URL's credentials gave.
 * 401 and 403 (credentials refused, or a topic reserved by someone else) disable the subscription.
 * A 404 does not: topics are created on the fly, so a 404 says the URL is not (or no longer) an
 * ntfy server's, which a fix on that side can undo; it is retried and ends dead, visible.
 * ntfy.sh lets a client send a burst of 60 requests, then one every 5 seconds (its documented
 * request limit, docs.ntfy.sh/publish/#limitations): one topic's messages are paced at that rate
 * so a busy topic never empties the bucket other topics share.
 */
export const ntfy = {
  signed: false,
  paceMs: 5_000,
  schemes: ['ntfy', 'ntfys'],
  parseUrl: (input) => {
    if (/^ntfys?:/i.test(input)) {
      const { address, credential } = readApprise(input);
      return { url: `${address.origin}/${address.topic}`, credential };
    }
    let url: URL;
    try {
      url = new URL(input);
    } catch {
      throw new InvalidInputError('url', `not a valid URL (expected ${NTFY_FORM})`);
    }
    const unknown = [...new Set(url.searchParams.keys())].filter((key) => key !== 'token');
    if (unknown.length > 0) throw new InvalidInputError('url', `rankwatch does not take ${unknown.map((key) => `?${key}`).join(', ')} on an ntfy URL (only ?token= is read)`);
    const credential = credentialOf(url.username || url.password ? `${url.username}${url.password ? `:${url.password}` : ''}` : null, url.searchParams);
    const address = readTopicUrl(`${url.origin}${url.pathname}`);
    return { url: `${address.origin}/${address.topic}`, credential };
  },
  acceptUrl: (url) => {
    readTopicUrl(url.href);
    if (url.search || url.hash) throw new InvalidInputError('url', `an ntfy URL is the topic's alone: ${NTFY_FORM}`);
    return url;
  },
  showUrl: (url) => {
    try {
      const { origin, topic } = readTopicUrl(url);
      return `${origin}/${mask(topic, 3)}`;
    } catch {
      return `${URL.canParse(url) ? new URL(url).origin : 'https://ntfy.sh'}/****`;
    }
  },
  render: (alert, target) => {
    const { origin, topic } = readTopicUrl(target.url);
    const headers: Record<string, string> = { ...JSON_HEADERS, ...(target.secret ? { authorization: target.secret } : {}) };
    return { url: new URL(`${origin}/`), headers, body: JSON.stringify({ topic, ...ntfyMessage(alert) }) };
  },
  judge: (response, now) =>
    judgeHttp(response, now, ({ statusCode, body }) => {
      if (statusCode !== 401 && statusCode !== 403) return {};
      const error = readError(body);
      return { gone: `ntfy answered ${statusCode}${error ? ` ${error}` : ''}: the server refused to let rankwatch publish to this topic (wrong or missing credentials, or a topic reserved by another user)` };
    }),
} satisfies HttpChannel;
