import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCliEnvironment } from '../support/db.ts';
import { HAVE_SHARED, rankwatch, SHARED } from '../support/cli.ts';

const FIXTURES = new URL('../fixtures/', import.meta.url);
const fixture = (path: string) => new URL(path, FIXTURES).pathname;

let env: Record<string, string>;
let cleanup: () => Promise<void>;
let scratch: string;

beforeAll(async () => {
  ({ env, cleanup } = await createCliEnvironment());
  scratch = await mkdtemp(join(tmpdir(), 'rankwatch-cli-sources-'));
});
afterAll(async () => {
  await cleanup();
  await rm(scratch, { recursive: true, force: true });
});

// One real capture per source through `npx rankwatch parse`; the per-file conformance tests
// (tests/unit/*-captures.test.ts) check every capture's counts, leaders and ranks.
describe.skipIf(!HAVE_SHARED)('rankwatch parse on a real capture of every source', () => {
  it.each([
    ['lmarena-text', 'lmarena/gradio-page/2025-03-28_lmarena.ai_page_source.html', [], 183],
    ['artificialanalysis-intelligence', 'artificialanalysis/api-v2-data-llms-models/2026-07-23.json', [], 579],
    ['openrouter-prices', 'openrouter/api-v1-models/2026-01-24T15-16-18Z.json', [], 346],
    ['superclue', 'superclue/readme/2023-12-28_README.md', [], 26],
    ['helm-safety', 'helm/safety-dev-v4_2024-07-19/groups/safety_scenarios.json', [], 9],
    ['voicebench', 'voicebench/readme/2025-06-12T03-14-33Z_README.md', [], 33],
    ['aider-polyglot', 'aider/polyglot_leaderboard/2025-10-04T09-14-08Z.yml', [], 69],
    ['swebench-verified', 'swebench/leaderboards-json/2025-11-18T21-53-17Z.json', [], 150],
    ['livebench', 'livebench/releases-at-head/table_2026_01_08.csv', ['--attach', `categories=${join(SHARED, 'livebench/releases-at-head/categories_2026_01_08.json')}`], 127],
    ['open-llm-leaderboard', 'openllm/fboulnois-huggingface_v2/2024-08-14.csv', [], 707],
  ])('%s: %s', async (board, file, extra, count) => {
    const { code, stdout, stderr } = await rankwatch(['parse', board, join(SHARED, file), ...extra], env);
    expect(code, stderr).toBe(0);
    const parsed = JSON.parse(stdout) as { board: string; entries: { rank: number | null }[] };
    expect(parsed.board).toBe(board);
    expect(parsed.entries).toHaveLength(count);
  });
});

