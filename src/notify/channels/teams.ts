import { InvalidInputError } from '../../errors.ts';
import type { Alert, AlertChangeSet } from '../alert.ts';
import { JSON_HEADERS, judgeHttp, mask, type HttpChannel, type StoredTarget } from './adapter.ts';
import { alertHeadline, boardSummary, cutNotice, escapeCommonMark, eventLines, fitLines, flagNotes, isMulti, isSubset, markdownLinkUrl, moreText, truncate, truncateEscaped } from '../text.ts';

/**
 * Teams' limits, and ours within them. Microsoft documents about 28 KB (`documentedBytes`) for a
 * message a workflow posts to a channel (its "Post card in a chat or channel" action fails with
 * "Request Entity too large" beyond it), counted with the markup Teams renders the card into;
 * senders report the real ceiling nearer 21 KB. So the whole request body stays under `bytes`
 * of UTF-8. The rest are ours: the headline's length, at most `actions` link buttons (the change
 * sets beyond are linked in the text), each title at most `actionTitle` characters.
 */
export const TEAMS_LIMITS = {
  documentedBytes: 28_000,
  bytes: 20_000,
  headline: 400,
  actions: 5,
  actionTitle: 40,
} as const;

/**
 * The Adaptive Card version the card declares (Teams renders up to 1.5 on desktop and the web); the
 * card itself uses only what 1.0 has (TextBlocks, separators, Action.OpenUrl).
 */
export const TEAMS_CARD_VERSION = '1.4';

/** A change set is only shown when it can have at least this much text (else it joins "…and N more change sets"). */
const MIN_CHANGE_SET_TEXT = 600;
/** Text kept back for the closing "…and N more change sets" list. */
const OVERFLOW_TEXT = 1500;
/** The characters of text a card starts with; cut further when its JSON comes out over TEAMS_LIMITS.bytes. */
const TEXT_BUDGET = 16_000;

/**
 * Text (a model's name, a summary) that a TextBlock must show as written: TextBlocks render a
 * markdown subset (bold, italics, lists, links) and take CommonMark's backslash escapes.
 */
export const escapeTeams = escapeCommonMark;

/** A markdown link, its label escaped and cut to `maxLabel`. */
export function teamsLink(url: string, label: string, maxLabel = 200): string {
  return `[${truncateEscaped(label, maxLabel, escapeTeams)}](${markdownLinkUrl(url)})`;
}

type Element = Record<string, unknown>;

/** A TextBlock that wraps (Teams cuts an unwrapped one at the card's edge). */
const textBlock = (text: string, extra: Element = {}): Element => ({ type: 'TextBlock', text, wrap: true, ...extra });

/**
 * The TextBlocks of one change set within `budget` characters of text: its summary linking to the
 * change set (left out when the headline already shows it whole), its flags in words, its events
 * as a bulleted list cut with "…and N more" linking to the full change set, and its capture time.
 * The first block of a change set after the first has a separator line above it.
 */
function changeSetBlocks(changeSet: AlertChangeSet, budget: number, summaryInHeadline: boolean, type: Alert['type'], separated: boolean): Element[] {
  const blocks: Element[] = [];
  const captured = `captured ${changeSet.capturedAt}`;
  let left = budget - captured.length;
  if (!summaryInHeadline) {
    const summary = `**${teamsLink(changeSet.url, boardSummary(changeSet), Math.max(40, Math.min(1000, Math.floor(left / 3))))}**`;
    blocks.push(textBlock(summary));
    left -= summary.length;
  }
  for (const note of flagNotes(changeSet)) {
    const flag = `⚠️ **${note.title}:** ${escapeTeams(note.text)}`;
    blocks.push(textBlock(flag, { color: 'Warning' }));
    left -= flag.length;
  }
  const lines = eventLines(changeSet).map((line) => `- ${escapeTeams(line)}`);
  if (lines.length > 0) {
    // A blank line ends the list: the notice is a paragraph of its own, not one more bullet.
    const more = (omitted: number) => `\n${escapeTeams(cutNotice(type, changeSet, lines.length - omitted) ?? moreText(omitted))}: ${teamsLink(changeSet.url, 'full change set')}`;
    blocks.push(textBlock(fitLines(lines, Math.max(left, 200), more, isSubset(changeSet)).text, { spacing: 'Small' }));
  }
  blocks.push(textBlock(captured, { isSubtle: true, size: 'Small', spacing: 'Small' }));
  if (separated) blocks[0] = { ...blocks[0], separator: true, spacing: 'Large' };
  return blocks;
}

