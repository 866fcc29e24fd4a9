import { marked } from 'marked';
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../src/diff/events.ts';
import { InvalidInputError } from '../../src/errors.ts';
import type { Alert, AlertChangeSet } from '../../src/notify/alert.ts';
import { CHANNEL_ADAPTERS, checkChannelUrl, shownUrl, storedTarget } from '../../src/notify/channels/index.ts';
import { escapeTeams, TEAMS_CARD_VERSION, TEAMS_LIMITS, teamsBytes, teamsMessage, type TeamsMessage } from '../../src/notify/channels/teams.ts';
import { adaptiveCardProblems } from '../support/adaptive-cards.ts';

// Teams payloads checked with Microsoft's own Adaptive Cards library (the `adaptivecards` package
// parses and validates a card as a client does before rendering it), and TextBlock markdown read
// back with a CommonMark renderer (marked): model names must come out as plain text.

const teams = CHANNEL_ADAPTERS.teams;
const now = new Date('2026-11-23T14:00:00Z');
const CAPTURED = '2026-11-23T14:05:00.000Z';
const BOARD = 'lmarena-text';
const SIG = 'KODuebWbDGYFr0z0eu-6Rj8aUKz7108W3wrNJZxFE5A';
const LOGIC = `https://prod-161.westeurope.logic.azure.com:443/workflows/643e69f83c8944438d68119179a10a64/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${SIG}`;
const ENVIRONMENT = `https://default26e65220556146ef9783ce5f20489241.09.environment.api.powerplatform.com:443/powerautomate/automations/direct/workflows/86ffea6392fe4f3f9555f5e8f9b1f06e/triggers/manual/paths/invoke?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${SIG}`;
const NASTY = ['*gpt*_4_', 'Gemini__x', 'R&D <b>"beta"</b>', 'A &amp; B', '~~strike~~', '`code`', '# not a heading', '[click](https://evil.example)', 'a](https://evil.example)', '<https://evil.example>', 'back\\slash*', '1. numbered', '- dash', '> quote', 'pipe | cell'];

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

type Block = { type: string; text: string; [key: string]: unknown };
type Card = { version: string; body: Block[]; actions?: { type: string; title: string; url: string }[]; msteams: unknown };

