import { marked } from 'marked';
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../src/diff/events.ts';
import { InvalidInputError } from '../../src/errors.ts';
import type { Alert, AlertChangeSet } from '../../src/notify/alert.ts';
import type { ChannelRequest } from '../../src/notify/channels/adapter.ts';
import { CHANNEL_ADAPTERS, checkChannelUrl, shownUrl, storedTarget } from '../../src/notify/channels/index.ts';
import { escapeMattermost, MATTERMOST_COLORS, MATTERMOST_LIMITS, mattermostMessage, type MattermostMessage } from '../../src/notify/channels/mattermost.ts';

// Mattermost renders `text` and attachment text as markdown (marked, CommonMark with GFM): each is
// read back with marked here, and model names must come out as plain text, with no mention.

const mattermost = CHANNEL_ADAPTERS.mattermost;
const now = new Date('2026-11-23T14:00:00Z');
const CAPTURED = '2026-11-23T14:05:00.000Z';
const BOARD = 'lmarena-text';
const KEY = 'yobjmukpaw3r3urc5h6i369yim';
const HOOK = `https://chat.example.com/hooks/${KEY}`;
const NASTY = ['*gpt*_4_', 'Gemini__x', 'R&D <b>"beta"</b>', 'A &amp; B', '~~strike~~', '`code`', '# not a heading', '[click](https://evil.example)', 'a](https://evil.example)', 'back\\slash*', '1. numbered', '> quote', 'pipe | cell', '@channel', '@all hands', 'mail@here'];

let nextId = 1;
function rankMove(model: string, from: number, to: number): StoredEvent {
  const id = nextId++;
  return { id, key: `${BOARD}|${CAPTURED}|rank_changed|${model}`, board: BOARD, kind: 'rank_changed', model, name: model, capturedAt: CAPTURED, snapshotId: 7, old: { rank: from }, new: { rank: to }, data: { delta: from - to, significant: true, margin: 2.5, passed: [] }, status: 'published', settledAt: CAPTURED } as StoredEvent;
}

function changeSet(id: number, events: StoredEvent[], extra: Partial<AlertChangeSet> = {}): AlertChangeSet {
  return { id, board: BOARD, capturedAt: CAPTURED, summary: `${BOARD}: ${events.length} rank moves`, bulkRemoval: false, methodologyChanged: false, url: `https://rankwatch.example/v1/changes/${id}`, events, ...extra };
}

const alertOf = (changeSets: AlertChangeSet[], type: Alert['type'] = changeSets.length > 1 ? 'digest.published' : 'change_set.published', title?: string): Alert => ({
  id: 'msg_1',
  type,
  timestamp: CAPTURED,
  ...(title ? { title } : {}),
  changeSets,
});

const bigChangeSet = () => changeSet(7, Array.from({ length: 600 }, (_, i) => rankMove(`a-rather-long-model-name-${i}-preview-2026-11-23`, i + 11, i + 10)), { bulkRemoval: true, methodologyChanged: true });
const digestOf = (count: number) =>
  alertOf(
    Array.from({ length: count }, (_, i) => changeSet(100 + i, Array.from({ length: 50 }, (__, j) => rankMove(`model-${i}-${j}`, j + 3, j + 2)), { summary: `board-${i}: ${'methodology changed (added style control); '.repeat(6)}50 rank moves`, methodologyChanged: true })),
    'digest.published',
    `weekly digest, ${'very long title '.repeat(12)}`,
  );

/** A bare URL in text is linked as itself, as any chat client does: not formatting. */
function unlinkBareUrls(html: string): string {
  return html.replace(/<a href="[^"]*">((?:https?:\/\/|www\.)[^<]*)<\/a>/g, '$1');
}

/** The text markdown shows for inline markdown that must be plain; throws naming any element it would make or a mention it would ping. */
function plainText(markdown: string): string {
  const html = unlinkBareUrls(marked.parseInline(markdown, { async: false }));
  const tag = /<([a-z]+)/i.exec(html);
  if (tag) throw new Error(`${JSON.stringify(markdown)} renders as ${tag[1]}`);
  // Mattermost's mentions: @ followed by a name character.
  if (/(^|[^\w])@[a-z0-9]/i.test(html)) throw new Error(`${JSON.stringify(markdown)} mentions someone`);
  return html.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&').replace(/\u200b/g, '');
}

/** All the text a message carries, as Mattermost counts a post. */
function postText(message: MattermostMessage): number {
  return message.text.length + (message.attachments ?? []).reduce((sum, attachment) => sum + attachment.title.length + attachment.fallback.length + attachment.text.length, 0);
}

