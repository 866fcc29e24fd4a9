import type { SettleWindow } from '../src/diff/settle.ts';
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
  /** An HTML page rather than a data file: fetched only where the site's robots.txt allows it. */
  page?: boolean;
  /** Further documents the parser needs besides the body, by the name it looks them up under (see ParseContext.attachments). */
  attachments?: Readonly<Record<string, string>>;
  /** An API key the source requires: read from this environment variable and sent in this header. Without it the board is "not configured". */
  apiKey?: { env: string; header: string; prefix?: string };
}

/** Sanity thresholds a new snapshot is held to against the last good one (defaults in src/ingest/health.ts). */
export interface HealthThresholds {
  /** Fewest entries a real snapshot of this board has. */
  minEntries?: number;
  /** Largest fraction of the last good snapshot's entries that may vanish at once (0.5 = half). */
  maxDropFraction?: number;
  /** The source publishes ranks that follow its scores: a rank order that contradicts the scores is a broken capture. */
  ranksFollowScores?: boolean;
  /**
   * Smallest share of the last good snapshot's models a capture of similar size must list under the
   * same key; below it the keys changed (a format or naming change) and the capture is held back.
   */
  minKeyOverlap?: number;
}

/** One ranked table of a source. Ids are stable kebab-case and never renamed. */
export interface BoardDefinition {
  id: string;
  name: string;
  direction: Direction;
  /** What the score is, e.g. "Arena score (Elo)", "Intelligence Index", "USD per 1M input tokens". */
  scoreLabel?: string;
  live: LiveSource | null;
  health?: HealthThresholds;
  /** How long a change must last before it is announced (default: two scrapes; see src/diff/settle.ts). */
  settle?: SettleWindow;
}

/** What the parser was handed besides the body. */
export interface ParseContext {
  board: string;
  /** Base name of the file or last path segment of the URL, when known. */
  fileName?: string | undefined;
  contentType?: string | null | undefined;
  /** Companion documents by name (e.g. LiveBench's `categories` JSON beside its table CSV). */
  attachments?: Readonly<Record<string, string>> | undefined;
}

/** The parse result: the board's entries and what the parser learnt about the capture. */
export interface ParsedSnapshot {
  entries: Entry[];
  /** Which of the source's published formats was recognised. */
  format: string;
  /** The source's own publish date, ISO 8601, when the data states one. */
  publishedAt: string | null;
  /**
   * What the score is made of, as the source lists it (the table's score columns, a benchmark's
   * tasks): when it changes between snapshots the source may have changed its methodology.
   */
  columns?: string[];
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
  /**
   * How the source's boards key a model. `published` (default): the key each format publishes, when
   * every format keys models the same way. `identity`: model identity's canonical id, for a source
   * whose formats key the same model differently (LMArena's display names and internal keys); the
   * published key is stored beside it (see src/ingest/board-keys.ts).
   */
  boardKeys?: 'published' | 'identity';
  parse(body: string, context: ParseContext): ParsedSnapshot;
}
