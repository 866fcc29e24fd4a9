// `npm run bench`: throughput measured side by side in one run.
//   - parse throughput per source beside a bare JSON.parse / tokenizer pass (tests/bench/parse.ts)
//   - the diff engine on two 10,000-entry snapshots beside building the two hash maps (tests/bench/diff.ts)
//   - parse only: the 86-file LMArena text history through the parser, nothing stored
//   - import on PGlite (on-disk data directory) and on PostgreSQL: the same files through
//     `rankwatch import`'s code path into an empty database
//   - alert delivery on PostgreSQL: commit-to-webhook latency and deliveries per second to 5
//     loopback receivers, beside bare HTTP POSTs (tests/bench/delivery.ts)
// PostgreSQL comes from RANKWATCH_BENCH_DATABASE_URL (a server whose user may create databases),
// else a throwaway server is started with .ci/postgres (Debian's packages).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { findBoard } from '../../scrapers/index.ts';
import { openStore } from '../../src/context.ts';
import { importFile, planImport } from '../../src/ingest/run.ts';
import { benchDelivery } from './delivery.ts';
import { benchDiff } from './diff.ts';
import { benchParsers } from './parse.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const history = join(root, '../shared/leaderboards/lmarena/fboulnois-llm-leaderboard-csv/lmsys');
if (!existsSync(history)) {
  console.error(`bench: the LMArena captures are not at ${history}; nothing to measure`);
  process.exit(1);
}
const files = readdirSync(history).filter((name) => name.endsWith('.csv')).map((name) => join(history, name));
const plan = planImport(files);
const { scraper } = findBoard('lmarena-text')!;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Parse-only time of the whole history (median of 5 runs), reading the files each time as import does. */
function parseOnly(): number {
  const runs: number[] = [];
  for (let run = 0; run < 5; run++) {
    const start = performance.now();
    for (const item of plan) scraper.parse(readFileSync(item.path, 'utf8'), { board: 'lmarena-text', fileName: item.path });
    runs.push(performance.now() - start);
  }
  return median(runs);
}

async function importAll(target: { databaseUrl: string | undefined; dataDir: string }): Promise<number> {
  const database = await openStore(target, 'bench');
  try {
    const start = performance.now();
    for (const item of plan) await importFile(database.db, 'lmarena-text', item);
    return performance.now() - start;
  } finally {
    await database.close();
  }
}

async function postgresServer(): Promise<{ url: string; stop: () => Promise<void> }> {
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

for (const line of benchParsers(join(root, '../shared/leaderboards'))) console.log(line);
console.log('');
for (const line of benchDiff()) console.log(line);
console.log('');

const parseMs = parseOnly();
const dataDir = await mkdtemp(join(tmpdir(), 'rankwatch-bench-pglite-'));
const pgliteMs = await importAll({ databaseUrl: undefined, dataDir: join(dataDir, 'data') });
await rm(dataDir, { recursive: true, force: true });
const server = await postgresServer();
let postgresMs: number;
let delivery: string[];
try {
  postgresMs = await importAll({ databaseUrl: server.url, dataDir: 'unused' });
  const admin = postgres(server.url, { max: 1, onnotice: () => {} });
  await admin.unsafe('drop schema public cascade; create schema public; drop schema if exists drizzle cascade');
  await admin.end();
  delivery = await benchDelivery({ databaseUrl: server.url, dataDir: 'unused' });
} finally {
  await server.stop();
}

const rate = (ms: number) => (plan.length / (ms / 1000)).toFixed(1);
console.log(`import of the LMArena text history: ${plan.length} snapshots (${files.length} files)`);
console.log(`  parse only          ${parseMs.toFixed(0).padStart(7)} ms   ${rate(parseMs).padStart(8)} snapshots/s`);
console.log(`  import, PGlite      ${pgliteMs.toFixed(0).padStart(7)} ms   ${rate(pgliteMs).padStart(8)} snapshots/s   ${(pgliteMs / parseMs).toFixed(1)}x parse-only time`);
console.log(`  import, PostgreSQL  ${postgresMs.toFixed(0).padStart(7)} ms   ${rate(postgresMs).padStart(8)} snapshots/s   ${(postgresMs / parseMs).toFixed(1)}x parse-only time`);
console.log('');
for (const line of delivery) console.log(line);