/** The message as Mattermost would take it: within its post limit, attachments Slack-shaped. */
function expectMattermostAccepts(message: MattermostMessage): MattermostMessage {
  expect(postText(message)).toBeLessThanOrEqual(MATTERMOST_LIMITS.postText);
  expect(message.text.length).toBeGreaterThan(0);
  expect((message.attachments ?? []).length).toBeLessThanOrEqual(MATTERMOST_LIMITS.attachments);
  for (const attachment of message.attachments ?? []) {
    expect(Object.keys(attachment).sort()).toEqual(['color', 'fallback', 'text', 'title', 'title_link']);
    expect(Object.values(MATTERMOST_COLORS)).toContain(attachment.color);
    expect(attachment.title.length).toBeLessThanOrEqual(MATTERMOST_LIMITS.title);
    expect(attachment.title_link).toMatch(/^https:\/\/rankwatch\.example\/v1\/changes\/\d+$/);
  }
  return message;
}

describe('Mattermost markdown escaping (checked with marked)', () => {
  it.each(NASTY)('%s renders as exactly that text, also as a list item, and pings nobody', (name) => {
    expect(plainText(escapeMattermost(name))).toBe(name);
    const html = unlinkBareUrls(marked.parse(`- ${escapeMattermost(name)} rises`, { async: false }));
    expect(html.replace(/\s+/g, ' ').trim()).toMatch(/^<ul> <li>[^<]*<\/li> <\/ul>$/);
  });

  it('unescaped, the same names would render as formatting or mention (so the check above can fail)', () => {
    expect(() => plainText('*gpt*_4_')).toThrow(/renders as em/);
    expect(() => plainText('Gemini **x** ~~y~~')).toThrow(/renders as strong/);
    expect(() => plainText('@channel')).toThrow(/mentions someone/);
  });

  it('every nasty name in a change set: its lines show the names as written; the title and fallback stay plain text', () => {
    const events = NASTY.map((name, i) => rankMove(name, i + 5, i + 4));
    const summary = `${BOARD}: *gpt*_4_ [click](https://evil.example) & @channel`;
    const message = expectMattermostAccepts(mattermostMessage(alertOf([changeSet(7, events, { summary })])));
    expect(plainText(message.text.replace(/^\*\*(.*)\*\*$/, '$1'))).toBe(summary);
    const [attachment] = message.attachments!;
    // Mattermost shows a linked title and the fallback as written (no markdown in them).
    expect(attachment).toMatchObject({ title: summary, fallback: summary, title_link: 'https://rankwatch.example/v1/changes/7' });
    const items = attachment!.text.split('\n').filter((line) => line.startsWith('- ')).map((line) => plainText(line.slice(2)));
    expect(items).toEqual(events.map((event) => `${event.name} rises from #${(event.old as { rank: number }).rank} to #${(event.new as { rank: number }).rank} on ${BOARD} (significant: clear of the confidence intervals)`));
  });
});

describe('the message within Mattermost’s post limit', () => {
  it('a change set of 600 events: bold headline, one attachment with flags, events cut with "…and N more" and a link', () => {
    const message = expectMattermostAccepts(mattermostMessage(alertOf([bigChangeSet()])));
    expect(message.text).toBe(`**${BOARD}: 600 rank moves**`);
    const [attachment] = message.attachments!;
    expect(attachment!.color).toBe(MATTERMOST_COLORS.methodology);
    const lines = attachment!.text.split('\n');
    expect(lines.slice(0, 2)).toEqual([expect.stringMatching(/^:warning: \*\*Methodology change:\*\* /), expect.stringMatching(/^:warning: \*\*Bulk removal:\*\* /)]);
    const shown = lines.filter((line) => line.startsWith('- ')).length;
    expect(shown).toBeGreaterThan(100);
    expect(shown).toBeLessThan(600);
    expect(lines).toContain(`…and ${600 - shown} more: [full change set](https://rankwatch.example/v1/changes/7)`);
    expect(lines.at(-1)).toBe(`_captured ${CAPTURED}_`);
  });

  it('a digest of 30 heavy change sets: 10 attachments, the other 20 linked in the text under "…and 20 more change sets"', () => {
    const message = expectMattermostAccepts(mattermostMessage(digestOf(30)));
    expect(message.attachments).toHaveLength(MATTERMOST_LIMITS.attachments);
    const [headline, blank, heading, ...links] = message.text.split('\n');
    expect(headline).toMatch(/^\*\*weekly digest, very long title .*: 30 change sets\*\*$/);
    expect(blank).toBe('');
    expect(heading).toBe('**…and 20 more change sets:**');
    expect(links.filter((line) => line.startsWith('- [')).length + Number(/^…and (\d+) more$/.exec(links.at(-1) ?? '')?.[1] ?? 0)).toBe(20);
    expect(links[0]).toMatch(/^- \[lmarena-text: board-10: .*\]\(https:\/\/rankwatch\.example\/v1\/changes\/110\)$/);
  });

  it('a subscription’s filtered alert says it shows the events matching its filters, of how many', () => {
    const filtered = changeSet(7, Array.from({ length: 3 }, (_, i) => rankMove(`model-${i}`, i + 2, i + 1)), { totalEvents: 562 });
    const [attachment] = expectMattermostAccepts(mattermostMessage(alertOf([filtered]))).attachments!;
    expect(attachment!.text.split('\n')).toContain('…showing 3 of 562 events (those matching this subscription’s filters): [full change set](https://rankwatch.example/v1/changes/7)');
  });

  it('a test alert with no change set says so', () => {
    expect(expectMattermostAccepts(mattermostMessage(alertOf([], 'test.sent')))).toEqual({ text: '**Test alert from rankwatch: no changes**\nNo changes.' });
  });
});

