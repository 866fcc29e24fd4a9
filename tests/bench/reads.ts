// Read throughput of the HTTP API on a year of hourly history (tests/bench/history-db.ts), each
// route beside a bare hono route running the equivalent single SQL query on the same database
// (postgres.js / PGlite directly, the rows as JSON), measured side by side in one run.
//
// Both apps are served by @hono/node-server on 127.0.0.1; load comes from autocannon in a child
// process (so the load generator does not share the server's event loop): 10 connections, a
// warm-up, then a fixed duration (RANKWATCH_BENCH_READ_SECONDS, default 5). A route passes when
// it serves at least 0.5x the bare route's req/s with p99 at most 20 ms (the target is
// PostgreSQL's; PGlite is reported too). Beside them, each route's floor: the API's own response
// sent again from memory, the p99 the machine gives a body of that size with no work at all.
//
// Run alone: `node tests/bench/reads.ts` (same PostgreSQL variables as `npm run bench`).
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { createApp } from '../../src/api/app.ts';
import type { Database } from '../../src/db/client.ts';
import { PUBLIC_FEED_KINDS } from '../../src/feed/routes.ts';
import { FEED_KIND_ORDER, MAX_FEED_ITEM_EVENTS } from '../../src/db/queries.ts';
import { loadIdentity } from '../../src/identity/identity.ts';
import { keysOf } from '../../src/identity/store.ts';
import { databaseSizes, HISTORY_START, HISTORY_HOURS, historyDump, historyStats, openHistoryPglite, openHistoryPostgres } from './history-db.ts';
import { runAlone } from './postgres-server.ts';

const run = promisify(execFile);
const AUTOCANNON = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

/** The targets of the issue: at least this share of the bare route's req/s, and at most this p99. */
export const MIN_RATIO = 0.5;
export const MAX_P99_MS = 20;
const CONNECTIONS = 10;

/** What the routes are asked about, read from the database once it is loaded. */
export interface ReadFixture {
  /** A model on lmarena-text from the first capture to the last, named as users name it. */
  model: string;
  /** Its stored (board, key) pairs, every board (what the history route resolves the name to). */
  modelKeys: { board: string; model: string }[];
  board: string;
  /** A time in the middle of the year, for standings at T. */
  at: string;
}

/** One SQL statement with positional parameters ($1, $2…), run by the bare app. */
interface BareQuery {
  text: string;
  params: (fixture: ReadFixture) => unknown[];
}

/** One measured route: the API's path (with its query) and the bare route's single query for the same rows. */
export interface ReadRoute {
  name: string;
  path: (fixture: ReadFixture) => string;
  bare: BareQuery;
}

const standingColumns = `id, board_id, model, source_key, name, organization, rank, score, score_lower, score_upper, votes, price_input, price_output, valid_from, valid_to`;

// The feeds' default page: the newest 100 change sets (or lone events) of the public kinds, and
// the first MAX_FEED_ITEM_EVENTS of their events that pass (in the feed's order of kinds), with
// each change set's summary.
const kindPlace = `case e.kind ${FEED_KIND_ORDER.map((kind, place) => `when '${kind}' then ${place}`).join(' ')} else ${FEED_KIND_ORDER.length} end`;
const feedQuery: BareQuery = {
  text: `with picked as (
      select coalesce(snapshot_id, -id) as key, max(captured_at) as at, min(board_id) as board
      from events where status = 'published' and kind = any($1::text[])
      group by 1 order by 2 desc, 3 asc, 1 asc limit 100),
    ranked as (
      select e.*, row_number() over (partition by coalesce(e.snapshot_id, -e.id) order by ${kindPlace}, e.id) as place,
        count(*) over (partition by coalesce(e.snapshot_id, -e.id)) as matched
      from events e
      where e.status = 'published' and e.kind = any($1::text[])
        and (e.snapshot_id in (select key from picked where key > 0) or e.id in (select -key from picked where key < 0)))
    select r.*, s.change_set from ranked r left join snapshots s on s.id = r.snapshot_id
    where r.place <= ${MAX_FEED_ITEM_EVENTS}
    order by r.captured_at desc, r.place`,
  params: () => [[...PUBLIC_FEED_KINDS]],
};

