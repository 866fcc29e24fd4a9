import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, childEnv, HAVE_SHARED, rankwatch, REPO_ROOT, SHARED } from '../support/cli.ts';
import { createCliEnvironment } from '../support/db.ts';

// `rankwatch import` with files that cannot be imported: plain messages, the batch goes on
// (failures listed on stderr, exit 1) unless --fail-fast asks to stop at the first one.

const CSV = (beta: number) => `rank,model,arena_score,95_pct_ci,votes,organization,license,knowledge_cutoff,url
1,Alpha,1300,+3/-4,1000,OrgA,Proprietary,2024/1,https://a
2,Beta,${beta},+5/-5,900,OrgB,Proprietary,2024/1,https://b
`;

let env: Record<string, string>;
let cleanup: () => Promise<void>;
let scratch: string;

beforeEach(async () => {
  ({ env, cleanup } = await createCliEnvironment());
  scratch = await mkdtemp(join(tmpdir(), 'rankwatch-import-'));
});
afterEach(async () => {
  await cleanup();
  await rm(scratch, { recursive: true, force: true });
});

/** Good captures on 06-01 and 06-05; a missing file (06-02), a directory (06-03) and an error page (06-04) between them. */
async function batch(): Promise<{ good1: string; missing: string; directory: string; malformed: string; good2: string }> {
  const files = {
    good1: join(scratch, '2024-06-01.csv'),
    missing: join(scratch, 'gone', '2024-06-02.csv'),
    directory: join(scratch, '2024-06-03.csv'),
    malformed: join(scratch, '2024-06-04.csv'),
    good2: join(scratch, '2024-06-05.csv'),
  };
  await writeFile(files.good1, CSV(1290));
  await mkdir(files.directory);
  await writeFile(files.malformed, '<html><body>502 Bad Gateway</body></html>');
  await writeFile(files.good2, CSV(1310));
  return files;
}

async function snapshots(): Promise<number> {
  const boards = await rankwatch(['boards', '--json'], env);
  expect(boards.code, boards.stderr).toBe(0);
  return (JSON.parse(boards.stdout) as { id: string; snapshots: number }[]).find((board) => board.id === 'lmarena-text')!.snapshots;
}

