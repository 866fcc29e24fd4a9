import { and, desc, eq, gt, gte, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { standingEntry } from '../db/queries.ts';
import { boards, events, scrapes, snapshots } from '../db/schema.ts';
import type { GapSide } from '../diff/aggregates.ts';
import type { ChangeSet, SnapshotTraits } from '../diff/change-set.ts';
import { summarizeChangeSet } from '../diff/change-set.ts';
import { DEFAULT_SETTLE } from '../diff/settle.ts';
import { EntrySchema, sameEntry, type Entry, type StoredEntry } from '../entry.ts';
import { assignBoardKeys } from './board-keys.ts';
import type { CaptureInput, CaptureResult } from './capture.ts';
import { eventColumns, toChangeEvent } from './event-rows.ts';
import { entriesHash } from './hash.ts';
import { checkHealth } from './health.ts';
import { extendsStreak, SEEN, streakTimes, type ScrapeEntry, type ScrapeRow, type ScrapeStatus } from './scrape-log.ts';
import { databaseHistory, formatAtFrom, observeIn, type BoardContext, type BoardHistory, type PendingRow } from './settling.ts';
import { insertStandings, rowsCovering, standingValues } from './standings.ts';
import { scrapeEntryOf, snapshotValues } from './store.ts';
import { lockBoard, rowsOf, type OnAnnounced, type Tx } from './tx.ts';

// An import of many files of one board, newer than anything stored of it, derived in memory and
// written whole: the same rows `applyCapture` file by file would write (the same ids, in the same
// order), in a few statements instead of some twenty per file. Each capture goes through the same
// `observeIn` as a capture stored alone, on a BoardHistory kept in memory. A capture the batch
// does not handle (older than stored history, at the time of another, failing the health checks,
// in another format than the one before it) ends the batch: the caller stores it alone.

type SnapshotRow = typeof snapshots.$inferSelect;

/** An event row of the batch (`id` provisional until written) or a stored one it settled. */
interface EventRow extends PendingRow {
  key: string;
  status: string;
  settledAt: Date | null;
  /** A stored row: written by an update of its status (and of `old` and `data` when rebased). */
  stored: boolean;
  rebased: boolean;
  touched: boolean;
}

/** A standings row of the batch (`id` null) or a stored one it closed. */
interface BatchStanding {
  id: number | null;
  entry: StoredEntry;
  validFrom: Date;
  validTo: Date | null;
}

/** What `importBatch` did: the results of the captures it stored, in order; `stored` of them (the rest were not tried). */
export interface BatchOutcome {
  results: CaptureResult[];
  stored: number;
  /** Why the batch ended before the capture after the last stored (null: every capture was stored). */
  stoppedBy: string | null;
  /** The newest time known of the board after the batch: a capture not newer is stored alone. */
  newest: Date | null;
}

/** Provisional ids of the batch: above any stored id, in the order the rows would have been written. */
const PROVISIONAL = 2 ** 50;

/**
 * Stores `inputs` (captures of one board, in time order, all newer than its stored history) in one
 * transaction. Stops before the first capture it does not handle, with the reason; the captures
 * before it are stored. The board's lock is held throughout.
 */
export async function importBatch(db: Db, inputs: readonly CaptureInput[], shouldStop: () => boolean = () => false): Promise<BatchOutcome> {
  const board = inputs[0]?.board;
  if (board === undefined) return { results: [], stored: 0, stoppedBy: null, newest: null };
  return db.transaction(async (tx) => {
    await lockBoard(tx, board);
    const batch = await Batch.load(tx, board);
    const results: CaptureResult[] = [];
    let stoppedBy: string | null = null;
    for (const input of inputs) {
      if (input.board !== board || input.origin !== 'import') throw new Error('a batch holds imports of one board');
      const why = shouldStop() ? 'stopped' : batch.refusal(input);
      if (why) {
        stoppedBy = why;
        break;
      }
      const result = await batch.apply(input);
      if (!result) {
        stoppedBy = 'needs storing alone';
        break;
      }
      results.push(result);
    }
    if (results.length > 0) await batch.write(results);
    return { results, stored: results.length, stoppedBy, newest: batch.newest() };
  });
}

class Batch {
  readonly tx: Tx;
  readonly board: string;
  /** The newest time known of the board before the batch (snapshots, scrapes, quarantines). */
  readonly newestStored: Date | null;
  previous: SnapshotRow | undefined;
  /** The board's standings now, by model. */
  current = new Map<string, BatchStanding>();
  readonly standingRows: BatchStanding[] = [];
  readonly closedStored: BatchStanding[] = [];
  readonly snapshotRows: SnapshotRow[] = [];
  /** Stored snapshots whose change set the batch re-summed, by id. */
  readonly storedChangeSets = new Map<number, ChangeSet>();
  /** Events of stored snapshots the batch touches, by snapshot, read once. */
  readonly storedSnapshotEvents = new Map<number, { events: EventRow[]; changeSet: ChangeSet | null }>();
  readonly eventRows: EventRow[] = [];
  /** Stored pending events and the batch's, by id. */
  readonly byId = new Map<number, EventRow>();
  readonly keys = new Set<string>();
  /** Scrape-log rows: the stored ones a query may still need, then the batch's (provisional ids). */
  readonly scrapeRows: (ScrapeRow & { stored: boolean; extended: boolean })[] = [];
  /** Snapshot times and formats, stored (from the one in force at the oldest stored pending change) then the batch's. */
  readonly formats: { capturedAt: Date; format: string | null }[] = [];
  /** The newest stored gap_changed announced, and the first stored snapshot's gap. */
  storedGap: { capturedAt: Date; id: number; gap: GapSide } | null = null;
  firstGap: GapSide | null | undefined;
  readonly announcements: { onAnnounced: OnAnnounced; ids: number[] }[] = [];
  nextId = PROVISIONAL;
  firstSeen: Date | null = null;

  private constructor(tx: Tx, board: string, newestStored: Date | null) {
    this.tx = tx;
    this.board = board;
    this.newestStored = newestStored;
  }

  static async load(tx: Tx, board: string): Promise<Batch> {
    // In epoch milliseconds: the same number from both drivers.
    const [newest] = rowsOf(
      await tx.execute(sql`
        select (extract(epoch from greatest(
          (select max(captured_at) from snapshots where board_id = ${board}),
          (select max(last_captured_at) from scrapes where board_id = ${board}),
          (select max(captured_at) from quarantines where board_id = ${board}))) * 1000)::float8 as at`),
    );
    const newestStored = newest?.at === null || newest?.at === undefined ? null : new Date(Number(newest.at));
    const batch = new Batch(tx, board, newestStored);
    if (!newestStored) return batch;
    const history = databaseHistory(tx, board);
    const [[previous], covering, pending, [lastScrape], [published]] = await Promise.all([
      tx.select().from(snapshots).where(eq(snapshots.boardId, board)).orderBy(desc(snapshots.capturedAt)).limit(1),
      rowsCovering(tx, board, newestStored),
      history.pendingUpTo(newestStored),
      tx.select().from(scrapes).where(eq(scrapes.boardId, board)).orderBy(desc(scrapes.ranAt), desc(scrapes.id)).limit(1),
      // The newest announced gap change; pending ones are among `pending`, which the batch may settle.
      tx
        .select({ id: events.id, capturedAt: events.capturedAt, new: events.new })
        .from(events)
        .where(and(eq(events.boardId, board), eq(events.kind, 'gap_changed'), eq(events.status, 'published')))
        .orderBy(desc(events.capturedAt), desc(events.id))
        .limit(1),
    ]);
    if (published) batch.storedGap = { id: published.id, capturedAt: published.capturedAt, gap: published.new as GapSide };
    batch.previous = previous;
    for (const row of covering.values()) batch.current.set(row.model, { id: row.id, entry: standingEntry(row), validFrom: row.validFrom, validTo: row.validTo });
    for (const row of pending) {
      const event: EventRow = { ...row, key: '', status: 'pending', settledAt: null, stored: true, rebased: false, touched: false };
      batch.byId.set(row.id, event);
    }
    // The settling window looks back to the oldest change still pending: the observations and
    // formats from there on, and always the newest row (a streak the batch may extend).
    const oldest = pending.reduce<Date>((min, row) => (row.capturedAt < min ? row.capturedAt : min), newestStored);
    const [seen, formats] = await Promise.all([
      tx
        .select()
        .from(scrapes)
        .where(and(eq(scrapes.boardId, board), gt(scrapes.lastCapturedAt, oldest))),
      tx
        .select({ capturedAt: snapshots.capturedAt, format: snapshots.format })
        .from(snapshots)
        .where(
          and(
            eq(snapshots.boardId, board),
            gte(
              snapshots.capturedAt,
              sql`coalesce((select max(${snapshots.capturedAt}) from ${snapshots} where ${snapshots.boardId} = ${board} and ${snapshots.capturedAt} <= ${oldest.toISOString()}::timestamptz), '-infinity'::timestamptz)`,
            ),
          ),
        )
        .orderBy(snapshots.capturedAt),
    ]);
    const ids = new Set(seen.map((row) => row.id));
    for (const row of lastScrape && !ids.has(lastScrape.id) ? [...seen, lastScrape] : seen) batch.scrapeRows.push({ ...row, stored: true, extended: false });
    batch.scrapeRows.sort((a, b) => a.ranAt.getTime() - b.ranAt.getTime() || a.id - b.id);
    batch.formats.push(...formats);
    const [first] = await tx.select({ changeSet: snapshots.changeSet }).from(snapshots).where(eq(snapshots.boardId, board)).orderBy(snapshots.capturedAt).limit(1);
    batch.firstGap = first ? (first.changeSet?.gap ?? null) : undefined;
    return batch;
  }

  /** The newest time known of the board: stored, or derived by the batch. */
  newest(): Date | null {
    const last = this.snapshotRows.at(-1)?.capturedAt ?? null;
    return [this.newestStored, last, this.scrapeRows.at(-1)?.lastCapturedAt ?? null].reduce<Date | null>((max, time) => (time && (!max || time > max) ? time : max), null);
  }

  /** Why `input` cannot join the batch (null: it can, as far as can be told before deriving it). */
  refusal(input: CaptureInput): string | null {
    const newest = this.newest();
    if (newest && input.capturedAt <= newest) return `not newer than the board's history (${newest.toISOString()})`;
    return null;
  }

  private provisional(): number {
    return this.nextId++;
  }

  /** Stores one capture in memory as applyCapture would; null when it must be stored alone (nothing of it was kept). */
  async apply(input: CaptureInput): Promise<CaptureResult | null> {
    const { board, capturedAt: at } = input;
    // An entry the contract refuses fails its file alone (applyCapture says why).
    if (!input.entries.every((entry) => EntrySchema.safeParse(entry).success)) return null;
    const ranAt = input.ranAt ?? new Date();
    const previous = this.previous;
    const previousEntries = [...this.current.values()].map((row) => row.entry);
    const entries: StoredEntry[] = input.boardKey ? assignBoardKeys(input.entries, previousEntries, input.boardKey) : input.entries;
    const hash = entriesHash(entries);
    const switched = previous && previousEntries.length > 0 && previous.format !== null && input.format !== null && previous.format !== input.format;
    if (previous?.entriesHash !== hash) {
      const reasons = checkHealth(entries, input.format, previous ? { entries: previousEntries, format: previous.format } : null, input.health ?? { direction: 'higher' });
      if (reasons.length > 0 || switched) return null;
    }
    const onAnnounced = input.onAnnounced ?? null;
    const context: BoardContext = { board, direction: input.health?.direction ?? 'higher', attribute: input.attribute, window: input.settle ?? DEFAULT_SETTLE, onAnnounced };
    const nothing = { events: [], pending: 0, suppressed: 0, changeSet: null, insertedBefore: null, reasons: [], quarantineId: null };
    const log = scrapeEntryOf(input, ranAt);
    const history = this.history();
    if (previous && previous.entriesHash === hash) {
      this.logScrape({ ...log, status: 'unchanged', snapshotId: previous.id });
      const settled = await observeIn(history, context, { at, entries: null, snapshot: null });
      return { status: 'unchanged', snapshotId: previous.id, rowCount: input.entries.length, ...nothing, events: settled.published, pending: settled.pending, suppressed: settled.suppressed };
    }
    this.writeInterval(at, entries);
    const snapshot: SnapshotRow = { id: this.provisional(), ...snapshotValues(input, entries, hash), changeSet: null, createdAt: new Date() };
    this.snapshotRows.push(snapshot);
    this.formats.push({ capturedAt: at, format: input.format });
    const status = previous ? ('changed' as const) : ('first' as const);
    const shown = { id: snapshot.id, previous: previousEntries, columnsBefore: previous?.columns ?? null, columnsAfter: input.columns ?? null, formatBefore: previous?.format ?? null, formatAfter: input.format };
    const settled = await observeIn(history, context, { at, entries, snapshot: shown });
    this.logScrape({ ...log, status, snapshotId: snapshot.id });
    this.previous = snapshot;
    if (!this.firstSeen || at < this.firstSeen) this.firstSeen = at;
    return {
      status,
      snapshotId: snapshot.id,
      rowCount: input.entries.length,
      ...nothing,
      events: settled.published,
      pending: settled.pending,
      suppressed: settled.suppressed,
      changeSet: settled.changeSet,
    };
  }

  /** writeInterval (standings.ts) for a capture newer than every period: close what changed, open what is new. */
  private writeInterval(at: Date, entries: readonly Entry[]): void {
    const next = new Map(entries.map((entry) => [entry.model, entry]));
    for (const model of new Set([...this.current.keys(), ...next.keys()])) {
      const held = this.current.get(model);
      const entry = next.get(model);
      if (held && entry && sameEntry(held.entry, entry)) continue;
      if (held) {
        held.validTo = at;
        if (held.id !== null) this.closedStored.push(held);
        this.current.delete(model);
      }
      if (!entry) continue;
      // The fields a standings row keeps, as reading it back gives them (standingEntry).
      const { sourceKey = null, rank, model: key, name, organization, score, scoreLower, scoreUpper, votes, priceInput, priceOutput } = entry as StoredEntry;
      const stored: StoredEntry = { sourceKey, rank, model: key, name, organization, score, scoreLower, scoreUpper, votes, priceInput, priceOutput };
      const row: BatchStanding = { id: null, entry: stored, validFrom: at, validTo: null };
      this.standingRows.push(row);
      this.current.set(model, row);
    }
  }

  /** logScrape (scrape-log.ts) in memory: a repeat of the newest row extends its streak. */
  private logScrape(entry: ScrapeEntry): void {
    const newest = this.scrapeRows.at(-1);
    if (extendsStreak(newest, entry)) {
      newest.lastRanAt = entry.ranAt;
      newest.lastCapturedAt = entry.capturedAt;
      newest.count += 1;
      if (newest.stored) newest.extended = true;
      return;
    }
    this.scrapeRows.push({
      id: this.provisional(),
      httpStatus: null,
      contentHash: null,
      rowCount: null,
      error: null,
      source: null,
      etag: null,
      lastModified: null,
      durationMs: null,
      snapshotId: null,
      quarantineId: null,
      ...entry,
      lastRanAt: entry.ranAt,
      lastCapturedAt: entry.capturedAt,
      count: 1,
      stored: false,
      extended: false,
    } as ScrapeRow & { stored: boolean; extended: boolean });
  }

  /** The board's history as the batch holds it: the stored history before it, the batch's own after. */
  private history(): BoardHistory {
    return {
      formatSwitchAt: async () => {
        throw new Error('a format switch is stored alone, not in a batch');
      },
      gapBaseline: async (before) => {
        let best: { capturedAt: Date; id: number; gap: GapSide } | null = this.storedGap && this.storedGap.capturedAt <= before ? this.storedGap : null;
        for (const event of [...this.byId.values()]) {
          if (event.kind !== 'gap_changed' || (event.status !== 'published' && event.status !== 'pending') || event.capturedAt > before) continue;
          if (!best || event.capturedAt > best.capturedAt || (event.capturedAt.getTime() === best.capturedAt.getTime() && event.id > best.id)) {
            best = { capturedAt: event.capturedAt, id: event.id, gap: event.new as GapSide };
          }
        }
        if (best) return best.gap;
        if (this.firstGap !== undefined) return this.firstGap;
        return this.snapshotRows[0]?.changeSet?.gap ?? null;
      },
      insertEvents: async (snapshotId, at, found, status) => {
        const ids: number[] = [];
        for (const event of found) {
          const columns = eventColumns(this.board, at, event);
          if (this.keys.has(columns.key)) continue;
          this.keys.add(columns.key);
          const row: EventRow = {
            id: this.provisional(),
            ...columns,
            snapshotId,
            capturedAt: at,
            status,
            settledAt: status === 'published' ? at : null,
            stored: false,
            rebased: false,
            touched: false,
          };
          this.eventRows.push(row);
          this.byId.set(row.id, row);
          ids.push(row.id);
        }
        return ids;
      },
      pendingUpTo: async (at) => [...this.byId.values()].filter((row) => row.status === 'pending' && row.capturedAt <= at),
      observationTimes: async (after, upTo) =>
        this.scrapeRows
          .filter((row) => SEEN.includes(row.status as ScrapeStatus) && row.lastCapturedAt > after && row.capturedAt <= upTo)
          .flatMap((row) => streakTimes(row.capturedAt, row.lastCapturedAt, row.count))
          .filter((time) => time > after && time <= upTo),
      formatTimeline: async (_from, to) => formatAtFrom(this.formats.filter((row) => row.capturedAt <= to)),
      boardAt: async () => [...this.current.values()].map((row) => row.entry),
      settleEvents: async (at, settled, rebased) => {
        for (const { id, status } of settled) {
          const row = this.byId.get(id)!;
          row.status = status;
          row.settledAt = at;
          row.touched = true;
        }
        for (const event of rebased) {
          const row = this.byId.get(event.id)!;
          Object.assign(row, { status: 'published', settledAt: at, old: event.old, data: event.data ?? null, rebased: true, touched: true });
        }
      },
      refreshChangeSets: (snapshotIds, traits) => this.refreshChangeSets(snapshotIds, traits),
      announce: async (onAnnounced, ids) => {
        this.announcements.push({ onAnnounced, ids: [...ids] });
      },
    };
  }

  /** refreshChangeSets (event-rows.ts) on the batch's rows, and on stored snapshots' rows read once. */
  private async refreshChangeSets(snapshotIds: Iterable<number>, traits: ReadonlyMap<number, SnapshotTraits>): Promise<Map<number, ChangeSet>> {
    const refreshed = new Map<number, ChangeSet>();
    for (const id of new Set(snapshotIds)) {
      let shotTraits: SnapshotTraits | null;
      let own: EventRow[];
      const batchShot = this.snapshotRows.find((row) => row.id === id);
      if (batchShot) {
        shotTraits = traits.get(id) ?? batchShot.changeSet;
        own = this.eventRows.filter((row) => row.snapshotId === id);
      } else {
        const stored = await this.storedSnapshot(id);
        shotTraits = traits.get(id) ?? this.storedChangeSets.get(id) ?? stored.changeSet;
        own = stored.events;
      }
      if (!shotTraits) continue;
      const kept = own.filter((row) => row.status !== 'retracted');
      const published = kept.filter((row) => row.status === 'published').map((row) => toChangeEvent({ ...row, old: null, new: null }));
      const pending = kept.filter((row) => row.status === 'pending').length;
      const changeSet = summarizeChangeSet(this.board, shotTraits, published, { pending, suppressed: kept.length - published.length - pending });
      if (batchShot) batchShot.changeSet = changeSet;
      else this.storedChangeSets.set(id, changeSet);
      refreshed.set(id, changeSet);
    }
    return refreshed;
  }

  /** A stored snapshot's change set and events, read at its first refresh; its pending events are the batch's rows. */
  private async storedSnapshot(id: number): Promise<{ events: EventRow[]; changeSet: ChangeSet | null }> {
    const known = this.storedSnapshotEvents.get(id);
    if (known) return known;
    const [[shot], rows] = await Promise.all([
      this.tx.select({ changeSet: snapshots.changeSet }).from(snapshots).where(eq(snapshots.id, id)),
      this.tx
        .select({ id: events.id, snapshotId: events.snapshotId, capturedAt: events.capturedAt, kind: events.kind, model: events.model, name: events.name, data: events.data, status: events.status })
        .from(events)
        .where(eq(events.snapshotId, id))
        .orderBy(events.id),
    ]);
    const own = rows.map(
      (row): EventRow => this.byId.get(row.id) ?? { ...row, key: '', old: null, new: null, settledAt: null, stored: true, rebased: false, touched: false },
    );
    const read = { events: own, changeSet: shot?.changeSet ?? null };
    this.storedSnapshotEvents.set(id, read);
    return read;
  }

  /** Writes what the batch derived, then hands its announcements to the outbox; results get their real ids. */
  async write(results: CaptureResult[]): Promise<void> {
    const { tx, board } = this;
    const real = new Map<number, number>();
    const idOf = (id: number | null) => (id === null ? null : id >= PROVISIONAL ? real.get(id)! : id);
    if (this.snapshotRows.length > 0) {
      const inserted = await tx
        .insert(snapshots)
        .values(this.snapshotRows.map(({ id: _id, createdAt: _created, ...row }) => row))
        .returning({ id: snapshots.id });
      inserted.forEach((row, i) => real.set(this.snapshotRows[i]!.id, row.id));
    }
    if (this.closedStored.length > 0) {
      const json = JSON.stringify(this.closedStored.map((row) => ({ id: row.id, validTo: row.validTo!.toISOString() })));
      await tx.execute(sql`update standings set valid_to = x."validTo" from jsonb_to_recordset(${json}::jsonb) as x(id bigint, "validTo" timestamptz) where standings.id = x.id`);
    }
    await insertStandings(
      tx,
      this.standingRows.map((row) => standingValues(board, row.entry, row.validFrom, row.validTo)),
    );
    if (this.eventRows.length > 0) {
      const json = JSON.stringify(
        this.eventRows.map((row) => ({
          key: row.key,
          snapshotId: idOf(row.snapshotId),
          kind: row.kind,
          model: row.model,
          name: row.name,
          capturedAt: row.capturedAt.toISOString(),
          old: row.old,
          new: row.new,
          data: row.data,
          status: row.status,
          settledAt: row.settledAt?.toISOString() ?? null,
        })),
      );
      const inserted = rowsOf(
        await tx.execute(sql`
          insert into events (created_at, updated_at, key, board_id, snapshot_id, kind, model, name, captured_at, old, new, data, status, settled_at)
          select now(), clock_timestamp(), key, ${board}::text, "snapshotId", kind, model, name, "capturedAt", old, new, data, status, "settledAt"
          from rows from (jsonb_to_recordset(${json}::jsonb) as (key text, "snapshotId" bigint, kind text, model text, name text, "capturedAt" timestamptz, old jsonb, new jsonb, data jsonb, status text, "settledAt" timestamptz))
            with ordinality as x(key, "snapshotId", kind, model, name, "capturedAt", old, new, data, status, "settledAt", n)
          order by n
          returning id, key`),
      );
      const byKey = new Map(inserted.map((row) => [String(row.key), Number(row.id)]));
      for (const row of this.eventRows) {
        const id = byKey.get(row.key);
        if (id === undefined) throw new Error(`event ${row.key} was not written`);
        real.set(row.id, id);
      }
    }
    const settledStored = [...this.byId.values()].filter((row) => row.stored && row.touched);
    if (settledStored.length > 0) {
      const json = JSON.stringify(settledStored.map((row) => ({ id: row.id, status: row.status, settledAt: row.settledAt?.toISOString() ?? null, rebased: row.rebased, old: row.old, data: row.data })));
      await tx.execute(sql`
        update events set status = x.status, settled_at = x."settledAt", updated_at = clock_timestamp(),
          old = case when x.rebased then x.old else events.old end, data = case when x.rebased then x.data else events.data end
        from jsonb_to_recordset(${json}::jsonb) as x(id bigint, status text, "settledAt" timestamptz, rebased boolean, old jsonb, data jsonb)
        where events.id = x.id`);
    }
    for (const row of this.scrapeRows.filter((scrape) => scrape.stored && scrape.extended)) {
      await tx.update(scrapes).set({ lastRanAt: row.lastRanAt, lastCapturedAt: row.lastCapturedAt, count: row.count }).where(eq(scrapes.id, row.id));
    }
    const newScrapes = this.scrapeRows.filter((scrape) => !scrape.stored);
    if (newScrapes.length > 0) {
      await tx.insert(scrapes).values(newScrapes.map(({ id: _id, stored: _stored, extended: _extended, ...row }) => ({ ...row, snapshotId: idOf(row.snapshotId) })));
    }
    for (const [id, changeSet] of this.storedChangeSets) await tx.update(snapshots).set({ changeSet }).where(eq(snapshots.id, id));
    if (this.firstSeen) {
      await tx
        .update(boards)
        .set({ firstSeenAt: sql`least(${boards.firstSeenAt}, ${this.firstSeen.toISOString()}::timestamptz)` })
        .where(eq(boards.id, board));
    }
    for (const { onAnnounced, ids } of this.announcements) await onAnnounced(tx, ids.map((id) => idOf(id)!));
    for (const result of results) result.snapshotId = idOf(result.snapshotId);
  }
}

