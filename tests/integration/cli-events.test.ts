// `rankwatch events --organization --significant`: from the database, and through the running
// service's API when `rankwatch serve` holds the embedded database.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../src/diff/events.ts';
import { rankwatch, startServe } from '../support/cli.ts';
import { createCliEnvironment, TEST_DB } from '../support/db.ts';

const HEADER = 'rank,model,arena_score,95_pct_ci,votes,organization,license,knowledge_cutoff,url';
const row = (rank: number, model: string, score: number, organization: string) => `${rank},${model},${score},+4/-4,1000,${organization},Proprietary,2024/1,https://example.org`;
// The second capture moves Qwen-Max clear of GPT-4o (significant) and Qwen2.5 past ChatGPT inside
// the intervals (not significant); the third confirms it (the default settling window).
const FIRST = [row(1, 'GPT-4o', 1300, 'OpenAI'), row(2, 'Qwen-Max', 1280, 'Alibaba'), row(3, 'ChatGPT-4o-latest', 1279, 'OpenAI'), row(4, 'Qwen2.5-72B-Instruct', 1276, 'Alibaba')];
const SECOND = [row(1, 'Qwen-Max', 1330, 'Alibaba'), row(2, 'GPT-4o', 1301, 'OpenAI'), row(3, 'Qwen2.5-72B-Instruct', 1281, 'Alibaba'), row(4, 'ChatGPT-4o-latest', 1279, 'OpenAI')];
const OPENAI = new Set(['GPT-4o', 'ChatGPT-4o-latest']);

let env: Record<string, string>;
let cleanup: () => Promise<void>;
let scratch: string;

async function events(args: string[]): Promise<StoredEvent[]> {
  const { code, stdout, stderr } = await rankwatch(['events', '--json', ...args], env);
  expect(code, stderr).toBe(0);
  return JSON.parse(stdout) as StoredEvent[];
}

const verdictOf = (event: StoredEvent) => (event.data && 'significant' in event.data ? event.data.significant : undefined);

beforeAll(async () => {
  ({ env, cleanup } = await createCliEnvironment());
  scratch = await mkdtemp(join(tmpdir(), 'rankwatch-cli-events-'));
  const files: string[] = [];
  for (const [day, rows] of [['2024-06-01', FIRST], ['2024-06-02', SECOND], ['2024-06-03', SECOND]] as const) {
    const file = join(scratch, `${day}.csv`);
    await writeFile(file, `${HEADER}\n${rows.join('\n')}\n`);
    files.push(file);
  }
  const imported = await rankwatch(['import', 'lmarena-text', ...files], env);
  expect(imported.code, imported.stderr).toBe(0);
}, 120_000);
afterAll(async () => {
  await cleanup();
  await rm(scratch, { recursive: true, force: true });
});

describe('rankwatch events --organization --significant', () => {
  let all: StoredEvent[];
  beforeAll(async () => {
    all = await events([]);
  });

  it('--organization: the events of that organization’s models, by id or name', async () => {
    const openai = await events(['--organization', 'openai']);
    expect(openai.length).toBeGreaterThan(0);
    expect(openai).toEqual(all.filter((event) => event.name !== null && OPENAI.has(event.name)));
    expect(await events(['--organization', 'OpenAI'])).toEqual(openai);
  });

  it('--significant: leaves out moves within the intervals, keeps the others', async () => {
    expect(all.some((event) => verdictOf(event) === false)).toBe(true);
    const significant = await events(['--significant']);
    expect(significant).toEqual(all.filter((event) => verdictOf(event) === undefined || verdictOf(event) === true));
    expect(await events(['--significant', '--organization', 'alibaba'])).toEqual(significant.filter((event) => event.name !== null && event.name.startsWith('Qwen')));
  });

  it('an organization nobody knows fails, naming it', async () => {
    const { code, stderr } = await rankwatch(['events', '--organization', 'nope-labs'], env);
    expect(code).toBe(1);
    expect(stderr).toMatch(/unknown organization: nope-labs/);
  });

  it.skipIf(TEST_DB === 'postgres')('reads the same through the running service when it holds the embedded database', async () => {
    const local = [await events(['--organization', 'openai']), await events(['--significant', '--organization', 'alibaba'])];
    const service = await startServe({ ...env, RANKWATCH_SCHEDULER: 'false', RANKWATCH_DISPATCHER: 'false' });
    try {
      expect([await events(['--organization', 'openai']), await events(['--significant', '--organization', 'alibaba'])]).toEqual(local);
      const unknown = await rankwatch(['events', '--organization', 'nope-labs'], env);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/unknown organization: nope-labs/);
    } finally {
      service.child.kill('SIGTERM');
      await service.exited;
    }
  }, 60_000);
});