/** The closing block listing the change sets that did not fit, each a link, itself cut to fit. */
function overflowBlock(left: readonly AlertChangeSet[], budget: number): Element {
  const heading = `**${moreText(left.length, left.length === 1 ? 'change set' : 'change sets')}:**`;
  const links = left.map((changeSet) => `- ${teamsLink(changeSet.url, boardSummary(changeSet), 120)}`);
  const listed = fitLines(links, budget - heading.length - 1, (omitted) => `\n${moreText(omitted)}`);
  return textBlock(`${heading}\n${listed.text}`, { separator: true, spacing: 'Large' });
}

/** The card's link buttons: the change set, or each of the first change sets of a digest. */
function actions(changeSets: readonly AlertChangeSet[], multi: boolean): Element[] {
  return changeSets.slice(0, TEAMS_LIMITS.actions).map((changeSet) => ({
    type: 'Action.OpenUrl',
    title: multi ? truncate(boardSummary(changeSet), TEAMS_LIMITS.actionTitle) : 'Full change set',
    url: changeSet.url,
  }));
}

/** The message a Teams workflow posts: one Adaptive Card as an attachment, as its "Post to a channel" template expects. */
export interface TeamsMessage {
  type: 'message';
  attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive'; contentUrl: null; content: Element }];
}

function wrap(body: Element[], buttons: Element[]): TeamsMessage {
  const content: Element = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: TEAMS_CARD_VERSION,
    body,
    ...(buttons.length > 0 ? { actions: buttons } : {}),
    msteams: { width: 'Full' },
  };
  return { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content }] };
}

/** The card with `budget` characters of text shared between its change sets. */
function cardWithin(alert: Alert, budget: number): TeamsMessage {
  const headline = alertHeadline(alert);
  const shownHeadline = truncateEscaped(headline, TEAMS_LIMITS.headline, escapeTeams);
  const body: Element[] = [textBlock(shownHeadline, { weight: 'Bolder', size: 'Medium' })];
  const multi = isMulti(alert);
  const changeSets = alert.changeSets;
  if (changeSets.length === 0) return wrap([...body, textBlock('No changes.')], []);

  const text = budget - shownHeadline.length;
  const fitting = Math.max(1, Math.floor(text / MIN_CHANGE_SET_TEXT));
  const shown = changeSets.length <= fitting ? changeSets.length : Math.max(1, Math.floor((text - OVERFLOW_TEXT) / MIN_CHANGE_SET_TEXT));
  const left = changeSets.slice(shown);
  const share = Math.floor((text - (left.length > 0 ? OVERFLOW_TEXT : 0)) / shown);
  const summaryInHeadline = !multi && shownHeadline === escapeTeams(headline);
  for (const [index, changeSet] of changeSets.slice(0, shown).entries()) {
    body.push(...changeSetBlocks(changeSet, share, summaryInHeadline, alert.type, multi && index > 0));
  }
  if (left.length > 0) body.push(overflowBlock(left, OVERFLOW_TEXT));
  return wrap(body, actions(changeSets, multi));
}

/** The size Teams counts: the request body's UTF-8 bytes. */
export function teamsBytes(message: TeamsMessage): number {
  return new TextEncoder().encode(JSON.stringify(message)).length;
}

/**
 * An alert as a Teams workflow message: one Adaptive Card. Layout: the headline (the board and
 * summary, the digest's title and count, or the test's), bold; per change set its summary linking
 * to it, its flags in words, its events as a bulleted list and its capture time, a separator
 * between change sets; link buttons to the change sets. Events that do not fit end with "…and N
 * more" linking to the full change set; change sets that do not fit are listed as links in a
 * closing "…and N more change sets" block. The text is cut until the body is within
 * TEAMS_LIMITS.bytes (escapes and non-ASCII text take more bytes than characters).
 */
export function teamsMessage(alert: Alert): TeamsMessage {
  let budget = TEXT_BUDGET;
  for (let round = 0; round < 8; round += 1) {
    const message = cardWithin(alert, budget);
    const bytes = teamsBytes(message);
    if (bytes <= TEAMS_LIMITS.bytes) return message;
    budget = Math.floor((budget * TEAMS_LIMITS.bytes * 0.95) / bytes);
  }
  // Text made of the widest characters only: the headline and the buttons.
  return wrap([textBlock(truncateEscaped(alertHeadline(alert), TEAMS_LIMITS.headline, escapeTeams), { weight: 'Bolder', size: 'Medium' })], actions(alert.changeSets, isMulti(alert)));
}

/** The path of a workflow's manual trigger, as Teams and Power Automate give it (the newer form under `/powerautomate/automations/direct`). */
const WORKFLOW_PATH = /^(\/powerautomate\/automations\/direct)?\/workflows\/[a-z0-9_-]+\/triggers\/manual\/paths\/invoke\/?$/i;
/** Workflow ids and signatures as Teams issues them. */
const TOKEN = /^[a-z0-9_-]+$/i;

