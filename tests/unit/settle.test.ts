import { describe, expect, it } from 'vitest';
import { diff } from '../../src/diff/diff.ts';
import { describeSettleWindow, parseSettleWindow, settle, type HeldEvent, type SettleWindow } from '../../src/diff/settle.ts';
import { makeEntry, type Entry } from '../../src/entry.ts';

const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 11, 23);

/** A price board: one entry per `model=input/output`. */
const prices = (spec: string): Entry[] =>
  spec
    .split(' ')
    .filter(Boolean)
    .map((item) => {
      const [model, price] = item.split('=') as [string, string];
      const [input, output] = price.split('/').map(Number) as [number, number];
      return makeEntry({ model, name: model, priceInput: input, priceOutput: output });
    });

/** A ranked board: models best first, ranks 1.. (no scores: only rank moves and leaders). */
const ranked = (models: string): Entry[] => models.split(' ').map((model, i) => makeEntry({ model, name: model, rank: i + 1 }));

/**
 * Runs observations (hours after T0, board) through the diff engine and the settling window, as
 * the store does: each change found is held, every observation settles what it can. Returns what
 * was announced and dropped, as `hour:kind:model:old>new`, and what is still held at the end.
 */
function run(window: SettleWindow, observations: [number, Entry[]][]) {
  let held: HeldEvent[] = [];
  let previous: Entry[] | null = null;
  let id = 0;
  const times: Date[] = [];
  const announced: string[] = [];
  const dropped: string[] = [];
  const show = (event: HeldEvent, hour: number) => {
    const value = (values: HeldEvent['old']) =>
      values === null ? '-' : 'priceInput' in values ? `${values.priceInput}/${values.priceOutput}` : 'rank' in values ? String(values.rank) : '';
    const from = (event.capturedAt.getTime() - T0) / HOUR;
    return `${from}@${hour}:${event.kind}:${event.model ?? '*'}${event.kind === 'price_changed' || event.kind === 'rank_changed' ? `:${value(event.old)}>${value(event.new)}` : ''}`;
  };
  for (const [hour, entries] of observations) {
    const at = new Date(T0 + hour * HOUR);
    times.push(at);
    if (previous) {
      for (const event of diff(previous, entries)) held.push({ ...event, id: ++id, capturedAt: at });
    }
    previous = entries;
    const verdict = settle(held, { at, entries, gap: null, times }, window);
    announced.push(...verdict.publish.map((event) => show(event, hour)));
    dropped.push(...verdict.drop.map(({ event, status }) => `${status} ${show(event, hour)}`));
    const decided = new Set([...verdict.publish.map((event) => event.id), ...verdict.drop.map(({ event }) => event.id)]);
    held = held.filter((event) => !decided.has(event.id));
  }
  return { announced, dropped, held: held.map((event) => show(event, -1)) };
}

describe('settle: price boards (a new price must hold for 6 hours)', () => {
  const window = { hours: 6 };

  it.each<[string, [number, string][], string[]]>([
    ['hourly flip-flops between two providers: nothing', [[0, 'd=0.26/0.38'], [1, 'd=0.224/0.32'], [2, 'd=0.26/0.38'], [3, 'd=0.224/0.32'], [4, 'd=0.26/0.38'], [12, 'd=0.26/0.38']], []],
    ['a real cut that holds: exactly one price_changed, announced 6 hours on', [[0, 'd=0.26/0.38'], [1, 'd=0.2/0.3'], [2, 'd=0.2/0.3'], [7, 'd=0.2/0.3'], [8, 'd=0.2/0.3']], ['1@7:price_changed:d:0.26/0.38>0.2/0.3']],
    ['a cut seen again too soon waits for the window', [[0, 'd=1/2'], [1, 'd=0.5/1'], [3, 'd=0.5/1']], []],
    ['flapping between two new prices, then one holds: one event from the old price to it', [[0, 'd=1/2'], [1, 'd=0.8/1.6'], [2, 'd=0.7/1.4'], [3, 'd=0.8/1.6'], [10, 'd=0.8/1.6']], ['3@10:price_changed:d:1/2>0.8/1.6']],
    ['a price seen once and changed again days later is not announced until the new one holds', [[0, 'd=1/2'], [100, 'd=0.5/1'], [200, 'd=0.4/0.8'], [300, 'd=0.4/0.8']], ['200@300:price_changed:d:1/2>0.4/0.8']],
  ])('%s', (_name, steps, expected) => {
    expect(run(window, steps.map(([hour, spec]) => [hour, prices(spec)])).announced).toEqual(expected);
  });

  it('says why each dropped change was dropped', () => {
    const { dropped } = run(window, [[0, prices('d=1/2')], [1, prices('d=0.8/1.6')], [2, prices('d=0.7/1.4')], [3, prices('d=1/2')]]);
    expect(dropped).toEqual(['reverted 1@3:price_changed:d:1/2>0.8/1.6', 'reverted 2@3:price_changed:d:0.8/1.6>0.7/1.4', 'reverted 3@3:price_changed:d:0.7/1.4>1/2']);
  });

  it('the announced event carries the percentages from the old price and when the change was first seen', () => {
    const held: HeldEvent[] = [
      { id: 1, capturedAt: new Date(T0 + HOUR), kind: 'price_changed', model: 'd', name: 'd', old: { priceInput: 1, priceOutput: 2 }, new: { priceInput: 0.7, priceOutput: 1.4 }, data: { percentInput: -30, percentOutput: -30 } },
      { id: 2, capturedAt: new Date(T0 + 2 * HOUR), kind: 'price_changed', model: 'd', name: 'd', old: { priceInput: 0.7, priceOutput: 1.4 }, new: { priceInput: 0.8, priceOutput: 1.6 }, data: { percentInput: 14.29, percentOutput: 14.29 } },
    ];
    const verdict = settle(held, { at: new Date(T0 + 9 * HOUR), entries: prices('d=0.8/1.6'), gap: null, times: [new Date(T0 + 5 * HOUR)] }, window);
    expect(verdict.publish).toEqual([
      { ...held[1], old: { priceInput: 1, priceOutput: 2 }, data: { percentInput: -20, percentOutput: -20, since: new Date(T0 + HOUR).toISOString() } },
    ]);
    expect(verdict.drop).toEqual([{ event: held[0], status: 'superseded' }]);
  });

  it('a model that leaves for good takes its unsettled price change with it', () => {
    const { announced, dropped } = run(window, [[0, prices('a=1/1 b=2/2')], [1, prices('a=1/1 b=1/1')], [2, prices('a=1/1')], [9, prices('a=1/1')]]);
    expect(announced).toEqual(['2@9:exited:b']);
    expect(dropped).toEqual(['superseded 1@9:price_changed:b:2/2>1/1']);
  });
});

