import { describe, expect, it } from 'vitest';
import { FetchError } from '../../src/errors.ts';
import { defaultFetchDeps, type FetchDeps, type FetchOptions } from '../../src/ingest/fetch.ts';
import { pacedFetchDeps, TickFetches } from '../../src/ingest/shared-fetch.ts';

const options = (url: string, extra: Partial<FetchOptions> = {}): FetchOptions => ({
  url,
  userAgent: 'rankwatch-test',
  timeoutMs: 5_000,
  maxBytes: 1_000_000,
  retries: 0,
  baseDelayMs: 1,
  maxDelayMs: 10,
  ...extra,
});

/** A fetch that answers after `delayMs`, recording when each request started and how many ran at once. */
function recordingFetch(delayMs: number) {
  const starts: { url: string; at: number }[] = [];
  let active = 0;
  let most = 0;
  const fetch: FetchDeps['fetch'] = async (input, init) => {
    starts.push({ url: String(input), at: performance.now() });
    most = Math.max(most, ++active);
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, delayMs);
        init?.signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(init.signal!.reason);
        });
      });
      return new Response(`body of ${String(input)}`, { status: 200 });
    } finally {
      active--;
    }
  };
  return { starts, fetch, most: () => most };
}

describe('the fetches of one tick', () => {
  it('fetch a document once for every board that asks for it with the same request', async () => {
    const recorded = recordingFetch(5);
    const deps = { ...defaultFetchDeps, fetch: recorded.fetch };
    const tick = new TickFetches();
    const [a, b] = await Promise.all([tick.fetch(deps, options('https://example.org/doc.json')), tick.fetch(deps, options('https://example.org/doc.json'))]);
    expect(a).toBe(b);
    expect(recorded.starts).toHaveLength(1);
    // Another document, or the same with other validators or headers, is another request.
    await tick.fetch(deps, options('https://example.org/other.json'));
    await tick.fetch(deps, options('https://example.org/doc.json', { etag: '"v1"' }));
    await tick.fetch(deps, options('https://example.org/doc.json', { headers: { authorization: 'Bearer x' } }));
    expect(recorded.starts).toHaveLength(4);
    expect(tick.sent).toBe(4);
    // A new tick fetches again.
    await new TickFetches().fetch(deps, options('https://example.org/doc.json'));
    expect(recorded.starts).toHaveLength(5);
  });

  it('hand a failure to every board that shares the request', async () => {
    const deps: FetchDeps = { ...defaultFetchDeps, fetch: async () => new Response('no', { status: 404 }) };
    const tick = new TickFetches();
    const results = await Promise.allSettled([tick.fetch(deps, options('https://example.org/gone')), tick.fetch(deps, options('https://example.org/gone'))]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect((results[0] as PromiseRejectedResult).reason).toBeInstanceOf(FetchError);
    expect(tick.sent).toBe(1);
  });
});

describe('requests paced per host', () => {
  it('keep at most `concurrency` requests in flight to one host, other hosts apart', async () => {
    const recorded = recordingFetch(30);
    const deps = pacedFetchDeps({ ...defaultFetchDeps, fetch: recorded.fetch }, { concurrency: 2, intervalMs: 0 });
    await Promise.all(Array.from({ length: 6 }, (_, i) => deps.fetch(`https://a.example/${i}`)));
    expect(recorded.most()).toBe(2);
    const mixed = recordingFetch(30);
    const both = pacedFetchDeps({ ...defaultFetchDeps, fetch: mixed.fetch }, { concurrency: 1, intervalMs: 0 });
    await Promise.all([both.fetch('https://a.example/1'), both.fetch('https://b.example/1'), both.fetch('https://a.example/2')]);
    // One at a time per host, but a.example and b.example at once.
    expect(mixed.most()).toBe(2);
  });

  it('start two requests to one host at least `intervalMs` apart', async () => {
    const recorded = recordingFetch(1);
    const deps = pacedFetchDeps({ ...defaultFetchDeps, fetch: recorded.fetch }, { concurrency: 4, intervalMs: 60 });
    await Promise.all([1, 2, 3].map((i) => deps.fetch(`https://a.example/${i}`)));
    const gaps = recorded.starts.slice(1).map((start, i) => start.at - recorded.starts[i]!.at);
    expect(gaps).toHaveLength(2);
    // Timers may fire a little early by the clock's rounding, never a whole interval.
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(55);
  });

  it('drop a request whose signal fires while it waits for its turn, without sending it', async () => {
    const recorded = recordingFetch(200);
    const deps = pacedFetchDeps({ ...defaultFetchDeps, fetch: recorded.fetch }, { concurrency: 1, intervalMs: 0 });
    const first = deps.fetch('https://a.example/1');
    const controller = new AbortController();
    const second = deps.fetch('https://a.example/2', { signal: controller.signal });
    controller.abort(new Error('shutting down'));
    await expect(second).rejects.toThrow('shutting down');
    await first;
    expect(recorded.starts.map((start) => start.url)).toEqual(['https://a.example/1']);
  });
});
