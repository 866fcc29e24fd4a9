import type { Entry } from '../entry.ts';
import { gapEvent, type GapSide } from './aggregates.ts';
import type { ChangeEvent, EventKind } from './events.ts';

/**
 * Debounce: how long a change must last before it is announced. Pure: no clock, no I/O.
 *
 * - `{ scrapes: n }` (ranking boards, default 2): a change is held until n observations of the
 *   board have shown it (the one that found it and n − 1 after). If within them the value goes back
 *   to what was last announced, the change and the move back are dropped as a flip-flop. Otherwise
 *   each change is announced as found. `{ scrapes: 1 }` announces at once.
 * - `{ hours: h }` (price boards, default 6): a new value must hold: seen again by a later
 *   observation at least h hours after it appeared. A value that changes again first is never
 *   announced; when one finally holds, one event goes from the last announced value to it (the
 *   values passed through on the way are dropped as superseded). A return to the announced value
 *   drops everything held.
 */
export type SettleWindow = { scrapes: number } | { hours: number };

export const DEFAULT_SETTLE: SettleWindow = { scrapes: 2 };
export const DEFAULT_PRICE_SETTLE: SettleWindow = { hours: 6 };

/** Event kinds announced at once: about the board or the scrape, not values that may flip back. */
export const IMMEDIATE_KINDS: readonly EventKind[] = ['board_first_seen', 'scrape_failed', 'scrape_recovered', 'snapshot_quarantined'];

/**
 * What happened to a change found by the diff engine. `retracted`: it was announced, then a capture
 * inserted before it (a backfill) derived a history without it; it stays so its links resolve.
 */
export const EVENT_STATUSES = ['published', 'pending', 'reverted', 'superseded', 'retracted'] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

/** `2` (scrapes) or `6h` (hours); `1` or `0` announces at once. Null when the text is neither. */
export function parseSettleWindow(text: string): SettleWindow | null {
  const value = text.trim().toLowerCase();
  const hours = /^(\d+(?:\.\d+)?)\s*h(?:ours?)?$/.exec(value);
  if (hours) return Number(hours[1]) > 0 ? { hours: Number(hours[1]) } : { scrapes: 1 };
  const scrapes = /^(\d+)(?:\s*scrapes?)?$/.exec(value);
  if (scrapes) return { scrapes: Math.max(1, Number(scrapes[1])) };
  return null;
}

/** `2 scrapes`, `6 hours`, `none` (announced at once). */
export function describeSettleWindow(window: SettleWindow): string {
  if ('hours' in window) return `${window.hours} hour${window.hours === 1 ? '' : 's'}`;
  return window.scrapes <= 1 ? 'none' : `${window.scrapes} scrapes`;
}

/** A change waiting for its settling window, as stored. */
export type HeldEvent = ChangeEvent & {
  id: number;
  capturedAt: Date;
};

/** What the board looks like at the observation that may settle held changes. */
export interface Observation {
  at: Date;
  entries: readonly Entry[];
  /** The US–China gap now (gap_changed is judged against it), or null. */
  gap: GapSide | null;
  /** Capture times of the board's observations (snapshots and unchanged captures) up to `at`, in any order. */
  times: readonly Date[];
  /**
   * The format of what the board showed at a time (the format of the snapshot in force then; null:
   * unknown). Absent: formats are not compared.
   */
  formatAt?: (time: Date) => string | null;
}

/** Observations in the new format after which a change found in an older format is announced as found. */
export const FOREIGN_FORMAT_OBSERVATIONS = 2;

export interface SettleVerdict {
  /** Changes to announce now; a rebased one carries its new `old` and `data`. */
  publish: HeldEvent[];
  drop: { event: HeldEvent; status: 'reverted' | 'superseded' }[];
}

/** Which value a change is about: changes of one aspect form one chain. */
export function aspectOf(event: ChangeEvent): string {
  switch (event.kind) {
    case 'entered':
    case 'exited':
      return `presence|${event.model}`;
    case 'rank_changed':
      return `rank|${event.model}`;
    case 'score_changed':
      return `score|${event.model}`;
    case 'price_changed':
      return `price|${event.model}`;
    case 'new_leader':
      return 'leader';
    case 'gap_changed':
      return 'gap';
    default:
      return `${event.kind}|${event.model ?? '*'}`;
  }
}

