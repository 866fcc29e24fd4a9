import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rankwatch, startServe } from '../support/cli.ts';
import { createCliEnvironment } from '../support/db.ts';

/** A webhook receiver that deduplicates on webhook-id, as Standard Webhooks asks receivers to, and answers slowly. */
class DedupingReceiver {
  readonly server: Server;
  readonly processed = new Map<string, number>();
  requests: { headers: IncomingHttpHeaders; body: string }[] = [];
  constructor(delayMs: number) {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const id = String(request.headers['webhook-id']);
        this.requests.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
        setTimeout(() => {
          this.processed.set(id, (this.processed.get(id) ?? 0) + 1);
          response.writeHead(200).end('ok');
        }, delayMs);
      });
    });
  }
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
}

async function until(probe: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const arena = (ratings: number[]) =>
  JSON.stringify({ full: Object.fromEntries(ratings.map((rating, i) => [`model-${i}`, { rating, rating_q975: rating + 3, rating_q025: rating - 3 }])) });

let env: Record<string, string>;
let cleanup: () => Promise<void>;
let scratch: string;
let receiver: DedupingReceiver;
let base: string;
beforeAll(async () => {
  ({ env, cleanup } = await createCliEnvironment());
  scratch = await mkdtemp(join(tmpdir(), 'rankwatch-crash-'));
  receiver = new DedupingReceiver(150);
  base = await receiver.start();
  env = {
    ...env,
    RANKWATCH_WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
    RANKWATCH_ADMIN_TOKEN: 'crash-test-admin-token',
    RANKWATCH_SETTLE_LMARENA_TEXT: '1',
    RANKWATCH_SCHEDULER: 'false',
    RANKWATCH_DELIVERY_TIMEOUT_MS: '1000',
    RANKWATCH_DELIVERY_RETRY_SCHEDULE: '200ms,200ms,200ms,200ms,200ms',
  };
});
afterAll(async () => {
  await new Promise((resolve) => receiver.server.close(resolve));
  await rm(scratch, { recursive: true, force: true });
  await cleanup();
});

describe('rankwatch serve killed with SIGKILL in the middle of a delivery batch', () => {
  it('delivers every alert after a restart, and none twice to a receiver that deduplicates on webhook-id', async () => {
    const secrets: string[] = [];
    for (const name of ['a', 'b', 'c']) {
      const created = await rankwatch(['subscribe', '--channel', 'webhook', '--url', `${base}/hook-${name}`, '--json'], env);
      expect(created.code, created.stderr).toBe(0);
      secrets.push(JSON.parse(created.stdout).secret);
    }
    const files: string[] = [];
    for (let day = 1; day <= 8; day++) {
      const file = join(scratch, `2025-01-0${day}.json`);
      // Each day the models trade places: a change set per file.
      await writeFile(file, arena(Array.from({ length: 6 }, (_, i) => 1300 - ((i + day) % 6) * 10)));
      files.push(file);
    }
    const imported = await rankwatch(['import', 'lmarena-text', ...files], env);
    expect(imported.code, imported.stderr).toBe(0);
    const expected = 3 * 8;

    const first = await startServe(env);
    await until(() => receiver.processed.size >= 5, 'the first deliveries', 30_000);
    first.child.kill('SIGKILL');
    await first.exited;
    const beforeRestart = receiver.processed.size;
    expect(beforeRestart).toBeLessThan(expected);

    // The data directory's lock goes stale within seconds; then the service starts again.
    let second: Awaited<ReturnType<typeof startServe>> | null = null;
    const deadline = Date.now() + 30_000;
    while (!second) {
      second = await startServe(env).catch(async (error) => {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500));
        return null;
      });
    }
    try {
      await until(() => receiver.processed.size >= expected, 'every alert', 60_000);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(receiver.processed.size).toBe(expected);
      // A delivery cut short by the kill may reach the receiver again: always with the same webhook-id.
      expect(receiver.requests.length).toBeGreaterThanOrEqual(expected);
      for (const request of receiver.requests) {
        const verifies = secrets.some((secret) => {
          try {
            new Webhook(secret).verify(request.body, request.headers as Record<string, string>);
            return true;
          } catch {
            return false;
          }
        });
        expect(verifies).toBe(true);
      }
      const listed = await fetch(`${second.url}/v1/subscriptions`, { headers: { authorization: `Bearer ${env.RANKWATCH_ADMIN_TOKEN}` } });
      const { subscriptions } = (await listed.json()) as { subscriptions: { id: number }[] };
      for (const subscription of subscriptions) {
        const response = await fetch(`${second.url}/v1/subscriptions/${subscription.id}/deliveries`, { headers: { authorization: `Bearer ${env.RANKWATCH_ADMIN_TOKEN}` } });
        const { deliveries } = (await response.json()) as { deliveries: { status: string }[] };
        expect(deliveries.map((delivery) => delivery.status)).toEqual(Array(8).fill('delivered'));
      }
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  }, 150_000);
});
