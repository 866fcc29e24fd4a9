import type { Direction, Entry } from '../entry.ts';
import type { EventOf, SignificanceData } from './events.ts';

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

/**
 * Prefix maximum and counts over positions 1..n (Fenwick tree); values only ever go in. A query
 * leaves its answer in `max`, `count` and `missing` (no object per query: the sweep asks once per
 * moved model). Each node's maximum and count sit side by side in one array (one cache line per
 * step); counts of entries without an interval are kept only when some row lacks one.
 */
class PrefixMax {
  /** Node i's maximum at 2i, its count at 2i + 1. */
  private readonly nodes: Float64Array;
  private readonly missingAt: Int32Array | null;
  private readonly size: number;
  max = -Infinity;
  count = 0;
  missing = 0;
  constructor(size: number, withMissing: boolean) {
    this.size = size;
    this.nodes = new Float64Array(2 * (size + 1));
    for (let i = 0; i < this.nodes.length; i += 2) this.nodes[i] = -Infinity;
    this.missingAt = withMissing ? new Int32Array(size + 1) : null;
  }
  /** Adds a value at `position`; `value` null counts an entry without an interval. */
  add(position: number, value: number | null): void {
    const nodes = this.nodes;
    if (value === null) {
      for (let i = position; i <= this.size; i += i & -i) {
        nodes[2 * i + 1]! += 1;
        this.missingAt![i]! += 1;
      }
      return;
    }
    for (let i = position; i <= this.size; i += i & -i) {
      if (value > nodes[2 * i]!) nodes[2 * i] = value;
      nodes[2 * i + 1]! += 1;
    }
  }
  /** Max, count and count without interval over positions 1..position. */
  query(position: number): void {
    const nodes = this.nodes;
    let max = -Infinity;
    let count = 0;
    for (let i = Math.min(position, this.size); i > 0; i -= i & -i) {
      if (nodes[2 * i]! > max) max = nodes[2 * i]!;
      count += nodes[2 * i + 1]!;
    }
    this.max = max;
    this.count = count;
    let missing = 0;
    if (this.missingAt) for (let i = Math.min(position, this.size); i > 0; i -= i & -i) missing += this.missingAt[i]!;
    this.missing = missing;
  }
}

/** A rank move's event data: how many places it rose (negative: fell) and its significance. */
export type RankMove = { delta: number; significant: boolean | null; margin: number | null; passed: string[] };

/** Names listed in `passed` at most (the nearest ones); the margin covers all of them. */
export const PASSED_LIMIT = 10;

/**
 * For each old rank in `oldRank`: the first and the last 1-based position of that rank among all of
 * them sorted (ties share a rank, so "old rank smaller" is the prefix before the first position).
 * Counting when ranks are small integers (every real board), a sort otherwise.
 */
function oldPositions(oldRank: Float64Array): { first: Int32Array; last: Int32Array } {
  const n = oldRank.length;
  const first = new Int32Array(n);
  const last = new Int32Array(n);
  let top = 0;
  let integers = true;
  for (let k = 0; k < n; k++) {
    const rank = oldRank[k]!;
    if (rank > top) top = rank;
    if (!Number.isInteger(rank)) integers = false;
  }
  if (integers && top <= 8 * n + 64) {
    // below[r]: how many old ranks are smaller than r.
    const below = new Int32Array(top + 2);
    for (let k = 0; k < n; k++) below[oldRank[k]! + 1]! += 1;
    for (let r = 1; r < below.length; r++) below[r]! += below[r - 1]!;
    for (let k = 0; k < n; k++) {
      first[k] = below[oldRank[k]!]! + 1;
      last[k] = below[oldRank[k]! + 1]!;
    }
    return { first, last };
  }
  const sorted = Float64Array.from(oldRank).sort();
  const bound = (value: number, strict: boolean) => {
    let low = 0;
    let high = n;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (sorted[middle]! < value || (strict && sorted[middle] === value)) low = middle + 1;
      else high = middle;
    }
    return low;
  };
  for (let k = 0; k < n; k++) {
    first[k] = bound(oldRank[k]!, false) + 1;
    last[k] = bound(oldRank[k]!, true);
  }
  return { first, last };
}

