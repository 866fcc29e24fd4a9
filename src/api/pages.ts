import type { Context } from 'hono';
import { pageOf, type Page, type PageKey } from '../db/cursor.ts';

export { byCaptureTime, byId } from '../db/cursor.ts';

/**
 * One page of a list fetched with `limit + 1` rows (see pageOf), with RFC 8288's
 * `Link: <…>; rel="next"` set on the response when there is a next page: the request's own path
 * and query with `cursor` replaced, as a relative reference (never built on the request's Host).
 */
export function pageWithLink<T>(c: Context, rows: readonly T[], limit: number, keyOf: (row: T) => PageKey): Page<T> {
  const page = pageOf(rows, limit, keyOf);
  if (page.next) {
    const url = new URL(c.req.url);
    url.searchParams.set('cursor', page.next);
    c.header('link', `<${url.pathname}${url.search}>; rel="next"`);
  }
  return page;
}