/** The request body as Teams would read it, checked against Microsoft's card library and our limits; returns the card. */
function expectTeamsAccepts(message: TeamsMessage): Card {
  const body = JSON.stringify(message);
  expect(new TextEncoder().encode(body).length).toBeLessThanOrEqual(TEAMS_LIMITS.bytes);
  expect(teamsBytes(message)).toBeLessThanOrEqual(TEAMS_LIMITS.bytes);
  expect(message.type).toBe('message');
  expect(message.attachments).toHaveLength(1);
  const [attachment] = message.attachments;
  expect(attachment.contentType).toBe('application/vnd.microsoft.card.adaptive');
  expect(attachment.contentUrl).toBeNull();
  const content = attachment.content as unknown as Card;
  expect(content).toMatchObject({ $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', type: 'AdaptiveCard', version: TEAMS_CARD_VERSION, msteams: { width: 'Full' } });

  expect(adaptiveCardProblems(content)).toEqual([]);
  expect((content.actions ?? []).length).toBeLessThanOrEqual(TEAMS_LIMITS.actions);
  for (const action of content.actions ?? []) expect(action.title.length).toBeLessThanOrEqual(TEAMS_LIMITS.actionTitle);
  return content;
}

/** A bare URL in text is linked as itself, as any chat client does: not formatting. */
function unlinkBareUrls(html: string): string {
  return html.replace(/<a href="[^"]*">((?:https?:\/\/|www\.)[^<]*)<\/a>/g, '$1');
}

/** The text CommonMark shows for inline markdown that must be plain; throws naming any element it would make. */
function plainText(markdown: string): string {
  const html = unlinkBareUrls(marked.parseInline(markdown, { async: false }));
  const tag = /<([a-z]+)/i.exec(html);
  if (tag) throw new Error(`${JSON.stringify(markdown)} renders as ${tag[1]}`);
  return html.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

describe('TextBlock markdown escaping (checked with a CommonMark renderer)', () => {
  it.each(NASTY)('%s renders as exactly that text, also as a list item', (name) => {
    expect(plainText(escapeTeams(name))).toBe(name);
    // A list item's content is parsed as blocks: a name starting with "#", "1." or ">" must not open one.
    const html = unlinkBareUrls(marked.parse(`- ${escapeTeams(name)} rises`, { async: false }));
    expect(html.replace(/\s+/g, ' ').trim()).toMatch(/^<ul> <li>[^<]*<\/li> <\/ul>$/);
  });

  it('unescaped, the same names would render as formatting (so the check above can fail)', () => {
    expect(() => plainText('*gpt*_4_')).toThrow(/renders as em/);
    expect(() => plainText('[click](https://evil.example)')).toThrow(/renders as a/);
    expect(plainText('A &amp; B')).toBe('A & B');
  });

  it('every nasty name in a change set: each event line shows the name as written, and Teams accepts the card', () => {
    const events = NASTY.map((name, i) => rankMove(name, i + 5, i + 4));
    const card = expectTeamsAccepts(teamsMessage(alertOf([changeSet(7, events, { summary: `${BOARD}: *gpt*_4_ [click](https://evil.example) & more` })])));
    expect(plainText(card.body[0]!.text)).toBe(`${BOARD}: *gpt*_4_ [click](https://evil.example) & more`);
    const list = card.body.find((block) => block.text.startsWith('- '))!;
    const items = list.text.split('\n').map((line) => plainText(line.slice(2)));
    expect(items).toEqual(events.map((event) => `${event.name} rises from #${(event.old as { rank: number }).rank} to #${(event.new as { rank: number }).rank} on ${BOARD} (significant: clear of the confidence intervals)`));
  });
});

describe('the card within Teams’ limits', () => {
  it('Microsoft’s library finds what a client would refuse or drop (so the checks below can fail)', () => {
    const card = { $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', type: 'AdaptiveCard', version: TEAMS_CARD_VERSION, body: [{ type: 'TextBlok', text: 'x' }], actions: [{ type: 'Action.OpenUrl', title: 'x' }] };
    expect(adaptiveCardProblems(card)).toEqual([expect.stringMatching(/^parse: Unknown element type "TextBlok"/), 'validation: Property "url" must be set.', expect.stringMatching(/^read back as /)]);
    expect(adaptiveCardProblems({ ...card, body: [{ type: 'TextBlock', text: 'x', weight: 'heavy' }], actions: [] })).toEqual([expect.stringMatching(/^parse: Invalid value "heavy" for property "weight"/), expect.stringMatching(/^read back as /)]);
    expect(adaptiveCardProblems({ ...card, body: [{ type: 'TextBlock', text: 'x', wrap: true }], actions: [{ type: 'Action.OpenUrl', title: 'x', url: 'https://rankwatch.example/' }] })).toEqual([]);
  });

  it('a change set of 600 events: the headline, flags, as many events as fit, then "…and N more" with a link', () => {
    const card = expectTeamsAccepts(teamsMessage(alertOf([bigChangeSet()])));
    expect(card.body[0]).toMatchObject({ type: 'TextBlock', weight: 'Bolder', size: 'Medium', wrap: true, text: `${BOARD}: 600 rank moves` });
    expect(card.body.filter((block) => block.color === 'Warning').map((block) => block.text)).toEqual([
      expect.stringMatching(/^⚠️ \*\*Methodology change:\*\* /),
      expect.stringMatching(/^⚠️ \*\*Bulk removal:\*\* /),
    ]);
    const list = card.body.find((block) => block.text.startsWith('- '))!.text.split('\n');
    const shown = list.filter((line) => line.startsWith('- ')).length;
    expect(shown).toBeGreaterThan(50);
    expect(shown).toBeLessThan(600);
    expect(list.at(-1)).toBe(`…and ${600 - shown} more: [full change set](https://rankwatch.example/v1/changes/7)`);
    // The notice is a paragraph of its own after the list.
    expect(list.at(-2)).toBe('');
    expect(card.actions).toEqual([{ type: 'Action.OpenUrl', title: 'Full change set', url: 'https://rankwatch.example/v1/changes/7' }]);
  });

  it('a digest of 30 heavy change sets: some shown in full, the rest linked under "…and N more change sets", at most 5 buttons', () => {
    const card = expectTeamsAccepts(teamsMessage(digestOf(30)));
    expect(card.body[0]!.text).toMatch(/^weekly digest, very long title .*: 30 change sets$/);
    const overflow = card.body.at(-1)!;
    const [heading, ...links] = overflow.text.split('\n');
    const more = Number(/^\*\*…and (\d+) more change sets:\*\*$/.exec(heading!)![1]);
    const shown = card.body.filter((block) => block.separator === true && block !== overflow).length + 1;
    expect(shown + more).toBe(30);
    expect(shown).toBeGreaterThanOrEqual(3);
    expect(links.filter((line) => line.startsWith('- [')).length).toBeGreaterThan(0);
    expect(links[0]).toMatch(new RegExp(`^- \\[${BOARD}: board-${shown}: .*\\]\\(https://rankwatch\\.example/v1/changes/${100 + shown}\\)$`));
    expect(card.actions).toHaveLength(TEAMS_LIMITS.actions);
  });

  it('wide characters and escapes count in bytes: a change set of CJK names with markdown still fits', () => {
    const events = Array.from({ length: 600 }, (_, i) => rankMove(`通义千问*_[${i}](x)<&amp;>-大模型-${i}`, i + 11, i + 10));
    const card = expectTeamsAccepts(teamsMessage(alertOf([changeSet(9, events)])));
    expect(JSON.stringify(card)).toContain('…and ');
  });

  it('a test alert with a sample of 20 of 562 events says so in its headline and after its events', () => {
    const sample = changeSet(7, Array.from({ length: 20 }, (_, i) => rankMove(`model-${i}`, i + 2, i + 1)), { totalEvents: 562 });
    const card = expectTeamsAccepts(teamsMessage(alertOf([sample], 'test.sent')));
    expect(card.body[0]!.text).toMatch(/^Test alert from rankwatch \(showing 20 of 562 events\): /);
    const list = card.body.find((block) => block.text.startsWith('- '))!.text.split('\n');
    expect(list.filter((line) => line.startsWith('- '))).toHaveLength(20);
    expect(list.at(-1)).toBe('…showing 20 of 562 events (a sample): [full change set](https://rankwatch.example/v1/changes/7)');
  });

  it('a test alert with no change set says so, with no buttons', () => {
    const card = expectTeamsAccepts(teamsMessage(alertOf([], 'test.sent')));
    expect(card.body.map((block) => block.text)).toEqual(['Test alert from rankwatch: no changes', 'No changes.']);
    expect(card.actions).toBeUndefined();
  });

  it('is sent as JSON to the stored URL, signature and all', () => {
    const request = teams.render(alertOf([bigChangeSet()]), { url: storedTarget('teams', LOGIC).url, secret: null, previousSecret: null, previousSecretUntil: null });
    expect(request.url.searchParams.get('sig')).toBe(SIG);
    expect(request.headers['content-type']).toBe('application/json');
    expectTeamsAccepts(JSON.parse(request.body) as TeamsMessage);
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

describe('URLs: the workflow’s own and Apprise’s', () => {
  it('the workflow URL as Teams gives it is stored whole (the default port dropped), the signature masked when shown', () => {
    const stored = storedTarget('teams', LOGIC);
    expect(stored).toEqual({ channel: 'teams', url: LOGIC.replace(':443', ''), credential: null });
    expect(shownUrl('teams', stored.url)).toBe(LOGIC.replace(':443', '').replace(SIG, '****'));
    const newer = storedTarget('teams', ENVIRONMENT);
    expect(newer.url).toBe(ENVIRONMENT.replace(':443', ''));
    expect(shownUrl('teams', newer.url)).not.toContain(SIG);
  });

  it.each([
    [`workflows://prod-161.westeurope.logic.azure.com:443/643e69f83c8944438d68119179a10a64/${SIG}/`, LOGIC.replace(':443', '')],
    [`workflow://prod-161.westeurope.logic.azure.com/643e69f83c8944438d68119179a10a64/${SIG}`, LOGIC.replace(':443', '')],
    [
      `workflows://prod-161.westeurope.logic.azure.com/643e69f83c8944438d68119179a10a64/${SIG}?pa=yes`,
      `https://prod-161.westeurope.logic.azure.com/powerautomate/automations/direct/workflows/643e69f83c8944438d68119179a10a64/triggers/manual/paths/invoke?api-version=2022-03-01-preview&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${SIG}`,
    ],
    [`workflows://default26e65220556146ef9783ce5f20489241.09.environment.api.powerplatform.com/86ffea6392fe4f3f9555f5e8f9b1f06e/${SIG}`, ENVIRONMENT.replace(':443', '')],
    [
      `workflows://example.logic.azure.com:8443/?id=abc-123&sig=${SIG}&ver=2019-05-01&image=no&wrap=yes`,
      `https://example.logic.azure.com:8443/workflows/abc-123/triggers/manual/paths/invoke?api-version=2019-05-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${SIG}`,
    ],
  ])('%s is stored as the workflow URL', (input, url) => {
    expect(storedTarget(undefined, input)).toEqual({ channel: 'teams', url, credential: null });
  });

  it.each([
    ['https://contoso.webhook.office.com/webhookb2/0b3d0f7e-aaaa-bbbb-cccc-123456789012@tenant/IncomingWebhook/6d3c5f0e9b1a/8f1e2d3c-dddd?x=SECRETPART', /retired connectors in Teams\. Create a workflow instead/],
    ['https://outlook.office.com/webhook/0b3d0f7e@tenant/IncomingWebhook/SECRETPART/8f1e', /Office 365 connector/],
    [LOGIC.replace(`&sig=${SIG}`, ''), /no sig=… signature/],
    [`https://prod-161.westeurope.logic.azure.com/workflows/abc/triggers/SECRETPART/run?sig=${SIG}`, /not a Teams workflow URL/],
    [`workflows://prod-161.westeurope.logic.azure.com/643e69f83c8944438d68119179a10a64`, /the signature .* is missing/],
    [`workflows://prod-161.westeurope.logic.azure.com/643e69f83c8944438d68119179a10a64/${SIG}/extra`, /two parts in its path/],
    [`workflows://prod-161.westeurope.logic.azure.com/bad%20id!/${SIG}`, /the workflow id .* not letters, digits/],
    [`workflows://prod-161.westeurope.logic.azure.com/abc/${SIG}?template=/etc/card.json`, /\?template= is not taken/],
    [`workflows://prod-161.westeurope.logic.azure.com/abc/${SIG}?color=red`, /unknown option \?color=/],
    [`workflows://user:${SIG}@prod-161.westeurope.logic.azure.com/abc/def`, /takes no user@ part/],
    ['ftp://prod-161.westeurope.logic.azure.com/workflows/abc', /scheme ftp:\/\/ is not a teams URL/],
  ])('%s is refused with a clear message that never repeats the secret', (input, message) => {
    const error = refusal(() => storedTarget('teams', input));
    expect(error.parameter).toBe('url');
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain(SIG);
    expect(error.message).not.toContain('SECRETPART');
  });

  it('the shared guard and the workflow check run on every stored URL (at subscription and at send time)', async () => {
    const publicDns = async () => [{ address: '20.50.2.1', family: 4 }];
    await expect(checkChannelUrl('teams', LOGIC.replace(':443', ''), { allowHosts: [], lookup: publicDns })).resolves.toMatchObject({ addresses: ['20.50.2.1'] });
    await expect(checkChannelUrl('teams', 'https://10.0.0.9/workflows/a/triggers/manual/paths/invoke?sig=x', { allowHosts: [] })).rejects.toThrow('10.0.0.9 (private)');
    await expect(checkChannelUrl('teams', 'https://hooks.slack.com/services/T/B/x', { allowHosts: [], lookup: publicDns })).rejects.toThrow(/not a Teams workflow URL/);
  });
});

describe('judge: what the workflow answered', () => {
  const answer = (statusCode: number, body = '', headers: Record<string, string> = {}) => teams.judge({ statusCode, headers, body }, now);

  it('202 and 200 are delivered', () => {
    expect(answer(202)).toEqual({ outcome: 'delivered', statusCode: 202 });
    expect(answer(200, '{}')).toEqual({ outcome: 'delivered', statusCode: 200 });
  });

  it('429 is retried after its Retry-After', () => {
    expect(answer(429, '{"error":{"code":"WorkflowRequestsThrottled","message":"Rate limit exceeded."}}', { 'retry-after': '7' })).toMatchObject({ outcome: 'failed', statusCode: 429, retryAfterMs: 7000 });
  });

  it('a 400 the workflow explains is a failure with its error; a 5xx a failure', () => {
    const body = `{"error":{"code":"TriggerInputSchemaMismatch","message":"The input body for trigger 'manual' of type 'Request' did not match its schema definition."}}`;
    expect(answer(400, body)).toEqual({ outcome: 'failed', statusCode: 400, error: `HTTP 400: ${body}`, retryAfterMs: null });
    expect(answer(502, 'Bad Gateway')).toMatchObject({ outcome: 'failed', statusCode: 502 });
  });

  it.each([
    [400, `{"error":{"code":"WorkflowTriggerIsNotEnabled","message":"Could not execute workflow '643e69f8' trigger 'manual' with state 'Disabled': trigger is not enabled."}}`, /^Teams workflow answered 400 WorkflowTriggerIsNotEnabled \(Could not execute workflow .*state 'Disabled'.*\): the workflow or its trigger is gone, turned off or refuses this URL/],
    [401, '{"error":{"code":"DirectApiInvalidAuthorizationSignature","message":"The provided authorization signature is not valid."}}', /^Teams workflow answered 401 DirectApiInvalidAuthorizationSignature/],
    [401, '{"error":{"code":"DirectApiAuthorizationRequired","message":"The request must be authenticated only by Shared Access scheme."}}', /DirectApiAuthorizationRequired/],
    [404, '{"error":{"code":"WorkflowNotFound","message":"The workflow could not be found."}}', /^Teams workflow answered 404 WorkflowNotFound \(The workflow could not be found\.\)/],
    [403, 'Forbidden', /^Teams workflow answered 403 Forbidden: /],
    [404, '', /^Teams workflow answered 404 no details: /],
  ])('%i %s disables the subscription', (status, body, reason) => {
    const result = answer(status, body);
    expect(result.outcome).toBe('gone');
    if (result.outcome === 'gone') expect(result.error).toMatch(reason);
  });

  it('an answer that repeats the URL never shows its signature', () => {
    const echoed = answer(500, `upstream failed: ...invoke?sv=1.0&sig=${SIG}`);
    expect(echoed.outcome).toBe('failed');
    if (echoed.outcome === 'failed') expect(echoed.error).toContain('sig=****');
    expect(JSON.stringify(echoed)).not.toContain(SIG);
    expect(JSON.stringify(answer(404, `{"error":{"code":"WorkflowNotFound","message":"no workflow at ${LOGIC}"}}`))).not.toContain(SIG);
  });
});