/**
 * The routes measured. To add one, add a row: its path on the API and the one SQL query a bare
 * route would run for the same rows.
 */
export const READ_ROUTES: readonly ReadRoute[] = [
  {
    name: 'model history',
    path: (f) => `/v1/models/${encodeURIComponent(f.model)}/history`,
    bare: {
      text: `select ${standingColumns} from standings
        where (board_id, model) in (select * from unnest($1::text[], $2::text[])) order by board_id, valid_from`,
      params: (f) => [f.modelKeys.map((key) => key.board), f.modelKeys.map((key) => key.model)],
    },
  },
  {
    name: 'board series',
    // The same model on its lmarena-text keys, over the whole year: its series in one query.
    path: (f) => `/v1/boards/${f.board}/history?models=${encodeURIComponent(f.model)}`,
    bare: {
      text: `select ${standingColumns} from standings where board_id = $1 and model = any($2::text[]) order by model, valid_from`,
      params: (f) => [f.board, f.modelKeys.filter((key) => key.board === f.board).map((key) => key.model)],
    },
  },
  {
    name: 'standings at T',
    path: (f) => `/v1/boards/${f.board}/standings?at=${f.at}`,
    bare: {
      text: `select ${standingColumns} from standings
        where board_id = $1 and valid_from <= $2::timestamptz and (valid_to is null or valid_to > $2::timestamptz)
        order by rank asc nulls last, score desc nulls last, model asc`,
      params: (f) => [f.board, f.at],
    },
  },
  {
    name: 'events page',
    path: (f) => `/v1/events?board=${f.board}&limit=100`,
    bare: {
      text: `select * from events where board_id = $1 and status = 'published' order by captured_at desc, id asc limit 100`,
      params: (f) => [f.board],
    },
  },
  { name: 'feed.xml', path: () => '/feed.xml', bare: feedQuery },
  { name: 'feed.atom', path: () => '/feed.atom', bare: feedQuery },
  { name: 'feed.json', path: () => '/feed.json', bare: feedQuery },
];

/** Runs one statement on the database's own client. */
type RawQuery = (text: string, params: unknown[]) => Promise<unknown[]>;

function rawQuery(database: Database): RawQuery {
  if (database.sql) {
    const client = database.sql;
    return async (text, params) => [...(await client.unsafe(text, params as never[]))];
  }
  const pglite = database.pglite!;
  return async (text, params) => (await pglite.query(text, params)).rows;
}

/** The bare app: `/bare/<index>` runs route `index`'s query and answers its rows as JSON. */
function bareApp(database: Database, fixture: ReadFixture): Hono {
  const query = rawQuery(database);
  const app = new Hono();
  READ_ROUTES.forEach((route, index) => {
    const params = route.bare.params(fixture);
    app.get(`/bare/${index}`, async (c) => c.json(await query(route.bare.text, params)));
  });
  return app;
}

/** A served app, with the count of requests it is still working on. */
interface Served {
  server: ServerType;
  origin: string;
  inFlight: () => number;
}

