import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findBoard } from '../../scrapers/index.ts';
import type { ParsedSnapshot } from '../../scrapers/scraper.ts';
import { snapshotTraits, summarizeChangeSet } from '../../src/diff/change-set.ts';
import { diff } from '../../src/diff/diff.ts';
import { makeEntry, type Entry } from '../../src/entry.ts';

/** `n` models ranked 1..n, scores falling by 5 from `top`. */
const board = (n: number, top = 1400, prefix = 'm'): Entry[] =>
  Array.from({ length: n }, (_, i) => makeEntry({ model: `${prefix}${i + 1}`, name: `${prefix}${i + 1}`, rank: i + 1, score: top - i * 5 }));
const rerank = (entries: Entry[]): Entry[] => entries.map((entry, i) => ({ ...entry, rank: i + 1 }));

function summarize(previous: Entry[], next: Entry[], columns: { before: string[] | null; after: string[] | null } = { before: null, after: null }) {
  const events = diff(previous, next);
  return summarizeChangeSet('b', snapshotTraits(previous, next, events, columns), events);
}

describe('summarizeChangeSet', () => {
  it('a display filter hiding 30 of 200 models is one bulk removal, not 30 alarms', () => {
    const before = board(200);
    const after = rerank(before.filter((_, i) => i % 6 !== 5 || i > 180));
    const set = summarize(before, after);
    expect(set.bulkRemoval).toBe(true);
    expect(set.counts.exited).toBe(30);
    expect(set.summary).toMatch(/^b: 30 removed at once \(bulk removal; the rest of the board stayed\); \d+ rank moves$/);
  });

  it.each<[string, Entry[], Entry[], boolean]>([
    ['four models retired: ordinary exits', board(200), rerank(board(200).slice(0, 196)), false],
    ['a turnover (10 leave, 10 arrive) is not a removal', board(40), rerank([...board(30), ...board(10, 1000, 'new')]), false],
    ['half of a small board retired at once', board(12), rerank(board(12).slice(0, 6)), true],
  ])('%s', (_name, before, after, expected) => {
    expect(summarize(before, after).bulkRemoval).toBe(expected);
  });

  it('new columns with every score recomputed: methodology changed, said in the summary', () => {
    const before = board(10);
    const after = rerank(before.map((entry, i) => ({ ...entry, score: 1000 + ((i * 7) % 10) * 3 })).sort((a, b) => b.score! - a.score!));
    const set = summarize(before, after, { before: ['Overall', 'AlpacaEval'], after: ['Overall', 'AlpacaEval', 'MMSU'] });
    expect(set).toMatchObject({ methodologyChanged: true, columnsAdded: ['MMSU'], columnsRemoved: [] });
    expect(set.summary).toMatch(/^b: methodology changed \(added MMSU\): 10 of 10 scores recomputed, rank moves reflect the new method; /);
  });

  it.each<[string, string[] | null, string[] | null, boolean]>([
    ['same columns: scores moved, no methodology change', ['A', 'B'], ['A', 'B'], false],
    ['the format does not list columns', null, null, false],
  ])('%s', (_name, beforeColumns, afterColumns, expected) => {
    const before = board(10);
    const after = before.map((entry) => ({ ...entry, score: entry.score! + 3 }));
    expect(summarize(before, after, { before: beforeColumns, after: afterColumns }).methodologyChanged).toBe(expected);
  });

  it('a column added while scores stay is not a methodology change', () => {
    expect(summarize(board(10), board(10), { before: ['A'], after: ['A', 'B'] }).methodologyChanged).toBe(false);
  });

  it('names the new leader and counts significant moves', () => {
    const before = [makeEntry({ model: 'a', name: 'A', rank: 1, score: 1300, scoreLower: 1295, scoreUpper: 1305 }), makeEntry({ model: 'b', name: 'B', rank: 2, score: 1290, scoreLower: 1285, scoreUpper: 1295 })];
    const after = [makeEntry({ model: 'b', name: 'B', rank: 1, score: 1320, scoreLower: 1315, scoreUpper: 1325 }), makeEntry({ model: 'a', name: 'A', rank: 2, score: 1300, scoreLower: 1295, scoreUpper: 1305 })];
    const set = summarize(before, after);
    expect(set.summary).toBe('b: new #1 B; 2 rank moves (2 significant); 1 score change');
    expect(set.significantMoves).toBe(2);
  });

  it('counts only announced events, says how many still settle or were dropped, and keeps the snapshot traits', () => {
    const before = board(200);
    const after = rerank(before.filter((_, i) => i % 6 !== 5 || i > 180));
    const events = diff(before, after);
    const traits = snapshotTraits(before, after, events, { before: null, after: null });
    const settling = summarizeChangeSet('b', traits, [], { pending: events.length, suppressed: 0 });
    expect(settling).toMatchObject({ bulkRemoval: true, counts: {}, pending: events.length });
    expect(settling.summary).toBe(`b: ${events.length} changes settling`);
    const exits = events.filter((event) => event.kind === 'exited');
    const announced = summarizeChangeSet('b', traits, exits, { pending: 0, suppressed: events.length - exits.length });
    expect(announced.summary).toBe(`b: 30 removed at once (bulk removal; the rest of the board stayed); ${events.length - 30} changes dropped by the settling window`);
  });
});

// Replays of the real histories (read in place).
const ROOT = fileURLToPath(new URL('../../../shared/leaderboards', import.meta.url));
const present = existsSync(ROOT);
if (!present) console.warn(`captures not found at ${ROOT}: the change-set replays are skipped`);

function replay(board: string, folder: string, suffix: string): { file: string; bulkRemoval: boolean; methodologyChanged: boolean; columnsAdded: string[] }[] {
  const { scraper } = findBoard(board)!;
  const out: { file: string; bulkRemoval: boolean; methodologyChanged: boolean; columnsAdded: string[] }[] = [];
  let previous: ParsedSnapshot | null = null;
  for (const file of readdirSync(join(ROOT, folder)).filter((name) => name.endsWith(suffix)).sort()) {
    const parsed = scraper.parse(readFileSync(join(ROOT, folder, file), 'utf8'), { board, fileName: file });
    if (previous) {
      const set = snapshotTraits(previous.entries, parsed.entries, diff(previous.entries, parsed.entries), { before: previous.columns ?? null, after: parsed.columns ?? null });
      out.push({ file, bulkRemoval: set.bulkRemoval, methodologyChanged: set.methodologyChanged, columnsAdded: set.columnsAdded });
    }
    previous = parsed;
  }
  return out;
}

describe.skipIf(!present)('change sets on the real histories', () => {
  it('LMArena text: the 2025-02-16 deprecation filter is the one bulk removal of the 86 archive files', () => {
    const sets = replay('lmarena-text', 'lmarena/fboulnois-llm-leaderboard-csv/lmsys', '.csv');
    expect(sets).toHaveLength(85);
    expect(sets.filter((set) => set.bulkRemoval).map((set) => set.file)).toEqual(['2025-02-17.csv']);
  });

  it('VoiceBench: every benchmark added to Overall is flagged as a methodology change', () => {
    const flagged = replay('voicebench', 'voicebench/readme', '.md').filter((set) => set.methodologyChanged);
    expect(flagged.map((set) => [set.file.slice(0, 10), set.columnsAdded])).toEqual([
      ['2024-11-15', ['OpenBookQA']],
      ['2024-12-11', ['MMSU']],
      ['2025-04-21', ['BBH']],
      ['2025-04-27', ['WildVoice', 'OBQA']],
    ]);
  });
});
