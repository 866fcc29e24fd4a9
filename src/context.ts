import { scrapers } from '../scrapers/index.ts';
import type { Config } from './config.ts';
import { openDatabase, type Database } from './db/client.ts';
import { migrateDatabase } from './db/migrate.ts';
import { syncRegistry } from './ingest/store.ts';

/** Opens the configured database, applies pending migrations and registers every board. */
export async function openStore(config: Pick<Config, 'databaseUrl' | 'dataDir'>, command: string): Promise<Database> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, command });
  try {
    await migrateDatabase(database);
    await syncRegistry(database.db, scrapers);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}
