import { inArray, sql } from 'drizzle-orm';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Db } from './db/client.ts';
import { deliveries } from './db/schema.ts';
import type { ScrapeOutcome } from './ingest/capture.ts';

/** Scrape outcomes counted by `rankwatch_scrapes_total` (the statuses of the scrape log). */
export const SCRAPE_OUTCOMES = ['first', 'changed', 'unchanged', 'not_modified', 'quarantined', 'failed'] as const;
export type ScrapeOutcomeLabel = (typeof SCRAPE_OUTCOMES)[number];

/** What one recorded delivery attempt came to, as `rankwatch_deliveries_total` counts it. */
export const DELIVERY_OUTCOMES = ['delivered', 'failed', 'dead', 'gone'] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

/** HTTP methods kept as a label value; anything else is counted as `OTHER` (a client picks the method). */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Route label of a request no route matched: one value, whatever path was asked for. */
export const UNMATCHED_ROUTE = 'unmatched';

/** Where the scheduler and the dispatcher report what they did; each hook is cheap and never throws. */
export interface MetricsHooks {
  /** A live scrape of a board ended with `outcome` after `seconds` (abandoned and unconfigured ones are not counted). */
  scrapeFinished(outcome: ScrapeOutcome, seconds: number): void;
  /** A delivery attempt to a `channel` was recorded with `outcome`. */
  deliveryAttempted(channel: string, outcome: DeliveryOutcome): void;
}

/** What the scrape log calls an outcome, or null for one nothing is counted for. */
function scrapeLabel(outcome: ScrapeOutcome): ScrapeOutcomeLabel | null {
  switch (outcome.status) {
    case 'abandoned':
    case 'not_configured':
      // The service stopping, or a board that was never fetched: neither is the source's doing.
      return null;
    case 'duplicate':
      // The very capture was stored before: nothing new, as for an unchanged board.
      return 'unchanged';
    default:
      return outcome.status;
  }
}

// Node's process metrics describe the process, not an app: one registry for them, filled at the
// first scrape of any app (their GC observer and event-loop monitor are never released, so they
// are set up once, and not at all in a process whose metrics nobody reads).
let processRegistry: Registry | null = null;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * The service's Prometheus metrics: a registry of its own per instance (never prom-client's
 * global one: tests create many apps in one process), the hooks the stages report through, and
 * the outbox gauges read from the database at each scrape, so that every instance sharing one
 * PostgreSQL database reports the same outbox.
 */
export class Metrics implements MetricsHooks {
  readonly registry = new Registry();
  /** The gauges read from the database at each scrape. */
  readonly #outbox = new Registry();
  readonly #db: Db;
  readonly #scrapes = new Counter({
    name: 'rankwatch_scrapes_total',
    help: 'Live scrapes by board and outcome (first, changed, unchanged, not_modified, quarantined, failed).',
    labelNames: ['board', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly #scrapeSeconds = new Histogram({
    name: 'rankwatch_scrape_duration_seconds',
    help: 'Time a live scrape took, fetch with retries, parse and store, by board.',
    labelNames: ['board'] as const,
    // Fetches retry with backoff for up to minutes; a stored capture of a large board takes seconds.
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [this.registry],
  });
  readonly #events = new Counter({
    name: 'rankwatch_events_total',
    help: 'Change events announced (written as published, carried by feeds and alerts) by live scrapes, by board and kind.',
    labelNames: ['board', 'kind'] as const,
    registers: [this.registry],
  });
  readonly #deliveries = new Counter({
    name: 'rankwatch_deliveries_total',
    help: 'Delivery attempts recorded by this instance, by channel and outcome (delivered, failed: retried later, dead: no retry left, gone).',
    labelNames: ['channel', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly #outboxDepth = new Gauge({
    name: 'rankwatch_outbox_depth',
    help: 'Deliveries not yet sent, read from the database: pending (due or waiting for a retry), gathering (digests whose window is open).',
    labelNames: ['status'] as const,
    registers: [this.#outbox],
  });
  readonly #oldestDue = new Gauge({
    name: 'rankwatch_outbox_oldest_due_age_seconds',
    help: 'How long the oldest due delivery has been due (0: none is due), read from the database by its clock.',
    registers: [this.#outbox],
  });
  readonly #requests = new Counter({
    name: 'rankwatch_http_requests_total',
    help: 'HTTP requests by route pattern, method and status.',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });
  readonly #requestSeconds = new Histogram({
    name: 'rankwatch_http_request_duration_seconds',
    help: 'Time from a request to its response (headers and body ready), by route pattern and method.',
    labelNames: ['route', 'method'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly #onReadError: (error: unknown) => void;

  /** `db` is read at each scrape for the outbox gauges; `onReadError` hears when that read fails. */
  constructor(db: Db, onReadError: (error: unknown) => void = () => {}) {
    this.#db = db;
    this.#onReadError = onReadError;
  }

  scrapeFinished(outcome: ScrapeOutcome, seconds: number): void {
    const label = scrapeLabel(outcome);
    if (label === null) return;
    this.#scrapes.inc({ board: outcome.board, outcome: label });
    this.#scrapeSeconds.observe({ board: outcome.board }, seconds);
    if ('events' in outcome) for (const event of outcome.events) this.#events.inc({ board: outcome.board, kind: event.kind });
  }

  deliveryAttempted(channel: string, outcome: DeliveryOutcome): void {
    this.#deliveries.inc({ channel, outcome });
  }

  /** Counts one HTTP request; `route` is the pattern that served it (never the raw path). */
  requestServed(route: string, method: string, status: number, seconds: number): void {
    const verb = METHODS.has(method) ? method : 'OTHER';
    this.#requests.inc({ route, method: verb, status: String(status) });
    this.#requestSeconds.observe({ route, method: verb }, seconds);
  }

  /** Content type of `render()`: the Prometheus text exposition format 0.0.4. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text: this instance's metrics, the outbox as the database has it now, and Node's process metrics. */
  async render(): Promise<string> {
    // Left out when the database cannot be read: absent series, rather than stale or zero ones.
    const outbox = (await this.#readOutbox()) ? [this.#outbox] : [];
    return Registry.merge([this.registry, ...outbox, processMetrics()]).metrics();
  }

  /** Sets the outbox gauges from the database; false when it could not be read. */
  async #readOutbox(): Promise<boolean> {
    try {
      const [row] = await this.#db
        .select({
          pending: sql<number>`count(*) filter (where ${deliveries.status} = 'pending')`.mapWith(Number),
          gathering: sql<number>`count(*) filter (where ${deliveries.status} = 'gathering')`.mapWith(Number),
          // The database's clock, so that every instance reading it gives the same age.
          oldestDue: sql<number | null>`extract(epoch from now() - min(${deliveries.nextAttemptAt}) filter (where ${deliveries.nextAttemptAt} <= now()))`,
        })
        .from(deliveries)
        .where(inArray(deliveries.status, ['pending', 'gathering']));
      this.#outboxDepth.set({ status: 'pending' }, row?.pending ?? 0);
      this.#outboxDepth.set({ status: 'gathering' }, row?.gathering ?? 0);
      const oldest = row?.oldestDue;
      this.#oldestDue.set(oldest === null || oldest === undefined ? 0 : Math.max(0, Number(oldest)));
      return true;
    } catch (error) {
      this.#onReadError(error);
      return false;
    }
  }
}
