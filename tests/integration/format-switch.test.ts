import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lmarena } from '../../scrapers/lmarena.ts';
import { allBoards } from '../../scrapers/index.ts';
import { loadConfig } from '../../src/config.ts';
import { listChangeSets, listEvents } from '../../src/db/queries.ts';
import type { StoredEvent } from '../../src/diff/events.ts';
import { defaultFetchDeps } from '../../src/ingest/fetch.ts';
import { importFile, planImport, scrapeBoard } from '../../src/ingest/run.ts';
import { loadIdentity } from '../../src/identity/identity.ts';
import { HAVE_SHARED, rankwatch, SHARED } from '../support/cli.ts';
import { createCliEnvironment, createTestDatabase, type TestDatabase } from '../support/db.ts';

// LMArena's text board as the captures in ../shared/leaderboards (read in place) give it: the CSV
// archive keys models by display name (`Gemini-2.5-Pro`), the live JSON export by internal key
// (`gemini-2.5-pro`), and the two also rank, round and list models differently. A board's key is
// the same whatever format a capture came in, and a switch of format announces only what the two
// formats can both show.
const LMARENA = join(SHARED, 'lmarena');
const CSV_DIR = join(LMARENA, 'fboulnois-llm-leaderboard-csv/lmsys');
const CATALOG = (day: string) => join(LMARENA, 'arena-catalog/leaderboard-text', `${day}.json`);
const GRADIO = join(LMARENA, 'gradio-page/2025-03-28_lmarena.ai_page_source.html');
const BOARD = 'lmarena-text';
const csvFiles = (from: string, to: string) =>
  HAVE_SHARED ? readdirSync(CSV_DIR).filter((name) => name >= `${from}.csv` && name <= `${to}.csv`).map((name) => join(CSV_DIR, name)) : [];

