import { promises as dns } from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { InvalidInputError } from '../errors.ts';

/** Environment variable listing hosts a webhook may reach despite the SSRF guard (comma-separated). */
export const WEBHOOK_ALLOW_HOSTS_ENV = 'RANKWATCH_WEBHOOK_ALLOW_HOSTS';

/** Resolves a host name to all its addresses (the shape of `dns.promises.lookup(host, { all: true })`). */
export type WebhookLookup = (host: string) => Promise<{ address: string; family: number }[]>;

/**
 * How the guard judges a host. `resolving` (Node): every address the name resolves to must be
 * public, and the request is then pinned to those addresses. `literal` (Cloudflare Workers, which
 * have no DNS lookup and whose `fetch` cannot be pinned): an IP literal is judged by its address,
 * a name by `privateName`'s rules only; a public name that resolves to a private address passes.
 */
export const URL_GUARDS = ['resolving', 'literal'] as const;
export type UrlGuard = (typeof URL_GUARDS)[number];

export interface WebhookUrlOptions {
  /** Host names or IP literals (optionally `host:port`, `[v6]:port`) exempt from the address check; http is allowed for them. */
  allowHosts: readonly string[];
  /** Replaces DNS resolution (tests). */
  lookup?: WebhookLookup;
  /** `resolving` unless said otherwise (see URL_GUARDS). */
  guard?: UrlGuard;
}

export interface CheckedWebhookUrl {
  url: URL;
  /**
   * The addresses the host resolved to (the literal itself for an IP host); pin the connection to
   * them with `lookupFor`. Empty for a name under the `literal` guard: nothing was resolved.
   */
  addresses: string[];
}

const defaultLookup: WebhookLookup = (host) => dns.lookup(host, { all: true, verbatim: true });

/** `RANKWATCH_WEBHOOK_ALLOW_HOSTS` as a list: split on commas, trimmed, empties dropped, lower-cased. */
export function parseAllowHosts(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(',')
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => entry !== '');
}

/**
 * Checks a subscriber-supplied webhook URL before it is stored and again before each send:
 * https only (http only for allow-listed hosts), no credentials, and every address the host
 * resolves to must be public unicast unless the host is allow-listed. Throws `InvalidInputError`
 * (parameter `url`) saying what is wrong. Messages show only scheme, host and port, never the
 * path (webhook paths are often secrets).
 */
export async function checkWebhookUrl(url: string, options: WebhookUrlOptions): Promise<CheckedWebhookUrl> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidInputError('url', 'not a valid absolute URL (expected https://host/path)');
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new InvalidInputError('url', 'must not contain credentials (user:password@); put secrets in the path or a signing secret');
  }
  const shown = `${parsed.protocol}//${parsed.host}/`;
  const host = bare(parsed.hostname);
  const allowed = isAllowed(host, effectivePort(parsed), options.allowHosts);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new InvalidInputError('url', `${shown}: scheme ${parsed.protocol.slice(0, -1)} is not allowed; only https is allowed`);
  }

  let addresses: string[];
  if (isIP(host) !== 0) {
    addresses = [host];
  } else if (options.guard === 'literal') {
    addresses = [];
    const reason = allowed ? null : privateName(host);
    if (reason) {
      throw new InvalidInputError('url', `${shown}: host ${host} is ${reason}; webhooks must reach a public address (allow a host with ${WEBHOOK_ALLOW_HOSTS_ENV})`);
    }
  } else {
    let results: { address: string }[];
    try {
      results = await (options.lookup ?? defaultLookup)(host);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException | undefined)?.code;
      throw new InvalidInputError('url', `${shown}: host ${host} does not resolve${code ? ` (${code})` : ''}`);
    }
    addresses = results.map((result) => result.address);
    if (addresses.length === 0) throw new InvalidInputError('url', `${shown}: host ${host} does not resolve (no addresses)`);
  }
  if (allowed) return { url: parsed, addresses };

  // The address check comes before the http check: for http://169.254.169.254/ the address is the real problem.
  const refused = addresses.map((address) => ({ address, range: addressRange(address) })).filter((entry) => entry.range !== 'unicast');
  if (refused.length > 0) {
    const list = refused.map((entry) => `${entry.address} (${entry.range})`).join(', ');
    const what = refused.length === 1 ? 'a private or reserved address' : 'private or reserved addresses';
    throw new InvalidInputError(
      'url',
      `${shown} resolves to ${list}, ${what}; webhooks must reach a public address (allow a host with ${WEBHOOK_ALLOW_HOSTS_ENV})`,
    );
  }
  if (parsed.protocol === 'http:') {
    throw new InvalidInputError('url', `${shown}: scheme http is not allowed; http is allowed only for hosts in ${WEBHOOK_ALLOW_HOSTS_ENV}`);
  }
  return { url: parsed, addresses };
}

