// The read bench's database: one year of hourly history for three boards of ~100–350 models,
// built from the real captures in ../shared/leaderboards (read in place) through the store's own
// code path (`applyCapture` with explicit capture times, as `rankwatch import` does), so the
// standings intervals, events, settling, change sets and scrape log are what the service writes.
//
// Each board's captures, oldest first, are spread evenly over the year; every other hour is an
// unchanged capture of the board as it last was (one scrape-log row, no standings), so settling
// windows close as they would under hourly scrapes.
//
// Building it takes minutes, so it is built once, on PGlite, and cached under the OS temp dir as a
// data-directory dump (`rankwatch-bench-history-<hash>.tar.gz`), keyed by a hash of everything
// that decides its content: the captures, the write path (src/ingest, src/diff, model identity,
// src/entry.ts, the scrapers) and BUILD_VERSION. Migrations are not part of the key: a cached
// dump is migrated when opened, as a deployed database would be (a new index applies to it).
// PostgreSQL is filled from it in bulk, table by table with the ids kept, so both databases serve
// the very same rows.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { getTableColumns, getTableName, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { findBoard } from '../../scrapers/index.ts';
import { boardKeyWith, announcerWith, openStore } from '../../src/context.ts';
import { openDatabase, type Database, type Db } from '../../src/db/client.ts';
import { migrateDatabase } from '../../src/db/migrate.ts';
import * as schema from '../../src/db/schema.ts';
import { attributionFor, loadIdentity } from '../../src/identity/identity.ts';
import { sha256 } from '../../src/ingest/hash.ts';
import { applyCapture } from '../../src/ingest/store.ts';
import { planImport } from '../../src/ingest/run.ts';
import type { Entry } from '../../src/entry.ts';

/** A board of the bench database and where its captures are (relative to the leaderboards folder). */
export interface HistoryBoard {
  board: string;
  dir: string;
}

/** The three boards: LMArena text (CSV archive, 86 captures), OpenRouter prices (9), LMArena text coding (catalog, 4). */
export const HISTORY_BOARDS: readonly HistoryBoard[] = [
  { board: 'lmarena-text', dir: 'lmarena/fboulnois-llm-leaderboard-csv/lmsys' },
  { board: 'openrouter-prices', dir: 'openrouter/api-v1-models' },
  { board: 'lmarena-text-coding', dir: 'lmarena/arena-catalog/leaderboard-text' },
];

/** The year the history covers: 2025, hour by hour. */
export const HISTORY_START = new Date('2025-01-01T00:00:00Z');
export const HISTORY_HOURS = 365 * 24;
const HOUR = 3_600_000;

/** Bump when `buildHistory` changes what it writes: the cached dumps are then built again. */
const BUILD_VERSION = 1;

/** Tables in foreign-key order (parents first). */
const TABLES: readonly PgTable[] = [
  schema.sources,
  schema.boards,
  schema.snapshots,
  schema.quarantines,
  schema.scrapes,
  schema.standings,
  schema.events,
  schema.subscriptions,
  schema.deliveries,
  schema.deliveryAttempts,
];

interface Capture {
  path: string;
  body: string;
  contentHash: string;
  entries: Entry[];
  format: string | null;
  publishedAt: Date | null;
  columns: string[] | null;
}

interface BoardHistory {
  board: string;
  captures: Capture[];
}

function filesOf(leaderboards: string, board: HistoryBoard): string[] {
  const dir = join(leaderboards, board.dir);
  if (!existsSync(dir)) throw new Error(`bench: the captures of ${board.board} are not at ${dir}`);
  return planImport(readdirSync(dir).filter((name) => !name.startsWith('.')).map((name) => join(dir, name))).map((item) => item.path);
}

