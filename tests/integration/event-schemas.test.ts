// Every event the real captures produce fits its kind's schema, read back from the database's
// JSON; a stored event that does not is refused where it is decoded, naming the event and field.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { events } from '../../src/db/schema.ts';
import { getEvent, listEvents } from '../../src/db/queries.ts';
import { decodeEvent, EVENT_KINDS, StoredEventError } from '../../src/diff/events.ts';
import { importFile, planImport } from '../../src/ingest/run.ts';
import { HAVE_SHARED, SHARED } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

const CAPTURES = [
  // Two years of the LMArena text board (86 CSVs): firsts, leaders, moves, entries, exits, the US–China gap.
  { board: 'lmarena-text', folder: join(SHARED, 'lmarena/fboulnois-llm-leaderboard-csv/lmsys'), extension: '.csv' },
  // Nine OpenRouter model lists: price changes, some settled over hours (`data.since`).
  { board: 'openrouter-prices', folder: join(SHARED, 'openrouter/api-v1-models'), extension: '.json' },
];

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  if (!HAVE_SHARED) return;
  for (const { board, folder, extension } of CAPTURES) {
    const files = readdirSync(folder).filter((name) => name.endsWith(extension)).map((name) => join(folder, name));
    for (const item of planImport(files)) await importFile(database.db, board, item);
  }
}, 600_000);
afterAll(async () => database.drop());

describe.skipIf(!HAVE_SHARED)('events of the real captures', () => {
  it('every stored event, whatever its status, fits its kind’s schema, every field kept', async () => {
    const rows = await database.db.select().from(events);
    expect(rows.length).toBeGreaterThan(1000);
    const kinds = new Set<string>();
    for (const row of rows) {
      const raw = { kind: row.kind, model: row.model, name: row.name, old: row.old, new: row.new, ...(row.data === null ? {} : { data: row.data }) };
      // Strict schemas: decoding returns the event as stored, nothing dropped, nothing added.
      expect(decodeEvent({ id: row.id, ...raw })).toEqual(raw);
      kinds.add(row.kind);
    }
    // The captures exercise every kind the diff and the settling window produce.
    expect([...kinds].sort()).toEqual(['board_first_seen', 'entered', 'exited', 'gap_changed', 'new_leader', 'price_changed', 'rank_changed', 'score_changed']);
    expect(EVENT_KINDS).toEqual(expect.arrayContaining([...kinds]));
    // Read through the one decoding place too.
    expect(await listEvents(database.db, { status: ['published', 'pending', 'reverted', 'superseded', 'retracted'], limit: rows.length })).toHaveLength(rows.length);
  });

  it('a stored event that does not fit is a clear error naming the event and the field, not a crash elsewhere', async () => {
    const [row] = await database.db.select().from(events).where(eq(events.kind, 'rank_changed')).limit(1);
    await database.db.update(events).set({ new: { rank: 'first' } }).where(eq(events.id, row!.id));
    try {
      const error = await getEvent(database.db, row!.id).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(StoredEventError);
      expect((error as Error).message).toMatch(new RegExp(`^stored event ${row!.id} \\(rank_changed\\) does not fit its schema: new\\.rank: `));
    } finally {
      await database.db.update(events).set({ new: row!.new }).where(eq(events.id, row!.id));
    }
    expect((await getEvent(database.db, row!.id))?.kind).toBe('rank_changed');
  });
});

describe('decodeEvent', () => {
  const rankChange = { kind: 'rank_changed', model: 'm', name: 'M', old: { rank: 3 }, new: { rank: 2 }, data: { delta: 1, significant: null, margin: null, passed: [] } };

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a missing field', { ...rankChange, old: {} }, /\(rank_changed\) does not fit its schema: old\.rank: /],
    ['a field of another kind', { ...rankChange, data: { ...rankChange.data, percentInput: 3 } }, /data: .*percentInput/],
    ['an unknown kind', { ...rankChange, kind: 'rank_changd' }, /\(rank_changd\) does not fit its schema: kind: /],
    ['a gap side with a stray field', { kind: 'gap_changed', model: null, name: 'US–CN', old: { leader: 'US', points: 1, percent: 1, insideIntervals: null, bestUS: 'a', colour: 'red' }, new: { leader: 'US', points: 1, percent: 1, insideIntervals: null }, data: { countries: ['US', 'CN'], leadChanged: false, movedPercent: 1, thresholdPercent: 0.5 } }, /old\.colour: not a field of a gap/],
  ])('refuses %s, naming the field', (_name, event, message) => {
    expect(() => decodeEvent(event as Parameters<typeof decodeEvent>[0])).toThrow(message);
  });

  it('takes the events the store writes itself (scrape and quarantine events)', () => {
    for (const event of [
      { kind: 'scrape_failed', model: null, name: null, old: null, new: null, data: { error: 'HTTP 503', httpStatus: 503, source: 'https://example.org/' } },
      { kind: 'scrape_recovered', model: null, name: null, old: null, new: null, data: { failedSince: '2026-01-01T00:00:00.000Z', failures: 3 } },
      { kind: 'snapshot_quarantined', model: null, name: null, old: { rows: 40 }, new: { rows: 18 }, data: { reasons: ['row count collapsed'], quarantineId: 4, source: null } },
    ]) {
      expect(decodeEvent(event)).toEqual(event);
    }
  });
});
