import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('..', import.meta.url));
const postgresUrl = process.env.RANKWATCH_TEST_DATABASE_URL;

// The suite runs on embedded PGlite; with RANKWATCH_TEST_DATABASE_URL (a server URL whose user
// may create databases) the database tests run a second time against real PostgreSQL. The browser
// tests (tests/browser/, headless Chromium) run once, on PGlite, in a project of their own: one
// file at a time, after the other files, so at most one Chromium runs and it does not compete
// with the rest of the suite for the CPUs. The Workers tests (tests/workers/: the Worker built and
// run by wrangler in workerd, on the PostgreSQL server; skipped without one) likewise.
export default defineConfig({
  test: {
    root,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ['tests/support/global-setup.ts'],
    // The engine flags rankwatch runs with (see src/bin.js) and its module shortcut (src/module-types.ts).
    execArgv: ['--liftoff-only', '--import', './tests/support/engine.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'pglite', include: ['tests/**/*.test.ts'], exclude: [...configDefaults.exclude, 'tests/browser/**', 'tests/workers/**'], env: { RANKWATCH_TEST_DB: 'pglite' } },
      },
      {
        extends: true,
        // One file at a time after the others, like the browser tests: workerd is a heavy process.
        test: { name: 'workers', include: ['tests/workers/**/*.test.ts'], fileParallelism: false, env: { RANKWATCH_TEST_DB: 'postgres' } },
      },
      {
        extends: true,
        // fileParallelism false: one worker, and vitest runs such a project's files after the others.
        test: { name: 'browser', include: ['tests/browser/**/*.test.ts'], fileParallelism: false, env: { RANKWATCH_TEST_DB: 'pglite' } },
      },
      ...(postgresUrl
        ? [
            {
              extends: true as const,
              test: {
                name: 'postgres',
                include: ['tests/integration/**/*.test.ts'],
                // Loopback HTTP only: nothing database-specific to run twice.
                exclude: ['tests/integration/fetch.test.ts'],
                env: { RANKWATCH_TEST_DB: 'postgres', RANKWATCH_TEST_DATABASE_URL: postgresUrl },
              },
            },
          ]
        : []),
    ],
  },
});
