import { describe, expect, it } from 'vitest';
import type { EventKind } from '../../src/diff/events.ts';
import { parseRetryAfter } from '../../src/notify/channels/adapter.ts';
import { CHANNEL_ADAPTERS } from '../../src/notify/channels/index.ts';
import { retryDelay, DEFAULT_RETRY_SCHEDULE_MS } from '../../src/notify/retry.ts';
import { FiltersSchema, matchEvent, subscriptionFiltersFor, type EventQueryFilters, type FilterableEvent, type Filters } from '../../src/notify/filters.ts';
import { digestWindow } from '../../src/notify/outbox.ts';

// Only the fields each filter reads: built loosely, typed as the filters take them.
const event = (kind: EventKind, extra: Record<string, unknown> = {}): FilterableEvent => ({ kind, board: 'lmarena-text', model: 'qwen-max', name: 'Qwen Max', old: null, new: null, ...extra }) as unknown as FilterableEvent;
const alibaba = { id: 'qwen-max', organization: 'alibaba', country: 'CN' };

describe('subscription filters', () => {
  it.each<[string, Filters, FilterableEvent, boolean]>([
    ['no filters: every announced change', {}, event('rank_changed'), true],
    ['no filters: no operator events', {}, event('scrape_failed', { model: null }), false],
    ['health: operator events too', { health: true }, event('snapshot_quarantined', { model: null }), true],
    ['board listed', { boards: ['lmarena-text'] }, event('entered'), true],
    ['board not listed', { boards: ['lmarena-vision'] }, event('entered'), false],
    ['model by board key', { models: ['qwen-max'] }, event('entered'), true],
    ['model by canonical id, case aside', { models: ['QWEN-MAX'] }, event('entered', { model: 'Qwen-Max-0919' }), true],
    ['model filter and a board-level event', { models: ['qwen-max'] }, event('board_first_seen', { model: null }), false],
    ['organization by id', { organizations: ['Alibaba'] }, event('entered'), true],
    ['organization not matching', { organizations: ['openai'] }, event('entered'), false],
    ['country', { countries: ['CN'] }, event('price_changed'), true],
    ['gap_changed passes a country filter naming one of its countries', { countries: ['US'] }, event('gap_changed', { model: null, data: { countries: ['US', 'CN'] } }), true],
    ['kind', { kinds: ['new_leader'] }, event('rank_changed'), false],
    ['top 10: a move from #14 to #9 touches it', { topN: 10 }, event('rank_changed', { old: { rank: 14 }, new: { rank: 9 } }), true],
    ['top 10: a move from #14 to #12 does not', { topN: 10 }, event('rank_changed', { old: { rank: 14 }, new: { rank: 12 } }), false],
    ['top 10: an exit from #3', { topN: 10 }, event('exited', { old: { rank: 3 } }), true],
    ['top 10: a price change without ranks passes', { topN: 10 }, event('price_changed', { old: { priceInput: 1 }, new: { priceInput: 2 } }), true],
    ['min rank delta 3: up 2 places', { minRankDelta: 3 }, event('rank_changed', { data: { delta: 2 } }), false],
    ['min rank delta 3: down 4 places', { minRankDelta: 3 }, event('rank_changed', { data: { delta: -4 } }), true],
    ['min rank delta does not hold back other kinds', { minRankDelta: 3 }, event('new_leader'), true],
    ['min score delta 5: +4.2', { minScoreDelta: 5 }, event('score_changed', { data: { delta: 4.2 } }), false],
    ['min price 10%: -12.5% on input', { minPricePercent: 10 }, event('price_changed', { data: { percentInput: -12.5, percentOutput: 0 } }), true],
    ['min price 10%: -3.85%', { minPricePercent: 10 }, event('price_changed', { data: { percentInput: -3.85, percentOutput: 0 } }), false],
    ['min price 10%: a price that disappears', { minPricePercent: 10 }, event('price_changed', { data: { percentInput: null, percentOutput: null } }), true],
    ['significant only: significant', { significantOnly: true }, event('rank_changed', { data: { significant: true } }), true],
    ['significant only: within the intervals', { significantOnly: true }, event('rank_changed', { data: { significant: false } }), false],
    ['significant only: a board without intervals', { significantOnly: true }, event('new_leader', { data: { significant: null } }), false],
    ['significant only: kinds without significance pass', { significantOnly: true }, event('entered'), true],
  ])('%s', (_name, filters, candidate, expected) => {
    expect(matchEvent(FiltersSchema.parse(filters), candidate, candidate.model ? alibaba : null)).toBe(expected);
  });

  it.each<[unknown, RegExp]>([
    [{ kinds: ['new_leaders'] }, /kinds/],
    [{ topN: 0 }, /topN/],
    [{ countries: ['China'] }, /two-letter country code/],
    [{ boards: [] }, /boards/],
    [{ minPricePercent: -5 }, /minPricePercent/],
    [{ colour: 'red' }, /colour/],
  ])('refuses %j', (filters, message) => {
    const result = FiltersSchema.safeParse(filters);
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toMatch(message);
  });
});