/**
 * A `lookup` for Node's `http.request`/`https.request`/`net.connect` that answers every host name
 * with the given, already checked addresses, so the socket connects to what `checkWebhookUrl`
 * approved even if DNS changes in between (DNS rebinding). TLS still verifies the URL's host name.
 */
export function lookupFor(addresses: readonly string[]): LookupFunction {
  const all: LookupAddress[] = addresses.map((address) => ({ address, family: isIP(address) }));
  return (hostname, options, callback) => {
    // Also accept the legacy dns.lookup shapes: (hostname, family, cb) and (hostname, cb).
    const opts: LookupOptions = typeof options === 'object' && options !== null ? options : typeof options === 'number' ? { family: options } : {};
    const cb = (typeof options === 'function' ? options : callback) as typeof callback;
    const family = opts.family === 'IPv4' ? 4 : opts.family === 'IPv6' ? 6 : (opts.family ?? 0);
    const matching = family === 0 ? all : all.filter((entry) => entry.family === family);
    if (matching.length === 0) {
      const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
      error.code = 'ENOTFOUND';
      process.nextTick(cb, error, opts.all ? [] : '', undefined);
      return;
    }
    const first = matching[0]!;
    if (opts.all) process.nextTick(cb, null, matching);
    else process.nextTick(cb, null, first.address, first.family);
  };
}

/**
 * Suffixes of names that only a local resolver answers: `localhost` (RFC 6761), mDNS's `local`
 * (RFC 6762), `home.arpa` (RFC 8375), ICANN's private-use `internal` (as in cloud metadata names),
 * and the private TLDs RFC 6762 (appendix G) found in use.
 */
const LOCAL_SUFFIXES = ['localhost', 'local', 'internal', 'home.arpa', 'localdomain', 'lan', 'home', 'corp', 'intranet', 'private'] as const;

/**
 * Why a host name (not an IP literal) names a private host without resolving it, or null: a
 * single-label name (completed by the local search domains) or a name under LOCAL_SUFFIXES. The
 * `literal` guard's rule for names; a public name pointing at a private address is not caught.
 */
export function privateName(host: string): string | null {
  const name = bare(host);
  const suffix = LOCAL_SUFFIXES.find((candidate) => name === candidate || name.endsWith(`.${candidate}`));
  if (suffix) return `a local name (.${suffix})`;
  return name.includes('.') ? null : 'a single-label name, resolved only by local search domains';
}

/** ipaddr.js's range name for an address (IPv4-mapped IPv6 is classified as its IPv4 address); 'unicast' is public. */
function addressRange(address: string): string {
  let ip: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    ip = ipaddr.process(address);
  } catch {
    return 'unparseable';
  }
  const range = ip.range();
  // IPv4-compatible IPv6 (::a.b.c.d, deprecated): ipaddr calls it unicast; refuse it anyway.
  if (range === 'unicast' && ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).parts.slice(0, 6).every((part) => part === 0)) return 'ipv4Compatible';
  return range;
}

function isAllowed(host: string, port: number, allowHosts: readonly string[]): boolean {
  return allowHosts.some((raw) => {
    const entry = parseAllowEntry(raw.trim().toLowerCase());
    return entry !== null && entry.host === host && (entry.port === null || entry.port === port);
  });
}

/** `host`, `host:port`, `1.2.3.4`, `::1`, `[::1]` or `[::1]:port`, normalised like a URL host. */
function parseAllowEntry(entry: string): { host: string; port: number | null } | null {
  let hostPart = entry;
  let port: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  const colons = entry.split(':').length - 1;
  if (bracketed) {
    hostPart = `[${bracketed[1]}]`;
    port = bracketed[2];
  } else if (colons === 1) {
    const [name, digits] = entry.split(':') as [string, string];
    if (!/^\d+$/.test(digits)) return null;
    hostPart = name;
    port = digits;
  } else if (colons > 1) {
    hostPart = `[${entry}]`;
  }
  try {
    return { host: bare(new URL(`http://${hostPart}/`).hostname), port: port === undefined ? null : Number(port) };
  } catch {
    return null;
  }
}

function effectivePort(url: URL): number {
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

/** A URL hostname without IPv6 brackets or a trailing root dot, lower-cased. */
function bare(hostname: string): string {
  const host = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return (host.endsWith('.') ? host.slice(0, -1) : host).toLowerCase();
}
