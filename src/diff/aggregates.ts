import type { Direction, Entry } from '../entry.ts';
import type { EventOf, GapSide } from './events.ts';

export type { GapSide } from './events.ts';

/** Who made a model and where, as model identity tells it. */
export type Attribution = (entry: Entry) => { organization: string | null; country: string | null };

/** The best model of a group (an organization or a country) on one snapshot. */
export interface GroupBest {
  group: string;
  /** Place of the group's best model among all groups (competition ranking, 1 = best). */
  place: number;
  models: number;
  best: { model: string; name: string; rank: number | null; score: number | null; scoreLower: number | null; scoreUpper: number | null };
}

const better = (a: number, b: number, direction: Direction) => (direction === 'higher' ? a > b : a < b);

/** Best entry first: by score in the board's direction, then rank, then key. */
function compareEntries(a: Entry, b: Entry, direction: Direction): number {
  if (a.score !== null && b.score !== null && a.score !== b.score) return better(a.score, b.score, direction) ? -1 : 1;
  if ((a.score === null) !== (b.score === null)) return a.score === null ? 1 : -1;
  return (a.rank ?? Number.MAX_SAFE_INTEGER) - (b.rank ?? Number.MAX_SAFE_INTEGER) || (a.model < b.model ? -1 : a.model > b.model ? 1 : 0);
}

/**
 * The best model of each organization or country on a snapshot, best group first: the "Arena
 * score by lab" table. Entries no group is known for are left out (see `rankwatch models --unmapped`).
 */
export function bestByGroup(entries: readonly Entry[], attribute: Attribution, by: 'organization' | 'country', direction: Direction): GroupBest[] {
  const groups = new Map<string, Entry[]>();
  for (const entry of entries) {
    const group = attribute(entry)[by];
    if (group === null) continue;
    groups.set(group, [...(groups.get(group) ?? []), entry]);
  }
  const bests = [...groups].map(([group, members]) => ({ group, models: members.length, top: [...members].sort((a, b) => compareEntries(a, b, direction))[0]! }));
  bests.sort((a, b) => compareEntries(a.top, b.top, direction) || (a.group < b.group ? -1 : 1));
  return bests.map(({ group, models, top }) => ({
    group,
    // Competition places: groups whose best models score the same share a place.
    place:
      1 +
      bests.filter((other) => other.top.score !== null && (top.score === null || better(other.top.score, top.score, direction))).length,
    models,
    best: { model: top.model, name: top.name, rank: top.rank, score: top.score, scoreLower: top.scoreLower, scoreUpper: top.scoreUpper },
  }));
}

/** The gap between the best model of two countries (the news' "US–China gap"). */
export interface Gap {
  leader: string | null;
  /** Score points between the two best models, positive when `a` leads. */
  points: number;
  /** `points` as a percentage of the leader's score. */
  percent: number;
  a: GroupBest['best'];
  b: GroupBest['best'];
  /** Whether the two best models' published intervals overlap (null: no intervals). */
  insideIntervals: boolean | null;
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/** The gap between the best models of countries `a` and `b`, or null when either has no scored model. */
export function countryGap(byCountry: readonly GroupBest[], a: string, b: string, direction: Direction): Gap | null {
  const first = byCountry.find((group) => group.group === a)?.best;
  const second = byCountry.find((group) => group.group === b)?.best;
  if (!first || !second || first.score === null || second.score === null) return null;
  const points = direction === 'higher' ? first.score - second.score : second.score - first.score;
  const leader = points > 0 ? a : points < 0 ? b : null;
  const base = Math.abs(leader === b ? second.score : first.score);
  const intervals = first.scoreLower !== null && first.scoreUpper !== null && second.scoreLower !== null && second.scoreUpper !== null;
  return {
    leader,
    points: round(points, 4),
    percent: base === 0 ? 0 : round((Math.abs(points) / base) * 100, 2),
    a: first,
    b: second,
    insideIntervals: intervals ? first.scoreLower! <= second.scoreUpper! && second.scoreLower! <= first.scoreUpper! : null,
  };
}

/** How much the gap must move (in percentage points of the leader's score) to be news, unless a board says otherwise. */
export const DEFAULT_GAP_THRESHOLD_PERCENT = 0.5;

/** The stored form of a gap between countries `a` and `b`. */
export function gapSide(gap: Gap, a: string, b: string): GapSide {
  const best: Record<`best${string}`, string | null> = { [`best${a}`]: gap.a.model, [`best${b}`]: gap.b.model };
  return { leader: gap.leader, points: gap.points, percent: gap.percent, ...best, insideIntervals: gap.insideIntervals };
}

const asSide = (gap: Gap | GapSide, a: string, b: string): GapSide => ('a' in gap && typeof gap.a === 'object' && gap.a !== null ? gapSide(gap, a, b) : (gap as GapSide));

/**
 * A `gap_changed` event when the gap between countries `a` and `b` moved by more than the
 * threshold or the lead changed hands; none otherwise (or when either side has no model).
 * `before` is the last gap announced (or still settling), so a slow drift is announced once it
 * adds up to the threshold.
 */
export function gapEvent(before: Gap | GapSide | null, after: Gap | GapSide | null, a: string, b: string, thresholdPercent = DEFAULT_GAP_THRESHOLD_PERCENT): EventOf<'gap_changed'> | null {
  if (!before || !after) return null;
  const old = asSide(before, a, b);
  const now = asSide(after, a, b);
  const signed = (side: GapSide) => (side.leader === b ? -Number(side.percent) : Number(side.percent));
  const leadChanged = old.leader !== now.leader;
  const moved = Math.abs(signed(now) - signed(old));
  if (!leadChanged && moved <= thresholdPercent) return null;
  return {
    kind: 'gap_changed',
    model: null,
    name: `${a}–${b}`,
    old,
    new: now,
    data: { countries: [a, b], leadChanged, movedPercent: round(moved, 2), thresholdPercent },
  };
}
