import type { Direction, Entry } from '../entry.ts';
import type { SignificanceData } from './events.ts';

/**
 * Whether a move is distinguishable given the intervals the board publishes (LMArena: 95%
 * confidence intervals). The rules, documented in the README:
 *
 * - A rank move: the models a model passed (above it before, below it now; for a fall, the ones
 *   that passed it) are compared on the new snapshot. The move is significant when the intervals
 *   do not overlap: for a rise, its lower bound is above the upper bound of every model it passed;
 *   for a fall, its upper bound is below the lower bound of every model that passed it.
 *   `margin` is that gap in score points (negative: overlapping, by that much).
 * - A rank move that passed nobody (the board moved around it: entries, exits, ties) is not
 *   significant.
 * - A score move: significant when the new score lies outside the interval published with the old
 *   one; `margin` is how far outside (negative: inside).
 * - A board (or entry) without intervals: `significant: null`.
 */
export interface Significance {
  significant: boolean | null;
  /** Score points of separation (positive) or overlap (negative); null when not judged. */
  margin: number | null;
  /** The models passed (rise) or passed by (fall). */
  passed: string[];
}

const round = (value: number) => Math.round(value * 1e6) / 1e6;

function hasInterval(entry: Entry): entry is Entry & { scoreLower: number; scoreUpper: number; score: number } {
  return entry.scoreLower !== null && entry.scoreUpper !== null && entry.score !== null;
}

/** Prefix maximum and count over positions 1..n (Fenwick tree); values only ever go in. */
class PrefixMax {
  private readonly max: number[];
  private readonly count: number[];
  private readonly missing: number[];
  private readonly size: number;
  constructor(size: number) {
    this.size = size;
    this.max = new Array<number>(size + 1).fill(-Infinity);
    this.count = new Array<number>(size + 1).fill(0);
    this.missing = new Array<number>(size + 1).fill(0);
  }
  /** Adds a value at `position`; `value` null counts an entry without an interval. */
  add(position: number, value: number | null): void {
    for (let i = position; i <= this.size; i += i & -i) {
      this.count[i]! += 1;
      if (value === null) this.missing[i]! += 1;
      else if (value > this.max[i]!) this.max[i] = value;
    }
  }
  /** Max, count and count without interval over positions 1..position. */
  query(position: number): { max: number; count: number; missing: number } {
    let max = -Infinity;
    let count = 0;
    let missing = 0;
    for (let i = Math.min(position, this.size); i > 0; i -= i & -i) {
      if (this.max[i]! > max) max = this.max[i]!;
      count += this.count[i]!;
      missing += this.missing[i]!;
    }
    return { max, count, missing };
  }
}

/** Names listed in `passed` at most (the nearest ones); the margin covers all of them. */
export const PASSED_LIMIT = 10;

/**
 * Significance of every rank move between two snapshots, judged on `next`'s intervals, in
 * O(n log n): two sweeps over the new order with prefix maxima keyed by the old rank.
 */
