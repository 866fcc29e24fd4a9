import { InvalidInputError } from '../../errors.ts';
import type { Alert, AlertChangeSet } from '../alert.ts';
import { JSON_HEADERS, judgeHttp, mask, MAX_PARTS, type HttpChannel } from './adapter.ts';
import { alertHeadline, boardSummary, cutNotice, eventLines, fitWhole, flagNotes, isMulti, isSubset, moreText, shareBudget, truncateEscaped } from '../text.ts';

/**
 * Telegram's limits for `sendMessage`: `text` is 1–4,096 characters after entity parsing (what a
 * reader sees). rankwatch keeps the raw HTML within `text` as well (it is never shorter than what
 * it shows), and a long alert is sent in at most `parts` messages.
 */
export const TELEGRAM_LIMITS = {
  text: 4096,
  parts: MAX_PARTS,
} as const;

/** The longest headline shown, in characters of its text. */
const HEADLINE_TEXT = 600;
/** The longest event line, in raw HTML (a hostile model name is cut to fit). */
const EVENT_LINE = 400;
/** A change set of a digest gets at least this much raw HTML, else it joins "…and N more change sets". */
const MIN_CHANGE_SET_TEXT = 500;
/** Raw HTML kept back for the closing list of change sets that did not fit. */
const OVERFLOW_TEXT = 1500;

