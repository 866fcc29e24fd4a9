import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCliEnvironment } from '../support/db.ts';
import { HAVE_SHARED, rankwatch, REPO_ROOT, SHARED } from '../support/cli.ts';
import { spawnSync } from 'node:child_process';

const LMSYS = join(SHARED, 'lmarena/fboulnois-llm-leaderboard-csv/lmsys');
const lmsysFiles = HAVE_SHARED ? readdirSync(LMSYS).filter((name) => name.endsWith('.csv')).sort().map((name) => join(LMSYS, name)) : [];

let env: Record<string, string>;
let cleanup: () => Promise<void>;
let scratch: string;

beforeAll(async () => {
  ({ env, cleanup } = await createCliEnvironment());
  scratch = await mkdtemp(join(tmpdir(), 'rankwatch-cli-files-'));
});
afterAll(async () => {
  await cleanup();
  await rm(scratch, { recursive: true, force: true });
});

const CSV = `rank,model,arena_score,95_pct_ci,votes,organization,license,knowledge_cutoff,url
1,Alpha,1300,+3/-4,1000,OrgA,Proprietary,2024/1,https://a
2,Beta,1290,+5/-5,900,OrgB,Proprietary,2024/1,https://b
`;

describe('rankwatch CLI', () => {
  it('--help lists every command and exits 0', async () => {
    const { code, stdout } = await rankwatch(['--help'], env);
    expect(code).toBe(0);
    for (const command of ['migrate', 'serve', 'boards', 'scrape', 'parse', 'import', 'events', 'history', 'models', 'aggregates', 'changes', 'quarantine']) expect(stdout).toContain(command);
  });

  it.each(['migrate', 'serve', 'boards', 'scrape', 'parse', 'import', 'events', 'history', 'models', 'aggregates', 'changes', 'quarantine'])('%s --help explains the command', async (command) => {
    const { code, stdout } = await rankwatch([command, '--help'], env);
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`Usage: rankwatch ${command}`));
  });

  it('runs under the system Node 20 too, by re-running itself on the Node 24 that npm ci installs', async () => {
    const node20 = ['/usr/bin/node', '/usr/local/bin/node'].find((path) => existsSync(path) && spawnSync(path, ['--version']).stdout.toString().startsWith('v20'));
    if (!node20) return expect.soft(node20, 'no Node 20 on this machine: launcher path not exercised').toBeUndefined();
    const { code, stdout } = await rankwatch(['--version'], env, { node: node20 });
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('works as `npx rankwatch` from the repository root', () => {
    const result = spawnSync('npx', ['--no-install', 'rankwatch', 'boards', '--json'], { cwd: REPO_ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).map((board: { id: string }) => board.id)).toContain('lmarena-text');
  });

  it('parse prints {"board", "entries"} JSON', async () => {
    const file = join(scratch, '2024-06-01.csv');
    await writeFile(file, CSV);
    const { code, stdout } = await rankwatch(['parse', 'lmarena-text', file], env);
    expect(code).toBe(0);
    const parsed = JSON.parse(stdout);
    expect(parsed.board).toBe('lmarena-text');
    expect(parsed.entries[0]).toEqual({
      rank: 1,
      model: 'Alpha',
      name: 'Alpha',
      organization: 'OrgA',
      score: 1300,
      scoreLower: 1296,
      scoreUpper: 1303,
      votes: 1000,
      priceInput: null,
      priceOutput: null,
    });
  });

  it.each([
    [['parse', 'nope', 'x.csv'], 1, /unknown board: nope; known boards: .*lmarena-text/],
    [['parse', 'lmarena-text', '/no/such/file.csv'], 1, /no such file/i],
    // An existing file without a date in its name (a missing one is "no such file", exit 1: cli-import.test.ts).
    [['import', 'lmarena-text', 'tests/fixtures/lmarena/lmsys-elo.csv'], 2, /cannot tell when tests\/fixtures\/lmarena\/lmsys-elo.csv was captured/],
    [['events', '--since', 'last week'], 2, /--since: expected an ISO 8601/],
    [['events', '--kind', 'nope'], 2, /unknown event kind "nope"/],
    [['events', '--limit', '0'], 2, /--limit/],
    [['history'], 2, /missing required argument 'model'/],
    [['frobnicate'], 2, /unknown command 'frobnicate'/],
  ])('%j fails with exit %i and a clear message on stderr', async (args, exitCode, message) => {
    const { code, stdout, stderr } = await rankwatch(args, env);
    expect(stderr).toMatch(message);
    expect(code).toBe(exitCode);
    expect(stdout).toBe('');
  });

  it('a malformed file is reported and nothing else is lost', async () => {
    const good = join(scratch, '2024-06-02.csv');
    const bad = join(scratch, '2024-06-03.csv');
    await writeFile(good, CSV.replace('Beta,1290', 'Beta,1295'));
    await writeFile(bad, '<html><body>502 Bad Gateway</body></html>');
    const { code, stdout, stderr } = await rankwatch(['import', 'lmarena-text', bad, good], env);
    expect(code).toBe(1);
    expect(stdout).toMatch(/2024-06-02 .* first snapshot, 2 models/);
    expect(stderr).toMatch(/2024-06-03 .* failed: expected/);
    const boards = JSON.parse((await rankwatch(['boards', '--json'], env)).stdout);
    expect(boards.find((board: { id: string }) => board.id === 'lmarena-text')).toMatchObject({ entries: 2, snapshots: 1 });
  });
});

