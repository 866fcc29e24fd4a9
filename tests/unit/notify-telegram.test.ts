// The Telegram channel: messages in HTML parse mode within Telegram's 4,096 characters (checked by
// parsing each part as HTML), split between lines into at most MAX_PARTS messages; the Bot API and
// Apprise URL forms; and Telegram's answers.
import { load } from 'cheerio';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors.ts';
import { MAX_PARTS, type ChannelRequest } from '../../src/notify/channels/adapter.ts';
import { shownUrl, storedTarget } from '../../src/notify/channels/index.ts';
import { escapeTelegram, telegram, TELEGRAM_LIMITS, telegramMessages } from '../../src/notify/channels/telegram.ts';
import { alertOf, bigChangeSet, changeSet, digest, entered, HOSTILE, rankMove } from '../support/alerts.ts';

const now = new Date('2026-11-23T14:00:00Z');
const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
const SECRET = TOKEN.split(':')[1]!;
const target = (url: string) => ({ url, secret: null, previousSecret: null, previousSecretUntil: null });

/** The tags Telegram's HTML mode takes that rankwatch uses; anything else would be an error (or an injection). */
const TAGS = new Set(['b', 'a']);

/**
 * Checks one message as Telegram would parse it and returns its visible text: only `<b>` and
 * `<a href>` tags, each closed in order on the line that opens it; only the entities Telegram
 * knows; raw and visible length within the limit, and not empty.
 */
function visible(part: string): string {
  expect(part.length).toBeLessThanOrEqual(TELEGRAM_LIMITS.text);
  for (const line of part.split('\n')) {
    const open: string[] = [];
    for (const [, closing, name] of line.matchAll(/<(\/?)([a-z-]+)[^>]*>/g)) {
      expect(TAGS.has(name!), `tag <${name}> in ${line}`).toBe(true);
      if (closing) expect(open.pop(), `unbalanced in ${line}`).toBe(name);
      else open.push(name!);
    }
    expect(open, `unclosed in ${line}`).toEqual([]);
    for (const [entity] of line.matchAll(/&[^;\s]*;?/g)) expect(['&amp;', '&lt;', '&gt;', '&quot;']).toContain(entity);
  }
  const text = load(part, null, false).text();
  expect(text.trim().length).toBeGreaterThan(0);
  expect(text.length).toBeLessThanOrEqual(TELEGRAM_LIMITS.text);
  return text;
}

const hrefs = (part: string) => load(part, null, false)('a').map((_, a) => load(a).root().find('a').attr('href') ?? '').get();

