// Property-based: every operation /openapi.json documents, driven with generated inputs its schemas
// accept and with inputs they refuse, on both databases. Whatever comes in, no 5xx; every 4xx is a
// JSON error; a 400 names the parameter at fault; input the document calls valid is never refused
// as malformed.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.ts';
import { importFile, planImport } from '../../src/ingest/run.ts';
import { createSubscription } from '../../src/notify/subscriptions.ts';
import { deliveries, quarantines } from '../../src/db/schema.ts';
import { HAVE_SHARED, SHARED } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import {
  asQueryText,
  fillPath,
  invalidValue,
  operationsOf,
  resolve,
  validValue,
  wrongType,
  type OpenApiDocument,
  type Operation,
  type Parameter,
} from '../support/openapi-arbitraries.ts';

const TOKEN = 'property-test-admin-token-0123456789';
const CSV_DIR = join(SHARED, 'lmarena/fboulnois-llm-leaderboard-csv/lmsys');
const BOARD = 'lmarena-text';
/** Runs per operation and kind of input: enough to reach every parameter, quick on both databases. */
const RUNS = 40;

let database: TestDatabase;
let app: ReturnType<typeof createApp>;
let doc: OpenApiDocument;
/** Values that exist in the seeded database, mixed into generated path parameters so lookups succeed too. */
const known: Record<string, string[]> = {};
const serverErrors: string[] = [];
/** Statuses seen per operation (`GET /v1/events`), to show the inputs reached the handlers. */
const seen = new Map<string, Set<number>>();

beforeAll(async () => {
  database = await createTestDatabase();
  const files = readdirSync(CSV_DIR).filter((name) => name >= '2024-06-01.csv' && name <= '2024-07-15.csv').map((name) => join(CSV_DIR, name));
  for (const item of planImport(files)) await importFile(database.db, BOARD, item);
  // Answers every lookup with a public address: no DNS, and subscriptions to generated hosts are accepted.
  const policy = { allowHosts: [], lookup: async () => [{ address: '93.184.216.34', family: 4 }] };
  const { subscription } = await createSubscription(database.db, { channel: 'webhook', url: 'https://hooks.example.com/rankwatch' }, policy);
  app = createApp({ db: database.db, adminToken: TOKEN, urlPolicy: policy, logError: (line) => serverErrors.push(line) });
  doc = (await (await app.request('/openapi.json')).json()) as OpenApiDocument;
  const events = (await (await app.request(`/v1/events?board=${BOARD}&limit=5`)).json()) as { events: { id: number; model: string | null; snapshotId: number | null }[] };
  const [delivery] = await database.db
    .insert(deliveries)
    .values({ subscriptionId: subscription.id, messageId: 'msg_property', kind: 'test', status: 'dead', eventIds: [], nextAttemptAt: new Date() })
    .returning();
  const [held] = await database.db
    .insert(quarantines)
    .values({ boardId: BOARD, capturedAt: new Date('2024-07-20T00:00:00Z'), entriesHash: 'property', rowCount: 0, reasons: ['a test capture'], entries: [] })
    .returning();
  known.board = [BOARD, 'lmarena-vision'];
  known.model = [...new Set(events.events.flatMap((event) => (event.model ? [event.model] : [])))];
  // `{id}` means another table's id under each path.
  known['/v1/events/'] = [String(events.events[0]!.id)];
  known['/v1/changes/'] = [String(events.events[0]!.snapshotId)];
  known['/v1/subscriptions/'] = [String(subscription.id)];
  known['/v1/deliveries/'] = [String(delivery!.id)];
  known['/v1/quarantine/'] = [String(held!.id)];
}, 120_000);
afterAll(async () => database?.drop());

type Request = { operation: Operation; url: string; init: RequestInit; mutated: { where: 'path' | 'query' | 'body'; name: string } | null };