describe('rankwatch import', () => {
  let own: Record<string, string>;
  let ownCleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ env: own, cleanup: ownCleanup } = await createCliEnvironment());
  });
  afterAll(async () => ownCleanup());

  it('takes --at for one file, inserts an older capture in time order and says so', async () => {
    const later = join(scratch, 'board-later.csv');
    const earlier = join(scratch, 'board-earlier.csv');
    await writeFile(later, CSV.replace('Beta,1290', 'Beta,1310').replace('2,Beta', '1,Beta').replace('1,Alpha', '2,Alpha'));
    await writeFile(earlier, CSV);
    const first = await rankwatch(['import', 'lmarena-text', '--at', '2024-07-01T12:00:00Z', later], own);
    expect(first.stdout).toMatch(/^2024-07-01 12:00Z  .*board-later.csv  first snapshot, 2 models$/m);
    const second = await rankwatch(['import', 'lmarena-text', '--at', '2024-06-01', earlier], own);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/first snapshot, 2 models, inserted before the capture of 2024-07-01T12:00:00.000Z$/m);
    // The later capture's changes are derived again against the earlier one, and settle with the next capture.
    const leaders = JSON.parse((await rankwatch(['events', '--kind', 'new_leader', '--status', 'pending', '--json'], own)).stdout);
    expect(leaders.map((event: { name: string; capturedAt: string }) => `${event.capturedAt} ${event.name}`)).toEqual(['2024-07-01T12:00:00.000Z Beta']);
    expect(JSON.parse((await rankwatch(['events', '--kind', 'new_leader', '--json'], own)).stdout)).toEqual([]);
    const twoFiles = await rankwatch(['import', 'lmarena-text', '--at', '2024-06-01', earlier, later], own);
    expect(twoFiles.code).toBe(2);
    expect(twoFiles.stderr).toMatch(/--at: applies to one file/);
  });
});

