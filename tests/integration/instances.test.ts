import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import postgres from 'postgres';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rankwatch, startServe } from '../support/cli.ts';
import { createCliEnvironment, TEST_DB } from '../support/db.ts';

// Two `rankwatch serve` processes on one PostgreSQL database (PGlite is one process's: its data
// directory is locked), scraping a loopback source every two seconds, one killed midway.

const TICK_MS = 2_000;
const TICKS = 10;

/** An arena-catalog document of 120 models whose order changes with every version. */
function catalog(version: number): string {
  const models = Array.from({ length: 120 }, (_, i) => {
    // Each version moves one model up by two places, a different one each time.
    const rating = 1500 - i * 4 + (i === 10 + (version % 100) ? 10 : 0);
    return [`model-${i}`, { rating, rating_q975: rating + 2, rating_q025: rating - 2 }] as const;
  });
  const board = Object.fromEntries(models);
  return JSON.stringify({ full: board, coding: board });
}

/** The source: each GET gets the next version of the document, and is counted. */
class Source {
  readonly server: Server;
  requests: number[] = [];
  constructor() {
    this.server = createServer((request, response) => {
      if (request.url === '/robots.txt') return void response.writeHead(404).end();
      this.requests.push(Date.now());
      response.writeHead(200, { 'content-type': 'application/json' }).end(catalog(this.requests.length));
    });
  }
}

/** A webhook receiver that verifies each signature and counts each webhook-id. */
class Receiver {
  readonly server: Server;
  readonly received = new Map<string, number>();
  failures: string[] = [];
  secret = '';
  constructor() {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        try {
          new Webhook(this.secret).verify(body, request.headers as Record<string, string>);
        } catch (error) {
          this.failures.push(String(error));
        }
        const id = String(request.headers['webhook-id']);
        this.received.set(id, (this.received.get(id) ?? 0) + 1);
        response.writeHead(200).end('ok');
      });
    });
  }
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function until(probe: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const BOARDS = ['lmarena-text', 'lmarena-text-coding'];

describe.skipIf(TEST_DB !== 'postgres')('two serve instances on one PostgreSQL database', () => {
  let env: Record<string, string>;
  let cleanup: () => Promise<void>;
  let sql: postgres.Sql;
  const source = new Source();
  const receiver = new Receiver();
  beforeAll(async () => {
    ({ env, cleanup } = await createCliEnvironment());
    sql = postgres(env.DATABASE_URL!, { max: 1, onnotice: () => {} });
    const sourceUrl = `${await listen(source.server)}/leaderboard-text.json`;
    const receiverUrl = await listen(receiver.server);
    env = {
      ...env,
      RANKWATCH_BOARDS: BOARDS.join(','),
      // Both boards read the same document, on the same schedule: one fetch per tick for the two.
      RANKWATCH_URL_LMARENA_TEXT: sourceUrl,
      RANKWATCH_URL_LMARENA_TEXT_CODING: sourceUrl,
      RANKWATCH_SCHEDULE_LMARENA_TEXT: '*/2 * * * * *',
      RANKWATCH_SCHEDULE_LMARENA_TEXT_CODING: '*/2 * * * * *',
      RANKWATCH_SETTLE_LMARENA_TEXT: '1',
      RANKWATCH_SETTLE_LMARENA_TEXT_CODING: '1',
      RANKWATCH_WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
      RANKWATCH_ADMIN_TOKEN: 'instances-test-admin-token',
      RANKWATCH_DELIVERY_TIMEOUT_MS: '1000',
      RANKWATCH_DELIVERY_RETRY_SCHEDULE: '200ms,200ms,200ms',
      RANKWATCH_FETCH_RETRIES: '0',
    };
    const created = await rankwatch(['subscribe', '--channel', 'webhook', '--url', `${receiverUrl}/hook`, '--json'], env);
    expect(created.code, created.stderr).toBe(0);
    receiver.secret = JSON.parse(created.stdout).secret;
  });
  afterAll(async () => {
    await sql?.end();
    await new Promise((resolve) => source.server.close(resolve));
    await new Promise((resolve) => receiver.server.close(resolve));
    await cleanup?.();
  });

  /** Scrapes per board, as (board, ran_at) rows of the scrape log (each a change: no streak rows). */
  const scrapes = () => sql<{ board_id: string; ran_at: Date; count: number; status: string }[]>`select board_id, ran_at, count, status from scrapes order by ran_at`;
  const ticksDone = async (n: number) => {
    const rows = await scrapes();
    return BOARDS.every((board) => rows.filter((row) => row.board_id === board).length >= n);
  };
  const allDelivered = async () => {
    const [row] = await sql<{ open: number; total: number }[]>`select count(*) filter (where status <> 'delivered')::int as open, count(*)::int as total from deliveries`;
    return row!.total > 0 && row!.open === 0;
  };

  it(
    'runs each board once per tick, fetches the shared document once per tick, and delivers each alert once, across a kill',
    async () => {
      const first = await startServe(env);
      const second = await startServe(env);
      try {
        await until(() => ticksDone(TICKS / 2), `${TICKS / 2} ticks`, 60_000);
        // Killed between ticks, once its alerts are delivered: its boards go to the other at the next tick.
        await until(allDelivered, 'the first alerts delivered', 20_000);
        first.child.kill('SIGKILL');
        await first.exited;
        await until(() => ticksDone(TICKS), `${TICKS} ticks`, 60_000);
        await until(allDelivered, 'every alert delivered', 30_000);
      } finally {
        first.child.kill('SIGKILL');
        second.child.kill('SIGTERM');
        await second.exited;
      }

      const rows = await scrapes();
      expect(rows.every((row) => row.count === 1 && ['first', 'changed'].includes(row.status)), JSON.stringify(rows)).toBe(true);
      for (const board of BOARDS) {
        const slots = rows.filter((row) => row.board_id === board).map((row) => Math.floor(row.ran_at.getTime() / TICK_MS));
        // Once per tick: no scheduled time scraped twice, by one instance or by both.
        expect(new Set(slots).size, `${board}: ${slots.join(',')}`).toBe(slots.length);
        expect(slots.length).toBeGreaterThanOrEqual(TICKS);
      }
      // The two boards of a tick shared one request to the source.
      const ticks = new Set(rows.map((row) => Math.floor(row.ran_at.getTime() / TICK_MS)));
      expect(source.requests.length).toBe(ticks.size);
      // Each scrape ran under its tick's lease (one row per board and time, whichever instance won it).
      const [leases] = await sql<{ n: number }[]>`select count(*)::int as n from scrape_leases`;
      expect(leases!.n).toBe(rows.length);

      // Every change became a delivery; each delivered, received once, signed.
      const ids = await sql<{ message_id: string }[]>`select message_id from deliveries`;
      expect(ids.length).toBeGreaterThanOrEqual(TICKS);
      expect(receiver.failures).toEqual([]);
      expect([...receiver.received.keys()].sort()).toEqual(ids.map((row) => row.message_id).sort());
      expect([...receiver.received.values()].every((times) => times === 1), JSON.stringify([...receiver.received])).toBe(true);
    },
    180_000,
  );
});
