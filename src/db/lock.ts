import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { DatabaseBusyError } from '../errors.ts';

/** Who holds the embedded database, written beside the lock so others can say so plainly. */
export interface LockHolder {
  pid: number;
  command: string;
  since: string;
  /** Base URL of the HTTP API when the holder is `rankwatch serve`. */
  url?: string | undefined;
}

const LOCK_DIR = 'rankwatch.lock';
const HOLDER_FILE = 'rankwatch.holder.json';
// The lock is refreshed every few seconds; a holder killed with SIGKILL frees it after `STALE_MS`.
const STALE_MS = 10_000;

/** The process-exclusive hold on a PGlite data directory. */
export interface DataDirLock {
  /** Records extra facts about the holder (the serve URL once it listens). */
  describe(extra: Partial<LockHolder>): Promise<void>;
  release(): Promise<void>;
}

/** Reads who holds the data directory, if anyone wrote it down. */
export async function readLockHolder(dataDir: string): Promise<LockHolder | null> {
  try {
    return JSON.parse(await readFile(join(dataDir, HOLDER_FILE), 'utf8')) as LockHolder;
  } catch {
    return null;
  }
}

/**
 * Takes the data directory for this process, or throws DatabaseBusyError naming the holder.
 * PGlite is single-process: two processes on one directory would corrupt it.
 */
export async function lockDataDir(dataDir: string, command: string): Promise<DataDirLock> {
  await mkdir(dataDir, { recursive: true });
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(dataDir, {
      lockfilePath: join(dataDir, LOCK_DIR),
      stale: STALE_MS,
      realpath: false,
      retries: 0,
      onCompromised: (error) => {
        // Another process took the directory while we held it: stop before anything is written.
        process.stderr.write(`rankwatch: lost the lock on ${dataDir}: ${error.message}\n`);
        process.exit(70);
      },
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    const holder = await readLockHolder(dataDir);
    const who = holder
      ? `\`rankwatch ${holder.command}\` (pid ${holder.pid}${holder.url ? `, ${holder.url}` : ''})`
      : 'another rankwatch process';
    throw new DatabaseBusyError(
      `the embedded database in ${dataDir} is in use by ${who}. PGlite allows one process at a time: ` +
        `stop it first${holder?.url ? ', or ask the running service through its HTTP API' : ''}, ` +
        'or set DATABASE_URL to a PostgreSQL server to share one database between processes.',
    );
  }
  const holder: LockHolder = { pid: process.pid, command, since: new Date().toISOString() };
  const holderPath = join(dataDir, HOLDER_FILE);
  await writeFile(holderPath, JSON.stringify(holder));
  return {
    async describe(extra) {
      Object.assign(holder, extra);
      await writeFile(holderPath, JSON.stringify(holder));
    },
    async release() {
      await rm(holderPath, { force: true });
      await release();
    },
  };
}
