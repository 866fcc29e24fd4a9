// The diff engine on two 10,000-entry snapshots beside the time to build the two hash maps alone.
import { diff } from '../../src/diff/diff.ts';
import { makeEntry, type Entry } from '../../src/entry.ts';

/** A board of `n` models with intervals; `shift` moves a tenth of them and replaces a hundredth. */
function board(n: number, shift: boolean): Entry[] {
  const rows: Entry[] = [];
  for (let i = 0; i < n; i++) {
    const moved = shift && i % 10 === 3 ? 7 : 0;
    const model = shift && i % 100 === 42 ? `new-${i}` : `model-${i}`;
    const score = 2000 - i * 0.1 + moved;
    rows.push(makeEntry({ model, name: model, rank: 0, score, scoreLower: score - 4, scoreUpper: score + 4, votes: 1000 + i }));
  }
  rows.sort((a, b) => b.score! - a.score!);
  rows.forEach((row, i) => (row.rank = i + 1));
  return rows;
}

/**
 * Times of `runs`, measured in turns (one round of each, then again), after `warm` rounds each for
 * the JIT to settle: the median time of each, and the median of each round's ratio of the first to
 * the second (a slow moment of the machine slows both halves of a round alike, so the ratios scatter
 * less than the times).
 */
function interleaved(runs: readonly [() => void, () => void], rounds: number, warm: number): { medians: [number, number]; ratio: number } {
  for (let i = 0; i < warm; i++) for (const run of runs) run();
  const times: [number[], number[]] = [[], []];
  for (let i = 0; i < rounds; i++) {
    runs.forEach((run, which) => {
      const start = performance.now();
      run();
      times[which]!.push(performance.now() - start);
    });
  }
  const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
  return { medians: [median(times[0]), median(times[1])], ratio: median(times[0].map((time, i) => time / times[1][i]!)) };
}

const ROUNDS = 41;
const WARM = 40;

export function benchDiff(size = 10_000): string[] {
  const previous = board(size, false);
  const next = board(size, true);
  let events = 0;
  const runs: [() => void, () => void] = [
    () => {
      events = diff(previous, next).length;
    },
    () => {
      const a = new Map(previous.map((entry) => [entry.model, entry]));
      const b = new Map(next.map((entry) => [entry.model, entry]));
      if (a.size + b.size === 0) throw new Error('empty');
    },
  ];
  const {
    medians: [diffMs, mapsMs],
    ratio,
  } = interleaved(runs, ROUNDS, WARM);
  return [
    `diff engine on two ${size.toLocaleString('en')}-entry snapshots (${events.toLocaleString('en')} events; medians of ${ROUNDS} rounds in turns, after ${WARM} to warm up):`,
    `  diff                 ${diffMs.toFixed(1).padStart(8)} ms`,
    `  two hash maps alone  ${mapsMs.toFixed(1).padStart(8)} ms   diff = ${ratio.toFixed(1)}x the maps, the median of the rounds' ratios (target: 3x at most)`,
  ];
}
