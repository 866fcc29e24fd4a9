import type { Direction } from '../../src/entry.ts';

/**
 * Competition ranks (1, 2, 2, 4) of `scores` in the board's direction; equal scores share a
 * rank, null scores get null. Returned in the input's order.
 */
export function competitionRanks(scores: readonly (number | null)[], direction: Direction): (number | null)[] {
  const order = scores
    .map((score, index) => ({ score, index }))
    .filter((item): item is { score: number; index: number } => item.score !== null)
    .sort((a, b) => (direction === 'higher' ? b.score - a.score : a.score - b.score));
  const ranks: (number | null)[] = scores.map(() => null);
  order.forEach((item, position) => {
    const previous = order[position - 1];
    ranks[item.index] = previous && previous.score === item.score ? (ranks[previous.index] ?? position + 1) : position + 1;
  });
  return ranks;
}

/** A score with its published confidence bounds. */
export interface Bounded {
  score: number | null;
  lower: number | null;
  upper: number | null;
}

/**
 * LMArena's "Rank (UB)": 1 + the number of models whose lower bound is above this model's upper
 * bound, so models whose intervals overlap share a rank (1, 2, 2, 4) and a rank may sit out of
 * score order. Null for a row without a score or bounds; when no row has bounds, the competition
 * ranks of the scores. Returned in the input's order; O(n log n).
 */
export function upperBoundRanks(rows: readonly Bounded[], direction: Direction): (number | null)[] {
  const bounded = rows.filter((row) => row.score !== null && row.lower !== null && row.upper !== null);
  if (bounded.length === 0) return competitionRanks(rows.map((row) => row.score), direction);
  // For a lower-is-better board the "beats" test mirrors: another model's upper bound below my lower bound.
  const beatKeys = bounded.map((row) => (direction === 'higher' ? row.lower! : -row.upper!)).sort((a, b) => a - b);
  return rows.map((row) => {
    if (row.score === null || row.lower === null || row.upper === null) return null;
    const mine = direction === 'higher' ? row.upper : -row.lower;
    // Count keys strictly above `mine`: binary search for the first key > mine.
    let low = 0;
    let high = beatKeys.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (beatKeys[middle]! > mine) high = middle;
      else low = middle + 1;
    }
    return 1 + (beatKeys.length - low);
  });
}
