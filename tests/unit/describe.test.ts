import { describe, expect, it } from 'vitest';
import { describeEvent } from '../../src/diff/describe.ts';
import type { ChangeEvent } from '../../src/diff/events.ts';

// Only the fields each sentence reads: built loosely, typed as the renderer takes them.
const event = (kind: ChangeEvent['kind'], values: Record<string, unknown>): ChangeEvent => ({ kind, model: 'm', name: 'Model M', old: null, new: null, ...values }) as unknown as ChangeEvent;

describe('describeEvent: one line of plain English', () => {
  it.each<[ChangeEvent, string]>([
    [event('rank_changed', { old: { rank: 5 }, new: { rank: 4 }, data: { delta: 1, significant: true, margin: 2, passed: ['x'] } }), 'Model M rises from #5 to #4 on b (significant: clear of the confidence intervals)'],
    [event('rank_changed', { old: { rank: 5 }, new: { rank: 4 }, data: { delta: 1, significant: false, margin: -3, passed: ['x'] } }), 'Model M rises from #5 to #4 on b (within the confidence intervals)'],
    [event('rank_changed', { old: { rank: 4 }, new: { rank: 5 }, data: { delta: -1, significant: false, margin: null, passed: [] } }), 'Model M falls from #4 to #5 on b'],
    [event('rank_changed', { old: { rank: 4 }, new: { rank: 5 }, data: { delta: -1, significant: null, margin: null, passed: ['x'] } }), 'Model M falls from #4 to #5 on b'],
    [event('new_leader', { old: { rank: 2 }, new: { rank: 1, score: 1300 }, data: { previousLeaders: ['x'], sharedWith: [], significant: false, margin: -1, passed: ['x'] } }), 'Model M takes #1 on b (was #2) (within the confidence intervals)'],
    // Ties read by name: the keys may be canonical ids.
    [
      event('new_leader', { old: { rank: null }, new: { rank: 1, score: 1300 }, data: { previousLeaders: ['x'], sharedWith: ['gpt-4o-2024-05-13'], sharedWithNames: ['GPT-4o-2024-05-13'], significant: null } }),
      'Model M takes #1 on b as a new entry, tied with GPT-4o-2024-05-13',
    ],
    [event('score_changed', { old: { score: 1300 }, new: { score: 1310 }, data: { delta: 10, significant: true, margin: 4, passed: [] } }), 'Model M scores 1310 on b, was 1300 (+10), outside the previous interval'],
    [event('score_changed', { old: { score: 40 }, new: { score: 41.5 }, data: { delta: 1.5, significant: null, margin: null, passed: [] } }), 'Model M scores 41.5 on b, was 40 (+1.5)'],
    [event('price_changed', { old: { priceInput: 0.45, priceOutput: 2.15 }, new: { priceInput: 0.4, priceOutput: 1.75 }, data: { percentInput: -11.11, percentOutput: -18.6 } }), 'Model M price per 1M tokens on b: input $0.450 → $0.400 (-11.11%), output $2.15 → $1.75 (-18.6%)'],
    [event('snapshot_quarantined', { model: null, name: null, new: { rows: 18 }, data: { reasons: ['row count collapsed from 40 to 18'] } }), 'b: a capture of 18 models was quarantined, not diffed: row count collapsed from 40 to 18'],
    [event('scrape_failed', { model: null, name: null, data: { error: 'HTTP 503', httpStatus: 503, source: 'x' } }), 'b: live scrape failing: HTTP 503'],
    [event('scrape_recovered', { model: null, name: null, data: { failures: 3, failedSince: '2025-01-01T01:00:00.000Z' } }), 'b: live scrape works again after 3 failed attempts since 2025-01-01T01:00:00.000Z'],
  ])('%#: %o', (given, expected) => {
    expect(describeEvent('b', given)).toBe(expected);
  });
});
