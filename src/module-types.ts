// A shortcut past a slow path of Node 22.21+ and 24's module loader: for every module it loads
// it looks up the package scope's package.json and deserializes it again (nodejs/node#60397).
// drizzle-orm's package.json is 179 KB (an export for every file) and drizzle loads a few
// hundred files: `import('drizzle-orm/pg-core')` took 0.9-1 s on Node 24.21 (60 ms on Node 20),
// a third of every CLI command's time. The hook answers a relative import inside node_modules of a
// `.js`/`.mjs` file itself, reading each package scope's `type` once; everything else is Node's.
import { readFileSync } from 'node:fs';
import module from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

type Format = 'module' | 'commonjs';

/** The module type of each directory's package scope, read once. */
const scopes = new Map<string, Format | null>();

/** The `type` of the nearest package.json above `dir` (null: one that cannot be read, left to Node). */
function scopeType(dir: string): Format | null {
  const known = scopes.get(dir);
  if (known !== undefined) return known;
  let type: Format | null;
  let text: string | null = null;
  try {
    text = readFileSync(join(dir, 'package.json'), 'utf8');
  } catch {
    // No package.json here: the scope is the parent's.
  }
  if (text === null) {
    const parent = dirname(dir);
    type = parent === dir ? 'commonjs' : scopeType(parent);
  } else {
    try {
      type = (JSON.parse(text) as { type?: unknown }).type === 'module' ? 'module' : 'commonjs';
    } catch {
      type = null;
    }
  }
  scopes.set(dir, type);
  return type;
}

/** Registers the hook (Node >= 22.15); before the first import it should speed up. */
export function registerModuleTypes(): void {
  module.registerHooks({
    resolve(specifier, context, nextResolve) {
      const parent = context.parentURL;
      if (parent?.startsWith('file:') && parent.includes('/node_modules/') && (specifier.startsWith('./') || specifier.startsWith('../'))) {
        const url = new URL(specifier, parent);
        if (!url.search && !url.hash) {
          if (url.pathname.endsWith('.mjs')) return { url: url.href, format: 'module', shortCircuit: true };
          if (url.pathname.endsWith('.js')) {
            const format = scopeType(dirname(fileURLToPath(url)));
            if (format) return { url: url.href, format, shortCircuit: true };
          }
        }
      }
      return nextResolve(specifier, context);
    },
  });
}