/** `&`, `<` and `>` as entities: the three Telegram's HTML parse mode needs escaped in text. */
export function escapeTelegram(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A link `<a href="url">label</a>`, its label escaped and cut to `maxLabel` characters of raw HTML. */
function link(url: string, label: string, maxLabel = 300): string {
  return `<a href="${escapeTelegram(url).replace(/"/g, '&quot;')}">${truncateEscaped(label, maxLabel, escapeTelegram)}</a>`;
}

/** Raw length of lines joined by newlines. */
const joined = (lines: readonly string[]) => lines.reduce((sum, line) => sum + line.length + 1, 0) - (lines.length ? 1 : 0);

/**
 * One change set as lines within `budget` characters of raw HTML: in a digest its summary linked
 * to the change set (bold); the flags in words as far as they fit; one bullet per event, cut with
 * "…and N more: full change set" (or "…showing 20 of 562 events (…)") linking to it.
 */
function changeSetLines(changeSet: AlertChangeSet, budget: number, withSummary: boolean, type: Alert['type']): string[] {
  const events = eventLines(changeSet).map((line) => `• ${truncateEscaped(line, EVENT_LINE, escapeTelegram)}`);
  const more = (omitted: number) => `${escapeTelegram(cutNotice(type, changeSet, events.length - omitted) ?? moreText(omitted))}: ${link(changeSet.url, 'full change set')}`;
  // Room kept for the notice at its longest (nothing shown).
  const reserve = more(events.length).length + 1;
  const head: string[] = [];
  if (withSummary) head.push(`<b>${link(changeSet.url, boardSummary(changeSet), Math.max(60, Math.min(500, Math.floor(budget / 3))))}</b>`);
  for (const note of flagNotes(changeSet)) {
    const line = `⚠️ <b>${escapeTelegram(note.title)}:</b> ${escapeTelegram(note.text)}`;
    if (joined([...head, line]) + 1 + reserve <= budget) head.push(line);
  }
  const fitted = fitWhole(events, budget - joined(head) - (head.length ? 1 : 0), more, isSubset(changeSet));
  return [...head, ...fitted.lines];
}

/** Every line of a change set, none cut: how much room it would like. */
function fullLength(changeSet: AlertChangeSet, withSummary: boolean, type: Alert['type']): number {
  return joined(changeSetLines(changeSet, Number.MAX_SAFE_INTEGER, withSummary, type));
}

/** The alert as lines of balanced HTML (no tag spans two lines) within about `budget` characters. */
function alertLines(alert: Alert, budget: number): string[] {
  const headline = alertHeadline(alert);
  const changeSets = alert.changeSets;
  const [only] = changeSets;
  if (!only) return [`<b>${truncateEscaped(headline, HEADLINE_TEXT, escapeTelegram)}</b>`, 'No changes.'];
  if (!isMulti(alert)) {
    // One change set: the headline is its summary, linked to it.
    const top = `<b>${link(only.url, headline, HEADLINE_TEXT)}</b>`;
    return [top, ...changeSetLines(only, budget - top.length - 1, false, alert.type)];
  }

  const top = `<b>${truncateEscaped(headline, HEADLINE_TEXT, escapeTelegram)}</b>`;
  // Each change set is preceded by a blank line.
  const room = budget - top.length;
  const fitting = Math.floor(room / MIN_CHANGE_SET_TEXT);
  const shown = changeSets.length <= fitting ? changeSets.length : Math.max(1, Math.floor((room - OVERFLOW_TEXT) / MIN_CHANGE_SET_TEXT));
  const left = changeSets.slice(shown);
  const needs = changeSets.slice(0, shown).map((changeSet) => fullLength(changeSet, true, alert.type) + 2);
  const given = shareBudget(needs, room - (left.length ? OVERFLOW_TEXT : 0));
  const lines = [top];
  for (const [index, changeSet] of changeSets.slice(0, shown).entries()) lines.push('', ...changeSetLines(changeSet, given[index]! - 2, true, alert.type));
  if (left.length > 0) {
    const heading = `<b>${escapeTelegram(moreText(left.length, left.length === 1 ? 'change set' : 'change sets'))}:</b>`;
    const links = left.map((changeSet) => `• ${link(changeSet.url, boardSummary(changeSet), 200)}`);
    lines.push('', heading, ...fitWhole(links, OVERFLOW_TEXT - heading.length - 3, (omitted) => escapeTelegram(moreText(omitted))).lines);
  }
  return lines;
}

/** Lines packed into messages of at most `max` characters each, split only between lines; blank lines at a split dropped. */
function pack(lines: readonly string[], max: number): string[] {
  const parts: string[][] = [[]];
  for (const line of lines) {
    const current = parts.at(-1)!;
    if (current.length > 0 && joined(current) + 1 + line.length > max) {
      while (current.at(-1) === '') current.pop();
      if (line === '') continue;
      parts.push([line]);
    } else if (current.length > 0 || line !== '') {
      current.push(line);
    }
  }
  return parts.map((part) => part.join('\n')).filter((part) => part.trim() !== '');
}

/**
 * An alert as the texts of Telegram messages (HTML parse mode): a bold headline (the change set's
 * summary linked to it, or the digest's title); per change set its summary (in a digest), the
 * flags in words and one bullet per event, cut with "…and N more" linking to the full change set;
 * change sets that do not fit listed as links under "…and N more change sets". Split between
 * lines into at most TELEGRAM_LIMITS.parts messages of at most TELEGRAM_LIMITS.text characters
 * of raw HTML each, every tag closed on the line that opens it. Pure.
 */
export function telegramMessages(alert: Alert): string[] {
  for (let budget = TELEGRAM_LIMITS.parts * TELEGRAM_LIMITS.text; ; budget = Math.floor(budget * 0.9)) {
    const parts = pack(alertLines(alert, budget), TELEGRAM_LIMITS.text);
    // Lines split unevenly: a smaller budget until the parts are few enough.
    if (parts.length <= TELEGRAM_LIMITS.parts || budget <= TELEGRAM_LIMITS.text) return parts.slice(0, TELEGRAM_LIMITS.parts);
  }
}

/** A bot token: the bot's id, a colon, its secret. */
const TOKEN = /^[0-9]+:[A-Za-z0-9_-]+$/;
/** A chat: its numeric id (negative for groups and channels), or a public channel's `@username`. */
const CHAT = /^(-?[0-9]{1,20}|@[A-Za-z][A-Za-z0-9_]{3,})$/;
const THREAD = /^[1-9][0-9]{0,18}$/;
const API_FORM = 'https://api.telegram.org/bot<token>/sendMessage?chat_id=<chat>';

/** Where a stored Telegram URL sends, and to which chat (and topic of a forum). */
interface TelegramAddress {
  origin: string;
  token: string;
  chatId: string;
  threadId: string | null;
}

/** The stored URL for a bot, chat and topic, on Telegram's Bot API or a self-hosted one at `origin`. */
function apiUrl(address: TelegramAddress): string {
  return `${address.origin}/bot${address.token}/sendMessage?chat_id=${address.chatId}${address.threadId ? `&message_thread_id=${address.threadId}` : ''}`;
}

/** Reads a Bot API `sendMessage` URL; errors name what is wrong, never the token. */
function readApiUrl(input: string): TelegramAddress {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new InvalidInputError('url', `not a valid URL (expected ${API_FORM}, or tgram://<bot_token>/<chat_id>)`);
  }
  const path = /^\/bot([^/]*)\/sendMessage$/i.exec(url.pathname);
  if (!path) throw new InvalidInputError('url', `a Telegram URL is the Bot API's sendMessage method: ${API_FORM}`);
  const token = path[1]!;
  if (!TOKEN.test(token)) throw new InvalidInputError('url', 'the bot token is not of the form <bot id>:<secret> (as BotFather gives it)');
  const unknown = [...new Set(url.searchParams.keys())].filter((key) => key !== 'chat_id' && key !== 'message_thread_id');
  if (unknown.length > 0) throw new InvalidInputError('url', `rankwatch sets ${unknown.join(', ')} itself: give only chat_id (and message_thread_id for a topic)`);
  const chats = url.searchParams.getAll('chat_id');
  if (chats.length !== 1 || !CHAT.test(chats[0]!)) throw new InvalidInputError('url', 'needs one chat_id: a chat id such as -1001234567890, or a public channel as @name');
  const threads = url.searchParams.getAll('message_thread_id');
  if (threads.length > 1 || (threads.length === 1 && !THREAD.test(threads[0]!))) throw new InvalidInputError('url', 'message_thread_id must be one positive number (a forum topic)');
  return { origin: url.origin, token, chatId: chats[0]!, threadId: threads[0] ?? null };
}

