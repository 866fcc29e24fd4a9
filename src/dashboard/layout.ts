import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { HOMEPAGE, VERSION } from '../config.ts';
import { FEED_FORMATS, FEED_TITLE } from '../feed/routes.ts';

/** A piece of HTML, escaped where it was made (hono/html). */
export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** The pages the navigation names, in its order. */
const NAVIGATION: readonly { path: string; label: string }[] = [
  { path: '/', label: 'Boards' },
  { path: '/events', label: 'Events' },
  { path: '/labs', label: 'Labs & countries' },
  { path: '/health', label: 'Health' },
  { path: '/docs', label: 'API' },
];

export interface PageOptions {
  /** The page's own title; the site's name follows it. */
  title: string;
  /** The navigation entry this page belongs to (its path), marked as the current page. */
  section: string;
  /** The page draws charts: the chart library is preloaded. */
  charts?: boolean;
}

/**
 * The shell of every dashboard page: semantic landmarks (header, nav, main, footer), the feeds
 * announced for readers that discover them from a page, the stylesheet (light and dark by
 * `prefers-color-scheme`, one column on a phone) and, on pages with charts, the scripts, served
 * from this service. Links are root-relative: they follow the host the page was reached by.
 */
export function page(options: PageOptions, body: Html): Html {
  const alternates = FEED_FORMATS.map(
    (format) => html`<link rel="alternate" type="${format.contentType.split(';')[0]}" title="${FEED_TITLE} (${format.label})" href="${format.path}">`,
  );
  const links = NAVIGATION.map(
    (item) => html`<li><a href="${item.path}"${item.path === options.section ? html` aria-current="page"` : ''}>${item.label}</a></li>`,
  );
  // The page script everywhere (it marks the page ready); where there are charts it loads the
  // chart library after the first paint, which the browser fetches meanwhile.
  const scripts = html`${options.charts ? html`<link rel="preload" href="/assets/chart.umd.min.js" as="script">` : ''}
  <script src="/assets/dashboard.js" defer></script>`;
  return html`<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="color-scheme" content="light dark">
  <title>${options.title} · rankwatch</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/assets/dashboard.css">
  ${alternates}
  ${scripts}
</head>
<body>
  <a class="skip" href="#main">Skip to content</a>
  <header>
    <p class="brand"><a href="/">rankwatch</a></p>
    <nav aria-label="Sections"><ul>${links}</ul></nav>
  </header>
  <main id="main">
${body}
  </main>
  <footer>
    <p>Feeds: ${FEED_FORMATS.map((format, index) => html`${index ? ' · ' : ''}<a href="${format.path}">${format.label}</a>`)} ·
      <a href="/docs">API documentation</a> · <a href="/openapi.json">OpenAPI</a> ·
      rankwatch ${VERSION} · <a href="${HOMEPAGE}">${HOMEPAGE}</a></p>
  </footer>
</body>
</html>
`;
}

/** A time as people read it, in UTC, in a `<time>` element carrying the exact instant. */
export function when(value: string | Date | null): Html {
  if (value === null) return html`<span class="muted">never</span>`;
  const at = new Date(value);
  const shown = `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return html`<time datetime="${at.toISOString()}">${shown}</time>`;
}

/** A number with at most `digits` decimals, or a dash. */
export function num(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return Number.isInteger(value) ? String(value) : value.toFixed(digits);
}

/** A path on this service with its query (empty values left out). */
export function href(path: string, query: Record<string, string | number | boolean | readonly string[] | null | undefined> = {}): string {
  const parameters = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === null || value === undefined || value === '' || value === false) continue;
    if (Array.isArray(value)) {
      if (value.length) parameters.set(name, value.join(','));
    } else parameters.set(name, String(value));
  }
  const search = parameters.toString();
  return search ? `${path}?${search}` : path;
}

/** The path of a model's page (keys hold slashes: each segment is encoded, the slashes kept). */
export function modelPath(model: string): string {
  return `/models/${model.split('/').map(encodeURIComponent).join('/')}`;
}

/** The path of a board's page. */
export function boardPath(board: string): string {
  return `/boards/${encodeURIComponent(board)}`;
}
