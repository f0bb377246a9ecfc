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
  /**
   * How long a statement waits for another connection's lock before
   * SQLITE_BUSY, in ms. SQLite's busy handler sleeps on the calling thread,
   * which in a server is the event loop: keep it short and retry
   * asynchronously (the ledger does, for appends).
   */
  readonly busyTimeoutMs?: number;
  /**
   * Opens an existing file for reading only: nothing is created, migrated or
   * written (an operator's read of a file another process serves).
   */
  readonly readOnly?: boolean;
}

/** Opening and migrating happen once, before serving: they may wait longer. */
const OPEN_BUSY_TIMEOUT_MS = 5000;

/**
 * Opens (creating if needed) the SQLite file, sets the pragmas durability
 * depends on and applies pending migrations. Every migration is committed
 * in `migrations/`, so the schema a test runs against is the production one.
 */
export function openDatabase(path: string, { busyTimeoutMs = 50, readOnly = false }: OpenDatabaseOptions = {}): Database {
  const inMemory = path === ':memory:' || path === '';
  if (readOnly) return openForReading(path, busyTimeoutMs);
  if (!inMemory) mkdirSync(dirname(resolve(path)), { recursive: true });

  const client = new Sqlite(path);
  try {
    // WAL lets readers run while a block is written; FULL syncs the WAL on every
    // commit, so an acknowledged block survives power loss, not just a crash.
    client.pragma(`busy_timeout = ${OPEN_BUSY_TIMEOUT_MS}`);
    if (!inMemory) client.pragma('journal_mode = WAL');
    client.pragma('synchronous = FULL');
    client.pragma('foreign_keys = ON');

    const db = drizzle({ client, schema });
    migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
    client.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
    return wrap(path, client, db);
  } catch (error) {
    client.close();
    throw error;
  }
}

function wrap(path: string, client: Sqlite.Database, db: LedgerDrizzle): Database {
  return {
    path,
    drizzle: db,
    client,
    close: () => {
      if (client.open) client.close();
    },
  };
}

function openForReading(path: string, busyTimeoutMs: number): Database {
  const client = new Sqlite(path, { readonly: true, fileMustExist: true });
  try {
    client.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
    return wrap(path, client, drizzle({ client, schema }));
  } catch (error) {
    client.close();
    throw error;
  }
}
