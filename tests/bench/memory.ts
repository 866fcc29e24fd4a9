// Memory and start-up of the service on the embedded database, measured on a process a user starts:
//   - `rankwatch serve` (through src/bin.js, as `npm start` runs it) on a PGlite copy of the bench
//     history (a year of hourly history of three boards, tests/bench/history-db.ts), with every
//     board scheduled (its own schedule, or RANKWATCH_BENCH_SERVE_SCHEDULE for all, e.g. `* * * * *`)
//     against a loopback source that serves real captures and changes every tick, and a reader
//     fetching pages, API calls and feeds; resident memory sampled for RANKWATCH_BENCH_SERVE_SECONDS
//     (default 600), beside the floor: a bare process holding the same database open with the same
//     engine flags;
//   - a CLI read, `rankwatch events --limit 5`, on that database: wall time and peak resident memory,
//     beside `rankwatch --version` (the process start alone).
// Targets (issue 13): serve <= 250 MB after 10 minutes; the CLI read <= 1.5 s and <= 250 MB.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allBoards, findBoard } from '../../scrapers/index.ts';
import type { BoardDefinition } from '../../scrapers/scraper.ts';
import { pgliteOptions } from '../../src/db/client.ts';
import { historyDump, openHistoryPglite } from './history-db.ts';

export const SERVE_TARGET_MB = 250;
export const CLI_TARGET_MB = 250;
export const CLI_TARGET_MS = 1500;

const MB = 1024 * 1024;

/** Resident and peak resident memory of a process (bytes), or null once it is gone. */
function memoryOf(pid: number): { rss: number; peak: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { rss: field('VmRSS'), peak: field('VmHWM') };
  } catch {
    return null;
  }
}

/** The process and its descendants (the launcher re-runs the command in a child: see src/bin.js). */
function processTree(pid: number): number[] {
  const found = [pid];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      for (const child of children ? children.split(/\s+/).map(Number) : []) found.push(...processTree(child));
    }
  } catch {
    // Gone meanwhile.
  }
  return found;
}

/** The service's own process: the deepest of the tree (the launcher's child when there is one). */
const serviceProcess = (pid: number) => processTree(pid).at(-1)!;

/** Runs a command to its end, polling the peak resident memory of its processes; wall time in ms. */
async function measureCommand(root: string, args: string[], env: Record<string, string>): Promise<{ ms: number; peakBytes: number; code: number | null; output: string }> {
  const start = performance.now();
  const child = spawn(process.execPath, [join(root, 'src/bin.js'), ...args], { cwd: tmpdir(), env: { ...process.env, ...env } });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  let peakBytes = 0;
  const poll = setInterval(() => {
    for (const pid of processTree(child.pid!)) peakBytes = Math.max(peakBytes, memoryOf(pid)?.peak ?? 0);
  }, 5);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearInterval(poll);
  return { ms: performance.now() - start, peakBytes, code, output };
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** A board's documents for the loopback source: real captures its parser accepts, and its attachments. */
interface BoardDocuments {
  bodies: string[];
  attachments: Record<string, string>;
}

/**
 * For every board with a live source: captures of its source (the newest three of each folder in
 * ../shared/leaderboards/<source>) that its parser reads, to be served in turn (a change every tick).
 */
function documentsFor(leaderboards: string, boards: readonly BoardDefinition[]): Map<string, BoardDocuments> {
  const bySource = new Map<string, string[]>();
  const documents = new Map<string, BoardDocuments>();
  for (const board of boards) {
    const { scraper } = findBoard(board.id)!;
    if (!bySource.has(scraper.id)) {
      const folder = join(leaderboards, scraper.id);
      const files = existsSync(folder) ? filesUnder(folder).filter((path) => !path.endsWith('SOURCE.md')) : [];
      const byFolder = new Map<string, string[]>();
      for (const path of files.sort()) {
        const folderOf = path.slice(0, path.lastIndexOf('/'));
        byFolder.set(folderOf, [...(byFolder.get(folderOf) ?? []), path]);
      }
      bySource.set(scraper.id, [...byFolder.values()].flatMap((list) => list.slice(-3)));
    }
    const candidates = bySource.get(scraper.id)!;
    const attachments: Record<string, string> = {};
    for (const name of Object.keys(board.live?.attachments ?? {})) {
      const file = candidates.findLast((path) => path.split('/').at(-1)!.startsWith(name));
      if (file) attachments[name] = readFileSync(file, 'utf8');
    }
    const bodies: string[] = [];
    for (const path of candidates) {
      const body = readFileSync(path, 'utf8');
      try {
        if (scraper.parse(body, { board: board.id, fileName: path.split('/').at(-1), attachments }).entries.length > 0) bodies.push(body);
      } catch {
        // Not a document of this board.
      }
    }
    documents.set(board.id, { bodies, attachments });
  }
  return documents;
}

/** The loopback source: `/b/<board>` answers the board's next capture, `/b/<board>/<name>` an attachment. */
async function loopbackSource(documents: Map<string, BoardDocuments>): Promise<{ server: Server; url: string; requests: () => number }> {
  const served = new Map<string, number>();
  let requests = 0;
  const server = createServer((request, response) => {
    requests++;
    const [, prefix, board, attachment] = (request.url ?? '').split('?')[0]!.split('/');
    const found = prefix === 'b' && board ? documents.get(board) : undefined;
    const body = attachment ? found?.attachments[attachment] : found?.bodies[(served.get(board!) ?? 0) % Math.max(1, found.bodies.length)];
    if (!body) {
      response.writeHead(404).end();
      return;
    }
    if (!attachment) served.set(board!, (served.get(board!) ?? 0) + 1);
    response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return { server, url: `http://127.0.0.1:${address.port}`, requests: () => requests };
}

/** `RANKWATCH_<KIND>_<BOARD>` as config.ts reads it. */
const boardVariable = (kind: string, board: string, suffix = '') => `RANKWATCH_${kind}_${board.toUpperCase().replaceAll('-', '_')}${suffix ? `_${suffix.toUpperCase()}` : ''}`;

async function startServe(root: string, env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [join(root, 'src/bin.js'), 'serve'], { cwd: tmpdir(), env: { ...process.env, ...env } });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start in 60 s: ${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /serving on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({ child, url: match[1] });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('close', (code) => reject(new Error(`serve exited with ${code}: ${output}`)));
  });
}

/** The floor: a bare process holding the same PGlite database open, one query answered, with the service's engine flags and settings. */
async function floorBytes(root: string, dataDir: string): Promise<number> {
  // Plain JavaScript: importing TypeScript here would load Node's type stripper (~170 MB).
  const script = `
    const { PGlite } = await import('@electric-sql/pglite');
    const db = new PGlite(${JSON.stringify(dataDir)}, ${JSON.stringify(await pgliteOptions())});
    await db.query('select count(*) from events');
    process.stdout.write('ready\\n');
    setInterval(() => {}, 1000);`;
  const node = join(root, 'node_modules/node/bin/node');
  const child = spawn(existsSync(node) ? node : process.execPath, ['--liftoff-only', '--input-type=module', '-e', script], { cwd: root });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', () => resolve());
    child.on('close', (code) => reject(new Error(`the floor process exited with ${code}`)));
  });
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const rss = memoryOf(child.pid!)?.rss ?? 0;
  child.kill('SIGKILL');
  return rss;
}