function readHistory(leaderboards: string): BoardHistory[] {
  return HISTORY_BOARDS.map((spec) => {
    const found = findBoard(spec.board);
    if (!found) throw new Error(`bench: unknown board ${spec.board}`);
    const captures = filesOf(leaderboards, spec).map((path): Capture => {
      const body = readFileSync(path, 'utf8');
      const parsed = found.scraper.parse(body, { board: spec.board, fileName: path.slice(path.lastIndexOf('/') + 1) });
      return {
        path,
        body,
        contentHash: sha256(body),
        entries: parsed.entries,
        format: parsed.format,
        publishedAt: parsed.publishedAt ? new Date(parsed.publishedAt) : null,
        columns: parsed.columns ?? null,
      };
    });
    return { board: spec.board, captures };
  });
}

/** The capture a board showed at hour `hour` of the year: file k of n appears at hour ⌊k·hours/n⌋. */
function captureAt(history: BoardHistory, hour: number): number {
  return Math.floor((hour * history.captures.length) / HISTORY_HOURS);
}

/** Hash of everything that decides the database's content (see the header). */
export function historyKey(root: string, leaderboards: string): string {
  const hash = createHash('sha256');
  const add = (path: string) => {
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const name of readdirSync(path).sort()) add(join(path, name));
      return;
    }
    hash.update(`${relative(root, path)}\n`).update(readFileSync(path)).update('\n');
  };
  for (const board of HISTORY_BOARDS) for (const file of filesOf(leaderboards, board)) add(file);
  for (const part of ['src/ingest', 'src/diff', 'src/identity/identity.ts', 'src/identity/aliases.yaml', 'src/identity/organizations.yaml', 'src/entry.ts', 'scrapers']) add(join(root, part));
  hash.update(`build ${BUILD_VERSION}`);
  return hash.digest('hex').slice(0, 16);
}

/** Counts of what the history holds, for the bench's header line. */
export interface HistoryStats {
  scrapes: number;
  snapshots: number;
  standings: number;
  events: number;
}

export async function historyStats(db: Db): Promise<HistoryStats> {
  const count = async (table: PgTable) => Number((await db.select({ n: sql<number>`count(*)` }).from(table))[0]!.n);
  return {
    scrapes: await count(schema.scrapes),
    snapshots: await count(schema.snapshots),
    standings: await count(schema.standings),
    events: await count(schema.events),
  };
}

/** A PostgreSQL database's size and its largest tables' (with their indexes and TOAST), in bytes, after a vacuum. */
export async function databaseSizes(db: Db): Promise<{ database: number; tables: { name: string; bytes: number }[] }> {
  await db.execute(sql`vacuum`);
  const [total] = (await db.execute(sql`select pg_database_size(current_database())::bigint as bytes`)) as unknown as { bytes: string | number }[];
  const tables = (await db.execute(sql`
    select c.relname as name, pg_total_relation_size(c.oid)::bigint as bytes
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind = 'r' and n.nspname = 'public'
    order by pg_total_relation_size(c.oid) desc`)) as unknown as { name: string; bytes: string | number }[];
  return { database: Number(total!.bytes), tables: tables.map((table) => ({ name: table.name, bytes: Number(table.bytes) })) };
}

/**
 * Stores the year of history into an empty, migrated database through `applyCapture`, hour by
 * hour, the three boards interleaved as a scheduler would scrape them. `progress` hears how far it is.
 */
