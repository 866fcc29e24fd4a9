import { InvalidInputError } from '../../errors.ts';
import type { Alert, AlertChangeSet } from '../alert.ts';
import { JSON_HEADERS, judgeHttp, mask, MAX_PARTS, parseRetryAfter, type ChannelRequest, type HttpChannel, type StoredTarget } from './adapter.ts';
import { changeSetDirection, type Direction } from './discord.ts';
import { alertHeadline, boardSummary, cutNotice, escapeCommonMark, eventLines, fitLines, flagNotes, isSubset, markdownLinkUrl, moreText, truncate, truncateEscaped } from '../text.ts';

/**
 * Mattermost's limit and ours within it. `postText`: the longest message a post holds by default
 * (16,383 characters; a longer webhook `text` is split into several posts). All the text of one
 * message (its `text`, and every attachment's title, fallback and text) stays within it, so an
 * alert reads as one post. The rest are ours: at most `attachments` (one per change set; the
 * others are linked in `text`), titles and fallbacks cut to `title`, the headline to `headline`,
 * and at most `channels` channels named in the URL (one request each).
 */
export const MATTERMOST_LIMITS = {
  postText: 16_383,
  attachments: 10,
  title: 250,
  headline: 500,
  channels: MAX_PARTS,
} as const;

/** Attachment colours by direction (changeSetDirection): green up, red down, grey neutral, blue for a methodology change. */
export const MATTERMOST_COLORS: Record<Direction, string> = {
  up: '#2eb67d',
  down: '#e01e5a',
  neutral: '#95a5a6',
  methodology: '#3498db',
};

/** A change set is only shown when it can have at least this much text (else it joins "…and N more change sets"). */
const MIN_CHANGE_SET_TEXT = 600;
/** Text kept back for the closing "…and N more change sets" list. */
const OVERFLOW_TEXT = 1500;

/**
 * Text (a model's name, a summary) that Mattermost must show as written: CommonMark's escapes
 * (escapeCommonMark), and a zero-width space after every `@`, so a model called `@channel` or
 * `@all` notifies nobody (no mention starts with a zero-width space, and it shows as nothing).
 */
export function escapeMattermost(text: string): string {
  return escapeCommonMark(text).replace(/@/g, '@\u200b');
}

/** A markdown link, its label escaped and cut to `maxLabel`. */
export function mattermostLink(url: string, label: string, maxLabel = 200): string {
  return `[${truncateEscaped(label, maxLabel, escapeMattermost)}](${markdownLinkUrl(url)})`;
}

/** One Slack-style attachment as Mattermost shows it (title and fallback are plain text, `text` markdown). */
export interface MattermostAttachment {
  fallback: string;
  color: string;
  title: string;
  title_link: string;
  text: string;
}

/** The body of an incoming-webhook post (Slack's shape); `channel` and `username` come from the subscription's URL. */
export interface MattermostMessage {
  text: string;
  attachments?: MattermostAttachment[];
  channel?: string;
  username?: string;
}

/** The characters of text an attachment adds to the post. */
function attachmentText(attachment: MattermostAttachment): number {
  return attachment.fallback.length + attachment.title.length + attachment.text.length;
}

/**
 * One change set as an attachment within `budget` characters: its summary as the title linking to
 * the change set (and as the plain-text fallback), coloured by direction; its text the flags in
 * words, one bullet per event cut with "…and N more" linking to the full change set, and the
 * capture time.
 */
export function changeSetAttachment(changeSet: AlertChangeSet, budget: number, type: Alert['type'] = 'change_set.published'): MattermostAttachment {
  const summary = boardSummary(changeSet);
  // Plain text in both: Mattermost shows a linked title and the fallback as written.
  const title = truncate(summary, MATTERMOST_LIMITS.title);
  const fallback = title;
  const captured = `_captured ${changeSet.capturedAt}_`;
  const flags = flagNotes(changeSet).map((note) => `:warning: **${note.title}:** ${escapeMattermost(note.text)}`);
  const left = budget - title.length - fallback.length - captured.length - flags.reduce((sum, flag) => sum + flag.length + 1, 0) - 2;
  const lines = eventLines(changeSet).map((line) => `- ${escapeMattermost(line)}`);
  const parts = [...flags];
  if (lines.length > 0) {
    // A blank line ends the list: the notice is a paragraph of its own, not one more bullet.
    const more = (omitted: number) => `\n${escapeMattermost(cutNotice(type, changeSet, lines.length - omitted) ?? moreText(omitted))}: ${mattermostLink(changeSet.url, 'full change set')}`;
    parts.push(fitLines(lines, Math.max(left, 200), more, isSubset(changeSet)).text);
  }
  parts.push(`\n${captured}`);
  return { fallback, color: MATTERMOST_COLORS[changeSetDirection(changeSet)], title, title_link: changeSet.url, text: parts.join('\n') };
}

