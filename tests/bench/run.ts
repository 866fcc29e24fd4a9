// `npm run bench`: throughput measured side by side in one run.
//   - parse throughput per source beside a bare JSON.parse / tokenizer pass (tests/bench/parse.ts)
//   - the diff engine on two 10,000-entry snapshots beside building the two hash maps (tests/bench/diff.ts)
//   - parse only: the 86-file LMArena text history through the parser, nothing stored
//   - import on PGlite (on-disk data directory) and on PostgreSQL: the same files through
//     `rankwatch import`'s code path into an empty database
//   - alert delivery on PostgreSQL: commit-to-webhook latency and deliveries per second to 5
//     loopback receivers, beside bare HTTP POSTs (tests/bench/delivery.ts)
//   - reads: the HTTP API's read routes on a year of hourly history of three boards, beside bare
//     routes running one SQL query each, on PostgreSQL and PGlite (tests/bench/reads.ts)
//   - dashboard render: time to first paint and to ready of the board page with that year of
//     history in headless Chromium, beside the page's API call (tests/bench/dashboard.ts); printed
//     last, and a failure there (the page not served yet, no Chromium) fails the bench after the
//     other sections are printed
// PostgreSQL comes from RANKWATCH_BENCH_DATABASE_URL (a server whose user may create databases),
// else a throwaway server is started with .ci/postgres (Debian's packages): tests/bench/postgres-server.ts.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findBoard } from '../../scrapers/index.ts';
import { openStore } from '../../src/context.ts';
import { importFile, planImport } from '../../src/ingest/run.ts';
import { benchDashboard } from './dashboard.ts';
import { benchDelivery } from './delivery.ts';
import { benchDiff } from './diff.ts';
import { benchParsers } from './parse.ts';
import { postgresServer } from './postgres-server.ts';
import { benchReads } from './reads.ts';

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

for (const line of benchParsers(join(root, '../shared/leaderboards'))) console.log(line);
console.log('');
for (const line of benchDiff()) console.log(line);
console.log('');

const parseMs = parseOnly();
const dataDir = await mkdtemp(join(tmpdir(), 'rankwatch-bench-pglite-'));
const pgliteMs = await importAll({ databaseUrl: undefined, dataDir: join(dataDir, 'data') });
await rm(dataDir, { recursive: true, force: true });
const server = await postgresServer(root);
let postgresMs: number;
let delivery: string[];
let reads: string[];
let render: string[] | Error;
try {
  postgresMs = await importAll({ databaseUrl: server.url, dataDir: 'unused' });
  await server.reset();
  delivery = await benchDelivery({ databaseUrl: server.url, dataDir: 'unused' });
  await server.reset();
  reads = await benchReads(root, server.url);
  await server.reset();
  render = await benchDashboard(root, server.url).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
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
console.log('');
for (const line of reads) console.log(line);
console.log('');
if (render instanceof Error) {
  console.error(`dashboard render: ${render.message}`);
  process.exitCode = 1;
} else {
  for (const line of render) console.log(line);
}