/** The error a call throws, as an InvalidInputError. */
function refusal(call: () => unknown): InvalidInputError {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error('not refused');
}

const target = (url: string) => ({ url, secret: null, previousSecret: null, previousSecretUntil: null });

describe('URLs: the hook’s own and Apprise’s', () => {
  it.each([
    [HOOK, HOOK],
    [`https://chat.example.com/mattermost/hooks/${KEY}?channel=town-square`, `https://chat.example.com/mattermost/hooks/${KEY}?channel=town-square`],
    [`mmosts://chat.example.com/${KEY}`, HOOK],
    [`mmost://chat.example.com:8065/${KEY}/`, `http://chat.example.com:8065/hooks/${KEY}`],
    [`mmosts://rank%20bot@chat.example.com:8443/mattermost/${KEY}?channel=%23town-square,@ana&image=no`, `https://chat.example.com:8443/mattermost/hooks/${KEY}?channel=town-square%2C%40ana&username=rank+bot`],
    [`mmosts://chat.example.com/${KEY}?to=alerts&channels=ops`, `${HOOK}?channel=alerts%2Cops`],
  ])('%s is stored as %s', (input, url) => {
    expect(storedTarget(input.startsWith('https:') ? 'mattermost' : undefined, input)).toEqual({ channel: 'mattermost', url, credential: null });
  });

  it('the hook key is masked when shown, the options not', () => {
    expect(shownUrl('mattermost', `https://chat.example.com:8443/mattermost/hooks/${KEY}?channel=town-square`)).toBe('https://chat.example.com:8443/mattermost/hooks/****?channel=town-square');
  });

  it.each([
    [`https://chat.example.com/api/v4/${KEY}`, /not a Mattermost incoming webhook URL/],
    [`mmosts://chat.example.com/`, /the webhook key .* is missing/],
    [`mmosts://chat.example.com/${KEY}?format=markdown`, /unknown option \?format=/],
    [`mmosts://chat.example.com/${KEY}?channel=a,b,c,d,e,f`, /at most 5 channels/],
    [`mmosts://chat.example.com/${KEY}?channel=bad%20name!`, /\?channel= takes channel names/],
    [`mmosts://bot:${KEY}@chat.example.com/${KEY}`, /bot name \(name@host\), not a password/],
    [`mmosts://${'b'.repeat(70)}@chat.example.com/${KEY}`, /at most 64 printable characters/],
    [`ftp://chat.example.com/hooks/${KEY}`, /scheme ftp:\/\/ is not a mattermost URL/],
  ])('%s is refused with a clear message that never repeats the key', (input, message) => {
    const error = refusal(() => storedTarget('mattermost', input));
    expect(error.parameter).toBe('url');
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain(KEY);
  });

  it('mmost:// means http: the shared guard refuses it unless the host is allow-listed', async () => {
    const publicDns = async () => [{ address: '34.206.0.1', family: 4 }];
    const { url } = storedTarget(undefined, `mmost://chat.example.com/${KEY}`);
    await expect(checkChannelUrl('mattermost', url, { allowHosts: [], lookup: publicDns })).rejects.toThrow(/scheme http is not allowed; http is allowed only for hosts in RANKWATCH_WEBHOOK_ALLOW_HOSTS/);
    await expect(checkChannelUrl('mattermost', url, { allowHosts: ['chat.example.com'], lookup: publicDns })).resolves.toMatchObject({ addresses: ['34.206.0.1'] });
    await expect(checkChannelUrl('mattermost', 'https://hooks.slack.com/services/T/B/x', { allowHosts: [], lookup: publicDns })).rejects.toThrow(/not a Mattermost incoming webhook URL/);
  });
});