describe('subscription filters of an events query', () => {
  it.each<[string, EventQueryFilters, Filters]>([
    ['no filter: every announced change', {}, {}],
    ['each filter to its list', { board: 'lmarena-text', model: 'qwen-max', organization: 'Alibaba', kind: ['rank_changed', 'new_leader'] }, { boards: ['lmarena-text'], models: ['qwen-max'], organizations: ['Alibaba'], kinds: ['rank_changed', 'new_leader'] }],
    ['significant: significantOnly', { significant: true }, { significantOnly: true }],
    ['not significant: no filter', { significant: false }, {}],
    ['empty values: no filter', { board: '', model: '', organization: '', kind: [] }, {}],
    ['operator kinds named: health, as the feeds have them', { kind: ['scrape_failed', 'new_leader'] }, { kinds: ['scrape_failed', 'new_leader'], health: true }],
  ])('%s', (_name, query, filters) => {
    const made = subscriptionFiltersFor(query);
    expect(made).toEqual(filters);
    // A subscription would be created with them as they are.
    expect(FiltersSchema.parse(made)).toEqual(made);
  });

  it.each<[string, EventQueryFilters, FilterableEvent, boolean]>([
    ['organization, by name', { organization: 'Alibaba' }, event('entered'), true],
    ['another organization', { organization: 'openai' }, event('entered'), false],
    ['organization and a board-level event', { organization: 'alibaba' }, event('board_first_seen', { model: null }), false],
    ['significant: a significant move', { significant: true }, event('rank_changed', { data: { significant: true } }), true],
    ['significant: a move within the intervals', { significant: true }, event('rank_changed', { data: { significant: false } }), false],
    ['significant: a board without intervals', { significant: true }, event('new_leader', { data: { significant: null } }), false],
    ['significant: an event without a verdict', { significant: true }, event('price_changed', { data: { percentInput: -10 } }), true],
    ['an operator kind asked for', { kind: ['scrape_failed'] }, event('scrape_failed', { model: null }), true],
  ])('%s: matchEvent reads them as the API does', (_name, query, candidate, expected) => {
    expect(matchEvent(subscriptionFiltersFor(query), candidate, candidate.model ? alibaba : null)).toBe(expected);
  });
});

