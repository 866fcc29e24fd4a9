import type { BoardSummary, ChangeSetSummary, QuarantineDetail, QuarantineSummary, Standing } from '../db/queries.ts';
import type { BoardAggregates, ModelStanding } from '../identity/store.ts';
import type { UnmappedItem } from '../identity/identity.ts';
import { describeEvent } from '../diff/describe.ts';
import type { StoredEvent } from '../diff/events.ts';

/** `2024-06-19` for a UTC midnight, otherwise `2024-06-19 13:05Z`. */
export function shortTime(iso: string | null): string {
  if (!iso) return '-';
  if (iso.endsWith('T00:00:00.000Z')) return iso.slice(0, 10);
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}Z`;
}

/** Left-aligned columns separated by two spaces. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** The `boards` listing; `live` holds each board's schedule and why it cannot run live, if so. */
export function formatBoards(boards: readonly BoardSummary[], live: ReadonlyMap<string, { schedule: string | null; notConfigured: string | null }>): string {
  const status = (board: BoardSummary) => {
    const last = board.lastScrape;
    if (last) return `${last.status}${last.error ? `: ${last.error.slice(0, 60)}` : ''}`;
    const needs = live.get(board.id)?.notConfigured;
    return needs ? `not configured: ${needs}` : 'never';
  };
  return table(
    ['BOARD', 'SOURCE', 'SCHEDULE', 'LAST SCRAPE', 'STATUS', 'ENTRIES', 'SNAPSHOTS'],
    boards.map((board) => [
      board.id,
      board.source,
      live.get(board.id)?.schedule ?? 'off',
      shortTime(board.lastScrape?.ranAt ?? null),
      status(board),
      String(board.entries),
      String(board.snapshots),
    ]),
  );
}

/** The `quarantine` listing. */
export function formatQuarantine(held: readonly QuarantineSummary[]): string {
  if (held.length === 0) return 'nothing quarantined\n';
  return table(
    ['ID', 'CAPTURED', 'BOARD', 'ROWS', 'REASONS'],
    held.map((row) => [String(row.id), shortTime(row.capturedAt), row.board, String(row.rowCount), row.reasons.join('; ')]),
  );
}

/** One quarantined capture: its reasons, then its entries. */
export function formatQuarantineDetail(held: QuarantineDetail): string {
  const head = [
    `quarantined capture ${held.id} of ${held.board}, captured ${shortTime(held.capturedAt)}, ${held.rowCount} rows`,
    `source: ${held.source ?? '-'} (${held.format ?? 'unknown format'})`,
    ...held.reasons.map((reason) => `reason: ${reason}`),
    '',
  ].join('\n');
  return `${head}\n${table(
    ['RANK', 'MODEL', 'SCORE'],
    held.entries.map((entry) => [entry.rank === null ? '-' : String(entry.rank), entry.model, entry.score === null ? '-' : String(entry.score)]),
  )}`;
}

/** The `events` listing. */
export function formatEvents(events: readonly StoredEvent[]): string {
  if (events.length === 0) return 'no events\n';
  return table(
    ['CAPTURED', 'BOARD', 'KIND', 'CHANGE'],
    events.map((event) => [shortTime(event.capturedAt), event.board, event.kind, describeEvent(event.board, event)]),
  );
}

/** The `history` listing. */
export function formatHistory(history: readonly Standing[]): string {
  return table(
    ['BOARD', 'FROM', 'TO', 'RANK', 'SCORE', 'CI', 'VOTES', 'NAME'],
    history.map((row) => [
      row.board,
      shortTime(row.validFrom),
      row.validTo ? shortTime(row.validTo) : 'now',
      row.rank === null ? '-' : String(row.rank),
      row.score === null ? '-' : String(Math.round(row.score * 10) / 10),
      row.scoreLower !== null && row.scoreUpper !== null && row.score !== null
        ? `+${Math.round((row.scoreUpper - row.score) * 10) / 10}/-${Math.round((row.score - row.scoreLower) * 10) / 10}`
        : '-',
      row.votes === null ? '-' : String(row.votes),
      row.name,
    ]),
  );
}

/** The `changes` listing: one line per change set. */
export function formatChangeSets(changes: readonly Pick<ChangeSetSummary, 'id' | 'capturedAt' | 'summary'>[]): string {
  if (changes.length === 0) return 'no change sets\n';
  return table(
    ['ID', 'CAPTURED', 'SUMMARY'],
    changes.map((change) => [String(change.id), shortTime(change.capturedAt), change.summary]),
  );
}

/** The `models ID` view. */
export function formatModel(model: ModelStanding): string {
  const head = `${model.id}  ${model.organization ?? 'organization unknown'}${model.country ? ` (${model.country})` : ''}\n\n`;
  return (
    head +
    table(
      ['BOARD', 'RANK', 'SCORE', 'KEY', 'SINCE'],
      model.boards.map((row) => [row.board, row.rank === null ? '-' : String(row.rank), row.score === null ? '-' : String(Math.round(row.score * 100) / 100), row.model, shortTime(row.validFrom)]),
    )
  );
}

/** The `models --unmapped` listing. */
export function formatUnmapped(items: readonly UnmappedItem[]): string {
  if (items.length === 0) return 'every organization and model on the current boards is mapped to a country\n';
  return table(
    ['VALUE', 'KIND', 'REASON', 'ENTRIES', 'SOURCES'],
    items.map((item) => [item.value, item.kind, item.reason === 'no-country' ? `no country for ${item.organization}` : 'unknown organization', String(item.entries), item.sources.join(',')]),
  );
}

/** The `aggregates` view: the lab (or country) ranking, then the US–China gap. */
export function formatAggregates(found: BoardAggregates): string {
  const rows = table(
    ['PLACE', found.by.toUpperCase(), 'BEST MODEL', 'RANK', 'SCORE', 'MODELS'],
    found.groups.map((group) => [
      String(group.place),
      group.group,
      group.best.name,
      group.best.rank === null ? '-' : String(group.best.rank),
      group.best.score === null ? '-' : String(Math.round(group.best.score * 100) / 100),
      String(group.models),
    ]),
  );
  const gap = found.gap;
  const line = gap
    ? `US–CN gap: ${gap.leader ?? 'level'}${gap.leader ? ` leads by ${gap.percent}% (${Math.abs(gap.points)} points)` : ''}, ${gap.a.name} vs ${gap.b.name}${gap.insideIntervals === null ? '' : gap.insideIntervals ? ', inside the confidence intervals' : ', outside the confidence intervals'}`
    : 'US–CN gap: not known (no scored model of one side)';
  return `${rows}\n${line}\n`;
}

/** `aggregates BOARD --history`: the US–China gap at each snapshot. */
export function formatGapHistory(history: readonly BoardAggregates[]): string {
  if (history.length === 0) return 'no snapshots\n';
  return table(
    ['CAPTURED', 'LEADER', 'GAP', 'POINTS', 'BEST US', 'BEST CN', 'INTERVALS'],
    history.map((step) => {
      const gap = step.gap;
      return [
        shortTime(step.at),
        gap?.leader ?? '-',
        gap ? `${gap.percent}%` : '-',
        gap ? String(Math.abs(Math.round(gap.points * 10) / 10)) : '-',
        gap?.a.name ?? '-',
        gap?.b.name ?? '-',
        gap?.insideIntervals === true ? 'overlap' : gap?.insideIntervals === false ? 'apart' : '-',
      ];
    }),
  );
}
