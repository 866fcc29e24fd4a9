import { InvalidInputError } from '../errors.ts';

/**
 * Where a page ended: the sort key of its last row. Lists are ordered by a time and the row id
 * (ids break ties), so the next page starts strictly after this key whatever was inserted since:
 * rows already listed are never listed again and none after them is skipped (keyset pagination).
 */
export interface PageKey {
  /** The row's sort time (capture time); absent for lists ordered by id alone. */
  at?: Date;
  id: number;
}

/** One page of a list, with the cursor of the next page (null on the last one). */
export interface Page<T> {
  items: T[];
  next: string | null;
}

const VERSION = 'c1';

/**
 * A cursor as clients see it: opaque (base64url), to be passed back unchanged as `?cursor=`.
 * Inside: a version tag, the sort time in milliseconds (empty for id-ordered lists) and the id.
 */
export function encodeCursor(key: PageKey): string {
  return Buffer.from(`${VERSION}.${key.at ? key.at.getTime() : ''}.${key.id}`, 'utf8').toString('base64url');
}

/** Reads a cursor given back by a client; 400 naming the parameter when it is not one of ours. */
export function decodeCursor(parameter: string, value: string, ordered: 'time' | 'id'): PageKey {
  const refuse = (): never => {
    throw new InvalidInputError(parameter, `expected the cursor of a previous page (the "next" of its body or its Link header), got ${JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)}`);
  };
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(value)) return refuse();
  const match = /^c1\.(-?\d{1,16})?\.(\d{1,15})$/.exec(Buffer.from(value, 'base64url').toString('utf8'));
  if (!match) return refuse();
  const [, time, id] = match;
  if ((ordered === 'time') !== (time !== undefined)) return refuse();
  const key: PageKey = { id: Number(id) };
  if (time !== undefined) {
    const at = new Date(Number(time));
    if (Number.isNaN(at.getTime())) return refuse();
    key.at = at;
  }
  return key;
}

/**
 * Cuts rows fetched with `limit + 1` to one page: the extra row only says that a next page exists,
 * whose cursor is the key of the page's last row.
 */
export function pageOf<T>(rows: readonly T[], limit: number, keyOf: (row: T) => PageKey): Page<T> {
  if (rows.length <= limit) return { items: [...rows], next: null };
  const items = rows.slice(0, limit);
  return { items, next: encodeCursor(keyOf(items[items.length - 1]!)) };
}

/** The sort key of rows listed newest capture first, ids breaking ties. */
export const byCaptureTime = (row: { capturedAt: string; id: number }): PageKey => ({ at: new Date(row.capturedAt), id: row.id });

/** The sort key of rows listed by id. */
export const byId = (row: { id: number }): PageKey => ({ id: row.id });

/**
 * Up to `want` rows (Infinity: every one), fetched a page of at most `pageSize` at a time, each
 * page starting at the previous one's `next`: what `--all` and limits above one API page do.
 */
export async function collectPages<T>(want: number, pageSize: number, fetchPage: (cursor: string | undefined, size: number) => Promise<Page<T>>): Promise<T[]> {
  const rows: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor, Math.min(pageSize, want - rows.length));
    rows.push(...page.items);
    cursor = page.next ?? undefined;
  } while (cursor !== undefined && rows.length < want);
  return rows;
}
