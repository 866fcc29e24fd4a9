import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchTransport, nodeTransport, type WebhookTransport } from '../../src/notify/transport.ts';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A loopback receiver; returns its base URL and the requests it saw. */
async function receiver(handle: (request: IncomingMessage, body: string, response: ServerResponse) => void): Promise<{ base: string; seen: { method: string; path: string; headers: IncomingMessage['headers']; body: string }[] }> {
  const seen: { method: string; path: string; headers: IncomingMessage['headers']; body: string }[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      seen.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers, body });
      handle(request, body, response);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const never = new AbortController().signal;

// The same contract from both transports: Node's pinned request (serve, the CLI) and fetch (Workers).
describe.each([
  ['fetchTransport()', fetchTransport()],
  ['nodeTransport', nodeTransport],
] as [string, WebhookTransport][])('%s', (_name, transport) => {
  it('POSTs the headers and body and reads the answer: status, lower-cased headers, text', async () => {
    const { base, seen } = await receiver((_request, _body, response) => response.writeHead(202, { 'Retry-After': '5', 'X-Receiver': 'yes' }).end('taken'));
    const answer = await transport.post(new URL(`${base}/hook?x=1`), ['127.0.0.1'], { 'content-type': 'application/json', 'webhook-id': 'msg_1' }, '{"a":1}', 2_000, never);
    expect(answer).toMatchObject({ statusCode: 202, body: 'taken' });
    expect(answer.headers).toMatchObject({ 'retry-after': '5', 'x-receiver': 'yes' });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'POST', path: '/hook?x=1', body: '{"a":1}' });
    expect(seen[0]!.headers).toMatchObject({ 'content-type': 'application/json', 'webhook-id': 'msg_1', 'content-length': '7' });
  });

  it('does not follow a redirect: the 3xx is the answer', async () => {
    const { base, seen } = await receiver((request, _body, response) =>
      request.url === '/hook' ? response.writeHead(307, { location: '/elsewhere' }).end() : response.writeHead(200).end('followed'),
    );
    const answer = await transport.post(new URL(`${base}/hook`), ['127.0.0.1'], {}, '{}', 2_000, never);
    expect(answer.statusCode).toBe(307);
    expect(answer.headers.location).toBe('/elsewhere');
    expect(seen.map((request) => request.path)).toEqual(['/hook']);
  });

  it('keeps the first 64 KiB of a long answer', async () => {
    const { base } = await receiver((_request, _body, response) => response.writeHead(500).end('x'.repeat(200_000)));
    const answer = await transport.post(new URL(`${base}/hook`), ['127.0.0.1'], {}, '{}', 2_000, never);
    expect(answer.statusCode).toBe(500);
    expect(answer.body.length).toBe(64 * 1024);
    expect(/^x+$/.test(answer.body)).toBe(true);
  });

  it('gives up on a receiver that does not answer, saying so', async () => {
    const { base } = await receiver(() => {
      // Never answers.
    });
    const started = Date.now();
    await expect(transport.post(new URL(`${base}/hook`), ['127.0.0.1'], {}, '{}', 300, never)).rejects.toThrow('no answer within 300 ms');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('is abandoned when the signal aborts (shutdown)', async () => {
    const { base } = await receiver(() => {
      // Never answers.
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await transport.post(new URL(`${base}/hook`), ['127.0.0.1'], {}, '{}', 10_000, controller.signal).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).not.toContain('no answer within');
  });
});

describe('the transports', () => {
  it('Node resolves and pins; fetch (Workers) judges URLs with the literal guard', () => {
    expect(nodeTransport.guard).toBe('resolving');
    expect(fetchTransport().guard).toBe('literal');
  });

  it('fetchTransport sends through the fetch it is given', async () => {
    const calls: { url: string; init: RequestInit | undefined }[] = [];
    const transport = fetchTransport(async (input, init) => {
      calls.push({ url: String(input), init });
      return new Response('ok', { status: 200, headers: { 'X-From': 'fake' } });
    });
    const answer = await transport.post(new URL('https://hooks.example/x'), [], { 'content-type': 'application/json' }, '{}', 1_000, never);
    expect(answer).toEqual({ statusCode: 200, headers: { 'content-type': 'text/plain;charset=UTF-8', 'x-from': 'fake' }, body: 'ok' });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe('https://hooks.example/x');
    expect(calls[0]!.init).toMatchObject({ method: 'POST', redirect: 'manual', body: '{}', headers: { 'content-type': 'application/json' } });
  });
});