describe('digest windows on the subscriber\'s wall clock', () => {
  it.each<[string, 'hourly' | 'daily', string, string, string, string]>([
    ['hourly, UTC', 'hourly', 'UTC', '2026-11-23T14:37:00Z', '2026-11-23T14:00:00.000Z', '2026-11-23T15:00:00.000Z'],
    ['hourly, India (UTC+5:30)', 'hourly', 'Asia/Kolkata', '2026-11-23T14:37:00Z', '2026-11-23T14:30:00.000Z', '2026-11-23T15:30:00.000Z'],
    ['daily, Shanghai midnight to midnight', 'daily', 'Asia/Shanghai', '2026-11-23T17:00:00Z', '2026-11-23T16:00:00.000Z', '2026-11-24T16:00:00.000Z'],
    ['daily across the end of daylight saving time (Berlin, 25 hours)', 'daily', 'Europe/Berlin', '2026-10-25T12:00:00Z', '2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z'],
  ])('%s', (_name, mode, zone, at, start, end) => {
    const window = digestWindow(mode, zone, new Date(at));
    expect([window.start.toISOString(), window.end.toISOString()]).toEqual([start, end]);
    expect(window.title).toMatch(mode === 'hourly' ? /^hourly digest, 2026-11-23 \d\d:00–\d\d:00 / : /^daily digest, 2026-1\d-2\d /);
  });
});

describe('what a receiver\'s answer means', () => {
  const now = new Date('2026-11-23T12:00:00Z');
  // The channels that POST and read an HTTP answer (email sends by SMTP: tests/unit/notify-email.test.ts).
  it.each<[string, 'webhook' | 'slack' | 'discord', number, Record<string, string>, string, { outcome: string; retryAfterMs?: number | null; error?: RegExp }]>([
    ['2xx delivered', 'webhook', 204, {}, '', { outcome: 'delivered' }],
    ['410 gone', 'webhook', 410, {}, 'bye', { outcome: 'gone', error: /410 Gone: bye/ }],
    ['500 retried', 'webhook', 500, {}, 'oops', { outcome: 'failed', retryAfterMs: null }],
    ['429 with Retry-After seconds', 'webhook', 429, { 'retry-after': '2' }, '', { outcome: 'failed', retryAfterMs: 2000 }],
    ['503 with Retry-After as a date', 'webhook', 503, { 'retry-after': 'Mon, 23 Nov 2026 12:01:00 GMT' }, '', { outcome: 'failed', retryAfterMs: 60_000 }],
    ['a redirect is a failure, not followed', 'webhook', 302, { location: 'http://169.254.169.254/' }, '', { outcome: 'failed', error: /302 redirect \(not followed\)/ }],
    ['Slack no_service: gone', 'slack', 404, {}, 'no_service', { outcome: 'gone', error: /no_service/ }],
    ['Slack invalid_payload: a failure', 'slack', 400, {}, 'invalid_payload', { outcome: 'failed' }],
    ['Discord unknown webhook: gone', 'discord', 404, {}, '{"message": "Unknown Webhook", "code": 10015}', { outcome: 'gone', error: /Unknown Webhook/ }],
    ['Discord 429 with retry_after in the body', 'discord', 429, {}, '{"message": "You are being rate limited.", "retry_after": 1.5, "global": false}', { outcome: 'failed', retryAfterMs: 1500 }],
  ])('%s', (_name, channel, status, headers, body, expected) => {
    const result = CHANNEL_ADAPTERS[channel].judge({ statusCode: status, headers, body }, now);
    expect(result.outcome).toBe(expected.outcome);
    if (expected.retryAfterMs !== undefined) expect(result.outcome === 'failed' ? result.retryAfterMs : 'not a failure').toBe(expected.retryAfterMs);
    if (expected.error) expect(result.outcome === 'delivered' ? 'delivered' : result.error).toMatch(expected.error);
  });

  it('retries on the Standard Webhooks schedule for about three days, jittered by ±20%, then stops', () => {
    expect(DEFAULT_RETRY_SCHEDULE_MS.slice(0, 5)).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000]);
    const total = DEFAULT_RETRY_SCHEDULE_MS.reduce((sum, delay) => sum + delay, 0);
    expect(total / 86_400_000).toBeGreaterThan(2.5);
    expect(total / 86_400_000).toBeLessThan(3.5);
    expect(retryDelay([1000], 1, 0)).toBe(800);
    expect(retryDelay([1000], 1, 1)).toBe(1200);
    expect(retryDelay([1000], 2, 0.5)).toBeNull();
    expect(parseRetryAfter('soon', new Date())).toBeNull();
  });
});
