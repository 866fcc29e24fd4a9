import cron, { type ScheduledTask } from 'node-cron';
import pLimit from 'p-limit';
import type { Config } from '../config.ts';
import { describeCapture } from '../diff/describe.ts';
import { describeError } from '../errors.ts';
import type { ScrapeOutcome } from '../ingest/run.ts';
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

/** The running schedule. */
export interface Scheduler {
  /** Board ids with their cron expressions. */
  jobs: { board: string; schedule: string }[];
  /** Boards with a schedule that cannot run, and why (a missing API key). */
  skipped: { board: string; reason: string }[];
  /** True from the start until stop() is called (for `/readyz`). */
  readonly running: boolean;
  stop(): Promise<void>;
}

/**
 * Schedules each board that has a schedule. A tick never overlaps the previous one of the same
 * board, and one failing board never stops the others or the service.
 */
export function startScheduler(
  config: Config,
  run: (board: string, signal: AbortSignal) => Promise<ScrapeOutcome>,
  log: Logger,
  metrics?: Pick<MetricsHooks, 'scrapeFinished'>,
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
  const tick = (board: string): Promise<void> => {
    if (stopping.signal.aborted) return Promise.resolve();
    const busy = running.get(board);
    if (busy) {
      log.debug(`scrape ${board}: previous run still going, tick skipped`);
      return busy;
    }
    const job = (async () => {
      let started = performance.now();
      const seconds = () => (performance.now() - started) / 1000;
      try {
        // Timed from when the scrape starts, not while it waits for its turn.
        const outcome = await limit(async () => {
          started = performance.now();
          return run(board, stopping.signal);
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
      } finally {
        running.delete(board);
      }
    })();
    running.set(board, job);
    return job;
  };
  for (const [board, settings] of config.boards) {
    if (!settings.schedule) continue;
    if (settings.notConfigured) {
      skipped.push({ board, reason: settings.notConfigured });
      continue;
    }
    jobs.push({ board, schedule: settings.schedule });
    tasks.push(cron.schedule(settings.schedule, () => tick(board), { name: `scrape:${board}` }));
    if (config.scrapeOnStart) void tick(board);
  }
  return {
    jobs,
    skipped,
    get running() {
      return !stopping.signal.aborted;
    },
    async stop() {
      stopping.abort('shutting down');
      limit.clearQueue();
      for (const task of tasks) await task.destroy();
      // Fetches end at once; a capture already fetched finishes storing before the database closes.
      await Promise.all(running.values());
    },
  };
}
