import type { Direction, Entry } from '../entry.ts';
import type { ChangeEvent, EventOf } from './events.ts';
import { rankSignificancesAt, scoreMove, significanceData } from './significance.ts';

const standing = (entry: Entry): EventOf<'entered'>['new'] => ({
  rank: entry.rank,
  score: entry.score,
  scoreLower: entry.scoreLower,
  scoreUpper: entry.scoreUpper,
  votes: entry.votes,
  organization: entry.organization,
});
const scores = (score: number, entry: Entry): EventOf<'score_changed'>['new'] => ({ score, scoreLower: entry.scoreLower, scoreUpper: entry.scoreUpper });
const prices = (entry: Entry): EventOf<'price_changed'>['new'] => ({ priceInput: entry.priceInput, priceOutput: entry.priceOutput });

function leaders(entries: readonly Entry[]): Entry[] {
  return entries.filter((entry) => entry.rank === 1);
}

/** Percent change of each price (null where either side has no price, or the old one was free). */
function priceChange(old: Entry, entry: Entry): EventOf<'price_changed'>['data'] {
  const percent = (from: number | null, to: number | null) => (from === null || to === null || from === 0 ? null : Math.round(((to - from) / from) * 10_000) / 100);
  return { percentInput: percent(old.priceInput, entry.priceInput), percentOutput: percent(old.priceOutput, entry.priceOutput) };
}

/** The order of kinds in a diff's result: leaders first, exits last. */
const KIND_ORDER: readonly ChangeEvent['kind'][] = [
  'board_first_seen',
  'new_leader',
  'entered',
  'rank_changed',
  'score_changed',
  'price_changed',
  'exited',
];

const rankOf = (event: ChangeEvent) => {
  const rank = (event.new && 'rank' in event.new ? event.new.rank : null) ?? (event.old && 'rank' in event.old ? event.old.rank : null);
  return typeof rank === 'number' ? rank : Number.MAX_SAFE_INTEGER;
};

/** Kinds whose old and new values carry no rank: compareEvents orders them by key alone. */
const UNRANKED_KINDS: ReadonlySet<ChangeEvent['kind']> = new Set(['score_changed', 'price_changed']);

/** Whether entries are in compareEvents' order already: by rank (none last), then by key. */
function inOrder(entries: readonly Entry[]): boolean {
  for (let i = 1; i < entries.length; i++) {
    const a = entries[i - 1]!;
    const b = entries[i]!;
    const ra = a.rank ?? Number.MAX_SAFE_INTEGER;
    const rb = b.rank ?? Number.MAX_SAFE_INTEGER;
    if (ra > rb || (ra === rb && a.model > b.model)) return false;
  }
  return true;
}

/** Events of one kind by the rank they concern, then by key (a stable sort: a sorted board costs one pass). */
function compareEvents(a: ChangeEvent, b: ChangeEvent): number {
  const ma = a.model ?? '';
  const mb = b.model ?? '';
  return rankOf(a) - rankOf(b) || (ma < mb ? -1 : ma > mb ? 1 : 0);
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

  // One hash map: the previous snapshot's position of each key. The new snapshot's models are
  // looked up in it once; a previous model no new one matched is an exit.
  const before = new Map<string, number>();
  for (let i = 0; i < previous.length; i++) before.set(previous[i]!.model, i);
  const matched = new Uint8Array(previous.length);
  const oldOf: (Entry | undefined)[] = new Array(next.length);
  const oldRanks = new Float64Array(next.length);
  for (let i = 0; i < next.length; i++) {
    const index = before.get(next[i]!.model);
    if (index === undefined) continue;
    const old = previous[index]!;
    matched[index] = 1;
    oldOf[i] = old;
    if (old.rank !== null && next[i]!.rank !== null) oldRanks[i] = old.rank;
  }
  const byKind: ChangeEvent[][] = KIND_ORDER.map(() => []);
  const [, leaderEvents, entered, rankChanged, scoreChanged, priceChanged, exited] = byKind as [ChangeEvent[], ChangeEvent[], ChangeEvent[], ChangeEvent[], ChangeEvent[], ChangeEvent[], ChangeEvent[]];
  const previousLeaders = leaders(previous).map((entry) => entry.model);
  let nextLeaders: Entry[] | undefined;
  const significances = rankSignificancesAt(oldRanks, next, direction);
  const rankVerdict = (i: number) => significanceData(significances[i] ?? { significant: null, margin: null, passed: [] });

  for (let i = 0; i < next.length; i++) {
    const entry = next[i]!;
    const old = oldOf[i];
    if (!old) {
      if (!formatSwitch?.listedBefore.has(entry.model)) {
        entered.push({ kind: 'entered', model: entry.model, name: entry.name, old: null, new: standing(entry) });
      }
    } else if (!formatSwitch) {
      if (old.rank !== entry.rank && old.rank !== null && entry.rank !== null) {
        rankChanged.push({
          kind: 'rank_changed',
          model: entry.model,
          name: entry.name,
          old: { rank: old.rank },
          new: { rank: entry.rank },
          data: significances[i] ?? { delta: old.rank - entry.rank, significant: null, margin: null, passed: [] },
        });
      }
      if (old.score !== entry.score && old.score !== null && entry.score !== null) {
        scoreChanged.push({
          kind: 'score_changed',
          model: entry.model,
          name: entry.name,
          old: scores(old.score, old),
          new: scores(entry.score, entry),
          data: scoreMove(old, entry),
        });
      }
      const priceMoved = old.priceInput !== entry.priceInput || old.priceOutput !== entry.priceOutput;
      const hadPrice = old.priceInput !== null || old.priceOutput !== null;
      // A model's first price is not a change; a price that disappears is.
      if (priceMoved && hadPrice) {
        priceChanged.push({ kind: 'price_changed', model: entry.model, name: entry.name, old: prices(old), new: prices(entry), data: priceChange(old, entry) });
      }
    }
    if (entry.rank === 1 && old?.rank !== 1) {
      leaderEvents.push({
        kind: 'new_leader',
        model: entry.model,
        name: entry.name,
        old: { rank: old?.rank ?? null },
        new: { rank: 1, score: entry.score },
        data: {
          ...rankVerdict(i),
          previousLeaders,
          sharedWith: (nextLeaders ??= leaders(next)).filter((other) => other.model !== entry.model).map((other) => other.model),
          // Keys identify, names read: a board key may be a canonical id (`gpt-4o-2024-05-13`).
          sharedWithNames: nextLeaders.filter((other) => other.model !== entry.model).map((other) => other.name),
        },
      });
    }
  }
  for (let i = 0; i < previous.length; i++) {
    const old = previous[i]!;
    // A key listed twice is matched through its last position.
    const gone = before.size === previous.length ? matched[i] === 0 : matched[before.get(old.model)!] === 0;
    if (gone && (!formatSwitch || formatSwitch.listedByNewFormat.has(old.model))) {
      exited.push({ kind: 'exited', model: old.model, name: old.name, old: standing(old), new: null });
    }
  }
  // Events came out in the order of their snapshot: when that is already by rank and key (as
  // boards publish), the kinds ordered by rank need no sort; score and price moves go by key.
  const nextInOrder = inOrder(next);
  const previousInOrder = inOrder(previous);
  return byKind.flatMap((events, kind) => {
    const presorted = KIND_ORDER[kind] === 'exited' ? previousInOrder : nextInOrder && !UNRANKED_KINDS.has(KIND_ORDER[kind]!);
    return presorted ? events : events.sort(compareEvents);
  });
}
