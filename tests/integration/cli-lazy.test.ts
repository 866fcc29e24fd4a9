// Each command's implementation is imported when that command runs: `events` does not load the
// HTTP API, the dashboard, the feeds or another command's implementation, and `--help` loads none.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, rankwatch } from '../support/cli.ts';
import { createCliEnvironment } from '../support/db.ts';

const TRACE = fileURLToPath(new URL('../support/module-trace.mjs', import.meta.url));

let env: Record<string, string>;
let cleanup: () => Promise<void>;
let scratch: string;

/**
 * Runs `rankwatch ARGS` and returns its exit code, the repository modules it loaded (paths from the
 * repository root) and the packages it loaded modules of.
 */
async function loadedBy(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; modules: string[]; packages: string[] }> {
  const trace = join(scratch, `${args.join('_').replace(/\W/g, '')}.txt`);
  // Through NODE_OPTIONS: the preload reaches the launcher and the command it runs alike.
  const preload = [process.env.NODE_OPTIONS, `--import ${TRACE}`].filter(Boolean).join(' ');
  const { code, stdout, stderr } = await rankwatch(args, { ...env, NODE_OPTIONS: preload, RANKWATCH_TEST_MODULE_TRACE: trace });
  const root = new URL(`file://${REPO_ROOT}`).href.replace(/\/?$/, '/');
  const urls = (await readFile(trace, 'utf8')).split('\n').filter((url) => url.startsWith(root));
  const modules = urls.filter((url) => !url.includes('/node_modules/')).map((url) => url.slice(root.length));
  const packages = new Set(urls.map((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1]).filter((name) => name !== undefined));
  return { code, stdout, stderr, modules, packages: [...packages].sort() };
}

const HEAVY = [/^src\/server\.ts$/, /^src\/api\/app\.ts$/, /^src\/api\/routes\//, /^src\/dashboard\//, /^src\/feed\//, /^src\/schedule\//];

beforeAll(async () => {
  ({ env, cleanup } = await createCliEnvironment());
  scratch = await mkdtemp(join(tmpdir(), 'rankwatch-cli-lazy-'));
}, 60_000);
afterAll(async () => {
  await cleanup();
  await rm(scratch, { recursive: true, force: true });
});

describe('commands load their implementation lazily', () => {
  it('`events` loads its own implementation and not the HTTP API, dashboard, feeds or the others', async () => {
    const { code, stderr, modules } = await loadedBy(['events', '--limit', '5']);
    expect(code, stderr).toBe(0);
    expect(modules).toContain('src/cli/run/events.ts');
    expect(modules.filter((path) => path.startsWith('src/cli/run/'))).toEqual(['src/cli/run/events.ts']);
    expect(modules.filter((path) => HEAVY.some((pattern) => pattern.test(path)))).toEqual([]);
  }, 60_000);

  it('`events` loads no HTML5 parser or HTTP client: cheerio is its slim build (htmlparser2)', async () => {
    const { code, stderr, packages } = await loadedBy(['events', '--limit', '5']);
    expect(code, stderr).toBe(0);
    expect(packages).toContain('@electric-sql/pglite');
    expect(packages.filter((name) => ['parse5', 'undici', 'encoding-sniffer', 'iconv-lite'].includes(name))).toEqual([]);
  }, 60_000);

  it('`--help` of a command loads no implementation, yet lists every option', async () => {
    const { code, stdout, stderr, modules } = await loadedBy(['subscribe', '--help']);
    expect(code, stderr).toBe(0);
    for (const option of ['--channel <channel>', '--url <url>', '--mode <mode>', '--min-price-percent <p>', '--filters <json>']) expect(stdout).toContain(option);
    expect(modules.filter((path) => path.startsWith('src/cli/run/') || HEAVY.some((pattern) => pattern.test(path)))).toEqual([]);
    expect(modules).toContain('src/cli/commands/subscribe.ts');
  }, 60_000);
});
