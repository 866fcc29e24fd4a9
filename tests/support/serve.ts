import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';

/** An app served over real HTTP on 127.0.0.1, and how to stop it. */
export interface ServedApp {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  origin: string;
  close(): Promise<void>;
}

/**
 * Serves `fetch` (a hono app's `app.fetch`) with @hono/node-server on 127.0.0.1 and a free port,
 * as `rankwatch serve` serves the app. No vitest in here: the bench uses it too.
 */
export function serveApp(fetch: (request: Request) => Response | Promise<Response>): Promise<ServedApp> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
      resolve({
        origin: `http://127.0.0.1:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            // A browser keeps its connections open: without this, close() waits for them.
            if ('closeAllConnections' in server) server.closeAllConnections();
          }),
      }),
    );
    server.once('error', reject);
  });
}
