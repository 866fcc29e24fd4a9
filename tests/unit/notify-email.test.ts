import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../src/diff/events.ts';
import { InvalidInputError } from '../../src/errors.ts';
import type { Alert, AlertChangeSet } from '../../src/notify/alert.ts';
import { boardThreadId, EMAIL_LIMITS, emailEndpoint, emailMessage, judgeSmtpError, parseEmailUrl, readEmailUrl, showEmailUrl } from '../../src/notify/channels/email.ts';
import { escapeHtml } from '../../src/notify/text.ts';
import { shownUrl, storedTarget } from '../../src/notify/channels/index.ts';

// The email channel's pure parts: Apprise-style URLs (the password kept apart, never shown, never
// in an error), the mail an alert becomes, and what an SMTP refusal means.

const PASSWORD = 's3cr3t/p@ss';
const ESCAPED = encodeURIComponent(PASSWORD);

describe('email URLs (Apprise forms)', () => {
  it.each<[string, string, string, string]>([
    [
      'mailto: plain SMTP on 25, STARTTLS when offered; from user@host, to the sender',
      `mailto://alerts:${ESCAPED}@mail.example.com`,
      'mailto://alerts@mail.example.com:25/?from=alerts@mail.example.com&to=alerts@mail.example.com',
      'https://mail.example.com:25/',
    ],
    [
      'mailto on 587 with from= and two recipients',
      `mailto://user:${ESCAPED}@smtp.example.com:587?from=alerts@example.com&to=me@example.com,ops@example.org`,
      'mailto://user@smtp.example.com:587/?from=alerts@example.com&to=me@example.com,ops@example.org',
      'https://smtp.example.com:587/',
    ],
    [
      'mailtos: STARTTLS required on 587 by default',
      `mailtos://user:${ESCAPED}@smtp.example.com?to=me@example.com`,
      'mailtos://user@smtp.example.com:587/?mode=starttls&from=user@smtp.example.com&to=me@example.com',
      'https://smtp.example.com:587/',
    ],
    [
      'mailtos on 465: TLS from the start',
      `mailtos://user:${ESCAPED}@smtp.example.com:465?to=me@example.com`,
      'mailtos://user@smtp.example.com:465/?mode=ssl&from=user@smtp.example.com&to=me@example.com',
      'https://smtp.example.com:465/',
    ],
    [
      'mailtos with mode=ssl: port 465',
      `mailtos://user:${ESCAPED}@smtp.example.com?mode=ssl&to=me@example.com`,
      'mailtos://user@smtp.example.com:465/?mode=ssl&from=user@smtp.example.com&to=me@example.com',
      'https://smtp.example.com:465/',
    ],
    [
      'smtp= names the server, the host is the mail domain (the sender user@domain); name=, cc=, bcc=',
      `mailtos://alerts:${ESCAPED}@example.com?smtp=smtp.provider.net&name=Rank%20Watch&to=me@example.com&cc=boss@example.com&bcc=archive@example.com`,
      'mailtos://alerts@example.com:587/?smtp=smtp.provider.net&mode=starttls&from=alerts@example.com&name=Rank%20Watch&to=me@example.com&cc=boss@example.com&bcc=archive@example.com',
      'https://smtp.provider.net:587/',
    ],
    [
      'the user as a whole address (%40), recipients in the path',
      `mailtos://alerts%40example.com:${ESCAPED}@smtp.example.com/me@example.com/ops@example.com`,
      'mailtos://alerts%40example.com@smtp.example.com:587/?mode=starttls&from=alerts@example.com&to=me@example.com,ops@example.com',
      'https://smtp.example.com:587/',
    ],
    [
      'no login at all (a relay): from= needed',
      'mailto://127.0.0.1:2525?from=rankwatch@example.com&to=me@example.com',
      'mailto://127.0.0.1:2525/?from=rankwatch@example.com&to=me@example.com',
      'https://127.0.0.1:2525/',
    ],
    [
      'an IPv6 server',
      'mailtos://[2001:db8::25]?from=rankwatch@example.com&to=me@example.com',
      'mailtos://[2001:db8::25]:587/?mode=starttls&from=rankwatch@example.com&to=me@example.com',
      'https://[2001:db8::25]:587/',
    ],
  ])('%s', (_name, input, stored, endpoint) => {
    const target = storedTarget(undefined, input);
    expect(target.channel).toBe('email');
    expect(target.url).toBe(stored);
    expect(target.credential).toBe(input.includes(ESCAPED) ? PASSWORD : null);
    expect(emailEndpoint(target.url)).toBe(endpoint);
    expect(shownUrl('email', target.url)).toBe(stored);
    expect(shownUrl('email', target.url)).not.toContain(ESCAPED);
    // The stored URL reads back to the same settings, without the password.
    const again = readEmailUrl(target.url);
    expect(again.password).toBeNull();
    // Given again (with its password), the stored URL is stored as it is.
    const resubmitted = target.credential === null ? target.url : target.url.replace(/^(mailtos?:\/\/[^@/]+)@/, `$1:${ESCAPED}@`);
    expect(parseEmailUrl(resubmitted)).toEqual({ url: stored, credential: target.credential });
  });

  it('reads the TLS mode, the server and the addresses', () => {
    expect(readEmailUrl(`mailtos://u:${ESCAPED}@example.com:2465?smtp=mx.example.net&mode=ssl&to=a@example.com`)).toMatchObject({
      scheme: 'mailtos',
      tls: 'implicit',
      domain: 'example.com',
      host: 'mx.example.net',
      port: 2465,
      user: 'u',
      password: PASSWORD,
      from: 'u@example.com',
      to: ['a@example.com'],
    });
    expect(readEmailUrl(`mailtos://u:${ESCAPED}@example.com:465?mode=starttls`).tls).toBe('starttls');
    expect(readEmailUrl(`mailto://u:${ESCAPED}@example.com:465`).tls).toBe('opportunistic');
  });

  it.each<[string, string, RegExp]>([
    ['an https URL', 'https://smtp.example.com/', /mailto:\/\/user:password@smtp\.example\.com… or mailtos:\/\//],
    ['the RFC 6068 form (no server)', `mailto:me@example.com`, /give the SMTP server/],
    ['a user without its password', 'mailtos://user@smtp.example.com?to=me@example.com', /the user needs its password/],
    ['a password without a user', `mailtos://:${ESCAPED}@smtp.example.com?from=a@example.com`, /a password needs its user/],
    ['no user and no from=', 'mailto://smtp.example.com?to=me@example.com', /from= is needed when the URL names no user/],
    ['an IP host and no from=', `mailto://user:${ESCAPED}@127.0.0.1:2525?to=me@example.com`, /from= is needed: the host is an IP address/],
    ['a bad recipient', `mailtos://user:${ESCAPED}@smtp.example.com?to=me@example.com,not-an-address`, /to=: "not-an-address" is not an email address/],
    ['a recipient with a display name', `mailtos://user:${ESCAPED}@smtp.example.com?to=Me%20%3Cme@example.com%3E`, /to=: .* is not an email address/],
    ['a bad sender', `mailtos://user:${ESCAPED}@smtp.example.com?from=alerts`, /from=: "alerts" is not an email address/],
    ['header injection in from=', `mailtos://user:${ESCAPED}@smtp.example.com?from=a@example.com%0D%0ABcc:x@evil.example`, /from=: .* is not an email address/],
    ['a two-line name', `mailtos://user:${ESCAPED}@smtp.example.com?name=a%0D%0ABcc:%20x@evil.example`, /name= must be one line/],
    ['an unknown mode', `mailtos://user:${ESCAPED}@smtp.example.com?mode=tls`, /mode=tls: expected ssl .* or starttls/],
    ['mode= on mailto', `mailto://user:${ESCAPED}@smtp.example.com?mode=ssl`, /mode= is for mailtos/],
    ['an unknown parameter', `mailtos://user:${ESCAPED}@smtp.example.com?pass=x&format=html`, /unknown parameters "pass", "format" \(known: to, cc, bcc, from, name, smtp, mode\)/],
    ['a bad smtp= host', `mailtos://user:${ESCAPED}@example.com?smtp=smtp.example.com:587`, /smtp= "smtp\.example\.com:587" is not a host name/],
    ['a password with an unescaped #', `mailtos://user:pa#ss@smtp.example.com`, /not a valid mailtos:\/\/ URL \(a password with @ \/ \? # or % in it must be %-escaped\)/],
    ['a malformed %-escape in the password', 'mailtos://user:pa%zzss@smtp.example.com', /the password has a malformed %-escape/],
    ['too many recipients', `mailtos://user:${ESCAPED}@smtp.example.com?to=${Array.from({ length: 51 }, (_, index) => `r${index}@example.com`).join(',')}`, /at most 50 recipients/],
  ])('refuses %s with a clear error naming url', (_name, input, message) => {
    let thrown: unknown;
    try {
      storedTarget('email', input);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidInputError);
    expect((thrown as InvalidInputError).parameter).toBe('url');
    expect((thrown as InvalidInputError).message).toMatch(/^url: /);
    expect((thrown as InvalidInputError).message).toMatch(message);
    for (const secret of [PASSWORD, ESCAPED, 'pa#ss', 'pa%zzss']) expect((thrown as InvalidInputError).message).not.toContain(secret);
  });

  it('a mailto URL named for another channel is refused; the email channel needs no name', () => {
    expect(() => storedTarget('slack', 'mailto://u:p@smtp.example.com')).toThrow(/a mailto:\/\/ URL is a email subscription, not slack/);
    expect(parseEmailUrl(`MAILTOS://u:${ESCAPED}@SMTP.Example.COM`).url).toBe('mailtos://u@smtp.example.com:587/?mode=starttls&from=u@smtp.example.com&to=u@smtp.example.com');
  });

  it('shows a URL as stored, a password masked should one ever be stored', () => {
    expect(showEmailUrl('mailtos://u@smtp.example.com:587/?mode=starttls&from=u@smtp.example.com&to=u@smtp.example.com')).toBe('mailtos://u@smtp.example.com:587/?mode=starttls&from=u@smtp.example.com&to=u@smtp.example.com');
    const shown = showEmailUrl(`mailtos://u:${ESCAPED}@smtp.example.com:587/?to=a@example.com`);
    expect(shown).toBe('mailtos://u:****@smtp.example.com:587/?to=a@example.com');
  });
});

const CAPTURED = '2026-11-23T14:05:00.000Z';
const HOSTILE = 'R&D <b>"beta"</b> <script>alert(1)</script>';

let nextId = 1;
function entered(board: string, model: string, rank: number): StoredEvent {
  const id = nextId++;
  return { id, key: `${board}|${CAPTURED}|entered|${model}`, board, kind: 'entered', model, name: model, capturedAt: CAPTURED, snapshotId: 7, old: null, new: { rank, score: 1390, scoreLower: null, scoreUpper: null, votes: null, organization: null }, status: 'published', settledAt: CAPTURED };
}

function changeSet(board: string, id: number, events: StoredEvent[], extra: Partial<AlertChangeSet> = {}): AlertChangeSet {
  return { id, board, capturedAt: CAPTURED, summary: `${board}: ${events.length} entered`, bulkRemoval: false, methodologyChanged: false, url: `https://rankwatch.example/v1/changes/${id}`, events, ...extra };
}

const alertOf = (changeSets: AlertChangeSet[], type: Alert['type'] = 'change_set.published', title?: string): Alert => ({
  id: 'msg_0123abcd',
  type,
  timestamp: CAPTURED,
  ...(title ? { title } : {}),
  changeSets,
});

describe('the mail an alert becomes', () => {
  it('one change set: its summary as the subject, text and HTML with each event, the link, a stable id and the board thread', () => {
    const mail = emailMessage(alertOf([changeSet('lmarena-text', 7, [entered('lmarena-text', HOSTILE, 3), entered('lmarena-text', 'qwen-max', 4)], { summary: `lmarena-text: new #1 ${HOSTILE}` })]), 'https://rankwatch.example/base');
    expect(mail.subject).toBe(`lmarena-text: new #1 ${HOSTILE}`);
    expect(mail.text).toContain(HOSTILE);
    expect(mail.text).toContain('qwen-max');
    expect(mail.text).toContain('Full change set: https://rankwatch.example/v1/changes/7 (captured 2026-11-23 14:05 UTC)');
    // Every name escaped in the HTML part: no tag from a model's name.
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).not.toContain('<b>');
    expect(mail.html).toContain('R&amp;D &lt;b&gt;&quot;beta&quot;&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail.html).toContain('<a href="https://rankwatch.example/v1/changes/7">Full change set</a>');
    expect(mail.html.match(/<li>/g)).toHaveLength(2);
    expect(mail.messageId).toBe('<msg_0123abcd@rankwatch.example>');
    expect(mail.threadRoot).toBe('<board.lmarena-text@rankwatch.example>');
    expect(mail.threadRoot).toBe(boardThreadId('lmarena-text', 'https://rankwatch.example'));
    expect(mail.headers).toEqual({ 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All', 'List-Id': 'rankwatch alerts <alerts.rankwatch.example>' });
  });

  it('a digest of several boards: one mail, a heading per change set, no thread; of one board: that board\'s thread', () => {
    const title = 'hourly digest, 2026-11-23 14:00–15:00 Europe/Berlin';
    const mixed = emailMessage(
      alertOf([changeSet('lmarena-text', 7, [entered('lmarena-text', 'a', 1)]), changeSet('lmarena-vision', 8, [entered('lmarena-vision', 'b', 2)], { bulkRemoval: true })], 'digest.published', title),
      'https://rankwatch.example',
    );
    expect(mixed.subject).toBe(`${title}: 2 change sets`);
    expect(mixed.threadRoot).toBeNull();
    expect(mixed.text).toContain('== lmarena-text: 1 entered ==');
    expect(mixed.text).toContain('== lmarena-vision: 1 entered ==');
    expect(mixed.text).toContain('⚠ Bulk removal: many models left at once');
    expect(mixed.html).toContain('<h2 style="font-size:1.1em"><a href="https://rankwatch.example/v1/changes/8">lmarena-vision: 1 entered</a></h2>');
    expect(mixed.html).toContain('<strong>Bulk removal:</strong>');
    const oneBoard = emailMessage(alertOf([changeSet('lmarena-text', 7, [entered('lmarena-text', 'a', 1)]), changeSet('lmarena-text', 9, [entered('lmarena-text', 'c', 1)])], 'digest.published', title), 'https://rankwatch.example');
    expect(oneBoard.threadRoot).toBe('<board.lmarena-text@rankwatch.example>');
  });

  it('cuts long change sets with the notice and the link, lists change sets beyond the limit as links', () => {
    const many = Array.from({ length: EMAIL_LIMITS.events + 5 }, (_, index) => entered('lmarena-text', `model-${index}`, index + 1));
    const sets = Array.from({ length: EMAIL_LIMITS.changeSets + 2 }, (_, index) => changeSet('lmarena-text', 100 + index, index === 0 ? many : [entered('lmarena-text', `m${index}`, 1)]));
    const mail = emailMessage(alertOf(sets, 'digest.published', 'daily digest'), 'https://rankwatch.example');
    expect(mail.text).toContain('…and 5 more: https://rankwatch.example/v1/changes/100');
    expect(mail.text).not.toContain(`model-${EMAIL_LIMITS.events}`);
    expect(mail.text).toContain('…and 2 more change sets:\n- lmarena-text: 1 entered: https://rankwatch.example/v1/changes/150\n- lmarena-text: 1 entered: https://rankwatch.example/v1/changes/151');
    expect(mail.html).toContain('<a href="https://rankwatch.example/v1/changes/151">lmarena-text: 1 entered</a>');
    // A subset says how many of how many, with why.
    const subset = emailMessage(alertOf([changeSet('lmarena-text', 7, [entered('lmarena-text', 'a', 1)], { totalEvents: 40 })]), 'https://rankwatch.example');
    expect(subset.text).toContain('…showing 1 of 40 events (those matching this subscription’s filters): https://rankwatch.example/v1/changes/7');
  });

  it('a test alert says so in the subject; a subject is one line, cut', () => {
    const test = emailMessage(alertOf([changeSet('lmarena-text', 7, [entered('lmarena-text', 'a', 1)])], 'test.sent'), 'https://rankwatch.example');
    expect(test.subject).toBe('Test alert from rankwatch: lmarena-text: 1 entered');
    const long = emailMessage(alertOf([changeSet('lmarena-text', 7, [], { summary: `lmarena-text: ${'x'.repeat(300)}\r\nBcc: evil@example.com` })]), 'https://rankwatch.example');
    expect(long.subject).not.toMatch(/[\r\n]/);
    expect(long.subject.length).toBe(EMAIL_LIMITS.subject);
    expect(long.subject.endsWith('…')).toBe(true);
  });

  it('escapes the five HTML specials', () => {
    expect(escapeHtml(`<a href="x">&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;');
  });
});

describe('what an SMTP refusal means', () => {
  const settings = { host: 'smtp.example.com', port: 587, user: 'alerts', password: PASSWORD };
  const plain = Buffer.from(`\u0000alerts\u0000${PASSWORD}`).toString('base64');
  it.each<[string, object, { outcome: string; statusCode: number | null; error: RegExp }]>([
    ['550 on RCPT: gone', { code: 'EENVELOPE', responseCode: 550, response: '550 5.1.1 <me@example.com>: no such user', command: 'RCPT TO' }, { outcome: 'gone', statusCode: 550, error: /^SMTP server smtp\.example\.com:587 answered 550 5\.1\.1 <me@example\.com>: no such user to RCPT TO$/ }],
    ['535 on AUTH: gone, the password not quoted', { code: 'EAUTH', responseCode: 535, response: `535 5.7.8 bad credentials ${plain}`, command: 'AUTH PLAIN' }, { outcome: 'gone', statusCode: 535, error: /answered 535 5\.7\.8 bad credentials \*\*\*\* to AUTH PLAIN/ }],
    ['554 after DATA: gone', { code: 'EMESSAGE', responseCode: 554, response: '554 5.7.1 rejected as spam', command: 'DATA' }, { outcome: 'gone', statusCode: 554, error: /554 5\.7\.1 rejected as spam to DATA/ }],
    ['451 on DATA: retried', { code: 'EMESSAGE', responseCode: 451, response: '451 4.3.0 try again later', command: 'DATA' }, { outcome: 'failed', statusCode: 451, error: /451 4\.3\.0 try again later/ }],
    ['421 at the greeting: retried', { code: 'ECONNECTION', responseCode: 421, response: '421 too busy', command: 'CONN' }, { outcome: 'failed', statusCode: 421, error: /421 too busy/ }],
    ['STARTTLS refused (5xx): retried, not gone', { code: 'ETLS', responseCode: 502, response: '502 5.5.1 unknown command', command: 'STARTTLS' }, { outcome: 'failed', statusCode: 502, error: /STARTTLS refused: TLS is required/ }],
    ['a certificate that does not verify: retried', { code: 'ESOCKET', message: 'self-signed certificate' }, { outcome: 'failed', statusCode: null, error: /could not send through SMTP server smtp\.example\.com:587: self-signed certificate/ }],
    ['connection refused: retried', { code: 'ESOCKET', message: `connect ECONNREFUSED 203.0.113.5:587 ${PASSWORD}` }, { outcome: 'failed', statusCode: null, error: /ECONNREFUSED 203\.0\.113\.5:587 \*\*\*\*$/ }],
  ])('%s', (_name, error, expected) => {
    const result = judgeSmtpError(error, settings);
    expect(result.outcome).toBe(expected.outcome);
    expect(result.statusCode).toBe(expected.statusCode);
    const message = result.outcome === 'delivered' ? '' : result.error;
    expect(message).toMatch(expected.error);
    expect(message).not.toContain(PASSWORD);
    expect(message).not.toContain(plain);
    if (result.outcome === 'failed') expect(result.retryAfterMs).toBeNull();
  });
});
