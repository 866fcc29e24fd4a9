import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { count, sql } from 'drizzle-orm';
import { events, scrapes, snapshots, standings } from '../../src/db/schema.ts';
import { listEvents, standingsAt } from '../../src/db/queries.ts';
import { makeEntry, type Entry } from '../../src/entry.ts';
import { ConflictError } from '../../src/errors.ts';
import { applyCapture, recordScrape, type CaptureInput } from '../../src/ingest/store.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

const BOARD = 'lmarena-text';

function e(model: string, rank: number, score: number, votes = 100): Entry {
  return makeEntry({ model, name: model, rank, score, scoreLower: score - 5, scoreUpper: score + 5, votes, organization: 'Org' });
}

function capture(day: string, entries: Entry[], extra: Partial<CaptureInput> = {}): CaptureInput {
  return {
    board: BOARD,
    capturedAt: new Date(`${day}T00:00:00Z`),
    entries,
    origin: 'import',
    source: `${day}.csv`,
    contentHash: `hash-${day}-${JSON.stringify(entries).length}`,
    format: 'test',
    parserVersion: '1',
    publishedAt: null,
    ...extra,
  };
}

let database: TestDatabase;
beforeEach(async () => {
  database = await createTestDatabase();
});
afterEach(async () => {
  await database.drop();
});

async function rowCount(table: typeof standings | typeof events | typeof snapshots | typeof scrapes): Promise<number> {
  const [row] = await database.db.select({ n: count() }).from(table);
  return row?.n ?? 0;
}

/** The board as stored at `day`, as `model:rank` strings. */
async function boardAt(day: string): Promise<string[]> {
  return (await standingsAt(database.db, BOARD, new Date(`${day}T00:00:00Z`))).map((row) => `${row.model}:${row.rank}:${row.score}`);
}

const A = [e('a', 1, 1300), e('b', 2, 1290), e('c', 3, 1280)];
const B = [e('b', 1, 1305), e('a', 2, 1300), e('c', 3, 1280)];
const C = [e('b', 1, 1305), e('c', 2, 1301), e('a', 3, 1300)];

