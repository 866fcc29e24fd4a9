import { escapeHtml } from './items.ts';

/** What the index page names. */
export interface HomeContext {
  title: string;
  version: string;
  homepage: string;
}

/** The feeds the index page lists, with what each is. */
const FEEDS: readonly { path: string; type: string; label: string }[] = [
  { path: 'feed.xml', type: 'application/rss+xml', label: 'RSS 2.0' },
  { path: 'feed.atom', type: 'application/atom+xml', label: 'Atom 1.0' },
  { path: 'feed.json', type: 'application/feed+json', label: 'JSON Feed 1.1' },
];

const ENDPOINTS: readonly { path: string; label: string }[] = [
  { path: 'v1/changes', label: 'change sets: each snapshot’s announced events summed up, newest first' },
  { path: 'v1/events', label: 'events, with the feeds’ filters (board, model, kind, status, since, until, limit)' },
  { path: 'v1/boards', label: 'boards with their last scrape' },
  { path: 'healthz', label: 'health check' },
  { path: 'docs', label: 'the API documentation: every endpoint, its parameters and answers' },
  { path: 'openapi.json', label: 'the API as an OpenAPI 3.1 document' },
];

/**
 * The small HTML page at `/`, the feeds' home link: what rankwatch is, its feeds (also announced
 * with `<link rel="alternate">`, so a reader given this page finds them) and the API. Plain HTML,
 * no script. Links are relative, so they follow the URL the page was reached by rather than a
 * Host header the server would have to trust. Its icon is an empty `data:` URL: without one,
 * browsers ask for `/favicon.ico`, a 404 logged as an error in the console.
 */
export function homePage(context: HomeContext): string {
  const title = escapeHtml(context.title);
  const feeds = FEEDS.map((feed) => `    <li><a href="${feed.path}">${feed.label}</a> <code>/${feed.path}</code></li>`).join('\n');
  const alternates = FEEDS.map((feed) => `  <link rel="alternate" type="${feed.type}" title="${title} (${feed.label})" href="${feed.path}">`).join('\n');
  const endpoints = ENDPOINTS.map((endpoint) => `    <li><a href="${endpoint.path}"><code>/${endpoint.path}</code></a>: ${escapeHtml(endpoint.label)}</li>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${title}</title>
  <link rel="icon" href="data:,">
${alternates}
</head>
<body>
  <h1>${title}</h1>
  <p>rankwatch watches public AI-model leaderboards and announces what moves: new leaders, rank and score moves, models entering and leaving, price changes.</p>
  <h2>Feeds</h2>
  <p>One item per change set (a snapshot’s announced changes); <code>?per=event</code> gives one item per event. They take the filters of <code>/v1/events</code>, e.g. <a href="feed.atom?kind=new_leader"><code>/feed.atom?kind=new_leader</code></a>.</p>
  <ul>
${feeds}
  </ul>
  <h2>API</h2>
  <ul>
${endpoints}
  </ul>
  <p>rankwatch ${escapeHtml(context.version)} · <a href="${escapeHtml(context.homepage)}">${escapeHtml(context.homepage)}</a></p>
</body>
</html>
`;
}