describe.skipIf(!HAVE_SHARED)('importing the real LMArena history (../shared/leaderboards)', () => {
  let history: Record<string, string>;
  let historyCleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ env: history, cleanup: historyCleanup } = await createCliEnvironment());
  });
  afterAll(async () => historyCleanup());

  it('ingests all 86 snapshots and lists every change of #1', async () => {
    expect(lmsysFiles).toHaveLength(86);
    const first = await rankwatch(['import', 'lmarena-text', ...lmsysFiles], history);
    expect(first.code, first.stderr).toBe(0);
    const lines = first.stdout.trim().split('\n');
    expect(lines).toHaveLength(86);
    expect(lines[0]).toMatch(/^2024-06-19 .*first snapshot, \d+ models/);
    expect(first.stderr).toMatch(/imported 86 of 86 files into lmarena-text/);

    const leaders = await rankwatch(['events', '--board', 'lmarena-text', '--kind', 'new_leader', '--json', '--limit', '1000'], history);
    // Display names as the CSVs print them (the board keys are canonical ids: `gemini-2.5-pro` for `Gemini-2.5-Pro`).
    const found = JSON.parse(leaders.stdout).map((event: { capturedAt: string; name: string }) => `${event.capturedAt.slice(0, 10)} ${event.name}`);
    expect(found.sort()).toEqual(expectedLeaderChanges().sort());
    expect(found).toContain('2024-09-17 ChatGPT-4o-latest (2024-09-03)');
    expect(found).toContain('2025-03-26 Gemini-2.5-Pro-Exp-03-25');
    // LMArena renamed its #1 for one file and undid it: a flip-flop, not two changes of #1.
    expect(found.filter((line: string) => line.startsWith('2025-04-0'))).toEqual([]);

    // The 2025-02-16 deprecation filter: one change set, marked as a bulk removal, its exits announced once the next file confirmed them.
    const sets = JSON.parse((await rankwatch(['changes', '--board', 'lmarena-text', '--json', '--limit', '1000'], history)).stdout) as { capturedAt: string; bulkRemoval: boolean; counts: { exited?: number }; summary: string }[];
    const bulk = sets.filter((set) => set.bulkRemoval);
    expect(bulk.map((set) => set.capturedAt.slice(0, 10))).toEqual(['2025-02-17']);
    expect(bulk[0]!.counts.exited).toBeGreaterThanOrEqual(25);
    expect(bulk[0]!.summary).toMatch(/\d+ removed at once \(bulk removal; the rest of the board stayed\)/);

    const table = await rankwatch(['events', '--board', 'lmarena-text', '--kind', 'new_leader'], history);
    expect(table.stdout).toMatch(/^CAPTURED\s+BOARD\s+KIND\s+CHANGE/);
    expect(table.stdout).toContain('takes #1 on lmarena-text');
  }, 120_000);

  it('importing the same files again adds no rows and no events', async () => {
    const before = await counts(history);
    const again = await rankwatch(['import', 'lmarena-text', ...lmsysFiles], history);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout.trim().split('\n').every((line) => line.endsWith('already imported'))).toBe(true);
    expect(await counts(history)).toEqual(before);
  });

  it('history shows a model across the imported period', async () => {
    const { code, stdout } = await rankwatch(['history', 'GPT-4o-2024-05-13', '--board', 'lmarena-text', '--json'], history);
    expect(code).toBe(0);
    const rows = JSON.parse(stdout);
    expect(rows[0]).toMatchObject({ board: 'lmarena-text', rank: 1, validFrom: '2024-06-19T00:00:00.000Z' });
    expect(rows.length).toBeGreaterThan(5);
  });
});

/** Row counts of every table, read through `rankwatch` itself (events and boards). */
async function counts(environment: Record<string, string>) {
  const events = JSON.parse((await rankwatch(['events', '--json', '--all'], environment)).stdout).length;
  const boards = JSON.parse((await rankwatch(['boards', '--json'], environment)).stdout);
  const board = boards.find((b: { id: string }) => b.id === 'lmarena-text');
  return { events, snapshots: board.snapshots, entries: board.entries, lastScrape: board.lastScrape.ranAt };
}

/**
 * Every change of #1 in the 86 files, read independently of rankwatch: the models with rank 1
 * in each file, and the dates on which a model joins that set, as the default settling window
 * (two scrapes) announces them: a change is announced when the next file does not go back to the
 * leaders before it; when it does (the 2025-04-05 rename of Gemini 2.5 Pro, undone the next day),
 * the change and the move back are both dropped. The last file's change is still settling.
 */
function expectedLeaderChanges(): string[] {
  const sets: { day: string; leaders: Set<string> }[] = [];
  for (const file of lmsysFiles) {
    const text = spawnSync('cat', [file], { encoding: 'utf8' }).stdout;
    const [header, ...rows] = text.trim().split('\n');
    const columns = header!.split(',');
    const leaders = new Set(
      rows
        .map((row) => row.match(/("[^"]*"|[^,]*)(,|$)/g)!.map((cell) => cell.replace(/,$/, '').replace(/^"|"$/g, '')))
        .filter((cells) => cells[columns.indexOf('rank')] === '1')
        .map((cells) => cells[columns.indexOf('model')]!),
    );
    sets.push({ day: file.slice(-14, -4), leaders });
  }
  const same = (a: Set<string>, b: Set<string>) => a.size === b.size && [...a].every((model) => b.has(model));
  const announced: string[] = [];
  let held: { changes: string[]; before: Set<string> } | null = null;
  for (let i = 1; i < sets.length; i++) {
    const { day, leaders } = sets[i]!;
    const before = sets[i - 1]!.leaders;
    if (held && same(leaders, held.before)) {
      held = null;
      continue;
    }
    if (held) announced.push(...held.changes);
    const newcomers = [...leaders].sort().filter((model) => !before.has(model));
    held = newcomers.length ? { changes: newcomers.map((model) => `${day} ${model}`), before } : null;
  }
  return announced;
}
