// Alert delivery, measured on a real database with real HTTP receivers on loopback:
//   - latency from a snapshot's commit to its webhook received (p50, p99 over 220 alerts, one at a
//     time), beside a bare HTTP round trip to the same receiver;
//   - deliveries per second to 5 receivers (5 subscriptions × 200 change sets, sent from the
//     outbox), beside the same POSTs sent straight from a loop.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { openStore } from '../../src/context.ts';
import { subscriptions } from '../../src/db/schema.ts';
import type { Database } from '../../src/db/client.ts';
import { makeEntry, type Entry } from '../../src/entry.ts';
import { applyCapture } from '../../src/ingest/store.ts';
import { Dispatcher } from '../../src/notify/dispatcher.ts';
import { createSubscription } from '../../src/notify/subscriptions.ts';

const POLICY = { allowHosts: ['127.0.0.1'] };

/** A board of 20 models whose order rotates by `step`: every capture is a change set. */
function board(step: number): Entry[] {
  return Array.from({ length: 20 }, (_, i) => {
    const rank = ((i + step) % 20) + 1;
    return makeEntry({ model: `m${i}`, name: `M${i}`, rank, score: 1400 - rank * 5, scoreLower: 1395 - rank * 5, scoreUpper: 1405 - rank * 5 });
  });
}

async function capture(database: Database, step: number): Promise<number> {
  const result = await applyCapture(database.db, {
    board: 'lmarena-text',
    capturedAt: new Date(Date.UTC(2025, 0, 1) + step * 3_600_000),
    entries: board(step),
    origin: 'import',
    source: null,
    contentHash: `bench-${step}`,
    format: 'bench',
    parserVersion: '1',
    publishedAt: null,
    settle: { scrapes: 1 },
  });
  return result.snapshotId!;
}

interface Receiver {
  server: Server;
  url: string;
  onMessage: (body: string) => void;
}

async function receiver(): Promise<Receiver> {
  const state: Receiver = { server: createServer(), url: '', onMessage: () => {} };
  state.server.on('request', (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      res.writeHead(200).end('ok');
      state.onMessage(Buffer.concat(chunks).toString('utf8'));
    });
  });
  await new Promise<void>((resolve) => state.server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(state.server.address() as AddressInfo).port}/hook`;
  return state;
}

function post(url: string, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;

/** Runs both measurements against the database at `target` (an empty, migrated one is made by openStore). */
export async function benchDelivery(target: { databaseUrl: string | undefined; dataDir: string }): Promise<string[]> {
  const database = await openStore(target, 'bench');
  const receivers = await Promise.all(Array.from({ length: 5 }, () => receiver()));
  const lines: string[] = [];
  try {
    // Latency: one subscription, one capture at a time, waiting for each alert.
    const { subscription } = await createSubscription(database.db, { channel: 'webhook', url: receivers[0]!.url }, POLICY);
    const dispatcher = new Dispatcher({ database, publicUrl: 'http://bench.invalid', allowHosts: POLICY.allowHosts, timeoutMs: 5_000 });
    await dispatcher.start();
    // Arrival time of each change set's alert, by change set id.
    const arrivals = new Map<number, number>();
    receivers[0]!.onMessage = (text) => {
      const id = (JSON.parse(text) as { data?: { changeSets?: { id: number }[] } }).data?.changeSets?.[0]?.id;
      if (id !== undefined) arrivals.set(id, performance.now());
    };
    const arrival = async (id: number) => {
      while (!arrivals.has(id)) await new Promise((resolve) => setImmediate(resolve));
      return arrivals.get(id)!;
    };
    await arrival(await capture(database, 0));
    const latencies: number[] = [];
    const body = '{"type":"change_set.published","data":{}}';
    const bare: number[] = [];
    for (let step = 1; step <= 220; step++) {
      const snapshotId = await capture(database, step);
      const committed = performance.now();
      latencies.push((await arrival(snapshotId)) - committed);
      const before = performance.now();
      await post(receivers[0]!.url, body);
      bare.push(performance.now() - before);
    }
    await dispatcher.stop();
    await database.db.delete(subscriptions).where(eq(subscriptions.id, subscription.id));
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    lines.push(`alert latency, snapshot commit to webhook received (${latencies.length} alerts, ${database.kind}):`);
    lines.push(`  outbox + dispatcher   p50 ${p50.toFixed(1).padStart(6)} ms   p99 ${p99.toFixed(1).padStart(6)} ms`);
    lines.push(`  bare HTTP POST        p50 ${percentile(bare, 50).toFixed(1).padStart(6)} ms   p99 ${percentile(bare, 99).toFixed(1).padStart(6)} ms   outbox = ${(p50 / percentile(bare, 50)).toFixed(1)}x at p50`);

    // Throughput: 5 subscriptions (one receiver each) × 200 change sets queued, then sent.
    for (const target of receivers) await createSubscription(database.db, { channel: 'webhook', url: target.url }, POLICY);
    for (let step = 221; step <= 420; step++) await capture(database, step);
    const total = 5 * 200;
    let got = 0;
    const allIn = new Promise<number>((resolve) => {
      for (const target of receivers) target.onMessage = () => ++got === total && resolve(performance.now());
    });
    const sender = new Dispatcher({ database, publicUrl: 'http://bench.invalid', allowHosts: POLICY.allowHosts, timeoutMs: 5_000, batchSize: 50 });
    const start = performance.now();
    await sender.start();
    const outboxMs = (await allIn) - start;
    await sender.stop();
    for (const target of receivers) target.onMessage = () => {};
    const loopStart = performance.now();
    for (let i = 0; i < total; i++) await post(receivers[i % 5]!.url, body);
    const loopMs = performance.now() - loopStart;
    const rate = (ms: number) => total / (ms / 1000);
    lines.push(`deliveries to 5 receivers (${total} alerts, ${database.kind}):`);
    lines.push(`  outbox + dispatcher   ${rate(outboxMs).toFixed(0).padStart(6)} deliveries/s`);
    lines.push(`  bare HTTP POST loop   ${rate(loopMs).toFixed(0).padStart(6)} posts/s        outbox = ${(rate(outboxMs) / rate(loopMs)).toFixed(2)}x the loop's rate`);
  } finally {
    for (const target of receivers) await new Promise((resolve) => target.server.close(resolve));
    await database.close();
  }
  return lines;
}
