// The embedded database runs with the small-footprint settings of src/db/client.ts (its shared
// memory is resident for the life of the process): as every command opens it, and as a data
// directory made before keeps no other settings.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase, PGLITE_SETTINGS } from '../../src/db/client.ts';
import { TEST_DB } from '../support/db.ts';

describe.skipIf(TEST_DB === 'postgres')('PGlite settings', () => {
  it('a data directory opens with the configured shared_buffers and max_connections, every time', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rankwatch-pglite-settings-'));
    try {
      for (let open = 0; open < 2; open++) {
        const database = await openDatabase({ dataDir: join(dir, 'data'), command: 'test' });
        try {
          const show = async (name: string) => (await database.pglite!.query<Record<string, string>>(`show ${name}`)).rows[0]![name];
          expect(await show('shared_buffers')).toBe(PGLITE_SETTINGS.sharedBuffers);
          expect(await show('max_connections')).toBe(String(PGLITE_SETTINGS.maxConnections));
        } finally {
          await database.close();
        }
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
