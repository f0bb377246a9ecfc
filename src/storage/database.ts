import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Sqlite from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema.js';

export const MIGRATIONS_FOLDER = resolve(import.meta.dirname, '../../migrations');

export type LedgerDrizzle = BetterSQLite3Database<typeof schema>;

export interface Database {
  readonly path: string;
  readonly drizzle: LedgerDrizzle;
  /** The raw connection, for pragmas; queries go through `drizzle`. */
  readonly client: Sqlite.Database;
  close(): void;
}

export interface OpenDatabaseOptions {
  /** How long a write waits for another connection's lock before SQLITE_BUSY, in ms. */
  readonly busyTimeoutMs?: number;
}

/**
 * Opens (creating if needed) the SQLite file, sets the pragmas durability
 * depends on and applies pending migrations. Every migration is committed
 * in `migrations/`, so the schema a test runs against is the production one.
 */
export function openDatabase(path: string, { busyTimeoutMs = 5000 }: OpenDatabaseOptions = {}): Database {
  const inMemory = path === ':memory:' || path === '';
  if (!inMemory) mkdirSync(dirname(resolve(path)), { recursive: true });

  const client = new Sqlite(path);
  try {
    // WAL lets readers run while a block is written; FULL syncs the WAL on every
    // commit, so an acknowledged block survives power loss, not just a crash.
    if (!inMemory) client.pragma('journal_mode = WAL');
    client.pragma('synchronous = FULL');
    client.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
    client.pragma('foreign_keys = ON');

    const db = drizzle({ client, schema });
    migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
    return {
      path,
      drizzle: db,
      client,
      close: () => {
        if (client.open) client.close();
      },
    };
  } catch (error) {
    client.close();
    throw error;
  }
}
