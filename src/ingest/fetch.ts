import { FetchError } from '../errors.ts';
import { readHttpDate } from '../time.ts';

/** The outside world the fetcher talks to; injected so tests control time and randomness. */
export interface FetchDeps {
  fetch: typeof globalThis.fetch;
  /** Waits between attempts; politeFetch stops waiting when its signal fires, whether or not this does. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  random: () => number;
  now: () => Date;
}

/** One polite GET. */
export interface FetchOptions {
  url: string;
  accept?: string | undefined;
  /** Further request headers, e.g. a source's API key. */
  headers?: Readonly<Record<string, string>> | undefined;
  /** Validators from the last successful fetch, for a conditional GET. */
  etag?: string | null | undefined;
  lastModified?: string | null | undefined;
  userAgent: string;
  /** Covers connecting, the headers and the whole body. */
  timeoutMs: number;
  maxBytes: number;
  /** Retries after the first attempt (network errors, timeouts, 429 and 5xx only). */
  retries: number;
  baseDelayMs: number;
  /** Longest wait between attempts; a Retry-After beyond it ends the fetch at once. */
  maxDelayMs: number;
  /** Abandons the fetch: the request in flight and the wait before a retry end at once. */
  signal?: AbortSignal | undefined;
}

/** A fetched body, or the server's word that it has not changed. */
export type FetchResult =
  | { status: 'not_modified'; httpStatus: 304; etag: string | null; lastModified: string | null; attempts: number }
  | {
      status: 'ok';
      httpStatus: number;
      body: string;
      bytes: number;
      contentType: string | null;
      etag: string | null;
      lastModified: string | null;
      finalUrl: string;
      attempts: number;
    };

/** Real network, real timers. */
export const defaultFetchDeps: FetchDeps = {
  fetch: (input, init) => globalThis.fetch(input, init),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
  random: Math.random,
  now: () => new Date(),
};

/** `rankwatch/0.1.0 (+https://…)`: names the tool and where to read about it. */
export function userAgent(version: string, homepage: string): string {
  return `rankwatch/${version} (+${homepage})`;
}

/** Seconds or an HTTP date, as milliseconds from `now`; null when absent or unreadable. */
export function retryAfterMs(value: string | null, now: Date): number | null {
  if (!value) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Strict (src/time.ts): an impossible date is unreadable, not a rolled-over wait.
  const date = readHttpDate(text, now);
  if (!date) return null;
  return Math.max(0, date.getTime() - now.getTime());
}

/** A failed attempt worth another try, with the server's minimum wait if it named one. */
class RetryableError extends Error {
  readonly failure: FetchError;
  readonly minimumDelayMs: number | null;
  constructor(failure: FetchError, minimumDelayMs: number | null) {
    super(failure.message);
    this.failure = failure;
    this.minimumDelayMs = minimumDelayMs;
  }
}

async function readBody(response: Response, url: string, maxBytes: number): Promise<{ text: string; bytes: number }> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw new FetchError('too_large', url, `GET ${url}: body of ${declared} bytes is over the ${maxBytes}-byte limit`, { status: response.status });
  }
  if (!response.body) return { text: '', bytes: 0 };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > maxBytes) {
      await reader.cancel();
      throw new FetchError('too_large', url, `GET ${url}: body is over the ${maxBytes}-byte limit`, { status: response.status });
    }
    chunks.push(value);
  }
  const all = new Uint8Array(bytes);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { text: new TextDecoder('utf-8').decode(all), bytes };
}

