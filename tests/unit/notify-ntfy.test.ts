// The ntfy channel: a JSON publish within ntfy's limits (counted in UTF-8 bytes, not characters),
// priority and tags by content, the https and Apprise URL forms with credentials kept apart, and
// ntfy's answers.
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors.ts';
import type { Alert } from '../../src/notify/alert.ts';
import type { ChannelRequest } from '../../src/notify/channels/adapter.ts';
import { checkChannelUrl, shownUrl, storedTarget } from '../../src/notify/channels/index.ts';
import { ntfy, NTFY_LIMITS, ntfyMessage, truncateBytes, utf8Length } from '../../src/notify/channels/ntfy.ts';
import { alertOf, bigChangeSet, changeSet, digest, entered, HOSTILE, newLeader, rankMove, scrapeFailed } from '../support/alerts.ts';

const now = new Date('2026-11-23T14:00:00Z');
const target = (url: string, secret: string | null = null) => ({ url, secret, previousSecret: null, previousSecretUntil: null });
const publicDns = async () => [{ address: '34.206.0.1', family: 4 }];

/** Every limit ntfy documents, in bytes; returns the message. */
function expectWithinLimits(message: ReturnType<typeof ntfyMessage>): string {
  expect(utf8Length(message.message)).toBeLessThanOrEqual(NTFY_LIMITS.message);
  expect(utf8Length(message.title)).toBeLessThanOrEqual(NTFY_LIMITS.title);
  expect(message.title.length).toBeLessThanOrEqual(NTFY_LIMITS.titleText);
  expect(utf8Length(message.tags.join(','))).toBeLessThanOrEqual(NTFY_LIMITS.tags);
  expect(message.message.trim().length).toBeGreaterThan(0);
  return message.message;
}

