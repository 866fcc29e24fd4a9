import { and, asc, desc, eq, gt, gte, inArray, isNotNull, isNull, lt, lte, or, sql } from 'drizzle-orm';
import { events, snapshots, standings } from '../db/schema.ts';
import { bestByGroup, countryGap, gapEvent, gapSide, type Attribution, type GapSide } from '../diff/aggregates.ts';
import { snapshotTraits, type ChangeSet, type SnapshotTraits } from '../diff/change-set.ts';
import { diff, type FormatSwitch } from '../diff/diff.ts';
import type { ChangeEvent } from '../diff/events.ts';
import { IMMEDIATE_KINDS, settle, type HeldEvent, type SettleWindow } from '../diff/settle.ts';
import type { Direction, Entry } from '../entry.ts';
import { insertEvents, refreshChangeSets, toChangeEvent, type KnownEvents } from './event-rows.ts';
import { observationTimes } from './scrape-log.ts';
import { boardAt } from './standings.ts';
import { arrayParam, INSERT_CHUNK, rowsOf, type OnAnnounced, type Tx } from './tx.ts';

/** What the settling of one board needs to know about it. */
export interface BoardContext {
  board: string;
  direction: Direction;
  attribute: Attribution | undefined;
  window: SettleWindow;
  /** Hears the events announced (not while replaying). */
  onAnnounced: OnAnnounced | null;
  /** History is being derived again (a capture inserted before it): nothing is sent to subscribers. */
  replaying?: boolean;
  /** While re-deriving: the events derived before, whose ids re-derived events with the same key keep. */
  known?: KnownEvents;
}

/** One observation of a board on its way through the settling window. */
export interface ObservationInput {
  at: Date;
  /** The board at `at`; loaded on demand for unchanged captures. */
  entries: readonly Entry[] | null;
  /** Set when the observation is a new snapshot: the board before it and the score's columns on both sides. */
  snapshot: {
    id: number;
    previous: readonly Entry[];
    columnsBefore: string[] | null;
    columnsAfter: string[] | null;
    /** The formats of the snapshot before and of this one: a switch is diffed on what both can show. */
    formatBefore: string | null;
    formatAfter: string | null;
  } | null;
}

export interface ObservationOutcome {
  published: ChangeEvent[];
  pending: number;
  suppressed: number;
  changeSet: ChangeSet | null;
}

function gapOf(context: BoardContext, entries: readonly Entry[]): GapSide | null {
  if (!context.attribute) return null;
  const gap = countryGap(bestByGroup(entries, context.attribute, 'country', context.direction), 'US', 'CN', context.direction);
  return gap ? gapSide(gap, 'US', 'CN') : null;
}

/**
 * The board's newest announced (or settling) `gap_changed` at or before `before`: one step down the
 * events index on (board, kind, time), however long the board's history.
 */
export function lastGapQuery(tx: Tx, board: string, before: Date) {
  return tx
    .select({ new: events.new })
    .from(events)
    .where(and(eq(events.boardId, board), eq(events.kind, 'gap_changed'), inArray(events.status, ['published', 'pending']), lte(events.capturedAt, before)))
    .orderBy(desc(events.capturedAt), desc(events.id))
    .limit(1);
}

/** The gap `gap_changed` is measured from: the newest announced (or settling) one, else the first snapshot's. */
async function gapBaseline(tx: Tx, board: string, before: Date): Promise<GapSide | null> {
  const [last] = await lastGapQuery(tx, board, before);
  if (last) return last.new as GapSide;
  const [first] = await tx
    .select({ changeSet: snapshots.changeSet })
    .from(snapshots)
    .where(eq(snapshots.boardId, board))
    .orderBy(asc(snapshots.capturedAt))
    .limit(1);
  return first?.changeSet?.gap ?? null;
}

/**
 * What a format switch at `at` needs to know of the board's past (see `FormatSwitch`): which of the
 * models only the new capture lists the board listed before, and which of the models only the
 * previous snapshot lists the new format's own latest earlier capture listed.
 */
