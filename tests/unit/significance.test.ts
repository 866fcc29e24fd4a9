import { describe, expect, it } from 'vitest';
import { diff } from '../../src/diff/diff.ts';
import { PASSED_LIMIT, rankSignificances, scoreSignificance } from '../../src/diff/significance.ts';
import { makeEntry, type Direction, type Entry } from '../../src/entry.ts';

/** `e('a', 1, 1300, 5)`: model `a` at rank 1, score 1300 ± 5 (`null` half-width: no interval). */
function e(model: string, rank: number, score: number, half: number | null = 5): Entry {
  return makeEntry({ model, name: model, rank, score, scoreLower: half === null ? null : score - half, scoreUpper: half === null ? null : score + half });
}
const map = (entries: Entry[]) => new Map(entries.map((entry) => [entry.model, entry]));
const rankSignificance = (model: string, previous: Map<string, Entry>, next: Map<string, Entry>, direction: Direction) =>
  rankSignificances(previous, [...next.values()], direction).get(model);

describe('rankSignificance: is the new position distinguishable from the models passed?', () => {
  it.each<[string, Entry[], Entry[], string, Direction, { significant: boolean | null; margin: number | null; passed: string[] }]>([
    [
      'a rise clear of the model passed: intervals apart by 4 points',
      [e('b', 1, 1300), e('a', 2, 1295)],
      [e('a', 1, 1315), e('b', 2, 1301)],
      'a',
      'higher',
      { significant: true, margin: 4, passed: ['b'] },
    ],
    [
      'a rise inside the interval of the model passed (the US-China gap "inside the confidence intervals")',
      [e('b', 1, 1300), e('a', 2, 1295)],
      [e('a', 1, 1303), e('b', 2, 1301)],
      'a',
      'higher',
      { significant: false, margin: -8, passed: ['b'] },
    ],
    [
      'passing two models: judged against the closest one passed',
      [e('c', 1, 1320), e('b', 2, 1310), e('a', 3, 1290)],
      [e('a', 1, 1340), e('c', 2, 1321), e('b', 3, 1309)],
      'a',
      'higher',
      { significant: true, margin: 9, passed: ['b', 'c'] },
    ],
    [
      'a fall: compared with the models that passed it',
      [e('a', 1, 1310), e('b', 2, 1300)],
      [e('b', 1, 1330), e('a', 2, 1309)],
      'a',
      'higher',
      { significant: true, margin: 11, passed: ['b'] },
    ],
    [
      'moved because a model above left: nobody passed, not significant',
      [e('x', 1, 1330), e('a', 2, 1310)],
      [e('a', 1, 1310)],
      'a',
      'higher',
      { significant: false, margin: null, passed: [] },
    ],
    [
      'lower is better (an error rate): a rise means a lower score',
      [e('b', 1, 10, 1), e('a', 2, 12, 1)],
      [e('a', 1, 7, 1), e('b', 2, 10, 1)],
      'a',
      'lower',
      { significant: true, margin: 1, passed: ['b'] },
    ],
    ['a board without intervals: not judged', [e('b', 1, 1300, null), e('a', 2, 1295, null)], [e('a', 1, 1315, null), e('b', 2, 1301, null)], 'a', 'higher', { significant: null, margin: null, passed: ['b'] }],
  ])('%s', (_name, previous, next, model, direction, expected) => {
    expect(rankSignificance(model, map(previous), map(next), direction)).toEqual(expected);
  });
});

describe('scoreSignificance: is the new score outside the interval published with the old one?', () => {
  it.each<[string, Entry, Entry, boolean | null, number | null]>([
    ['outside, above', e('a', 1, 1300), e('a', 1, 1308), true, 3],
    ['inside', e('a', 1, 1300), e('a', 1, 1303), false, -2],
    ['outside, below', e('a', 1, 1300), e('a', 1, 1290), true, 5],
    ['no interval', e('a', 1, 1300, null), e('a', 1, 1290, null), null, null],
  ])('%s', (_name, before, now, significant, margin) => {
    expect(scoreSignificance(before, now)).toEqual({ significant, margin, passed: [] });
  });
});

describe('diff carries significance on every rank, score and leader move', () => {
  it('rank_changed, score_changed and new_leader say whether the move is significant, with the numbers', () => {
    const events = diff([e('b', 1, 1300), e('a', 2, 1295)], [e('a', 1, 1303), e('b', 2, 1301)]);
    const byKind = (kind: string, model: string) => events.find((event) => event.kind === kind && event.model === model)?.data;
    expect(byKind('new_leader', 'a')).toMatchObject({ significant: false, margin: -8, passed: ['b'], previousLeaders: ['b'] });
    expect(byKind('rank_changed', 'a')).toMatchObject({ delta: 1, significant: false, margin: -8, passed: ['b'] });
    expect(byKind('rank_changed', 'b')).toMatchObject({ delta: -1, significant: false, passed: ['a'] });
    expect(byKind('score_changed', 'a')).toMatchObject({ delta: 8, significant: true, margin: 3 });
    expect(byKind('score_changed', 'b')).toMatchObject({ delta: 1, significant: false });
  });

  it('a board whose entries have no intervals says significant: null', () => {
    const events = diff([e('b', 1, 10, null), e('a', 2, 9, null)], [e('a', 1, 12, null), e('b', 2, 10, null)]);
    expect(events.filter((event) => event.kind !== 'new_leader').every((event) => (event.data as { significant?: boolean | null } | undefined)?.significant === null)).toBe(true);
  });
});