const sameSet = (a: readonly unknown[], b: readonly unknown[]) => a.length === b.length && a.every((item) => b.includes(item));

/** True when the board is back where it was before `start`, the first held change of a chain. */
export function isReverted(start: HeldEvent, observation: Observation, byModel: ReadonlyMap<string, Entry>): boolean {
  const entry = start.model === null ? undefined : byModel.get(start.model);
  switch (start.kind) {
    case 'entered':
      return entry === undefined;
    case 'exited':
      return entry !== undefined;
    case 'rank_changed':
      return entry !== undefined && entry.rank === start.old.rank;
    case 'score_changed':
      return entry !== undefined && entry.score === start.old.score;
    case 'price_changed':
      return entry !== undefined && entry.priceInput === start.old.priceInput && entry.priceOutput === start.old.priceOutput;
    case 'new_leader': {
      const leaders = observation.entries.filter((candidate) => candidate.rank === 1).map((candidate) => candidate.model);
      return sameSet(leaders, start.data.previousLeaders);
    }
    case 'gap_changed': {
      if (!observation.gap) return false;
      const [a = 'US', b = 'CN'] = start.data.countries;
      return gapEvent(start.old, observation.gap, a, b, start.data.thresholdPercent) === null;
    }
    default:
      return false;
  }
}

const percent = (from: number | null, to: number | null) => (from !== null && to !== null && from !== 0 ? Math.round(((to - from) / from) * 10_000) / 100 : null);

/**
 * One event from the first change's `old` to the last change's `new`: the move a held value made in
 * all, `data.since` saying when it began. (A chain whose ends differ in kind, an entry and an exit,
 * keeps the last change's own `old`.)
 */
export function rebase(start: HeldEvent, last: HeldEvent): HeldEvent {
  if (start === last) return last;
  const since = start.capturedAt.toISOString();
  switch (last.kind) {
    case 'price_changed': {
      const old = start.kind === 'price_changed' ? start.old : last.old;
      return { ...last, old, data: { ...last.data, since, percentInput: percent(old.priceInput, last.new.priceInput), percentOutput: percent(old.priceOutput, last.new.priceOutput) } };
    }
    case 'rank_changed': {
      const old = start.kind === 'rank_changed' ? start.old : last.old;
      return { ...last, old, data: { ...last.data, since, delta: old.rank - last.new.rank } };
    }
    case 'score_changed': {
      const old = start.kind === 'score_changed' ? start.old : last.old;
      return { ...last, old, data: { ...last.data, since, delta: last.new.score - old.score } };
    }
    case 'new_leader': {
      const old = start.kind === 'new_leader' ? start.old : last.old;
      return { ...last, old, data: { ...last.data, since, previousLeaders: start.kind === 'new_leader' ? start.data.previousLeaders : [] } };
    }
    case 'gap_changed': {
      if (start.kind !== 'gap_changed') return { ...last, data: { ...last.data, since } };
      const [a = 'US', b = 'CN'] = start.data.countries;
      const moved = gapEvent(start.old, last.new, a, b, start.data.thresholdPercent);
      return { ...last, old: start.old, data: { ...last.data, since, ...moved?.data } };
    }
    case 'entered':
      return { ...last, old: start.kind === 'entered' ? start.old : last.old, data: { ...last.data, since } };
    case 'exited':
      return { ...last, old: start.kind === 'exited' ? start.old : last.old, data: { ...last.data, since } };
    default:
      // Announced at once (IMMEDIATE_KINDS): never held, never rebased.
      return last;
  }
}

/**
 * Decides, at one observation of a board, which held changes are announced, which are dropped
 * and which wait longer. `held` are the board's changes still pending, including those the
 * observation itself found.
 */