/**
 * Significance of every rank move between two snapshots, judged on `next`'s intervals, in
 * O(n log n): two sweeps over the new order with prefix maxima keyed by the old rank. `oldRanks[i]`
 * is the previous rank of `next[i]` (0 when it had none, or has none now: not a move). The result
 * is by position in `next` (undefined: no move judged), each the data of its `rank_changed` event.
 */
export function rankSignificancesAt(oldRanks: Float64Array, next: readonly Entry[], direction: Direction): (RankMove | undefined)[] {
  const result = new Array<RankMove | undefined>(next.length);
  // The rows: entries ranked on both snapshots, in the new order (stable for ties).
  let rows: number[] = [];
  let sorted = true;
  for (let i = 0; i < next.length; i++) {
    if (oldRanks[i] === 0) continue;
    if (rows.length > 0 && next[rows[rows.length - 1]!]!.rank! > next[i]!.rank!) sorted = false;
    rows.push(i);
  }
  if (!sorted) rows = rows.sort((a, b) => next[a]!.rank! - next[b]!.rank! || a - b);
  const n = rows.length;
  const entries = rows.map((i) => next[i]!);
  const newRank = new Float64Array(n);
  const oldRank = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    newRank[k] = entries[k]!.rank!;
    oldRank[k] = oldRanks[rows[k]!]!;
  }
  const { first, last } = oldPositions(oldRank);
  const withMissing = !entries.every(hasInterval);
  const higher = direction === 'higher';

  // The passed models are put in order of key in one scratch list, then copied out.
  const scratch = new Array<string>(PASSED_LIMIT).fill('');
  const gather = (got: number, key: string): number => {
    let i = got;
    while (i > 0 && scratch[i - 1]! > key) {
      scratch[i] = scratch[i - 1]!;
      i--;
    }
    scratch[i] = key;
    return got + 1;
  };
  // The rows found for a mover, then their names in order of key. Neighbours on a board are mostly
  // passed by (or pass) the same models: the same rows as the last mover's reuse its sorted names
  // instead of comparing the keys again.
  const foundRows = new Int32Array(PASSED_LIMIT);
  const lastRows = new Int32Array(PASSED_LIMIT);
  let lastCount = -1;
  let lastNames: string[] = [];
  const named = (got: number): string[] => {
    if (got === lastCount) {
      let same = true;
      for (let j = 0; j < got && same; j++) same = foundRows[j] === lastRows[j];
      if (same) return lastNames.slice();
    }
    let sorted = 0;
    for (let j = 0; j < got; j++) sorted = gather(sorted, entries[foundRows[j]!]!.model);
    lastRows.set(foundRows);
    lastCount = got;
    lastNames = scratch.slice(0, got);
    return lastNames;
  };
  // Jumps over rows that cannot be the ones looked for: the nearest row after each with a smaller
  // old rank, and the nearest row before each with a larger one (monotonic stacks, O(n)). A row
  // that was not passed (old rank >= the mover's) has only such rows up to its jump.
  const nextSmaller = new Int32Array(n).fill(n);
  const previousLarger = new Int32Array(n).fill(-1);
  const stack = new Int32Array(n);
  let depth = 0;
  for (let i = 0; i < n; i++) {
    while (depth > 0 && oldRank[stack[depth - 1]!]! > oldRank[i]!) nextSmaller[stack[--depth]!] = i;
    stack[depth++] = i;
  }
  depth = 0;
  for (let i = n - 1; i >= 0; i--) {
    while (depth > 0 && oldRank[stack[depth - 1]!]! < oldRank[i]!) previousLarger[stack[--depth]!] = i;
    stack[depth++] = i;
  }
  /** The models nearest to row `k` in the new order that it passed (rise: below it now, above before), sorted. */
  const passedBy = (k: number, count: number): string[] => {
    const wanted = Math.min(count, PASSED_LIMIT);
    const oldK = oldRank[k]!;
    const newK = newRank[k]!;
    let got = 0;
    for (let i = k + 1; i < n && got < wanted; ) {
      if (oldRank[i]! >= oldK) i = nextSmaller[i]!;
      else {
        if (newRank[i]! > newK) foundRows[got++] = i;
        i++;
      }
    }
    return named(got);
  };
  /** The models nearest to row `k` in the new order that passed it (fall: above it now, below before), sorted. */
  const passing = (k: number, count: number): string[] => {
    const wanted = Math.min(count, PASSED_LIMIT);
    const oldK = oldRank[k]!;
    const newK = newRank[k]!;
    let got = 0;
    for (let i = k - 1; i >= 0 && got < wanted; ) {
      if (oldRank[i]! <= oldK) i = previousLarger[i]!;
      else {
        if (newRank[i]! < newK) foundRows[got++] = i;
        i--;
      }
    }
    return named(got);
  };
  /** The verdict on row `k` from the prefix query in `found`, `margin` the gap to the nearest passed interval. */
  const judge = (k: number, found: PrefixMax, margin: number, rose: boolean): RankMove => {
    const delta = oldRank[k]! - newRank[k]!;
    const count = found.count;
    if (count === 0) return { delta, significant: hasInterval(entries[k]!) ? false : null, margin: null, passed: [] };
    const passed = rose ? passedBy(k, count) : passing(k, count);
    if (!hasInterval(entries[k]!) || found.missing > 0) return { delta, significant: null, margin: null, passed };
    const value = round(margin);
    return { delta, significant: value > 0, margin: value, passed };
  };

  // Rises: the models passed were above before (old rank smaller) and are below now (new rank larger).
  const below = new PrefixMax(n, withMissing);
  for (let end = n; end > 0; ) {
    let start = end;
    while (start > 1 && newRank[start - 2] === newRank[end - 1]) start--;
    for (let k = start - 1; k < end; k++) {
      if (newRank[k]! >= oldRank[k]!) continue;
      below.query(first[k]! - 1);
      const entry = entries[k]!;
      result[rows[k]!] = judge(k, below, higher ? entry.scoreLower! - below.max : -below.max - entry.scoreUpper!, true);
    }
    for (let k = start - 1; k < end; k++) {
      const entry = entries[k]!;
      below.add(first[k]!, hasInterval(entry) ? (higher ? entry.scoreUpper : -entry.scoreLower) : null);
    }
    end = start - 1;
  }

  // Falls: the models that passed it were below before (old rank larger) and are above now.
  // Positions mirrored (n + 1 - last) make "old rank larger" a prefix too.
  const above = new PrefixMax(n, withMissing);
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && newRank[end] === newRank[start]) end++;
    for (let k = start; k < end; k++) {
      if (newRank[k]! <= oldRank[k]!) continue;
      above.query(n - last[k]!);
      const entry = entries[k]!;
      result[rows[k]!] = judge(k, above, higher ? -above.max - entry.scoreUpper! : entry.scoreLower! - above.max, false);
    }
    for (let k = start; k < end; k++) {
      const entry = entries[k]!;
      above.add(n + 1 - last[k]!, hasInterval(entry) ? (higher ? -entry.scoreLower : entry.scoreUpper) : null);
    }
    start = end;
  }
  return result;
}