describe('applyCapture', () => {
  it('stores a first snapshot with one board_first_seen event and no entered flood', async () => {
    const result = await applyCapture(database.db, capture('2024-06-01', A));
    expect(result.status).toBe('first');
    expect(result.events.map((event) => event.kind)).toEqual(['board_first_seen']);
    expect(await rowCount(standings)).toBe(3);
    expect(await rowCount(events)).toBe(1);
    expect(await boardAt('2024-06-01')).toEqual(['a:1:1300', 'b:2:1290', 'c:3:1280']);
  });

  it('stores changes as new intervals, and announces the events in order once the next capture confirms them', async () => {
    await applyCapture(database.db, capture('2024-06-01', A));
    const result = await applyCapture(database.db, capture('2024-06-02', B));
    expect(result).toMatchObject({ status: 'changed', events: [], pending: 4 });
    expect(result.changeSet?.summary).toBe(`${BOARD}: 4 changes settling`);
    const confirmed = await applyCapture(database.db, { ...capture('2024-06-03', B), contentHash: 'B again' });
    expect(confirmed).toMatchObject({ status: 'unchanged', pending: 0 });
    expect((await listEvents(database.db, { board: BOARD, limit: 10 })).map((event) => event.settledAt)).toEqual(Array(4).fill('2024-06-03T00:00:00.000Z').concat(['2024-06-01T00:00:00.000Z']));
    expect(confirmed.events.map((event) => `${event.kind}:${event.model}`)).toEqual([
      'new_leader:b',
      'rank_changed:b',
      'rank_changed:a',
      'score_changed:b',
    ]);
    // c did not change: its interval stays open; a and b get a second row each.
    expect(await rowCount(standings)).toBe(5);
    expect(await boardAt('2024-06-01')).toEqual(['a:1:1300', 'b:2:1290', 'c:3:1280']);
    expect(await boardAt('2024-06-02')).toEqual(['b:1:1305', 'a:2:1300', 'c:3:1280']);
    expect(await boardAt('2024-05-31')).toEqual([]);
  });

  it('a 304 (not modified) is an observation too: it completes the settling window', async () => {
    await applyCapture(database.db, capture('2024-06-01', A));
    await applyCapture(database.db, capture('2024-06-02', B));
    const settling = { direction: 'higher', window: { scrapes: 2 } } as const;
    await recordScrape(database.db, { board: BOARD, status: 'failed', origin: 'live', capturedAt: new Date('2024-06-02T12:00:00Z'), source: 'x', error: 'HTTP 500', settling });
    expect(await listEvents(database.db, { board: BOARD, kind: ['rank_changed'], limit: 10 })).toEqual([]);
    await recordScrape(database.db, { board: BOARD, status: 'not_modified', origin: 'live', capturedAt: new Date('2024-06-03T00:00:00Z'), source: 'x', httpStatus: 304, settling });
    const announced = await listEvents(database.db, { board: BOARD, kind: ['rank_changed'], limit: 10 });
    expect(announced.map((event) => `${event.model} ${event.settledAt}`)).toEqual(['b 2024-06-03T00:00:00.000Z', 'a 2024-06-03T00:00:00.000Z']);
  });

  it('an unchanged capture adds nothing but one more scrape to the log\'s streak, 1,000 times over', async () => {
    await applyCapture(database.db, capture('2024-06-01', A));
    const before = { standings: await rowCount(standings), events: await rowCount(events), snapshots: await rowCount(snapshots) };
    const start = new Date('2024-06-02T00:00:00Z').getTime();
    for (let i = 0; i < 1000; i++) {
      const result = await applyCapture(database.db, { ...capture('2024-06-01', A), capturedAt: new Date(start + i * 3_600_000), contentHash: 'same' });
      expect(result.status).toBe('unchanged');
    }
    expect({ standings: await rowCount(standings), events: await rowCount(events), snapshots: await rowCount(snapshots) }).toEqual(before);
    const log = await database.db.select().from(scrapes).orderBy(scrapes.id);
    expect(log.map((row) => [row.status, row.count])).toEqual([['first', 1], ['unchanged', 1000]]);
    expect(log[1]).toMatchObject({ capturedAt: new Date(start), lastCapturedAt: new Date(start + 999 * 3_600_000) });
  });

  it('the same capture twice is a duplicate that writes nothing', async () => {
    await applyCapture(database.db, capture('2024-06-01', A));
    await applyCapture(database.db, capture('2024-06-02', A));
    const rows = await rowCount(scrapes);
    expect((await applyCapture(database.db, capture('2024-06-01', A))).status).toBe('duplicate');
    expect((await applyCapture(database.db, capture('2024-06-02', A))).status).toBe('duplicate');
    expect(await rowCount(scrapes)).toBe(rows);
  });

  it('refuses a different snapshot at a capture time already stored', async () => {
    await applyCapture(database.db, capture('2024-06-01', A));
    await expect(applyCapture(database.db, capture('2024-06-01', B))).rejects.toThrow(ConflictError);
    await expect(applyCapture(database.db, capture('2024-06-01', B))).rejects.toThrow(/different snapshot is already stored at 2024-06-01/);
  });

  it('quarantines an empty snapshot and duplicate keys instead of storing them as the board', async () => {
    const empty = await applyCapture(database.db, capture('2024-06-01', []));
    expect(empty).toMatchObject({ status: 'quarantined', reasons: ['only 0 entries; a real snapshot of this board has at least 1'] });
    const twice = await applyCapture(database.db, capture('2024-06-02', [e('a', 1, 1), e('a', 2, 1)]));
    expect(twice).toMatchObject({ status: 'quarantined', reasons: ['duplicate model keys: "a" ×2'] });
    expect(await rowCount(snapshots)).toBe(0);
    expect(await rowCount(standings)).toBe(0);
    expect((await listEvents(database.db, { limit: 10 })).map((event) => event.kind)).toEqual(['snapshot_quarantined', 'snapshot_quarantined']);
  });

  describe('captures out of order give the history a scrape in time order gives', () => {
    const days = [
      ['2024-06-01', A],
      ['2024-06-02', B],
      ['2024-06-03', A],
      ['2024-06-04', C],
      ['2024-06-05', C],
      ['2024-06-06', B],
    ] as const;

    async function history() {
      const boards = [];
      for (const [day] of days) boards.push(await boardAt(day));
      const stored = (await listEvents(database.db, { limit: 1000 })).map((event) => `${event.capturedAt.slice(0, 10)} ${event.kind} ${event.model ?? '*'} ${JSON.stringify(event.old)}`);
      return { boards, events: stored.sort(), standings: await rowCount(standings) };
    }

    async function applyInOrder(order: number[]) {
      for (const index of order) {
        const [day, entries] = days[index]!;
        await applyCapture(database.db, capture(day, [...entries]));
      }
      return history();
    }

    it.each([
      ['reversed', [5, 4, 3, 2, 1, 0]],
      ['the first one last', [1, 2, 3, 4, 5, 0]],
      ['one in the middle last', [0, 1, 3, 4, 5, 2]],
      ['an unchanged capture before the one inserted before it', [0, 1, 4, 3, 5, 2]],
      ['shuffled', [3, 0, 5, 1, 4, 2]],
    ])('%s', async (_name, order) => {
      const shuffled = await applyInOrder(order);
      await database.drop();
      database = await createTestDatabase();
      const inOrder = await applyInOrder([0, 1, 2, 3, 4, 5]);
      expect(shuffled).toEqual(inOrder);
    });
  });

  it('writes the snapshot, standings, events and log in one transaction: all or nothing', async () => {
    await applyCapture(database.db, capture('2024-06-01', A));
    const counts = async () => ({
      standings: await rowCount(standings),
      events: await rowCount(events),
      snapshots: await rowCount(snapshots),
      scrapes: await rowCount(scrapes),
    });
    const before = await counts();
    // Make the events insert, which comes after the standings and snapshot writes, fail.
    await database.db.execute(sql`create function refuse_event() returns trigger language plpgsql as $$ begin raise exception 'refused by test'; end $$`);
    await database.db.execute(sql`create trigger refuse_event before insert on events for each row execute function refuse_event()`);
    const failure = await applyCapture(database.db, capture('2024-06-02', B)).catch((error: unknown) => error);
    expect(String((failure as Error).cause)).toMatch(/refused by test/);
    expect(await counts()).toEqual(before);
    expect(await boardAt('2024-06-02')).toEqual(['a:1:1300', 'b:2:1290', 'c:3:1280']);
  });
});