/** Whether a URL is an Office 365 connector's (retired): `…webhook.office.com/webhookb2/…` or `outlook.office.com/webhook/…`. */
function isConnectorUrl(url: URL): boolean {
  const host = url.hostname.toLowerCase();
  return host.endsWith('.webhook.office.com') || host === 'webhook.office.com' || url.pathname.startsWith('/webhookb2/') || (host.endsWith('office.com') && url.pathname.startsWith('/webhook/'));
}

/** Refuses an http(s) URL that is not a signed workflow trigger. Errors never repeat the URL's path or query. */
function checkWorkflowUrl(url: URL): void {
  const where = `${url.protocol}//${url.host}/`;
  if (isConnectorUrl(url)) {
    throw new InvalidInputError(
      'url',
      `${where}: an Office 365 connector webhook; Microsoft has retired connectors in Teams. Create a workflow instead (the channel's "Workflows", template "Post to a channel when a webhook request is received") and give its URL`,
    );
  }
  if (!WORKFLOW_PATH.test(url.pathname)) {
    throw new InvalidInputError('url', `${where}: not a Teams workflow URL (expected https://…/workflows/<id>/triggers/manual/paths/invoke?…&sig=…, as the workflow's trigger gives it, or workflows://host/<id>/<signature>)`);
  }
  if (!url.searchParams.get('sig')) {
    throw new InvalidInputError('url', `${where}: the workflow URL has no sig=… signature: copy the whole URL, and let anyone trigger the workflow (a trigger limited to your tenant needs a sign-in rankwatch cannot make)`);
  }
}

/** Apprise's defaults: the Logic Apps API version, and the newer Power Automate one. */
const API_VERSION = { workflow: '2016-06-01', powerAutomate: '2022-03-01-preview', environment: '1' } as const;

/** Apprise's options rankwatch takes (`image`, `wrap`: its own card has no icon and always wraps). */
const IGNORED_OPTIONS = ['image', 'wrap'];

/** A yes/no option as Apprise reads it. */
function yes(value: string): boolean {
  return /^(1|y|yes|true|on|enable|enabled)$/i.test(value.trim());
}

/**
 * `workflow://` or `workflows://host[:port]/<workflow>/<signature>[?pa=yes&ver=…]` (Apprise's
 * form; `?id=`/`?workflow=` and `?sig=`/`?signature=` may stand for the path's parts) as the
 * workflow's https URL. `pa=yes` (or a host under environment.api.powerplatform.com) means the
 * newer Power Automate path. Errors name what is wrong, never a value.
 */
function fromApprise(input: string): string {
  let parsed: URL;
  try {
    parsed = new URL(input);
  } catch {
    throw new InvalidInputError('url', 'not a valid workflows:// URL (expected workflows://host/<workflow id>/<signature>)');
  }
  if (!parsed.hostname) throw new InvalidInputError('url', 'a workflows:// URL needs the workflow\'s host (workflows://host/<workflow id>/<signature>)');
  if (parsed.username || parsed.password) throw new InvalidInputError('url', 'a workflows:// URL takes no user@ part');
  const options = new Map<string, string>();
  for (const [key, value] of parsed.searchParams) {
    const name = key.toLowerCase();
    if (IGNORED_OPTIONS.includes(name)) continue;
    if (name === 'template') throw new InvalidInputError('url', '?template= is not taken: rankwatch sends its own Adaptive Card');
    if (!['id', 'workflow', 'sig', 'signature', 'ver', 'api-version', 'pa', 'powerautomate'].includes(name)) throw new InvalidInputError('url', `unknown option ?${name}= in a workflows:// URL (known: id, sig, ver, pa)`);
    options.set(name, value);
  }
  const segments = parsed.pathname.split('/').filter((segment) => segment !== '').map((segment) => decodeURIComponent(segment));
  const workflow = options.get('workflow') || options.get('id') || segments.shift();
  const signature = options.get('signature') || options.get('sig') || segments.shift();
  if (!workflow || !TOKEN.test(workflow)) throw new InvalidInputError('url', 'the workflow id (the first part of the path, or ?id=) is missing or not letters, digits, - and _');
  if (!signature || !TOKEN.test(signature)) throw new InvalidInputError('url', 'the signature (the second part of the path, or ?sig=) is missing or not letters, digits, - and _');
  if (segments.length > 0) throw new InvalidInputError('url', 'a workflows:// URL has two parts in its path: workflows://host/<workflow id>/<signature>');
  const environment = parsed.hostname.toLowerCase().endsWith('.environment.api.powerplatform.com');
  const powerAutomate = environment || yes(options.get('pa') ?? options.get('powerautomate') ?? 'no');
  const version = options.get('api-version') || options.get('ver') || (environment ? API_VERSION.environment : powerAutomate ? API_VERSION.powerAutomate : API_VERSION.workflow);
  const url = new URL(`https://${parsed.hostname}${parsed.port && parsed.port !== '443' ? `:${parsed.port}` : ''}`);
  url.pathname = `${powerAutomate ? '/powerautomate/automations/direct' : ''}/workflows/${workflow}/triggers/manual/paths/invoke`;
  url.search = new URLSearchParams({ 'api-version': version, sp: '/triggers/manual/run', sv: '1.0', sig: signature }).toString();
  return url.toString();
}