/** Significance of every rank move between two snapshots, by model (see rankSignificancesAt). */
export function rankSignificances(previous: ReadonlyMap<string, Entry>, next: readonly Entry[], direction: Direction): Map<string, Significance> {
  const oldRanks = new Float64Array(next.length);
  next.forEach((entry, i) => {
    const before = previous.get(entry.model);
    oldRanks[i] = before && before.rank !== null && entry.rank !== null ? before.rank : 0;
  });
  const found = rankSignificancesAt(oldRanks, next, direction);
  const result = new Map<string, Significance>();
  found.forEach((move, i) => move && result.set(next[i]!.model, { significant: move.significant, margin: move.margin, passed: move.passed }));
  return result;
}

/** Significance of a score move: is the new score outside the interval published with the old one? */
export function scoreSignificance(before: Entry, now: Entry): Significance {
  if (!hasInterval(before) || now.score === null) return { significant: null, margin: null, passed: [] };
  const margin = round(Math.max(now.score - before.scoreUpper, before.scoreLower - now.score));
  return { significant: margin > 0, margin, passed: [] };
}

/** A score move's event data: its delta and significance (see scoreSignificance). */
export function scoreMove(before: Entry, now: Entry): EventOf<'score_changed'>['data'] {
  const { significant, margin, passed } = scoreSignificance(before, now);
  return { delta: now.score! - before.score!, significant, margin, passed };
}

/** The significance as event data fields. */
export function significanceData(result: Significance): SignificanceData {
  return { significant: result.significant, margin: result.margin, passed: result.passed };
}
