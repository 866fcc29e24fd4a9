import { isIP } from 'node:net';
import { InvalidInputError } from '../../errors.ts';
import type { Alert, AlertChangeSet } from '../alert.ts';
import { mask, type AttemptResult, type ChannelTarget, type SendContext, type SendingChannel, type StoredTarget } from './adapter.ts';
import { alertHeadline, boardSummary, cutNotice, escapeHtml, eventLines, flagNotes, isMulti, moreText, truncate } from '../text.ts';

/**
 * What an email subscription's URL says (Apprise's `mailto://` and `mailtos://`): the SMTP server
 * and how to speak TLS to it, the login, and the addresses of the mail.
 */
export interface EmailSettings {
  /** `mailtos`: TLS required; `mailto`: STARTTLS when the server offers it. */
  scheme: 'mailto' | 'mailtos';
  /** `implicit`: TLS from the first byte (465, `mode=ssl`); `starttls`: required upgrade; `opportunistic`: upgrade when offered. */
  tls: 'implicit' | 'starttls' | 'opportunistic';
  /** The URL's host: the SMTP server, or the mail domain when `smtp=` names the server. */
  domain: string;
  /** The SMTP server's host name or IP literal (no brackets). */
  host: string;
  port: number;
  /** The SMTP login, or null to send without one. */
  user: string | null;
  /** Only in what a subscriber gave: the stored URL never carries it. */
  password: string | null;
  from: string;
  /** The sender's display name (`name=`), or null. */
  name: string | null;
  to: string[];
  cc: string[];
  bcc: string[];
}

/** The query parameters an email URL may carry (Apprise's names). */
const EMAIL_PARAMETERS = ['to', 'cc', 'bcc', 'from', 'name', 'smtp', 'mode'] as const;

/** At most this many recipients (to, cc and bcc together) per subscription. */
const MAX_RECIPIENTS = 50;

/** An address as the channel takes it: a dot-atom local part and a domain name (no display names, no quoted parts, no address literals). */
const ADDRESS = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*@[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,62}[\p{L}\p{N}])?(\.[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,62}[\p{L}\p{N}])?)+$/u;

/** A host name or an IPv4/IPv6 literal. */
const HOST_NAME = /^[a-z0-9](?:[a-z0-9-]{0,62})(\.[a-z0-9](?:[a-z0-9-]{0,62}))*\.?$/i;

function refuse(message: string): never {
  throw new InvalidInputError('url', message);
}

/** Percent-decoding that refuses a malformed escape instead of throwing URIError (whose message would repeat it). */
function decode(text: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return refuse(`${what} has a malformed %-escape`);
  }
}

function checkedHost(raw: string, what: string): string {
  const host = raw.startsWith('[') && raw.endsWith(']') ? raw.slice(1, -1) : raw;
  if (isIP(host) !== 0 || HOST_NAME.test(host)) return host.toLowerCase();
  return refuse(`${what} ${JSON.stringify(raw)} is not a host name or IP address`);
}

function checkedAddress(address: string, what: string): string {
  if (!ADDRESS.test(address) || address.length > 254) refuse(`${what}: ${JSON.stringify(truncate(address, 80))} is not an email address (expected name@example.com)`);
  return address;
}

/** The addresses of a `to=`-style list: commas, semicolons or spaces between them. */
function addressList(values: readonly string[], what: string): string[] {
  return values.flatMap((value) => value.split(/[\s,;]+/)).filter((address) => address !== '').map((address) => checkedAddress(address, what));
}