describe('telegramMessages: within Telegram’s limits', () => {
  it('a 600-event change set: at most 5 parts, each within 4,096 characters raw and visible, every tag closed, ending with "…and N more" linking to the change set', () => {
    const set = bigChangeSet(600);
    const parts = telegramMessages(alertOf([set]));
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.length).toBeLessThanOrEqual(MAX_PARTS);
    const texts = parts.map(visible);
    const shown = texts.join('\n').split('\n').filter((line) => line.startsWith('• ')).length;
    const last = parts.at(-1)!.split('\n').at(-1)!;
    expect(last).toBe(`…and ${600 - shown} more: <a href="${set.url}">full change set</a>`);
    // No event twice, none lost at a split: the events shown are the first ones, in order.
    expect(texts.join('\n').split('\n').filter((line) => line.startsWith('• ')).slice(0, 3)).toEqual(['• Gemini-2.5-Pro takes #1 on lmarena-text (was #2) (significant: clear of the confidence intervals)', expect.stringMatching(/^• model-000 /), expect.stringMatching(/^• model-001 /)]);
    expect(texts[0]!.split('\n')[0]).toBe(set.summary);
  });

  it('the parts use the room: a 600-event change set fills the five parts rather than cutting at one', () => {
    const parts = telegramMessages(alertOf([bigChangeSet(600)]));
    expect(parts).toHaveLength(MAX_PARTS);
    for (const part of parts.slice(0, -1)) expect(part.length).toBeGreaterThan(TELEGRAM_LIMITS.text - 500);
  });

  it('a digest of 30 change sets: within the limits, and every change set shown, listed or counted', () => {
    const alert = digest(30);
    const parts = telegramMessages(alert);
    expect(parts.length).toBeLessThanOrEqual(MAX_PARTS);
    parts.forEach(visible);
    const all = parts.join('\n');
    expect(all.startsWith('<b>daily digest, 2026-11-23 UTC: 30 change sets</b>')).toBe(true);
    const linked = new Set(parts.flatMap(hrefs));
    const counted = Number(/…and (\d+) more\n?$/.exec(all)?.[1] ?? 0);
    expect(alert.changeSets.filter((set) => linked.has(set.url)).length + counted).toBe(30);
    // The flags of the first change set are there in words.
    expect(all).toContain('⚠️ <b>Methodology change:</b>');
    expect(all).toContain('⚠️ <b>Bulk removal:</b>');
  });

  it('a digest too large for every change set lists the rest under "…and N more change sets"', () => {
    const sets = Array.from({ length: 60 }, (_, i) => changeSet(500 + i, `board-${i}`, [rankMove(`board-${i}`, 'm', 3, 2)], { summary: `board-${i}: ${'a long summary of many moves; '.repeat(10)}` }));
    const parts = telegramMessages(alertOf(sets, { type: 'digest.published', title: 'weekly digest' }));
    parts.forEach(visible);
    const all = parts.join('\n');
    const heading = /<b>…and (\d+) more change sets:<\/b>/.exec(all);
    expect(heading).not.toBeNull();
    const shown = sets.filter((set) => all.includes(`<b><a href="${set.url}">`)).length;
    expect(shown + Number(heading![1])).toBe(60);
  });

  it('hostile model names show as written: escaped, never markup, links only to rankwatch', () => {
    const events = HOSTILE.map((name, i) => entered('lmarena-text', name, i + 1));
    const summary = `lmarena-text: ${HOSTILE.join(' ')}`;
    const parts = telegramMessages(alertOf([changeSet(7, 'lmarena-text', events, { summary })]));
    expect(parts).toHaveLength(1);
    const text = visible(parts[0]!);
    expect(text.split('\n')).toEqual([summary, ...HOSTILE.map((name, i) => `• ${name} enters lmarena-text at #${i + 1} with 1390`)]);
    expect(hrefs(parts[0]!)).toEqual(['https://rankwatch.example/v1/changes/7']);
  });

  it('a name of 10,000 characters of markup is cut before escaping: no entity split, still within the limit', () => {
    const name = '<&>"'.repeat(2500);
    const parts = telegramMessages(alertOf([changeSet(7, 'lmarena-text', [entered('lmarena-text', name, 1), entered('lmarena-text', 'next', 2)], { summary: `lmarena-text: ${name}` })]));
    for (const part of parts) visible(part);
    expect(parts[0]).toContain('…');
    expect(parts.join('\n')).toContain('• next enters lmarena-text at #2 with 1390');
  });

  it('escapes &, < and > (and " in links) as entities', () => {
    expect(escapeTelegram('R&D <b> "x"')).toBe('R&amp;D &lt;b&gt; "x"');
    const url = 'https://rankwatch.example/v1/changes/7?a="b"&c=<d>';
    const [part] = telegramMessages(alertOf([changeSet(7, 'lmarena-text', [entered('lmarena-text', 'm', 1)], { url })]));
    expect(part).toContain('<a href="https://rankwatch.example/v1/changes/7?a=&quot;b&quot;&amp;c=&lt;d&gt;">');
    expect(hrefs(part!)).toEqual([url]);
  });

  it('a small change set: one message, the summary linked as headline, one bullet per event', () => {
    const set = changeSet(7, 'lmarena-text', [entered('lmarena-text', 'qwen-max', 3), rankMove('lmarena-text', 'gpt-4o', 2, 4)], { summary: 'lmarena-text: 1 entered; 1 rank move' });
    const parts = telegramMessages(alertOf([set]));
    expect(parts).toHaveLength(1);
    const lines = parts[0]!.split('\n');
    expect(lines.slice(0, 2)).toEqual(['<b><a href="https://rankwatch.example/v1/changes/7">lmarena-text: 1 entered; 1 rank move</a></b>', '• qwen-max enters lmarena-text at #3 with 1390']);
    expect(lines.slice(2)).toEqual([expect.stringMatching(/^• gpt-4o .*#2.*#4/)]);
  });

  it('a test alert says it shows a sample, after its events too; with nothing to sample it says "No changes."', () => {
    const set = changeSet(7, 'lmarena-text', Array.from({ length: 20 }, (_, i) => entered('lmarena-text', `m${i}`, i + 1)), { totalEvents: 562 });
    const [part] = telegramMessages(alertOf([set], { type: 'test.sent' }));
    expect(part).toMatch(/^<b><a href="[^"]+">Test alert from rankwatch \(showing 20 of 562 events\): /);
    expect(part!.split('\n').at(-1)).toBe('…showing 20 of 562 events (a sample): <a href="https://rankwatch.example/v1/changes/7">full change set</a>');
    expect(telegramMessages(alertOf([], { type: 'test.sent' }))).toEqual(['<b>Test alert from rankwatch: no changes</b>\nNo changes.']);
  });

  it('splits only between lines: each part’s lines are whole lines of the message, in order, none repeated', () => {
    const set = bigChangeSet(150);
    const parts = telegramMessages(alertOf([set]));
    expect(parts.length).toBeGreaterThanOrEqual(3);
    expect(parts.length).toBeLessThanOrEqual(MAX_PARTS);
    parts.forEach(visible);
    const lines = parts.flatMap((part) => part.split('\n'));
    const events = lines.filter((line) => line.startsWith('• '));
    expect(events).toHaveLength(150);
    expect(new Set(events).size).toBe(150);
    // Without a cut, the last line is the last event.
    expect(lines.at(-1)).toMatch(/^• /);
  });
});

describe('render: sendMessage requests', () => {
  it('one JSON request per part to the method URL (no query), with chat, topic, HTML parse mode and no link previews', () => {
    const url = `https://api.telegram.org/bot${TOKEN}/sendMessage?chat_id=-1001234567890&message_thread_id=42`;
    const requests = telegram.render(alertOf([bigChangeSet(600)]), target(url)) as ChannelRequest[];
    const parts = telegramMessages(alertOf([bigChangeSet(600)]));
    expect(requests).toHaveLength(parts.length);
    for (const request of requests) {
      expect(request.url.href).toBe(`https://api.telegram.org/bot${TOKEN}/sendMessage`);
      expect(request.headers['content-type']).toBe('application/json');
      const body = JSON.parse(request.body) as Record<string, unknown>;
      expect(body).toEqual({ chat_id: -1001234567890, message_thread_id: 42, text: expect.any(String), parse_mode: 'HTML', link_preview_options: { is_disabled: true } });
    }
    expect(requests.map((request) => (JSON.parse(request.body) as { text: string }).text.split('\n').length)).toEqual(parts.map((part) => part.split('\n').length));
  });

  it('a public channel keeps its @name as chat_id', () => {
    const [request] = telegram.render(alertOf([bigChangeSet(3)]), target(`https://api.telegram.org/bot${TOKEN}/sendMessage?chat_id=@rankwatch_alerts`)) as ChannelRequest[];
    expect(JSON.parse(request!.body)).toMatchObject({ chat_id: '@rankwatch_alerts' });
    expect(JSON.parse(request!.body)).not.toHaveProperty('message_thread_id');
  });
});

describe('URLs: the Bot API form and Apprise’s tgram://', () => {
  const api = (chat: string, thread = '') => `https://api.telegram.org/bot${TOKEN}/sendMessage?chat_id=${chat}${thread ? `&message_thread_id=${thread}` : ''}`;

  it.each([
    [api('-1001234567890'), api('-1001234567890')],
    [api('42', '7'), api('42', '7')],
    [api('@rankwatch_alerts'), api('@rankwatch_alerts')],
    [`https://api.telegram.org/bot${TOKEN}/sendmessage?chat_id=42`, api('42')],
    [`tgram://${TOKEN}/-1001234567890`, api('-1001234567890')],
    [`TGRAM://bot${TOKEN}/42/`, api('42')],
    [`tgram://${TOKEN.replace(':', '%3A')}/42`, api('42')],
    [`tgram://${TOKEN}/-1001234567890:17`, api('-1001234567890', '17')],
    [`tgram://${TOKEN}/-1001234567890?topic=17`, api('-1001234567890', '17')],
    [`tgram://${TOKEN}/-1001234567890?thread=17`, api('-1001234567890', '17')],
    [`tgram://${TOKEN}/%40rankwatch_alerts`, api('@rankwatch_alerts')],
    [`tgram://${TOKEN}/rankwatch_alerts`, api('@rankwatch_alerts')],
    [`tgram://${TOKEN}?to=42`, api('42')],
  ])('%s is stored as the Bot API URL', (input, stored) => {
    expect(storedTarget(input.startsWith('tgram') || input.startsWith('TGRAM') ? undefined : 'telegram', input)).toEqual({ channel: 'telegram', url: stored, credential: null });
  });

  it('a self-hosted Bot API server keeps its own origin', () => {
    expect(telegram.parseUrl(`https://tg.example.org:8081/bot${TOKEN}/sendMessage?chat_id=42`).url).toBe(`https://tg.example.org:8081/bot${TOKEN}/sendMessage?chat_id=42`);
  });

  it.each([
    [`tgram://${TOKEN}`, /needs a chat id/],
    [`tgram://${TOKEN}/`, /needs a chat id/],
    [`tgram://${TOKEN}/42/43`, /names 2 chats: make one subscription per chat/],
    [`tgram://${TOKEN}/42?to=43`, /names 2 chats: make one subscription per chat/],
    [`tgram://${TOKEN}/42?silent=yes`, /does not take \?silent/],
    [`tgram://${TOKEN}/42:5?topic=6`, /more than one forum topic/],
    [`tgram://${TOKEN}/not a chat!`, /chat id must be/],
    [`tgram://${SECRET}/42`, /tgram:\/\/<bot_token>\/<chat_id>/],
    [`tgram://12345/42`, /tgram:\/\/<bot_token>\/<chat_id>/],
    [`https://api.telegram.org/bot${TOKEN}/getUpdates?chat_id=42`, /sendMessage method/],
    [`https://api.telegram.org/bot${SECRET}/sendMessage?chat_id=42`, /bot token is not of the form/],
    ['https://api.telegram.org/bot%ZZ/sendMessage?chat_id=42', /bot token is not of the form/],
    [`tgram://${TOKEN}/%ZZ`, /not valid percent-encoding/],
    [`https://api.telegram.org/bot${TOKEN}/sendMessage`, /needs one chat_id/],
    [`https://api.telegram.org/bot${TOKEN}/sendMessage?chat_id=1&chat_id=2`, /needs one chat_id/],
    [`https://api.telegram.org/bot${TOKEN}/sendMessage?chat_id=x y`, /needs one chat_id/],
    [`https://api.telegram.org/bot${TOKEN}/sendMessage?chat_id=42&parse_mode=MarkdownV2`, /sets parse_mode itself/],
    [`https://api.telegram.org/bot${TOKEN}/sendMessage?chat_id=42&message_thread_id=-3`, /message_thread_id must be one positive number/],
  ])('%s is refused with a clear error that never repeats the token', (input, message) => {
    let error: unknown;
    try {
      storedTarget(input.startsWith('tgram') ? undefined : 'telegram', input);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain(SECRET);
    expect((error as Error).message).not.toContain(SECRET.slice(0, 12));
  });

  it('a tgram:// URL given with another channel is refused without repeating it', () => {
    expect(() => storedTarget('slack', `tgram://${TOKEN}/42`)).toThrow(/a tgram:\/\/ URL is a telegram subscription, not slack/);
    try {
      storedTarget('slack', `tgram://${TOKEN}/42`);
    } catch (error) {
      expect((error as Error).message).not.toContain(SECRET);
    }
  });

  it('shows the URL with the token’s secret masked, the bot id and chat kept', () => {
    expect(shownUrl('telegram', api('-1001234567890', '17'))).toBe('https://api.telegram.org/bot123456789:****/sendMessage?chat_id=-1001234567890&message_thread_id=17');
    expect(shownUrl('telegram', 'https://api.telegram.org/something/else')).toBe('https://api.telegram.org/****');
  });

  it('the stored URL passes the channel’s check again at send time, and a changed one does not', () => {
    expect(telegram.acceptUrl(new URL(api('42'))).href).toBe(api('42'));
    expect(() => telegram.acceptUrl(new URL(`https://api.telegram.org/bot${TOKEN}/sendPhoto?chat_id=42`))).toThrow(InvalidInputError);
  });
});

describe('judge: Telegram’s answers', () => {
  const answer = (statusCode: number, body: object | string, headers: Record<string, string> = {}) => ({ statusCode, headers, body: typeof body === 'string' ? body : JSON.stringify(body) });

  it('200 ok is delivered', () => {
    expect(telegram.judge(answer(200, { ok: true, result: { message_id: 1 } }), now)).toEqual({ outcome: 'delivered', statusCode: 200 });
  });

  it('429 waits as long as parameters.retry_after says (seconds); a Retry-After header first', () => {
    expect(telegram.judge(answer(429, { ok: false, error_code: 429, description: 'Too Many Requests: retry after 7', parameters: { retry_after: 7 } }), now)).toEqual({
      outcome: 'failed',
      statusCode: 429,
      error: expect.stringContaining('Too Many Requests: retry after 7'),
      retryAfterMs: 7000,
    });
    expect(telegram.judge(answer(429, { ok: false, parameters: { retry_after: 7 } }, { 'retry-after': '9' }), now)).toMatchObject({ retryAfterMs: 9000 });
  });

  it.each([
    [401, { ok: false, error_code: 401, description: 'Unauthorized' }, 'Telegram answered 401 Unauthorized: the bot token is revoked or wrong'],
    [403, { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' }, 'Telegram answered 403 Forbidden: bot was blocked by the user: the bot can no longer post in this chat'],
    [403, { ok: false, error_code: 403, description: 'Forbidden: bot was kicked from the supergroup chat' }, 'Telegram answered 403 Forbidden: bot was kicked from the supergroup chat: the bot can no longer post in this chat'],
    [403, { ok: false, error_code: 403, description: 'Forbidden: user is deactivated' }, 'Telegram answered 403 Forbidden: user is deactivated: the bot can no longer post in this chat'],
    [400, { ok: false, error_code: 400, description: 'Bad Request: chat not found' }, 'Telegram answered 400 Bad Request: chat not found: the chat is gone'],
    [
      400,
      { ok: false, error_code: 400, description: 'Bad Request: group chat was upgraded to a supergroup chat', parameters: { migrate_to_chat_id: -1009876543210 } },
      'Telegram answered 400 Bad Request: group chat was upgraded to a supergroup chat: the group became a supergroup, chat id -1009876543210; subscribe again with chat_id=-1009876543210',
    ],
  ])('%i %j disables the subscription, saying why in Telegram’s words', (statusCode, body, error) => {
    expect(telegram.judge(answer(statusCode, body), now)).toEqual({ outcome: 'gone', statusCode, error });
  });

  it.each([
    [400, { ok: false, error_code: 400, description: "Bad Request: can't parse entities: unexpected end tag" }],
    [403, { ok: false, error_code: 403, description: 'Forbidden: something new' }],
    [404, { ok: false, error_code: 404, description: 'Not Found' }],
    [500, { ok: false, error_code: 500, description: 'Internal Server Error' }],
    [502, '<html>Bad Gateway</html>'],
  ])('%i %j is a failure to retry', (statusCode, body) => {
    expect(telegram.judge(answer(statusCode, body), now)).toMatchObject({ outcome: 'failed', statusCode, retryAfterMs: null });
  });
});
