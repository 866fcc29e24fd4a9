import { and, desc, eq, gte, lte } from 'drizzle-orm';
import { quarantines, scrapes, snapshots } from '../db/schema.ts';
import type { ChangeEvent } from '../diff/events.ts';
import type { StoredEntry } from '../entry.ts';
import type { CaptureInput } from './capture.ts';
import { insertEvents } from './event-rows.ts';
import type { OnAnnounced, Tx } from './tx.ts';

type Quarantined = { id: number; reasons: string[] };

/** The quarantine that already holds this capture (the same entries at the same time, or its content logged against one). */
export async function quarantinedBefore(tx: Tx, board: string, at: Date, entriesHash: string, contentHash: string | null): Promise<Quarantined | null> {
  const [[same], [repeat]] = await Promise.all([
    tx
      .select({ id: quarantines.id, reasons: quarantines.reasons })
      .from(quarantines)
      .where(and(eq(quarantines.boardId, board), eq(quarantines.capturedAt, at), eq(quarantines.entriesHash, entriesHash))),
    // A repeat of broken content is logged against the first quarantine: find it through the log.
    contentHash === null
      ? []
      : tx
          .select({ id: quarantines.id, reasons: quarantines.reasons })
          .from(scrapes)
          .innerJoin(quarantines, eq(quarantines.id, scrapes.quarantineId))
          .where(and(eq(scrapes.boardId, board), eq(scrapes.capturedAt, at), eq(scrapes.contentHash, contentHash), eq(quarantines.entriesHash, entriesHash))),
  ]);
  return same ?? repeat ?? null;
}

/**
 * Keeps a capture that failed the health checks aside, with its reasons, and announces
 * `snapshot_quarantined`; the same broken content again, with no good snapshot since, is only
 * pointed at the first quarantine. Returns the quarantine and what was announced.
 */
export async function quarantine(
  tx: Tx,
  input: CaptureInput,
  entries: readonly StoredEntry[],
  entriesHash: string,
  reasons: string[],
  previous: typeof snapshots.$inferSelect | undefined,
  onAnnounced: OnAnnounced | null,
): Promise<{ quarantineId: number; announced: ChangeEvent[] }> {
  const { board, capturedAt: at } = input;
  const [repeated] = await tx
    .select({ id: quarantines.id })
    .from(quarantines)
    .where(and(eq(quarantines.boardId, board), eq(quarantines.entriesHash, entriesHash), lte(quarantines.capturedAt, at), previous ? gte(quarantines.capturedAt, previous.capturedAt) : undefined))
    .orderBy(desc(quarantines.capturedAt))
    .limit(1);
  if (repeated) return { quarantineId: repeated.id, announced: [] };
  const [held] = await tx
    .insert(quarantines)
    .values({
      boardId: board,
      capturedAt: at,
      entriesHash,
      contentHash: input.contentHash,
      rowCount: entries.length,
      source: input.source,
      format: input.format,
      parserVersion: input.parserVersion,
      reasons,
      entries: [...entries],
      lastGoodSnapshotId: previous?.id ?? null,
    })
    .returning({ id: quarantines.id });
  if (!held) throw new Error('quarantine insert returned no row');
  const announced: ChangeEvent[] = [
    {
      kind: 'snapshot_quarantined',
      model: null,
      name: null,
      old: previous ? { rows: previous.rowCount } : null,
      new: { rows: entries.length },
      data: { reasons, quarantineId: held.id, source: input.source },
    },
  ];
  const ids = await insertEvents(tx, board, null, at, announced);
  if (onAnnounced && ids.length > 0) await onAnnounced(tx, ids);
  return { quarantineId: held.id, announced };
}
