import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scrapers } from '../../scrapers/index.ts';
import { openDatabase } from '../../src/db/client.ts';
import { migrateDatabase } from '../../src/db/migrate.ts';
import { syncRegistry } from '../../src/ingest/store.ts';
import type { WebhookPayload } from '../../src/notify/channels/webhook.ts';
import { createPostgresDatabase } from '../support/db.ts';

// The Worker as Cloudflare runs it: bundled by wrangler, and served by `wrangler dev` in workerd
// (the Workers runtime) against the PostgreSQL test server through a local Hyperdrive binding.
// Nothing here reaches Cloudflare or the internet: the source and the webhook receiver are
// loopback servers of this file, and every other board is left unwatched.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WRANGLER = join(ROOT, 'node_modules/wrangler/bin/wrangler.js');
const SERVER_URL = process.env.RANKWATCH_TEST_DATABASE_URL;
/** Cloudflare's limit on a Worker's compressed size on the free plan (10 MiB on paid plans). */
const FREE_PLAN_GZIP_LIMIT = 3 * 1024 * 1024;
const ADMIN_TOKEN = 'wrangler-test-admin-token';

/** wrangler's environment: no telemetry, no Request.cf download, no account; its logs kept in `dir`. */
function wranglerEnv(dir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_LOG_PATH: dir, NO_COLOR: '1', CI: '1', ...extra };
  for (const name of ['CLOUDFLARE_API_TOKEN', 'CLOUDFLARE_API_KEY', 'CLOUDFLARE_ACCOUNT_ID', 'CF_API_TOKEN', 'CF_ACCOUNT_ID']) delete env[name];
  return env;
}

/** Runs wrangler to its end: exit code and output. */
function runWrangler(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRANGLER, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** A free loopback port (closed again: wrangler binds it). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Ends wrangler and its workerd: it was started detached, so its process group goes at once. */
async function stopGroup(child: ChildProcess | null): Promise<void> {
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // Already gone.
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
  // workerd may outlive a wrangler that ended on SIGTERM: the group's stragglers go too.
  signal('SIGKILL');
}

describe('wrangler deploy --dry-run', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rankwatch-wrangler-build-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('bundles src/worker.ts within the free plan size limit', { timeout: 120_000 }, async () => {
    const result = await runWrangler(['deploy', '--dry-run', '--outdir', join(dir, 'out')], wranglerEnv(dir), 110_000);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('--dry-run: exiting now.');
    const bundle = await readFile(join(dir, 'out/worker.js'));
    const gzip = gzipSync(bundle).length;
    const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
    console.log(`Worker bundle: ${kib(bundle.length)} raw, ${kib(gzip)} gzip (free plan limit: ${kib(FREE_PLAN_GZIP_LIMIT)} gzip)`);
    expect(bundle.length).toBeGreaterThan(0);
    expect(gzip).toBeLessThan(FREE_PLAN_GZIP_LIMIT);
    // The Worker reads no file: the identity tables travel in the bundle (src/identity/tables.ts).
    const organizations = await readFile(join(ROOT, 'src/identity/organizations.yaml'), 'utf8');
    const firstLines = organizations.split('\n').slice(0, 3).join('\n');
    expect(bundle.toString('utf8').includes(firstLines), `the bundle holds the start of organizations.yaml:\n${firstLines}`).toBe(true);
  });
});

/** An LMArena arena-catalog document (the format of lmarena-text): ratings with their interval. */
function catalog(ratings: Record<string, number>): string {
  const full = Object.fromEntries(Object.entries(ratings).map(([model, rating]) => [model, { rating, rating_q025: rating - 4, rating_q975: rating + 4 }]));
  return JSON.stringify({ full });
}

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

const skipReason = SERVER_URL ? null : 'RANKWATCH_TEST_DATABASE_URL is not set (a PostgreSQL server URL whose user may create databases; CI sets it, `.ci/postgres start DIR` prints one)';
if (skipReason) console.warn(`wrangler dev tests skipped: ${skipReason}`);

