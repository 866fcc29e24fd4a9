import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { delimiter } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rankwatch, REPO_ROOT } from '../support/cli.ts';
import { createCliEnvironment, TEST_DB } from '../support/db.ts';

// `npm start` as the README has it, signalled the ways people and process managers do. npm runs
// the script through `sh -c`; a shell in between that does not pass signals on leaves the service
// running, orphaned, holding the embedded database's lock.

/** PATH as a user's shell has it: without the node_modules/.bin that npx and vitest put first (so npm runs on the system's Node). */
function userPath(): string {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .filter((entry) => !entry.includes('node_modules'))
    .join(delimiter);
}

/** Parent pid and state of a process, or null once it is gone (a zombie counts as gone: it runs nothing, holds nothing). */
function processInfo(pid: number): { ppid: number; state: string } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') return null;
    return { state: fields[0] ?? '?', ppid: Number(fields[1]) };
  } catch {
    return null;
  }
}

/** Every live process below `root`, with its command line. */
function descendants(root: number): { pid: number; command: string }[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const info = processInfo(Number(name));
    if (info) children.set(info.ppid, [...(children.get(info.ppid) ?? []), Number(name)]);
  }
  const found: { pid: number; command: string }[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    let command = '';
    try {
      command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    } catch {
      continue;
    }
    found.push({ pid, command });
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

async function until<T>(probe: () => T | undefined | false, what: string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const npm = spawnSync('npm', ['--version'], { env: { ...process.env, PATH: userPath() }, encoding: 'utf8' });
if (npm.status !== 0) throw new Error(`npm is not on PATH (${npm.error?.message ?? npm.stderr}): the README's \`npm start\` cannot be tested`);

let started: { npm: ChildProcess; service: number | null }[] = [];
let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  // A service the fix failed to stop would otherwise outlive the test, holding its data directory.
  for (const run of started) {
    if (run.service && processInfo(run.service)) process.kill(run.service, 'SIGKILL');
    if (run.npm.exitCode === null && run.npm.signalCode === null) run.npm.kill('SIGKILL');
  }
  started = [];
  await cleanup?.();
  cleanup = undefined;
});

/** `npm start` in its own process group (as a terminal's foreground job is), on a fresh database; resolves once it listens. */
async function npmStart(extra: Record<string, string> = {}) {
  const created = await createCliEnvironment();
  cleanup = created.cleanup;
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('RANKWATCH_') && !key.startsWith('npm_') && key !== 'DATABASE_URL' && key !== 'PORT') env[key] = value;
  }
  Object.assign(env, created.env, { PATH: userPath(), PORT: '0', HOST: '127.0.0.1', RANKWATCH_SCHEDULER: 'false', RANKWATCH_PUBLIC_URL: 'http://127.0.0.1' }, extra);
  const child = spawn('npm', ['start'], { cwd: REPO_ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const run: { npm: ChildProcess; service: number | null } = { npm: child, service: null };
  started.push(run);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  await until(() => /serving on http:\/\/127\.0\.0\.1:\d+/.test(output) || child.exitCode !== null, '`npm start` to listen', 60_000);
  expect(child.exitCode, output).toBeNull();
  // The Node process itself (its program is `node`), not a shell that merely names it in `sh -c "node …"`.
  const service = descendants(child.pid!).find((process) => /^(\S*\/)?node (\S*\/)?(bin\.js|cli\.ts) serve$/.test(process.command));
  expect(service, `no service process below npm: ${JSON.stringify(descendants(child.pid!))}`).toBeDefined();
  run.service = service!.pid;
  return { env: created.env, npm: child, service: service!.pid, exited, output: () => output };
}

describe('npm start', () => {
  it.each([
    ['SIGTERM sent to npm (a process manager, `kill`)', 'SIGTERM', 'npm'],
    ['SIGINT sent to npm', 'SIGINT', 'npm'],
    ["Ctrl-C in a terminal (SIGINT to npm and the service at once, then npm's forwarded copy)", 'SIGINT', 'group'],
  ] as const)('%s stops the service and frees the database within seconds', async (_, signal, target) => {
    const run = await npmStart();
    const sent = Date.now();
    process.kill(target === 'group' ? -run.npm.pid! : run.npm.pid!, signal);
    await until(() => processInfo(run.service) === null, `the service (pid ${run.service}) to end`, 5_000);
    const npmExit = await Promise.race([run.exited, new Promise<null>((resolve) => setTimeout(() => resolve(null), 5_000))]);
    expect(npmExit, 'npm itself ends').not.toBeNull();
    expect(Date.now() - sent).toBeLessThan(6_000);
    // It stopped in good order (not killed by a second signal half-way through closing the database).
    expect(run.output()).toMatch(new RegExp(`${signal}: shutting down`));
    expect(run.output()).toMatch(/stopped in \d+\.\d s/);
    // The data directory is free at once: a second command opens the database.
    const next = await rankwatch(['boards', '--json'], run.env);
    expect(next.stderr).not.toMatch(/in use by/);
    expect(next.code, next.stderr).toBe(0);
    expect(JSON.parse(next.stdout).length).toBeGreaterThan(0);
  }, 90_000);

  it.skipIf(TEST_DB === 'postgres')('runs the service on the Node 24 that npm ci installs, whatever runs npm', async () => {
    const run = await npmStart();
    const version = spawnSync(`/proc/${run.service}/exe`, ['--version'], { encoding: 'utf8' }).stdout.trim();
    expect(Number(/^v(\d+)\./.exec(version)?.[1])).toBeGreaterThanOrEqual(22);
    process.kill(run.npm.pid!, 'SIGTERM');
    await until(() => processInfo(run.service) === null, 'the service to end', 5_000);
  }, 90_000);

  it.each([
    ['its own allocator settings', {}, { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' }],
    ["the user's allocator settings when set", { MALLOC_ARENA_MAX: '4', MALLOC_MMAP_THRESHOLD_: '65536' }, { MALLOC_ARENA_MAX: '4', MALLOC_MMAP_THRESHOLD_: '65536' }],
  ])('runs the service with the engine flags and %s', async (_, given, expected) => {
    const run = await npmStart(given);
    // The launcher (src/bin.js) re-runs the command in a child with the flags and settings.
    const engine = descendants(run.service).find((process) => / --liftoff-only .*bin\.js serve$/.test(process.command));
    expect(engine, `no command process below the launcher: ${JSON.stringify(descendants(run.service))}`).toBeDefined();
    const command = readFileSync(`/proc/${engine!.pid}/cmdline`, 'utf8').split('\0');
    expect(command).toEqual(expect.arrayContaining(['--liftoff-only', '--max-semi-space-size=4']));
    const environment = Object.fromEntries(
      readFileSync(`/proc/${engine!.pid}/environ`, 'utf8')
        .split('\0')
        .filter((line) => line.startsWith('MALLOC_'))
        .map((line) => line.split('=') as [string, string]),
    );
    expect(environment).toEqual(expected);
    process.kill(run.npm.pid!, 'SIGTERM');
    await until(() => processInfo(run.service) === null, 'the service to end', 5_000);
  }, 90_000);
});