async function formatSwitchAt(tx: Tx, board: string, at: Date, previous: readonly Entry[], next: readonly Entry[], format: string): Promise<FormatSwitch> {
  const before = new Set(previous.map((entry) => entry.model));
  const after = new Set(next.map((entry) => entry.model));
  const onlyNew = next.filter((entry) => !before.has(entry.model)).map((entry) => entry.model);
  const onlyOld = previous.filter((entry) => !after.has(entry.model)).map((entry) => entry.model);
  const listedBefore = new Set<string>();
  for (let i = 0; i < onlyNew.length; i += INSERT_CHUNK) {
    const rows = await tx
      .selectDistinct({ model: standings.model })
      .from(standings)
      .where(and(eq(standings.boardId, board), inArray(standings.model, onlyNew.slice(i, i + INSERT_CHUNK)), lt(standings.validFrom, at)));
    for (const row of rows) listedBefore.add(row.model);
  }
  const [lastOfFormat] = await tx
    .select({ capturedAt: snapshots.capturedAt })
    .from(snapshots)
    .where(and(eq(snapshots.boardId, board), eq(snapshots.format, format), lt(snapshots.capturedAt, at)))
    .orderBy(desc(snapshots.capturedAt))
    .limit(1);
  const listedByNewFormat = new Set<string>();
  if (lastOfFormat) {
    const then = lastOfFormat.capturedAt;
    for (let i = 0; i < onlyOld.length; i += INSERT_CHUNK) {
      const rows = await tx
        .select({ model: standings.model })
        .from(standings)
        .where(
          and(
            eq(standings.boardId, board),
            inArray(standings.model, onlyOld.slice(i, i + INSERT_CHUNK)),
            lte(standings.validFrom, then),
            or(isNull(standings.validTo), gt(standings.validTo, then)),
          ),
        );
      for (const row of rows) listedByNewFormat.add(row.model);
    }
  }
  return { listedBefore, listedByNewFormat };
}

/**
 * The format the board was shown in at any time from `from` to `to`: that of the snapshot in force
 * then (an unchanged capture or a 304 showed that snapshot). Reads only the snapshots of that span.
 */
async function formatTimeline(tx: Tx, board: string, from: Date, to: Date): Promise<(time: Date) => string | null> {
  const rows = await tx
    .select({ capturedAt: snapshots.capturedAt, format: snapshots.format })
    .from(snapshots)
    .where(
      and(
        eq(snapshots.boardId, board),
        lte(snapshots.capturedAt, to),
        gte(
          snapshots.capturedAt,
          sql`coalesce((select max(${snapshots.capturedAt}) from ${snapshots} where ${snapshots.boardId} = ${board} and ${snapshots.capturedAt} <= ${from.toISOString()}::timestamptz), '-infinity'::timestamptz)`,
        ),
      ),
    )
    .orderBy(asc(snapshots.capturedAt));
  return formatAtFrom(rows);
}

/** The format in force at a time, from snapshot times and formats in time order (null: before the first). */
export function formatAtFrom(rows: readonly { capturedAt: Date; format: string | null }[]): (time: Date) => string | null {
  return (time) => {
    let format: string | null = null;
    for (const row of rows) {
      if (row.capturedAt.getTime() > time.getTime()) break;
      format = row.format;
    }
    return format;
  };
}

/** A stored change still inside its settling window, as `observe` reads it. */
export interface PendingRow {
  id: number;
  snapshotId: number | null;
  capturedAt: Date;
  kind: string;
  model: string | null;
  name: string | null;
  old: unknown;
  new: unknown;
  data: unknown;
}

/**
 * What an observation reads and writes of its board's history: the database, in the capture's
 * transaction (`databaseHistory`), or an import's batch of captures held in memory until it is
 * written whole (src/ingest/import-batch.ts). One `observe` serves both, so both derive the same.
 */
export interface BoardHistory {
  formatSwitchAt(at: Date, previous: readonly Entry[], next: readonly Entry[], format: string): Promise<FormatSwitch>;
  /** The gap `gap_changed` is measured from at `before`. */
  gapBaseline(before: Date): Promise<GapSide | null>;
  /** Stores changes found at `at`; the ids of those stored (a key stored already is skipped). */
  insertEvents(snapshotId: number, at: Date, found: readonly ChangeEvent[], status: 'published' | 'pending', known?: KnownEvents): Promise<number[]>;
  /** Every change of the board still pending, found at or before `at`. */
  pendingUpTo(at: Date): Promise<PendingRow[]>;
  observationTimes(after: Date, upTo: Date): Promise<Date[]>;
  formatTimeline(from: Date, to: Date): Promise<(time: Date) => string | null>;
  boardAt(at: Date): Promise<Entry[]>;
  /** Settles changes at `at`: `settled` as found (announced or dropped), `rebased` announced with their new `old` and `data`. */
  settleEvents(at: Date, settled: readonly { id: number; status: string }[], rebased: readonly HeldEvent[]): Promise<void>;
  refreshChangeSets(snapshotIds: Iterable<number>, traits: ReadonlyMap<number, SnapshotTraits>): Promise<Map<number, ChangeSet>>;
  /** Hands announced events to `onAnnounced` (the outbox). */
  announce(onAnnounced: OnAnnounced, ids: readonly number[]): Promise<void>;
}

