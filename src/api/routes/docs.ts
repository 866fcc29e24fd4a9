import { createRoute, z } from '@hono/zod-openapi';
import type { Db } from '../../db/client.ts';
import { NotFoundError } from '../../errors.ts';
import { keptFile, type FileReader } from '../files.ts';
import { routeGroup } from '../routing.ts';
import { errors } from '../schemas.ts';

/** Reads a file of the swagger-ui-dist package; null when it is not there. */
export type DocsAssetReader = FileReader;

/** The files of swagger-ui-dist the docs page loads, with their media types. */
export const DOCS_ASSETS: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

/**
 * swagger-ui-dist's files from node_modules, read at the first request for each and kept (see
 * keptFile). Null where node_modules is not there (a Worker): the asset then answers 404.
 */
export const readSwaggerUiAsset: DocsAssetReader = (name) =>
  keptFile(`swagger-ui-dist/${name}`, ({ resolve, dirname, join }) => join(dirname(resolve('swagger-ui-dist/package.json')), name));

export const openApiRoute = createRoute({
  method: 'get',
  path: '/openapi.json',
  tags: ['docs'],
  summary: 'This document: the API as OpenAPI 3.1',
  responses: { 200: { description: 'the OpenAPI 3.1 document', content: { 'application/json': { schema: z.record(z.string(), z.unknown()).openapi({ description: 'OpenAPI 3.1' }) } } } },
});

export const docsPageRoute = createRoute({
  method: 'get',
  path: '/docs',
  tags: ['docs'],
  summary: 'The API documentation page (Swagger UI, served from this service)',
  responses: { 200: { description: 'the page', content: { 'text/html': { schema: z.string() } } } },
});

export const docsAssetRoute = createRoute({
  method: 'get',
  path: '/docs/{file}',
  tags: ['docs'],
  summary: "A file of the docs page (swagger-ui-dist's stylesheet, script, icons)",
  request: { params: z.object({ file: z.string().openapi({ param: { name: 'file', in: 'path' }, enum: Object.keys(DOCS_ASSETS), example: 'swagger-ui.css' }) }) },
  responses: {
    200: {
      description: 'the file',
      content: Object.fromEntries([...new Set(Object.values(DOCS_ASSETS))].map((type) => [type.split(';')[0]!, { schema: z.string().openapi({ format: 'binary' }) }])),
    },
    ...errors(404),
  },
});

/** The docs page: Swagger UI from local assets only (relative links, like the home page), reading `openapi.json`. */
export function docsPage(title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${title}</title>
  <link rel="stylesheet" href="docs/swagger-ui.css">
  <link rel="icon" type="image/png" href="docs/favicon-32x32.png" sizes="32x32">
  <link rel="icon" type="image/png" href="docs/favicon-16x16.png" sizes="16x16">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="docs/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({ url: 'openapi.json', dom_id: '#swagger-ui', deepLinking: true, presets: [SwaggerUIBundle.presets.apis], layout: 'BaseLayout' });
  </script>
</body>
</html>
`;
}

/** `/docs` and its assets. (`/openapi.json` is the app's own: it documents every group.) */
export function docsRoutes(deps: { db: Db; readAsset: DocsAssetReader; title: string }) {
  return routeGroup(deps)
    .openapi(docsPageRoute, (c) => c.html(docsPage(deps.title), 200, { 'cache-control': 'public, max-age=300' }))
    .openapi(docsAssetRoute, async (c) => {
      const { file } = c.req.valid('param');
      const type = Object.hasOwn(DOCS_ASSETS, file) ? DOCS_ASSETS[file] : undefined;
      if (!type) throw new NotFoundError(`no docs asset ${file}; the docs page loads ${Object.keys(DOCS_ASSETS).join(', ')}`);
      const content = await deps.readAsset(file);
      if (!content) throw new NotFoundError(`the docs assets are not installed here (swagger-ui-dist is read from node_modules); /openapi.json has the whole API`);
      return c.body(content, 200, { 'content-type': type, 'cache-control': 'public, max-age=86400' });
    });
}
