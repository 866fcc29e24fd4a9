import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lmarena } from '../../scrapers/lmarena.ts';
import { openrouter } from '../../scrapers/openrouter.ts';
import { createApp } from '../../src/api/app.ts';
import { announcerWith } from '../../src/context.ts';
import { loadIdentity } from '../../src/identity/identity.ts';
import { makeEntry, type Entry } from '../../src/entry.ts';
import { Dispatcher } from '../../src/notify/dispatcher.ts';
import { createSubscription, listDeliveries } from '../../src/notify/subscriptions.ts';
import { listEvents } from '../../src/db/queries.ts';
import { standings } from '../../src/db/schema.ts';
import { EVENT_STATUSES } from '../../src/diff/settle.ts';
import { importFile, planImport } from '../../src/ingest/run.ts';
import { applyCapture } from '../../src/ingest/store.ts';
import { HAVE_SHARED, SHARED } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// Real captures from ../shared/leaderboards, read in place.
const CSV_DIR = join(SHARED, 'lmarena/fboulnois-llm-leaderboard-csv/lmsys');
const csv = (day: string) => join(CSV_DIR, `${day}.csv`);
const BOARD = 'lmarena-text';

let database: TestDatabase;
beforeEach(async () => {
  database = await createTestDatabase();
});
afterEach(async () => database.drop());

describe.skipIf(!HAVE_SHARED)('event ids outlive a backfill', () => {
  it('an older capture inserted into stored history keeps every event id; announced events it removes stay, retracted', async () => {
    const files = readdirSync(CSV_DIR)
      .filter((name) => name >= '2024-06-19.csv' && name <= '2024-10-08.csv')
      .map((name) => join(CSV_DIR, name));
    const backfill = csv('2024-08-07');
    for (const item of planImport(files.filter((file) => file !== backfill))) await importFile(database.db, BOARD, item);
    const all = [...EVENT_STATUSES];
    const before = await listEvents(database.db, { board: BOARD, status: all, limit: 100_000 });
    const announcedBefore = before.filter((event) => event.status === 'published');
    expect(announcedBefore.length).toBeGreaterThan(500);

    const result = await importFile(database.db, BOARD, planImport([backfill])[0]!);
    expect(result.insertedBefore).not.toBeNull();

    const after = await listEvents(database.db, { board: BOARD, status: all, limit: 100_000 });
    const idOf = new Map(after.map((event) => [event.key, event.id]));
    // Every event derived again under the same key has the id it had.
    const kept = before.filter((event) => idOf.has(event.key));
    expect(kept.length).toBeGreaterThan(before.length / 2);
    expect(kept.filter((event) => idOf.get(event.key) !== event.id)).toEqual([]);
    // Every announced event still resolves: as it is now, or retracted when the new history lacks it.
    const app = createApp({ db: database.db });
    const statuses: Record<string, number> = {};
    for (const event of announcedBefore) {
      const response = await app.request(`/v1/events/${event.id}`);
      expect(response.status, `event ${event.id} (${event.key})`).toBe(200);
      const body = (await response.json()) as { key: string; status: string };
      expect(body.key).toBe(event.key);
      statuses[body.status] = (statuses[body.status] ?? 0) + 1;
    }
    // The capture of 2024-08-07 splits the move from 2024-08-06 to 2024-08-14 in two: some announced
    // moves of 2024-08-14 are now found on 2024-08-07 instead, so they are retracted, not deleted.
    // Others keep their key but not their fate (a move the new capture turns into a flip-flop is
    // now `reverted`): the link still resolves, to what the event is now.
    expect(statuses.retracted).toBeGreaterThan(0);
    expect(statuses.published).toBeGreaterThan(announcedBefore.length * 0.9);
    const retracted = after.filter((event) => event.status === 'retracted');
    expect(retracted.every((event) => event.capturedAt >= '2024-08-07')).toBe(true);
    // Retracted events are in no feed and no default listing; their change sets do not count them.
    expect((await listEvents(database.db, { board: BOARD, limit: 100_000 })).some((event) => event.status === 'retracted')).toBe(false);
    // New ids only for events with new keys.
    const known = new Set(before.map((event) => event.id));
    const keysBefore = new Set(before.map((event) => event.key));
    expect(after.filter((event) => !known.has(event.id)).every((event) => !keysBefore.has(event.key))).toBe(true);
  }, 180_000);
});

describe.skipIf(!HAVE_SHARED)('a database filled before board keys existed', () => {
  it('keeps its keys: the next capture in the same format changes nothing it should not, the JSON export lands on them', async () => {
    // As rankwatch stored LMArena captures before: the display names as keys.
    const body = readFileSync(csv('2025-07-16'), 'utf8');
    const parsed = lmarena.parse(body, { board: BOARD });
    await applyCapture(database.db, {
      board: BOARD,
      capturedAt: new Date('2025-07-16T00:00:00Z'),
      entries: parsed.entries,
      origin: 'import',
      source: csv('2025-07-16'),
      contentHash: 'legacy',
      format: parsed.format,
      parserVersion: '1',
      publishedAt: null,
    });
    const next = await importFile(database.db, BOARD, planImport([csv('2025-07-18')])[0]!);
    expect(next).toMatchObject({ status: 'changed', reasons: [] });
    // The same changes a database keyed by board keys from the start finds.
    const fresh = await createTestDatabase();
    try {
      for (const item of planImport([csv('2025-07-16'), csv('2025-07-18')])) await importFile(fresh.db, BOARD, item);
      const count = async (db: TestDatabase) =>
        (await listEvents(db.db, { board: BOARD, status: ['pending'], since: new Date('2025-07-18T00:00:00Z'), limit: 10_000 })).map((event) => event.kind).sort();
      expect(await count(database)).toEqual(await count(fresh));
    } finally {
      await fresh.drop();
    }
    const [legacy] = await database.db.select().from(standings).where(and(eq(standings.boardId, BOARD), eq(standings.model, 'Gemini-2.5-Pro')));
    expect(legacy).toMatchObject({ model: 'Gemini-2.5-Pro', sourceKey: null });

    // The export keys the models otherwise; through model identity they land on the stored keys.
    const exported = await importFile(database.db, BOARD, { path: join(SHARED, 'lmarena/arena-catalog/leaderboard-text/2025-12-11.json'), capturedAt: new Date('2025-12-11T00:00:00Z') });
    expect(exported).toMatchObject({ status: 'changed', reasons: [] });
    const rows = await database.db.select().from(standings).where(and(eq(standings.boardId, BOARD), eq(standings.model, 'Gemini-2.5-Pro')));
    // Its periods of 2025-07-16 and 2025-07-18 under the key as the CSVs published it, then the export's.
    expect(rows.sort((a, b) => a.validFrom.getTime() - b.validFrom.getTime()).map((row) => row.sourceKey)).toEqual([null, null, 'gemini-2.5-pro']);
    const exits = await listEvents(database.db, { board: BOARD, kind: ['exited'], status: ['pending', 'published'], since: new Date('2025-12-11T00:00:00Z'), limit: 1000 });
    expect(exits).toEqual([]);
  }, 120_000);
});

