import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.ts';
import { rankwatch } from '../support/cli.ts';
import { createCliEnvironment, createTestDatabase, type TestDatabase } from '../support/db.ts';

// Dates the calendar does not have are refused wherever a time is read (new Date('2024-02-30')
// would silently be 1 March): a 400 naming the parameter from the API, exit 2 naming the option
// from the CLI, and no capture time from a file name.

const TOKEN = 'test-admin-token-0123456789';
const IMPOSSIBLE = ['2024-02-30', '2023-02-29', '2024-13-01', '2024-06-19T25:00Z', '2024-06-19T12:60:00Z', '2024-04-31T00:00:00+02:00'];

describe('the API refuses impossible dates, naming the parameter', () => {
  let database: TestDatabase;
  let app: ReturnType<typeof createApp>;
  beforeAll(async () => {
    database = await createTestDatabase();
    app = createApp({ db: database.db, adminToken: TOKEN });
  });
  afterAll(async () => {
    await database.drop();
  });

  const queries: [string, string][] = [
    ['/v1/events', 'since'],
    ['/v1/events', 'until'],
    ['/feed.xml', 'since'],
    ['/feed.json', 'until'],
    ['/v1/changes', 'since'],
    ['/v1/boards/lmarena-text/standings', 'at'],
    ['/v1/boards/lmarena-text/aggregates', 'at'],
    ['/v1/boards/lmarena-text/aggregates/history', 'since'],
  ];
  it.each(queries.flatMap(([path, parameter]) => IMPOSSIBLE.map((value) => [path, parameter, value] as const)))('%s?%s=%s answers 400', async (path, parameter, value) => {
    const response = await app.request(`${path}?${parameter}=${encodeURIComponent(value)}`);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { code: string; parameter: string; message: string; requestId: string };
    expect(body).toMatchObject({ code: 'invalid_parameter', parameter });
    expect(body.message).toContain(JSON.stringify(value));
    expect(body.message).toMatch(/there is no (month|day|hour|minute)/);
  });

  it('the same dates that exist are accepted', async () => {
    for (const value of ['2024-02-29', '2024-06-19T23:59:59Z', '2024-04-30T00:00:00+02:00']) {
      expect((await app.request(`/v1/events?since=${encodeURIComponent(value)}`)).status).toBe(200);
      expect((await app.request(`/v1/boards/lmarena-text/standings?at=${encodeURIComponent(value)}`)).status).toBe(200);
    }
  });

  it.each([
    ['since', '2024-02-30'],
    ['until', '2023-02-29T12:00:00Z'],
  ])('POST /v1/subscriptions/preview with %s %s answers 400', async (parameter, value) => {
    const response = await app.request('/v1/subscriptions/preview', {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ filters: {}, [parameter]: value }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'invalid_parameter', parameter });
  });
});

describe('the CLI refuses impossible dates with exit 2, naming the option', () => {
  let env: Record<string, string>;
  let cleanup: () => Promise<void>;
  let scratch: string;
  beforeAll(async () => {
    ({ env, cleanup } = await createCliEnvironment());
    scratch = await mkdtemp(join(tmpdir(), 'rankwatch-dates-'));
  });
  afterAll(async () => {
    await cleanup();
    await rm(scratch, { recursive: true, force: true });
  });

  it.each([
    [['events', '--since', '2024-02-30'], '--since', /there is no day 30 in February 2024/],
    [['changes', '--since', '2023-02-29'], '--since', /there is no day 29 in February 2023/],
    [['aggregates', 'lmarena-text', '--at', '2024-13-01'], '--at', /there is no month 13/],
    [['backtest', '--until', '2024-06-19T25:00Z'], '--until', /there is no hour 25/],
    [['import', 'lmarena-text', '--at', '2024-02-30', 'capture.csv'], '--at', /there is no day 30/],
  ])('%j', async (args, option, reason) => {
    const { code, stdout, stderr } = await rankwatch(args, env);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(new RegExp(`^rankwatch: ${option}: expected an ISO 8601`));
    expect(stderr).toMatch(reason);
  });

  it('a capture named 2024-02-30 is refused, not imported as 1 March', async () => {
    const file = join(scratch, '2024-02-30.csv');
    await writeFile(file, 'rank,model,arena_score,95_pct_ci,votes,organization,license,knowledge_cutoff,url\n1,Alpha,1300,+3/-4,1000,OrgA,Proprietary,2024/1,https://a\n');
    const { code, stdout, stderr } = await rankwatch(['import', 'lmarena-text', file], env);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(`${file}: 2024-02-30 in its name is not a date: there is no day 30 in February 2024 (it has 29 days); rename it or pass --at`);
  });
});