describe('rankwatch import: files that cannot be imported', () => {
  it('a missing file says "no such file: PATH", without ENOENT or a stack trace, whether or not its name has a date', async () => {
    const dated = join(scratch, '2024-06-19.csv');
    const undated = join(scratch, 'leaderbord.csv');
    const { code, stdout, stderr } = await rankwatch(['import', 'lmarena-text', dated, undated], env);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(`no such file: ${dated}`);
    expect(stderr).toContain(`no such file: ${undated}`);
    expect(stderr).not.toMatch(/ENOENT|errno|cannot tell when|\n\s+at /);
  });

  it('one bad file does not abort the batch: the others are imported, each failure listed, exit 1', async () => {
    const files = await batch();
    const { code, stdout, stderr } = await rankwatch(['import', 'lmarena-text', ...Object.values(files)], env);
    expect(code).toBe(1);
    expect(stdout).toMatch(/2024-06-01 .*2024-06-01\.csv {2}first snapshot, 2 models/);
    expect(stdout).toMatch(/2024-06-05 .*2024-06-05\.csv {2}changed, 2 models/);
    expect(stderr).toMatch(/imported 2 of 5 files into lmarena-text/);
    expect(stderr).toContain('3 files failed:');
    expect(stderr).toContain(`  no such file: ${files.missing}\n`);
    expect(stderr).toContain(`  cannot read ${files.directory}: it is a directory\n`);
    expect(stderr).toMatch(new RegExp(`  ${files.malformed.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: expected .*, found`));
    expect(stderr).not.toMatch(/ENOENT|EISDIR|\n\s+at /);
    expect(await snapshots()).toBe(2);
  });

  it('--json lists the failures beside the imported files', async () => {
    const files = await batch();
    const { code, stdout } = await rankwatch(['import', 'lmarena-text', '--json', ...Object.values(files)], env);
    expect(code).toBe(1);
    const results = JSON.parse(stdout) as { file: string; status: string; error?: string }[];
    expect(results.map((result) => [result.file, result.status])).toEqual([
      [files.missing, 'failed'],
      [files.good1, 'first'],
      [files.directory, 'failed'],
      [files.malformed, 'failed'],
      [files.good2, 'changed'],
    ]);
    expect(results[0]?.error).toBe(`no such file: ${files.missing}`);
  });

  it('--fail-fast stops at the first file that fails; the ones after it are not imported', async () => {
    const files = await batch();
    const { code, stdout, stderr } = await rankwatch(['import', 'lmarena-text', '--fail-fast', files.good1, files.malformed, files.good2], env);
    expect(code).toBe(1);
    expect(stdout).toMatch(/2024-06-01 .* first snapshot/);
    expect(stdout).not.toMatch(/2024-06-05/);
    expect(stderr).toMatch(/2024-06-04 .* failed: expected/);
    expect(stderr).toMatch(/imported 1 of 3 files/);
    expect(stderr).toContain('stopped at the first failure (--fail-fast): 1 file not imported');
    expect(await snapshots()).toBe(1);
  });

  it('--fail-fast with a missing file imports nothing', async () => {
    const files = await batch();
    const { code, stdout, stderr } = await rankwatch(['import', 'lmarena-text', '--fail-fast', files.good1, files.missing, files.good2], env);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(`no such file: ${files.missing}`);
    expect(stderr).toContain('stopped at the first failure (--fail-fast): 2 files not imported');
    expect(await snapshots()).toBe(0);
  });

  it('a missing --attach file stops the import before anything is written', async () => {
    const files = await batch();
    const attachment = join(scratch, 'categories.json');
    const { code, stderr } = await rankwatch(['import', 'lmarena-text', '--attach', `categories=${attachment}`, files.good1], env);
    expect(code).toBe(1);
    expect(stderr).toContain(`no such file: ${attachment}`);
    expect(await snapshots()).toBe(0);
  });

  it('parse says "no such file" too', async () => {
    const missing = join(scratch, 'nope.csv');
    const { code, stderr } = await rankwatch(['parse', 'lmarena-text', missing], env);
    expect(code).toBe(1);
    expect(stderr).toBe(`rankwatch: no such file: ${missing}\n`);
  });
});

describe.skipIf(!HAVE_SHARED)('Ctrl-C during a long import', () => {
  it('stops between files; running the import again finds what was stored and stores the rest', async () => {
    const folder = join(SHARED, 'lmarena/fboulnois-llm-leaderboard-csv/lmsys');
    const files = readdirSync(folder)
      .filter((name) => name.endsWith('.csv'))
      .map((name) => join(folder, name));
    expect(files).toHaveLength(86);
    const child = spawn(process.execPath, [BIN, 'import', 'lmarena-text', ...files], { cwd: REPO_ROOT, env: childEnv(env) });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    // The first files are stored (and reported): interrupt the rest.
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
        if (stdout.includes('\n')) resolve();
      }),
    );
    child.kill('SIGINT');
    expect(await closed).toBe(1);
    const stored = stdout.trim().split('\n');
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.length).toBeLessThan(86);
    expect(stderr).toMatch(new RegExp(`SIGINT: stopped: ${86 - stored.length} files not imported`));
    const again = await rankwatch(['import', 'lmarena-text', ...files], env);
    expect(again.code, again.stderr).toBe(0);
    const lines = again.stdout.trim().split('\n');
    expect(lines).toHaveLength(86);
    // Exactly the files reported before are there already; the others are stored now.
    expect(lines.filter((line) => line.endsWith('already imported'))).toHaveLength(stored.length);
    expect(lines.slice(0, stored.length).every((line) => line.endsWith('already imported'))).toBe(true);
  }, 180_000);
});