describe.skipIf(!HAVE_SHARED)('the key check on a board keyed as published', () => {
  it('a capture of the same models under other keys is quarantined with the reason, never diffed', async () => {
    const file = join(SHARED, 'openrouter/api-v1-models', readdirSync(join(SHARED, 'openrouter/api-v1-models')).sort()[0]!);
    const body = readFileSync(file, 'utf8');
    await importFile(database.db, 'openrouter-prices', { path: file, capturedAt: new Date('2026-01-01T00:00:00Z') });
    // OpenRouter renaming every id (`openai/gpt-4o` to `openai:gpt-4o`): the same board, under other keys.
    const parsed = openrouter.parse(body, { board: 'openrouter-prices' });
    const renamed = parsed.entries.map((entry) => ({ ...entry, model: entry.model.replace('/', ':') }));
    const result = await applyCapture(database.db, {
      board: 'openrouter-prices',
      capturedAt: new Date('2026-01-01T01:00:00Z'),
      entries: renamed,
      origin: 'import',
      source: 'renamed.json',
      contentHash: 'renamed',
      format: parsed.format,
      parserVersion: openrouter.parserVersion,
      publishedAt: null,
    });
    expect(result.status).toBe('quarantined');
    expect(result.reasons).toEqual([
      expect.stringMatching(/^model keys changed \(format or naming change\?\): only \d+ of the \d+ models of the last good snapshot are listed under the same key \(at least 50% must be\)$/),
    ]);
    const events = await listEvents(database.db, { board: 'openrouter-prices', status: [...EVENT_STATUSES], since: new Date('2026-01-01T00:30:00Z'), limit: 1000 });
    expect(events.map((event) => event.kind)).toEqual(['snapshot_quarantined']);
  });
});

describe('alerts queued before a backfill', () => {
  it('are not sent with events the backfill retracted: a delivery left with none is cancelled, saying why', async () => {
    const received: string[] = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk));
      request.on('end', () => {
        received.push(body);
        response.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      const { subscription } = await createSubscription(database.db, { channel: 'webhook', url, filters: { boards: ['aider-polyglot'] } }, { allowHosts: ['127.0.0.1'] });
      const capture = (day: string, entries: Entry[]) =>
        applyCapture(database.db, {
          board: 'aider-polyglot',
          capturedAt: new Date(`${day}T00:00:00Z`),
          entries,
          origin: 'import',
          source: `${day}.yml`,
          contentHash: day,
          format: 'test',
          parserVersion: '1',
          publishedAt: null,
          onAnnounced: announcerWith(loadIdentity()),
        });
      const row = (model: string, rank: number, score: number) => makeEntry({ model, name: model, rank, score });
      await capture('2025-01-01', [row('a', 1, 80), row('b', 2, 70)]);
      // b overtakes a, seen on the 10th and confirmed on the 11th: announced, and queued for the subscriber.
      await capture('2025-01-10', [row('b', 1, 85), row('a', 2, 80)]);
      await capture('2025-01-11', [row('b', 1, 85), row('a', 2, 80)]);
      const [queued] = await listDeliveries(database.db, subscription.id, 10);
      expect(queued).toMatchObject({ status: 'pending' });
      // A capture of the 5th already shows b ahead: the move happened then, not on the 10th.
      await capture('2025-01-05', [row('b', 1, 85), row('a', 2, 80)]);
      const queuedEvents = await listEvents(database.db, { board: 'aider-polyglot', status: [...EVENT_STATUSES], since: new Date('2025-01-10T00:00:00Z'), until: new Date('2025-01-10T00:00:00Z'), limit: 100 });
      expect(new Set(queuedEvents.map((event) => event.status))).toEqual(new Set(['retracted']));

      const sender = new Dispatcher({ database, publicUrl: 'https://rankwatch.test', allowHosts: ['127.0.0.1'], timeoutMs: 5_000, retrySchedule: [50] });
      await sender.runOnce();
      // Only the board's first-seen message goes out; nothing of the retracted change set.
      expect(received).toHaveLength(1);
      expect(received[0]).toContain('board_first_seen');
      expect(received[0]).not.toContain('2025-01-10');
      const [after] = await listDeliveries(database.db, subscription.id, 10);
      expect(after).toMatchObject({ status: 'cancelled', lastError: 'nothing left to send: a backfill retracted its events or found them flip-flops' });
    } finally {
      server.close();
    }
  });
});