function pathValue(path: string, parameter: Parameter): fc.Arbitrary<string> {
  const generated = parameter.schema ? validValue(doc, parameter.schema).map(asQueryText) : fc.string({ minLength: 1 });
  const real = parameter.name === 'id' ? known[path.slice(0, path.indexOf('{'))] : known[parameter.name];
  return (real?.length ? fc.oneof({ arbitrary: fc.constantFrom(...real), weight: 3 }, { arbitrary: generated, weight: 1 }) : generated).filter((value) => value !== '');
}

/** A valid query value: generated from the schema, or (for names the database knows) a real one. */
function queryValue(parameter: Parameter): fc.Arbitrary<string> {
  const generated = validValue(doc, parameter.schema ?? { type: 'string' }).map(asQueryText);
  const real = parameter.name === 'models' ? [known.model!.slice(0, 2).join(','), known.model![0]!] : known[parameter.name];
  return real?.length ? fc.oneof({ arbitrary: fc.constantFrom(...real), weight: 3 }, { arbitrary: generated, weight: 1 }) : generated;
}

/**
 * The rules between a window's parameters, which JSON Schema cannot state (the README does):
 * `since` before `until`, and `days` or `since`, not both.
 */
function windowRules(values: Record<string, string>): Record<string, string> {
  const result = { ...values };
  if (result.since && result.until) {
    const [early, late] = [result.since, result.until].sort((a, b) => Date.parse(a) - Date.parse(b));
    if (early === late) delete result.until;
    else Object.assign(result, { since: early, until: late });
  }
  if (result.days && result.since) delete result.days;
  return result;
}

