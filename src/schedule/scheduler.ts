import cron, { createTask, type ScheduledTask } from 'node-cron';
import pLimit from 'p-limit';
import type { Config } from '../config.ts';
import { describeCapture } from '../diff/describe.ts';
import { describeError } from '../errors.ts';
import type { ScrapeOutcome } from '../ingest/run.ts';
import { TickFetches } from '../ingest/shared-fetch.ts';
import type { Logger } from '../log.ts';
import type { MetricsHooks } from '../metrics.ts';

/** One line describing a scrape outcome, for logs and the CLI. */
export function describeOutcome(outcome: ScrapeOutcome): string {
  switch (outcome.status) {
    case 'not_configured':
      return `${outcome.board}: not configured (${outcome.message})`;
    case 'not_modified':
      return `${outcome.board}: not modified (HTTP 304)`;
    case 'failed':
      return `${outcome.board}: failed: ${outcome.error}`;
    case 'abandoned':
      return `${outcome.board}: ${outcome.error}: ${outcome.reason} (nothing recorded)`;
    default:
      return `${outcome.board}: ${describeCapture(outcome)}`;
  }
}

/**
 * How instances sharing one database divide the ticks. `serve` uses leases in the database
 * (./leases.ts); without claims the scheduler runs every tick itself.
 */
export interface TickClaims {
  /**
   * The boards of `boards` whose tick scheduled at `fireAt` this instance runs: those no other
   * instance claimed. The boards of one document are asked together, so one instance gets them all.
   */
  claim(boards: readonly string[], fireAt: Date): Promise<Set<string>>;
  /** When the board was last scraped live (whatever the outcome), or null when never. */
  lastScraped(board: string): Promise<Date | null>;
}

/** Every tick is this instance's; nothing is known of earlier scrapes (each board is caught up at start). */
const ALONE: TickClaims = { claim: async (boards) => new Set(boards), lastScraped: async () => null };

/** The running schedule. */
export interface Scheduler {
  /** Board ids with their cron expressions, and how long each tick waits after its time (ms). */
  jobs: { board: string; schedule: string; jitterMs: number }[];
  /** Boards with a schedule that cannot run, and why (a missing API key). */
  skipped: { board: string; reason: string }[];
  /** True from the start until stop() is called (for `/readyz`). */
  readonly running: boolean;
  /** Resolves once the start's catch-up has been decided and its scrapes queued (tests). */
  readonly started: Promise<void>;
  stop(): Promise<void>;
}

/** What a scrape is handed: the shutdown signal, and the tick's fetches shared with the other boards of that tick. */
export type ScrapeRun = (board: string, signal: AbortSignal, shared: TickFetches) => Promise<ScrapeOutcome>;

/** A fraction in [0, 1) fixed for each text (FNV-1a): where in its jitter window a document's ticks start. */
export function fractionOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash / 2 ** 32;
}

/**
 * How long the ticks of a document (`key`: its URL) wait after their scheduled time: a fixed share
 * of the jitter window, so the boards of one schedule do not all fetch in the same second, while
 * the boards that read one document still fetch it together. The window is `maxMs`, but at most a
 * tenth of the time between two ticks (a schedule in seconds stays one).
 */
export function jitterFor(key: string, expression: string, maxMs: number): number {
  if (maxMs <= 0) return 0;
  const task = createTask(expression, () => {}, { timezone: 'UTC' });
  try {
    const [first, second] = task.getNextRuns(2);
    const period = first && second ? second.getTime() - first.getTime() : maxMs * 10;
    return Math.floor(fractionOf(key) * Math.min(maxMs, period / 10));
  } finally {
    void task.destroy();
  }
}

/**
 * The latest time at or before `now` that `expression` fires (UTC), looked for back to one
 * month of minutes (or two days of seconds for a six-field expression); null when it fires rarer.
 */
