import { describe, expect, it } from 'vitest';
import { allBoards } from '../../scrapers/index.ts';
import { loadConfig } from '../../src/config.ts';
import type { ScrapeOutcome } from '../../src/ingest/run.ts';
import { createLogger } from '../../src/log.ts';
import { jitterFor, previousFire, startScheduler, type TickClaims } from '../../src/schedule/scheduler.ts';

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
    await scheduler.started;
    const deadline = Date.now() + 5_000;
    while (started.length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 100));
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

describe('jitter and missed ticks', () => {
  it('gives each document a fixed share of the jitter window, at most a tenth of the time between ticks', () => {
    const hourly = jitterFor('https://example.org/a.json', '0 * * * *', 30_000);
    expect(hourly).toBe(jitterFor('https://example.org/a.json', '0 * * * *', 30_000));
    expect(hourly).toBeGreaterThanOrEqual(0);
    expect(hourly).toBeLessThan(30_000);
    // Documents spread over the window.
    const spread = new Set(Array.from({ length: 20 }, (_, i) => jitterFor(`https://example.org/${i}.json`, '0 * * * *', 30_000)));
    expect(spread.size).toBeGreaterThan(15);
    // Every two seconds: at most 200 ms.
    for (let i = 0; i < 20; i++) expect(jitterFor(`https://example.org/${i}.json`, '*/2 * * * * *', 30_000)).toBeLessThan(200);
    expect(jitterFor('https://example.org/a.json', '0 * * * *', 0)).toBe(0);
  });

  it('finds the last scheduled time at or before now', () => {
    expect(previousFire('0 */3 * * *', new Date('2026-12-03T07:59:30Z'))?.toISOString()).toBe('2026-12-03T06:00:00.000Z');
    expect(previousFire('0 */3 * * *', new Date('2026-12-03T06:00:00Z'))?.toISOString()).toBe('2026-12-03T06:00:00.000Z');
    expect(previousFire('20 6 * * *', new Date('2026-12-03T06:19:00Z'))?.toISOString()).toBe('2026-12-02T06:20:00.000Z');
    expect(previousFire('*/2 * * * * *', new Date('2026-12-03T06:00:03.500Z'))?.toISOString()).toBe('2026-12-03T06:00:02.000Z');
    // Once a year (Christmas): further back than the month looked at.
    expect(previousFire('0 0 25 12 *', new Date('2026-12-03T00:00:00Z'))).toBeNull();
  });
});

