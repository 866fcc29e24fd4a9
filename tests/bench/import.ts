// Import of the LMArena text history (86 files) through `rankwatch import`'s code path (importFiles:
// batches derived in memory) into an empty database, on PGlite (on-disk data directory) and
// PostgreSQL, beside two baselines from the same run: parse only (the files through the parser,
// nothing stored), and the floor: parse plus ONE bulk insert of the standings and event rows the
// import produced (one statement per table, one transaction) into a fresh database of the same
// kind. And the same files stored one by one (applyCapture, as a backfill older than stored history
// is), for comparison.
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asc, eq, sql } from 'drizzle-orm';
import { findBoard } from '../../scrapers/index.ts';
import { openStore } from '../../src/context.ts';
import { events, standings } from '../../src/db/schema.ts';
import { loadIdentity } from '../../src/identity/identity.ts';
import { importFile, importFiles, planImport, type ImportItem } from '../../src/ingest/run.ts';
import { runAlone } from './postgres-server.ts';

const BOARD = 'lmarena-text';
type Target = { databaseUrl: string | undefined; dataDir: string };
type Rows = { standings: (typeof standings.$inferSelect)[]; events: (typeof events.$inferSelect)[] };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Reads and parses every file as import does; returns the entries. */
function parseAll(plan: readonly ImportItem[]) {
  const { scraper } = findBoard(BOARD)!;
  return plan.map((item) => scraper.parse(readFileSync(item.path, 'utf8'), { board: BOARD, fileName: item.path }).entries);
}

/** Parse-only time of the whole history (median of 5 runs). */
function parseOnly(plan: readonly ImportItem[]): number {
  const runs: number[] = [];
  for (let run = 0; run < 5; run++) {
    const start = performance.now();
    parseAll(plan);
    runs.push(performance.now() - start);
  }
  return median(runs);
}

/**
 * Imports the history as `rankwatch import` does (one identity for the run), or file by file;
 * returns the time and the rows it stored.
 */
async function importAll(plan: readonly ImportItem[], target: Target, oneByOne = false): Promise<{ ms: number; rows: Rows }> {
  const database = await openStore(target, 'bench');
  try {
    const identity = loadIdentity();
    const start = performance.now();
    if (oneByOne) {
      for (const item of plan) await importFile(database.db, BOARD, item, {}, identity);
    } else {
      const failed: unknown[] = [];
      const stats = await importFiles(database.db, BOARD, plan, { identity }, (outcome) => outcome.result || failed.push(outcome.error));
      if (failed.length > 0 || stats.alone > 0 || stats.batchFailures.length > 0) throw new Error(`the import did not go through its batches: ${JSON.stringify({ ...stats, failed: failed.map(String) })}`);
    }
    const ms = performance.now() - start;
    const rows = {
      standings: await database.db.select().from(standings).where(eq(standings.boardId, BOARD)).orderBy(asc(standings.id)),
      events: await database.db.select().from(events).where(eq(events.boardId, BOARD)).orderBy(asc(events.id)),
    };
    return { ms, rows };
  } finally {
    await database.close();
  }
}

/** The floor: parse every file, then write the import's standings and events in one bulk insert each, in one transaction. */
async function floor(plan: readonly ImportItem[], target: Target, rows: Rows): Promise<number> {
  const database = await openStore(target, 'bench');
  try {
    const start = performance.now();
    parseAll(plan);
    const iso = (value: Date | null) => value?.toISOString() ?? null;
    const standingsJson = JSON.stringify(rows.standings.map(({ id: _id, ...row }) => ({ ...row, validFrom: iso(row.validFrom), validTo: iso(row.validTo) })));
    const eventsJson = JSON.stringify(
      rows.events.map(({ id: _id, snapshotId: _snapshot, ...row }) => ({ ...row, capturedAt: iso(row.capturedAt), createdAt: iso(row.createdAt), settledAt: iso(row.settledAt), updatedAt: iso(row.updatedAt) })),
    );
    await database.db.transaction(async (tx) => {
      await tx.execute(sql`
        insert into standings (board_id, model, source_key, name, organization, rank, score, score_lower, score_upper, votes, price_input, price_output, valid_from, valid_to)
        select "boardId", model, "sourceKey", name, organization, rank, score, "scoreLower", "scoreUpper", votes, "priceInput", "priceOutput", "validFrom", "validTo"
        from jsonb_to_recordset(${standingsJson}::jsonb) as x("boardId" text, model text, "sourceKey" text, name text, organization text, rank integer, score double precision,
          "scoreLower" double precision, "scoreUpper" double precision, votes integer, "priceInput" double precision, "priceOutput" double precision, "validFrom" timestamptz, "validTo" timestamptz)`);
      await tx.execute(sql`
        insert into events (key, board_id, kind, model, name, captured_at, created_at, old, new, data, status, settled_at, updated_at)
        select key, "boardId", kind, model, name, "capturedAt", "createdAt", old, new, data, status, "settledAt", "updatedAt"
        from jsonb_to_recordset(${eventsJson}::jsonb) as x(key text, "boardId" text, kind text, model text, name text, "capturedAt" timestamptz, "createdAt" timestamptz,
          old jsonb, new jsonb, data jsonb, status text, "settledAt" timestamptz, "updatedAt" timestamptz)`);
    });
    return performance.now() - start;
  } finally {
    await database.close();
  }
}

