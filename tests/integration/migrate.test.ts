import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.ts';
import { migrateDatabase } from '../../src/db/migrate.ts';
import { createPostgresDatabase, TEST_DB } from '../support/db.ts';

describe.skipIf(TEST_DB !== 'postgres')('migrations on PostgreSQL', () => {
  it('four instances migrating an empty database at once apply each migration once', async () => {
    const created = await createPostgresDatabase();
    const instances = await Promise.all([1, 2, 3, 4].map(() => openDatabase({ databaseUrl: created.url, dataDir: 'unused' })));
    try {
      await Promise.all(instances.map((instance) => migrateDatabase(instance)));
      const rows = await instances[0]!.sql!`select count(*)::int as n from drizzle.__drizzle_migrations`;
      const journal = (await import('../../migrations/meta/_journal.json', { with: { type: 'json' } })).default as { entries: unknown[] };
      expect(rows[0]?.n).toBe(journal.entries.length);
      await instances[0]!.db.execute(sql`select 1 from standings limit 1`);
    } finally {
      await Promise.all(instances.map((instance) => instance.close()));
      await created.drop();
    }
  });
});

describe.skipIf(TEST_DB !== 'pglite')('migrations on PGlite', () => {
  it('apply to a new database and are idempotent', async () => {
    const database = await openDatabase({ dataDir: 'memory://' });
    try {
      await migrateDatabase(database);
      await migrateDatabase(database);
      const result = await database.pglite!.query<{ n: number }>('select count(*)::int as n from drizzle.__drizzle_migrations');
      expect(result.rows[0]?.n).toBeGreaterThan(0);
    } finally {
      await database.close();
    }
  });
});