describe('settle: ranking boards (a change must not go back within two scrapes)', () => {
  const window = { scrapes: 2 };

  it.each<[string, string[], string[], string[]]>([
    ['a swap that holds is announced at the next scrape', ['a b c', 'b a c', 'b a c'], ['1@2:new_leader:b', '1@2:rank_changed:a:1>2', '1@2:rank_changed:b:2>1'], []],
    ['a swap undone by the next scrape: nothing, and the swap back is dropped too', ['a b c', 'b a c', 'a b c'], [], []],
    ['a model that keeps falling: each move once the next scrape does not undo it', ['a b c d', 'a c b d', 'a c d b'], ['1@2:rank_changed:b:2>3', '1@2:rank_changed:c:3>2'], ['2:rank_changed:b:3>4', '2:rank_changed:d:4>3']],
    // b's own rank went back to 2, so its rank move is dropped; the leaders did not go back to a.
    ['a new leader replaced by a third model, not the old one: a real change of #1 that was', ['a b c', 'b a c', 'c b a'], ['1@2:new_leader:b', '1@2:rank_changed:a:1>2'], ['2:new_leader:c', '2:rank_changed:a:2>3', '2:rank_changed:c:3>1']],
    ['a model shown for one scrape (a half-deployed page) never entered', ['a b', 'a b x', 'a b', 'a b'], [], []],
  ])('%s', (_name, boards, announced, held) => {
    const result = run(window, boards.map((models, hour) => [hour, ranked(models)]));
    expect(result.announced.map((line) => line.replace(/^(\d+@\d+:[^:]+:[^:]+):?$/, '$1')).sort()).toEqual(announced.sort());
    expect(result.held.map((line) => line.replace(/^\d+@-1/, (match) => match.split('@')[0]!)).sort()).toEqual(held.sort());
  });

  it('new_leader and the rank moves of a leader swap are dropped when the next scrape undoes it', () => {
    const { dropped } = run(window, [[0, ranked('a b')], [1, ranked('b a')], [2, ranked('a b')]]);
    expect(dropped.map((line) => line.split(' ')[0]).every((status) => status === 'reverted')).toBe(true);
    expect(dropped.filter((line) => line.includes('new_leader'))).toEqual(['reverted 1@2:new_leader:b', 'reverted 2@2:new_leader:a']);
  });

  it('three scrapes: held until two more scrapes show it; a return on the third drops it', () => {
    expect(run({ scrapes: 3 }, [[0, ranked('a b')], [1, ranked('b a')], [2, ranked('b a')], [3, ranked('b a')]]).announced).toHaveLength(3);
    expect(run({ scrapes: 3 }, [[0, ranked('a b')], [1, ranked('b a')], [2, ranked('b a')]]).announced).toEqual([]);
    expect(run({ scrapes: 3 }, [[0, ranked('a b')], [1, ranked('b a')], [2, ranked('b a')], [3, ranked('a b')]]).announced).toEqual([]);
  });

  it('one scrape announces at once', () => {
    expect(run({ scrapes: 1 }, [[0, ranked('a b')], [1, ranked('b a')]]).announced).toHaveLength(3);
  });
});

