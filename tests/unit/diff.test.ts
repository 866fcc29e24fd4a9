import { describe, expect, it } from 'vitest';
import { diff } from '../../src/diff/diff.ts';
import type { ChangeEvent } from '../../src/diff/events.ts';
import { makeEntry, type Entry } from '../../src/entry.ts';

/** `e('a', 1, 1300)`: model `a` at rank 1 with score 1300 (name = key in capitals). */
function e(model: string, rank: number | null, score: number | null, extra: Partial<Entry> = {}): Entry {
  return makeEntry({ model, name: model.toUpperCase(), rank, score, ...extra });
}

/** The events reduced to `kind model old→new` strings, which keeps the cases readable. */
function summary(events: ChangeEvent[]): string[] {
  return events.map((event) => {
    const values = (v: object | null) => (v ? Object.values(v).map((x) => (Array.isArray(x) ? `[${x.join(',')}]` : String(x))).join('/') : '-');
    return `${event.kind} ${event.model ?? '*'} ${values(event.old)}>${values(event.new)}`;
  });
}

interface Case {
  name: string;
  previous: Entry[];
  next: Entry[];
  expected: string[];
}

const cases: Case[] = [
  {
    name: 'first snapshot: one board_first_seen record, no entered flood',
    previous: [],
    next: [e('a', 1, 1300), e('b', 2, 1290), e('c', 2, 1289)],
    expected: ['board_first_seen * ->3/[a]/[A]'],
  },
  {
    name: 'first snapshot with a tie at #1 names both leaders',
    previous: [],
    next: [e('a', 1, 1300), e('b', 1, 1299)],
    expected: ['board_first_seen * ->2/[a,b]/[A,B]'],
  },
  { name: 'two empty snapshots: nothing', previous: [], next: [], expected: [] },
  {
    name: 'identical snapshots: nothing',
    previous: [e('a', 1, 1300), e('b', 2, 1290)],
    next: [e('a', 1, 1300), e('b', 2, 1290)],
    expected: [],
  },
  {
    name: 'a swap at the top: new leader, two rank changes, no score change',
    previous: [e('a', 1, 1300), e('b', 2, 1290)],
    next: [e('b', 1, 1290), e('a', 2, 1300)],
    expected: ['new_leader b 2>1/1290', 'rank_changed b 2>1', 'rank_changed a 1>2'],
  },
  {
    name: 'ties: a model joining a shared #1 is a new leader; the old one is not',
    previous: [e('a', 1, 1300), e('b', 3, 1280), e('c', 3, 1279)],
    next: [e('a', 1, 1300), e('b', 1, 1296), e('c', 3, 1279)],
    expected: ['new_leader b 3>1/1296', 'rank_changed b 3>1', 'score_changed b 1280/null/null>1296/null/null'],
  },
  {
    name: 'gaps in ranks: an unchanged rank after a tie reports nothing',
    previous: [e('a', 1, 1300), e('b', 2, 1290), e('c', 2, 1289), e('d', 4, 1270)],
    next: [e('a', 1, 1300), e('b', 2, 1290), e('c', 2, 1289), e('d', 4, 1270)],
    expected: [],
  },
  {
    name: 'gaps in ranks: a tie forming moves the model after it by the gap',
    previous: [e('a', 1, 1300), e('b', 2, 1290), e('c', 3, 1280)],
    next: [e('a', 1, 1300), e('b', 2, 1290), e('c', 2, 1287)],
    expected: ['rank_changed c 3>2', 'score_changed c 1280/null/null>1287/null/null'],
  },
  {
    name: 'a model renamed under the same key: no exit, no entry, no event',
    previous: [e('a', 1, 1300), e('b', 2, 1290)],
    next: [e('a', 1, 1300), makeEntry({ model: 'b', name: 'B (renamed)', rank: 2, score: 1290 })],
    expected: [],
  },
  {
    name: 'a new key for a model is an exit plus an entry (identity comes later)',
    previous: [e('a', 1, 1300), e('b', 2, 1290)],
    next: [e('a', 1, 1300), e('b-2024', 2, 1290)],
    expected: ['entered b-2024 ->2/1290/null/null/null/null', 'exited b 2/1290/null/null/null/null>-'],
  },
  {
    name: 'a new entry straight to #1',
    previous: [e('a', 1, 1300)],
    next: [e('n', 1, 1350), e('a', 2, 1300)],
    expected: ['new_leader n null>1/1350', 'entered n ->1/1350/null/null/null/null', 'rank_changed a 1>2'],
  },
  {
    name: 'the leader exits: the runner-up becomes leader',
    previous: [e('a', 1, 1300), e('b', 2, 1290)],
    next: [e('b', 1, 1290)],
    expected: ['new_leader b 2>1/1290', 'rank_changed b 2>1', 'exited a 1/1300/null/null/null/null>-'],
  },
  {
    name: 'score moves within the same rank: score_changed only',
    previous: [e('a', 1, 1300, { scoreLower: 1296, scoreUpper: 1303 })],
    next: [e('a', 1, 1302, { scoreLower: 1298, scoreUpper: 1305 })],
    expected: ['score_changed a 1300/1296/1303>1302/1298/1305'],
  },
  {
    name: 'only the interval or votes move: no event (the standing still records them)',
    previous: [e('a', 1, 1300, { scoreLower: 1296, scoreUpper: 1303, votes: 100 })],
    next: [e('a', 1, 1300, { scoreLower: 1297, scoreUpper: 1302, votes: 180 })],
    expected: [],
  },
  {
    name: 'a price cut is a price change',
    previous: [e('a', null, null, { priceInput: 2, priceOutput: 8 })],
    next: [e('a', null, null, { priceInput: 1, priceOutput: 8 })],
    expected: ['price_changed a 2/8>1/8'],
  },
  {
    name: "a model's first price is not a change",
    previous: [e('a', null, null)],
    next: [e('a', null, null, { priceInput: 1, priceOutput: 4 })],
    expected: [],
  },
  {
    name: 'unranked boards (rank null) report no rank or leader events',
    previous: [e('a', null, 10), e('b', null, 20)],
    next: [e('a', null, 10), e('b', null, 20)],
    expected: [],
  },
];