/** A host as it goes in a URL's authority: an IPv6 literal in brackets. */
function authorityHost(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

/**
 * Reads an email URL (`mailto://` or `mailtos://`; Apprise's forms): `user:password@host:port`,
 * `smtp=` naming the server when the host is the mail domain, `mode=ssl|starttls`, recipients in
 * `to=` (comma-separated) or the path, `cc=`, `bcc=`, `from=`, `name=`. Defaults as Apprise's:
 * port 25 for mailto, 587 (STARTTLS) or 465 (`mode=ssl`) for mailtos; `from` the user's address
 * (the user itself when it is one, else `user@host`); `to` the sender. Throws an
 * InvalidInputError naming `url` that never repeats the password.
 */
export function readEmailUrl(input: string): EmailSettings {
  const text = input.trim();
  const scheme = /^(mailtos?):/i.exec(text)?.[1]?.toLowerCase() as EmailSettings['scheme'] | undefined;
  if (!scheme) refuse('an email URL is mailto://user:password@smtp.example.com… or mailtos://… (TLS required)');
  if (!text.slice(scheme.length + 1).startsWith('//')) {
    refuse(`give the SMTP server: ${scheme}://user:password@smtp.example.com:587?to=you@example.com (not ${scheme}:address)`);
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // The URL itself is not repeated: it may hold the password.
    return refuse(`not a valid ${scheme}:// URL (a password with @ / ? # or % in it must be %-escaped)`);
  }
  if (url.hash !== '') refuse('a # in the URL: %-escape it (%23) in the password');
  const user = url.username === '' ? null : decode(url.username, 'the user');
  const password = url.password === '' ? null : decode(url.password, 'the password');
  if (url.hostname === '') refuse(`give the SMTP server: ${scheme}://user:password@smtp.example.com…`);
  const domain = checkedHost(url.hostname, 'host');

  const params = new URLSearchParams(url.search);
  const unknown = [...new Set(params.keys())].filter((key) => !(EMAIL_PARAMETERS as readonly string[]).includes(key));
  if (unknown.length > 0) refuse(`unknown parameter${unknown.length === 1 ? '' : 's'} ${unknown.map((key) => JSON.stringify(truncate(key, 40))).join(', ')} (known: ${EMAIL_PARAMETERS.join(', ')})`);
  for (const key of ['from', 'name', 'smtp', 'mode']) if (params.getAll(key).length > 1) refuse(`${key}= given more than once`);

  const smtp = params.get('smtp');
  const host = smtp === null ? domain : checkedHost(smtp.trim(), 'smtp=');
  const mode = params.get('mode')?.trim().toLowerCase() ?? null;
  if (mode !== null && mode !== 'ssl' && mode !== 'starttls') refuse(`mode=${truncate(mode, 20)}: expected ssl (TLS from the start, port 465) or starttls (port 587)`);
  if (mode !== null && scheme === 'mailto') refuse('mode= is for mailtos:// (mailto:// upgrades with STARTTLS when the server offers it)');
  const explicitPort = url.port === '' ? null : Number(url.port);
  if (explicitPort === 0) refuse('port 0 is not a port');
  const tls: EmailSettings['tls'] =
    scheme === 'mailto' ? 'opportunistic' : mode === 'ssl' || (mode === null && explicitPort === 465) ? 'implicit' : 'starttls';
  const port = explicitPort ?? (scheme === 'mailto' ? 25 : tls === 'implicit' ? 465 : 587);

  const name = params.get('name');
  if (name !== null && (/[\u0000-\u001f\u007f]/.test(name) || name.length > 200)) refuse('name= must be one line of at most 200 characters');
  const fromParam = params.get('from');
  let from: string;
  if (fromParam !== null) from = checkedAddress(fromParam.trim(), 'from=');
  else if (user === null) from = refuse('from= is needed when the URL names no user (the sender’s address)');
  else if (user.includes('@')) from = checkedAddress(user, 'the user (as the sender’s address; or give from=)');
  else if (isIP(domain) !== 0) from = refuse(`from= is needed: the host is an IP address, so the user ${JSON.stringify(truncate(user, 40))} makes no sender address`);
  else from = checkedAddress(`${user}@${domain}`, 'the sender user@host (or give from=)');

  const inPath = url.pathname
    .split('/')
    .filter((part) => part !== '')
    .map((part) => decode(part, 'the path'));
  const to = addressList([...inPath, ...params.getAll('to')], 'to=');
  const cc = addressList(params.getAll('cc'), 'cc=');
  const bcc = addressList(params.getAll('bcc'), 'bcc=');
  if (to.length === 0) to.push(from);
  if (to.length + cc.length + bcc.length > MAX_RECIPIENTS) refuse(`at most ${MAX_RECIPIENTS} recipients (to, cc and bcc together)`);
  return { scheme, tls, domain, host, port, user, password, from, name, to, cc, bcc };
}

/** A query value with `@` and `,` left readable (both are allowed in a query). */
function queryValue(value: string): string {
  return encodeURIComponent(value).replace(/%40/g, '@').replace(/%2C/g, ',');
}

/**
 * The URL an email subscription stores: every default spelled out (port, TLS mode, sender,
 * recipients), the user kept, the password left out (it is the credential, kept apart).
 */
export function storedEmailUrl(settings: EmailSettings): string {
  const login = settings.user === null ? '' : `${encodeURIComponent(settings.user)}@`;
  const query: [string, string][] = [];
  if (settings.host !== settings.domain) query.push(['smtp', authorityHost(settings.host)]);
  if (settings.scheme === 'mailtos') query.push(['mode', settings.tls === 'implicit' ? 'ssl' : 'starttls']);
  query.push(['from', settings.from]);
  if (settings.name !== null) query.push(['name', settings.name]);
  query.push(['to', settings.to.join(',')]);
  if (settings.cc.length > 0) query.push(['cc', settings.cc.join(',')]);
  if (settings.bcc.length > 0) query.push(['bcc', settings.bcc.join(',')]);
  return `${settings.scheme}://${login}${authorityHost(settings.domain)}:${settings.port}/?${query.map(([key, value]) => `${key}=${queryValue(value)}`).join('&')}`;
}

/** A subscriber's email URL as stored: the password taken out as the credential. A user needs one, and a password a user. */
export function parseEmailUrl(input: string): StoredTarget {
  const settings = readEmailUrl(input);
  if (settings.user !== null && settings.password === null) refuse('the user needs its password (user:password@host; %-escape @ / ? # % in it), or leave out both');
  if (settings.user === null && settings.password !== null) refuse('a password needs its user (user:password@host)');
  return { url: storedEmailUrl(settings), credential: settings.password };
}

/** The https URL the shared guard checks for an email URL: the SMTP server and its port. */
export function emailEndpoint(url: string): string {
  const settings = readEmailUrl(url);
  return `https://${authorityHost(settings.host)}:${settings.port}/`;
}

/** A stored email URL as shown: as stored (it holds no password), a password masked should one be there. */
export function showEmailUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = mask('');
    return parsed.toString();
  } catch {
    return url;
  }
}

