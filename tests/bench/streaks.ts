// Storage cost of an unchanged board: a real 349-model capture (OpenRouter's model list of
// 2025-12-18) stored once, then the same content scraped 1,000 times, hourly, through the store as
// a live scrape stores it; the database's size after the first scrape and after the 1,000 (the
// whole database, and the rankwatch tables with their indexes), on PGlite and PostgreSQL.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { sql } from 'drizzle-orm';
import { findBoard } from '../../scrapers/index.ts';
import type { Db } from '../../src/db/client.ts';
import { announcerWith, boardKeyWith, openStore } from '../../src/context.ts';
import { attributionFor, loadIdentity } from '../../src/identity/identity.ts';
import { sha256 } from '../../src/ingest/hash.ts';
import { applyCapture, type CaptureInput } from '../../src/ingest/store.ts';
import { rowsOf } from '../../src/ingest/tx.ts';
import { runAlone } from './postgres-server.ts';

const BOARD = 'openrouter-prices';
const CAPTURE = 'openrouter/api-v1-models/2025-12-18T15-11-29Z.json';
const SCRAPES = 1000;
const TARGET = 1.05;

async function sizes(db: Db): Promise<{ database: number; tables: number }> {
  const [row] = rowsOf(
    await db.execute(sql`
      select pg_database_size(current_database())::bigint as database,
        (select sum(pg_total_relation_size(c.oid)) from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = 'public' and c.relkind = 'r')::bigint as tables`),
  );
  return { database: Number(row?.database), tables: Number(row?.tables) };
}

async function measure(label: string, target: { databaseUrl: string | undefined; dataDir: string }, input: Omit<CaptureInput, 'capturedAt' | 'ranAt'>): Promise<string[]> {
  const database = await openStore(target, 'bench');
  try {
    const start = Date.parse('2026-01-01T00:00:00Z');
    const scrape = (i: number) => applyCapture(database.db, { ...input, capturedAt: new Date(start + i * 3_600_000), ranAt: new Date(start + i * 3_600_000) });
    const first = await scrape(0);
    if (first.status !== 'first') throw new Error(`streak bench: the first scrape was ${first.status}`);
    const before = await sizes(database.db);
    const started = performance.now();
    for (let i = 1; i <= SCRAPES; i++) {
      const result = await scrape(i);
      if (result.status !== 'unchanged') throw new Error(`streak bench: scrape ${i} was ${result.status}`);
    }
    const ms = performance.now() - started;
    const after = await sizes(database.db);
    const line = (what: string, a: number, b: number) =>
      `    ${what.padEnd(10)} ${(a / 1024).toFixed(0).padStart(7)} KiB → ${(b / 1024).toFixed(0).padStart(7)} KiB   ${(b / a).toFixed(3)}x   ${((b - a) / SCRAPES).toFixed(1).padStart(6)} B a scrape`;
    return [
      `  ${label}: ${SCRAPES} scrapes in ${(ms / 1000).toFixed(1)} s (${(ms / SCRAPES).toFixed(1)} ms each)`,
      line('database', before.database, after.database),
      line('tables', before.tables, after.tables),
      `    ${after.tables / before.tables <= TARGET ? 'within' : 'OVER'} the ${TARGET}x target (tables)`,
    ];
  } finally {
    await database.close();
  }
}

/** The section's lines: PGlite (an on-disk data directory) and PostgreSQL at `postgresUrl`. */
export async function benchStreaks(leaderboards: string, postgresUrl: string): Promise<string[]> {
  const found = findBoard(BOARD);
  if (!found) throw new Error(`streak bench: no board ${BOARD}`);
  const path = join(leaderboards, CAPTURE);
  const body = readFileSync(path, 'utf8');
  const parsed = found.scraper.parse(body, { board: BOARD, fileName: basename(path) });
  const identity = loadIdentity();
  const input: Omit<CaptureInput, 'capturedAt' | 'ranAt'> = {
    board: BOARD,
    entries: parsed.entries,
    origin: 'live',
    source: path,
    contentHash: sha256(body),
    format: parsed.format,
    parserVersion: found.scraper.parserVersion,
    publishedAt: null,
    httpStatus: 200,
    health: { direction: found.board.direction, thresholds: found.board.health },
    columns: parsed.columns ?? null,
    attribute: attributionFor(identity, found.scraper.id),
    settle: found.board.settle,
    onAnnounced: announcerWith(identity),
    boardKey: boardKeyWith(identity, found.scraper),
  };
  const lines = [`unchanged scrapes: ${BOARD}, ${parsed.entries.length} models (${CAPTURE}), stored once, then ${SCRAPES} unchanged hourly scrapes`];
  const dir = await mkdtemp(join(tmpdir(), 'rankwatch-bench-streaks-'));
  try {
    lines.push(...(await measure('PGlite', { databaseUrl: undefined, dataDir: join(dir, 'data') }, input)));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  lines.push(...(await measure('PostgreSQL', { databaseUrl: postgresUrl, dataDir: 'unused' }, input)));
  return lines;
}

// `node tests/bench/streaks.ts`: this section alone.
await runAlone(import.meta.url, (root, server) => benchStreaks(join(root, '../shared/leaderboards'), server.url));