describe.skipIf(skipReason !== null)(`wrangler dev: the Worker in workerd on PostgreSQL${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let dir: string;
  let dropDatabase: (() => Promise<void>) | null = null;
  let source: Server;
  let receiver: Server;
  let wrangler: ChildProcess | null = null;
  let output = '';
  let base: string;
  let receiverPort: number;
  /** Where an email subscription points: nothing listens, and the Worker must not try. */
  let smtpPort: number;
  let document = catalog({ 'model-a': 1300, 'model-b': 1280, 'model-c': 1250 });
  const fetched: string[] = [];
  const received: Received[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rankwatch-wrangler-dev-'));
    // A database of its own, with the schema applied by rankwatch's own migrations (what
    // `rankwatch migrate` does before a deploy): the Worker never migrates.
    const created = await createPostgresDatabase();
    dropDatabase = created.drop;
    const database = await openDatabase({ databaseUrl: created.url, dataDir: 'unused' });
    try {
      await migrateDatabase(database);
      await syncRegistry(database.db, scrapers);
    } finally {
      await database.close();
    }

    source = createServer((request, response) => {
      fetched.push(request.url ?? '');
      response.writeHead(200, { 'content-type': 'application/json' }).end(document);
    });
    const sourcePort = await listen(source);
    receiver = createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        received.push({ headers: request.headers, body });
        response.writeHead(204).end();
      });
    });
    receiverPort = await listen(receiver);
    smtpPort = await freePort();

    // Local Hyperdrive wants a password in the URL; a trust-auth server ignores it.
    const hyperdrive = new URL(created.url);
    if (!hyperdrive.password) hyperdrive.password = 'unused';
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const vars = {
      RANKWATCH_BOARDS: 'lmarena-text',
      RANKWATCH_URL_LMARENA_TEXT: `http://127.0.0.1:${sourcePort}/leaderboard-text.json`,
      RANKWATCH_SCHEDULE_LMARENA_TEXT: '* * * * *',
      RANKWATCH_SETTLE_LMARENA_TEXT: '1',
      RANKWATCH_FETCH_RETRIES: '0',
      RANKWATCH_ADMIN_TOKEN: ADMIN_TOKEN,
      RANKWATCH_WEBHOOK_ALLOW_HOSTS: `127.0.0.1:${receiverPort},127.0.0.1:${smtpPort}`,
      RANKWATCH_PUBLIC_URL: 'https://rankwatch.example',
    };
    const args = ['dev', '--local', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(await freePort()), '--test-scheduled', '--persist-to', join(dir, 'state'), '--log-level', 'log', '--show-interactive-dev-session=false'];
    for (const [name, value] of Object.entries(vars)) args.push('--var', `${name}:${value}`);
    const env = wranglerEnv(dir, {
      CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_HYPERDRIVE: hyperdrive.toString(),
      WRANGLER_HYPERDRIVE_LOCAL_CONNECTION_STRING_HYPERDRIVE: hyperdrive.toString(),
    });
    // Detached: its own process group, so wrangler and its workerd can be ended together.
    wrangler = spawn(process.execPath, [WRANGLER, ...args], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    wrangler.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    wrangler.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));

    const started = Date.now();
    for (;;) {
      if (wrangler.exitCode !== null) throw new Error(`wrangler dev exited with ${wrangler.exitCode}:\n${output}`);
      if (Date.now() - started > 150_000) throw new Error(`wrangler dev did not answer /healthz within 150 s:\n${output}`);
      const ok = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(5_000) }).then(
        (response) => response.ok,
        () => false,
      );
      if (ok) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    console.log(`wrangler dev answered in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, 240_000);

  afterAll(async () => {
    await stopGroup(wrangler);
    source?.close();
    receiver?.close();
    await dropDatabase?.();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  /** A request to the Worker; the wrangler log is attached to a failing status. */
  async function get(path: string, init?: RequestInit): Promise<Response> {
    return fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(60_000) });
  }

  it('answers /healthz from workerd', async () => {
    const response = await get('/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok' });
  });

  it('serves the dashboard and the API document; the files read from disk on Node answer 404 (no filesystem)', async () => {
    const home = await get('/');
    expect(home.status, output).toBe(200);
    expect(home.headers.get('content-type')).toContain('text/html');
    const document = await get('/openapi.json');
    expect(document.status).toBe(200);
    expect(Object.keys(((await document.json()) as { paths: Record<string, unknown> }).paths)).toContain('/v1/events');
    expect((await get('/assets/dashboard.css')).status).toBe(404);
  });

  it('refuses webhook URLs to private hosts by name and literal address, with no DNS on Workers', async () => {
    const create = (url: string) =>
      get('/v1/subscriptions', { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ channel: 'webhook', url }) });
    const byName = await create('https://metadata.google.internal/computeMetadata/v1/');
    expect(byName.status, output).toBe(400);
    expect(((await byName.json()) as { message: string }).message).toContain('host metadata.google.internal is a local name (.internal)');
    // The allow-listed receiver is 127.0.0.1 on its port only.
    const otherPort = await create(`http://127.0.0.1:${receiverPort + 1}/hook`);
    expect(otherPort.status).toBe(400);
    expect(((await otherPort.json()) as { message: string }).message).toContain('127.0.0.1 (loopback), a private or reserved address');
  });

  it('scrapes the due board on the cron trigger and delivers a signed webhook; serves the events and feeds', { timeout: 120_000 }, async () => {
    const created = await get('/v1/subscriptions', {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'webhook', url: `http://127.0.0.1:${receiverPort}/hook`, filters: { boards: ['lmarena-text'] } }),
    });
    expect(created.status, output).toBe(201);
    const { subscription, secret } = (await created.json()) as { subscription: { id: number }; secret: string };
    expect(secret).toMatch(/^whsec_/);

    // Two ticks in two minutes (workerd's /__scheduled fires at the current time, and each minute's
    // tick is claimed once): the first is the board's first snapshot, the second a new leader.
    const first = await get('/__scheduled?cron=*+*+*+*+*');
    expect(first.status, output).toBe(200);
    expect(fetched).toEqual(['/leaderboard-text.json']);
    document = catalog({ 'model-b': 1320, 'model-a': 1290, 'model-c': 1250 });
    await new Promise((resolve) => setTimeout(resolve, 60_000 - (Date.now() % 60_000) + 200));
    const second = await get('/__scheduled?cron=*+*+*+*+*');
    expect(second.status, output).toBe(200);
    // Only the fixture board was due: no other source was fetched (they are unwatched).
    expect(fetched).toEqual(['/leaderboard-text.json', '/leaderboard-text.json']);
    // The same tick again (a second invocation, or a `serve` beside the Worker): its lease is taken, nothing is fetched.
    const again = await get('/__scheduled?cron=*+*+*+*+*');
    expect(again.status, output).toBe(200);
    expect(fetched).toHaveLength(2);

    // The tick sends what the outbox holds before it ends (no LISTEN on Workers).
    const payloads = received.map(({ headers, body }) => {
      const verified = new Webhook(secret).verify(body, {
        'webhook-id': String(headers['webhook-id']),
        'webhook-timestamp': String(headers['webhook-timestamp']),
        'webhook-signature': String(headers['webhook-signature']),
      }) as WebhookPayload;
      return verified;
    });
    const events = payloads.flatMap((payload) => payload.data.changeSets.flatMap((set) => set.events));
    expect(events.map((event) => `${event.kind} ${event.model ?? ''}`), output).toContain('new_leader model-b');
    for (const payload of payloads) expect(payload.type).toBe('change_set.published');
    for (const payload of payloads) for (const set of payload.data.changeSets) expect(set.url).toMatch(/^https:\/\/rankwatch\.example\/v1\/changes\/\d+$/);

    const deliveries = (await (await get(`/v1/subscriptions/${subscription.id}/deliveries`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json()) as { deliveries: { status: string }[] };
    expect(deliveries.deliveries.length).toBe(received.length);
    expect(deliveries.deliveries.map((delivery) => delivery.status)).toEqual(received.map(() => 'delivered'));

    const api = (await (await get('/v1/events?board=lmarena-text')).json()) as { events: { kind: string; model: string | null }[] };
    expect(api.events.map((event) => `${event.kind} ${event.model ?? ''}`)).toContain('new_leader model-b');

    for (const [path, type] of [
      ['/feed.xml', 'application/rss+xml'],
      ['/feed.atom', 'application/atom+xml'],
      ['/feed.json', 'application/feed+json'],
    ] as const) {
      const feed = await get(path);
      expect(feed.status, path).toBe(200);
      expect(feed.headers.get('content-type')).toContain(type);
      expect(await feed.text(), path).toContain('model-b');
    }

    const boards = (await (await get('/v1/boards')).json()) as { boards: { id: string; lastScrape: unknown }[] };
    expect(boards.boards.filter((board) => board.lastScrape !== null).map((board) => board.id)).toEqual(['lmarena-text']);
  });

  it('an email subscription fails on Workers with a clear error (no SMTP connections there), and the Worker keeps serving', { timeout: 60_000 }, async () => {
    const headers = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
    const created = await get('/v1/subscriptions', { method: 'POST', headers, body: JSON.stringify({ url: `mailtos://alerts:secret-password@127.0.0.1:${smtpPort}?from=rankwatch@example.com&to=me@example.com` }) });
    expect(created.status, output).toBe(201);
    const { subscription } = (await created.json()) as { subscription: { id: number; channel: string; url: string } };
    expect(subscription.channel).toBe('email');
    expect(subscription.url).not.toContain('secret-password');
    expect((await get(`/v1/subscriptions/${subscription.id}/test`, { method: 'POST', headers })).status).toBe(202);
    // The tick sends what is due: the test alert, by email.
    expect((await get('/__scheduled?cron=*+*+*+*+*')).status, output).toBe(200);
    const listed = (await (await get(`/v1/subscriptions/${subscription.id}/deliveries`, { headers })).json()) as { deliveries: { kind: string; status: string; attempts: number; attemptsLog: { outcome: string; error?: string | null }[] }[] };
    expect(listed.deliveries[0], output).toMatchObject({ kind: 'test', status: 'pending', attempts: 1 });
    expect(listed.deliveries[0]!.attemptsLog[0]).toMatchObject({ outcome: 'failed' });
    expect(listed.deliveries[0]!.attemptsLog[0]!.error).toMatch(/email is not sent from Cloudflare Workers \(no SMTP connections there\)/);
    expect((await get('/healthz')).status).toBe(200);
  });
});