describe('broken captures through the CLI: rejected or quarantined, never diffed', () => {
  it('LiveBench without its categories says how to give them', async () => {
    const { code, stderr } = await rankwatch(['parse', 'livebench', fixture('livebench/table_2026_01_08.csv')], env);
    expect(code).toBe(1);
    expect(stderr).toMatch(/categories.*--attach categories=/);
  });

  it('an HTML error page instead of JSON is refused with what was found; a halved board is quarantined with its reason', async () => {
    const rows = (n: number) =>
      JSON.stringify({ full: Object.fromEntries(Array.from({ length: n }, (_, i) => [`model-${i}`, { rating: 1400 - 20 * i, rating_q025: 1395 - 20 * i, rating_q975: 1405 - 20 * i }])) });
    await writeFile(join(scratch, '2025-01-01.json'), rows(40));
    await writeFile(join(scratch, '2025-01-02.json'), '<!doctype html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>');
    await writeFile(join(scratch, '2025-01-03.json'), rows(18));
    await writeFile(join(scratch, '2025-01-04.json'), rows(41));
    await writeFile(join(scratch, '2025-01-05.json'), rows(41));
    const result = await rankwatch(['import', 'lmarena-text', ...['01', '02', '03', '04', '05'].map((day) => join(scratch, `2025-01-${day}.json`))], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/2025-01-02\.json {2}failed: expected an LMArena leaderboard.*found an HTML page titled "502 Bad Gateway"/);
    expect(result.stdout).toMatch(/2025-01-03\.json {2}quarantined, 18 models, not diffed: row count collapsed from 40 to 18 \(55% gone; at most 30% may vanish at once\)/);
    expect(result.stdout).toMatch(/2025-01-04\.json {2}changed, 41 models; 1 change settling\n/);
    // The next capture shows the new model still there: the entry is announced.
    expect(result.stdout).toMatch(/2025-01-05\.json {2}unchanged \(41 models\), 1 event announced\n/);
    expect(result.stderr).toMatch(/imported 4 of 5 files into lmarena-text \(1 quarantined: see `rankwatch quarantine --board lmarena-text`\)/);

    const listed = await rankwatch(['quarantine', '--board', 'lmarena-text', '--json'], env);
    const [held] = JSON.parse(listed.stdout) as { id: number; rowCount: number; reasons: string[] }[];
    expect(held).toMatchObject({ rowCount: 18, reasons: ['row count collapsed from 40 to 18 (55% gone; at most 30% may vanish at once)'] });
    const shown = await rankwatch(['quarantine', String(held!.id)], env);
    expect(shown.stdout).toMatch(/^quarantined capture \d+ of lmarena-text, captured 2025-01-03, 18 rows\n/);
    expect(shown.stdout).toContain('reason: row count collapsed from 40 to 18');
    const events = await rankwatch(['events', '--board', 'lmarena-text', '--json'], env);
    expect((JSON.parse(events.stdout) as { kind: string }[]).map((event) => event.kind).sort()).toEqual(['board_first_seen', 'entered', 'snapshot_quarantined']);
    expect((await rankwatch(['quarantine', '999999'], env)).stderr).toMatch(/unknown quarantined capture: 999999/);

    // Two change sets: the quarantined capture is none.
    const changes = await rankwatch(['changes', '--board', 'lmarena-text'], env);
    expect(changes.stdout).toMatch(/^ID +CAPTURED +SUMMARY\n\d+ +2025-01-04 +lmarena-text: 1 entered\n\d+ +2025-01-01 +lmarena-text: first seen with 40 models, #1 model-0\n$/);
    const id = /\n(\d+) +2025-01-04/.exec(changes.stdout)?.[1];
    const one = await rankwatch(['changes', id!], env);
    expect(one.stdout).toMatch(/^2025-01-04  lmarena-text: 1 entered\n\nCAPTURED +BOARD +KIND +CHANGE\n2025-01-04 +lmarena-text +entered +model-40 enters lmarena-text at #41/);
  }, 90_000);

  it('scrape of a board without its API key fails plainly and fetches nothing; a bare scrape skips it', async () => {
    const named = await rankwatch(['scrape', 'artificialanalysis-intelligence'], env);
    expect(named.code).toBe(1);
    expect(named.stderr).toBe('artificialanalysis-intelligence: not configured (set RANKWATCH_ARTIFICIALANALYSIS_API_KEY to an API key)\n');
    const bare = await rankwatch(['scrape', '--json'], { ...env, RANKWATCH_BOARDS: 'artificialanalysis-intelligence' });
    expect(bare.code).toBe(0);
    expect(JSON.parse(bare.stdout)).toEqual([]);
  });

  it('boards says which boards are not configured', async () => {
    const { stdout } = await rankwatch(['boards'], { ...env, RANKWATCH_BOARDS: 'all' });
    expect(stdout).toMatch(/artificialanalysis-intelligence +artificialanalysis +0 \* \* \* \* +- +not configured: set RANKWATCH_ARTIFICIALANALYSIS_API_KEY to an API key/);
    expect(stdout).toMatch(/superclue +superclue +40 6 \* \* \* +- +never/);
    // Left out of RANKWATCH_BOARDS: not scheduled.
    expect((await rankwatch(['boards'], env)).stdout).toMatch(/superclue +superclue +off /);
    const json = JSON.parse((await rankwatch(['boards', '--json'], env)).stdout) as { id: string; notConfigured: string | null }[];
    expect(json.find((board) => board.id === 'superclue')?.notConfigured).toBeNull();
  });
});

describe.skipIf(!HAVE_SHARED)('model identity through the CLI, on a real capture', () => {
  let own: { env: Record<string, string>; cleanup: () => Promise<void> };
  beforeAll(async () => {
    own = await createCliEnvironment();
    const imported = await rankwatch(['import', 'lmarena-text', join(SHARED, 'lmarena/fboulnois-llm-leaderboard-csv/lmsys/2025-01-24.csv')], own.env);
    expect(imported.code, imported.stderr).toBe(0);
  });
  afterAll(async () => own.cleanup());

  it('aggregates: the best model per country and the US–China gap as the news prints it', async () => {
    const { code, stdout } = await rankwatch(['aggregates', 'lmarena-text', '--by', 'country'], own.env);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^PLACE +COUNTRY +BEST MODEL +RANK +SCORE +MODELS\n1 +US +Gemini-2\.0-Flash-Thinking-Exp-01-21 +1 /);
    expect(stdout).toMatch(/\n2 +CN +DeepSeek-R1 +3 /);
    expect(stdout).toMatch(/US–CN gap: US leads by 1\.81% \(\d+(\.\d+)? points\), Gemini-2\.0-Flash-Thinking-Exp-01-21 vs DeepSeek-R1, outside the confidence intervals\n$/);
    const labs = JSON.parse((await rankwatch(['aggregates', 'lmarena-text', '--json'], own.env)).stdout) as { groups: { group: string }[] };
    expect(labs.groups.slice(0, 3).map((group) => group.group)).toContain('deepseek');
  });

  it('models ID: canonical id, maker and country, from a key as stored or the canonical id', async () => {
    for (const id of ['DeepSeek-R1', 'deepseek-r1']) {
      const { code, stdout } = await rankwatch(['models', id], own.env);
      expect(code).toBe(0);
      // The board key is the canonical id, whatever format the capture came in (the CSV published `DeepSeek-R1`).
      expect(stdout).toMatch(/^deepseek-r1 {2}deepseek \(CN\)\n\nBOARD +RANK +SCORE +KEY +SINCE\nlmarena-text +3 +\d+ +deepseek-r1 +2025-01-24\n$/);
    }
    expect((await rankwatch(['models', 'no-such-model'], own.env)).stderr).toMatch(/unknown model: no-such-model/);
    expect((await rankwatch(['models'], own.env)).stderr).toMatch(/give a model id, or --unmapped/);
    const unmapped = JSON.parse((await rankwatch(['models', '--unmapped', '--json'], own.env)).stdout) as { value: string }[];
    expect(Array.isArray(unmapped)).toBe(true);
  });

  it('takes the user\'s own identity tables, and says clearly when one cannot be used', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rankwatch-identity-'));
    try {
      // DeepSeek claimed by a made-up lab in another country: the user's table wins.
      const mine = join(dir, 'organizations.yaml');
      await writeFile(mine, '- id: example-lab\n  name: Example Lab\n  country: FR\n  aliases: [DeepSeek]\n');
      const moved = await rankwatch(['models', 'DeepSeek-R1'], { ...own.env, RANKWATCH_ORGANIZATIONS_FILE: mine });
      expect(moved.stdout, moved.stderr).toMatch(/^deepseek-r1 {2}example-lab \(FR\)\n/);
      const broken = join(dir, 'broken.yaml');
      await writeFile(broken, 'id: not-a-list\n');
      const refused = await rankwatch(['models', '--unmapped'], { ...own.env, RANKWATCH_ORGANIZATIONS_FILE: broken });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`${broken}: expected a list of organization entries`);
      const missing = await rankwatch(['models', '--unmapped'], { ...own.env, RANKWATCH_ALIASES_FILE: join(dir, 'none.yaml') });
      expect(missing.stderr).toContain(`RANKWATCH_ALIASES_FILE: cannot read ${join(dir, 'none.yaml')} (ENOENT)`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
