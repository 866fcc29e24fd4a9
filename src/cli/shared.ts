import { allBoards, findBoard } from '../../scrapers/index.ts';
import { loadConfig, type Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import { readLockHolder } from '../db/lock.ts';
import { AppError, DatabaseBusyError, NotFoundError } from '../errors.ts';
import { openStore } from '../context.ts';
import type { CliIo } from './io.ts';

/** What the commands' implementations share. */

/** Rows per page when a list is read a page at a time (the API's largest page). */
export const PAGE = 1000;

/** The configuration from the CLI's environment. */
export function configOf(io: CliIo): Config {
  return loadConfig(io.env, allBoards);
}

export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export function requireBoard(board: string): void {
  if (!findBoard(board)) throw new NotFoundError(`unknown board: ${board}; known boards: ${allBoards.map((b) => b.id).join(', ')}`);
}

/**
 * Runs `work` with an AbortSignal that fires at the first SIGINT/SIGTERM (its reason: the
 * signal's name). Later signals only reach `repeated`: the work is already stopping, and a second
 * signal (a terminal's Ctrl-C reaches both npm and the service, and npm forwards it again) must
 * not kill the process half-way through closing the database.
 */
export async function untilShutdown<T>(io: CliIo, work: (signal: AbortSignal) => Promise<T>, repeated: (signal: string) => void = () => {}): Promise<T> {
  const controller = new AbortController();
  const unsubscribe = io.onShutdown?.((signal) => (controller.signal.aborted ? repeated(signal) : controller.abort(signal))) ?? (() => {});
  try {
    return await work(controller.signal);
  } finally {
    unsubscribe();
  }
}

/**
 * Runs a read against the database, or, when `rankwatch serve` holds the embedded database,
 * against the running service's HTTP API.
 */
export async function readThrough<T>(config: Config, local: (database: Database) => Promise<T>, remote: (baseUrl: string) => Promise<T>): Promise<T> {
  let database: Database;
  try {
    database = await openStore(config, 'cli');
  } catch (error) {
    const holder = error instanceof DatabaseBusyError && !config.databaseUrl ? await readLockHolder(config.dataDir) : null;
    if (!holder?.url) throw error;
    try {
      return await remote(holder.url);
    } catch (remoteError) {
      if (remoteError instanceof AppError) throw remoteError;
      // The holder wrote down a URL but does not answer: it may have been killed; its lock goes stale shortly.
      throw new DatabaseBusyError(`${(error as Error).message} (the service at ${holder.url} does not answer: if it was killed, the lock frees itself within 10 seconds)`);
    }
  }
  try {
    return await local(database);
  } finally {
    await database.close();
  }
}