/** A chat id as Apprise writes it: a number, `@name`, `%40name` or a bare name, optionally `:topic`. */
const APPRISE_CHAT = /^(-?[0-9]{1,20}|@?[A-Za-z][A-Za-z0-9_]{3,})(?::([0-9]+))?$/;

/**
 * An Apprise-style `tgram://<bot_token>/<chat_id>` (Apprise's Telegram syntax: the token may start
 * with `bot`; a forum topic as `<chat_id>:<topic>` or `?topic=`/`?thread=`; chats also in `?to=`)
 * as the Bot API URL. One chat per subscription. Errors never repeat the token.
 */
function readTgram(input: string): TelegramAddress {
  const match = /^tgram:\/\/(?:bot)?([0-9]+)(?::|%3A)([A-Za-z0-9_-]+)(\/[^?#]*)?(?:\?([^#]*))?$/i.exec(input);
  if (!match) throw new InvalidInputError('url', 'a tgram:// URL is tgram://<bot_token>/<chat_id>, the token as BotFather gives it (<bot id>:<secret>)');
  const token = `${match[1]}:${match[2]}`;
  const query = new URLSearchParams(match[4] ?? '');
  const unknown = [...new Set(query.keys())].filter((key) => !['to', 'topic', 'thread'].includes(key));
  if (unknown.length > 0) throw new InvalidInputError('url', `rankwatch does not take ${unknown.map((key) => `?${key}`).join(', ')} on a tgram:// URL (only ?topic= or ?thread= for a forum topic)`);
  let targets: string[];
  try {
    targets = [...(match[3] ?? '').split('/'), ...query.getAll('to').flatMap((list) => list.split(/[\s,]+/))].filter(Boolean).map((target) => decodeURIComponent(target));
  } catch {
    throw new InvalidInputError('url', 'the chat id is not valid percent-encoding');
  }
  if (targets.length === 0) throw new InvalidInputError('url', 'needs a chat id: tgram://<bot_token>/<chat_id> (rankwatch does not guess the bot owner’s chat)');
  if (targets.length > 1) throw new InvalidInputError('url', `names ${targets.length} chats: make one subscription per chat (tgram://<bot_token>/<chat_id>)`);
  const chat = APPRISE_CHAT.exec(targets[0]!);
  if (!chat) throw new InvalidInputError('url', 'the chat id must be a number such as -1001234567890, or a public channel as @name');
  const chatId = /^-?[0-9]/.test(chat[1]!) ? chat[1]! : `@${chat[1]!.replace(/^@/, '')}`;
  const topics = [chat[2], ...query.getAll('topic'), ...query.getAll('thread')].filter((topic): topic is string => Boolean(topic));
  if (new Set(topics).size > 1) throw new InvalidInputError('url', 'names more than one forum topic: make one subscription per topic');
  if (topics.length > 0 && !THREAD.test(topics[0]!)) throw new InvalidInputError('url', 'the forum topic must be a positive number');
  return { origin: 'https://api.telegram.org', token, chatId, threadId: topics[0] ?? null };
}

/** The chat id as sendMessage takes it: a number for a numeric id, else the `@username`. */
function chatIdValue(chatId: string): number | string {
  const id = Number(chatId);
  return /^-?[0-9]+$/.test(chatId) && Number.isSafeInteger(id) ? id : chatId;
}

/** What Telegram's JSON answer says (`{ok, error_code, description, parameters}`), or nothing when it is not one. */
function readAnswer(body: string): { description: string | null; retryAfter: number | null; migrateTo: number | string | null } {
  let parsed: { description?: unknown; parameters?: { retry_after?: unknown; migrate_to_chat_id?: unknown } | null };
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    return { description: null, retryAfter: null, migrateTo: null };
  }
  if (parsed === null || typeof parsed !== 'object') return { description: null, retryAfter: null, migrateTo: null };
  const parameters = parsed.parameters !== null && typeof parsed.parameters === 'object' ? parsed.parameters : {};
  const migrateTo = parameters.migrate_to_chat_id;
  return {
    description: typeof parsed.description === 'string' ? parsed.description.slice(0, 200) : null,
    retryAfter: typeof parameters.retry_after === 'number' && parameters.retry_after >= 0 ? parameters.retry_after : null,
    migrateTo: typeof migrateTo === 'number' || typeof migrateTo === 'string' ? migrateTo : null,
  };
}

/** 403s that mean the bot can no longer post in the chat: blocked by the user, removed from the group or channel, the user deleted. */
const GONE_403 = /bot was blocked by the user|bot was kicked|user is deactivated|bot is not a member|chat was deleted/i;
/** 400s that mean the chat (or its forum topic) no longer exists. */
const GONE_400 = /chat not found|message thread not found/i;

/**
 * A Telegram bot posting to one chat through the Bot API's `sendMessage` (HTML parse mode, link
 * previews off); a long alert split into parts sent in order. Telegram asks bots to send no more
 * than about one message a second to one chat, hence the pace (the dispatcher paces per stored
 * URL, which names the chat). A revoked token, a blocked or removed bot, a deleted chat and a
 * group that became a supergroup disable the subscription, in Telegram's words.
 */
export const telegram = {
  signed: false,
  paceMs: 1_000,
  schemes: ['tgram'],
  parseUrl: (input) => {
    const address = /^tgram:/i.test(input) ? readTgram(input) : readApiUrl(input);
    return { url: apiUrl(address), credential: null };
  },
  acceptUrl: (url) => {
    readApiUrl(url.href);
    return url;
  },
  showUrl: (url) => {
    try {
      const address = readApiUrl(url);
      return apiUrl({ ...address, token: mask(address.token, address.token.indexOf(':') + 1) });
    } catch {
      // Not a URL this channel stored: show none of its path.
      return `${URL.canParse(url) ? new URL(url).origin : 'https://api.telegram.org'}/****`;
    }
  },
  render: (alert, target) => {
    const address = readApiUrl(target.url);
    const url = new URL(`${address.origin}/bot${address.token}/sendMessage`);
    const chat = { chat_id: chatIdValue(address.chatId), ...(address.threadId ? { message_thread_id: Number(address.threadId) } : {}) };
    return telegramMessages(alert).map((text) => ({
      url,
      headers: { ...JSON_HEADERS },
      body: JSON.stringify({ ...chat, text, parse_mode: 'HTML', link_preview_options: { is_disabled: true } }),
    }));
  },
  judge: (response, now) =>
    judgeHttp(response, now, ({ statusCode, body }) => {
      const answer = readAnswer(body);
      const said = `Telegram answered ${statusCode}${answer.description ? ` ${answer.description}` : ''}`;
      if (answer.migrateTo !== null) return { gone: `${said}: the group became a supergroup, chat id ${answer.migrateTo}; subscribe again with chat_id=${answer.migrateTo}` };
      if (statusCode === 401) return { gone: `${said}: the bot token is revoked or wrong` };
      if (statusCode === 403 && answer.description && GONE_403.test(answer.description)) return { gone: `${said}: the bot can no longer post in this chat` };
      if (statusCode === 400 && answer.description && GONE_400.test(answer.description)) return { gone: `${said}: the chat is gone` };
      return { retryAfterMs: statusCode === 429 && answer.retryAfter !== null ? Math.round(answer.retryAfter * 1000) : null };
    }),
} satisfies HttpChannel;
