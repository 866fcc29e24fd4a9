import type { LookupAddress } from 'node:dns';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors.ts';
import { checkWebhookUrl, lookupFor, parseAllowHosts, privateName, type WebhookLookup } from '../../src/notify/ssrf.ts';

/** A fake resolver: host name → addresses; unknown names fail like getaddrinfo. */
function fakeLookup(table: Record<string, string[]>): WebhookLookup & { calls: string[] } {
  const calls: string[] = [];
  const lookup = async (host: string) => {
    calls.push(host);
    const addresses = table[host];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(lookup, { calls });
}

const publicDns = fakeLookup({
  'example.com': ['93.184.215.14'],
  'hooks.slack.com': ['34.206.0.1', '2600:1f18::1'],
  'discord.com': ['162.159.128.233'],
  'rebind.example': ['34.206.0.1', '10.1.2.3', '2606:4700::1'],
  'two-bad.example': ['192.168.0.7', 'fd12::7'],
  'mapped.example': ['::ffff:169.254.169.254'],
  'empty.example': [],
  'receiver.internal': ['10.0.0.9'],
});

async function refusal(url: string, allowHosts: readonly string[] = [], lookup: WebhookLookup = publicDns): Promise<InvalidInputError> {
  try {
    await checkWebhookUrl(url, { allowHosts, lookup });
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).parameter).toBe('url');
    return error as InvalidInputError;
  }
  throw new Error(`expected ${url} to be refused`);
}