/** How much of an alert one mail shows: events per change set and change sets in full (the rest as links). */
export const EMAIL_LIMITS = { events: 200, changeSets: 50, subject: 200 } as const;

/** A mail as rankwatch writes it: what nodemailer is handed besides the addresses. */
export interface EmailMessage {
  subject: string;
  text: string;
  html: string;
  /** `<alert id@public host>`: the same on every retry. */
  messageId: string;
  /** The board's thread root for a single-board alert, else null (no In-Reply-To, no References). */
  threadRoot: string | null;
  headers: Record<string, string>;
}

/** The host name message ids end with: the public URL's host. */
function idHost(publicUrl: string): string {
  try {
    return new URL(publicUrl).hostname.replace(/^\[|\]$/g, '') || 'rankwatch.invalid';
  } catch {
    return 'rankwatch.invalid';
  }
}

/** A piece of a message id: characters a `dot-atom-text` id may hold, nothing else. */
function idPart(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]/g, '-');
}

/** The id every alert of `board` refers to, so mail clients thread a board's alerts. */
export function boardThreadId(board: string, publicUrl: string): string {
  return `<board.${idPart(board)}@${idPart(idHost(publicUrl))}>`;
}

function captured(changeSet: AlertChangeSet): string {
  return `${changeSet.capturedAt.replace('T', ' ').slice(0, 16)} UTC`;
}

interface ChangeSetParts {
  summary: string;
  notes: { title: string; text: string }[];
  lines: string[];
  /** The cut notice (`…and 12 more`, `…showing 20 of 562 events (…)`), or null when all are shown. */
  cut: string | null;
}