describe('settle: changes found in another format than the observation', () => {
  // A held rank change found at hour 1 in format `csv`; later observations in `json` rank other
  // sets of models, so they cannot say whether it flipped back.
  const formats = (switchAt: number, back?: number) => (time: Date) => {
    const hour = (time.getTime() - T0) / HOUR;
    return hour >= switchAt && (back === undefined || hour < back) ? 'json' : 'csv';
  };
  const held: HeldEvent[] = [{ kind: 'rank_changed', model: 'a', name: 'a', old: { rank: 1 }, new: { rank: 2 }, data: { delta: -1, significant: null, margin: null, passed: [] }, id: 1, capturedAt: new Date(T0 + HOUR) }];
  const at = (hour: number, entries: Entry[], formatAt: (time: Date) => string | null) =>
    settle(held, { at: new Date(T0 + hour * HOUR), entries, gap: null, times: [0, 1, 2, 3, 4].filter((h) => h <= hour).map((h) => new Date(T0 + h * HOUR)), formatAt }, { scrapes: 2 });

  it('is not judged on the first observation in the new format, even when its value looks like a return', () => {
    expect(at(2, ranked('a b'), formats(2))).toEqual({ publish: [], drop: [] });
  });

  it('waits for an observation in its own format, and is judged there as usual', () => {
    // json at hour 2, csv again at hour 3 showing the old rank: a flip-flop after all.
    expect(at(3, ranked('a b'), formats(2, 3)).drop.map(({ status }) => status)).toEqual(['reverted']);
  });

  it('is announced as found once the board was seen twice in the new format', () => {
    expect(at(3, ranked('a b'), formats(2)).publish.map((event) => event.id)).toEqual([1]);
  });

  it('a chain that goes on in the new format: the old format part is announced, the rest judged as usual', () => {
    const chain: HeldEvent[] = [
      { kind: 'gap_changed', model: null, name: 'US–CN', old: { leader: 'US', points: 10, percent: 10, insideIntervals: null }, new: { leader: 'US', points: 8, percent: 8, insideIntervals: null }, data: { countries: ['US', 'CN'], leadChanged: false, movedPercent: 2, thresholdPercent: 0.5 }, id: 1, capturedAt: new Date(T0 + HOUR) },
      { kind: 'gap_changed', model: null, name: 'US–CN', old: { leader: 'US', points: 8, percent: 8, insideIntervals: null }, new: { leader: 'US', points: 5, percent: 5, insideIntervals: null }, data: { countries: ['US', 'CN'], leadChanged: false, movedPercent: 3, thresholdPercent: 0.5 }, id: 2, capturedAt: new Date(T0 + 3 * HOUR) },
      { kind: 'gap_changed', model: null, name: 'US–CN', old: { leader: 'US', points: 5, percent: 5, insideIntervals: null }, new: { leader: 'US', points: 3, percent: 3, insideIntervals: null }, data: { countries: ['US', 'CN'], leadChanged: false, movedPercent: 2, thresholdPercent: 0.5 }, id: 3, capturedAt: new Date(T0 + 4 * HOUR) },
    ];
    const times = [0, 1, 2, 3, 4].map((h) => new Date(T0 + h * HOUR));
    const verdict = settle(chain, { at: times[4]!, entries: [], gap: { leader: 'US', points: 3, percent: 3, bestUS: 'x', bestCN: 'y', insideIntervals: false }, times, formatAt: formats(2) }, { scrapes: 2 });
    // The csv part (hour 1) is announced as found; of the json part, hour 3 has been seen again, hour 4 not yet.
    expect(verdict.publish.map((event) => event.id)).toEqual([1, 2]);
    expect(verdict.drop).toEqual([]);
  });
});

describe('settling windows as configured', () => {
  it.each<[string, SettleWindow | null, string]>([
    ['2', { scrapes: 2 }, '2 scrapes'],
    ['3 scrapes', { scrapes: 3 }, '3 scrapes'],
    ['1', { scrapes: 1 }, 'none'],
    ['0', { scrapes: 1 }, 'none'],
    ['6h', { hours: 6 }, '6 hours'],
    ['1.5 hours', { hours: 1.5 }, '1.5 hours'],
    ['0h', { scrapes: 1 }, 'none'],
  ])('%s', (text, expected, described) => {
    const window = parseSettleWindow(text);
    expect(window).toEqual(expected);
    expect(describeSettleWindow(window!)).toBe(described);
  });

  it.each(['soon', '-2', '2d', ''])('%s is not a window', (text) => {
    expect(parseSettleWindow(text)).toBeNull();
  });
});
