// The bench's PostgreSQL: RANKWATCH_BENCH_DATABASE_URL (a server whose user may create databases),
// else a throwaway server started with .ci/postgres (Debian's packages). Either way the bench works
// in a database of its own, dropped at the end.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';

/** A database for the bench, and how to drop it (and stop the server when the bench started one). */
export interface BenchPostgres {
  url: string;
  /** Empties the database (schema and migrations), for the next section. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export async function postgresServer(root: string): Promise<BenchPostgres> {
  const given = process.env.RANKWATCH_BENCH_DATABASE_URL;
  const dir = given ? null : await mkdtemp(join(tmpdir(), 'rankwatch-bench-pg-'));
  const adminUrl = given ?? execFileSync(join(root, '.ci/postgres'), ['start', dir!], { encoding: 'utf8' }).trim();
  const name = `rankwatch_bench_${process.pid}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${name}`);
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async reset() {
      const client = postgres(url.toString(), { max: 1, onnotice: () => {} });
      await client.unsafe('drop schema public cascade; create schema public; drop schema if exists drizzle cascade');
      await client.end();
    },
    async stop() {
      const cleanup = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`drop database if exists ${name} with (force)`);
      await cleanup.end();
      if (dir) {
        execFileSync(join(root, '.ci/postgres'), ['stop', dir], { stdio: 'ignore' });
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * `npx node tests/bench/<section>.ts`: runs that section alone when `moduleUrl` is the script Node
 * was started with, on the bench's PostgreSQL, printing its lines.
 */
export async function runAlone(moduleUrl: string, section: (root: string, server: BenchPostgres) => Promise<string[]>): Promise<void> {
  const { fileURLToPath } = await import('node:url');
  if (!process.argv[1] || fileURLToPath(moduleUrl) !== process.argv[1]) return;
  const root = fileURLToPath(new URL('../..', moduleUrl));
  const server = await postgresServer(root);
  try {
    for (const line of await section(root, server)) console.log(line);
  } finally {
    await server.stop();
  }
}
