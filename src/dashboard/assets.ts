import { keptFile, type FileReader } from '../api/files.ts';

/** Reads one of the dashboard's files by its name under `/assets/`; null when it is not there. */
export type DashboardAssetReader = FileReader;

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

/**
 * Reads the files from node_modules and src/dashboard/static at the first request for each and
 * keeps them (see keptFile): the app imports without a filesystem (on a Worker they answer null).
 */
export const readDashboardAsset: DashboardAssetReader = (name) => {
  const source = Object.hasOwn(SOURCES, name) ? SOURCES[name]! : null;
  if (!source) return Promise.resolve(null);
  const { beside } = source;
  return keptFile(`dashboard/${name}`, ({ resolve, dirname, join, fileURLToPath }) =>
    beside ? join(dirname(resolve(beside)), name) : fileURLToPath(new URL(`static/${name}`, import.meta.url)),
  );
};
