import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.ts';
import { makeEntry, type Entry } from '../../src/entry.ts';
import { applyCapture } from '../../src/ingest/store.ts';
import { eventGuid } from '../../src/feed/rss.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

const BOARD = 'lmarena-text';
let database: TestDatabase;
let app: ReturnType<typeof createApp>;

function e(model: string, rank: number, score: number): Entry {
  return makeEntry({ model, name: model.toUpperCase(), rank, score, scoreLower: score - 4, scoreUpper: score + 3, votes: 1000, organization: 'Org' });
}

async function get(path: string) {
  const response = await app.request(path);
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  return { status: response.status, type, body: type.includes('json') ? JSON.parse(text) : text, headers: response.headers };
}

beforeAll(async () => {
  database = await createTestDatabase();
  app = createApp({ db: database.db, publicUrl: 'https://rankwatch.test' });
  const snapshots: [string, Entry[]][] = [
    ['2024-06-01', [e('gpt-4o', 1, 1287), e('claude/3.5 sonnet', 2, 1272), e('gemini', 3, 1267)]],
    ['2024-06-08', [e('claude/3.5 sonnet', 1, 1290), e('gpt-4o', 2, 1287), e('gemini', 3, 1267)]],
    ['2024-06-15', [e('claude/3.5 sonnet', 1, 1290), e('gpt-4o', 2, 1287), e('grok', 3, 1270)]],
    // Unchanged: confirms the 2024-06-15 changes (the default settling window is two scrapes).
    ['2024-06-16', [e('claude/3.5 sonnet', 1, 1290), e('gpt-4o', 2, 1287), e('grok', 3, 1270)]],
  ];
  for (const [day, entries] of snapshots) {
    await applyCapture(database.db, {
      board: BOARD,
      capturedAt: new Date(`${day}T00:00:00Z`),
      entries,
      origin: 'import',
      source: `${day}.csv`,
      contentHash: day,
      format: 'test',
      parserVersion: '1',
      publishedAt: null,
    });
  }
});
afterAll(async () => {
  await database.drop();
});