describe('the scheduler with claims', () => {
  /** Starts the scheduler, waits for `expected` scrapes of the start's catch-up (and a moment for more), stops it: the fetches each board got. */
  async function catchUp(config: ReturnType<typeof loadConfig>, claims: TickClaims, expected: number): Promise<Map<string, unknown>> {
    const scraped = new Map<string, unknown>();
    const scheduler = startScheduler(
      config,
      async (id, _signal, fetches) => {
        scraped.set(id, fetches);
        return { board: id, status: 'not_modified', httpStatus: 304 };
      },
      quiet,
      undefined,
      claims,
    );
    await scheduler.started;
    const deadline = Date.now() + 5_000;
    while (scraped.size < expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await scheduler.stop();
    return scraped;
  }
  /** Claims that record each call and give away the boards in `lost`. */
  function recordingClaims(last: Record<string, Date | null>, lost: Set<string> = new Set()) {
    const calls: { boards: string[]; fireAt: string }[] = [];
    const claims: TickClaims = {
      async claim(boards, fireAt) {
        calls.push({ boards: [...boards], fireAt: fireAt.toISOString() });
        return new Set(boards.filter((one) => !lost.has(one)));
      },
      async lastScraped(id) {
        return last[id] ?? null;
      },
    };
    return { claims, calls };
  }

  it('catches up at start only the boards whose last scheduled time passed without a scrape, claimed under that time', async () => {
    const config = loadConfig({ RANKWATCH_SCRAPE_ON_START: 'true', RANKWATCH_BOARDS: 'openrouter-prices,aider-polyglot,lmarena-text' }, allBoards);
    const now = Date.now();
    const fired = {
      'openrouter-prices': previousFire(config.boards.get('openrouter-prices')!.schedule!, new Date(now))!,
      aider: previousFire(config.boards.get('aider-polyglot')!.schedule!, new Date(now))!,
    };
    const { claims, calls } = recordingClaims({
      // Scraped after its last scheduled time: nothing missed.
      'openrouter-prices': new Date(fired['openrouter-prices'].getTime() + 1_000),
      // Last scraped before its last scheduled time: the tick was missed.
      'aider-polyglot': new Date(fired.aider.getTime() - 1_000),
      // lmarena-text never scraped.
    });
    const done = [...(await catchUp(config, claims, 2)).keys()];
    expect(done.sort()).toEqual(['aider-polyglot', 'lmarena-text']);
    expect(calls).toContainEqual({ boards: ['aider-polyglot'], fireAt: fired.aider.toISOString() });
    expect(calls.find((call) => call.boards.includes('lmarena-text'))?.fireAt).toBe(previousFire(config.boards.get('lmarena-text')!.schedule!, new Date(now))!.toISOString());
    expect(calls.some((call) => call.boards.includes('openrouter-prices'))).toBe(false);
  });

  it('claims the boards of one document together, scrapes only those won, and shares one set of fetches between them', async () => {
    const text = 'https://example.org/leaderboard-text.json';
    const config = loadConfig(
      {
        RANKWATCH_SCRAPE_ON_START: 'true',
        RANKWATCH_BOARDS: 'lmarena-text,lmarena-text-coding,lmarena-text-math,openrouter-prices',
        RANKWATCH_URL_LMARENA_TEXT: text,
        RANKWATCH_URL_LMARENA_TEXT_CODING: text,
        RANKWATCH_URL_LMARENA_TEXT_MATH: text,
        // One schedule for the three: one scheduled time missed, one claim (whatever the hour of the run).
        RANKWATCH_SCHEDULE_LMARENA_TEXT: '0 */3 * * *',
      },
      allBoards,
    );
    const { claims, calls } = recordingClaims({}, new Set(['lmarena-text-math']));
    const shared = await catchUp(config, claims, 3);
    // Never scraped: all four are caught up; the three boards of the text document in one claim.
    const textClaims = calls.filter((call) => call.boards.some((id) => id.startsWith('lmarena-text')));
    expect(textClaims.map((call) => call.boards)).toEqual([['lmarena-text', 'lmarena-text-coding', 'lmarena-text-math']]);
    // The one another instance won is not scraped here.
    expect([...shared.keys()].sort()).toEqual(['lmarena-text', 'lmarena-text-coding', 'openrouter-prices']);
    expect(shared.get('lmarena-text')).toBe(shared.get('lmarena-text-coding'));
  });

  it('counts a tick whose claim fails (the database is down) as a failed scrape of each board, and logs it', async () => {
    const config = loadConfig({ RANKWATCH_SCRAPE_ON_START: 'true', RANKWATCH_BOARDS: 'openrouter-prices' }, allBoards);
    const failed: { board: string; status: string; error?: string }[] = [];
    const errors: string[] = [];
    const claims: TickClaims = {
      claim: async () => {
        throw new Error('connection refused');
      },
      lastScraped: async () => null,
    };
    let ran = false;
    const scheduler = startScheduler(
      config,
      async (id) => {
        ran = true;
        return { board: id, status: 'not_modified', httpStatus: 304 };
      },
      createLogger('error', (line) => errors.push(line)),
      { scrapeFinished: (outcome) => void failed.push(outcome as { board: string; status: string; error?: string }) },
      claims,
    );
    await scheduler.started;
    const deadline = Date.now() + 5_000;
    while (failed.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    await scheduler.stop();
    expect(ran).toBe(false);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ board: 'openrouter-prices', status: 'failed' });
    expect(failed[0]!.error).toContain('could not be claimed: connection refused');
    expect(errors.join('\n')).toContain('openrouter-prices');
  });
});