describe('checkWebhookUrl refuses', () => {
  it.each([
    ['http://169.254.169.254/', '169.254.169.254', 'linkLocal'],
    ['https://169.254.169.254/latest/meta-data', '169.254.169.254', 'linkLocal'],
    ['https://10.0.0.5/', '10.0.0.5', 'private'],
    ['https://192.168.1.1/', '192.168.1.1', 'private'],
    ['https://172.16.0.1/', '172.16.0.1', 'private'],
    ['https://127.0.0.1/', '127.0.0.1', 'loopback'],
    ['https://[::1]/', '::1', 'loopback'],
    ['https://[::ffff:127.0.0.1]/', '::ffff:7f00:1', 'loopback'],
    ['https://[fd00::1]/', 'fd00::1', 'uniqueLocal'],
    ['https://[fe80::1]/', 'fe80::1', 'linkLocal'],
    ['https://0.0.0.0/', '0.0.0.0', 'unspecified'],
    ['https://[::]/', '::', 'unspecified'],
    ['https://100.64.0.1/', '100.64.0.1', 'carrierGradeNat'],
    ['https://224.0.0.1/', '224.0.0.1', 'multicast'],
    ['https://255.255.255.255/', '255.255.255.255', 'broadcast'],
    ['https://192.0.2.1/', '192.0.2.1', 'reserved'],
    ['https://[2002:a00:5::1]/', '2002:a00:5::1', '6to4'],
    ['https://[2001::1]/', '2001::1', 'teredo'],
    ['https://[::7f00:1]/', '::7f00:1', 'ipv4Compatible'],
    // Spellings the URL parser normalises to 127.0.0.1.
    ['https://0x7f.1/', '127.0.0.1', 'loopback'],
    ['https://2130706433/', '127.0.0.1', 'loopback'],
  ])('%s (IP literal: %s, %s)', async (url, address, range) => {
    const lookup = fakeLookup({});
    const error = await refusal(url, [], lookup);
    expect(error.message).toContain(`resolves to ${address} (${range}), a private or reserved address`);
    expect(error.message).toContain('RANKWATCH_WEBHOOK_ALLOW_HOSTS');
    expect(lookup.calls).toEqual([]); // IP literals are checked without DNS
  });

  it('names the address and the range, in the documented wording', async () => {
    const error = await refusal('http://169.254.169.254/');
    expect(error.message).toBe(
      'url: http://169.254.169.254/ resolves to 169.254.169.254 (linkLocal), a private or reserved address; webhooks must reach a public address (allow a host with RANKWATCH_WEBHOOK_ALLOW_HOSTS)',
    );
  });

  it.each([
    ['ftp://example.com/', /scheme ftp is not allowed; only https is allowed/],
    ['file:///etc/passwd', /scheme file is not allowed/],
    ['gopher://example.com:70/', /scheme gopher is not allowed/],
    ['http://example.com/', /scheme http is not allowed; http is allowed only for hosts in RANKWATCH_WEBHOOK_ALLOW_HOSTS/],
    ['https://user:pw@example.com/', /must not contain credentials/],
    ['https://user@example.com/', /must not contain credentials/],
    ['not a url', /not a valid absolute URL/],
    ['/relative/path', /not a valid absolute URL/],
    ['', /not a valid absolute URL/],
  ])('%s', async (url, message) => {
    const error = await refusal(url);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('pw'); // never echoes a password
  });

  it('a host name that resolves to a private address among public ones', async () => {
    const error = await refusal('https://rebind.example/hook');
    expect(error.message).toBe(
      'url: https://rebind.example/ resolves to 10.1.2.3 (private), a private or reserved address; webhooks must reach a public address (allow a host with RANKWATCH_WEBHOOK_ALLOW_HOSTS)',
    );
  });

  it('names every refused address', async () => {
    const error = await refusal('https://two-bad.example/');
    expect(error.message).toContain('resolves to 192.168.0.7 (private), fd12::7 (uniqueLocal), private or reserved addresses');
  });

  it('an IPv4-mapped IPv6 answer is classified as its IPv4 address', async () => {
    const error = await refusal('https://mapped.example/');
    expect(error.message).toContain('resolves to ::ffff:169.254.169.254 (linkLocal)');
  });

  it('a host that does not resolve, or resolves to nothing', async () => {
    expect((await refusal('https://nowhere.example/')).message).toBe('url: https://nowhere.example/: host nowhere.example does not resolve (ENOTFOUND)');
    expect((await refusal('https://empty.example/')).message).toBe('url: https://empty.example/: host empty.example does not resolve (no addresses)');
  });

  it('localhost through the real resolver (the default lookup)', async () => {
    const error = await checkWebhookUrl('https://localhost:8443/x', { allowHosts: [] }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toMatch(/^url: https:\/\/localhost:8443\/ resolves to .*\((loopback)\)/);
  });

  it('does not echo the path (webhook paths are secrets)', async () => {
    const error = await refusal('https://10.0.0.5/services/T000/B000/SECRETTOKEN?x=1');
    expect(error.message).not.toContain('SECRETTOKEN');
    expect(error.message).toContain('url: https://10.0.0.5/ resolves to');
  });

  it('allow-listing one host does not allow another', async () => {
    expect((await refusal('https://10.0.0.5/', ['10.0.0.6', 'example.com'])).message).toContain('10.0.0.5 (private)');
    expect((await refusal('http://example.com/', ['hooks.slack.com'])).message).toMatch(/scheme http is not allowed/);
  });

  it('a host:port entry matches only that port', async () => {
    expect((await refusal('http://127.0.0.1:9090/hook', ['127.0.0.1:8080'])).message).toContain('127.0.0.1 (loopback)');
    // A public host on the wrong port: not allow-listed, so http is refused too.
    expect((await refusal('http://34.206.0.1:9090/hook', ['34.206.0.1:8080'])).message).toMatch(/scheme http is not allowed/);
    expect((await refusal('https://127.0.0.1:9090/hook', ['127.0.0.1:8080'])).message).toContain('127.0.0.1 (loopback)');
    // No explicit port means the scheme's default port.
    expect((await refusal('https://127.0.0.1/hook', ['127.0.0.1:80'])).message).toContain('127.0.0.1 (loopback)');
  });
});

describe('checkWebhookUrl accepts', () => {
  it('a public https host name, returning the resolved addresses', async () => {
    const result = await checkWebhookUrl('https://hooks.slack.com/services/x', { allowHosts: [], lookup: publicDns });
    expect(result.url.href).toBe('https://hooks.slack.com/services/x');
    expect(result.addresses).toEqual(['34.206.0.1', '2600:1f18::1']);
  });

  it('a public IP literal without DNS', async () => {
    const lookup = fakeLookup({});
    const v6 = await checkWebhookUrl('https://[2606:4700::1111]/', { allowHosts: [], lookup });
    expect(v6.addresses).toEqual(['2606:4700::1111']);
    const v4 = await checkWebhookUrl('https://34.206.0.1:8443/hook', { allowHosts: [], lookup });
    expect(v4.addresses).toEqual(['34.206.0.1']);
    expect(lookup.calls).toEqual([]);
  });

  it('http to an allow-listed loopback host (test receivers)', async () => {
    const result = await checkWebhookUrl('http://127.0.0.1:8080/hook', { allowHosts: ['127.0.0.1'] });
    expect(result.addresses).toEqual(['127.0.0.1']);
    expect(result.url.port).toBe('8080');
  });

  it('a host:port entry on its port, including the default port', async () => {
    const result = await checkWebhookUrl('http://127.0.0.1:8080/hook', { allowHosts: ['127.0.0.1:8080'] });
    expect(result.addresses).toEqual(['127.0.0.1']);
    await expect(checkWebhookUrl('http://127.0.0.1/hook', { allowHosts: ['127.0.0.1:80'] })).resolves.toMatchObject({ addresses: ['127.0.0.1'] });
  });

  it('allow-list entries: case-insensitive names, IPv6 with and without brackets', async () => {
    const lookup = fakeLookup({ 'receiver.internal': ['10.0.0.9'] });
    await expect(checkWebhookUrl('http://RECEIVER.internal:3000/', { allowHosts: ['Receiver.Internal'], lookup })).resolves.toMatchObject({
      addresses: ['10.0.0.9'],
    });
    await expect(checkWebhookUrl('http://[::1]:8080/', { allowHosts: ['::1'] })).resolves.toMatchObject({ addresses: ['::1'] });
    await expect(checkWebhookUrl('http://[::1]:8080/', { allowHosts: ['[::1]:8080'] })).resolves.toMatchObject({ addresses: ['::1'] });
    await expect(checkWebhookUrl('http://[::1]:8081/', { allowHosts: ['[::1]:8080'] })).rejects.toThrow('::1 (loopback)');
  });

  it('an allow-listed host name still resolves (so the send can be pinned) but skips the address check', async () => {
    const lookup = fakeLookup({ 'receiver.internal': ['10.0.0.9'] });
    const result = await checkWebhookUrl('https://receiver.internal/hook', { allowHosts: ['receiver.internal'], lookup });
    expect(result.addresses).toEqual(['10.0.0.9']);
    expect(lookup.calls).toEqual(['receiver.internal']);
    await expect(checkWebhookUrl('https://receiver.internal/hook', { allowHosts: [], lookup })).rejects.toThrow('10.0.0.9 (private)');
  });
});

// Cloudflare Workers: no DNS lookup, so names are judged by their form and IP literals by their address.
describe("checkWebhookUrl's literal guard (Workers)", () => {
  /** A lookup that fails the test if the guard calls it. */
  const noDns = fakeLookup({});
  const literal = (url: string, allowHosts: readonly string[] = []) => checkWebhookUrl(url, { allowHosts, guard: 'literal', lookup: noDns });

  it.each([
    ['https://169.254.169.254/latest/meta-data', '169.254.169.254 (linkLocal)'],
    ['https://10.0.0.5/', '10.0.0.5 (private)'],
    ['https://[::1]/', '::1 (loopback)'],
    ['https://[::ffff:127.0.0.1]/', '::ffff:7f00:1 (loopback)'],
    ['https://2130706433/', '127.0.0.1 (loopback)'],
  ])('refuses the private IP literal %s', async (url, what) => {
    await expect(literal(url)).rejects.toThrow(`resolves to ${what}, a private or reserved address`);
  });

  it.each([
    ['https://localhost:8443/x', 'host localhost is a local name (.localhost)'],
    ['https://api.localhost/x', 'host api.localhost is a local name (.localhost)'],
    ['https://metadata.google.internal/computeMetadata/v1/', 'host metadata.google.internal is a local name (.internal)'],
    ['https://printer.local/', 'host printer.local is a local name (.local)'],
    ['https://nas.home.arpa/', 'host nas.home.arpa is a local name (.home.arpa)'],
    ['https://router.lan./', 'host router.lan is a local name (.lan)'],
    ['https://Intranet/', 'host intranet is a local name (.intranet)'],
    ['https://metadata/', 'host metadata is a single-label name, resolved only by local search domains'],
  ])('refuses the local name in %s', async (url, reason) => {
    const error = await literal(url).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).message).toContain(`${reason}; webhooks must reach a public address (allow a host with RANKWATCH_WEBHOOK_ALLOW_HOSTS)`);
  });

  it('passes a public name without resolving it, with no address to pin', async () => {
    await expect(literal('https://hooks.slack.com/services/x')).resolves.toMatchObject({ addresses: [] });
    await expect(literal('https://34.206.0.1/hook')).resolves.toMatchObject({ addresses: ['34.206.0.1'] });
    expect(noDns.calls).toEqual([]);
  });

  it('keeps the scheme and credential rules', async () => {
    await expect(literal('http://example.com/')).rejects.toThrow('scheme http is not allowed; http is allowed only for hosts in RANKWATCH_WEBHOOK_ALLOW_HOSTS');
    await expect(literal('https://user:pw@example.com/')).rejects.toThrow('must not contain credentials');
  });

  it('honours RANKWATCH_WEBHOOK_ALLOW_HOSTS: an allowed local name or loopback address passes, over http too', async () => {
    await expect(literal('http://receiver.internal:3000/hook', ['receiver.internal'])).resolves.toMatchObject({ addresses: [] });
    await expect(literal('http://127.0.0.1:8080/hook', ['127.0.0.1:8080'])).resolves.toMatchObject({ addresses: ['127.0.0.1'] });
    await expect(literal('http://127.0.0.1:8081/hook', ['127.0.0.1:8080'])).rejects.toThrow('127.0.0.1 (loopback)');
    expect(noDns.calls).toEqual([]);
  });

  it('privateName: public names are null', () => {
    expect(privateName('example.com')).toBeNull();
    expect(privateName('internal.example.com')).toBeNull();
    expect(privateName('localhost.example.com')).toBeNull();
  });
});

