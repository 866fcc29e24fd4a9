import { describe, expect, it } from 'vitest';
import { publicUrlWarning } from '../../src/config.ts';

const delivery = (dispatcher: boolean) => ({ allowHosts: [], dispatcher, timeoutMs: 10_000, retrySchedule: [] });

describe('publicUrlWarning: serve warns when alerts would carry links only this machine can open', () => {
  it.each([
    ['http://127.0.0.1:8080', true],
    ['http://127.0.1.1:8080', true],
    ['http://localhost:8080', true],
    ['http://[::1]:8080', true],
    ['http://192.0.2.10:8080', false],
    ['http://rankwatch.internal:8080', false],
  ])('listening on %s without RANKWATCH_PUBLIC_URL, dispatcher on: warns = %s', (listenUrl, warns) => {
    const warning = publicUrlWarning({ publicUrl: undefined, delivery: delivery(true) }, listenUrl);
    if (warns) expect(warning).toBe(`RANKWATCH_PUBLIC_URL is not set: links in alerts will point at ${listenUrl}, which only this machine can open; set it to the address readers reach the service at (feeds meanwhile link to the address each request came to)`);
    else expect(warning).toBeNull();
  });

  it('no warning with RANKWATCH_PUBLIC_URL set, or when this process sends no alerts', () => {
    expect(publicUrlWarning({ publicUrl: 'https://rankwatch.example', delivery: delivery(true) }, 'http://127.0.0.1:8080')).toBeNull();
    expect(publicUrlWarning({ publicUrl: undefined, delivery: delivery(false) }, 'http://127.0.0.1:8080')).toBeNull();
  });
});
