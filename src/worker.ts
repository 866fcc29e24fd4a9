import { createApp } from './api/app.ts';
import { createTask } from 'node-cron';
import { loadConfig, type Config } from './config.ts';
import { openDatabase, type Database } from './db/client.ts';
import { defaultFetchDeps } from './ingest/fetch.ts';
import { Dispatcher } from './notify/dispatcher.ts';
import { fetchTransport } from './notify/transport.ts';
import { scrapeBoard } from './ingest/run.ts';
import { describeOutcome, documentOf } from './schedule/scheduler.ts';
import { databaseClaims } from './schedule/leases.ts';
import { pacedFetchDeps, TickFetches } from './ingest/shared-fetch.ts';
import { allBoards } from '../scrapers/index.ts';

/** The Worker's bindings (wrangler.toml): Postgres through Hyperdrive, plus the usual variables. */
export interface WorkerEnv {
  HYPERDRIVE: { connectionString: string };
  [variable: string]: unknown;
}

/** The subset of Cloudflare's ExecutionContext rankwatch uses. */
interface ExecutionContextLike {
  waitUntil(promise: Promise<unknown>): void;
}

function settings(env: WorkerEnv) {
  const variables: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(env)) if (typeof value === 'string') variables[key] = value;
  return loadConfig({ ...variables, DATABASE_URL: env.HYPERDRIVE.connectionString }, allBoards);
}

async function withDatabase<T>(env: WorkerEnv, work: (database: Database) => Promise<T>): Promise<T> {
  // Hyperdrive pools connections; each invocation opens a small client and closes it after.
  const database = await openDatabase({ databaseUrl: env.HYPERDRIVE.connectionString, dataDir: 'unused', maxConnections: 5, fetchTypes: false });
  try {
    return await work(database);
  } finally {
    await database.close();
  }
}

/**
 * The boards whose own schedule matches `at` (to the minute, UTC): the Worker's one trigger fires
 * every minute, and each board keeps its schedule as `serve` would run it.
 */
export function dueBoards(config: Config, at: Date): string[] {
  const minute = new Date(Math.floor(at.getTime() / 60_000) * 60_000);
  const due: string[] = [];
  for (const [id, board] of config.boards) {
    if (!board.url || !board.schedule || !board.watched || board.notConfigured) continue;
    const task = createTask(board.schedule, () => {}, { timezone: 'UTC' });
    if (task.match(minute)) due.push(id);
    void task.destroy();
  }
  return due;
}

/**
 * Cloudflare Workers entry: the HTTP API on `fetch`, and the live scrapes on the cron triggers
 * of wrangler.toml. The schema is migrated beforehand with `rankwatch migrate` (see README).
 */
export default {
  async fetch(request: Request, env: WorkerEnv): Promise<Response> {
    const config = settings(env);
    return withDatabase(env, async (database) =>
      // No /metrics: each request builds a new app, and isolates come and go, so counters would never add up.
      createApp({ db: database.db, publicUrl: config.publicUrl, adminToken: config.adminToken, urlPolicy: { allowHosts: config.delivery.allowHosts, guard: 'literal' }, metrics: null }).fetch(request),
    );
  },

  async scheduled(controller: { cron: string; scheduledTime: number }, env: WorkerEnv, context: ExecutionContextLike): Promise<void> {
    const config = settings(env);
    const fireAt = new Date(Math.floor(controller.scheduledTime / 60_000) * 60_000);
    const due = dueBoards(config, fireAt);
    const run = withDatabase(env, async (database) => {
      // As `serve` does: each board's tick claimed in the database (a second invocation of the same
      // tick, or a `serve` beside the Worker, skips it), the boards of one document claimed together
      // and fetched once, requests paced per host.
      const claims = databaseClaims(database.db, 'worker');
      const deps = { db: database.db, config, fetch: pacedFetchDeps(defaultFetchDeps, config.hostPacing), now: () => new Date(controller.scheduledTime), shared: new TickFetches() };
      const byDocument = new Map<string, string[]>();
      for (const board of due) {
        const document = documentOf(config, board);
        byDocument.set(document, [...(byDocument.get(document) ?? []), board]);
      }
      for (const boards of byDocument.values()) {
        const won = await claims.claim(boards, fireAt);
        for (const board of boards.filter((one) => won.has(one))) console.log(`scrape ${describeOutcome(await scrapeBoard(deps, board))}`);
      }
      // No LISTEN on Workers: each tick sends what the outbox holds that is due.
      if (config.delivery.dispatcher) {
        const dispatcher = new Dispatcher({
          database,
          publicUrl: config.publicUrl ?? 'https://rankwatch.invalid',
          allowHosts: config.delivery.allowHosts,
          timeoutMs: config.delivery.timeoutMs,
          retrySchedule: config.delivery.retrySchedule,
          // No DNS and no pinned sockets on Workers: the platform's fetch, with the literal URL guard.
          transport: fetchTransport(),
          log: (_level, message) => console.log(message),
        });
        while ((await dispatcher.runOnce()) > 0) {
          // Until nothing due is left.
        }
      }
    });
    context.waitUntil(run);
    await run;
  },
};
