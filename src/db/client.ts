import type { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema.ts';
import type { DataDirLock } from './lock.ts';

/** The drizzle database, whichever driver is behind it. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export const DATABASE_KINDS = ['pglite', 'postgres'] as const;
export type DatabaseKind = (typeof DATABASE_KINDS)[number];

/** An open database and how to close it. */
export interface Database {
  db: Db;
  kind: DatabaseKind;
  /** Where the data lives, for messages: the data directory or the server (without password). */
  location: string;
  /** The lock on the embedded data directory, when this process holds one. */
  lock: DataDirLock | null;
  /** The raw PGlite instance (tests and dumps); null on PostgreSQL. */
  pglite: PGlite | null;
  /** The raw postgres.js client; null on PGlite. */
  sql: postgres.Sql | null;
  /** The PostgreSQL URL (for extra dedicated connections); null on PGlite. */
  url: string | null;
  close(): Promise<void>;
}

/** Where to find the database: a PostgreSQL URL, or a PGlite data directory (`memory://` for RAM). */
export interface DatabaseTarget {
  databaseUrl?: string | undefined;
  dataDir: string;
  /** Name of the command holding the embedded database (shown to other processes). */
  command?: string;
  /** Start PGlite from a dump of an already-migrated database (tests). */
  loadDataDir?: Blob | undefined;
  /** Connection pool size on PostgreSQL. */
  maxConnections?: number;
  /** Whether postgres.js may query type OIDs at connect (off behind Hyperdrive). */
  fetchTypes?: boolean;
}

/** `postgres://user:***@host:port/db`, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://…';
  }
}

/**
 * The postgres.js client with every read (`select …`, `with …`) run as a named prepared statement.
 * drizzle asks postgres.js to prepare only queries built with `.prepare()`; an unprepared one is
 * parsed and described on every call, which measured 3-4x the time of the prepared one for the
 * read routes' queries (a board's standings at a time: 4.5 ms against 1.0 ms). postgres.js keeps
 * the statements per connection, and connections are recycled (max_lifetime), so the variants
 * of queries built with lists of different lengths do not pile up.
 */
function preparingReads(sql: postgres.Sql): postgres.Sql {
  return new Proxy(sql, {
    get(target, property, receiver) {
      if (property !== 'unsafe') return Reflect.get(target, property, receiver) as unknown;
      return (query: string, args?: postgres.ParameterOrJSON<never>[], options?: postgres.UnsafeQueryOptions) =>
        target.unsafe(query, args, /^\s*(select|with)\b/i.test(query) ? { ...options, prepare: true } : options);
    },
  });
}

/**
 * PGlite's settings for a small footprint, in `serve`, every CLI command and the tests. PostgreSQL
 * sets up its shared memory inside the WebAssembly memory at start, and WebAssembly memory once
 * touched is never given back:
 * - `shared_buffers` 4 MB (PostgreSQL's default is 128 MB): PGlite reads its files through the
 *   operating system, whose page cache keeps them anyway. With 4 MB rather than 16 MB the read
 *   bench's bare queries and the import stayed within their run-to-run spread, and `serve` held
 *   16 MB less (239 against 255 MB after two minutes of the memory bench).
 * - `max_connections` 5 (default 100): PGlite is PostgreSQL in single-user mode, one backend, yet
 *   shared memory is sized for every connection allowed (4 MB for 100).
 * Values as PostgreSQL shows them (`SHOW shared_buffers`). (The other half of PGlite's footprint is
 * the WebAssembly engine's: see `--liftoff-only` in src/bin.js.)
 */
export const PGLITE_SETTINGS = { sharedBuffers: '4MB', maxConnections: 5 } as const;

/** PGlite's start parameters with PGLITE_SETTINGS. */
export async function pgliteOptions(): Promise<{ startParams: string[] }> {
  const { PGlite } = await import('@electric-sql/pglite');
  return { startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${PGLITE_SETTINGS.sharedBuffers}`, '-c', `max_connections=${PGLITE_SETTINGS.maxConnections}`] };
}

/** Opens PostgreSQL when a URL is given, otherwise PGlite (taking its data directory's lock). */
export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  if (target.databaseUrl) {
    const sql = postgres(target.databaseUrl, {
      max: target.maxConnections ?? 10,
      onnotice: () => {},
      connection: { application_name: 'rankwatch' },
      // Hyperdrive (Workers) pools connections itself and cannot look up custom types per connection.
      ...(target.fetchTypes === false ? { fetch_types: false } : {}),
    });
    // Hyperdrive (fetchTypes false) gets the queries as drizzle sends them.
    const db: Db = drizzlePostgres(target.fetchTypes === false ? sql : preparingReads(sql), { schema });
    return {
      db,
      kind: 'postgres',
      location: redactUrl(target.databaseUrl),
      lock: null,
      pglite: null,
      sql,
      url: target.databaseUrl,
      close: () => sql.end({ timeout: 5 }),
    };
  }
  // Loaded on demand: the PostgreSQL-only builds (Cloudflare Workers) never need PGlite or files.
  const [{ PGlite }, { drizzle: drizzlePglite }, { lockDataDir }, options] = await Promise.all([
    import('@electric-sql/pglite'),
    import('drizzle-orm/pglite'),
    import('./lock.ts'),
    pgliteOptions(),
  ]);
  const inMemory = target.dataDir.startsWith('memory://');
  const lock = inMemory ? null : await lockDataDir(target.dataDir, target.command ?? 'cli');
  let client: PGlite;
  try {
    client = new PGlite(target.dataDir, { ...options, ...(target.loadDataDir ? { loadDataDir: target.loadDataDir } : {}) });
    await client.waitReady;
  } catch (error) {
    await lock?.release();
    throw error;
  }
  const db: Db = drizzlePglite(client, { schema });
  return {
    db,
    kind: 'pglite',
    location: inMemory ? 'memory' : target.dataDir,
    lock,
    pglite: client,
    sql: null,
    url: null,
    async close() {
      try {
        await client.close();
      } finally {
        await lock?.release();
      }
    },
  };
}
