import type { ChangeEvent, GapSide, SignificanceData } from './events.ts';

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

/** How a rank move stands against the published intervals, for the end of its line. */
function rankVerdict(data: SignificanceData): string {
  if (data.significant === true) return ' (significant: clear of the confidence intervals)';
  if (data.significant === false && data.passed.length > 0) return ' (within the confidence intervals)';
  return '';
}

/** One line of plain English for an event, as used by the CLI, feeds and alerts. */
export function describeEvent(board: string, event: ChangeEvent): string {
  const who = event.name ?? event.model ?? '';
  switch (event.kind) {
    case 'board_first_seen': {
      const names = event.new.leaderNames ?? [];
      const leaders = names.length > 0 ? names : event.new.leaders;
      return `${board} first seen: ${plural(event.new.entries, 'model')}${leaders.length ? `, #1 ${leaders.join(' and ')}` : ''}`;
    }
    case 'new_leader': {
      const was = event.old.rank;
      const names = event.data.sharedWithNames ?? [];
      const shared = names.length > 0 ? names : event.data.sharedWith;
      return `${who} takes #1 on ${board}${was === null ? ' as a new entry' : ` (was #${was})`}${shared.length ? `, tied with ${shared.join(', ')}` : ''}${rankVerdict(event.data)}`;
    }
    case 'rank_changed': {
      const from = event.old.rank;
      const to = event.new.rank;
      return `${who} ${to < from ? 'rises' : 'falls'} from #${from} to #${to} on ${board}${rankVerdict(event.data)}`;
    }
    case 'score_changed': {
      const from = event.old.score;
      const to = event.new.score;
      const outside = event.data.significant;
      const verdict = outside === true ? ', outside the previous interval' : outside === false ? ', within the previous interval' : '';
      return `${who} scores ${score(to)} on ${board}, was ${score(from)} (${signed(to - from)})${verdict}`;
    }
    case 'entered':
      return `${who} enters ${board} at #${event.new.rank ?? '?'} with ${score(event.new.score)}`;
    case 'exited':
      return `${who} leaves ${board} (was #${event.old.rank ?? '?'})`;
    case 'price_changed': {
      const change = (value: number | null) => (value === null || value === 0 ? '' : ` (${value > 0 ? '+' : ''}${value}%)`);
      return (
        `${who} price per 1M tokens on ${board}: input ${price(event.old.priceInput)} → ${price(event.new.priceInput)}${change(event.data.percentInput)}, ` +
        `output ${price(event.old.priceOutput)} → ${price(event.new.priceOutput)}${change(event.data.percentOutput)}`
      );
    }
    case 'gap_changed': {
      const [a = 'A', b = 'B'] = event.data.countries;
      const side = (values: GapSide) => {
        if (values.leader === null) return 'level';
        return `${values.leader} leads by ${values.percent}% (${Math.abs(Math.round(values.points * 10) / 10)} points)`;
      };
      const inside = event.new.insideIntervals;
      const models = `${event.new[`best${a}`] ?? '?'} vs ${event.new[`best${b}`] ?? '?'}`;
      const verdict = inside === true ? ', inside the confidence intervals' : inside === false ? ', outside the confidence intervals' : '';
      return `${a}–${b} gap on ${board}: ${side(event.new)}, was ${side(event.old)} (${models}${verdict})`;
    }
    case 'snapshot_quarantined':
      return `${board}: a capture of ${plural(event.new.rows, 'model')} was quarantined, not diffed: ${event.data.reasons.join('; ') || 'failed sanity checks'}`;
    case 'scrape_failed':
      return `${board}: live scrape failing${event.data.error !== null ? `: ${event.data.error}` : ''}`;
    case 'scrape_recovered': {
      const { failures, failedSince } = event.data;
      return `${board}: live scrape works again${failures ? ` after ${plural(failures, 'failed attempt')}` : ''}${failedSince !== null ? ` since ${failedSince}` : ''}`;
    }
  }
}
