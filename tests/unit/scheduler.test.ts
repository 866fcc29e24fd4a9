import { describe, expect, it } from 'vitest';
import { allBoards } from '../../scrapers/index.ts';
import { loadConfig } from '../../src/config.ts';
import type { ScrapeOutcome } from '../../src/ingest/run.ts';
import { createLogger } from '../../src/log.ts';
import { startScheduler } from '../../src/schedule/scheduler.ts';

const quiet = createLogger('error', () => {});

describe('the scheduler', () => {
  it('runs at most RANKWATCH_SCRAPE_CONCURRENCY scrapes at once; at stop, those still waiting are never started', async () => {
    const config = loadConfig({ RANKWATCH_SCRAPE_CONCURRENCY: '3', RANKWATCH_SCRAPE_ON_START: 'true' }, allBoards);
    let active = 0;
    let most = 0;
    const started: string[] = [];
    const scrape = async (board: string, signal: AbortSignal): Promise<ScrapeOutcome> => {
      started.push(board);
      most = Math.max(most, ++active);
      // A scrape that waits on its source until shutdown abandons it.
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      active--;
      return { board, status: 'abandoned', error: 'abandoned while waiting', reason: 'shutting down', httpStatus: null };
    };
    const scheduler = startScheduler(config, scrape, quiet);
    // Every scheduled board is due at start; only three begin.
    expect(scheduler.jobs.length).toBeGreaterThan(20);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(started).toHaveLength(3);
    await scheduler.stop();
    expect(most).toBe(3);
    // The queue was dropped: nothing started after the stop.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(started).toHaveLength(3);
  });

  it('lets every due scrape run in turn', async () => {
    const config = loadConfig({ RANKWATCH_SCRAPE_CONCURRENCY: '2', RANKWATCH_SCRAPE_ON_START: 'true' }, allBoards);
    const done: string[] = [];
    const scheduler = startScheduler(
      config,
      async (board) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        done.push(board);
        return { board, status: 'not_modified', httpStatus: 304 };
      },
      quiet,
    );
    const deadline = Date.now() + 10_000;
    while (done.length < scheduler.jobs.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    await scheduler.stop();
    expect(done.sort()).toEqual(scheduler.jobs.map((job) => job.board).sort());
  });
});
