import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findBoard } from '../../scrapers/index.ts';
import { bestByGroup, countryGap, gapEvent, type Gap } from '../../src/diff/aggregates.ts';
import { attributionFor, loadIdentity } from '../../src/identity/identity.ts';

// The US–China gap per snapshot on the real LMArena and Artificial Analysis histories (read in place).
const ROOT = fileURLToPath(new URL('../../../shared/leaderboards', import.meta.url));
const present = existsSync(ROOT);
if (!present) console.warn(`captures not found at ${ROOT}: the US-China gap replays are skipped`);

function gaps(board: string, folder: string, suffix: string) {
  const found = findBoard(board)!;
  const attribute = attributionFor(loadIdentity(), found.scraper.id);
  const out: { file: string; gap: Gap | null; announced: Gap | null; event: ReturnType<typeof gapEvent>; names: Map<string, string> }[] = [];
  // Measured from the last gap announced (the first snapshot's until then), as the store does.
  let announced: Gap | null = null;
  for (const file of readdirSync(join(ROOT, folder)).filter((name) => name.endsWith(suffix)).sort()) {
    const { entries } = found.scraper.parse(readFileSync(join(ROOT, folder, file), 'utf8'), { board, fileName: file });
    const gap = countryGap(bestByGroup(entries, attribute, 'country', found.board.direction), 'US', 'CN', found.board.direction);
    const event = gapEvent(announced, gap, 'US', 'CN');
    out.push({ file, gap, announced, event, names: new Map(entries.map((entry) => [entry.model, entry.name])) });
    if (event || !announced) announced = gap;
  }
  return out;
}

describe.skipIf(!present)('the US–China gap on real histories', () => {
  it('LMArena text: DeepSeek-R1 cuts the gap from 4.35% to 1.81% on 2025-01-24 (the event: from 4.22%, last announced); the US leads throughout', () => {
    const history = gaps('lmarena-text', 'lmarena/fboulnois-llm-leaderboard-csv/lmsys', '.csv');
    expect(history).toHaveLength(86);
    expect(history.every((step) => step.gap?.leader === 'US')).toBe(true);
    const r1 = history.find((step) => step.file === '2025-01-24.csv')!;
    expect(r1.gap).toMatchObject({ percent: 1.81, b: { model: 'DeepSeek-R1' }, insideIntervals: false });
    expect(history[history.indexOf(r1) - 1]!.gap?.percent).toBe(4.35);
    expect(r1.event).toMatchObject({ kind: 'gap_changed', old: { percent: 4.22, bestCN: 'DeepSeek-V3' }, new: { percent: 1.81, bestCN: 'DeepSeek-R1' }, data: { leadChanged: false } });
    // Events exactly where the gap moved by more than the threshold (0.5 percentage points) from the last announced one.
    for (let i = 1; i < history.length; i++) {
      const moved = Math.abs(history[i]!.gap!.percent - history[i]!.announced!.percent);
      expect(Boolean(history[i]!.event), history[i]!.file).toBe(moved > 0.5);
    }
    // Some moves were too small each time but add up: announced only from the last announced gap.
    const drifts = history.filter((step, i) => step.event && Math.abs(step.gap!.percent - history[i - 1]!.gap!.percent) <= 0.5);
    expect(drifts.length).toBeGreaterThan(0);
    expect(history.filter((step) => step.event).length).toBeGreaterThanOrEqual(10);
  });

  it('Artificial Analysis: the gap on the Intelligence Index falls from 14.69% to 4.67% on 2026-07-23', () => {
    const history = gaps('artificialanalysis-intelligence', 'artificialanalysis/api-v2-data-llms-models', '.json');
    expect(history.map((step) => [step.file, step.gap?.leader, step.gap?.percent, Boolean(step.event)])).toEqual([
      ['2026-07-09.json', 'US', 14.69, false],
      ['2026-07-13.json', 'US', 14.69, false],
      ['2026-07-23.json', 'US', 4.67, true],
    ]);
    const last = history.at(-1)!;
    // Intelligence Index has no intervals: whether the gap is inside them is not known.
    expect(last.gap?.insideIntervals).toBeNull();
    expect(last.names.get(last.gap!.b.model)).toBeTruthy();
  });
});
