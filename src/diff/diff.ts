import type { Direction, Entry } from '../entry.ts';
import type { ChangeEvent, EventOf } from './events.ts';
import { rankSignificances, scoreSignificance, significanceData } from './significance.ts';

/** A few values of an entry, for the old/new side of an event. */
function pick<K extends keyof Entry>(entry: Entry, keys: readonly K[]): Pick<Entry, K> {
  return Object.fromEntries(keys.map((key) => [key, entry[key]])) as Pick<Entry, K>;
}

const STANDING = ['rank', 'score', 'scoreLower', 'scoreUpper', 'votes', 'organization'] as const;
const PRICE = ['priceInput', 'priceOutput'] as const;

function leaders(entries: readonly Entry[]): Entry[] {
  return entries.filter((entry) => entry.rank === 1);
}

function byKey(entries: readonly Entry[]): Map<string, Entry> {
  const map = new Map<string, Entry>();
  for (const entry of entries) map.set(entry.model, entry);
  return map;
}

/** Percent change of each price (null where either side has no price, or the old one was free). */
function priceChange(old: Entry, entry: Entry): EventOf<'price_changed'>['data'] {
  const percent = (from: number | null, to: number | null) => (from === null || to === null || from === 0 ? null : Math.round(((to - from) / from) * 10_000) / 100);
  return { percentInput: percent(old.priceInput, entry.priceInput), percentOutput: percent(old.priceOutput, entry.priceOutput) };
}

const KIND_ORDER: readonly ChangeEvent['kind'][] = [
  'board_first_seen',
  'new_leader',
  'entered',
  'rank_changed',
  'score_changed',
  'price_changed',
  'exited',
];

/** Events grouped by kind (leaders first, exits last), then by the rank they concern, then by key. */
function compareEvents(a: ChangeEvent, b: ChangeEvent): number {
  const rankOf = (event: ChangeEvent) => {
    const rank = (event.new && 'rank' in event.new ? event.new.rank : null) ?? (event.old && 'rank' in event.old ? event.old.rank : null);
    return typeof rank === 'number' ? rank : Number.MAX_SAFE_INTEGER;
  };
  const ma = a.model ?? '';
  const mb = b.model ?? '';
  return KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || rankOf(a) - rankOf(b) || (ma < mb ? -1 : ma > mb ? 1 : 0);
}

/**
 * What the diff is told when a capture came in another format than the snapshot before it (the
 * CSV archive, then the live JSON): formats list different models (the arena-catalog export kept
 * deprecated models the page hid), publish scores to different precision and rank differently.
 */
export interface FormatSwitch {
  /** Models the board listed at some time before this capture: one coming back with the new format is not an entry. */
  listedBefore: ReadonlySet<string>;
  /**
   * Of the models only the previous snapshot lists, those the new format's own latest earlier capture
   * listed: only their absence now is an exit (a format never seen before proves nothing).
   */
  listedByNewFormat: ReadonlySet<string>;
}

/**
 * The changes between two snapshots of one board. Pure: no clock, no I/O.
 *
 * A first snapshot (empty `previous`) yields one `board_first_seen` event rather than an
 * `entered` event per model. Models are matched on their stable key, so a display name
 * rewritten under the same key is not an exit plus an entry. Rank, score and leader moves carry
 * their significance (see significance.ts) judged in the board's `direction`.
 *
 * Across a format switch (`formatSwitch`) two formats are compared, not two states of one table:
 * they rank differently (over other sets of models), publish scores to other precision, and list
 * other models. Only what survives that is announced: the leaders (compared as always), an entry
 * of a model the board never listed, an exit of a model the new format itself listed last time. Rank,
 * score and price moves across the switch are not announced; the next capture in the new format
 * is diffed as usual.
 */
export function diff(previous: readonly Entry[], next: readonly Entry[], direction: Direction = 'higher', formatSwitch: FormatSwitch | null = null): ChangeEvent[] {
  if (previous.length === 0) {
    if (next.length === 0) return [];
    return [
      {
        kind: 'board_first_seen',
        model: null,
        name: null,
        old: null,
        new: { entries: next.length, leaders: leaders(next).map((entry) => entry.model), leaderNames: leaders(next).map((entry) => entry.name) },
      },
    ];
  }

  const before = byKey(previous);
  const after = byKey(next);
  const events: ChangeEvent[] = [];
  const previousLeaders = leaders(previous).map((entry) => entry.model);
  const significance = rankSignificances(before, next, direction);
  const rankVerdict = (model: string) => significanceData(significance.get(model) ?? { significant: null, margin: null, passed: [] });

  for (const entry of next) {
    const old = before.get(entry.model);
    if (!old) {
      if (!formatSwitch?.listedBefore.has(entry.model)) {
        events.push({ kind: 'entered', model: entry.model, name: entry.name, old: null, new: pick(entry, STANDING) });
      }
    } else if (!formatSwitch) {
      if (old.rank !== entry.rank && old.rank !== null && entry.rank !== null) {
        events.push({
          kind: 'rank_changed',
          model: entry.model,
          name: entry.name,
          old: { rank: old.rank },
          new: { rank: entry.rank },
          data: { delta: old.rank - entry.rank, ...rankVerdict(entry.model) },
        });
      }
      if (old.score !== entry.score && old.score !== null && entry.score !== null) {
        events.push({
          kind: 'score_changed',
          model: entry.model,
          name: entry.name,
          old: { score: old.score, scoreLower: old.scoreLower, scoreUpper: old.scoreUpper },
          new: { score: entry.score, scoreLower: entry.scoreLower, scoreUpper: entry.scoreUpper },
          data: { delta: entry.score - old.score, ...significanceData(scoreSignificance(old, entry)) },
        });
      }
      const priceMoved = PRICE.some((key) => old[key] !== entry[key]);
      const hadPrice = PRICE.some((key) => old[key] !== null);
      // A model's first price is not a change; a price that disappears is.
      if (priceMoved && hadPrice) {
        events.push({ kind: 'price_changed', model: entry.model, name: entry.name, old: pick(old, PRICE), new: pick(entry, PRICE), data: priceChange(old, entry) });
      }
    }
    if (entry.rank === 1 && old?.rank !== 1) {
      events.push({
        kind: 'new_leader',
        model: entry.model,
        name: entry.name,
        old: { rank: old?.rank ?? null },
        new: { rank: 1, score: entry.score },
        data: {
          ...rankVerdict(entry.model),
          previousLeaders,
          sharedWith: leaders(next)
            .filter((other) => other.model !== entry.model)
            .map((other) => other.model),
          // Keys identify, names read: a board key may be a canonical id (`gpt-4o-2024-05-13`).
          sharedWithNames: leaders(next)
            .filter((other) => other.model !== entry.model)
            .map((other) => other.name),
        },
      });
    }
  }
  for (const old of previous) {
    if (!after.has(old.model) && (!formatSwitch || formatSwitch.listedByNewFormat.has(old.model))) {
      events.push({ kind: 'exited', model: old.model, name: old.name, old: pick(old, STANDING), new: null });
    }
  }
  return events.sort(compareEvents);
}
