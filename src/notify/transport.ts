import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { ReceiverResponse } from './channels/adapter.ts';
import { lookupFor, type UrlGuard } from './ssrf.ts';

/** The most of a receiver's answer kept (for the attempt log and the channel's reading of it). */
const MAX_ANSWER_BYTES = 64 * 1024;

/** POSTs a body to a checked URL (no redirects followed, within `timeoutMs`) and reads the answer. */
export type WebhookPost = (url: URL, addresses: readonly string[], headers: Record<string, string>, body: string, timeoutMs: number, signal: AbortSignal) => Promise<ReceiverResponse>;

/** How deliveries reach receivers: the URL guard they are checked with, and the request that sends them. */
export interface WebhookTransport {
  guard: UrlGuard;
  post: WebhookPost;
}

/** POSTs with Node's http/https, pinned to the checked addresses, no redirects, with a deadline. */
const nodePost: WebhookPost = (url, addresses, headers, body, timeoutMs, signal) => {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      // No shared agent: a pooled socket could bypass the address pinned for this request.
      { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, lookup: lookupFor(addresses), timeout: timeoutMs, agent: false, signal },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size < MAX_ANSWER_BYTES) chunks.push(chunk.subarray(0, MAX_ANSWER_BYTES - size));
          size += chunk.length;
        });
        res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
};

/** Node (`serve`, the CLI): names resolved and checked, the socket connected to the checked addresses (no DNS rebinding). */
export const nodeTransport: WebhookTransport = { guard: 'resolving', post: nodePost };

/** The first `limit` bytes of a body as text; the rest is not read (the stream is cancelled). */
async function readPrefix(body: ReadableStream<Uint8Array> | null, limit: number): Promise<string> {
  if (!body) return '';
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value.subarray(0, limit - size));
      size += Math.min(value.length, limit - size);
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return new TextDecoder().decode(bytes);
}

/**
 * Cloudflare Workers: the platform's `fetch` (a Worker has no sockets of its own and no DNS lookup,
 * so nothing can be pinned), checked with the `literal` guard. Redirects are answers, not followed;
 * the deadline covers the whole request, answer included.
 */
export function fetchTransport(fetch: typeof globalThis.fetch = (input, init) => globalThis.fetch(input, init)): WebhookTransport {
  return {
    guard: 'literal',
    async post(url, _addresses, headers, body, timeoutMs, signal) {
      const deadline = AbortSignal.timeout(timeoutMs);
      try {
        const response = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.any([signal, deadline]) });
        const answer = await readPrefix(response.body, MAX_ANSWER_BYTES);
        return { statusCode: response.status, headers: Object.fromEntries(response.headers), body: answer };
      } catch (error) {
        if (deadline.aborted && !signal.aborted) throw new Error(`no answer within ${timeoutMs} ms`, { cause: error });
        throw error;
      }
    },
  };
}