/** The section's lines: parse only, then import and floor on PGlite and on PostgreSQL at `postgresUrl` (`reset` empties it). */
export async function benchImport(history: string, postgres: { url: string; reset(): Promise<void> }): Promise<string[]> {
  const files = readdirSync(history).filter((name) => name.endsWith('.csv')).map((name) => join(history, name));
  const plan = planImport(files);
  const parseMs = parseOnly(plan);
  const rate = (ms: number) => `${(plan.length / (ms / 1000)).toFixed(1).padStart(8)} snapshots/s`;
  const lines = [`import of the LMArena text history: ${plan.length} snapshots (${files.length} files)`, `  parse only            ${parseMs.toFixed(0).padStart(7)} ms ${rate(parseMs)}`];
  const report = (label: string, imported: { ms: number; rows: Rows }, floorMs: number, alone: { ms: number; rows: Rows }) => {
    if (JSON.stringify(alone.rows.events.map(({ createdAt: _c, updatedAt: _u, ...row }) => row)) !== JSON.stringify(imported.rows.events.map(({ createdAt: _c, updatedAt: _u, ...row }) => row))) {
      throw new Error(`${label}: the import's events differ from those of the files stored one by one`);
    }
    lines.push(
      `  import, ${label.padEnd(12)} ${imported.ms.toFixed(0).padStart(7)} ms ${rate(imported.ms)}   ${(imported.ms / floorMs).toFixed(1)}x the floor (target: 3x at most)   (${(imported.ms / parseMs).toFixed(1)}x parse-only time)`,
      `  floor, ${label.padEnd(13)} ${floorMs.toFixed(0).padStart(7)} ms   parse + one bulk insert of its ${imported.rows.standings.length} standings and ${imported.rows.events.length} event rows`,
      `  one by one, ${label.padEnd(8)} ${alone.ms.toFixed(0).padStart(7)} ms ${rate(alone.ms)}   ${(alone.ms / floorMs).toFixed(1)}x the floor   (each file alone, as a backfill is stored; the same rows)`,
    );
  };
  const dir = await mkdtemp(join(tmpdir(), 'rankwatch-bench-import-'));
  try {
    const imported = await importAll(plan, { databaseUrl: undefined, dataDir: join(dir, 'import') });
    const floorMs = await floor(plan, { databaseUrl: undefined, dataDir: join(dir, 'floor') }, imported.rows);
    report('PGlite', imported, floorMs, await importAll(plan, { databaseUrl: undefined, dataDir: join(dir, 'alone') }, true));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const imported = await importAll(plan, { databaseUrl: postgres.url, dataDir: 'unused' });
  await postgres.reset();
  const floorMs = await floor(plan, { databaseUrl: postgres.url, dataDir: 'unused' }, imported.rows);
  await postgres.reset();
  report('PostgreSQL', imported, floorMs, await importAll(plan, { databaseUrl: postgres.url, dataDir: 'unused' }, true));
  return lines;
}

// `node tests/bench/import.ts`: this section alone.
await runAlone(import.meta.url, (root, server) => benchImport(join(root, '../shared/leaderboards/lmarena/fboulnois-llm-leaderboard-csv/lmsys'), server));