describe('diff', () => {
  it.each(cases)('$name', ({ previous, next, expected }) => {
    expect(summary(diff(previous, next))).toEqual(expected);
  });

  it('new_leader carries the previous leaders and who it is tied with', () => {
    const [leader] = diff([e('a', 1, 1300), e('b', 2, 1299), e('c', 3, 1280)], [e('a', 1, 1300), e('b', 1, 1301), e('c', 3, 1280)]);
    expect(leader).toMatchObject({ kind: 'new_leader', model: 'b', name: 'B', data: { previousLeaders: ['a'], sharedWith: ['a'], sharedWithNames: ['A'] } });
  });

  it('price changes carry the percentage of each price', () => {
    const events = diff([e('a', null, null, { priceInput: 0.45, priceOutput: 2.15 })], [e('a', null, null, { priceInput: 0.4, priceOutput: 2.15 })]);
    expect(events).toEqual([expect.objectContaining({ kind: 'price_changed', data: { percentInput: -11.11, percentOutput: 0 } })]);
    const gone = diff([e('a', null, null, { priceInput: 1, priceOutput: 2 })], [e('a', null, null, { priceInput: null, priceOutput: 2.5 })]);
    expect(gone[0]?.data).toEqual({ percentInput: null, percentOutput: 25 });
  });

  it('rank moves carry their delta (positive = up)', () => {
    const events = diff([e('a', 5, 1)], [e('a', 2, 1)]);
    expect(events).toEqual([expect.objectContaining({ kind: 'rank_changed', data: { delta: 3, significant: null, margin: null, passed: [] } })]);
  });

  it('is pure: the inputs are not modified', () => {
    const previous = [e('a', 1, 1300), e('b', 2, 1290)];
    const next = [e('b', 1, 1290), e('a', 2, 1300)];
    const copies = structuredClone([previous, next]);
    diff(previous, next);
    expect([previous, next]).toEqual(copies);
  });
});