export function rankSignificances(previous: ReadonlyMap<string, Entry>, next: readonly Entry[], direction: Direction): Map<string, Significance> {
  type Row = { entry: Entry; oldRank: number; newRank: number; oldPosition: number };
  const rows: Row[] = [];
  for (const entry of next) {
    const before = previous.get(entry.model);
    if (before && before.rank !== null && entry.rank !== null) rows.push({ entry, oldRank: before.rank, newRank: entry.rank, oldPosition: 0 });
  }
  // Positions by old rank (ties share the first position of their rank, so "old rank <" is a prefix).
  const byOld = [...rows].sort((a, b) => a.oldRank - b.oldRank);
  const firstOfRank = new Map<number, number>();
  byOld.forEach((row, i) => {
    if (!firstOfRank.has(row.oldRank)) firstOfRank.set(row.oldRank, i + 1);
    row.oldPosition = firstOfRank.get(row.oldRank)!;
  });
  const lastOfRank = new Map<number, number>();
  byOld.forEach((row, i) => lastOfRank.set(row.oldRank, i + 1));
  const n = rows.length;
  const higher = direction === 'higher';
  const result = new Map<string, Significance>();
  const byNew = [...rows].sort((a, b) => a.newRank - b.newRank);

  const verdict = (row: Row, found: { max: number; count: number; missing: number }, margin: (max: number) => number, passed: () => string[]): Significance => {
    if (!hasInterval(row.entry)) return { significant: null, margin: null, passed: found.count === 0 ? [] : passed() };
    if (found.count === 0) return { significant: false, margin: null, passed: [] };
    if (found.missing > 0) return { significant: null, margin: null, passed: passed() };
    const value = round(margin(found.max));
    return { significant: value > 0, margin: value, passed: passed() };
  };

  // Rises: the models passed were above before (old rank smaller) and are below now (new rank larger).
  const below = new PrefixMax(n);
  for (let end = n; end > 0; ) {
    let start = end;
    while (start > 1 && byNew[start - 2]!.newRank === byNew[end - 1]!.newRank) start--;
    for (let i = start - 1; i < end; i++) {
      const row = byNew[i]!;
      if (row.newRank >= row.oldRank) continue;
      const found = below.query(row.oldPosition - 1);
      const names = () => nearest(byNew, i + 1, 1, found.count, (other) => other.oldRank < row.oldRank && other.newRank > row.newRank);
      result.set(row.entry.model, verdict(row, found, (max) => (higher ? row.entry.scoreLower! - max : -max - row.entry.scoreUpper!), names));
    }
    for (let i = start - 1; i < end; i++) {
      const row = byNew[i]!;
      below.add(row.oldPosition, hasInterval(row.entry) ? (higher ? row.entry.scoreUpper : -row.entry.scoreLower) : null);
    }
    end = start - 1;
  }

  // Falls: the models that passed it were below before (old rank larger) and are above now.
  const above = new PrefixMax(n);
  const mirror = (row: Row) => n + 1 - lastOfRank.get(row.oldRank)!;
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && byNew[end]!.newRank === byNew[start]!.newRank) end++;
    for (let i = start; i < end; i++) {
      const row = byNew[i]!;
      if (row.newRank <= row.oldRank) continue;
      // Old rank strictly larger = mirrored positions before this rank's last one.
      const found = above.query(mirror(row) - 1);
      const names = () => nearest(byNew, i - 1, -1, found.count, (other) => other.oldRank > row.oldRank && other.newRank < row.newRank);
      result.set(row.entry.model, verdict(row, found, (max) => (higher ? -max - row.entry.scoreUpper! : row.entry.scoreLower! - max), names));
    }
    for (let i = start; i < end; i++) {
      const row = byNew[i]!;
      above.add(mirror(row), hasInterval(row.entry) ? (higher ? -row.entry.scoreLower : row.entry.scoreUpper) : null);
    }
    start = end;
  }
  return result;
}

/** The `count` (at most PASSED_LIMIT) keys matching `test` nearest to `from` in the new order, sorted. */
function nearest<T extends { entry: Entry }>(order: readonly T[], from: number, step: 1 | -1, count: number, test: (row: T) => boolean): string[] {
  const found: string[] = [];
  const wanted = Math.min(count, PASSED_LIMIT);
  for (let i = from; i >= 0 && i < order.length && found.length < wanted; i += step) {
    if (test(order[i]!)) found.push(order[i]!.entry.model);
  }
  return found.sort();
}

/** Significance of a score move: is the new score outside the interval published with the old one? */
export function scoreSignificance(before: Entry, now: Entry): Significance {
  if (!hasInterval(before) || now.score === null) return { significant: null, margin: null, passed: [] };
  const margin = round(Math.max(now.score - before.scoreUpper, before.scoreLower - now.score));
  return { significant: margin > 0, margin, passed: [] };
}

/** The significance as event data fields. */
export function significanceData(result: Significance): SignificanceData {
  return { significant: result.significant, margin: result.margin, passed: result.passed };
}