describe('rankSignificances (the O(n log n) sweep) agrees with the definition checked pair by pair', () => {
  /** The rule as written: every model passed, compared one by one. */
  function reference(model: string, previous: Map<string, Entry>, next: Map<string, Entry>, direction: Direction) {
    const before = previous.get(model)!;
    const now = next.get(model)!;
    const rose = now.rank! < before.rank!;
    const passed = [...next.values()].filter((other) => {
      const old = previous.get(other.model);
      if (other.model === model || !old || old.rank === null || other.rank === null) return false;
      return rose ? old.rank < before.rank! && other.rank > now.rank! : old.rank > before.rank! && other.rank < now.rank!;
    });
    const interval = (entry: Entry) => entry.scoreLower !== null && entry.scoreUpper !== null;
    const names = passed.map((other) => other.model).sort();
    if (!interval(now)) return { significant: null, margin: null, count: passed.length, names };
    if (passed.length === 0) return { significant: false, margin: null, count: 0, names };
    if (!passed.every(interval)) return { significant: null, margin: null, count: passed.length, names };
    const gap = (winner: Entry, loser: Entry) => (direction === 'higher' ? winner.scoreLower! - loser.scoreUpper! : loser.scoreLower! - winner.scoreUpper!);
    const margin = Math.min(...passed.map((other) => (rose ? gap(now, other) : gap(other, now))));
    return { significant: Math.round(margin * 1e6) / 1e6 > 0, margin: Math.round(margin * 1e6) / 1e6, count: passed.length, names };
  }

  let seed = 20261123;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const randomBoard = (keys: string[]): Entry[] => {
    const rows = keys.map((model) => {
      const score = Math.round(random() * 40);
      const half = random() < 0.1 ? null : Math.round(random() * 6);
      return makeEntry({ model, name: model, rank: 0, score, scoreLower: half === null ? null : score - half, scoreUpper: half === null ? null : score + half });
    });
    rows.sort((a, b) => b.score! - a.score!);
    // Competition ranks: ties share a rank.
    rows.forEach((row, i) => (row.rank = i > 0 && rows[i - 1]!.score === row.score ? rows[i - 1]!.rank : i + 1));
    return rows;
  };

  /** The same board in another order, its ranks spread apart (`factor`): what a board may publish. */
  const reshaped = (entries: Entry[], factor: number, shuffle: boolean): Entry[] => {
    const rows = entries.map((entry) => ({ ...entry, rank: entry.rank === null ? null : entry.rank * factor }));
    if (shuffle) rows.sort(() => random() - 0.5);
    return rows;
  };

  it.each(Array.from({ length: 60 }, (_, i) => [i]))('random boards #%i (in rank order, shuffled, with ranks far apart)', (i) => {
    const keys = Array.from({ length: 25 }, (_, i) => `m${i}`);
    // Every third board is listed out of rank order; every fifth publishes ranks 1000 apart.
    const factor = i % 5 === 0 ? 1000 : 1;
    const previous = reshaped(randomBoard(keys.filter(() => random() < 0.9)), factor, i % 3 === 0);
    const next = reshaped(randomBoard(keys.filter(() => random() < 0.9)), factor, i % 3 === 1);
    const direction: Direction = random() < 0.5 ? 'higher' : 'lower';
    const before = map(previous);
    const after = map(next);
    const fast = rankSignificances(before, next, direction);
    // Each move has its own list (neighbours passed by the same models get equal lists, not one shared).
    const lists = [...fast.values()].map((move) => move.passed);
    expect(new Set(lists).size).toBe(lists.length);
    for (const entry of next) {
      const old = before.get(entry.model);
      if (!old || old.rank === entry.rank) continue;
      const expected = reference(entry.model, before, after, direction);
      const got = fast.get(entry.model)!;
      expect({ significant: got.significant, margin: got.margin }, entry.model).toEqual({ significant: expected.significant, margin: expected.margin });
      expect(got.passed.length).toBe(Math.min(expected.count, PASSED_LIMIT));
      // All of them listed (the nearest ones are a choice only past the limit), sorted.
      if (expected.count <= PASSED_LIMIT) expect(got.passed, entry.model).toEqual(expected.names);
    }
  });
});