function changeSetParts(alert: Alert, changeSet: AlertChangeSet): ChangeSetParts {
  const all = eventLines(changeSet);
  const lines = all.slice(0, EMAIL_LIMITS.events);
  return { summary: boardSummary(changeSet), notes: flagNotes(changeSet), lines, cut: cutNotice(alert.type, changeSet, lines.length) };
}

/**
 * An alert as a mail, pure: the subject is its headline (alertHeadline); a plain-text part and an
 * HTML part (every name escaped) with each change set's summary, flags in words, one line per
 * event (at most EMAIL_LIMITS.events, then the cut notice) and its link; change sets beyond
 * EMAIL_LIMITS.changeSets listed as links. The Message-ID is the alert's id (stable across
 * retries); an alert whose change sets are all of one board joins that board's thread (a digest
 * of several boards starts none: it belongs to no one board).
 */
export function emailMessage(alert: Alert, publicUrl: string): EmailMessage {
  const headline = alertHeadline(alert);
  const subject = truncate(headline.replace(/\s+/g, ' ').trim(), EMAIL_LIMITS.subject);
  const shown = alert.changeSets.slice(0, EMAIL_LIMITS.changeSets);
  const left = alert.changeSets.slice(EMAIL_LIMITS.changeSets);
  const parts = shown.map((changeSet) => changeSetParts(alert, changeSet));
  // A single change set's summary is the headline already: not repeated as its heading.
  const headed = isMulti(alert) || alert.type === 'test.sent';

  const text: string[] = [headline, ''];
  const html: string[] = [`<h1 style="font-size:1.25em">${escapeHtml(headline)}</h1>`];
  for (const [index, changeSet] of shown.entries()) {
    const part = parts[index]!;
    if (headed) {
      text.push(`== ${part.summary} ==`);
      html.push(`<h2 style="font-size:1.1em"><a href="${escapeHtml(changeSet.url)}">${escapeHtml(part.summary)}</a></h2>`);
    }
    for (const note of part.notes) {
      text.push(`⚠ ${note.title}: ${note.text}`);
      html.push(`<p>⚠️ <strong>${escapeHtml(note.title)}:</strong> ${escapeHtml(note.text)}</p>`);
    }
    text.push(...part.lines.map((line) => `- ${line}`));
    if (part.lines.length > 0) html.push(`<ul>${part.lines.map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>`);
    if (part.cut) {
      text.push(`${part.cut}: ${changeSet.url}`);
      html.push(`<p>${escapeHtml(part.cut)}: <a href="${escapeHtml(changeSet.url)}">full change set</a></p>`);
    }
    text.push(`Full change set: ${changeSet.url} (captured ${captured(changeSet)})`, '');
    html.push(`<p style="color:#666"><a href="${escapeHtml(changeSet.url)}">Full change set</a> · captured ${escapeHtml(captured(changeSet))}</p>`);
  }
  if (left.length > 0) {
    const heading = `${moreText(left.length, left.length === 1 ? 'change set' : 'change sets')}:`;
    text.push(heading, ...left.map((changeSet) => `- ${boardSummary(changeSet)}: ${changeSet.url}`), '');
    html.push(`<p>${escapeHtml(heading)}</p><ul>${left.map((changeSet) => `<li><a href="${escapeHtml(changeSet.url)}">${escapeHtml(boardSummary(changeSet))}</a></li>`).join('')}</ul>`);
  }
  const footer = `Sent by rankwatch (${publicUrl}) for an alert subscription of this address.`;
  text.push('-- ', footer);
  html.push(`<hr><p style="color:#666;font-size:0.9em">${escapeHtml(footer)}</p>`);

  const host = idPart(idHost(publicUrl));
  const boards = new Set(alert.changeSets.map((changeSet) => changeSet.board));
  const [board] = boards;
  return {
    subject,
    text: `${text.join('\n')}\n`,
    html: `<!doctype html>\n<html><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>\n<body style="font-family:sans-serif">\n${html.join('\n')}\n</body></html>\n`,
    messageId: `<${idPart(alert.id)}@${host}>`,
    threadRoot: boards.size === 1 && board !== undefined ? boardThreadId(board, publicUrl) : null,
    headers: {
      // RFC 3834: no vacation replies or other auto-answers to these.
      'Auto-Submitted': 'auto-generated',
      'X-Auto-Response-Suppress': 'All',
      'List-Id': `rankwatch alerts <alerts.${host}>`,
    },
  };
}