/** The board's history in the database, read and written in `tx`. */
export function databaseHistory(tx: Tx, board: string): BoardHistory {
  return {
    formatSwitchAt: (at, previous, next, format) => formatSwitchAt(tx, board, at, previous, next, format),
    gapBaseline: (before) => gapBaseline(tx, board, before),
    insertEvents: (snapshotId, at, found, status, known) => insertEvents(tx, board, snapshotId, at, found, status, known),
    pendingUpTo: (at) =>
      tx
        .select({ id: events.id, snapshotId: events.snapshotId, capturedAt: events.capturedAt, kind: events.kind, model: events.model, name: events.name, old: events.old, new: events.new, data: events.data })
        .from(events)
        .where(and(eq(events.boardId, board), eq(events.status, 'pending'), lte(events.capturedAt, at))),
    observationTimes: (after, upTo) => observationTimes(tx, board, after, upTo),
    formatTimeline: (from, to) => formatTimeline(tx, board, from, to),
    boardAt: (at) => boardAt(tx, board, at),
    async settleEvents(at, settled, rebased) {
      if (settled.length > 0) {
        await tx.execute(sql`
          update events set status = settled.status, settled_at = ${at.toISOString()}::timestamptz, updated_at = clock_timestamp()
          from unnest(${arrayParam(settled.map((row) => row.id), 'bigint')}, ${arrayParam(settled.map((row) => row.status), 'text')}) as settled(id, status)
          where events.id = settled.id`);
      }
      for (const event of rebased) {
        await tx
          .update(events)
          .set({ status: 'published', settledAt: at, old: event.old, data: event.data ?? null, updatedAt: sql`clock_timestamp()` })
          .where(eq(events.id, event.id));
      }
    },
    refreshChangeSets: (snapshotIds, traits) => refreshChangeSets(tx, board, snapshotIds, traits),
    announce: (onAnnounced, ids) => onAnnounced(tx, ids),
  };
}

/**
 * One observation of a board: for a new snapshot, its changes (the diff against the board before
 * it, and the US–China gap against the last announced gap) are stored as pending; then every
 * pending change of the board goes through the settling window (src/diff/settle.ts) and is
 * announced, dropped or kept waiting.
 */
export async function observe(tx: Tx, context: BoardContext, observation: ObservationInput): Promise<ObservationOutcome> {
  return observeIn(databaseHistory(tx, context.board), context, observation);
}

/** `observe` on a board's history wherever it is kept (see BoardHistory). */
export async function observeIn(history: BoardHistory, context: BoardContext, observation: ObservationInput): Promise<ObservationOutcome> {
  const { at } = observation;
  const touched = new Set<number>();
  const traits = new Map<number, SnapshotTraits>();
  const announcedIds: number[] = [];
  let entries = observation.entries;
  const immediate: ChangeEvent[] = [];
  if (observation.snapshot) {
    const { id, previous, formatBefore, formatAfter } = observation.snapshot;
    const current = entries ?? [];
    const switched = previous.length > 0 && formatBefore !== null && formatAfter !== null && formatBefore !== formatAfter;
    const found = diff(previous, current, context.direction, switched ? await history.formatSwitchAt(at, previous, current, formatAfter) : null);
    const gap = gapOf(context, current);
    if (gap && previous.length > 0) {
      const moved = gapEvent(await history.gapBaseline(at), gap, 'US', 'CN');
      if (moved) found.push(moved);
    }
    traits.set(
      id,
      snapshotTraits(previous, current, found, { before: observation.snapshot.columnsBefore, after: observation.snapshot.columnsAfter }, gap, switched ? { from: formatBefore, to: formatAfter } : null),
    );
    immediate.push(...found.filter((event) => IMMEDIATE_KINDS.includes(event.kind)));
    announcedIds.push(...(await history.insertEvents(id, at, immediate, 'published', context.known)));
    await history.insertEvents(id, at, found.filter((event) => !IMMEDIATE_KINDS.includes(event.kind)), 'pending', context.known);
    touched.add(id);
  }

  const held = await history.pendingUpTo(at);
  let verdict: ReturnType<typeof settle> = { publish: [], drop: [] };
  if (held.length > 0) {
    const oldest = held.reduce((min, row) => (row.capturedAt < min ? row.capturedAt : min), at);
    const [times, formatAt, shown] = await Promise.all([history.observationTimes(oldest, at), history.formatTimeline(oldest, at), entries ?? history.boardAt(at)]);
    entries = shown;
    const pending: HeldEvent[] = held.map((row) => ({ ...toChangeEvent(row), id: row.id, capturedAt: row.capturedAt }));
    verdict = settle(pending, { at, entries, gap: gapOf(context, entries), times, formatAt }, context.window);
    const snapshotOf = new Map(held.map((row) => [row.id, row.snapshotId]));
    // Changes announced as found and those dropped share one statement; a rebased one (a held price) gets its own.
    const asFound = new Set(pending);
    const settled = [
      ...verdict.publish.filter((event) => asFound.has(event)).map((event) => ({ id: event.id, status: 'published' })),
      ...verdict.drop.map((drop) => ({ id: drop.event.id, status: drop.status })),
    ];
    await history.settleEvents(at, settled, verdict.publish.filter((published) => !asFound.has(published)));
    for (const id of [...verdict.publish.map((event) => event.id), ...verdict.drop.map((drop) => drop.event.id)]) {
      const snapshotId = snapshotOf.get(id);
      if (snapshotId != null) touched.add(snapshotId);
    }
  }
  const changeSets = await history.refreshChangeSets(touched, traits);
  announcedIds.push(...verdict.publish.map((event) => event.id));
  if (!context.replaying && context.onAnnounced && announcedIds.length > 0) await history.announce(context.onAnnounced, announcedIds);
  const stillPending = held.length - verdict.publish.length - verdict.drop.length;
  return {
    published: [...immediate, ...[...verdict.publish].sort((a, b) => a.id - b.id).map(({ id: _id, capturedAt: _at, ...event }) => event)],
    pending: stillPending,
    suppressed: verdict.drop.length,
    changeSet: observation.snapshot ? (changeSets.get(observation.snapshot.id) ?? null) : null,
  };
}

