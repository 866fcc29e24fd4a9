import type { BoardSummary, Standing } from '../db/queries.ts';
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

/** The `boards` listing. */
export function formatBoards(boards: readonly BoardSummary[], schedules: ReadonlyMap<string, string | null>): string {
  return table(
    ['BOARD', 'SOURCE', 'SCHEDULE', 'LAST SCRAPE', 'STATUS', 'ENTRIES', 'SNAPSHOTS'],
    boards.map((board) => [
      board.id,
      board.source,
      schedules.get(board.id) ?? 'off',
      shortTime(board.lastScrape?.ranAt ?? null),
      board.lastScrape ? `${board.lastScrape.status}${board.lastScrape.error ? `: ${board.lastScrape.error.slice(0, 60)}` : ''}` : 'never',
      String(board.entries),
      String(board.snapshots),
    ]),
  );
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