/** What a send may have thrown (nodemailer's errors carry the SMTP reply and the command). */
interface SmtpError {
  message?: unknown;
  code?: unknown;
  responseCode?: unknown;
  response?: unknown;
  command?: unknown;
}

/** `text` without the password (as given and as SASL PLAIN/LOGIN would carry it in base64). */
function scrub(text: string, user: string | null, password: string | null): string {
  if (!password) return text;
  const forms = [password, Buffer.from(password).toString('base64'), Buffer.from(`\u0000${user ?? ''}\u0000${password}`).toString('base64')];
  return forms.reduce((clean, form) => clean.split(form).join('****'), text);
}

/**
 * What a failed send comes to: a 5xx reply (no such mailbox, authentication failed, refused) is
 * `gone`, except on STARTTLS (a server that will not speak TLS may yet be fixed: retried); a 4xx
 * reply and everything else (no connection, a timeout, a TLS failure) is `failed`, retried. The
 * error quotes the server's reply, never the password.
 */
export function judgeSmtpError(error: unknown, settings: Pick<EmailSettings, 'host' | 'port' | 'user' | 'password'>): AttemptResult {
  const failure = (error ?? {}) as SmtpError;
  const code = typeof failure.responseCode === 'number' ? failure.responseCode : null;
  const command = typeof failure.command === 'string' ? (/^[A-Z]+(?: [A-Z]+)?/.exec(failure.command)?.[0] ?? null) : null;
  const reply = typeof failure.response === 'string' ? failure.response.replace(/\s+/g, ' ').trim() : '';
  const message = typeof failure.message === 'string' ? failure.message : String(error);
  const server = `${authorityHost(settings.host)}:${settings.port}`;
  const tlsRefused = failure.code === 'ETLS' || command === 'STARTTLS';
  if (code !== null) {
    const said = scrub(truncate(`SMTP server ${server} answered ${reply || code}${command ? ` to ${command}` : ''}`, 500), settings.user, settings.password);
    if (tlsRefused) return { outcome: 'failed', statusCode: code, error: `${said} (STARTTLS refused: TLS is required)`, retryAfterMs: null };
    if (code >= 500) return { outcome: 'gone', statusCode: code, error: said };
    return { outcome: 'failed', statusCode: code, error: said, retryAfterMs: null };
  }
  const what = tlsRefused ? 'TLS failed with' : 'could not send through';
  return { outcome: 'failed', statusCode: null, error: scrub(truncate(`${what} SMTP server ${server}: ${message.replace(/\s+/g, ' ')}`, 500), settings.user, settings.password), retryAfterMs: null };
}

/** The public URL's host as the EHLO name: a dotted name, not an IP address or a single label such as `localhost`. */
function ehloName(publicUrl: string): string | null {
  const host = idHost(publicUrl);
  return isIP(host) === 0 && host.includes('.') ? host : null;
}

/** Whether this runs on Cloudflare Workers (whose runtime names itself so), where no SMTP connection can be made. */
function onWorkers(): boolean {
  return (globalThis as { navigator?: { userAgent?: unknown } }).navigator?.userAgent === 'Cloudflare-Workers';
}

/**
 * Sends an alert by SMTP: one connection (no pool) to the guard's first address, TLS verified
 * against the server's host name, the login with the stored password, the whole exchange within
 * `timeoutMs` and abandoned on the context's signal. Never throws.
 */
