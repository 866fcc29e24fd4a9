import type { Entry } from '../entry.ts';
import { plural } from './describe.ts';
import type { ChangeEvent, EventKind, GapSide } from './events.ts';

/** A bulk removal: at least this many models vanish at once… */
export const BULK_REMOVAL_MIN = 5;
/** …and at least this share of the board… */
export const BULK_REMOVAL_SHARE = 0.1;
/** …while fewer than this share of that number enter (a removal, not a turnover). */
export const BULK_REMOVAL_MAX_ENTERED = 0.5;
/** A methodology change: the score's columns changed and at least this share of the scores moved. */
export const METHODOLOGY_SCORES_MOVED = 0.5;

/** What a snapshot is, against the one before it, whatever its changes' fate. */
export interface SnapshotTraits {
  /** Many models vanished at once while the rest of the board stayed (a display filter, a clean-up). */
  bulkRemoval: boolean;
  /** The source changed what its score is made of and recomputed it: moves are not real moves. */
  methodologyChanged: boolean;
  /** Column names added and removed, when the methodology changed. */
  columnsAdded: string[];
  columnsRemoved: string[];
  /** Models on the board after the snapshot, and the leaders when it is the board's first. */
  rows: number;
  firstLeaders: string[] | null;
  /** Scores that moved among the models present on both sides. */
  scoresMoved: number;
  scoresCompared: number;
  /** The US–China gap on this snapshot (null: unknown), the baseline gap_changed is measured from. */
  gap: GapSide | null;
  /**
   * The capture came in another format than the snapshot before it, and how many models only one
   * of the two lists without that being an entry or an exit (absent on change sets stored before).
   */
  formatChanged?: FormatChange | null;
}

/** A switch of format between two snapshots, with the models only one side lists that were not announced. */
export interface FormatChange {
  from: string | null;
  to: string | null;
  /** Models only the new format lists that the board had listed before: not announced as entries. */
  onlyAfter: number;
  /** Models only the old format listed that the new format did not list last time either (or was never seen): not announced as exits. */
  onlyBefore: number;
}

/** All events of one snapshot of one board, with what they add up to. */
export interface ChangeSet extends SnapshotTraits {
  /** One line for alerts and feeds. */
  summary: string;
  /** Announced events by kind. */
  counts: Partial<Record<EventKind, number>>;
  /** How many announced rank moves are significant given the published intervals. */
  significantMoves: number;
  /** Changes of this snapshot still inside their settling window. */
  pending: number;
  /** Changes dropped because they reverted within the window (flip-flops) or were superseded by a later value. */
  suppressed: number;
}

/**
 * What a snapshot is against the one before it: a bulk removal, a methodology change. Pure.
 * `rawEvents` are every change the diff engine found, before any settling; `columns` are the
 * score's components as the parser listed them before and after (null: the format does not say).
 */
export function snapshotTraits(
  previous: readonly Entry[],
  next: readonly Entry[],
  rawEvents: readonly ChangeEvent[],
  columns: { before: readonly string[] | null; after: readonly string[] | null },
  gap: GapSide | null = null,
  formats: { from: string | null; to: string | null } | null = null,
): SnapshotTraits {
  const exited = rawEvents.filter((event) => event.kind === 'exited').length;
  const entered = rawEvents.filter((event) => event.kind === 'entered').length;
  const bulkRemoval =
    exited >= BULK_REMOVAL_MIN && exited >= previous.length * BULK_REMOVAL_SHARE && entered < exited * BULK_REMOVAL_MAX_ENTERED;

  // Two formats list different columns: only columns of one format say something about its method.
  const compareColumns = columns.before !== null && columns.after !== null && !formats;
  const before = new Set(columns.before ?? []);
  const after = new Set(columns.after ?? []);
  const columnsAdded = compareColumns ? [...after].filter((column) => !before.has(column)) : [];
  const columnsRemoved = compareColumns ? [...before].filter((column) => !after.has(column)) : [];
  const previousScores = new Map(previous.map((entry) => [entry.model, entry.score]));
  const continuing = next.filter((entry) => entry.score !== null && previousScores.get(entry.model) != null);
  const moved = continuing.filter((entry) => previousScores.get(entry.model) !== entry.score).length;
  const methodologyChanged = columnsAdded.length + columnsRemoved.length > 0 && continuing.length > 0 && moved >= continuing.length * METHODOLOGY_SCORES_MOVED;
  const first = rawEvents.find((event) => event.kind === 'board_first_seen');
  let formatChanged: FormatChange | null = null;
  if (formats && previous.length > 0) {
    const keysBefore = new Set(previous.map((entry) => entry.model));
    const keysAfter = new Set(next.map((entry) => entry.model));
    formatChanged = {
      ...formats,
      onlyAfter: next.filter((entry) => !keysBefore.has(entry.model)).length - entered,
      onlyBefore: previous.filter((entry) => !keysAfter.has(entry.model)).length - exited,
    };
  }
  return {
    formatChanged,
    bulkRemoval,
    methodologyChanged,
    columnsAdded,
    columnsRemoved,
    rows: next.length,
    firstLeaders: first ? (Array.isArray(first.new?.leaderNames) ? first.new.leaderNames : Array.isArray(first.new?.leaders) ? first.new.leaders : []) : null,
    scoresMoved: moved,
    scoresCompared: continuing.length,
    gap,
  };
}