describe('GET /healthz', () => {
  it('answers ok after touching the database', async () => {
    expect(await get('/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
  });
});

describe('GET /v1/boards', () => {
  it('lists the board with its size, snapshots and last scrape', async () => {
    const { status, body } = await get('/v1/boards');
    expect(status).toBe(200);
    const board = body.boards.find((b: { id: string }) => b.id === BOARD);
    expect(board).toMatchObject({ id: BOARD, source: 'lmarena', entries: 3, snapshots: 3, firstSeenAt: '2024-06-01T00:00:00.000Z' });
    expect(board.lastScrape).toMatchObject({ status: 'unchanged', origin: 'import', capturedAt: '2024-06-16T00:00:00.000Z' });
  });

  it('404s an unknown board with a JSON error and request id', async () => {
    const { status, body, headers } = await get('/v1/boards/nope/standings');
    expect(status).toBe(404);
    expect(body).toMatchObject({ code: 'not_found', message: 'unknown board: nope' });
    expect(body.requestId).toBe(headers.get('x-request-id'));
  });
});

describe('GET /v1/boards/:board/standings', () => {
  it('returns the current board, best first', async () => {
    const { body } = await get(`/v1/boards/${BOARD}/standings`);
    expect(body.entries.map((entry: Entry) => entry.model)).toEqual(['claude/3.5 sonnet', 'gpt-4o', 'grok']);
    expect(body.entries[0]).toMatchObject({ rank: 1, score: 1290, scoreLower: 1286, scoreUpper: 1293, votes: 1000 });
  });

  it('returns the board as of a past time', async () => {
    const { body } = await get(`/v1/boards/${BOARD}/standings?at=2024-06-03T12:00:00Z`);
    expect(body.entries.map((entry: Entry) => `${entry.model}:${entry.rank}`)).toEqual(['gpt-4o:1', 'claude/3.5 sonnet:2', 'gemini:3']);
    expect((await get(`/v1/boards/${BOARD}/standings?at=2020-01-01`)).body.entries).toEqual([]);
  });

  it.each(['yesterday', '2024-13-45', '2024-06-01T10:00', '1717200000'])('400s at=%s naming the parameter', async (at) => {
    const { status, body } = await get(`/v1/boards/${BOARD}/standings?at=${encodeURIComponent(at)}`);
    expect(status).toBe(400);
    expect(body).toMatchObject({ code: 'invalid_parameter', parameter: 'at' });
    expect(body.message).toMatch(/^at: expected an ISO 8601 date/);
  });
});

describe('GET /v1/events', () => {
  it('lists events newest first and filters by kind', async () => {
    const { body } = await get(`/v1/events?board=${BOARD}&kind=new_leader`);
    expect(body.events.map((event: { model: string; capturedAt: string }) => `${event.capturedAt.slice(0, 10)} ${event.model}`)).toEqual([
      '2024-06-08 claude/3.5 sonnet',
    ]);
  });

  it('shows announced events unless asked for those still settling or dropped (?status=)', async () => {
    const board = 'lmarena-vision';
    for (const [day, entries] of [['2024-06-01', [e('v1', 1, 1200), e('v2', 2, 1190)]], ['2024-06-02', [e('v2', 1, 1210), e('v1', 2, 1200)]]] as const) {
      await applyCapture(database.db, { board, capturedAt: new Date(`${day}T00:00:00Z`), entries: [...entries], origin: 'import', source: null, contentHash: `vision-${day}`, format: 'test', parserVersion: '1', publishedAt: null });
    }
    const kinds = async (query: string) => (await get(`/v1/events?board=${board}${query}`)).body.events.map((event: { kind: string; status: string }) => `${event.kind}:${event.status}`);
    expect(await kinds('')).toEqual(['board_first_seen:published']);
    expect(await kinds('&status=pending')).toEqual(['new_leader:pending', 'rank_changed:pending', 'rank_changed:pending', 'score_changed:pending']);
    expect((await kinds('&status=all')).length).toBe(5);
    const bad = await get(`/v1/events?status=maybe`);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/status: unknown event status "maybe"; expected all or one of published, pending, reverted, superseded/);
  });

  it('filters by model, several kinds, since and limit', async () => {
    const byModel = (await get('/v1/events?model=gemini')).body.events.map((event: { kind: string }) => event.kind);
    expect(byModel).toEqual(['exited']);
    const kinds = (await get('/v1/events?kind=entered,exited')).body.events.map((event: { kind: string; model: string }) => `${event.kind}:${event.model}`);
    expect(kinds).toEqual(['entered:grok', 'exited:gemini']);
    const repeated = (await get('/v1/events?kind=entered&kind=exited')).body.events.length;
    expect(repeated).toBe(2);
    const since = (await get('/v1/events?since=2024-06-10')).body.events;
    expect(since.every((event: { capturedAt: string }) => event.capturedAt >= '2024-06-10')).toBe(true);
    expect(since.length).toBeGreaterThan(0);
    expect((await get('/v1/events?limit=2')).body.events).toHaveLength(2);
  });

  it.each([
    ['kind=nope', 'kind', /unknown event kind "nope"/],
    ['limit=0', 'limit', /whole number from 1 to 1000/],
    ['limit=abc', 'limit', /whole number/],
    ['limit=5000', 'limit', /1 to 1000/],
    ['since=last-week', 'since', /ISO 8601/],
  ])('400s %s', async (query, parameter, message) => {
    const { status, body } = await get(`/v1/events?${query}`);
    expect(status).toBe(400);
    expect(body.parameter).toBe(parameter);
    expect(body.message).toMatch(message);
  });

  it('404s an unknown board or model filter', async () => {
    expect((await get('/v1/events?board=nope')).status).toBe(404);
    expect((await get('/v1/events?model=nope')).status).toBe(404);
  });

  it('serves one event by id', async () => {
    const [first] = (await get('/v1/events?limit=1')).body.events;
    expect((await get(`/v1/events/${first.id}`)).body).toEqual(first);
    expect((await get('/v1/events/999999')).status).toBe(404);
    expect((await get('/v1/events/abc')).status).toBe(400);
  });
});

describe('GET /v1/models/:model/history', () => {
  it('returns every period of a model, with slashes and spaces in the key', async () => {
    const { status, body } = await get(`/v1/models/${encodeURIComponent('claude/3.5 sonnet')}/history?board=${BOARD}`);
    expect(status).toBe(200);
    expect(body.model).toBe('claude/3.5 sonnet');
    expect(body.history.map((row: { rank: number; validFrom: string; validTo: string | null }) => [row.rank, row.validFrom.slice(0, 10), row.validTo?.slice(0, 10) ?? null])).toEqual([
      [2, '2024-06-01', '2024-06-08'],
      [1, '2024-06-08', null],
    ]);
  });

  it('404s an unknown model or board', async () => {
    expect((await get('/v1/models/nope/history')).status).toBe(404);
    expect((await get('/v1/models/gpt-4o/history?board=nope')).status).toBe(404);
  });
});

describe('GET /feed.xml', () => {
  it('is RSS 2.0 with stable GUIDs, a self link and, per event, the events', async () => {
    const { status, type, body } = await get('/feed.xml?kind=new_leader,entered&per=event');
    expect(status).toBe(200);
    expect(type).toContain('application/rss+xml');
    const rss = new XMLParser({ ignoreAttributes: false }).parse(body as string).rss;
    expect(rss['@_version']).toBe('2.0');
    expect(rss.channel.title).toBeTruthy();
    expect(rss.channel.link).toBe('https://rankwatch.test/');
    expect(rss.channel['atom:link']['@_href']).toBe('https://rankwatch.test/feed.xml?kind=new_leader,entered&per=event');
    const items = [rss.channel.item].flat();
    expect(items.map((item: { title: string }) => item.title)).toEqual([
      'GROK enters lmarena-text at #3 with 1270',
      'CLAUDE/3.5 SONNET takes #1 on lmarena-text (was #2) (within the confidence intervals)',
    ]);
    const events = (await get('/v1/events?kind=new_leader,entered')).body.events;
    expect(items.map((item: { guid: { '#text': string } }) => item.guid['#text'])).toEqual(events.map(eventGuid));
    // Same feed again: same GUIDs.
    const again = new XMLParser({ ignoreAttributes: false }).parse((await get('/feed.xml?kind=new_leader,entered&per=event')).body as string).rss;
    expect([again.channel.item].flat().map((item: { guid: { '#text': string } }) => item.guid['#text'])).toEqual(events.map(eventGuid));
  });

  it('400s bad filters like the events endpoint', async () => {
    expect((await get('/feed.xml?kind=nope')).status).toBe(400);
  });
});

describe('GET /v1/quarantine', () => {
  it('lists quarantined captures with their reasons, and shows one with its entries', async () => {
    const duplicated = [e('gpt-4o', 1, 1300), e('gpt-4o', 2, 1290)];
    const held = await applyCapture(database.db, {
      board: BOARD,
      capturedAt: new Date('2024-06-20T00:00:00Z'),
      entries: duplicated,
      origin: 'import',
      source: 'broken.csv',
      contentHash: 'broken',
      format: 'test',
      parserVersion: '1',
      publishedAt: null,
    });
    expect(held.status).toBe('quarantined');
    const list = await get(`/v1/quarantine?board=${BOARD}`);
    expect(list.status).toBe(200);
    expect(list.body.quarantine).toEqual([
      expect.objectContaining({ id: held.quarantineId, board: BOARD, capturedAt: '2024-06-20T00:00:00.000Z', rowCount: 2, reasons: ['duplicate model keys: "gpt-4o" ×2'], source: 'broken.csv' }),
    ]);
    const one = await get(`/v1/quarantine/${held.quarantineId}`);
    expect(one.body.entries.map((entry: Entry) => entry.score)).toEqual([1300, 1290]);
    // The board itself is untouched: still the last good snapshot.
    expect((await get(`/v1/boards/${BOARD}/standings`)).body.entries.map((entry: Entry) => entry.model)).toEqual(['claude/3.5 sonnet', 'gpt-4o', 'grok']);
  });

  it.each([
    ['/v1/quarantine/abc', 400, /expected a quarantine id \(a whole number\), got "abc"/],
    ['/v1/quarantine/424242', 404, /unknown quarantined capture: 424242/],
    ['/v1/quarantine?board=nope', 404, /unknown board: nope/],
    ['/v1/quarantine?limit=0', 400, /limit/],
  ])('%s answers %i with a JSON error', async (path, status, message) => {
    const answer = await get(path);
    expect(answer.status).toBe(status);
    expect(answer.body.message).toMatch(message);
  });
});

describe('GET /v1/changes', () => {
  it('lists one change set per snapshot with its summary, newest first, and shows one with its events', async () => {
    const { status, body } = await get(`/v1/changes?board=${BOARD}`);
    expect(status).toBe(200);
    expect(body.changes.map((change: { capturedAt: string; summary: string }) => [change.capturedAt.slice(0, 10), change.summary])).toEqual([
      ['2024-06-15', 'lmarena-text: 1 entered; 1 exited'],
      ['2024-06-08', 'lmarena-text: new #1 CLAUDE/3.5 SONNET; 2 rank moves; 1 score change'],
      ['2024-06-01', 'lmarena-text: first seen with 3 models, #1 GPT-4O'],
    ]);
    const [latest] = body.changes;
    expect(latest).toMatchObject({ board: BOARD, bulkRemoval: false, methodologyChanged: false, counts: { entered: 1, exited: 1 }, rowCount: 3 });
    // Provenance of the capture behind it.
    expect(latest).toMatchObject({ source: '2024-06-15.csv', format: 'test', parserVersion: '1', contentHash: '2024-06-15', publishedAt: null });
    const one = await get(`/v1/changes/${latest.id}`);
    expect(one.body.events.map((event: { kind: string; model: string }) => `${event.kind} ${event.model}`)).toEqual(['entered grok', 'exited gemini']);
  });

  it.each([
    ['/v1/changes/x', 400, /expected a change set id/],
    ['/v1/changes/999999', 404, /unknown change set: 999999/],
    ['/v1/changes?since=yesterday', 400, /since/],
  ])('%s answers %i', async (path, status, message) => {
    const answer = await get(path);
    expect(answer.status).toBe(status);
    expect(answer.body.message).toMatch(message);
  });
});

describe('model identity and aggregates', () => {
  it('GET /v1/models/:id: the canonical model, its organization and country, and its standing on every board', async () => {
    const { status, body } = await get('/v1/models/gpt-4o');
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: 'gpt-4o', organization: 'openai', country: 'US' });
    expect(body.boards.map((row: { board: string; rank: number; model: string }) => [row.board, row.rank, row.model])).toEqual([[BOARD, 2, 'gpt-4o']]);
    expect((await get('/v1/models/no-such-model')).status).toBe(404);
  });

  it('GET /v1/boards/:board/aggregates: the lab ranking, the country ranking and the US–China gap', async () => {
    const labs = await get(`/v1/boards/${BOARD}/aggregates?by=organization&at=2024-06-08T12:00:00Z`);
    expect(labs.status).toBe(200);
    expect(labs.body.groups.map((group: { place: number; group: string; best: { model: string } }) => [group.place, group.group, group.best.model])).toEqual([
      [1, 'openai', 'gpt-4o'],
      [2, 'google', 'gemini'],
    ]);
    expect(labs.body.gap).toBeNull();
    const countries = await get(`/v1/boards/${BOARD}/aggregates?by=country&at=2024-06-08T12:00:00Z`);
    // `claude/3.5 sonnet` under the unknown organization "Org": no maker is guessed under an unknown owner prefix.
    expect(countries.body.groups).toEqual([expect.objectContaining({ place: 1, group: 'US', models: 2 })]);
  });

  it.each([
    [`/v1/boards/${BOARD}/aggregates?by=lab`, 400, /expected organization or country, got "lab"/],
    ['/v1/boards/nope/aggregates', 404, /unknown board: nope/],
    [`/v1/boards/${BOARD}/aggregates?at=soon`, 400, /at/],
  ])('%s answers %i', async (path, status, message) => {
    const answer = await get(path);
    expect(answer.status).toBe(status);
    expect(answer.body.message).toMatch(message);
  });

  it('GET /v1/identity/unmapped lists what identity does not know on the current boards', async () => {
    const { body } = await get('/v1/identity/unmapped');
    // 'Org' is the test entries' organization: no such lab.
    expect(body.unmapped).toEqual([expect.objectContaining({ value: 'Org', kind: 'organization', reason: 'unknown-organization' })]);
  });
});

describe('GET /v1/boards/:board/aggregates/history', () => {
  it('gives the aggregates at every snapshot, newest first', async () => {
    const { status, body } = await get(`/v1/boards/${BOARD}/aggregates/history?by=organization&limit=2`);
    expect(status).toBe(200);
    expect(body.history.map((step: { at: string; groups: { group: string }[] }) => [step.at.slice(0, 10), step.groups.map((group) => group.group)])).toEqual([
      ['2024-06-15', ['openai', 'xai']],
      ['2024-06-08', ['openai', 'google']],
    ]);
    expect((await get(`/v1/boards/${BOARD}/aggregates/history?by=lab`)).status).toBe(400);
    expect((await get('/v1/boards/nope/aggregates/history')).status).toBe(404);
  });
});
