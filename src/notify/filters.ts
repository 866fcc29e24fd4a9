import { z } from 'zod';
import { EventKindSchema, type ChangeEvent, type EventKind } from '../diff/events.ts';
import type { IdentityInput, ResolvedIdentity } from '../identity/identity.ts';

/** Operator events: they say the data is in doubt. Sent only to subscriptions with `health: true`. */
export const HEALTH_KINDS: readonly EventKind[] = ['scrape_failed', 'scrape_recovered', 'snapshot_quarantined'];

const names = z.array(z.string().trim().min(1)).min(1);

/** What a subscription wants to hear about. Every filter given must pass; an empty object takes every announced change. */
export const FiltersSchema = z
  .object({
    /** Board ids, e.g. `lmarena-text`. */
    boards: names.optional(),
    /** Model keys as the board stores them, or canonical model ids (`rankwatch models`). */
    models: names.optional(),
    /** Organization ids or names, e.g. `openai`, `Alibaba`. */
    organizations: names.optional(),
    /** ISO 3166 alpha-2 country codes of the model's maker, e.g. `US`, `CN`. */
    countries: z.array(z.string().trim().regex(/^[A-Za-z]{2}$/, 'a two-letter country code such as US or CN').transform((code) => code.toUpperCase())).min(1).optional(),
    /** Event kinds. */
    kinds: z.array(EventKindSchema).min(1).optional(),
    /** Only moves that touch the top N: the old or the new rank is N or better. */
    topN: z.number().int().min(1).optional(),
    /** `rank_changed` by at least this many places. */
    minRankDelta: z.number().int().min(1).optional(),
    /** `score_changed` by at least this many points. */
    minScoreDelta: z.number().positive().optional(),
    /** `price_changed` by at least this many percent (input or output). */
    minPricePercent: z.number().positive().optional(),
    /** Rank, score and leader moves only when significant given the published intervals. */
    significantOnly: z.boolean().optional(),
    /** Also operator events (`scrape_failed`, `scrape_recovered`, `snapshot_quarantined`): for the admin's subscription. */
    health: z.boolean().optional(),
  })
  .strict();
export type Filters = z.infer<typeof FiltersSchema>;

/** The filters of an events query (`/v1/events`, the feeds, `rankwatch events`) that a subscription can also say. */
export interface EventQueryFilters {
  board?: string | undefined;
  model?: string | undefined;
  kind?: readonly EventKind[] | undefined;
  organization?: string | undefined;
  significant?: boolean | undefined;
}

/**
 * The subscription filters equivalent to an events query, for "subscribe with these filters". Pure.
 * Operator events are the feeds' way: asked for only when `kind` names one (`health`); a query's
 * times, statuses and limit have no subscription counterpart and are not read.
 */
export function subscriptionFiltersFor(query: EventQueryFilters): Filters {
  const kinds = query.kind?.length ? [...query.kind] : undefined;
  return {
    ...(query.board ? { boards: [query.board] } : {}),
    ...(query.model ? { models: [query.model] } : {}),
    ...(query.organization ? { organizations: [query.organization] } : {}),
    ...(kinds ? { kinds } : {}),
    ...(query.significant ? { significantOnly: true } : {}),
    ...(kinds?.some((kind) => HEALTH_KINDS.includes(kind)) ? { health: true } : {}),
  };
}

/** What the filters read of an event. */
export type FilterableEvent = ChangeEvent & { board: string };

/** The ranks an event reports, before and after (none for kinds without a rank). */
function ranksOf(event: ChangeEvent): (number | null | undefined)[] {
  switch (event.kind) {
    case 'new_leader':
    case 'rank_changed':
      return [event.old?.rank, event.new?.rank];
    case 'entered':
      return [event.new?.rank];
    case 'exited':
      return [event.old?.rank];
    default:
      return [];
  }
}

