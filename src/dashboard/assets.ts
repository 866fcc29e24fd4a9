/** Reads one of the dashboard's files by its name under `/assets/`; null when it is not there. */
export type DashboardAssetReader = (name: string) => Promise<Uint8Array<ArrayBuffer> | null>;

/** Where each file the pages load comes from: a package's file, or this folder's `static/`. */
const SOURCES: Readonly<Record<string, { type: string; beside?: string }>> = {
  // Chart.js's own browser build (UMD: a global `Chart`), as published; the package exports no
  // path to it, so it is found beside the entry point `chart.js` resolves to (its dist folder).
  'chart.umd.min.js': { type: 'text/javascript; charset=utf-8', beside: 'chart.js' },
  'dashboard.js': { type: 'text/javascript; charset=utf-8' },
  'dashboard.css': { type: 'text/css; charset=utf-8' },
};

/** The media type of a dashboard file, or null for a name that is none of them. */
export function assetType(name: string): string | null {
  return Object.hasOwn(SOURCES, name) ? SOURCES[name]!.type : null;
}

const cache = new Map<string, Promise<Uint8Array<ArrayBuffer> | null>>();

/**
 * Reads the files from node_modules and src/dashboard/static at the first request for each, and
 * keeps them: the modules are imported on demand, so the app imports without a filesystem (the
 * Worker passes its own reader).
 */
export const readDashboardAsset: DashboardAssetReader = (name) => {
  const source = Object.hasOwn(SOURCES, name) ? SOURCES[name]! : null;
  if (!source) return Promise.resolve(null);
  let found = cache.get(name);
  if (!found) {
    found = (async () => {
      try {
        const { createRequire } = await import('node:module');
        const { readFile } = await import('node:fs/promises');
        const { fileURLToPath } = await import('node:url');
        const { dirname, join } = await import('node:path');
        const path = source.beside
          ? join(dirname(createRequire(import.meta.url).resolve(source.beside)), name)
          : fileURLToPath(new URL(`static/${name}`, import.meta.url));
        return new Uint8Array(await readFile(path));
      } catch {
        return null;
      }
    })();
    cache.set(name, found);
  }
  return found;
};
