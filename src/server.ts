import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { clientAddress } from './api/client-ip.ts';
import { createApp } from './api/app.ts';
import { publicUrlWarning, type Config } from './config.ts';
import type { Database } from './db/client.ts';
import { defaultFetchDeps } from './ingest/fetch.ts';
import { scrapeBoard } from './ingest/run.ts';
import { pacedFetchDeps } from './ingest/shared-fetch.ts';
import { databaseClaims } from './schedule/leases.ts';
import type { Logger } from './log.ts';
import { startScheduler, type Scheduler } from './schedule/scheduler.ts';
import { identityFor, openStore } from './context.ts';
import { Dispatcher } from './notify/dispatcher.ts';
import { describeError } from './errors.ts';
import { Metrics } from './metrics.ts';
import type { ComponentState } from './api/operations.ts';

/** A running service: HTTP API plus scheduled scrapes. */
export interface Service {
  /** Base URL it listens on, e.g. `http://127.0.0.1:8080`. */
  url: string;
  port: number;
  database: Database;
  scheduler: Scheduler | null;
  /** Sends alerts from the outbox (null when RANKWATCH_DISPATCHER is off). */
  dispatcher: Dispatcher | null;
  /** The HTTP app it serves, for requests in the same process (tests). */
  app: ReturnType<typeof createApp>;
  /** The metrics `/metrics` serves, which the scheduler and dispatcher report into. */
  metrics: Metrics;
  stop(): Promise<void>;
}

/** How long requests in progress get to finish at shutdown before their connections are closed. */
const DRAIN_MS = 3_000;

/** Stops accepting connections, closes idle keep-alive ones, and after DRAIN_MS the busy ones too. */
async function closeServer(server: ReturnType<typeof serve>): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  if (!('closeAllConnections' in server)) return closed;
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), DRAIN_MS);
  try {
    await closed;
  } finally {
    clearTimeout(timer);
  }
}

/** Opens the database, starts the HTTP API on `config.port` and schedules the live scrapes. */
export async function startService(config: Config, log: Logger): Promise<Service> {
  // Read (and check) the user's identity tables once, before anything starts: a malformed file stops here.
  const identity = identityFor(config);
  const database = await openStore(config, 'serve');
  const metrics = new Metrics(database.db, (error) => log.warn(`metrics: cannot read the outbox: ${describeError(error)}`));
  // Set once each has started: until then (and from stop() on) /readyz answers 503 naming it.
  let scheduler: Scheduler | null = null;
  let dispatcher: Dispatcher | null = null;
  const state = (enabled: boolean, component: { readonly running: boolean } | null): ComponentState =>
    !enabled ? 'disabled' : component === null ? 'starting' : component.running ? 'running' : 'stopped';
  // The socket's peer (through @hono/node-server's conninfo), or what trusted proxies say it was.
  // A request made in-process (`service.app.request()`) has no socket: its address is unknown.
  const peer = (c: Context): string | undefined => {
    try {
      return getConnInfo(c).remote.address;
    } catch {
      return undefined;
    }
  };
  const clientIp = (c: Context): string | null => clientAddress(peer(c), c.req.header('x-forwarded-for'), config.trustProxy);
  const app = createApp({
    db: database.db,
    publicUrl: config.publicUrl,
    logError: log.error,
    identity,
    adminToken: config.adminToken,
    urlPolicy: { allowHosts: config.delivery.allowHosts },
    metrics,
    metricsToken: config.metricsToken,
    background: () => ({ scheduler: state(config.scheduler, scheduler), dispatcher: state(config.delivery.dispatcher, dispatcher) }),
    http: { rateLimit: config.rateLimit, clientIp, requestLog: log },
  });
  let server: ReturnType<typeof serve>;
  let address: AddressInfo;
  try {
    ({ server, address } = await new Promise<{ server: ReturnType<typeof serve>; address: AddressInfo }>((resolve, reject) => {
      const created = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => resolve({ server: created, address: info }));
      created.once('error', reject);
    }));
  } catch (error) {
    await database.close();
    throw error;
  }
  const host = address.address === '0.0.0.0' || address.address === '::' ? '127.0.0.1' : address.address;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  await database.lock?.describe({ url });
  log.info(`rankwatch listening on ${url} (database: ${database.kind} ${database.location})`);
  const linkWarning = publicUrlWarning(config, url);
  if (linkWarning) log.warn(linkWarning);

  // Every request of the scrapes paced per host; each tick claimed in the database, so that several
  // instances on one PostgreSQL run it once between them.
  const fetch = pacedFetchDeps(defaultFetchDeps, config.hostPacing);
  const claims = databaseClaims(database.db, `${hostname()}:${process.pid}`);
  if (config.scheduler) await claims.prune().catch((error) => log.warn(`scrape leases: old rows not pruned: ${describeError(error)}`));
  scheduler = config.scheduler
    ? startScheduler(
        config,
        (board, signal, shared) => scrapeBoard({ db: database.db, config, fetch, now: () => new Date(), identity, shared }, board, signal),
        log,
        metrics,
        claims,
      )
    : null;
  for (const job of scheduler?.jobs ?? []) log.info(`scheduled ${job.board}: ${job.schedule}${job.jitterMs > 0 ? ` (+${(job.jitterMs / 1000).toFixed(1)} s)` : ''}`);
  for (const skip of scheduler?.skipped ?? []) log.info(`not scheduled ${skip.board}: not configured (${skip.reason})`);

  const sender = config.delivery.dispatcher
    ? new Dispatcher({
        database,
        publicUrl: config.publicUrl ?? url,
        allowHosts: config.delivery.allowHosts,
        timeoutMs: config.delivery.timeoutMs,
        retrySchedule: config.delivery.retrySchedule,
        log: (level, message) => log[level](message),
        metrics,
      })
    : null;
  await sender?.start();
  dispatcher = sender;

  let stopping: Promise<void> | null = null;
  return {
    url,
    port: address.port,
    database,
    scheduler,
    dispatcher,
    app,
    metrics,
    stop() {
      stopping ??= (async () => {
        // All at once: the scheduler abandons fetches and retry waits at once (a capture being
        // stored finishes), rather than after the HTTP server has drained.
        await Promise.all([closeServer(server), scheduler?.stop(), dispatcher?.stop()]);
        await database.close();
      })();
      return stopping;
    },
  };
}