/** A loopback HTTP server standing in for the live JSON export; `body` is what it serves. */
function source(): { start: () => Promise<string>; stop: () => void; body: string } {
  let server: Server;
  const state = {
    body: '',
    async start() {
      server = createServer((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(state.body));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/leaderboard-text.json`;
    },
    stop: () => server?.close(),
  };
  return state;
}

const at = (event: StoredEvent) => event.capturedAt.slice(0, 10);
const kinds = (events: readonly StoredEvent[]) => {
  const counts: Record<string, number> = {};
  for (const event of events) counts[event.kind] = (counts[event.kind] ?? 0) + 1;
  return counts;
};

describe.skipIf(!HAVE_SHARED)('the README quick start, then a live scrape of the JSON export', () => {
  const live = source();
  let url: string;
  let env: Record<string, string>;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    url = await live.start();
    ({ env, cleanup } = await createCliEnvironment());
  });
  afterAll(async () => {
    live.stop();
    await cleanup();
  });

  it('announces no mass change: the new #1 and the models really new since the archive, no exits, no moves across the switch', async () => {
    const files = csvFiles('2024-01-01', '2025-12-31');
    expect(files).toHaveLength(86);
    const imported = await rankwatch(['import', BOARD, ...files], env);
    expect(imported.code, imported.stderr).toBe(0);

    // The export as published on 2025-12-11, five months after the archive ends.
    live.body = readFileSync(CATALOG('2025-12-11'), 'utf8');
    const liveEnv = { ...env, RANKWATCH_URL_LMARENA_TEXT: url };
    const scraped = await rankwatch(['scrape', BOARD, '--json'], liveEnv);
    expect(scraped.code, scraped.stderr).toBe(0);
    const [outcome] = JSON.parse(scraped.stdout) as { status: string; reasons: string[]; changeSet: { summary: string; formatChanged: unknown } }[];
    expect(outcome).toMatchObject({ status: 'changed', reasons: [] });
    expect(outcome!.changeSet.formatChanged).toEqual({ from: 'lmsys-csv', to: 'arena-catalog-json', onlyAfter: 1, onlyBefore: 3 });
    expect(outcome!.changeSet.summary).toMatch(/^lmarena-text: format changed from lmsys-csv to arena-catalog-json: moves across it are not announced/);

    // What the live capture found (settling until the next scrape): computed independently, the
    // export's models whose canonical id no CSV of the archive ever had.
    const identity = loadIdentity();
    const everListed = new Set(files.flatMap((file) => lmarena.parse(readFileSync(file, 'utf8'), { board: BOARD }).entries.map((entry) => identity.resolve('lmarena', entry).id)));
    const exported = lmarena.parse(live.body, { board: BOARD }).entries;
    const reallyNew = exported.filter((entry) => !everListed.has(identity.resolve('lmarena', entry).id)).map((entry) => identity.resolve('lmarena', entry).id);
    expect(reallyNew).toHaveLength(66);
    const found = (JSON.parse((await rankwatch(['events', '--board', BOARD, '--status', 'all', '--since', '2026-01-01', '--limit', '10000', '--json'], env)).stdout) as StoredEvent[]).filter(
      (event) => event.capturedAt >= '2026',
    );
    // The US–China gap is measured from the last one announced, as always: it moved since July.
    expect(kinds(found)).toEqual({ new_leader: 1, entered: 66, gap_changed: 1 });
    expect(found.filter((event) => event.kind === 'entered').map((event) => event.model).sort()).toEqual([...reallyNew].sort());
    expect(found.find((event) => event.kind === 'new_leader')).toMatchObject({ model: 'gemini-3-pro', old: { rank: null } });

    // The next scrape shows the same: the new #1 and the new models are announced; nothing exits.
    const again = await rankwatch(['scrape', BOARD, '--json'], liveEnv);
    expect(again.code, again.stderr).toBe(0);
    const announced = (JSON.parse((await rankwatch(['events', '--board', BOARD, '--since', '2026-01-01', '--limit', '10000', '--json'], env)).stdout) as StoredEvent[]).filter(
      (event) => event.capturedAt >= '2026',
    );
    expect(kinds(announced)).toEqual({ new_leader: 1, entered: 66, gap_changed: 1 });
    // The board now holds the export's 282 models, 215 of them under the keys the archive gave them.
    const standings = JSON.parse((await rankwatch(['history', 'Gemini-2.5-Pro', '--board', BOARD, '--json'], env)).stdout) as { model: string; sourceKey: string | null; validTo: string | null }[];
    expect(new Set(standings.map((row) => row.model))).toEqual(new Set(['gemini-2.5-pro']));
    expect(standings.at(-1)).toMatchObject({ sourceKey: null, validTo: null });
    expect(standings.at(-2)).toMatchObject({ sourceKey: 'Gemini-2.5-Pro' });
  }, 300_000);
});

describe.skipIf(!HAVE_SHARED)('captures of one board in several formats, on a database', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => database.drop());

  it('the archive, then the JSON export of the same day: no change at all', async () => {
    for (const item of planImport(csvFiles('2025-02-06', '2025-05-07'))) await importFile(database.db, BOARD, item);
    const live = source();
    try {
      live.body = readFileSync(CATALOG('2025-05-07'), 'utf8');
      const config = loadConfig({ RANKWATCH_URL_LMARENA_TEXT: await live.start(), RANKWATCH_FETCH_RETRIES: '0' }, allBoards);
      const outcome = await scrapeBoard({ db: database.db, config, fetch: defaultFetchDeps, now: () => new Date('2025-05-07T18:00:00Z') }, BOARD);
      expect(outcome).toMatchObject({ status: 'changed', rowCount: 227, reasons: [] });
      if (!('changeSet' in outcome)) throw new Error('no change set');
      // The export lists 31 deprecated models the page hid in February: listed again, not entries.
      expect(outcome.changeSet).toMatchObject({ counts: {}, pending: 0, suppressed: 0, formatChanged: { onlyAfter: 31, onlyBefore: 0 } });
      expect(await listEvents(database.db, { board: BOARD, snapshot: outcome.snapshotId!, status: ['published', 'pending', 'reverted', 'superseded'], limit: 1000 })).toEqual([]);
    } finally {
      live.stop();
    }
  }, 180_000);
});

describe.skipIf(!HAVE_SHARED)('replaying the archive, then the JSON export and the Gradio page of the same period', () => {
  const archive = csvFiles('2025-01-29', '2025-07-18');
  const others: [string, string][] = [
    [CATALOG('2025-03-07'), '2025-03-07T12:00:00Z'],
    [CATALOG('2025-05-07'), '2025-05-07T12:00:00Z'],
    [CATALOG('2025-05-24'), '2025-05-24T12:00:00Z'],
    [GRADIO, '2025-03-28T12:00:00Z'],
  ];
  let alone: TestDatabase;
  let mixed: TestDatabase;
  const published = (database: TestDatabase) => listEvents(database.db, { board: BOARD, status: ['published'], limit: 100_000 });
  // An entry or exit is the same event whichever format gave the values around it.
  const line = (event: StoredEvent) =>
    event.kind === 'entered' || event.kind === 'exited'
      ? `${at(event)} ${event.kind} ${event.model}`
      : `${at(event)} ${event.kind} ${event.model ?? '-'} ${JSON.stringify(event.old)}>${JSON.stringify(event.new)}`;
  beforeAll(async () => {
    [alone, mixed] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    for (const item of planImport(archive)) {
      await importFile(alone.db, BOARD, item);
      await importFile(mixed.db, BOARD, item);
    }
    // Inserted into the stored history at their times: each derives the board's later changes again.
    for (const [path, time] of others) await importFile(mixed.db, BOARD, { path, capturedAt: new Date(time) });
  }, 600_000);
  afterAll(async () => Promise.all([alone.drop(), mixed.drop()]));

  it('the inserted captures are format switches that found nothing', async () => {
    const sets = await listChangeSets(mixed.db, { board: BOARD, limit: 1000 });
    const switched = sets.filter((set) => others.some(([, time]) => set.capturedAt === new Date(time).toISOString()));
    expect(switched).toHaveLength(4);
    for (const set of switched) {
      expect(set.formatChanged, set.capturedAt).not.toBeNull();
      expect(set.counts).toEqual({});
      expect(set.pending + set.suppressed).toBe(0);
    }
    // The catalog's deprecated models are listed again, not entered; the page left out two the CSV of that day still had.
    expect(switched.map((set) => [set.capturedAt.slice(0, 10), set.formatChanged?.onlyAfter, set.formatChanged?.onlyBefore]).sort()).toEqual([
      ['2025-03-07', 28, 0],
      ['2025-03-28', 0, 2],
      ['2025-05-07', 31, 0],
      ['2025-05-24', 34, 0],
    ]);
  });

  it('gives only the changes the archive alone gives: no entry, exit or new #1 of its own', async () => {
    const archiveEvents = await published(alone);
    const mixedEvents = await published(mixed);
    const archiveLines = new Set(archiveEvents.map(line));
    const extra = mixedEvents.filter((event) => !archiveLines.has(line(event)));
    // Moves across a switch are not announced, so the values of the first CSV after a switch become
    // the base. A model that moved out and back between the CSV before the switch and the second
    // one after it (grok-3-preview-02-24: #3 on 2025-05-23, #2 on 2025-06-03, #3 on 2025-06-05) is a
    // flip-flop the archive alone drops; the mixed history announces the move back, a real move
    // between two consecutive CSVs. Nothing else is its own.
    const afterSwitch = (n: number) => others.map(([, time]) => archive.map((file) => file.slice(-14, -4)).filter((day) => day > time.slice(0, 10))[n]);
    const secondAfterSwitch = new Set(afterSwitch(1));
    expect(new Set(extra.map((event) => event.kind))).toEqual(new Set(['rank_changed', 'score_changed']));
    expect(extra.filter((event) => !secondAfterSwitch.has(at(event))).map(line)).toEqual([]);
    expect(extra.length).toBeLessThan(25);
    const mixedLines = new Set(mixedEvents.map(line));
    const missing = archiveEvents.filter((event) => !mixedLines.has(line(event)));
    // What the archive announces and the mixed history does not: moves found by the first CSV after
    // a switch (and, through settling, by the two after it), never an entry, an exit or a new #1.
    expect(new Set(missing.map((event) => event.kind))).toEqual(new Set(['rank_changed', 'score_changed']));
    const nearSwitch = new Set([...afterSwitch(0), ...afterSwitch(1), ...afterSwitch(2)]);
    expect(missing.filter((event) => !nearSwitch.has(at(event))).map(line)).toEqual([]);
    for (const kind of ['new_leader', 'entered', 'exited'] as const) {
      expect(mixedEvents.filter((event) => event.kind === kind).map(line).sort(), kind).toEqual(archiveEvents.filter((event) => event.kind === kind).map(line).sort());
    }
  });
});
