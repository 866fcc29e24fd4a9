import ipaddr from 'ipaddr.js';

/**
 * Which proxies in front of the service are believed about the client's address
 * (`RANKWATCH_TRUST_PROXY`): none (`off`: the socket's peer is the client), a number of proxy
 * hops, or the addresses and ranges of the proxies.
 */
export type TrustProxy = { kind: 'off' } | { kind: 'hops'; hops: number } | { kind: 'ranges'; ranges: readonly [ipaddr.IPv4 | ipaddr.IPv6, number][]; names: readonly string[] };

/** Range names of ipaddr.js a list may use for whole families of addresses. */
const RANGE_NAMES = ['loopback', 'private', 'uniqueLocal', 'linkLocal'] as const;

/**
 * `off`, a number of hops (`1`: one proxy, whose X-Forwarded-For's last entry is the client), or a
 * comma list of proxy addresses, CIDR ranges and names (`loopback`, `private`, `uniqueLocal`,
 * `linkLocal`). An Error naming the bad item otherwise.
 */
export function parseTrustProxy(text: string): TrustProxy | Error {
  const value = text.trim();
  if (['off', 'false', 'no', '0', ''].includes(value)) return { kind: 'off' };
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    return hops >= 1 && hops <= 16 ? { kind: 'hops', hops } : new Error(`a number of proxy hops is 1 to 16, got ${value}`);
  }
  const ranges: [ipaddr.IPv4 | ipaddr.IPv6, number][] = [];
  const names: string[] = [];
  for (const item of value.split(',').map((part) => part.trim()).filter(Boolean)) {
    if ((RANGE_NAMES as readonly string[]).includes(item)) {
      names.push(item);
      continue;
    }
    try {
      ranges.push(item.includes('/') ? ipaddr.parseCIDR(item) : ((address) => [address, address.kind() === 'ipv4' ? 32 : 128] as [ipaddr.IPv4 | ipaddr.IPv6, number])(ipaddr.parse(item)));
    } catch {
      return new Error(`expected off, a number of proxy hops, or proxy addresses and CIDR ranges (or ${RANGE_NAMES.join(', ')}), got ${JSON.stringify(item)}`);
    }
  }
  return { kind: 'ranges', ranges, names };
}

/** An address as ipaddr.js reads it, IPv4-mapped IPv6 (`::ffff:127.0.0.1`) as IPv4; null when not an address. */
function parseAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  const trimmed = text.trim();
  return ipaddr.isValid(trimmed) ? ipaddr.process(trimmed) : null;
}

function trusted(address: ipaddr.IPv4 | ipaddr.IPv6, trust: Extract<TrustProxy, { kind: 'ranges' }>): boolean {
  if (trust.names.includes(address.range())) return true;
  return trust.ranges.some(([range, bits]) => range.kind() === address.kind() && address.match(range, bits));
}

/**
 * The client's address: the socket's peer, unless trusted proxies stand between. With proxies,
 * X-Forwarded-For is read from the right (each proxy appends the address it heard from), past
 * `hops` entries or past the entries that are trusted proxies; an entry that is no address ends
 * the walk at the last good one. Nothing a client writes in the header is believed beyond that.
 */
export function clientAddress(socket: string | undefined, forwardedFor: string | undefined, trust: TrustProxy): string | null {
  const peer = socket === undefined ? null : parseAddress(socket);
  if (trust.kind === 'off' || peer === null || forwardedFor === undefined) return peer?.toString() ?? socket ?? null;
  const hops = forwardedFor.split(',').reverse();
  let client = peer;
  for (let index = 0; index < hops.length; index++) {
    if (trust.kind === 'hops' ? index >= trust.hops : !trusted(client, trust)) break;
    const next = parseAddress(hops[index]!);
    if (next === null) break;
    client = next;
  }
  return client.toString();
}
