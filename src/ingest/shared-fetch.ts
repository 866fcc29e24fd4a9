import PQueue from 'p-queue';
import { politeFetch, type FetchDeps, type FetchOptions, type FetchResult } from './fetch.ts';

/**
 * The fetches of one scheduled tick, shared by every board that reads the same document: LMArena's
 * text splits all read one arena-catalog JSON, fetched once per tick instead of once per board.
 * Two requests are the same when they ask for the same URL with the same headers and validators
 * (boards fetched together keep the same validators, so they keep sharing).
 */
export class TickFetches {
  readonly #results = new Map<string, Promise<FetchResult>>();
  /** Requests sent (a shared one counted once): for tests and logs. */
  sent = 0;

  /** The request's result: fetched by the first board that asks, the same promise for the others. */
  fetch(deps: FetchDeps, options: FetchOptions): Promise<FetchResult> {
    const key = JSON.stringify([options.url, options.accept ?? null, options.headers ?? {}, options.etag ?? null, options.lastModified ?? null]);
    let result = this.#results.get(key);
    if (!result) {
      this.sent += 1;
      result = politeFetch(deps, options);
      // A failure is every sharing board's failure, each recorded in its own scrape log; none is unhandled.
      result.catch(() => {});
      this.#results.set(key, result);
    }
    return result;
  }
}

/** Fetches one request through the tick's shared fetches when there are some, alone otherwise. */
export function fetchShared(deps: FetchDeps, options: FetchOptions, shared: TickFetches | undefined): Promise<FetchResult> {
  return shared ? shared.fetch(deps, options) : politeFetch(deps, options);
}

/** How the scrapes treat each host: requests in flight at once, and the least time between two starts. */
export interface HostPacing {
  concurrency: number;
  intervalMs: number;
}

/**
 * Per-host politeness for every request the scrapes make (attempts, retries and robots.txt alike):
 * at most `concurrency` requests to one host at a time, and their starts at least `intervalMs` apart
 * (a sliding window). A request still waiting for its turn when its signal fires is dropped.
 */
export function pacedFetchDeps(deps: FetchDeps, pacing: HostPacing): FetchDeps {
  const queues = new Map<string, PQueue>();
  const queueFor = (host: string): PQueue => {
    let queue = queues.get(host);
    if (!queue) {
      queue = new PQueue(
        pacing.intervalMs > 0 ? { concurrency: pacing.concurrency, intervalCap: 1, interval: pacing.intervalMs, strict: true } : { concurrency: pacing.concurrency },
      );
      queues.set(host, queue);
    }
    return queue;
  };
  return {
    ...deps,
    // The slot is held until the response's headers arrive (the body is read outside it). A
    // request whose signal fires while it waits is dropped with the signal's reason, which the
    // polite fetcher reports as abandoned (or, for its own timeout, as a timeout).
    fetch: (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      return queueFor(new URL(url).host).add(() => deps.fetch(input, init), { signal: init?.signal ?? undefined });
    },
  };
}
