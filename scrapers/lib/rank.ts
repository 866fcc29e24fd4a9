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