/** The organization the board gives a model entering or leaving (null for other kinds). */
function organizationOf(event: ChangeEvent): string | null {
  if (event.kind === 'entered') return event.new?.organization ?? null;
  if (event.kind === 'exited') return event.old?.organization ?? null;
  return null;
}
const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * Whether an announced event passes a subscription's filters. Pure. `identity` is the model's
 * canonical id, organization and country (null when the event concerns no model or is unknown).
 *
 * Board-level events (`gap_changed`, `board_first_seen`) pass model and organization filters only
 * when none is given; `gap_changed` passes a country filter naming one of its two countries.
 * Thresholds apply to the kinds they measure and let the other kinds through: `topN` to events
 * with a rank, `minRankDelta` to `rank_changed`, `minScoreDelta` to `score_changed`,
 * `minPricePercent` to `price_changed`, `significantOnly` to the kinds that carry a significance
 * (only `significant: true` passes; `null`, a board without intervals, does not).
 */
export function matchEvent(filters: Filters, event: FilterableEvent, identity: ResolvedIdentity | null): boolean {
  if (HEALTH_KINDS.includes(event.kind)) {
    if (filters.health !== true) return false;
  }
  if (filters.kinds && !filters.kinds.includes(event.kind)) return false;
  if (filters.boards && !filters.boards.includes(event.board)) return false;
  if (filters.models) {
    if (event.model === null) return false;
    const ids = [event.model, identity?.id].filter((id): id is string => Boolean(id));
    if (!filters.models.some((wanted) => ids.some((id) => same(id, wanted)))) return false;
  }
  if (filters.organizations) {
    const organization = identity?.organization;
    if (!organization || !filters.organizations.some((wanted) => same(wanted, organization))) return false;
  }
  if (filters.countries) {
    const countries = event.kind === 'gap_changed' ? (event.data?.countries ?? []) : identity?.country ? [identity.country] : [];
    if (!countries.some((country) => filters.countries!.includes(country))) return false;
  }
  if (filters.topN !== undefined) {
    const ranks = ranksOf(event).filter((rank) => typeof rank === 'number');
    if (ranks.length > 0 && !ranks.some((rank) => rank <= filters.topN!)) return false;
  }
  if (filters.minRankDelta !== undefined && event.kind === 'rank_changed') {
    if (Math.abs(event.data?.delta ?? 0) < filters.minRankDelta) return false;
  }
  if (filters.minScoreDelta !== undefined && event.kind === 'score_changed') {
    if (Math.abs(event.data?.delta ?? 0) < filters.minScoreDelta) return false;
  }
  if (filters.minPricePercent !== undefined && event.kind === 'price_changed') {
    const percentInput = event.data?.percentInput ?? null;
    const percentOutput = event.data?.percentOutput ?? null;
    const moved = Math.max(Math.abs(percentInput ?? 0), Math.abs(percentOutput ?? 0));
    // A price that appears or disappears (no percentage) is always a large enough change.
    const unmeasured = percentInput === null && percentOutput === null;
    if (!unmeasured && moved < filters.minPricePercent) return false;
  }
  if (filters.significantOnly && event.data !== undefined && 'significant' in event.data) {
    if (event.data.significant !== true) return false;
  }
  return true;
}

/** Model identity for the filters: `identity.resolve` by the board's source. */
export type Identify = (board: string, entry: IdentityInput) => ResolvedIdentity;

/** The model identity the filters read for an event: resolved from its key, name and organization (null for board-level events). */
export function eventIdentity(event: FilterableEvent, identify: Identify | null): ResolvedIdentity | null {
  if (event.model === null || !identify) return null;
  return identify(event.board, { model: event.model, name: event.name, organization: organizationOf(event) });
}

/** Events grouped into the messages they make: one per change set (snapshot); an event without one is its own. In first-seen order. */
export function groupByChangeSet<T extends { id: number; snapshotId: number | null }>(events: readonly T[]): T[][] {
  const groups = new Map<string, T[]>();
  for (const event of events) {
    const key = event.snapshotId === null ? `event:${event.id}` : `set:${event.snapshotId}`;
    groups.set(key, [...(groups.get(key) ?? []), event]);
  }
  return [...groups.values()];
}