export function previousFire(expression: string, now: Date): Date | null {
  const task = createTask(expression, () => {}, { timezone: 'UTC' });
  try {
    const seconds = expression.trim().split(/\s+/).length === 6;
    const step = seconds ? 1_000 : 60_000;
    const steps = seconds ? 2 * 86_400 : 32 * 1_440;
    let at = Math.floor(now.getTime() / step) * step;
    for (let i = 0; i < steps; i++, at -= step) if (task.match(new Date(at))) return new Date(at);
    return null;
  } finally {
    void task.destroy();
  }
}

/** The document a board reads (its live URL): boards with the same one are claimed together and share its fetch. */
export function documentOf(config: Config, board: string): string {
  return config.boards.get(board)?.url ?? board;
}

/** How long the boards of one tick and document are gathered before they are claimed together. */
const GATHER_MS = 100;

/** The start's catch-up, as one tick (scheduled ticks are their times, never negative). */
const CATCH_UP = -1;

/**
 * Schedules each board that has a schedule. A tick never overlaps the previous one of the same
 * board, and one failing board never stops the others or the service.
 *
 * Ticks are claimed (`claims`) per board and scheduled time, so several instances on one database
 * run each tick once between them, and an instance that stops or dies leaves its boards to the
 * others at their next tick. The boards that read one document at one time are claimed together
 * and share one fetch of it. At start, a board whose last scheduled time passed without a scrape
 * (the service was down) is scraped once, by whichever instance claims it.
 */