/**
 * Where a process's resident memory is: V8's JavaScript heap (used of allocated, from the service's
 * own /metrics), glibc's heap (`[heap]` in /proc/PID/smaps), the Node binary's pages, and the rest
 * (PGlite's WebAssembly memory, code, stacks, mapped blocks).
 */
async function whereItGoes(url: string, pid: number): Promise<string> {
  const text = await fetch(`${url}/metrics`).then((response) => response.text());
  const value = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  const resident = { heap: 0, binary: 0, all: 0 };
  let mapping = '';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) mapping = header[1]!;
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (!rss) continue;
    const bytes = Number(rss[1]) * 1024;
    resident.all += bytes;
    if (mapping === '[heap]') resident.heap += bytes;
    else if (mapping.endsWith('/node')) resident.binary += bytes;
  }
  const used = value('nodejs_heap_size_used_bytes');
  const total = value('nodejs_heap_size_total_bytes');
  return `JS heap ${mb(used)} used of ${mb(total)}; malloc heap ${mb(resident.heap)}; the node binary ${mb(resident.binary)}; the rest (the database's WebAssembly memory, code, stacks) ${mb(resident.all - total - resident.heap - resident.binary)}`;
}

const mb = (bytes: number) => `${(bytes / MB).toFixed(0)} MB`;

