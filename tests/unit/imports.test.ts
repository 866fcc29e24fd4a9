import { fileURLToPath } from 'node:url';
import { parseCircular, parseDependencyTree, type DependencyTree } from 'dpdm';
import { beforeAll, describe, expect, it } from 'vitest';

// The module graph as dpdm reads it (type-only imports included, as `npx dpdm` does): no cycles
// anywhere, and storage (src/ingest) never reaches into the notifiers (src/notify): the outbox
// hooks into the store from src/context.ts.

const root = fileURLToPath(new URL('../..', import.meta.url));
let tree: DependencyTree;

beforeAll(async () => {
  tree = await parseDependencyTree(['src/**/*.ts', 'scrapers/**/*.ts', 'tests/**/*.ts'], {
    cwd: root,
    context: root,
    tsconfig: `${root}tsconfig.json`,
    transform: false,
    skipDynamicImports: false,
  });
});

describe('imports', () => {
  it('reads the whole project', () => {
    const files = Object.keys(tree);
    for (const dir of ['src/ingest/', 'src/notify/', 'scrapers/', 'tests/unit/']) expect(files.some((file) => file.startsWith(dir))).toBe(true);
  });

  it('have no cycles', () => {
    expect(parseCircular(tree).map((cycle) => cycle.join(' -> '))).toEqual([]);
  });

  it('from src/ingest never name src/notify', () => {
    const crossing = Object.entries(tree)
      .filter(([file]) => file.startsWith('src/ingest/'))
      .flatMap(([file, dependencies]) => (dependencies ?? []).filter((dependency) => dependency.id?.startsWith('src/notify/')).map((dependency) => `${file} -> ${dependency.id}`));
    expect(crossing).toEqual([]);
  });
});