export function startScheduler(
  config: Config,
  run: ScrapeRun,
  log: Logger,
  metrics?: Pick<MetricsHooks, 'scrapeFinished'>,
  claims: TickClaims = ALONE,
): Scheduler {
  const tasks: ScheduledTask[] = [];
  // Fired by stop(): scrapes abandon their fetches and retry waits instead of holding the shutdown.
  const stopping = new AbortController();
  const jobs: Scheduler['jobs'] = [];
  const skipped: Scheduler['skipped'] = [];
  const running = new Map<string, Promise<void>>();
  // A few scrapes at a time: at start every board is due at once (65 fetches, as many DNS lookups,
  // which no abort cancels and which hold the process at exit), and sources are asked politely.
  const limit = pLimit({ concurrency: config.scrapeConcurrency, rejectOnClear: true });
  // The boards due for one document at one tick, gathered until they are claimed. Each group
  // shares its own fetches, dropped with it: a document's body is held only while its boards run.
  const gathering = new Map<string, { due: { board: string; fireAt: Date }[]; done: Promise<void> }>();

  const scrape = async (board: string, shared: TickFetches): Promise<void> => {
    let started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      // Timed from when the scrape starts, not while it waits for its turn.
      const outcome = await limit(async () => {
        started = performance.now();
        return run(board, stopping.signal, shared);
      });
      metrics?.scrapeFinished(outcome, seconds());
      (outcome.status === 'failed' || outcome.status === 'abandoned' ? log.warn : log.info)(`scrape ${describeOutcome(outcome)}`);
    } catch (error) {
      // A scrape still waiting for its turn at shutdown is dropped, not started.
      if (stopping.signal.aborted && (error as Error).name === 'AbortError') {
        log.debug(`scrape ${board}: not started, shutting down`);
      } else {
        const message = describeError(error);
        // Not recorded in the scrape log (the run itself broke), but a failed scrape all the same.
        metrics?.scrapeFinished({ board, status: 'failed', error: message, httpStatus: null }, seconds());
        log.error(`scrape ${board}: ${message}`);
      }
    }
  };

  /** The boards of `boards` this instance runs at `fireAt`; a claim that fails is each board's failed scrape. */
  const claim = async (boards: string[], fireAt: Date): Promise<string[]> => {
    try {
      const won = await claims.claim([...boards].sort(), fireAt);
      for (const other of boards) if (!won.has(other)) log.debug(`scrape ${other}: the tick of ${fireAt.toISOString()} is run by another instance`);
      return boards.filter((board) => won.has(board));
    } catch (error) {
      // Not run, and not recorded in the scrape log (the database did not answer): failed scrapes all the same.
      const message = `the tick of ${fireAt.toISOString()} could not be claimed: ${describeError(error)}`;
      for (const board of boards) metrics?.scrapeFinished({ board, status: 'failed', error: message, httpStatus: null }, 0);
      log.error(`scrape ${boards.join(', ')}: ${message}`);
      return [];
    }
  };

  /**
   * A board due at `fireAt`: after `waitMs` (its document's jitter), it is claimed with the other
   * boards of its document in `tick` (a scheduled time; the start's catch-up is one tick, whatever
   * times it claims), each under its own scheduled time, and the ones won share one fetch.
   */
  const due = (board: string, fireAt: Date, waitMs: number, tick = fireAt.getTime()): void => {
    if (stopping.signal.aborted) return;
    if (running.has(board)) {
      log.debug(`scrape ${board}: previous run still going, tick skipped`);
      return;
    }
    const key = `${tick} ${documentOf(config, board)}`;
    const gathered = gathering.get(key);
    if (gathered) {
      gathered.due.push({ board, fireAt });
      running.set(board, gathered.done);
      return;
    }
    const group = [{ board, fireAt }];
    const done = (async () => {
      await pause(Math.max(waitMs, GATHER_MS), stopping.signal);
      gathering.delete(key);
      if (stopping.signal.aborted) return;
      const byTime = new Map<number, string[]>();
      for (const one of group) byTime.set(one.fireAt.getTime(), [...(byTime.get(one.fireAt.getTime()) ?? []), one.board]);
      const won = (await Promise.all([...byTime].map(([at, boards]) => claim(boards, new Date(at))))).flat();
      const shared = new TickFetches();
      await Promise.all(won.map((one) => scrape(one, shared)));
    })().finally(() => {
      for (const one of group) running.delete(one.board);
    });
    gathering.set(key, { due: group, done });
    running.set(board, done);
  };

  for (const [board, settings] of config.boards) {
    if (!settings.schedule) continue;
    if (settings.notConfigured) {
      skipped.push({ board, reason: settings.notConfigured });
      continue;
    }
    const jitterMs = jitterFor(documentOf(config, board), settings.schedule, config.scrapeJitterMs);
    jobs.push({ board, schedule: settings.schedule, jitterMs });
    // In UTC, as on Workers (and as previousFire reads them), whatever the machine's time zone.
    tasks.push(cron.schedule(settings.schedule, (context) => due(board, context.date, jitterMs), { name: `scrape:${board}`, timezone: 'UTC' }));
  }
  // The catch-up: each board whose last scheduled time passed with no scrape since, claimed under
  // that time (the boards of one document and time together, sharing its fetch).
  const started = (async () => {
    if (!config.scrapeOnStart) return;
    const now = new Date();
    const fires = new Map<string, Date | null>();
    for (const job of jobs) {
      try {
        const last = await claims.lastScraped(job.board);
        if (!fires.has(job.schedule)) fires.set(job.schedule, previousFire(job.schedule, now));
        const fired = fires.get(job.schedule)!;
        if (last !== null && (fired === null || fired.getTime() <= last.getTime())) continue;
        // Never scraped, and no scheduled time found: claimed under the epoch, once for all instances.
        due(job.board, fired ?? new Date(0), 0, CATCH_UP);
      } catch (error) {
        log.error(`scrape ${job.board}: could not tell whether a tick was missed: ${describeError(error)}`);
      }
    }
  })();
  return {
    jobs,
    skipped,
    started,
    get running() {
      return !stopping.signal.aborted;
    },
    async stop() {
      stopping.abort('shutting down');
      limit.clearQueue();
      for (const task of tasks) await task.destroy();
      await started;
      // Fetches end at once; a capture already fetched finishes storing before the database closes.
      await Promise.all(running.values());
    },
  };
}

/** Waits `ms`, or less when `signal` fires first. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
