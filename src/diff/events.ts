import { z } from 'zod';

/** Event kinds: stable names used by the API, feeds and webhooks. */
export const EVENT_KINDS = [
  'board_first_seen',
  'new_leader',
  'rank_changed',
  'score_changed',
  'entered',
  'exited',
  'price_changed',
  'gap_changed',
  'scrape_failed',
  'scrape_recovered',
  'snapshot_quarantined',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];
export const EventKindSchema = z.enum(EVENT_KINDS);

/** The values an event reports before and after the change (only the fields that matter to it). */
export type EventValues = Record<string, string | number | boolean | null | string[]>;

/** One change found by the diff engine, before it is stored. */
export interface ChangeEvent {
  kind: EventKind;
  /** The model's stable key on the board; null for board-level events. */
  model: string | null;
  /** The model's display name (the newer one when it changed). */
  name: string | null;
  old: EventValues | null;
  new: EventValues | null;
  data?: EventValues;
}

/** A stored event as the API, CLI and feeds return it. */
export interface StoredEvent extends ChangeEvent {
  id: number;
  key: string;
  board: string;
  capturedAt: string;
  snapshotId: number | null;
  /**
   * `published` once announced; `pending` inside the settling window; `reverted` or `superseded` when
   * dropped; `retracted` when a backfill derived a history without it (see EVENT_STATUSES).
   */
  status: 'published' | 'pending' | 'reverted' | 'superseded' | 'retracted';
  /** When the settling window decided (null while pending). */
  settledAt: string | null;
}
