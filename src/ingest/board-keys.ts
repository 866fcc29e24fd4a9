import type { Entry, StoredEntry } from '../entry.ts';

/**
 * Board keys: one key per model on a board, whatever format a capture came in. A source whose
 * formats key models differently (LMArena: display names in its CSV archive and pages, internal
 * keys in its JSON export) gives each entry a format-independent key (`keyOf`: model identity's
 * canonical id); the key the format published is kept beside it as `sourceKey`.
 *
 * A model keeps the key it already has on the board: the current standings are matched first by
 * the published key, then by canonical id. So a database filled before board keys existed, or
 * edited alias tables, never re-key a model that is on the board (no false exit and entry), and
 * only models new to the board take their canonical id. Pure.
 *
 * Every entry gets a distinct key. In order of preference (a key taken by an earlier rule or
 * entry is skipped): the key of the current row published under the same source key; the key of
 * the one current row with the same canonical id; the canonical id; the published key; the
 * published key with ` [2]`, ` [3]`… (two rows the tables merge stay two models).
 */
export function assignBoardKeys(entries: readonly Entry[], current: readonly StoredEntry[], keyOf: (entry: Entry) => string): StoredEntry[] {
  const bySource = new Map<string, string>();
  for (const row of current) bySource.set(row.sourceKey ?? row.model, row.model);
  // Canonical id of each current row from what its format published; an id two rows share says nothing.
  const byCanonical = new Map<string, string | null>();
  for (const row of current) {
    const canonical = keyOf({ ...row, model: row.sourceKey ?? row.model });
    byCanonical.set(canonical, byCanonical.has(canonical) ? null : row.model);
  }
  const canonicals = entries.map((entry) => keyOf(entry));
  const keys: (string | null)[] = entries.map(() => null);
  const used = new Set<string>();
  const rules: ((entry: Entry, index: number) => string | null | undefined)[] = [
    (entry) => bySource.get(entry.model),
    (_entry, index) => byCanonical.get(canonicals[index]!),
    (_entry, index) => canonicals[index],
    (entry) => entry.model,
  ];
  for (const rule of rules) {
    entries.forEach((entry, index) => {
      if (keys[index] !== null) return;
      const key = rule(entry, index);
      if (key === null || key === undefined || key === '' || used.has(key)) return;
      keys[index] = key;
      used.add(key);
    });
  }
  return entries.map((entry, index) => {
    let key = keys[index] ?? null;
    for (let n = 2; key === null; n++) {
      const candidate = `${entry.model} [${n}]`;
      if (!used.has(candidate)) {
        key = candidate;
        used.add(candidate);
      }
    }
    const model: string = key;
    return { ...entry, model, sourceKey: model === entry.model ? null : entry.model };
  });
}

/**
 * How many of the last good snapshot's models the new capture lists under the same board key, as
 * a share of the last good snapshot (1 when it was empty).
 */
export function keyOverlap(previous: readonly Entry[], next: readonly Entry[]): number {
  if (previous.length === 0) return 1;
  const keys = new Set(next.map((entry) => entry.model));
  return previous.filter((entry) => keys.has(entry.model)).length / previous.length;
}
