import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { inject } from 'vitest';
import { scrapers } from '../../scrapers/index.ts';
import { openDatabase, pgliteOptions, type Database } from '../../src/db/client.ts';
import { migrateDatabase } from '../../src/db/migrate.ts';
import { syncRegistry } from '../../src/ingest/store.ts';

/** Which database this test run targets: the vitest project sets RANKWATCH_TEST_DB. */
export const TEST_DB: 'pglite' | 'postgres' = process.env.RANKWATCH_TEST_DB === 'postgres' ? 'postgres' : 'pglite';

async function template(): Promise<Blob> {
  return new Blob([await readFile(inject('pgliteTemplate'))]);
}

/** A fresh database for one test: how to reach it from a child process, and how to drop it. */
export interface TestDatabase extends Database {
  /** Environment for a `rankwatch` child process using this database. */
  env: Record<string, string>;
  drop(): Promise<void>;
}

function adminUrl(): string {
  const url = process.env.RANKWATCH_TEST_DATABASE_URL;
  if (!url) throw new Error('RANKWATCH_TEST_DATABASE_URL is not set: the postgres test project needs a server');
  return url;
}

/** Creates an empty, migrated PostgreSQL database on the test server and returns its URL. */
export async function createPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} });
  const name = `rankwatch_test_${randomBytes(6).toString('hex')}`;
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const cleanup = postgres(adminUrl(), { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

/**
 * An open, migrated database with every board registered: in-memory PGlite from the template, or
 * a new database on the PostgreSQL test server.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (TEST_DB === 'postgres') {
    const created = await createPostgresDatabase();
    const database = await openDatabase({ databaseUrl: created.url, dataDir: 'unused' });
    await migrateDatabase(database);
    await syncRegistry(database.db, scrapers);
    return {
      ...database,
      env: { DATABASE_URL: created.url },
      async drop() {
        await database.close();
        await created.drop();
      },
    };
  }
  const database = await openDatabase({ dataDir: 'memory://', loadDataDir: await template() });
  await syncRegistry(database.db, scrapers);
  return { ...database, env: {}, drop: () => database.close() };
}

/**
 * Environment for `rankwatch` child processes: a new PostgreSQL database, or a new PGlite data
 * directory made from the migrated template (so the child skips PGlite's cold start).
 */
export async function createCliEnvironment(): Promise<{ env: Record<string, string>; dataDir: string | null; cleanup: () => Promise<void> }> {
  if (TEST_DB === 'postgres') {
    const created = await createPostgresDatabase();
    return { env: { DATABASE_URL: created.url }, dataDir: null, cleanup: created.drop };
  }
  const dir = await mkdtemp(join(tmpdir(), 'rankwatch-cli-'));
  const dataDir = join(dir, 'data');
  const pglite = new PGlite(dataDir, { ...(await pgliteOptions()), loadDataDir: await template() });
  await pglite.waitReady;
  await pglite.close();
  return { env: { RANKWATCH_DATA: dataDir }, dataDir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
