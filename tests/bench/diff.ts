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
 * Median times of `runs`, measured in turns (one round of each, then again), so that a busy
 * machine slows them alike; after `warm` rounds each, for the JIT to settle.
 */
function interleaved(runs: readonly (() => void)[], rounds = 21, warm = 10): number[] {
  for (let i = 0; i < warm; i++) for (const run of runs) run();
  const times = runs.map(() => [] as number[]);
  for (let i = 0; i < rounds; i++) {
    runs.forEach((run, which) => {
      const start = performance.now();
      run();
      times[which]!.push(performance.now() - start);
    });
  }
  return times.map((list) => list.sort((a, b) => a - b)[Math.floor(rounds / 2)]!);
}

export function benchDiff(size = 10_000): string[] {
  const previous = board(size, false);
  const next = board(size, true);
  let events = 0;
  const [diffMs, mapsMs] = interleaved([
    () => {
      events = diff(previous, next).length;
    },
    () => {
      const a = new Map(previous.map((entry) => [entry.model, entry]));
      const b = new Map(next.map((entry) => [entry.model, entry]));
      if (a.size + b.size === 0) throw new Error('empty');
    },
  ]) as [number, number];
  return [
    `diff engine on two ${size.toLocaleString('en')}-entry snapshots (${events.toLocaleString('en')} events; median of 21, in turns):`,
    `  diff                 ${diffMs.toFixed(1).padStart(8)} ms`,
    `  two hash maps alone  ${mapsMs.toFixed(1).padStart(8)} ms   diff = ${(diffMs / mapsMs).toFixed(1)}x the maps (target: 3x at most)`,
  ];
}
