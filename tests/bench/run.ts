// `npm run bench`: throughput measured side by side in one run.
//   - parse throughput per source beside a bare JSON.parse / tokenizer pass (tests/bench/parse.ts)
//   - the diff engine on two 10,000-entry snapshots beside building the two hash maps (tests/bench/diff.ts)
//   - import of the 86-file LMArena text history on PGlite (on-disk data directory) and on
//     PostgreSQL through `rankwatch import`'s code path into an empty database, beside parse only
//     and the floor: parse plus one bulk insert of the same standings and event rows (tests/bench/import.ts)
//   - unchanged scrapes: a 349-model board stored once, then 1,000 unchanged hourly scrapes; the
//     database's size after the first and after the 1,000, on PGlite and PostgreSQL (tests/bench/streaks.ts)
//   - alert delivery on PostgreSQL: commit-to-webhook latency and deliveries per second to 5
//     loopback receivers, beside bare HTTP POSTs (tests/bench/delivery.ts)
//   - reads: the HTTP API's read routes on a year of hourly history of three boards, beside bare
//     routes running one SQL query each, on PostgreSQL and PGlite (tests/bench/reads.ts)
//   - memory and start-up: `rankwatch serve` on PGlite with the year of history and every board
//     scheduled against a loopback source, resident memory over RANKWATCH_BENCH_SERVE_SECONDS
//     (default 600) beside PGlite held open alone; a CLI read's time and peak memory beside the
//     process start alone (tests/bench/memory.ts)
//   - dashboard render: time to first paint and to ready of the board page with that year of
//     history in headless Chromium, beside the page's API call (tests/bench/dashboard.ts); printed
//     last, and a failure there (the page not served yet, no Chromium) fails the bench after the
//     other sections are printed
// PostgreSQL comes from RANKWATCH_BENCH_DATABASE_URL (a server whose user may create databases),
// else a throwaway server is started with .ci/postgres (Debian's packages): tests/bench/postgres-server.ts.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchDashboard } from './dashboard.ts';
import { benchDelivery } from './delivery.ts';
import { benchDiff } from './diff.ts';
import { benchImport } from './import.ts';
import { benchMemory } from './memory.ts';
import { benchParsers } from './parse.ts';
import { postgresServer } from './postgres-server.ts';
import { benchReads } from './reads.ts';
import { benchStreaks } from './streaks.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const history = join(root, '../shared/leaderboards/lmarena/fboulnois-llm-leaderboard-csv/lmsys');
if (!existsSync(history)) {
  console.error(`bench: the LMArena captures are not at ${history}; nothing to measure`);
  process.exit(1);
}
for (const line of benchParsers(join(root, '../shared/leaderboards'))) console.log(line);
console.log('');
for (const line of benchDiff()) console.log(line);
console.log('');

const server = await postgresServer(root);
let imports: string[];
let streaks: string[];
let delivery: string[];
let reads: string[];
let render: string[] | Error;
try {
  imports = await benchImport(history, server);
  await server.reset();
  streaks = await benchStreaks(join(root, '../shared/leaderboards'), server.url);
  await server.reset();
  delivery = await benchDelivery({ databaseUrl: server.url, dataDir: 'unused' });
  await server.reset();
  reads = await benchReads(root, server.url);
  await server.reset();
  render = await benchDashboard(root, server.url).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
} finally {
  await server.stop();
}
const memory = await benchMemory(root);

for (const line of imports) console.log(line);
console.log('');
for (const line of streaks) console.log(line);
console.log('');
for (const line of delivery) console.log(line);
console.log('');
for (const line of reads) console.log(line);
console.log('');
for (const line of memory) console.log(line);
console.log('');
if (render instanceof Error) {
  console.error(`dashboard render: ${render.message}`);
  process.exitCode = 1;
} else {
  for (const line of render) console.log(line);
}
