import { ENTRY_FIELDS, type Direction, type Entry, type StoredEntry } from '../entry.ts';
import { keyOverlap } from './board-keys.ts';
import type { HealthThresholds } from '../../scrapers/scraper.ts';

/** The thresholds every board gets unless its scraper says otherwise. */
export const DEFAULT_HEALTH: Required<HealthThresholds> = {
  minEntries: 1,
  maxDropFraction: 0.4,
  ranksFollowScores: false,
  minKeyOverlap: 0.5,
};

/** The key check judges captures whose row count is within this factor of the last good one (else the size checks speak). */
export const KEY_CHECK_ROW_FACTOR = 2;

/** Below this many entries in the last good snapshot, a drop in row count is not judged (tiny boards move a lot). */
export const DROP_CHECK_MIN_ROWS = 10;
/** A field filled in at least this share of the last good snapshot's rows counts as a column the board has. */
export const COLUMN_PRESENT_SHARE = 0.8;

/** What the checks know of a board. */
export interface BoardHealth {
  direction: Direction;
  thresholds?: HealthThresholds | undefined;
}

/** The last good snapshot a new one is held against. */
export interface LastGood {
  entries: readonly Entry[];
  /** The parser's format name: columns are only compared within one format (a new era may carry fewer). */
  format: string | null;
}

const filled = (entries: readonly Entry[], field: (typeof ENTRY_FIELDS)[number]) => entries.filter((entry) => entry[field] !== null).length;

/**
 * Sanity checks of a parsed snapshot against the last good one. Returns one sentence per failed
 * check; an empty list means the snapshot may be diffed. Pure.
 */
export function checkHealth(next: readonly StoredEntry[], format: string | null, lastGood: LastGood | null, board: BoardHealth): string[] {
  const limits = { ...DEFAULT_HEALTH, ...board.thresholds };
  const reasons: string[] = [];

  if (next.length < limits.minEntries) {
    reasons.push(`only ${next.length} ${next.length === 1 ? 'entry' : 'entries'}; a real snapshot of this board has at least ${limits.minEntries}`);
  }
  const previous = lastGood?.entries ?? [];
  if (previous.length >= DROP_CHECK_MIN_ROWS && next.length < previous.length * (1 - limits.maxDropFraction)) {
    const gone = Math.round((1 - next.length / previous.length) * 100);
    reasons.push(
      `row count collapsed from ${previous.length} to ${next.length} (${gone}% gone; at most ${Math.round(limits.maxDropFraction * 100)}% may vanish at once)`,
    );
  }

  // Keys as the capture published them: two rows under one published key are a broken capture, whatever board keys they got.
  const counts = new Map<string, number>();
  for (const entry of next) {
    const key = entry.sourceKey ?? entry.model;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const duplicates = [...counts].filter(([, count]) => count > 1);
  if (duplicates.length > 0) {
    reasons.push(`duplicate model keys: ${duplicates.slice(0, 5).map(([model, count]) => `${JSON.stringify(model)} ×${count}`).join(', ')}${duplicates.length > 5 ? ` and ${duplicates.length - 5} more` : ''}`);
  }

  // A similar number of rows under mostly other keys: the source (or a format switch) renamed its
  // keys; diffing would announce every model as gone and every model as new.
  if (
    previous.length >= DROP_CHECK_MIN_ROWS &&
    next.length * KEY_CHECK_ROW_FACTOR >= previous.length &&
    next.length <= previous.length * KEY_CHECK_ROW_FACTOR
  ) {
    const overlap = keyOverlap(previous, next);
    if (overlap < limits.minKeyOverlap) {
      const kept = Math.round(overlap * previous.length);
      reasons.push(
        `model keys changed (format or naming change?): only ${kept} of the ${previous.length} models of the last good snapshot are listed under the same key (at least ${Math.round(limits.minKeyOverlap * 100)}% must be)`,
      );
    }
  }

  const VALUES = ['score', 'rank', 'priceInput', 'priceOutput'] as const;
  if (next.length > 0 && VALUES.every((field) => filled(next, field) === 0)) {
    reasons.push('no row has a score, a rank or a price');
  } else if (next.length > 0 && filled(next, 'score') === 0 && filled(previous, 'score') > 0) {
    reasons.push(`every score is empty (the last good snapshot had ${filled(previous, 'score')} scores)`);
  }

  if (lastGood && previous.length > 0 && lastGood.format === format) {
    const missing = ENTRY_FIELDS.filter(
      (field) => field !== 'score' && filled(previous, field) >= previous.length * COLUMN_PRESENT_SHARE && next.length > 0 && filled(next, field) === 0,
    );
    if (missing.length > 0) reasons.push(`column${missing.length > 1 ? 's' : ''} missing: ${missing.join(', ')} (present in the last good snapshot, empty in every row now)`);
  }

  if (limits.ranksFollowScores) {
    const better = (a: number, b: number) => (board.direction === 'higher' ? a > b : a < b);
    const ranked = next.filter((entry) => entry.rank !== null && entry.score !== null).sort((a, b) => a.rank! - b.rank!);
    const inversions: string[] = [];
    for (let i = 1; i < ranked.length; i++) {
      const above = ranked[i - 1]!;
      const below = ranked[i]!;
      if (below.rank! > above.rank! && better(below.score!, above.score!)) {
        inversions.push(`#${above.rank} ${above.model} (${above.score}) above #${below.rank} ${below.model} (${below.score})`);
      }
    }
    if (inversions.length > 0) {
      reasons.push(`ranks contradict scores: ${inversions.slice(0, 3).join('; ')}${inversions.length > 3 ? ` and ${inversions.length - 3} more` : ''}`);
    }
  }
  return reasons;
}
