import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allBoards } from '../../scrapers/index.ts';
import { clientAddress, parseTrustProxy, type TrustProxy } from '../../src/api/client-ip.ts';
import { routeFamily } from '../../src/api/http.ts';
import { parseRateLimit } from '../../src/api/rate-limit.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';

function trust(text: string): TrustProxy {
  const parsed = parseTrustProxy(text);
  if (parsed instanceof Error) throw parsed;
  return parsed;
}

describe('RANKWATCH_RATE_LIMIT', () => {
  it.each([
    ['600/min', { limit: 600, windowMs: 60_000 }],
    ['20/s', { limit: 20, windowMs: 1_000 }],
    ['5000/h', { limit: 5000, windowMs: 3_600_000 }],
    ['100/10s', { limit: 100, windowMs: 10_000 }],
    [' 60 / minute ', { limit: 60, windowMs: 60_000 }],
    ['off', null],
  ])('%s', (text, expected) => {
    expect(parseRateLimit(text)).toEqual(expected);
  });

  it.each(['600', '600/fortnight', '-1/min', 'fast', '0/min', '10/0s'])('%s is refused', (text) => {
    expect(parseRateLimit(text)).toBeInstanceOf(Error);
  });

  it('defaults to 600 per minute, and a bad value stops the start naming the variable', () => {
    expect(loadConfig({}, allBoards).rateLimit).toEqual({ limit: 600, windowMs: 60_000 });
    expect(loadConfig({ RANKWATCH_RATE_LIMIT: 'off' }, allBoards).rateLimit).toBeNull();
    expect(() => loadConfig({ RANKWATCH_RATE_LIMIT: 'lots' }, allBoards)).toThrow(ConfigError);
    expect(() => loadConfig({ RANKWATCH_RATE_LIMIT: 'lots' }, allBoards)).toThrow(/RANKWATCH_RATE_LIMIT: expected requests per window/);
  });
});

describe('RANKWATCH_TRUST_PROXY and the client address', () => {
  it('off (the default): the socket peer, whatever X-Forwarded-For says', () => {
    expect(loadConfig({}, allBoards).trustProxy).toEqual({ kind: 'off' });
    expect(clientAddress('10.0.0.5', '1.2.3.4', trust('off'))).toBe('10.0.0.5');
    expect(clientAddress('::ffff:127.0.0.1', undefined, trust('off'))).toBe('127.0.0.1');
  });

  it('a hop count: that many entries from the right of X-Forwarded-For', () => {
    expect(clientAddress('127.0.0.1', '1.2.3.4', trust('1'))).toBe('1.2.3.4');
    // A client writing its own X-Forwarded-For gets it passed on, left of what the proxy appended.
    expect(clientAddress('127.0.0.1', '6.6.6.6, 1.2.3.4', trust('1'))).toBe('1.2.3.4');
    expect(clientAddress('127.0.0.1', '6.6.6.6, 1.2.3.4, 10.0.0.2', trust('2'))).toBe('1.2.3.4');
    // Fewer entries than hops: the leftmost there is.
    expect(clientAddress('127.0.0.1', '1.2.3.4', trust('3'))).toBe('1.2.3.4');
    expect(clientAddress('127.0.0.1', undefined, trust('1'))).toBe('127.0.0.1');
  });

  it('addresses and ranges: entries are skipped from the right while they are trusted proxies', () => {
    const proxies = trust('loopback, 10.0.0.0/8');
    expect(clientAddress('127.0.0.1', '6.6.6.6, 1.2.3.4, 10.1.2.3', proxies)).toBe('1.2.3.4');
    // The peer is not a trusted proxy: its header is not believed.
    expect(clientAddress('8.8.8.8', '1.2.3.4', proxies)).toBe('8.8.8.8');
    // IPv6 and IPv4-mapped addresses.
    expect(clientAddress('::1', '2001:db8::7', proxies)).toBe('2001:db8::7');
    expect(clientAddress('::ffff:10.0.0.1', '1.2.3.4', proxies)).toBe('1.2.3.4');
  });

  it('an entry that is no address ends the walk at the last good one', () => {
    expect(clientAddress('127.0.0.1', 'not-an-ip', trust('1'))).toBe('127.0.0.1');
    expect(clientAddress('127.0.0.1', '1.2.3.4, garbage', trust('loopback'))).toBe('127.0.0.1');
    expect(clientAddress('127.0.0.1', 'x\ny', trust('1'))).toBe('127.0.0.1');
  });

  it.each(['everyone', '10.0.0.0/99', '0', '17'])('%s is refused or means off', (text) => {
    const parsed = parseTrustProxy(text);
    if (text === '0') expect(parsed).toEqual({ kind: 'off' });
    else expect(parsed).toBeInstanceOf(Error);
  });

  it('a bad value stops the start naming the variable', () => {
    expect(() => loadConfig({ RANKWATCH_TRUST_PROXY: 'everyone' }, allBoards)).toThrow(/RANKWATCH_TRUST_PROXY: expected off, a number of proxy hops/);
  });
});

describe('RANKWATCH_LOG_FORMAT', () => {
  it('json, text or auto (the default)', () => {
    expect(loadConfig({}, allBoards).logFormat).toBe('auto');
    expect(loadConfig({ RANKWATCH_LOG_FORMAT: 'json' }, allBoards).logFormat).toBe('json');
    expect(() => loadConfig({ RANKWATCH_LOG_FORMAT: 'xml' }, allBoards)).toThrow(/RANKWATCH_LOG_FORMAT/);
  });
});

describe('route families', () => {
  it.each([
    ['/v1/subscriptions', 'admin'],
    ['/v1/subscriptions/7/test', 'admin'],
    ['/v1/deliveries/3/redeliver', 'admin'],
    ['/v1/subscriptionsx', 'api'],
    ['/healthz', 'operations'],
    ['/metrics', 'operations'],
    ['/feed.atom', 'feed'],
    ['/openapi.json', 'docs'],
    ['/', 'page'],
    ['/v1/events', 'api'],
  ])('%s is %s', (path, family) => {
    expect(routeFamily(path)).toBe(family);
  });
});

describe('README', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  it.each(['RANKWATCH_LOG_FORMAT', 'RANKWATCH_RATE_LIMIT', 'RANKWATCH_TRUST_PROXY'])('documents %s in the variables table', (name) => {
    expect(readme).toContain(`| \`${name}\` |`);
  });
  it('has the section on HTTP caching, CORS and limits, and the one on logs', () => {
    expect(readme).toContain('### HTTP caching, CORS and limits');
    expect(readme).toContain('### Logs');
  });
});
