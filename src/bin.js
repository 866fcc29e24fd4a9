#!/usr/bin/env node
// The `rankwatch` command. rankwatch is TypeScript run directly by Node >= 22.18 (type
// stripping); on an older Node (such as the system's Node 20) this launcher re-runs the command
// under the Node 24 that `npm ci` installs from the npm registry (package `node`).
//
// The command always runs with V8's `--liftoff-only`: the embedded database (PGlite) is
// PostgreSQL compiled to WebAssembly, with some very large functions (the SQL parser, the
// expression interpreter). Re-compiling them with V8's optimizing compiler peaked at 630-710 MB
// resident and took seconds of CPU in every process; with the baseline compiler alone a CLI read
// peaks at ~150 MB and the same queries answer sooner within a process's first minutes (see
// "Memory and start-up" in the README). The flag concerns WebAssembly only, and V8 reads it only
// at start, so a process started without it re-runs itself with it. `--max-semi-space-size=4`
// caps V8's young generation at 4 MB per semi-space (16 MB by default): `serve`'s heap held
// 116 MB for 60 MB of live objects, 55 MB of it the young generation's reserve.
import { spawn } from 'node:child_process';
import module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ENGINE_FLAGS = ['--liftoff-only', '--max-semi-space-size=4'];
const [major, minor] = process.versions.node.split('.').map(Number);
const stripsTypes = major > 22 || (major === 22 && minor >= 18);

if (stripsTypes && ENGINE_FLAGS.every((flag) => process.execArgv.includes(flag))) {
  if (process.channel) {
    // Run by the launcher below: the command ends with it. A launcher killed outright (SIGKILL:
    // nothing to forward) leaves the command killed the same way, not running on unseen. The
    // channel alone does not keep the command alive.
    process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));
    process.channel.unref();
  }
  // Caches compiled code (and stripped TypeScript) on disk, in the system temporary folder: later
  // commands start several times faster.
  module.enableCompileCache?.();
  (await import('./module-types.ts')).registerModuleTypes();
  await import('./cli.ts');
} else {
  let node = process.execPath;
  if (!stripsTypes) {
    try {
      const require = createRequire(import.meta.url);
      node = join(dirname(require.resolve('node/package.json')), 'bin', 'node');
    } catch {
      process.stderr.write(`rankwatch needs Node 22.18 or later (this is ${process.version}); run \`npm ci\` in the rankwatch folder to install it\n`);
      process.exit(1);
    }
  }
  // glibc gives each thread that allocates (V8's garbage collector and compiler threads, libuv's
  // pool) a malloc arena of its own, and memory freed in one is kept there: two arenas held
  // `serve` 25 MB lower (250 against 275 MB after two minutes, `npm run bench`). Blocks of 128 KB
  // and more (fetched pages, feed documents, the database's buffers) are mapped on their own and
  // given back when freed: glibc's default threshold rises with every large block freed, until such
  // blocks land in the heap, which can only shrink from its top; its holes held 48 MB of `serve`'s
  // resident memory, 30 MB with the fixed threshold (242 against 256 MB). Values the user set are kept.
  const env = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072', ...process.env };
  // Node options given to the launcher (`--import`, `--inspect`…) apply to the command as well.
  const flags = [...process.execArgv, ...ENGINE_FLAGS.filter((flag) => !process.execArgv.includes(flag))];
  const child = spawn(node, [...flags, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'], env });
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const forward = (signal) => child.kill(signal);
  for (const signal of signals) process.on(signal, forward);
  child.on('exit', (code, signal) => {
    // Without our handlers the re-raised signal takes its default action: this launcher ends the
    // way the command did (with a handler in place it would only be forwarded to a dead child).
    for (const name of signals) process.off(name, forward);
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}
