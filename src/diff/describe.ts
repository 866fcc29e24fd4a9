import type { ChangeEvent, EventValues } from './events.ts';

/** `1 model`, `2 models`. */
export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** One line for what storing a capture did, e.g. `changed, 115 models, 136 events (6 entered, …)`. */
export function describeCapture(result: {
  status: string;
  rowCount: number;
  events: readonly ChangeEvent[];
  insertedBefore: Date | null;
  reasons: readonly string[];
  changeSet?: { methodologyChanged: boolean; bulkRemoval: boolean } | null;
  /** Changes of the board still settling, and those this capture dropped (see src/diff/settle.ts). */
  pending?: number;
  suppressed?: number;
}): string {
  const settling = [
    result.pending ? `${plural(result.pending, 'change')} settling` : '',
    result.suppressed ? `${result.suppressed} dropped by the settling window` : '',
  ].filter(Boolean);
  const held = settling.length ? `; ${settling.join(', ')}` : '';
  if (result.status === 'duplicate') return result.reasons.length > 0 ? 'already imported (quarantined)' : 'already imported';
  if (result.status === 'quarantined') {
    const again = result.events.length === 0 ? ', the same as the quarantined capture before it' : '';
    return `quarantined, ${plural(result.rowCount, 'model')}, not diffed${again}: ${result.reasons.join('; ')}`;
  }
  const announced = result.events.length ? `, ${plural(result.events.length, 'event')} announced` : '';
  if (result.status === 'unchanged') return `unchanged (${plural(result.rowCount, 'model')})${announced}${held}`;
  const order = result.insertedBefore ? `, inserted before the capture of ${result.insertedBefore.toISOString()}` : '';
  if (result.status === 'first') return `first snapshot, ${plural(result.rowCount, 'model')}${order}${held}`;
  const counts = new Map<string, number>();
  for (const event of result.events) counts.set(event.kind, (counts.get(event.kind) ?? 0) + 1);
  const kinds = [...counts].map(([kind, n]) => `${n} ${kind}`).join(', ');
  const flags = [
    result.changeSet?.methodologyChanged ? 'methodology changed' : '',
    result.changeSet?.bulkRemoval ? 'bulk removal' : '',
  ].filter(Boolean);
  const events = result.events.length ? `; ${plural(result.events.length, 'event')} announced (${kinds})` : '';
  return `changed, ${plural(result.rowCount, 'model')}${events}${flags.length ? `; ${flags.join(', ')}` : ''}${held}${order}`;
}

function num(values: EventValues | null, key: string): number | null {
  const value = values?.[key];
  return typeof value === 'number' ? value : null;
}

