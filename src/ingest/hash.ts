import { createHash } from 'node:crypto';
import { ENTRY_FIELDS, type StoredEntry } from '../entry.ts';

/** sha256 hex of a string or bytes. */
export function sha256(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

/**
 * Hash of a board's normalized entries, independent of row order: two captures with the same
 * hash hold the same board, whatever bytes they were parsed from.
 */
export function entriesHash(entries: readonly StoredEntry[]): string {
  // A source key is hashed only where there is one, so boards keyed as published hash as they always did.
  const rows = entries
    .map((entry) => [...ENTRY_FIELDS.map((field) => entry[field]), ...(entry.sourceKey ? [entry.sourceKey] : [])])
    .sort((a, b) => (String(a[1]) < String(b[1]) ? -1 : String(a[1]) > String(b[1]) ? 1 : 0));
  return sha256(JSON.stringify(rows));
}
