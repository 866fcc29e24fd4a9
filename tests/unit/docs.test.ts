import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { generatedFiles, loadSourceModules, renderIdentityTables, runDocs } from '../../src/docs.ts';
import { ALIASES_YAML, ORGANIZATIONS_YAML } from '../../src/identity/tables.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SOURCE_FILES = readdirSync(join(ROOT, 'scrapers')).filter((file) => file.endsWith('.ts') && file !== 'index.ts' && file !== 'scraper.ts');
const realModule = (file: string) => pathToFileURL(join(ROOT, 'scrapers', file)).href;

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A copy of the repository's generated files whose scrapers/ re-exports the real source modules. */
function scratchRepo(): string {
  const root = mkdtempSync(join(tmpdir(), 'sources-docs-'));
  roots.push(root);
  cpSync(join(ROOT, 'README.md'), join(root, 'README.md'));
  cpSync(join(ROOT, 'scrapers/index.ts'), join(root, 'scrapers/index.ts'), { recursive: true });
  for (const file of SOURCE_FILES) writeFileSync(join(root, 'scrapers', file), `export * from '${realModule(file)}';\n`);
  for (const file of ['organizations.yaml', 'aliases.yaml', 'tables.ts']) cpSync(join(ROOT, 'src/identity', file), join(root, 'src/identity', file), { recursive: true });
  return root;
}

const UP_TO_DATE = 'scrapers/index.ts, src/identity/tables.ts and README.md are up to date';

async function docs(argv: string[], root: string): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await runDocs(argv, root, (line) => lines.push(line));
  return { code, lines };
}

describe('npm run docs', () => {
  it.each(['scrapers/index.ts', 'src/identity/tables.ts', 'README.md'])('%s is what the sources generate (run npm run docs after editing a scraper or an identity table)', async (path) => {
    const file = (await generatedFiles()).find((candidate) => candidate.path === path);
    expect(file, path).toBeDefined();
    expect(file!.actual).toBe(file!.expected);
  });

  it('--check names a stale README and exits 1; a run rewrites it and --check then passes', async () => {
    const root = scratchRepo();
    expect(await docs(['--check'], root)).toEqual({ code: 0, lines: [UP_TO_DATE] });
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const edited = readme.replace('| `aider-polyglot` | `AIDER_POLYGLOT` |', '| `aider-polyglot` | `AIDER` |');
    expect(edited).not.toBe(readme);
    writeFileSync(join(root, 'README.md'), edited);
    expect(await docs(['--check'], root)).toEqual({ code: 1, lines: ['README.md is stale: run npm run docs'] });
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toBe(edited);
    expect(await docs([], root)).toEqual({ code: 0, lines: ['wrote README.md'] });
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toBe(readme);
  });

  it('the identity tables module carries the YAML files verbatim, and goes stale when one is edited', async () => {
    expect(ORGANIZATIONS_YAML).toBe(readFileSync(join(ROOT, 'src/identity/organizations.yaml'), 'utf8'));
    expect(ALIASES_YAML).toBe(readFileSync(join(ROOT, 'src/identity/aliases.yaml'), 'utf8'));
    const root = scratchRepo();
    const aliases = readFileSync(join(root, 'src/identity/aliases.yaml'), 'utf8');
    writeFileSync(join(root, 'src/identity/aliases.yaml'), `${aliases}\n# a note\n`);
    expect(await docs(['--check'], root)).toEqual({ code: 1, lines: ['src/identity/tables.ts is stale: run npm run docs'] });
    expect(await docs([], root)).toEqual({ code: 0, lines: ['wrote src/identity/tables.ts'] });
    expect(readFileSync(join(root, 'src/identity/tables.ts'), 'utf8')).toContain('# a note\n`;');
    rmSync(join(root, 'src/identity/tables.ts'));
    expect(await docs(['--check'], root)).toEqual({ code: 1, lines: ['src/identity/tables.ts is stale: run npm run docs'] });
  });

  it('the identity tables module reads back any text exactly: backslashes, backticks and ${ escaped', async () => {
    const root = scratchRepo();
    const tricky = 'a: "C:\\\\path \\n"\nb: `code` ${not.a.placeholder} $x \\`\n';
    const aliases = '- model: x\n  aliases: ["\\u00e9"]\n';
    const file = join(root, 'tables-copy.ts');
    writeFileSync(file, renderIdentityTables(tricky, aliases));
    const loaded = (await import(pathToFileURL(file).href)) as { ORGANIZATIONS_YAML: string; ALIASES_YAML: string };
    expect(loaded).toMatchObject({ ORGANIZATIONS_YAML: tricky, ALIASES_YAML: aliases });
  });

  it('a new source is one module: the registry imports it and the README documents its boards', async () => {
    const root = scratchRepo();
    writeFileSync(
      join(root, 'scrapers/zeta.ts'),
      `import { aider } from '${realModule('aider.ts')}';
export const zeta = {
  ...aider,
  id: 'zeta',
  name: 'Zeta Bench',
  boards: [{ ...aider.boards[0], id: 'zeta-main', health: { minEntries: 3 }, settle: { hours: 12 } }],
};
`,
    );
    expect(await docs(['--check'], root)).toEqual({ code: 1, lines: ['scrapers/index.ts is stale: run npm run docs', 'README.md is stale: run npm run docs'] });
    expect((await docs([], root)).code).toBe(0);
    const index = readFileSync(join(root, 'scrapers/index.ts'), 'utf8');
    expect(index).toContain("import { zeta } from './zeta.ts';");
    expect(index).toMatch(/voicebench,\n {2}zeta,\n\];/);
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).toContain('| [Zeta Bench](#zeta-bench-zeta) | `zeta-main` |');
    expect(readme).toContain('#### Zeta Bench (`zeta`)');
    expect(readme).toContain('| `zeta-main` | `ZETA_MAIN` | <https://raw.githubusercontent.com/Aider-AI/aider/main/aider/website/_data/polyglot_leaderboard.yml> | `12h` |');
    expect(readme).toMatch(/\| `zeta-main` \| [^\n]+ \| 20 6 \* \* \* \| 3 \| 40% \| 50% \| no \|/);
    expect(await docs(['--check'], root)).toEqual({ code: 0, lines: [UP_TO_DATE] });
  });

  it('refuses a board id two modules define, naming both files', async () => {
    const root = scratchRepo();
    writeFileSync(join(root, 'scrapers/copy.ts'), `import { aider } from '${realModule('aider.ts')}';\nexport const copy = { ...aider, id: 'copy' };\n`);
    await expect(loadSourceModules(root)).rejects.toThrow('board aider-polyglot is defined twice: scrapers/aider.ts and scrapers/copy.ts');
  });

  it('a README without the generated blocks is an error, not a silent pass', async () => {
    const root = scratchRepo();
    writeFileSync(join(root, 'README.md'), '# rankwatch\n\nno tables here\n');
    await expect(docs(['--check'], root)).rejects.toThrow('README.md: no "<!-- generated by npm run docs: sources -->" … "<!-- end -->" block');
  });
});