export async function buildHistory(db: Db, leaderboards: string, progress: (done: number, total: number) => void = () => {}): Promise<void> {
  const identity = loadIdentity();
  const histories = readHistory(leaderboards);
  const contexts = histories.map((history) => {
    const found = findBoard(history.board)!;
    return {
      history,
      found,
      attribute: attributionFor(identity, found.scraper.id),
      onAnnounced: announcerWith(identity),
      boardKey: boardKeyWith(identity, found.scraper),
    };
  });
  for (let hour = 0; hour < HISTORY_HOURS; hour++) {
    const at = new Date(HISTORY_START.getTime() + hour * HOUR);
    for (const { history, found, attribute, onAnnounced, boardKey } of contexts) {
      const capture = history.captures[captureAt(history, hour)]!;
      await applyCapture(db, {
        board: history.board,
        capturedAt: at,
        ranAt: new Date(at.getTime() + 30_000),
        entries: capture.entries,
        origin: 'import',
        source: capture.path,
        contentHash: capture.contentHash,
        format: capture.format,
        parserVersion: found.scraper.parserVersion,
        publishedAt: capture.publishedAt,
        health: { direction: found.board.direction, thresholds: found.board.health },
        columns: capture.columns,
        attribute,
        settle: found.board.settle,
        onAnnounced,
        boardKey,
      });
    }
    if (hour % 24 === 23) progress(hour + 1, HISTORY_HOURS);
  }
}

type Row = Record<string, unknown>;

/** Copies every row of every table from one database to another (empty, migrated) one, ids kept, sequences moved past them. */
export async function copyDatabase(from: Db, to: Db): Promise<void> {
  for (const table of [...TABLES].reverse()) await to.execute(sql.raw(`delete from ${getTableName(table)}`));
  for (const table of TABLES) {
    const rows = (await from.select().from(table)) as Row[];
    const chunk = 1000;
    for (let i = 0; i < rows.length; i += chunk) await to.insert(table).values(rows.slice(i, i + chunk));
  }
  for (const table of TABLES) {
    const name = getTableName(table);
    if (!('id' in getTableColumns(table)) || name === 'sources' || name === 'boards') continue;
    await to.execute(sql.raw(`select setval(pg_get_serial_sequence('${name}', 'id'), coalesce((select max(id) from ${name}), 0) + 1, false)`));
  }
  await to.execute(sql.raw('analyze'));
}

/**
 * The bench database as a PGlite dump: from the cache when there, else built (minutes) and cached.
 * Returns the dump and whether it was built now.
 */
export async function historyDump(root: string, leaderboards: string, log: (line: string) => void): Promise<{ dump: Blob; path: string; built: boolean; ms: number }> {
  const key = historyKey(root, leaderboards);
  const path = join(tmpdir(), `rankwatch-bench-history-${key}.tar.gz`);
  if (existsSync(path)) return { dump: new Blob([await readFile(path)]), path, built: false, ms: 0 };
  log(`building the bench database (cached afterwards as ${path})…`);
  const dir = await mkdtemp(join(tmpdir(), 'rankwatch-bench-build-'));
  const start = performance.now();
  const database = await openStore({ databaseUrl: undefined, dataDir: join(dir, 'data') }, 'bench');
  try {
    await buildHistory(database.db, leaderboards, (done, total) => {
      if (done % (24 * 30) === 0 || done === total) log(`  ${Math.round((100 * done) / total)}% (${((performance.now() - start) / 1000).toFixed(0)} s)`);
    });
    await database.db.execute(sql`analyze`);
    const dump = await database.pglite!.dumpDataDir('gzip');
    const partial = `${path}.${process.pid}.partial`;
    await writeFile(partial, Buffer.from(await dump.arrayBuffer()));
    await rename(partial, path);
    return { dump, path, built: true, ms: performance.now() - start };
  } finally {
    await database.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Opens the bench history on PGlite (an on-disk data directory under `dir`) from the dump, migrated. */
export async function openHistoryPglite(dump: Blob, dir: string): Promise<Database> {
  const database = await openDatabase({ dataDir: join(dir, 'data'), loadDataDir: dump, command: 'bench' });
  try {
    await migrateDatabase(database);
    await database.db.execute(sql`analyze`);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}

/** Fills an empty PostgreSQL database (`url`) with the bench history from an open copy of it, migrated. */
export async function openHistoryPostgres(from: Db, url: string): Promise<Database> {
  const database = await openStore({ databaseUrl: url, dataDir: 'unused' }, 'bench');
  try {
    await copyDatabase(from, database.db);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}