/** A request with every parameter valid, or with exactly one of them (or one body field) made invalid. */
function requestOf(operation: Operation, broken: boolean): fc.Arbitrary<Request> | null {
  const path = operation.parameters.filter((parameter) => parameter.in === 'path');
  const query = operation.parameters.filter((parameter) => parameter.in === 'query');
  const invalidTargets: { where: 'path' | 'query' | 'body'; name: string; value: fc.Arbitrary<unknown> }[] = [];
  if (broken) {
    for (const parameter of [...path, ...query]) {
      const bad = parameter.schema ? invalidValue(doc, parameter.schema) : null;
      if (bad) invalidTargets.push({ where: parameter.in as 'path' | 'query', name: parameter.name, value: bad });
    }
    const body = operation.body ? resolve(doc, operation.body) : null;
    for (const [name, property] of Object.entries(body?.properties ?? {})) {
      // In a JSON body a wrong type is as invalid as a wrong value.
      const choices = [invalidValue(doc, property), wrongType(doc, property)].filter((choice) => choice !== null);
      if (choices.length) invalidTargets.push({ where: 'body', name, value: fc.oneof(...choices) });
    }
    if (invalidTargets.length === 0) return null;
  }
  const pathValues = fc.record(Object.fromEntries(path.map((parameter) => [parameter.name, pathValue(operation.path, parameter)])));
  const queryValues = fc
    .record(Object.fromEntries(query.map((parameter) => [parameter.name, queryValue(parameter)])), {
      requiredKeys: query.filter((parameter) => parameter.required).map((parameter) => parameter.name),
    })
    .map(windowRules);
  const bodyValue = operation.body ? validValue(doc, operation.body) : fc.constant(undefined);
  const target = broken ? fc.constantFrom(...invalidTargets) : fc.constant(null);
  return fc
    .tuple(pathValues, queryValues, bodyValue, target)
    .chain(([paths, queries, body, which]) =>
      (which ? which.value : fc.constant(undefined)).map((bad) => {
        const pathText: Record<string, string> = { ...paths };
        const queryText: Record<string, string> = { ...(queries as Record<string, string>) };
        let json = body as Record<string, unknown> | undefined;
        if (which?.where === 'path') pathText[which.name] = asQueryText(bad);
        if (which?.where === 'query') queryText[which.name] = asQueryText(bad);
        if (which?.where === 'body') json = { ...(json ?? {}), [which.name]: bad };
        const search = new URLSearchParams(queryText).toString();
        const url = `${fillPath(operation.path, pathText)}${search ? `?${search}` : ''}`;
        const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}`, accept: 'application/json' };
        const init: RequestInit = { method: operation.method, headers };
        if (json !== undefined && operation.method !== 'GET') {
          headers['content-type'] = 'application/json';
          init.body = JSON.stringify(json);
        }
        return { operation, url, init, mutated: which ? { where: which.where, name: which.name } : null };
      }),
    );
}

async function check(request: Request): Promise<void> {
  const { operation, url, init, mutated } = request;
  const label = `${operation.method} ${url}${init.body ? ` ${String(init.body).slice(0, 300)}` : ''}`;
  const response = await app.request(url, init);
  const name = `${operation.method} ${operation.path}`;
  seen.set(name, (seen.get(name) ?? new Set()).add(response.status));
  expect(response.status, `${label}: ${serverErrors.at(-1) ?? ''}`).toBeLessThan(500);
  if (response.status < 400) {
    // The document's own statuses: a route never answers one it does not declare.
    expect(Object.keys(operation.responses), label).toContain(String(response.status));
    if (mutated) expect.fail(`${label}: accepted ${mutated.where} ${mutated.name} that the document calls invalid (${response.status})`);
    return;
  }
  expect(response.headers.get('content-type') ?? '', label).toMatch(/^application\/json/);
  const body = (await response.json()) as { code?: unknown; message?: unknown; parameter?: unknown; requestId?: unknown };
  expect(typeof body.code, label).toBe('string');
  expect(typeof body.message, label).toBe('string');
  expect((body.message as string).length, label).toBeGreaterThan(0);
  expect(Object.keys(operation.responses), `${label} answered ${response.status}`).toContain(String(response.status));
  if (response.status === 400) {
    expect(typeof body.parameter, `${label}: ${JSON.stringify(body)}`).toBe('string');
    // Valid input is never refused as malformed.
    if (!mutated) expect.fail(`${label}: valid by the document, refused: ${JSON.stringify(body)}`);
    const named = body.parameter as string;
    const expected = mutated.where === 'body' ? [mutated.name, 'body'] : [mutated.name];
    expect(expected.some((name) => named === name || named.startsWith(`${name}.`) || named.startsWith(`${name}[`)), `${label}: named ${named}, expected ${mutated.name}`).toBe(true);
  }
}

describe.skipIf(!HAVE_SHARED)('every documented operation under generated input', () => {
  /** The operations, deletions last: what they remove, the others still find. */
  const operations = () => operationsOf(doc).sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'));

  it('the document lists the operations', () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(operationsOf(doc).length).toBeGreaterThan(20);
  });

  it('valid input: no 5xx, never a 400, only documented statuses', async () => {
    for (const operation of operations()) {
      const requests = requestOf(operation, false)!;
      await fc.assert(fc.asyncProperty(requests, check), { numRuns: RUNS, seed: 1132 });
    }
    // Valid input reached a success on every operation: the generated requests are not all 404s.
    const neverOk = operationsOf(doc)
      .map((operation) => `${operation.method} ${operation.path}`)
      .filter((name) => ![...(seen.get(name) ?? [])].some((status) => status < 300));
    expect(neverOk).toEqual([]);
  }, 600_000);

  it('one invalid parameter or field: a 4xx JSON error that names it, never a 5xx', async () => {
    let driven = 0;
    for (const operation of operations()) {
      const requests = requestOf(operation, true);
      if (!requests) continue;
      driven++;
      await fc.assert(fc.asyncProperty(requests, check), { numRuns: RUNS, seed: 2273 });
    }
    expect(driven).toBeGreaterThan(10);
    expect(serverErrors).toEqual([]);
  }, 600_000);
});