function isTimeout(error: unknown): boolean {
  return error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

async function attempt(deps: FetchDeps, options: FetchOptions, attemptNumber: number): Promise<FetchResult> {
  const { url } = options;
  const headers: Record<string, string> = { ...options.headers, 'user-agent': options.userAgent };
  if (options.accept) headers.accept = options.accept;
  if (options.etag) headers['if-none-match'] = options.etag;
  if (options.lastModified) headers['if-modified-since'] = options.lastModified;
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  try {
    const response = await deps.fetch(url, { headers, signal, redirect: 'follow' });
    const etag = response.headers.get('etag');
    const lastModified = response.headers.get('last-modified');
    if (response.status === 304) {
      await response.body?.cancel();
      return { status: 'not_modified', httpStatus: 304, etag, lastModified, attempts: attemptNumber };
    }
    if (response.status === 429 || response.status >= 500) {
      await response.body?.cancel();
      const kind = response.status === 429 ? 'rate_limited' : 'server';
      const wait = retryAfterMs(response.headers.get('retry-after'), deps.now());
      throw new RetryableError(new FetchError(kind, url, `GET ${url}: HTTP ${response.status}`, { status: response.status }), wait);
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new FetchError('http', url, `GET ${url}: HTTP ${response.status}`, { status: response.status });
    }
    const body = await readBody(response, url, options.maxBytes);
    return {
      status: 'ok',
      httpStatus: response.status,
      body: body.text,
      bytes: body.bytes,
      contentType: response.headers.get('content-type'),
      etag,
      lastModified,
      finalUrl: response.url || url,
      attempts: attemptNumber,
    };
  } catch (error) {
    if (error instanceof FetchError || error instanceof RetryableError) throw error;
    if (options.signal?.aborted) throw new FetchError('abandoned', url, `GET ${url}: abandoned during attempt ${attemptNumber}`, { cause: error });
    if (isTimeout(error) || timeout.aborted) {
      throw new RetryableError(new FetchError('timeout', url, `GET ${url}: no complete answer within ${options.timeoutMs} ms`, { cause: error }), null);
    }
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : error instanceof Error ? error.message : String(error);
    throw new RetryableError(new FetchError('network', url, `GET ${url}: ${cause}`, { cause: error }), null);
  }
}

/** The wait before a retry, cut short when the signal fires (deps.sleep may not know about it). */
async function wait(deps: FetchDeps, ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return deps.sleep(ms);
  if (signal.aborted) return;
  let stop = () => {};
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
    signal.addEventListener('abort', stop, { once: true });
  });
  try {
    await Promise.race([deps.sleep(ms, signal), stopped]);
  } finally {
    signal.removeEventListener('abort', stop);
  }
}

/** What the earlier attempts got, for the message of an abandoned fetch: ` (attempt 1: HTTP 503)`. */
function earlier(url: string, failures: readonly FetchError[]): string {
  const last = failures.at(-1);
  return last ? ` (attempt ${failures.length}: ${last.message.replace(`GET ${url}: `, '')})` : '';
}

/**
 * A polite GET: names itself, asks conditionally, bounds time and size, and retries network
 * errors, timeouts, 429 and 5xx with jittered exponential backoff, honouring Retry-After.
 * When `options.signal` fires, the request in flight or the wait for the next attempt is given
 * up at once (kind `abandoned`). Throws only FetchError.
 */
export async function politeFetch(deps: FetchDeps, options: FetchOptions): Promise<FetchResult> {
  const failures: FetchError[] = [];
  for (let attemptNumber = 1; ; attemptNumber++) {
    if (options.signal?.aborted) {
      const where = attemptNumber === 1 ? 'before the first attempt' : 'while waiting to retry';
      throw new FetchError('abandoned', options.url, `GET ${options.url}: abandoned ${where}${earlier(options.url, failures)}`, { status: failures.at(-1)?.status ?? null });
    }
    try {
      return await attempt(deps, options, attemptNumber);
    } catch (error) {
      if (error instanceof FetchError && error.kind === 'abandoned') {
        throw new FetchError('abandoned', error.url, `${error.message}${earlier(options.url, failures)}`, { status: failures.at(-1)?.status ?? null, cause: error.cause });
      }
      if (!(error instanceof RetryableError)) throw error;
      const { failure, minimumDelayMs } = error;
      failures.push(failure);
      const message = (extra: string) =>
        new FetchError(failure.kind, failure.url, `${failure.message} after ${attemptNumber} attempt${attemptNumber === 1 ? '' : 's'}${extra}`, {
          status: failure.status,
          cause: failure.cause,
        });
      if (minimumDelayMs !== null && minimumDelayMs > options.maxDelayMs) {
        throw message(`; the server asks to retry in ${Math.ceil(minimumDelayMs / 1000)} s`);
      }
      if (attemptNumber > options.retries) throw message('');
      // Full jitter: spreads retries of many clients; Retry-After is a floor, not a suggestion.
      const backoff = deps.random() * Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attemptNumber - 1));
      await wait(deps, Math.max(backoff, minimumDelayMs ?? 0), options.signal);
    }
  }
}