/**
 * Derives every change of a board again from its stored observations, in time order: after a
 * capture older than stored history was inserted, later changes and their settling may differ.
 */
export async function rederive(tx: Tx, boardContext: BoardContext): Promise<void> {
  const { board } = boardContext;
  // Links already delivered (webhooks, feeds) name event ids: a re-derived event with the key of a
  // stored one keeps its id; an announced event the new history no longer has stays, retracted.
  const stored = await tx.select().from(events).where(and(eq(events.boardId, board), isNotNull(events.snapshotId)));
  const known = new Map(stored.map((row) => [row.key, { id: row.id, createdAt: row.createdAt }]));
  const context: BoardContext = { ...boardContext, replaying: true, known };
  await tx.delete(events).where(and(eq(events.boardId, board), isNotNull(events.snapshotId)));
  const shots = await tx
    .select({ id: snapshots.id, capturedAt: snapshots.capturedAt, columns: snapshots.columns, format: snapshots.format })
    .from(snapshots)
    .where(eq(snapshots.boardId, board))
    .orderBy(asc(snapshots.capturedAt));
  const observed = await observationTimes(tx, board, null, null);
  const byTime = new Map(shots.map((shot) => [shot.capturedAt.getTime(), shot]));
  const times = [...new Set([...shots.map((shot) => shot.capturedAt.getTime()), ...observed.map((time) => time.getTime())])].sort((a, b) => a - b);
  let previous: Entry[] = [];
  let columns: string[] | null = null;
  let format: string | null = null;
  for (const time of times) {
    const shot = byTime.get(time);
    const at = new Date(time);
    if (!shot) {
      if (previous.length > 0) await observe(tx, context, { at, entries: previous, snapshot: null });
      continue;
    }
    const entries = await boardAt(tx, board, at);
    await observe(tx, context, {
      at,
      entries,
      snapshot: { id: shot.id, previous, columnsBefore: columns, columnsAfter: shot.columns, formatBefore: format, formatAfter: shot.format },
    });
    previous = entries;
    columns = shot.columns;
    format = shot.format;
  }
  const derived = new Set(
    rowsOf(await tx.execute(sql`select key from events where board_id = ${board} and snapshot_id is not null`)).map((row) => String(row.key)),
  );
  const retracted = stored.filter((row) => (row.status === 'published' || row.status === 'retracted') && !derived.has(row.key));
  for (let i = 0; i < retracted.length; i += INSERT_CHUNK) {
    await tx.insert(events).values(retracted.slice(i, i + INSERT_CHUNK).map((row) => ({ ...row, status: 'retracted', updatedAt: sql`clock_timestamp()` })));
  }
}
