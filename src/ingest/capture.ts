import type { Attribution } from '../diff/aggregates.ts';
import type { ChangeSet } from '../diff/change-set.ts';
import type { ChangeEvent } from '../diff/events.ts';
import type { SettleWindow } from '../diff/settle.ts';
import type { Direction, Entry } from '../entry.ts';
import type { BoardHealth } from './health.ts';
import type { ScrapeOrigin } from './scrape-log.ts';
import type { OnAnnounced } from './tx.ts';

// The store's contracts, apart from its code: metrics, the scheduler and the CLI read these types
// without importing what stores a capture.

/** A parsed capture on its way into storage. */
export interface CaptureInput {
  board: string;
  capturedAt: Date;
  entries: Entry[];
  origin: ScrapeOrigin;
  /** URL or file path the capture came from. */
  source: string | null;
  contentHash: string | null;
  format: string | null;
  parserVersion: string | null;
  publishedAt: Date | null;
  httpStatus?: number | null;
  etag?: string | null;
  lastModified?: string | null;
  ranAt?: Date;
  durationMs?: number | null;
  /** The board's direction and sanity thresholds (defaults: higher is better, DEFAULT_HEALTH). */
  health?: BoardHealth;
  /** What the score is made of, as the parser listed it (ParsedSnapshot.columns). */
  columns?: string[] | null;
  /** Who made each model and where (model identity): enables `gap_changed` between the US and China. */
  attribute?: Attribution;
  /** How long a change must last before it is announced (default: two scrapes). */
  settle?: SettleWindow;
  /** Hears the events this capture announced, in its transaction (the outbox: see `announcerWith` in src/context.ts). */
  onAnnounced?: OnAnnounced;
  /**
   * The format-independent key of an entry, for a board whose formats key models differently
   * (model identity's canonical id); absent: the key as published (see board-keys.ts).
   */
  boardKey?: ((entry: Entry) => string) | undefined;
}

/** What storing a capture did. */
export interface CaptureResult {
  /**
   * `duplicate`: this very capture was stored before; nothing was written. `quarantined`: it failed
   * the sanity checks (`reasons`) and was kept aside, undiffed.
   */
  status: 'first' | 'changed' | 'unchanged' | 'quarantined' | 'duplicate';
  snapshotId: number | null;
  /** Why the capture was quarantined (empty otherwise). */
  reasons: string[];
  quarantineId: number | null;
  /**
   * Events announced at this capture: its own immediate ones, and changes found earlier (or now)
   * whose settling window this capture completed.
   */
  events: ChangeEvent[];
  /** Changes of the board still inside their settling window after this capture. */
  pending: number;
  /** Changes this capture dropped as flip-flops (reverted) or superseded. */
  suppressed: number;
  /** This snapshot's change set (null when the capture changed nothing or was held back). */
  changeSet: ChangeSet | null;
  /** True when the capture is older than a stored one and history after it was re-derived. */
  insertedBefore: Date | null;
  rowCount: number;
}

/** A failed or 304 scrape, for the scrape log. */
export interface ScrapeRecord {
  board: string;
  status: 'failed' | 'not_modified';
  origin: ScrapeOrigin;
  capturedAt: Date;
  ranAt?: Date;
  source: string | null;
  httpStatus?: number | null;
  contentHash?: string | null;
  error?: string | null;
  etag?: string | null;
  lastModified?: string | null;
  durationMs?: number | null;
  /** For a 304: the board did not change, which may complete changes' settling windows. */
  settling?: { direction: Direction; attribute?: Attribution | undefined; window: SettleWindow };
  /** Hears the events this scrape announced (`scrape_failed`, settled changes), in its transaction. */
  onAnnounced?: OnAnnounced;
}

/** The outcome of one live scrape of one board. */
export type ScrapeOutcome =
  | { board: string; status: 'not_configured'; message: string }
  | { board: string; status: 'not_modified'; httpStatus: 304 }
  | { board: string; status: 'failed'; error: string; httpStatus: number | null }
  /** Given up before anything was fetched (the service is stopping, `reason`); nothing is recorded. */
  | { board: string; status: 'abandoned'; error: string; reason: string; httpStatus: number | null }
  | ({ board: string; httpStatus: number } & CaptureResult);