describe('gap_changed', () => {
  const attribute = (entry: Entry) => (entry.model.startsWith('us') ? { organization: 'us-lab', country: 'US' } : { organization: 'cn-lab', country: 'CN' });
  const board = (cn: number) => [e('us-a', 1, 1400), e('cn-a', 2, cn)];
  const gaps = async () =>
    (await listEvents(database.db, { kind: ['gap_changed'], status: ['published', 'pending', 'reverted'], limit: 50 }))
      .reverse()
      .map((event) => `${event.capturedAt.slice(0, 10)} ${event.status} ${event.kind === 'gap_changed' ? `${event.old.percent}>${event.new.percent}` : event.kind}`);

  it('is stored with the snapshot whose capture moved the US–China gap, in the same change set', async () => {
    const now = { attribute, settle: { scrapes: 1 } } as const;
    await applyCapture(database.db, capture('2024-06-01', board(1300), now));
    const closer = await applyCapture(database.db, capture('2024-06-02', board(1390), now));
    expect(closer.events.map((event) => event.kind)).toEqual(['score_changed', 'gap_changed']);
    expect(closer.changeSet?.summary).toBe(`${BOARD}: 1 score change; US–China gap moved`);
    const [stored] = await listEvents(database.db, { kind: ['gap_changed'], limit: 5 });
    expect(stored).toMatchObject({ capturedAt: '2024-06-02T00:00:00.000Z', snapshotId: closer.snapshotId, old: { leader: 'US', percent: 7.14 }, new: { leader: 'US', percent: 0.71 } });
    // Without identity nothing is said about countries.
    const plain = await applyCapture(database.db, capture('2024-06-03', [e('cn-a', 1, 1500), e('us-a', 2, 1400)], { settle: { scrapes: 1 } }));
    expect(plain.events.some((event) => event.kind === 'gap_changed')).toBe(false);
  });

  it('is measured from the last announced gap: a slow drift is announced once it adds up to the threshold', async () => {
    const now = { attribute, settle: { scrapes: 1 } } as const;
    // 7.14% → 6.79% → 6.43% → 6.14%: each step under the 0.5-point threshold, the first two together over it.
    for (const [day, cn] of [['2024-06-01', 1300], ['2024-06-02', 1305], ['2024-06-03', 1310], ['2024-06-04', 1314]] as const) {
      await applyCapture(database.db, capture(day, board(cn), now));
    }
    expect(await gaps()).toEqual(['2024-06-03 published 7.14>6.43']);
  });

  it('a gap that moves and comes back by the next capture says nothing; one that holds is announced once', async () => {
    const days = [['2024-06-01', 1300], ['2024-06-02', 1390], ['2024-06-03', 1300], ['2024-06-04', 1390], ['2024-06-05', 1390]] as const;
    for (const [day, cn] of days) await applyCapture(database.db, capture(day, board(cn), { attribute }));
    expect(await gaps()).toEqual(['2024-06-02 reverted 7.14>0.71', '2024-06-03 reverted 0.71>7.14', '2024-06-04 published 7.14>0.71']);
  });
});