describe('render', () => {
  it('one request to the hook, the options taken out of the URL into the body', () => {
    const request = mattermost.render(alertOf([bigChangeSet()]), target(`${HOOK}?username=rankwatch`)) as ChannelRequest;
    expect(request.url.href).toBe(HOOK);
    const body = JSON.parse(request.body) as MattermostMessage;
    expect(body.username).toBe('rankwatch');
    expect(body.channel).toBeUndefined();
    expectMattermostAccepts(body);
  });

  it('one request per channel the URL names, in order, each the same message', () => {
    const requests = mattermost.render(alertOf([bigChangeSet()]), target(storedTarget(undefined, `mmosts://chat.example.com/${KEY}?channel=town-square,@ana`).url));
    expect(Array.isArray(requests)).toBe(true);
    const bodies = (requests as ChannelRequest[]).map((request) => JSON.parse(request.body) as MattermostMessage);
    expect(bodies.map((body) => body.channel)).toEqual(['town-square', '@ana']);
    expect(bodies[0]!.text).toBe(bodies[1]!.text);
    for (const request of requests as ChannelRequest[]) expect(request.url.href).toBe(HOOK);
  });
});

describe('judge: what Mattermost answered', () => {
  const answer = (statusCode: number, body = '', headers: Record<string, string> = {}) => mattermost.judge({ statusCode, headers, body }, now);
  const error = (id: string, message: string, status: number) => JSON.stringify({ id, message, detailed_error: '', request_id: 'k3b1ghsw5ig8mkeqg1yz7jgaxr', status_code: status });

  it('200 is delivered', () => {
    expect(answer(200, 'ok')).toEqual({ outcome: 'delivered', statusCode: 200 });
  });

  it('429 waits for Retry-After, or X-Ratelimit-Reset when there is none', () => {
    expect(answer(429, 'limit exceeded', { 'retry-after': '3', 'x-ratelimit-reset': '9' })).toMatchObject({ outcome: 'failed', retryAfterMs: 3000 });
    expect(answer(429, 'limit exceeded', { 'x-ratelimit-reset': '9' })).toMatchObject({ outcome: 'failed', statusCode: 429, retryAfterMs: 9000 });
  });

  it.each([
    [400, error('web.incoming_webhook.invalid.app_error', 'Invalid webhook.', 400), 'Mattermost answered 400 web.incoming_webhook.invalid.app_error (Invalid webhook.): the webhook is gone'],
    [501, error('web.incoming_webhook.disabled.app_error', 'Incoming webhooks have been disabled by the system admin.', 501), /: incoming webhooks are turned off on the server$/],
    [501, 'Incoming webhooks have been disabled by the system admin.', 'Mattermost answered 501: incoming webhooks are turned off on the server'],
    [404, error('app.channel.get.existing.app_error', 'Unable to find the existing channel.', 404), /the webhook's channel is gone$/],
    [404, error('web.incoming_webhook.channel.app_error', "Couldn't find the channel.", 404), /the channel the URL names is gone$/],
    [403, error('web.incoming_webhook.channel_locked.app_error', 'This webhook is not permitted to post to the requested channel.', 403), /leave out \?channel=/],
    [403, error('web.incoming_webhook.permissions.app_error', 'Inappropriate channel permissions.', 403), /may no longer post in the channel$/],
    [400, error('web.incoming_webhook.user.app_error', "Couldn't find the user.", 400), /is gone$/],
  ])('%i %s disables the subscription', (status, body, reason) => {
    const result = answer(status, body);
    expect(result.outcome).toBe('gone');
    if (result.outcome === 'gone') expect(result.error).toMatch(reason);
  });

  it('other errors are failures to retry: a message Mattermost could not read, a store error, a 5xx', () => {
    expect(answer(400, error('web.incoming_webhook.parse.app_error', 'Unable to parse incoming data.', 400))).toMatchObject({ outcome: 'failed', statusCode: 400 });
    expect(answer(500, error('web.incoming_webhook.channel.app_error', "Couldn't find the channel.", 500))).toMatchObject({ outcome: 'failed', statusCode: 500 });
    expect(answer(403, 'Forbidden')).toMatchObject({ outcome: 'failed', statusCode: 403 });
    expect(answer(400, '{"id":"constructor"}')).toMatchObject({ outcome: 'failed', statusCode: 400 });
  });

  it('an answer that repeats the hook key never shows it', () => {
    const echoed = answer(500, `{"id":"app.post.create_post.app_error","message":"failed","detailed_error":"hook ${KEY}: store failed"}`);
    expect(echoed.outcome).toBe('failed');
    expect(JSON.stringify(echoed)).not.toContain(KEY);
    expect(JSON.stringify(answer(400, `{"id":"web.incoming_webhook.invalid.app_error","message":"Invalid webhook ${KEY}."}`))).not.toContain(KEY);
  });
});