export function settle(held: readonly HeldEvent[], observation: Observation, window: SettleWindow): SettleVerdict {
  const verdict: SettleVerdict = { publish: [], drop: [] };
  const byModel = new Map(observation.entries.map((entry) => [entry.model, entry]));
  const now = observation.at.getTime();
  const times = [...new Set(observation.times.map((time) => time.getTime()).filter((time) => time <= now)), ...(observation.times.some((time) => time.getTime() === now) ? [] : [now])];
  /** Observations after `time`, up to and including this one. */
  const seenAfter = (time: Date) => times.filter((other) => other > time.getTime()).length;

  const chains = new Map<string, HeldEvent[]>();
  for (const event of held) {
    if (IMMEDIATE_KINDS.includes(event.kind)) continue;
    const aspect = aspectOf(event);
    chains.set(aspect, [...(chains.get(aspect) ?? []), event]);
  }
  for (const chain of chains.values()) chain.sort((a, b) => a.capturedAt.getTime() - b.capturedAt.getTime() || a.id - b.id);

  const formatAt = observation.formatAt ?? (() => null);
  const here = formatAt(observation.at);
  const foreign = (event: HeldEvent): boolean => {
    const found = formatAt(event.capturedAt);
    return here !== null && found !== null && found !== here;
  };
  const decide = (chain: HeldEvent[]): 'reverted' | 'published' | 'waiting' => {
    const start = chain[0]!;
    // Another format ranks, rounds and lists models differently: its values cannot tell a flip-flop
    // from a format difference. Changes found in another format wait for an observation in their own;
    // once the board has been seen twice in this one since, it moved to this format for good and they
    // are announced as found. The rest of the chain is then judged as usual.
    let foreignPart = 0;
    while (foreignPart < chain.length && foreign(chain[foreignPart]!)) foreignPart++;
    if (foreignPart > 0) {
      const inNewFormat = times.filter((time) => time > start.capturedAt.getTime() && formatAt(new Date(time)) === here).length;
      if (inNewFormat < FOREIGN_FORMAT_OBSERVATIONS) return 'waiting';
      const found = chain.slice(0, foreignPart);
      if ('scrapes' in window) {
        verdict.publish.push(...found);
      } else {
        verdict.publish.push(rebase(start, found[found.length - 1]!));
        for (const event of found.slice(0, -1)) verdict.drop.push({ event, status: 'superseded' });
      }
      return foreignPart === chain.length ? 'published' : decide(chain.slice(foreignPart));
    }
    const last = chain[chain.length - 1]!;
    if (isReverted(start, observation, byModel)) {
      for (const event of chain) verdict.drop.push({ event, status: 'reverted' });
      return 'reverted';
    }
    if ('scrapes' in window) {
      let published = 0;
      for (const event of chain) {
        if (seenAfter(event.capturedAt) + 1 < window.scrapes) break;
        verdict.publish.push(event);
        published += 1;
      }
      return published === chain.length ? 'published' : 'waiting';
    }
    if (seenAfter(last.capturedAt) >= 1 && now - last.capturedAt.getTime() >= window.hours * 3_600_000) {
      verdict.publish.push(rebase(start, last));
      for (const event of chain) if (event !== last) verdict.drop.push({ event, status: 'superseded' });
      return 'published';
    }
    return 'waiting';
  };

  // A model's entry and exit are settled first: the other changes of a model whose entry is not
  // announced wait for it (and go with it when it is dropped); those of a model whose exit is
  // announced are moot.
  const presence = new Map<string, { kind: EventKind; outcome: ReturnType<typeof decide> }>();
  for (const [aspect, chain] of chains) {
    if (!aspect.startsWith('presence|')) continue;
    const start = chain[0]!;
    presence.set(start.model ?? '', { kind: start.kind, outcome: decide(chain) });
  }
  for (const [aspect, chain] of chains) {
    if (aspect.startsWith('presence|')) continue;
    const model = chain[0]!.model;
    const state = model === null ? undefined : presence.get(model);
    if (state?.kind === 'entered' && state.outcome === 'reverted') {
      for (const event of chain) verdict.drop.push({ event, status: 'reverted' });
    } else if (state?.kind === 'entered' && state.outcome === 'waiting') {
      continue;
    } else if (state?.kind === 'exited' && state.outcome === 'published') {
      for (const event of chain) verdict.drop.push({ event, status: 'superseded' });
    } else {
      decide(chain);
    }
  }
  return verdict;
}
