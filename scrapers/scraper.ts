import type { Direction, Entry } from '../src/entry.ts';

/** How a board is fetched live; absent for import-only boards. */
export interface LiveSource {
  /** Default URL of the machine-readable data (overridable per board by environment). */
  url: string;
  /** Short name of the format served at `url`, e.g. `arena-catalog-json`. */
  format: string;
  /** Default cron schedule (node-cron syntax). */
  schedule: string;
  /** Value for the Accept header. */
  accept?: string;
}

/** One ranked table of a source. Ids are stable kebab-case and never renamed. */
export interface BoardDefinition {
  id: string;
  name: string;
  direction: Direction;
  live: LiveSource | null;
}

/** What the parser was handed besides the body. */
export interface ParseContext {
  board: string;
  /** Base name of the file or last path segment of the URL, when known. */
  fileName?: string | undefined;
  contentType?: string | null | undefined;
}

/** The parse result: the board's entries and what the parser learnt about the capture. */
export interface ParsedSnapshot {
  entries: Entry[];
  /** Which of the source's published formats was recognised. */
  format: string;
  /** The source's own publish date, ISO 8601, when the data states one. */
  publishedAt: string | null;
}

/** A leaderboard source: metadata plus a pure parser (no network, clock or database). */
export interface Scraper {
  id: string;
  name: string;
  homepage: string;
  /** Terms or licence of the data, and how rankwatch respects them. */
  terms: string;
  /** Bumped whenever the parser's output for the same input can change. */
  parserVersion: string;
  boards: BoardDefinition[];
  parse(body: string, context: ParseContext): ParsedSnapshot;
}