export async function sendEmail(alert: Alert, target: ChannelTarget, context: SendContext): Promise<AttemptResult> {
  let settings: EmailSettings;
  try {
    settings = readEmailUrl(target.url);
  } catch (error) {
    return { outcome: 'failed', statusCode: null, error: error instanceof Error ? error.message : String(error), retryAfterMs: null };
  }
  const server = `${authorityHost(settings.host)}:${settings.port}`;
  if (onWorkers()) {
    return { outcome: 'failed', statusCode: null, error: `email is not sent from Cloudflare Workers (no SMTP connections there): run rankwatch serve on Node to deliver to ${server}`, retryAfterMs: null };
  }
  const address = context.addresses[0];
  if (address === undefined) return { outcome: 'failed', statusCode: null, error: `SMTP server ${server}: no checked address to connect to`, retryAfterMs: null };
  const credentials = { host: settings.host, port: settings.port, user: settings.user, password: target.secret };
  if (settings.user !== null && target.secret === null) return { outcome: 'failed', statusCode: null, error: `SMTP server ${server}: the subscription has no password for ${settings.user}`, retryAfterMs: null };

  const message = emailMessage(alert, context.publicUrl);
  const ehlo = ehloName(context.publicUrl);
  const timeout = AbortSignal.timeout(context.timeoutMs);
  const signal = AbortSignal.any([context.signal, timeout]);
  try {
    // Imported here, not at the top: the Worker's bundle never starts them (see onWorkers).
    const [{ createTransport }, { rootCertificates }] = await Promise.all([import('nodemailer'), import('node:tls')]);
    const transport = createTransport({
      // Pinned to the address the guard approved; TLS still verifies the server's host name.
      host: address,
      port: settings.port,
      secure: settings.tls === 'implicit',
      requireTLS: settings.tls === 'starttls',
      servername: isIP(settings.host) === 0 ? settings.host : undefined,
      tls: {
        minVersion: 'TLSv1.2',
        ...(context.tls?.ca ? { ca: [...rootCertificates, context.tls.ca.toString()] } : {}),
      },
      ...(settings.user !== null && target.secret !== null ? { auth: { user: settings.user, pass: target.secret } } : {}),
      pool: false,
      connectionTimeout: context.timeoutMs,
      greetingTimeout: context.timeoutMs,
      socketTimeout: context.timeoutMs,
      // EHLO with the public host name when it is one a server may look up (else the machine's name).
      ...(ehlo ? { name: ehlo } : {}),
      logger: false,
      debug: false,
    });
    const info = await transport.sendMail({
      from: settings.name === null ? settings.from : { name: settings.name, address: settings.from },
      to: settings.to,
      ...(settings.cc.length > 0 ? { cc: settings.cc } : {}),
      ...(settings.bcc.length > 0 ? { bcc: settings.bcc } : {}),
      subject: message.subject,
      text: message.text,
      html: message.html,
      messageId: message.messageId,
      date: context.now,
      ...(message.threadRoot ? { inReplyTo: message.threadRoot, references: [message.threadRoot] } : {}),
      headers: message.headers,
      signal,
    });
    const code = Number(/^\d{3}/.exec(String(info.response ?? ''))?.[0] ?? 250);
    return { outcome: 'delivered', statusCode: code };
  } catch (error) {
    if (context.signal.aborted) return { outcome: 'failed', statusCode: null, error: 'abandoned: shutting down', retryAfterMs: null };
    if (timeout.aborted) return { outcome: 'failed', statusCode: null, error: `SMTP server ${server}: no answer within ${context.timeoutMs} ms`, retryAfterMs: null };
    return judgeSmtpError(error, credentials);
  }
}

/**
 * Email over SMTP (nodemailer), from Apprise-style `mailto://` and `mailtos://` URLs. The password
 * is the subscription's credential; the guard checks the SMTP server as `https://host:port/`.
 * One connection per alert, at most one a second per subscription.
 */
export const email = {
  signed: false,
  paceMs: 1_000,
  schemes: ['mailto', 'mailtos'],
  parseUrl: parseEmailUrl,
  endpoint: emailEndpoint,
  acceptUrl: (url) => url,
  showUrl: showEmailUrl,
  send: sendEmail,
} satisfies SendingChannel;