/**
 * Sums up the announced events of one snapshot, with its traits, in one line. Pure. `held` counts
 * the snapshot's changes still settling and those dropped by the settling window.
 */
export function summarizeChangeSet(
  board: string,
  traits: SnapshotTraits,
  events: readonly ChangeEvent[],
  held: { pending: number; suppressed: number } = { pending: 0, suppressed: 0 },
): ChangeSet {
  const counts: Partial<Record<EventKind, number>> = {};
  for (const event of events) counts[event.kind] = (counts[event.kind] ?? 0) + 1;
  const exited = counts.exited ?? 0;
  const entered = counts.entered ?? 0;
  const significantMoves = events.filter((event) => event.kind === 'rank_changed' && event.data?.significant === true).length;

  const parts: string[] = [];
  if (traits.firstLeaders) {
    parts.push(`first seen with ${plural(traits.rows, 'model')}${traits.firstLeaders.length ? `, #1 ${traits.firstLeaders.join(' and ')}` : ''}`);
  }
  if (traits.formatChanged) {
    const { from, to, onlyAfter, onlyBefore } = traits.formatChanged;
    const listing = [onlyAfter ? `${plural(onlyAfter, 'model')} listed again` : '', onlyBefore ? `${plural(onlyBefore, 'model')} the new format does not list` : '']
      .filter(Boolean)
      .join(', ');
    parts.push(
      `format changed from ${from ?? 'unknown'} to ${to ?? 'unknown'}: moves across it are not announced${listing ? ` (${listing}: not entries or exits)` : ''}`,
    );
  }
  if (traits.methodologyChanged) {
    const change = [traits.columnsAdded.length ? `added ${traits.columnsAdded.join(', ')}` : '', traits.columnsRemoved.length ? `removed ${traits.columnsRemoved.join(', ')}` : '']
      .filter(Boolean)
      .join('; ');
    parts.push(`methodology changed (${change}): ${traits.scoresMoved} of ${traits.scoresCompared} scores recomputed, rank moves reflect the new method`);
  }
  const leaders = events.filter((event) => event.kind === 'new_leader').map((event) => event.name ?? event.model);
  if (leaders.length) parts.push(`new #1 ${leaders.join(' and ')}`);
  if (entered) parts.push(`${entered} entered`);
  if (traits.bulkRemoval && exited) parts.push(`${exited} removed at once (bulk removal; the rest of the board stayed)`);
  else if (exited) parts.push(`${exited} exited`);
  const rankMoves = counts.rank_changed ?? 0;
  if (rankMoves) parts.push(`${plural(rankMoves, 'rank move')}${significantMoves ? ` (${significantMoves} significant)` : ''}`);
  if (counts.score_changed) parts.push(`${plural(counts.score_changed, 'score change')}`);
  if (counts.price_changed) parts.push(`${plural(counts.price_changed, 'price change')}`);
  if (counts.gap_changed) parts.push('US–China gap moved');
  if (held.pending) parts.push(`${plural(held.pending, 'change')} settling`);
  if (held.suppressed) parts.push(`${plural(held.suppressed, 'change')} dropped by the settling window`);
  const summary = `${board}: ${parts.length ? parts.join('; ') : 'no ranked changes'}`;
  return { ...traits, summary, counts, significantMoves, pending: held.pending, suppressed: held.suppressed };
}