describe('parseAllowHosts', () => {
  it('splits, trims, drops empties and lower-cases', () => {
    expect(parseAllowHosts(' 127.0.0.1 , ,Receiver.Test:8080,[::1]:9000,')).toEqual(['127.0.0.1', 'receiver.test:8080', '[::1]:9000']);
  });
  it('is empty when unset or blank', () => {
    expect(parseAllowHosts(undefined)).toEqual([]);
    expect(parseAllowHosts('')).toEqual([]);
    expect(parseAllowHosts(' , ')).toEqual([]);
  });
  it('feeds checkWebhookUrl', async () => {
    await expect(checkWebhookUrl('http://127.0.0.1:8080/', { allowHosts: parseAllowHosts('example.com, 127.0.0.1:8080') })).resolves.toBeDefined();
  });
});

describe('lookupFor', () => {
  function call(lookup: ReturnType<typeof lookupFor>, options: object): Promise<{ error: NodeJS.ErrnoException | null; address: unknown; family: unknown }> {
    return new Promise((resolve) => lookup('anything.test', options, (error, address, family) => resolve({ error, address, family })));
  }

  it('answers with the pinned addresses, one or all, filtered by family', async () => {
    const lookup = lookupFor(['34.206.0.1', '2600:1f18::1']);
    expect(await call(lookup, {})).toEqual({ error: null, address: '34.206.0.1', family: 4 });
    expect(await call(lookup, { family: 6 })).toEqual({ error: null, address: '2600:1f18::1', family: 6 });
    expect(await call(lookup, { all: true })).toEqual({
      error: null,
      address: [
        { address: '34.206.0.1', family: 4 },
        { address: '2600:1f18::1', family: 6 },
      ] satisfies LookupAddress[],
      family: undefined,
    });
    expect((await call(lookup, { all: true, family: 4 })).address).toEqual([{ address: '34.206.0.1', family: 4 }]);
  });

  it('fails like getaddrinfo when no pinned address fits', async () => {
    const result = await call(lookupFor(['34.206.0.1']), { family: 6 });
    expect(result.error?.code).toBe('ENOTFOUND');
    expect((await call(lookupFor([]), { all: true })).error?.code).toBe('ENOTFOUND');
  });

  it('makes http.request to a made-up host name reach the pinned address', async () => {
    const server = createServer((req, res) => {
      res.end(`reached ${req.headers.host}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const body = await new Promise<string>((resolve, reject) => {
        const req = request(`http://receiver.test:${port}/hook`, { method: 'POST', lookup: lookupFor(['127.0.0.1']), agent: false }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve(text));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end('{}');
      });
      expect(body).toBe(`reached receiver.test:${port}`);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