/**
 * An alert as a Mattermost incoming-webhook message: `text` is the headline in bold (the board
 * and summary, the digest's title and count, or the test's), then one attachment per change set
 * (changeSetAttachment), at most 10 (MATTERMOST_LIMITS). Events that do not fit end with "…and N
 * more" linking to the full change set; change sets that do not fit are listed as links in
 * `text` under "…and N more change sets". All its text stays within one post.
 */
export function mattermostMessage(alert: Alert): MattermostMessage {
  const headline = `**${truncateEscaped(alertHeadline(alert), MATTERMOST_LIMITS.headline, escapeMattermost)}**`;
  const changeSets = alert.changeSets;
  if (changeSets.length === 0) return { text: `${headline}\nNo changes.` };
  const budget = MATTERMOST_LIMITS.postText - headline.length;
  const fitting = Math.min(MATTERMOST_LIMITS.attachments, Math.floor(budget / MIN_CHANGE_SET_TEXT));
  const shown = changeSets.length <= fitting ? changeSets.length : Math.min(fitting, Math.floor((budget - OVERFLOW_TEXT) / MIN_CHANGE_SET_TEXT));
  const left = changeSets.slice(shown);
  const share = Math.floor((budget - (left.length > 0 ? OVERFLOW_TEXT : 0)) / Math.max(shown, 1));
  const attachments = changeSets.slice(0, shown).map((changeSet) => changeSetAttachment(changeSet, share, alert.type));
  let text = headline;
  if (left.length > 0) {
    const heading = `**${moreText(left.length, left.length === 1 ? 'change set' : 'change sets')}:**`;
    const links = left.map((changeSet) => `- ${mattermostLink(changeSet.url, boardSummary(changeSet), 120)}`);
    const room = MATTERMOST_LIMITS.postText - attachments.reduce((sum, attachment) => sum + attachmentText(attachment), 0) - headline.length - heading.length - 4;
    text = `${headline}\n\n${heading}\n${fitLines(links, Math.min(room, OVERFLOW_TEXT), (omitted) => `\n${moreText(omitted)}`).text}`;
  }
  return { text, ...(attachments.length > 0 ? { attachments } : {}) };
}

/** The hook path of an incoming webhook, under an optional subpath: `…/hooks/<key>`. */
const HOOK_PATH = /^((?:\/[^/]+)*)\/hooks\/([a-z0-9]+)\/?$/i;
/** Channel names as Mattermost makes them (`town-square`), or `@user` for a direct message. */
const CHANNEL = /^@?[a-z0-9][a-z0-9._-]{0,63}$/i;

/**
 * The `?channel=` and `?username=` a URL gives, read as Apprise reads them (`channel`, `channels`
 * and `to` list channels, comma-separated, a leading `#` dropped; `image` is ignored: rankwatch
 * sends no icon). Anything else is refused, naming the option, never its value.
 */
