import { findBoard, scrapers } from '../scrapers/index.ts';
import type { Config } from './config.ts';
import { openDatabase, type Database } from './db/client.ts';
import { migrateDatabase } from './db/migrate.ts';
import { syncRegistry } from './ingest/store.ts';
import { loadIdentity, type Identity, type IdentityInput } from './identity/identity.ts';
import type { Scraper } from '../scrapers/scraper.ts';
import type { Identify } from './notify/filters.ts';
import { enqueueDeliveries } from './notify/outbox.ts';
import type { OnAnnounced } from './ingest/tx.ts';
import { readFileSync } from 'node:fs';
import { AppError } from './errors.ts';

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

/** Model identity: the shipped tables, extended by the files RANKWATCH_ALIASES_FILE / RANKWATCH_ORGANIZATIONS_FILE name. */
export function identityFor(config: Pick<Config, 'identityFiles'>): Identity {
  const { aliases, organizations } = config.identityFiles;
  const read = (variable: string, path: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      throw new AppError('config', `${variable}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  };
  return loadIdentity({
    ...(aliases ? { extraAliasesYaml: read('RANKWATCH_ALIASES_FILE', aliases), extraAliasesFile: aliases } : {}),
    ...(organizations ? { extraOrganizationsYaml: read('RANKWATCH_ORGANIZATIONS_FILE', organizations), extraOrganizationsFile: organizations } : {}),
  });
}

/**
 * The format-independent key of a board's entries, for a source whose formats key models
 * differently (`boardKeys: 'identity'`): model identity's canonical id. Undefined: keys as published.
 */
export function boardKeyWith(identity: Identity, scraper: Scraper): ((entry: IdentityInput) => string) | undefined {
  return scraper.boardKeys === 'identity' ? (entry) => identity.resolve(scraper.id, entry).id : undefined;
}

/** Model identity for subscription filters: `identity.resolve` by the source of each board. */
export function identifyWith(identity: Identity): Identify {
  return (board, entry) => identity.resolve(findBoard(board)?.scraper.id ?? board, entry);
}

/**
 * What the store calls with the events a capture announced: the outbox, in the same transaction,
 * filtering by model identity (`identity`; null: board-level events only need none).
 */
export function announcerWith(identity: Identity | null): OnAnnounced {
  const identify = identity ? identifyWith(identity) : null;
  return (tx, eventIds) => enqueueDeliveries(tx, eventIds, identify).then(() => undefined);
}
