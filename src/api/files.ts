/** Reads a file the service serves by its name; null when it is not there. */
export type FileReader = (name: string) => Promise<Uint8Array<ArrayBuffer> | null>;

/** Where a file lies on disk, given what the lookup may need of Node (imported on demand). */
type Locate = (node: {
  /** A package specifier resolved as `require` would. */
  resolve: (specifier: string) => string;
  dirname: (path: string) => string;
  join: (...parts: string[]) => string;
  fileURLToPath: (url: string | URL) => string;
}) => string;

const kept = new Map<string, Promise<Uint8Array<ArrayBuffer> | null>>();

/**
 * A file read at the first request for it and kept in memory after, by `key`. Node's modules are
 * imported on demand, never when the app is imported: the Workers entry imports it without a
 * filesystem, and there the read answers null (the route then answers 404), as it does for a file
 * that is not there.
 */
export function keptFile(key: string, locate: Locate): Promise<Uint8Array<ArrayBuffer> | null> {
  let found = kept.get(key);
  if (!found) {
    found = (async () => {
      try {
        const { createRequire } = await import('node:module');
        const { readFile } = await import('node:fs/promises');
        const { dirname, join } = await import('node:path');
        const { fileURLToPath } = await import('node:url');
        return new Uint8Array(await readFile(locate({ resolve: createRequire(import.meta.url).resolve, dirname, join, fileURLToPath })));
      } catch {
        return null;
      }
    })();
    kept.set(key, found);
  }
  return found;
}
