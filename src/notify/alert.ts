import type { StoredEvent } from '../diff/events.ts';

/** One change set as an alert carries it: its summary, flags, link, and the events the subscription matched. */
export interface AlertChangeSet {
  /** The change set's id (its snapshot's id). */
  id: number;
  board: string;
  capturedAt: string;
  /** One line, e.g. "lmarena-text: new #1 Gemini-2.5-Pro; 12 rank moves". */
  summary: string;
  bulkRemoval: boolean;
  methodologyChanged: boolean;
  /** Full change set on the API: `${publicUrl}/v1/changes/${id}`. */
  url: string;
  /** The events of this change set the subscription matched, in display order. */
  events: StoredEvent[];
  /**
   * How many events the change set announced in all. More than `events` holds when the alert
   * carries a subset (a subscription's filters, a test alert's sample): messages then say
   * "showing 20 of 562 events". Absent: the alert carries them all.
   */
  totalEvents?: number;
}

/** What one delivery sends: one change set (immediate), several (a digest), or a sample (test). */
export interface Alert {
  /** Stable message id: the same on every retry of the delivery (`webhook-id`). */
  id: string;
  type: 'change_set.published' | 'digest.published' | 'test.sent';
  /** ISO 8601 time the alert was created. */
  timestamp: string;
  /** For a digest: the window it gathers, e.g. "hourly digest, 2026-11-23 14:00–15:00 Europe/Berlin". */
  title?: string;
  changeSets: AlertChangeSet[];
}