/** A workflow URL as given (https) or Apprise's form, as stored: the whole trigger URL, its signature in it. */
function parseTeamsUrl(input: string): StoredTarget {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(input)?.[1]?.toLowerCase();
  if (scheme === 'workflow' || scheme === 'workflows') return { url: fromApprise(input), credential: null };
  if (scheme !== 'https' && scheme !== 'http') throw new InvalidInputError('url', `${scheme ? `scheme ${scheme}:// is not a teams URL` : 'not a URL'} (expected the workflow's https://… URL, or workflows://…)`);
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new InvalidInputError('url', 'not a valid absolute URL (expected the workflow\'s https://… URL)');
  }
  checkWorkflowUrl(url);
  return { url: url.toString(), credential: null };
}

/** A stored workflow URL with its signature masked. */
export function showTeamsUrl(url: string): string {
  return url.replace(/([?&]sig=)[^&#]*/gi, (_, key: string) => `${key}${mask('')}`);
}

/** The signature masked wherever an answer repeats a URL. */
function redact(text: string): string {
  return text.replace(/(sig(?:=|%3D))[^&\s"'<>]+/gi, (_, key: string) => `${key}${mask('')}`);
}

/**
 * Power Automate's and Logic Apps' errors that mean the workflow will not take a message until
 * someone acts: turned off or deleted (`WorkflowTriggerIsNotEnabled`, with its state), gone
 * (`WorkflowNotFound`), or a signature it no longer takes or a trigger that wants a sign-in.
 */
const TEAMS_GONE = ['WorkflowTriggerIsNotEnabled', 'WorkflowNotFound', 'DirectApiInvalidAuthorizationSignature', 'DirectApiAuthorizationRequired'];

/** The `{error: {code, message}}` of a Power Automate answer, or null. */
function workflowError(body: string): { code: string; message: string | null } | null {
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } } | null;
    const code = parsed?.error?.code;
    if (typeof code !== 'string') return null;
    const message = parsed?.error?.message;
    return { code, message: typeof message === 'string' ? message : null };
  } catch {
    // Not JSON: judged by the status alone.
    return null;
  }
}

/**
 * A Microsoft Teams workflow ("Post to a channel when a webhook request is received", the
 * successor of the retired Office 365 connectors): one Adaptive Card per alert. It answers 202
 * when it has taken the message. 401, 403 and 404, and the errors of TEAMS_GONE with any status,
 * mean the workflow or its trigger is gone, off or refuses the URL: the subscription is disabled.
 * Paced at one message a second, well within the four requests a second beyond which Teams
 * throttles a webhook (Microsoft's incoming-webhook documentation); a 429's Retry-After is honoured.
 */
export const teams = {
  signed: false,
  paceMs: 1_000,
  schemes: ['workflow', 'workflows'],
  parseUrl: parseTeamsUrl,
  acceptUrl: (url) => {
    checkWorkflowUrl(url);
    return url;
  },
  showUrl: showTeamsUrl,
  render: (alert, target) => ({ url: new URL(target.url), headers: { ...JSON_HEADERS }, body: JSON.stringify(teamsMessage(alert)) }),
  judge: (response, now) =>
    judgeHttp({ ...response, body: redact(response.body) }, now, ({ statusCode, body }, snippet) => {
      const error = workflowError(body);
      const named = error !== null && TEAMS_GONE.includes(error.code);
      if (!named && statusCode !== 401 && statusCode !== 403 && statusCode !== 404) return {};
      const what = error ? `${error.code}${error.message ? ` (${truncate(error.message, 200)})` : ''}` : snippet || 'no details';
      return { gone: `Teams workflow answered ${statusCode} ${what}: the workflow or its trigger is gone, turned off or refuses this URL (turn it on or copy its URL again, then update the subscription)` };
    }),
} satisfies HttpChannel;
