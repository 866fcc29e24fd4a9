import type { BoardDefinition, Scraper } from './scraper.ts';
import { lmarena } from './lmarena.ts';

/** Every source rankwatch knows, one declarative module each. */
export const scrapers: readonly Scraper[] = [lmarena];

/** Every board of every source. */
export const allBoards: readonly BoardDefinition[] = scrapers.flatMap((scraper) => scraper.boards);

/** The scraper and definition of a board id, or null when no source has it. */
export function findBoard(id: string): { scraper: Scraper; board: BoardDefinition } | null {
  for (const scraper of scrapers) {
    const board = scraper.boards.find((candidate) => candidate.id === id);
    if (board) return { scraper, board };
  }
  return null;
}
