import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { allBoards } from '../../scrapers/index.ts';
import { loadConfig } from '../../src/config.ts';
import { openStore } from '../../src/context.ts';
import { listBoards } from '../../src/db/queries.ts';
import { FetchError } from '../../src/errors.ts';
import { defaultFetchDeps, politeFetch, type FetchDeps } from '../../src/ingest/fetch.ts';
import { scrapeBoard } from '../../src/ingest/run.ts';
import { createLogger } from '../../src/log.ts';
import { startService } from '../../src/server.ts';
import { runCli } from '../../src/cli/main.ts';
import { startServe } from '../support/cli.ts';
import { createCliEnvironment, createTestDatabase } from '../support/db.ts';

// Shutdown with scrapes in their retry backoff or waiting on a silent source: the fetches are
// abandoned at once and logged, nothing is recorded for them (an abandoned scrape is our own
// shutdown, not a failure of the source: a failed row would announce scrape_failed and, after
// the restart, scrape_recovered), and a capture already fetched is still stored.

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A loopback source; counts the requests it got. */
async function source(handler: Handler): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  const server: Server = createServer((request, response) => {
    requests++;
    handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/leaderboard-text.json`, requests: () => requests };
}

// Retry-After is a floor under the jittered backoff: without it, full jitter draws a wait under
// the tests' few hundred milliseconds about once in two hundred runs, and a second attempt is made.
const unavailable: Handler = (_, response) => response.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '60' }).end('down for maintenance');
// Accepts the request and never answers.
const silent: Handler = () => {};

async function until(probe: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The environment of a service scraping only lmarena-text, from `url`, at start. */
async function serviceEnv(url: string, extra: Record<string, string> = {}): Promise<Record<string, string>> {
  const created = await createCliEnvironment();
  cleanups.push(created.cleanup);
  return {
    ...created.env,
    PORT: '0',
    HOST: '127.0.0.1',
    RANKWATCH_BOARDS: 'lmarena-text',
    RANKWATCH_URL_LMARENA_TEXT: url,
    RANKWATCH_SCRAPE_ON_START: 'true',
    RANKWATCH_DISPATCHER: 'false',
    // Today's defaults would retry for about half a minute; these make it minutes.
    RANKWATCH_FETCH_BACKOFF_MS: '60000',
    RANKWATCH_FETCH_MAX_DELAY_MS: '120000',
    RANKWATCH_FETCH_RETRIES: '10',
    RANKWATCH_FETCH_TIMEOUT_MS: '120000',
    ...extra,
  };
}

/** Starts the service in this process; returns it with the lines it logged. */
async function service(env: Record<string, string>) {
  const config = loadConfig(env, allBoards);
  const lines: string[] = [];
  const running = await startService(config, createLogger('debug', (line) => lines.push(line)));
  let stopped = false;
  cleanups.push(async () => {
    if (!stopped) await running.stop();
  });
  return {
    config,
    lines,
    async stop(): Promise<number> {
      const started = Date.now();
      await running.stop();
      stopped = true;
      return Date.now() - started;
    },
  };
}

/** What the scrape log holds for lmarena-text, read after the service has closed the database. */
async function lastScrape(config: ReturnType<typeof loadConfig>) {
  const database = await openStore(config, 'test');
  try {
    return (await listBoards(database.db)).find((board) => board.id === 'lmarena-text')?.lastScrape ?? null;
  } finally {
    await database.close();
  }
}

describe('stopping the service with scrapes in flight', () => {
  it('abandons a scrape waiting to retry after a 503: stop() returns at once, the log says so, nothing is recorded', async () => {
    const down = await source(unavailable);
    const running = await service(await serviceEnv(down.url));
    await until(() => down.requests() >= 1, 'the first attempt');
    // Now in the retry wait (up to a minute with these settings).
    await new Promise((resolve) => setTimeout(resolve, 300));
    const took = await running.stop();
    expect(took).toBeLessThan(5_000);
    const log = running.lines.join('');
    expect(log).toMatch(/warn {2}scrape lmarena-text: GET http:\/\/127\.0\.0\.1:\d+\/leaderboard-text\.json: abandoned while waiting to retry \(attempt 1: HTTP 503\): shutting down \(nothing recorded\)/);
    expect(log).not.toMatch(/scrape lmarena-text: failed/);
    expect(down.requests()).toBe(1);
    expect(await lastScrape(running.config)).toBeNull();
  });

  it('abandons a request the source never answers', async () => {
    const hung = await source(silent);
    const running = await service(await serviceEnv(hung.url));
    await until(() => hung.requests() >= 1, 'the request to arrive');
    const took = await running.stop();
    expect(took).toBeLessThan(5_000);
    expect(running.lines.join('')).toMatch(/scrape lmarena-text: GET \S+: abandoned during attempt 1: shutting down \(nothing recorded\)/);
    expect(await lastScrape(running.config)).toBeNull();
  });

  it('SIGTERM to `rankwatch serve` ends it within seconds, the retry logged as abandoned', async () => {
    const down = await source(unavailable);
    const served = await startServe(await serviceEnv(down.url));
    cleanups.push(async () => {
      served.child.kill('SIGKILL');
      await served.exited;
    });
    await until(() => down.requests() >= 1, 'the first attempt');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    served.child.kill('SIGTERM');
    expect(await served.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(served.output()).toMatch(/SIGTERM: shutting down/);
    expect(served.output()).toMatch(/scrape lmarena-text: GET \S+: abandoned while waiting to retry \(attempt 1: HTTP 503\): shutting down/);
    expect(served.output()).toMatch(/stopped in \d+\.\d s/);
  }, 40_000);
});

describe('a capture already fetched when the stop comes', () => {
  it('is still parsed and stored', async () => {
    const body = JSON.stringify({ full: { 'model-a': { rating: 1300, rating_q975: 1304, rating_q025: 1295 }, 'model-b': { rating: 1290, rating_q975: 1294, rating_q025: 1285 } } });
    const up = await source((_, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(body));
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    const config = loadConfig({ RANKWATCH_URL_LMARENA_TEXT: up.url, RANKWATCH_BOARDS: 'lmarena-text' }, allBoards);
    const stop = new AbortController();
    // The stop arrives the moment the whole body is in hand.
    const fetchThenStop: FetchDeps = {
      ...defaultFetchDeps,
      fetch: async (input, init) => {
        const response = await globalThis.fetch(input, init);
        const text = await response.text();
        stop.abort('shutting down');
        return new Response(text, { status: response.status, headers: response.headers });
      },
    };
    const outcome = await scrapeBoard({ db: database.db, config, fetch: fetchThenStop, now: () => new Date() }, 'lmarena-text', stop.signal);
    expect(stop.signal.aborted).toBe(true);
    expect(outcome).toMatchObject({ board: 'lmarena-text', status: 'first', rowCount: 2 });
    expect((await listBoards(database.db)).find((board) => board.id === 'lmarena-text')).toMatchObject({ entries: 2, lastScrape: { status: 'first' } });
  });

  it('a stop before anything was fetched records nothing', async () => {
    const up = await source(unavailable);
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    const config = loadConfig({ RANKWATCH_URL_LMARENA_TEXT: up.url, RANKWATCH_BOARDS: 'lmarena-text' }, allBoards);
    const outcome = await scrapeBoard({ db: database.db, config, fetch: defaultFetchDeps, now: () => new Date() }, 'lmarena-text', AbortSignal.abort('shutting down'));
    expect(outcome).toMatchObject({ status: 'abandoned', reason: 'shutting down', error: expect.stringMatching(/abandoned before the first attempt$/) });
    expect(up.requests()).toBe(0);
    expect((await listBoards(database.db)).find((board) => board.id === 'lmarena-text')?.lastScrape).toBeNull();
  });
});

describe('politeFetch with a signal', () => {
  it('stops waiting to retry even when the injected sleep ignores the signal', async () => {
    const down = await source(unavailable);
    const stop = new AbortController();
    const deps: FetchDeps = { ...defaultFetchDeps, sleep: () => new Promise<void>(() => {}), random: () => 1 };
    const pending = politeFetch(deps, { url: down.url, userAgent: 'rankwatch-test', timeoutMs: 5_000, maxBytes: 1_000, retries: 5, baseDelayMs: 60_000, maxDelayMs: 60_000, signal: stop.signal });
    await until(() => down.requests() === 1, 'the first attempt');
    stop.abort('shutting down');
    const error = await pending.then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(FetchError);
    expect(error).toMatchObject({ kind: 'abandoned', status: 503, message: expect.stringMatching(/abandoned while waiting to retry \(attempt 1: HTTP 503\)$/) });
  });
});

describe('signals while `rankwatch serve` stops', () => {
  it('stays subscribed until the service has stopped: a second signal is absorbed, not left to kill the process mid-close', async () => {
    const down = await source(unavailable);
    const env = await serviceEnv(down.url);
    const events: string[] = [];
    let output = '';
    let deliver: ((signal: string) => void) | null = null;
    const code = runCli(['serve'], {
      stdout: (text) => (output += text),
      stderr: (text) => {
        output += text;
        if (/stopped in/.test(text)) events.push('stopped');
      },
      env,
      stderrIsTty: false,
      onShutdown: (handler) => {
        deliver = handler;
        events.push('subscribed');
        return () => events.push('unsubscribed');
      },
    });
    await until(() => /serving on/.test(output) && down.requests() >= 1, 'the service to listen and scrape');
    deliver!('SIGINT');
    // npm forwards the terminal's Ctrl-C once more; an impatient user presses it again.
    deliver!('SIGINT');
    deliver!('SIGTERM');
    expect(await code).toBe(0);
    expect(events).toEqual(['subscribed', 'stopped', 'unsubscribed']);
    expect(output).toMatch(/SIGINT: shutting down/);
    expect(output).toMatch(/SIGINT: already shutting down/);
    expect(output).toMatch(/SIGTERM: already shutting down/);
    expect(output).toMatch(/abandoned while waiting to retry/);
  });
});