export async function benchMemory(root: string, log: (line: string) => void = console.error): Promise<string[]> {
  const leaderboards = join(root, '../shared/leaderboards');
  const seconds = Number(process.env.RANKWATCH_BENCH_SERVE_SECONDS ?? 600);
  // The boards' own schedules (every board scraped at start, then hourly or daily), or one for all.
  const schedule = process.env.RANKWATCH_BENCH_SERVE_SCHEDULE;
  const scheduled = schedule ? `every board on \`${schedule}\`` : "every board on its own schedule, scraped at start";
  const { dump } = await historyDump(root, leaderboards, log);
  const dir = await mkdtemp(join(tmpdir(), 'rankwatch-bench-memory-'));
  const dataDir = join(dir, 'data');
  const lines: string[] = [];
  try {
    await (await openHistoryPglite(dump, dir)).close();
    const floor = await floorBytes(root, dataDir);

    const live = allBoards.filter((board) => board.live);
    const documents = documentsFor(leaderboards, live);
    const source = await loopbackSource(documents);
    const env: Record<string, string> = {
      RANKWATCH_DATA: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      RANKWATCH_LOG_LEVEL: 'error',
      RANKWATCH_PUBLIC_URL: 'http://127.0.0.1',
      RANKWATCH_ARTIFICIALANALYSIS_API_KEY: 'bench',
    };
    for (const board of live) {
      env[boardVariable('URL', board.id)] = `${source.url}/b/${board.id}`;
      if (schedule) env[boardVariable('SCHEDULE', board.id)] = schedule;
      for (const name of Object.keys(board.live!.attachments ?? {})) env[boardVariable('URL', board.id, name)] = `${source.url}/b/${board.id}/${name}`;
    }
    const served = [...documents.values()].filter((entry) => entry.bodies.length > 0).length;
    log(`memory: serve for ${seconds} s, ${scheduled} (${live.length} boards, ${served} with captures on the loopback source)…`);
    // A first start, stopped at once (no scrapes), fills Node's compile cache as any earlier run of
    // the service has: the measured run is a service restarted, not the first start after an edit
    // (which also loads Node's TypeScript stripper, ~17 MB more).
    const first = await startServe(root, { ...env, RANKWATCH_SCHEDULER: 'false', RANKWATCH_SCRAPE_ON_START: 'false' });
    first.child.kill('SIGTERM');
    await new Promise((resolve) => first.child.on('close', resolve));
    const service = await startServe(root, env);
    const pid = serviceProcess(service.child.pid!);
    const reads = ['/', '/boards/lmarena-text', '/v1/events?limit=100', '/feed.xml', '/v1/boards/lmarena-text/history', '/events', '/health'];
    const samples: number[] = [];
    let readCount = 0;
    const started = performance.now();
    while (performance.now() - started < seconds * 1000) {
      for (const path of reads) {
        await fetch(`${service.url}${path}`).then((response) => response.arrayBuffer());
        readCount++;
      }
      samples.push(memoryOf(pid)?.rss ?? 0);
      await new Promise((resolve) => setTimeout(resolve, 5000));
    }
    const end = memoryOf(pid);
    const breakdown = await whereItGoes(service.url, pid);
    service.child.kill('SIGTERM');
    await new Promise((resolve) => service.child.on('close', resolve));
    source.server.close();
    const launcher = service.child.pid === pid ? 0 : (memoryOf(service.child.pid!)?.rss ?? 0);

    const runs = [];
    for (let i = 0; i < 5; i++) runs.push(await measureCommand(root, ['events', '--limit', '5'], { RANKWATCH_DATA: dataDir }));
    const failed = runs.find((run) => run.code !== 0);
    if (failed) throw new Error(`rankwatch events failed: ${failed.output}`);
    const starts = [];
    for (let i = 0; i < 5; i++) starts.push(await measureCommand(root, ['--version'], {}));
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const cliMs = median(runs.map((run) => run.ms));
    const cliPeak = Math.max(...runs.map((run) => run.peakBytes));
    const startMs = median(starts.map((run) => run.ms));
    const startPeak = Math.max(...starts.map((run) => run.peakBytes));
    const after = end?.rss ?? samples.at(-1)!;
    lines.push(
      `memory on PGlite, the bench history (a year of three boards); ${scheduled} (${live.length} boards), ${source.requests()} source requests, ${readCount} reads:`,
      `  serve, resident after ${seconds} s   ${mb(after).padStart(7)}   (peak ${mb(end?.peak ?? 0)}; target ${SERVE_TARGET_MB} MB: ${after <= SERVE_TARGET_MB * MB ? 'met' : 'MISSED'})`,
      `  the floor: PGlite held open   ${mb(floor).padStart(7)}   serve = ${(after / floor).toFixed(2)}x the floor${launcher ? `; the launcher (Node 20 re-running the command) ${mb(launcher)} more` : ''}`,
      `  where it goes                 ${breakdown}`,
      `  resident over the run         ${samples.map((bytes) => (bytes / MB).toFixed(0)).filter((_, i, all) => i % Math.max(1, Math.floor(all.length / 12)) === 0).join(' ')} MB`,
      `  CLI \`events --limit 5\`        ${cliMs.toFixed(0).padStart(5)} ms, peak ${mb(cliPeak)}   (median and peak of 5; targets ${CLI_TARGET_MS} ms / ${CLI_TARGET_MB} MB: ${cliMs <= CLI_TARGET_MS && cliPeak <= CLI_TARGET_MB * MB ? 'met' : 'MISSED'})`,
      `  CLI \`--version\`               ${startMs.toFixed(0).padStart(5)} ms, peak ${mb(startPeak)}   (process start alone: events = ${(cliMs / startMs).toFixed(1)}x)`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return lines;
}

// `npx node tests/bench/memory.ts`: this section alone.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  for (const line of await benchMemory(root)) console.log(line);
}
