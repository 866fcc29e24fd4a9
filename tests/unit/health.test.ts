import { describe, expect, it } from 'vitest';
import { allBoards } from '../../scrapers/index.ts';
import { makeEntry, type Entry, type StoredEntry } from '../../src/entry.ts';
import { checkHealth, type BoardHealth, type LastGood } from '../../src/ingest/health.ts';

const row = (model: string, rank: number | null, score: number | null, extra: Partial<Entry> = {}): Entry =>
  makeEntry({ model, name: model, rank, score, votes: 1000, organization: 'Org', ...extra });

/** A board of `n` models ranked 1..n with falling scores. */
const board = (n: number, extra: Partial<Entry> = {}): Entry[] => Array.from({ length: n }, (_, i) => row(`m${i + 1}`, i + 1, 1400 - i * 5, extra));
const good = (entries: Entry[], format: string | null = 'csv'): LastGood => ({ entries, format });
const higher: BoardHealth = { direction: 'higher' };

describe('checkHealth: sanity checks against the last good snapshot', () => {
  it.each<[string, StoredEntry[], string | null, LastGood | null, BoardHealth, RegExp[]]>([
    ['a normal next snapshot passes', board(40), 'csv', good(board(41)), higher, []],
    ['a first snapshot passes with nothing to compare', board(40), 'csv', null, higher, []],
    ['the 2025-02-16 deprecation filter (30 of 200 hidden) is a change, not a broken page', board(170), 'csv', good(board(200)), higher, []],
    [
      'rows halved: collapsed row count',
      board(20),
      'csv',
      good(board(41)),
      higher,
      [/^row count collapsed from 41 to 20 \(51% gone; at most 40% may vanish at once\)$/],
    ],
    ['a per-board limit on what may vanish', board(35), 'csv', good(board(40)), { direction: 'higher', thresholds: { maxDropFraction: 0.1 } }, [/collapsed from 40 to 35/]],
    ['tiny boards are not judged on drops', board(2), 'csv', good(board(9)), higher, []],
    ['fewer rows than the board ever has', board(3), 'csv', null, { direction: 'higher', thresholds: { minEntries: 20 } }, [/^only 3 entries; a real snapshot of this board has at least 20$/]],
    ['duplicate model keys', [...board(12), row('m3', 13, 1000)], 'csv', good(board(12)), higher, [/^duplicate model keys: "m3" ×2$/]],
    [
      'every score empty where the last good one had scores',
      board(12, { score: null }),
      'csv',
      good(board(12)),
      higher,
      [/^every score is empty \(the last good snapshot had 12 scores\)$/],
    ],
    ['nothing to rank by at all', board(12, { score: null, rank: null }), 'json', null, higher, [/^no row has a score, a rank or a price$/]],
    ['a price board has prices and no scores: fine', board(12, { score: null, rank: null, priceInput: 1, priceOutput: 2 }), 'json', null, higher, []],
    [
      'a column the format always had is gone',
      board(12, { votes: null, organization: null }),
      'csv',
      good(board(12)),
      higher,
      [/^columns missing: organization, votes \(present in the last good snapshot, empty in every row now\)$/],
    ],
    ['a new format with fewer columns is a new era, not a broken page', board(12, { votes: null, organization: null }), 'json', good(board(12), 'csv'), higher, []],
    [
      'ranks that contradict the scores where the source promises they follow them',
      [row('a', 1, 1300), row('b', 2, 1310), row('c', 3, 1200)],
      'csv',
      null,
      { direction: 'higher', thresholds: { ranksFollowScores: true } },
      [/^ranks contradict scores: #1 a \(1300\) above #2 b \(1310\)$/],
    ],
    [
      'lower is better: an error rate rising with rank is right',
      [row('a', 1, 0.1), row('b', 2, 0.2), row('c', 2, 0.2), row('d', 4, 0.5)],
      'csv',
      null,
      { direction: 'lower', thresholds: { ranksFollowScores: true } },
      [],
    ],
    ['upper-bound ranks may cross scores when the source does not promise otherwise', [row('a', 1, 1300), row('b', 2, 1310)], 'csv', null, higher, []],
    [
      // The same board under other keys (a format or naming change): diffing it would announce every model gone and every model new.
      'a similar row count under mostly new keys',
      board(40).map((entry) => ({ ...entry, model: entry.model.toUpperCase() })),
      'json',
      good(board(40), 'csv'),
      higher,
      [/^model keys changed \(format or naming change\?\): only 0 of the 40 models of the last good snapshot are listed under the same key \(at least 50% must be\)$/],
    ],
    [
      'half the keys kept is a busy day, not a renaming',
      [...board(20), ...board(20).map((entry) => ({ ...entry, model: `new-${entry.model}` }))],
      'csv',
      good(board(40)),
      higher,
      [],
    ],
    [
      'a per-board key overlap',
      [...board(30), ...board(10).map((entry) => ({ ...entry, model: `new-${entry.model}` }))],
      'csv',
      good(board(40)),
      { direction: 'higher', thresholds: { minKeyOverlap: 0.9 } },
      [/^model keys changed .*only 30 of the 40 models .*at least 90% must be/],
    ],
    ['a board twice as big is judged by the size checks, not the keys', board(90).map((entry) => ({ ...entry, model: `x${entry.model}` })), 'csv', good(board(40)), higher, []],
    [
      // Board keys are distinct by construction; two rows the source published under one key are still a broken capture.
      'duplicates are judged on the keys as published',
      [...board(12), { ...row('m3-copy', 13, 1000), sourceKey: 'm3' }],
      'csv',
      good(board(12)),
      higher,
      [/^duplicate model keys: "m3" ×2$/],
    ],
  ])('%s', (_name, next, format, lastGood, health, expected) => {
    const reasons = checkHealth(next, format, lastGood, health);
    expect(reasons).toHaveLength(expected.length);
    expected.forEach((pattern, i) => expect(reasons[i]).toMatch(pattern));
  });

  it.each(allBoards.map((board) => [board.id, board] as const))('%s: its thresholds quarantine a board cut in half', (_id, definition) => {
    const size = Math.max(40, 2 * (definition.health?.minEntries ?? 1));
    const health: BoardHealth = { direction: definition.direction, thresholds: definition.health };
    expect(checkHealth(board(size), 'f', null, health)).toEqual([]);
    expect(checkHealth(board(size / 2), 'f', good(board(size), 'f'), health)).toEqual([expect.stringMatching(/^row count collapsed from \d+ to \d+/)]);
  });

  it('reports every failed check, not only the first', () => {
    const broken = [...board(5, { score: null }), row('m1', 9, null)];
    const reasons = checkHealth(broken, 'csv', good(board(40)), { direction: 'higher', thresholds: { minEntries: 10 } });
    expect(reasons.map((reason) => reason.split(/[ :]/)[0])).toEqual(['only', 'row', 'duplicate', 'every']);
  });
});