function readOptions(url: URL, user: string): URLSearchParams {
  const channels: string[] = [];
  let username = user;
  for (const [key, value] of url.searchParams) {
    const name = key.toLowerCase();
    if (name === 'image') continue;
    if (name === 'username' || name === 'botname') username = value;
    else if (name === 'channel' || name === 'channels' || name === 'to') channels.push(...value.split(/[\s,]+/).map((channel) => channel.replace(/^#/, '')).filter(Boolean));
    else throw new InvalidInputError('url', `unknown option ?${name}= in a Mattermost URL (known: channel, username)`);
  }
  const unique = [...new Set(channels)];
  if (unique.length > MATTERMOST_LIMITS.channels) throw new InvalidInputError('url', `at most ${MATTERMOST_LIMITS.channels} channels in ?channel= (one message each); make another subscription for more`);
  if (unique.some((channel) => !CHANNEL.test(channel))) throw new InvalidInputError('url', '?channel= takes channel names (town-square) or @user, comma-separated');
  // The name is shown as the sender's: it must print.
  if (username.length > 64 || /[\u0000-\u001f\u007f]/.test(username)) throw new InvalidInputError('url', 'the username (bot name) must be at most 64 printable characters');
  const options = new URLSearchParams();
  if (unique.length > 0) options.set('channel', unique.join(','));
  if (username) options.set('username', username);
  return options;
}

/**
 * `mmost://` (http) or `mmosts://` (https) `[botname@]host[:port][/path]/<key>[?channel=…]`
 * (Apprise's form) as the hook URL: `http(s)://host[:port][/path]/hooks/<key>`, the bot name and
 * channels kept as `?username=` and `?channel=`.
 */
function fromApprise(input: string, secure: boolean): URL {
  let parsed: URL;
  try {
    parsed = new URL(input);
  } catch {
    throw new InvalidInputError('url', 'not a valid mmost:// URL (expected mmosts://host/<webhook key>)');
  }
  if (!parsed.hostname) throw new InvalidInputError('url', 'a Mattermost URL needs the server\'s host (mmosts://host/<webhook key>)');
  if (parsed.password) throw new InvalidInputError('url', 'a Mattermost URL takes a bot name (name@host), not a password');
  const segments = parsed.pathname.split('/').filter((segment) => segment !== '');
  const key = segments.pop();
  if (!key || !/^[a-z0-9]+$/i.test(key)) throw new InvalidInputError('url', 'the webhook key (the last part of the path) is missing or not letters and digits');
  const url = new URL(`${secure ? 'https' : 'http'}://${parsed.hostname}${parsed.port ? `:${parsed.port}` : ''}`);
  url.pathname = `${segments.map((segment) => `/${segment}`).join('')}/hooks/${key}`;
  url.search = readOptions(parsed, decodeURIComponent(parsed.username)).toString();
  return url;
}

/** A hook URL (https, or Apprise's form) as stored: the hook URL with its channel and username options. */
function parseMattermostUrl(input: string): StoredTarget {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(input)?.[1]?.toLowerCase();
  if (scheme === 'mmost' || scheme === 'mmosts') return { url: fromApprise(input, scheme === 'mmosts').toString(), credential: null };
  if (scheme !== 'https' && scheme !== 'http') throw new InvalidInputError('url', `${scheme ? `scheme ${scheme}:// is not a mattermost URL` : 'not a URL'} (expected https://host/hooks/<key>, or mmosts://…)`);
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new InvalidInputError('url', 'not a valid absolute URL (expected https://host/hooks/<key>)');
  }
  checkHookUrl(url);
  url.search = readOptions(url, '').toString();
  return { url: url.toString(), credential: null };
}

/** Refuses a URL that is not an incoming webhook's. Errors never repeat the path (the key is the secret). */
function checkHookUrl(url: URL): void {
  if (!HOOK_PATH.test(url.pathname)) throw new InvalidInputError('url', `${url.protocol}//${url.host}/: not a Mattermost incoming webhook URL (expected https://host/hooks/<key>, as Integrations → Incoming Webhooks gives it)`);
}

/** A stored hook URL with its key masked. */
export function showMattermostUrl(url: string): string {
  return url.replace(/\/hooks\/[^/?#]+/, `/hooks/${mask('')}`);
}

/** The requests for an alert: one per channel the URL names (or one to the hook's own channel), the options taken out of the URL. */
function renderMattermost(alert: Alert, targetUrl: string): ChannelRequest | ChannelRequest[] {
  const url = new URL(targetUrl);
  const channels = (url.searchParams.get('channel') ?? '').split(',').filter(Boolean).slice(0, MAX_PARTS);
  const username = url.searchParams.get('username');
  url.search = '';
  const message = mattermostMessage(alert);
  const requests = (channels.length > 0 ? channels : [null]).map((channel) => ({
    url: new URL(url),
    headers: { ...JSON_HEADERS },
    body: JSON.stringify({ ...message, ...(channel ? { channel } : {}), ...(username ? { username } : {}) }),
  }));
  return requests.length === 1 ? requests[0]! : requests;
}

/**
 * Mattermost's errors (their `id`) that mean the hook cannot post until someone acts, and why:
 * the hook deleted, incoming webhooks turned off on the server, the hook's channel (or the one
 * the URL names) gone, the hook locked to its channel, or its owner gone or no longer allowed in
 * the channel. `web.incoming_webhook.channel.app_error` means a missing channel only with a 404.
 */
const MATTERMOST_GONE: Record<string, string> = {
  'web.incoming_webhook.invalid.app_error': 'the webhook is gone',
  'web.incoming_webhook.disabled.app_error': 'incoming webhooks are turned off on the server',
  'app.channel.get.existing.app_error': "the webhook's channel is gone",
  'web.incoming_webhook.channel.app_error': 'the channel the URL names is gone',
  'web.incoming_webhook.channel_locked.app_error': 'the webhook may only post to its own channel (leave out ?channel=)',
  'web.incoming_webhook.user.app_error': "the webhook's owner (or the @user the URL names) is gone",
  'web.incoming_webhook.permissions.app_error': "the webhook's owner may no longer post in the channel",
};

/** The `{id, message}` of a Mattermost error answer, or null. */
function mattermostError(body: string): { id: string; message: string | null } | null {
  try {
    const parsed = JSON.parse(body) as { id?: unknown; message?: unknown } | null;
    if (typeof parsed?.id !== 'string') return null;
    return { id: parsed.id, message: typeof parsed.message === 'string' ? parsed.message : null };
  } catch {
    return null;
  }
}

/** Mattermost ids (26 letters and digits, as hook keys are; longer runs too) masked in an answer: an error may repeat the key. */
function redact(text: string): string {
  return text.replace(/\b[a-z0-9]{24,}\b/gi, mask(''));
}

/**
 * A Mattermost incoming webhook: Slack-style JSON (markdown `text`, attachments), to the hook's
 * channel or the channels its URL names. Mattermost's JSON errors name a hook that is gone or
 * disabled (MATTERMOST_GONE); a 429 of its rate limiter says when to come back in
 * `X-Ratelimit-Reset` (seconds) when it gives no Retry-After. Paced at five messages a second per
 * hook: the limiter, when an admin turns it on, allows 10 requests a second per address by
 * default (with bursts of 100), and one address may post to several hooks of a server.
 */
export const mattermost = {
  signed: false,
  paceMs: 200,
  schemes: ['mmost', 'mmosts'],
  parseUrl: parseMattermostUrl,
  acceptUrl: (url) => {
    checkHookUrl(url);
    return url;
  },
  showUrl: showMattermostUrl,
  render: (alert, target) => renderMattermost(alert, target.url),
  judge: (response, now) =>
    judgeHttp({ ...response, body: redact(response.body) }, now, ({ statusCode, headers, body }) => {
      const reset = headers['x-ratelimit-reset'];
      const retryAfterMs = statusCode === 429 ? parseRetryAfter(Array.isArray(reset) ? reset[0] : reset, now) : null;
      const error = mattermostError(body);
      if (error === null) {
        // Not Mattermost's JSON: only the plain sentence of a server with webhooks turned off is read.
        return { gone: /incoming webhooks have been disabled/i.test(body) ? `Mattermost answered ${statusCode}: incoming webhooks are turned off on the server` : null, retryAfterMs };
      }
      const { id, message } = error;
      const meaning = (id === 'web.incoming_webhook.channel.app_error' && statusCode !== 404) || !Object.hasOwn(MATTERMOST_GONE, id) ? undefined : MATTERMOST_GONE[id];
      return { gone: meaning ? `Mattermost answered ${statusCode} ${id}${message ? ` (${truncate(message, 200)})` : ''}: ${meaning}` : null, retryAfterMs };
    }),
} satisfies HttpChannel;
