import { eq, inArray, sql } from 'drizzle-orm';
import { events, snapshots } from '../db/schema.ts';
import { summarizeChangeSet, type ChangeSet, type SnapshotTraits } from '../diff/change-set.ts';
import type { ChangeEvent, EventValues } from '../diff/events.ts';
import { rowsOf, type Tx } from './tx.ts';

function eventKey(board: string, capturedAt: Date, event: ChangeEvent): string {
  return `${board}|${capturedAt.toISOString()}|${event.kind}|${event.model ?? '*'}`;
}

/** The columns of an event found at `capturedAt` that come from the event itself, with its key. */
export function eventColumns(board: string, capturedAt: Date, event: ChangeEvent) {
  return { key: eventKey(board, capturedAt, event), kind: event.kind, model: event.model, name: event.name, old: event.old, new: event.new, data: event.data ?? null };
}

/** Ids (and first-stored times) of events derived before, by key: a re-derived event keeps both. */
export type KnownEvents = ReadonlyMap<string, { id: number; createdAt: Date }>;

/** Writes events found at `capturedAt` (one statement whatever their number); returns the ids of those new. */
export async function insertEvents(
  tx: Tx,
  board: string,
  snapshotId: number | null,
  capturedAt: Date,
  found: readonly ChangeEvent[],
  status: 'published' | 'pending' = 'published',
  known?: KnownEvents,
): Promise<number[]> {
  if (found.length === 0) return [];
  const json = JSON.stringify(
    found.map((event) => {
      const columns = eventColumns(board, capturedAt, event);
      const earlier = known?.get(columns.key);
      return { id: earlier?.id ?? null, createdAt: earlier?.createdAt.toISOString() ?? null, ...columns };
    }),
  );
  const settledAt = status === 'published' ? capturedAt.toISOString() : null;
  // updated_at (feeds' Last-Modified) is the clock at the write, after the board's lock was taken:
  // now() would be the transaction's start, possibly before a write on the board that commits first.
  const inserted = await tx.execute(sql`
    insert into events (id, created_at, updated_at, key, board_id, snapshot_id, kind, model, name, captured_at, old, new, data, status, settled_at)
    select coalesce(id, nextval(pg_get_serial_sequence('events', 'id'))), coalesce("createdAt", now()), clock_timestamp(), key, ${board}::text, ${snapshotId}::bigint, kind, model, name,
      ${capturedAt.toISOString()}::timestamptz, old, new, data, ${status}::text, ${settledAt}::timestamptz
    from jsonb_to_recordset(${json}::jsonb) as x(id bigint, "createdAt" timestamptz, key text, kind text, model text, name text, old jsonb, new jsonb, data jsonb)
    on conflict (key) do nothing
    returning id`);
  return rowsOf(inserted).map((row) => Number(row.id));
}

export function toChangeEvent(row: { kind: string; model: string | null; name: string | null; old: unknown; new: unknown; data: unknown }): ChangeEvent {
  return {
    kind: row.kind as ChangeEvent['kind'],
    model: row.model,
    name: row.name,
    old: row.old as EventValues | null,
    new: row.new as EventValues | null,
    ...(row.data ? { data: row.data as EventValues } : {}),
  } as ChangeEvent;
}

/** Re-sums a snapshot's change set from the fate of its events. */
export async function refreshChangeSets(
  tx: Tx,
  board: string,
  snapshotIds: Iterable<number>,
  known: ReadonlyMap<number, SnapshotTraits> = new Map(),
): Promise<Map<number, ChangeSet>> {
  const ids = [...new Set(snapshotIds)];
  const refreshed = new Map<number, ChangeSet>();
  if (ids.length === 0) return refreshed;
  const stored = ids.filter((id) => !known.has(id));
  const shots: { id: number; changeSet: SnapshotTraits | null }[] = [
    ...[...known].filter(([id]) => ids.includes(id)).map(([id, changeSet]) => ({ id, changeSet })),
    ...(stored.length ? await tx.select({ id: snapshots.id, changeSet: snapshots.changeSet }).from(snapshots).where(inArray(snapshots.id, stored)) : []),
  ];
  const rows = await tx
    .select({ snapshotId: events.snapshotId, kind: events.kind, model: events.model, name: events.name, data: events.data, status: events.status })
    .from(events)
    .where(inArray(events.snapshotId, ids))
    // In id order (the order they were found): two new leaders are named in the diff's order.
    .orderBy(events.id);
  const writes: Promise<unknown>[] = [];
  for (const shot of shots) {
    if (!shot.changeSet) continue;
    // Retracted events are history a backfill replaced: not part of what the snapshot brought.
    const own = rows.filter((row) => row.snapshotId === shot.id && row.status !== 'retracted');
    const published = own.filter((row) => row.status === 'published').map((row) => toChangeEvent({ ...row, old: null, new: null }));
    const pending = own.filter((row) => row.status === 'pending').length;
    const suppressed = own.length - published.length - pending;
    const changeSet = summarizeChangeSet(board, shot.changeSet, published, { pending, suppressed });
    writes.push(tx.update(snapshots).set({ changeSet }).where(eq(snapshots.id, shot.id)).execute());
    refreshed.set(shot.id, changeSet);
  }
  await Promise.all(writes);
  return refreshed;
}