async function listen(fetch: (request: Request) => Response | Promise<Response>): Promise<Served> {
  let inFlight = 0;
  const counted = async (request: Request) => {
    inFlight++;
    try {
      return await fetch(request);
    } finally {
      inFlight--;
    }
  };
  return new Promise((resolve) => {
    const server = serve({ fetch: counted, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
      resolve({ server, origin: `http://127.0.0.1:${info.port}`, inFlight: () => inFlight }),
    );
  });
}

/**
 * Waits until neither app works on a request: autocannon stops at its deadline, but requests it
 * gave up on still run, and their work must not be counted against the next measurement.
 */
async function drained(...apps: Served[]): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (apps.some((app) => app.inFlight() > 0) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

async function close(server: ServerType): Promise<void> {
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** What autocannon measured for one URL. */
export interface Load {
  rps: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function load(url: string, seconds: number): Promise<Load> {
  const { stdout } = await run(process.execPath, [AUTOCANNON, '-c', String(CONNECTIONS), '-d', String(seconds), '-n', '-j', '-H', 'accept-encoding=gzip', url], { maxBuffer: 16 * 1024 * 1024 });
  const result = JSON.parse(stdout) as { requests: { average: number }; latency: { p99: number }; non2xx: number; errors: number; timeouts: number };
  return { rps: result.requests.average, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors + result.timeouts };
}

/** The fixture: the lmarena-text model with the most stored periods among those listed all year. */
export async function readFixture(database: Database): Promise<ReadFixture> {
  const query = rawQuery(database);
  const board = 'lmarena-text';
  const [row] = (await query(
    `select model from standings where board_id = $1 group by model
      having min(valid_from) = (select min(valid_from) from standings where board_id = $1) and bool_or(valid_to is null)
      order by count(*) desc, model limit 1`,
    [board],
  )) as { model: string }[];
  if (!row) throw new Error('bench: no model on lmarena-text all year');
  const keys = await keysOf(database.db, loadIdentity(), row.model);
  const at = new Date(HISTORY_START.getTime() + (HISTORY_HOURS / 2) * 3_600_000 + 30 * 60_000).toISOString();
  return { model: row.model, modelKeys: keys.map((key) => ({ board: key.board, model: key.model })), board, at };
}

/** One route's figures: the API's and the bare route's, and the floor's (the same response sent from memory). */
export interface RouteResult {
  route: string;
  path: string;
  app: Load;
  bare: Load;
  floor: Load;
  bytes: number;
}

/** The app's response to `path` as sent (gzipped when the route gzips), to be sent again from memory. */
async function recorded(app: ReturnType<typeof createApp>, path: string): Promise<{ body: Uint8Array<ArrayBuffer>; headers: Record<string, string> }> {
  const response = await app.request(path, { headers: { 'accept-encoding': 'gzip' } });
  const headers = Object.fromEntries(['content-type', 'content-encoding', 'etag', 'vary', 'cache-control'].flatMap((name) => {
    const value = response.headers.get(name);
    return value === null ? [] : [[name, value]];
  }));
  return { body: new Uint8Array(await response.arrayBuffer()), headers };
}

/** Serves both apps on the database and measures every route. */
export async function measureReads(database: Database, seconds: number, log: (line: string) => void): Promise<RouteResult[]> {
  const fixture = await readFixture(database);
  const apiApp = createApp({ db: database.db, metrics: null, logError: (message) => log(`  app error: ${message}`) });
  const api = await listen(apiApp.fetch);
  const bareRoutes = bareApp(database, fixture);
  // The floor of each route: the API's response (its bytes and headers) sent from memory by the
  // bare app's server: what the machine and the load generator allow for a body of that size.
  for (const [index, route] of READ_ROUTES.entries()) {
    const sent = await recorded(apiApp, route.path(fixture));
    bareRoutes.get(`/floor/${index}`, (c) => c.body(sent.body, 200, sent.headers));
  }
  const bare = await listen(bareRoutes.fetch);
  const results: RouteResult[] = [];
  try {
    for (const [index, route] of READ_ROUTES.entries()) {
      const path = route.path(fixture);
      const urls = { app: `${api.origin}${path}`, bare: `${bare.origin}/bare/${index}`, floor: `${bare.origin}/floor/${index}` };
      // Each answers 200 before it is measured: a fast 404 would be no measurement.
      let bytes = 0;
      for (const [which, url] of Object.entries(urls)) {
        const response = await fetch(url);
        const body = await response.text();
        if (response.status !== 200) throw new Error(`bench: ${which} ${path} answered ${response.status}: ${body.slice(0, 300)}`);
        if (which === 'app') bytes = Buffer.byteLength(body);
      }
      const measure = async (url: string, duration: number) => {
        await drained(api, bare);
        return load(url, duration);
      };
      await measure(urls.app, 1);
      await measure(urls.bare, 1);
      await measure(urls.floor, 1);
      const appLoad = await measure(urls.app, seconds);
      const bareLoad = await measure(urls.bare, seconds);
      const floorLoad = await measure(urls.floor, seconds);
      results.push({ route: route.name, path, app: appLoad, bare: bareLoad, floor: floorLoad, bytes });
    }
  } finally {
    await close(api.server);
    await close(bare.server);
  }
  return results;
}

/** The table of one database's figures, with PASS/FAIL per route. */
export function formatReads(kind: string, results: readonly RouteResult[], target: boolean): string[] {
  const lines = [
    `reads on ${kind} (${CONNECTIONS} connections; API beside a bare route running one SQL query; target ≥ ${MIN_RATIO}x req/s, p99 ≤ ${MAX_P99_MS} ms${target ? '' : ', reported'}):`,
    `  route             API req/s  p99 ms   bare req/s  p99 ms   ratio   body KB   floor p99 ms  verdict`,
  ];
  for (const result of results) {
    // A bare route that served nothing in time (every request over autocannon's 10 s) has no rate to divide by.
    const ratio = result.bare.rps > 0 ? result.app.rps / result.bare.rps : Number.POSITIVE_INFINITY;
    const pass = ratio >= MIN_RATIO && result.app.p99 <= MAX_P99_MS && result.app.non2xx === 0 && result.app.errors === 0;
    const faults = result.app.non2xx + result.app.errors + result.bare.non2xx + result.bare.errors + result.floor.non2xx + result.floor.errors;
    lines.push(
      `  ${result.route.padEnd(16)} ${result.app.rps.toFixed(0).padStart(10)} ${result.app.p99.toFixed(0).padStart(7)} ${result.bare.rps.toFixed(0).padStart(12)} ${result.bare.p99.toFixed(0).padStart(7)} ${(Number.isFinite(ratio) ? `${ratio.toFixed(2)}x` : 'n/a').padStart(7)} ${(result.bytes / 1024).toFixed(0).padStart(9)} ${result.floor.p99.toFixed(0).padStart(14)}  ${pass ? 'PASS' : 'FAIL'}${faults ? ` (${faults} errors or non-2xx)` : ''}`,
    );
  }
  return lines;
}

/**
 * The read section of the bench: the history database on PGlite (from the cached dump) and on
 * PostgreSQL (`postgresUrl`, an empty database), both apps served on each, the table printed per
 * database.
 */
export async function benchReads(root: string, postgresUrl: string, log: (line: string) => void = console.log): Promise<string[]> {
  const seconds = Number(process.env.RANKWATCH_BENCH_READ_SECONDS ?? 5);
  const history = await historyDump(root, join(root, '../shared/leaderboards'), log);
  const dir = await mkdtemp(join(tmpdir(), 'rankwatch-bench-reads-'));
  const lines: string[] = [];
  try {
    const pglite = await openHistoryPglite(history.dump, dir);
    try {
      const stats = await historyStats(pglite.db);
      lines.push(
        `read bench database: 3 boards × ${HISTORY_HOURS} hourly captures from ${HISTORY_START.toISOString().slice(0, 10)}: ${stats.scrapes} scrape-log rows, ${stats.snapshots} snapshots, ${stats.standings} standings rows, ${stats.events} events`,
        `  ${history.built ? `built in ${(history.ms / 1000).toFixed(0)} s and cached` : 'from the cache'}: ${history.path}`,
        '',
      );
      const postgres = await openHistoryPostgres(pglite.db, postgresUrl);
      try {
        // What a year of history takes on a PostgreSQL server: the sizing figure of README "Running at scale".
        const sizes = await databaseSizes(postgres.db);
        const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
        lines.push(
          `  on PostgreSQL: database ${mb(sizes.database)} (a year of three boards), of it ${sizes.tables
            .slice(0, 4)
            .map((table) => `${table.name} ${mb(table.bytes)}`)
            .join(', ')}`,
          '',
        );
        lines.push(...formatReads('PostgreSQL', await measureReads(postgres, seconds, log), true), '');
      } finally {
        await postgres.close();
      }
      lines.push(...formatReads('PGlite', await measureReads(pglite, seconds, log), false));
    } finally {
      await pglite.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return lines;
}

// `node tests/bench/reads.ts`: this section alone.
await runAlone(import.meta.url, (root, server) => benchReads(root, server.url));