function score(value: number | null): string {
  if (value === null) return '?';
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

function signed(value: number): string {
  const text = Number.isInteger(value) ? String(value) : value.toFixed(1);
  return value > 0 ? `+${text}` : text;
}

function price(value: number | null): string {
  return value === null ? 'n/a' : `$${value.toFixed(value < 1 ? 3 : 2)}`;
}

function list(values: EventValues | undefined, key: string): string[] {
  const value = values?.[key];
  return Array.isArray(value) ? value : [];
}

/** How a rank move stands against the published intervals, for the end of its line. */
function rankVerdict(event: ChangeEvent): string {
  const significant = event.data?.significant;
  if (significant === true) return ' (significant: clear of the confidence intervals)';
  if (significant === false && list(event.data, 'passed').length > 0) return ' (within the confidence intervals)';
  return '';
}

/** One line of plain English for an event, as used by the CLI, feeds and alerts. */
export function describeEvent(board: string, event: ChangeEvent): string {
  const who = event.name ?? event.model ?? '';
  switch (event.kind) {
    case 'board_first_seen': {
      const names = list(event.new ?? undefined, 'leaderNames');
      const leaders = names.length > 0 ? names : list(event.new ?? undefined, 'leaders');
      return `${board} first seen: ${plural(num(event.new, 'entries') ?? 0, 'model')}${leaders.length ? `, #1 ${leaders.join(' and ')}` : ''}`;
    }
    case 'new_leader': {
      const was = num(event.old, 'rank');
      const names = list(event.data, 'sharedWithNames');
      const shared = names.length > 0 ? names : list(event.data, 'sharedWith');
      return `${who} takes #1 on ${board}${was === null ? ' as a new entry' : ` (was #${was})`}${shared.length ? `, tied with ${shared.join(', ')}` : ''}${rankVerdict(event)}`;
    }
    case 'rank_changed': {
      const from = num(event.old, 'rank');
      const to = num(event.new, 'rank');
      const verb = from !== null && to !== null && to < from ? 'rises' : 'falls';
      return `${who} ${verb} from #${from} to #${to} on ${board}${rankVerdict(event)}`;
    }
    case 'score_changed': {
      const from = num(event.old, 'score');
      const to = num(event.new, 'score');
      const delta = from !== null && to !== null ? ` (${signed(to - from)})` : '';
      const outside = event.data?.significant;
      const verdict = outside === true ? ', outside the previous interval' : outside === false ? ', within the previous interval' : '';
      return `${who} scores ${score(to)} on ${board}, was ${score(from)}${delta}${verdict}`;
    }
    case 'entered':
      return `${who} enters ${board} at #${num(event.new, 'rank') ?? '?'} with ${score(num(event.new, 'score'))}`;
    case 'exited':
      return `${who} leaves ${board} (was #${num(event.old, 'rank') ?? '?'})`;
    case 'price_changed': {
      const change = (key: string) => {
        const value = num(event.data ?? null, key);
        return value === null || value === 0 ? '' : ` (${value > 0 ? '+' : ''}${value}%)`;
      };
      return (
        `${who} price per 1M tokens on ${board}: input ${price(num(event.old, 'priceInput'))} → ${price(num(event.new, 'priceInput'))}${change('percentInput')}, ` +
        `output ${price(num(event.old, 'priceOutput'))} → ${price(num(event.new, 'priceOutput'))}${change('percentOutput')}`
      );
    }
    case 'gap_changed': {
      const countries = list(event.data, 'countries');
      const [a = 'A', b = 'B'] = countries;
      const side = (values: EventValues | null) => {
        const leader = values?.leader;
        const percent = num(values, 'percent');
        const points = num(values, 'points');
        if (typeof leader !== 'string') return 'level';
        return `${leader} leads by ${percent ?? '?'}% (${points === null ? '?' : Math.abs(Math.round(points * 10) / 10)} points)`;
      };
      const inside = event.new?.insideIntervals;
      const models = `${String(event.new?.[`best${a}`] ?? '?')} vs ${String(event.new?.[`best${b}`] ?? '?')}`;
      const verdict = inside === true ? ', inside the confidence intervals' : inside === false ? ', outside the confidence intervals' : '';
      return `${a}–${b} gap on ${board}: ${side(event.new)}, was ${side(event.old)} (${models}${verdict})`;
    }
    case 'snapshot_quarantined': {
      const reasons = list(event.data, 'reasons');
      return `${board}: a capture of ${plural(num(event.new, 'rows') ?? 0, 'model')} was quarantined, not diffed: ${reasons.join('; ') || 'failed sanity checks'}`;
    }
    case 'scrape_failed': {
      const error = event.data?.error;
      return `${board}: live scrape failing${typeof error === 'string' ? `: ${error}` : ''}`;
    }
    case 'scrape_recovered': {
      const failures = num(event.data ?? null, 'failures');
      const since = event.data?.failedSince;
      return `${board}: live scrape works again${failures ? ` after ${plural(failures, 'failed attempt')}` : ''}${typeof since === 'string' ? ` since ${since}` : ''}`;
    }
    default: {
      // Every kind has its sentence above; a kind added later still gets a readable line.
      const kind: string = event.kind;
      return `${kind.replace(/_/g, ' ')} on ${board}${who ? `: ${who}` : ''}`;
    }
  }
}