describe('ntfyMessage: within ntfy’s limits', () => {
  it('a 600-event change set: the message within 4,096 bytes, ending with "…and N more: <url>"', () => {
    const set = bigChangeSet(600);
    const text = expectWithinLimits(ntfyMessage(alertOf([set])));
    expect(utf8Length(text)).toBeGreaterThan(NTFY_LIMITS.message - 400);
    const shown = text.split('\n').filter((line) => line.startsWith('• ')).length;
    expect(text.split('\n').at(-1)).toBe(`…and ${600 - shown} more: ${set.url}`);
  });

  it('counts bytes, not characters: 600 events of Chinese model names (3 bytes a character) stay within 4,096 bytes', () => {
    const set = bigChangeSet(600, (i) => `通义千问-旗舰版-${i}-预览`);
    const text = expectWithinLimits(ntfyMessage(alertOf([set])));
    // Full in bytes, far from full in characters: a count of characters would have let more through.
    expect(utf8Length(text)).toBeGreaterThan(NTFY_LIMITS.message - 300);
    expect(text.length).toBeLessThan(NTFY_LIMITS.message - 600);
    expect(text).toContain('• 通义千问-旗舰版-0-预览 enters lmarena-text at #50 with 1390');
  });

  it('emoji and long names are cut whole characters at a time', () => {
    const name = '🏆'.repeat(400);
    const message = ntfyMessage(alertOf([changeSet(7, 'lmarena-text', [entered('lmarena-text', name, 1)], { summary: `lmarena-text: ${name}` })]));
    const text = expectWithinLimits(message);
    expect(message.title.endsWith('…')).toBe(true);
    expect(text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(truncateBytes('🏆🏆', 5)).toBe('…');
    expect(truncateBytes('ab🏆🏆', 7)).toBe('ab…');
    expect(truncateBytes('ab🏆', 6)).toBe('ab🏆');
  });

  it('a digest of 30 change sets: within the limits, and every change set shown, listed or counted', () => {
    const alert = digest(30);
    const message = ntfyMessage(alert);
    const text = expectWithinLimits(message);
    expect(message.title).toBe('daily digest, 2026-11-23 UTC: 30 change sets');
    const shown = alert.changeSets.filter((set) => text.includes(`: ${set.url}`)).length;
    const counted = Number(/\n…and (\d+) more$/.exec(text)?.[1] ?? 0);
    expect(shown + counted).toBe(30);
    expect(text).toMatch(/\n\n…and \d+ more change sets:\n• board-/);
    expect(message.click).toBe(alert.changeSets[0]!.url);
  });

  it('hostile names go through as plain text, unchanged (no markdown, nothing to escape)', () => {
    const events = HOSTILE.map((name, i) => entered('lmarena-text', name, i + 1));
    const message = ntfyMessage(alertOf([changeSet(7, 'lmarena-text', events, { summary: 'lmarena-text: hostile names' })]));
    expect(message.message.split('\n')).toEqual([...HOSTILE.map((name, i) => `• ${name} enters lmarena-text at #${i + 1} with 1390`), 'Full change set: https://rankwatch.example/v1/changes/7']);
    expect(message).not.toHaveProperty('markdown');
  });

  it('a title cut to 250 characters repeats the whole summary first in the message', () => {
    const summary = `lmarena-text: ${'a long summary; '.repeat(30)}`;
    const message = ntfyMessage(alertOf([changeSet(7, 'lmarena-text', [entered('lmarena-text', 'm', 1)], { summary })]));
    expect(message.title).toHaveLength(NTFY_LIMITS.titleText);
    expect(message.message.split('\n')[0]).toBe(summary);
  });

  it('a test alert with a sample says so; with nothing to sample it says "No changes."', () => {
    const set = changeSet(7, 'lmarena-text', Array.from({ length: 20 }, (_, i) => entered('lmarena-text', `m${i}`, i + 1)), { totalEvents: 562 });
    const message = ntfyMessage(alertOf([set], { type: 'test.sent' }));
    expect(message.title).toMatch(/^Test alert from rankwatch \(showing 20 of 562 events\): /);
    expect(message.message.split('\n').at(-1)).toBe('…showing 20 of 562 events (a sample): https://rankwatch.example/v1/changes/7');
    expect(message.tags[0]).toBe('test_tube');
    expect(ntfyMessage(alertOf([], { type: 'test.sent' }))).toEqual({ title: 'Test alert from rankwatch: no changes', message: 'No changes.', priority: 3, tags: ['test_tube'] });
  });
});

describe('priority and tags by content', () => {
  const of = (...sets: Parameters<typeof changeSet>[]) => ntfyMessage(alertOf(sets.map((args) => changeSet(...args))));

  it.each([
    ['a new #1', [newLeader('lmarena-text')], {}, 4, ['trophy', 'chart_with_upwards_trend', 'lmarena-text']],
    ['a failing scrape', [scrapeFailed('lmarena-text')], {}, 4, ['warning', 'chart_with_downwards_trend', 'lmarena-text']],
    ['rank rises', [rankMove('lmarena-text', 'a', 5, 3)], {}, 3, ['chart_with_upwards_trend', 'lmarena-text']],
    ['rank falls', [rankMove('lmarena-text', 'a', 3, 5)], {}, 3, ['chart_with_downwards_trend', 'lmarena-text']],
    ['a bulk removal', [rankMove('lmarena-text', 'a', 3, 5)], { bulkRemoval: true }, 3, ['warning', 'chart_with_downwards_trend', 'lmarena-text']],
  ] as const)('%s: priority %#', (_, events, extra, priority, tags) => {
    const message = of([7, 'lmarena-text', [...events], extra]);
    expect(message.priority).toBe(priority);
    expect(message.tags).toEqual(tags);
  });

  it('a digest tags every board once, within 512 bytes', () => {
    const alert: Alert = { ...digest(200), type: 'digest.published' };
    const message = ntfyMessage(alert);
    expect(message.tags.slice(0, 2)).toEqual(['warning', 'chart_with_upwards_trend']);
    expect(message.tags).toContain('board-0');
    expect(new Set(message.tags).size).toBe(message.tags.length);
    expect(utf8Length(message.tags.join(','))).toBeLessThanOrEqual(NTFY_LIMITS.tags);
    expect(message.tags.length).toBeLessThan(202);
  });
});

describe('render: a JSON publish to the server’s root', () => {
  it('posts {topic, title, message, priority, tags, click} to https://<host>/, with the stored credential as Authorization', () => {
    const alert = alertOf([bigChangeSet(3)]);
    const request = ntfy.render(alert, target('https://ntfy.example.com:8443/rankwatch-alerts', 'Bearer tk_abc')) as ChannelRequest;
    expect(request.url.href).toBe('https://ntfy.example.com:8443/');
    expect(request.headers).toMatchObject({ 'content-type': 'application/json', authorization: 'Bearer tk_abc' });
    expect(JSON.parse(request.body)).toEqual({ topic: 'rankwatch-alerts', ...ntfyMessage(alert) });
    const anonymous = ntfy.render(alert, target('https://ntfy.sh/rankwatch-alerts')) as ChannelRequest;
    expect(anonymous.headers).not.toHaveProperty('authorization');
  });
});

describe('URLs: https and Apprise’s ntfy:// and ntfys://', () => {
  const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

  it.each([
    ['https://ntfy.sh/rankwatch-alerts', 'https://ntfy.sh/rankwatch-alerts', null],
    ['https://ntfy.example.com:8443/alerts', 'https://ntfy.example.com:8443/alerts', null],
    ['https://alice:s3cr%40t@ntfy.example.com/alerts', 'https://ntfy.example.com/alerts', basic('alice', 's3cr@t')],
    ['https://ntfy.example.com/alerts?token=tk_AgQdq7mVBoFD37zQVN29RhuMzNIz2', 'https://ntfy.example.com/alerts', 'Bearer tk_AgQdq7mVBoFD37zQVN29RhuMzNIz2'],
    ['https://tk_AgQdq7mVBoFD37zQVN29RhuMzNIz2@ntfy.example.com/alerts', 'https://ntfy.example.com/alerts', 'Bearer tk_AgQdq7mVBoFD37zQVN29RhuMzNIz2'],
    ['ntfy://rankwatch-alerts', 'https://ntfy.sh/rankwatch-alerts', null],
    ['ntfys://rankwatch-alerts', 'https://ntfy.sh/rankwatch-alerts', null],
    ['ntfy://ntfy.sh/rankwatch-alerts', 'https://ntfy.sh/rankwatch-alerts', null],
    ['ntfy://ntfy.example.com/alerts', 'http://ntfy.example.com/alerts', null],
    ['ntfy://ntfy.example.com:8080/alerts', 'http://ntfy.example.com:8080/alerts', null],
    ['ntfys://ntfy.example.com/alerts', 'https://ntfy.example.com/alerts', null],
    ['NTFYS://ntfy.example.com:8443/alerts/', 'https://ntfy.example.com:8443/alerts', null],
    ['ntfys://alice:s3cr%40t@ntfy.example.com/alerts', 'https://ntfy.example.com/alerts', basic('alice', 's3cr@t')],
    ['ntfys://tk_AgQdq7mVBoFD37zQVN29RhuMzNIz2@ntfy.example.com/alerts', 'https://ntfy.example.com/alerts', 'Bearer tk_AgQdq7mVBoFD37zQVN29RhuMzNIz2'],
    ['ntfys://:tk_AgQdq7mVBoFD37zQVN29RhuMzNIz2@ntfy.example.com/alerts', 'https://ntfy.example.com/alerts', 'Bearer tk_AgQdq7mVBoFD37zQVN29RhuMzNIz2'],
    ['ntfys://ntfy.example.com/alerts?token=tk_AgQdq7mVBoFD37zQVN29RhuMzNIz2', 'https://ntfy.example.com/alerts', 'Bearer tk_AgQdq7mVBoFD37zQVN29RhuMzNIz2'],
    ['ntfys://tk_AgQdq7mVBoFD37zQVN29RhuMzNIz2@rankwatch-alerts', 'https://ntfy.sh/rankwatch-alerts', 'Bearer tk_AgQdq7mVBoFD37zQVN29RhuMzNIz2'],
  ])('%s is stored as %s, its credential kept apart', (input, url, credential) => {
    expect(storedTarget(/^ntfy/i.test(input) ? undefined : 'ntfy', input)).toEqual({ channel: 'ntfy', url, credential });
  });

  it.each([
    ['ntfys://ntfy.example.com/alerts/other', /names 2 topics: make one subscription per topic/],
    ['ntfys://ntfy.example.com/bad.topic', /1–64 letters, digits, _ or -/],
    [`ntfys://ntfy.example.com/${'x'.repeat(65)}`, /1–64 letters/],
    ['ntfys://alice@ntfy.example.com/alerts', /user:password@ or an access token/],
    ['ntfys://alice:@ntfy.example.com/alerts', /user:password@ or an access token/],
    ['ntfys://ntfy.example.com/alerts?priority=max', /does not take \?priority/],
    ['ntfys://ntfy.example.com/alerts?token=', /\?token= is empty/],
    ['ntfys://alice:hunter2hunter2@ntfy.example.com/alerts?token=tk_zzzzzzzzzz', /either \?token= or user:password@/],
    ['ntfys://alice:hunter2%ZZ@ntfy.example.com/alerts', /not valid percent-encoding/],
    ['ntfys:///alerts', /names no server/],
    ['https://ntfy.example.com/', /names one topic/],
    ['https://ntfy.example.com/a/b', /names one topic/],
    ['https://ntfy.example.com/alerts?title=x', /does not take \?title/],
  ])('%s is refused with a clear error that never repeats a credential', (input, message) => {
    let error: unknown;
    try {
      storedTarget(/^ntfy/i.test(input) ? undefined : 'ntfy', input);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toMatch(message);
    for (const secret of ['hunter2', 'tk_zzz', 'alice']) expect((error as Error).message).not.toContain(secret);
  });

  it('ntfy://<host>/<topic> is http: the URL guard refuses it unless the host is allow-listed', async () => {
    const { url } = storedTarget(undefined, 'ntfy://ntfy.example.com/alerts');
    await expect(checkChannelUrl('ntfy', url, { allowHosts: [], lookup: publicDns })).rejects.toThrow(/scheme http is not allowed; http is allowed only for hosts in RANKWATCH_WEBHOOK_ALLOW_HOSTS/);
    await expect(checkChannelUrl('ntfy', url, { allowHosts: ['ntfy.example.com'], lookup: publicDns })).resolves.toMatchObject({ addresses: ['34.206.0.1'] });
    await expect(checkChannelUrl('ntfy', storedTarget(undefined, 'ntfys://ntfy.example.com/alerts').url, { allowHosts: [], lookup: publicDns })).resolves.toMatchObject({ addresses: ['34.206.0.1'] });
  });

  it('shows the topic URL with all but the topic’s first 3 characters masked, never a credential', () => {
    const { url } = storedTarget(undefined, 'ntfys://alice:hunter2@ntfy.example.com/rankwatch-alerts');
    expect(shownUrl('ntfy', url)).toBe('https://ntfy.example.com/ran****');
    expect(shownUrl('ntfy', 'https://ntfy.sh/abc')).toBe('https://ntfy.sh/abc****');
    expect(shownUrl('ntfy', 'https://ntfy.sh/a/b')).toBe('https://ntfy.sh/****');
  });
});

describe('judge: ntfy’s answers', () => {
  const answer = (statusCode: number, body = '', headers: Record<string, string> = {}) => ({ statusCode, headers, body });

  it('200 is delivered', () => {
    expect(ntfy.judge(answer(200, '{"id":"abc","event":"message"}'), now)).toEqual({ outcome: 'delivered', statusCode: 200 });
  });

  it('429 is retried, after Retry-After when given', () => {
    const limited = '{"code":42901,"http":429,"error":"limit reached: too many requests, please be nice","link":"https://ntfy.sh/docs/publish/#limitations"}';
    expect(ntfy.judge(answer(429, limited, { 'retry-after': '30' }), now)).toEqual({ outcome: 'failed', statusCode: 429, error: `HTTP 429: ${limited}`, retryAfterMs: 30_000 });
    expect(ntfy.judge(answer(429, limited), now)).toMatchObject({ outcome: 'failed', retryAfterMs: null });
  });

  it.each([
    [401, '{"code":40101,"http":401,"error":"unauthorized","link":"https://ntfy.sh/docs/publish/#authentication"}', 'ntfy answered 401 unauthorized: '],
    [403, '{"code":40301,"http":403,"error":"forbidden","link":"https://ntfy.sh/docs/publish/#authentication"}', 'ntfy answered 403 forbidden: '],
    [403, 'Forbidden', 'ntfy answered 403: '],
  ])('%i disables the subscription: the server refused the credentials', (statusCode, body, start) => {
    const result = ntfy.judge(answer(statusCode, body), now);
    expect(result).toMatchObject({ outcome: 'gone', statusCode });
    expect((result as { error: string }).error.startsWith(start)).toBe(true);
    expect((result as { error: string }).error).toMatch(/refused to let rankwatch publish to this topic/);
  });

  it.each([
    [404, '{"code":40401,"http":404,"error":"page not found"}'],
    [413, '{"code":41303,"http":413,"error":"JSON body too large"}'],
    [500, '{"code":50001,"http":500,"error":"internal server error"}'],
    [502, 'Bad Gateway'],
  ])('%i is a failure to retry (a 404 too: topics are made on the fly, so it says the URL is wrong, which can be fixed there)', (statusCode, body) => {
    expect(ntfy.judge(answer(statusCode, body), now)).toMatchObject({ outcome: 'failed', statusCode });
  });
});
