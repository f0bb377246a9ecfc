import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Sqlite from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { StorageOpenError } from '../errors.js';
import { toSqliteStorageError } from './errors.js';
import * as schema from './schema.js';

export const SQLITE_MIGRATIONS_FOLDER = resolve(import.meta.dirname, '../../../migrations/sqlite');

type SqliteDrizzle = BetterSQLite3Database<typeof schema>;

export interface SqliteDatabase {
  readonly path: string;
  readonly drizzle: SqliteDrizzle;
  /** The raw connection, for pragmas; queries go through `drizzle`. */
  readonly client: Sqlite.Database;
  close(): void;
}

interface OpenSqliteOptions {
  /**
   * How long a statement waits for another connection's lock before
   * SQLITE_BUSY, in ms. SQLite's busy handler sleeps on the calling thread,
   * which in a server is the event loop: keep it short and retry
   * asynchronously (the ledger does, for appends).
   */
  readonly busyTimeoutMs?: number;
}

/** Opening and migrating happen once, before serving: they may wait longer. */
const OPEN_BUSY_TIMEOUT_MS = 5000;

export const isInMemory = (path: string): boolean => path === ':memory:' || path === '';

/** Why the file at `path` could not be opened, as one line for the operator. */
function openFailure(path: string, error: unknown): StorageOpenError {
  if (error instanceof StorageOpenError) return error;
  const absolute = resolve(path);
  const { failure, driverCode } = toSqliteStorageError(error);
  const code = (error as { code?: unknown } | null)?.code;
  const reason =
    failure === 'corrupt'
      ? 'is damaged, or is not a SQLite database'
      : `cannot be opened (${driverCode ?? (typeof code === 'string' ? code : failure)})`;
  return new StorageOpenError(failure, `The database file ${absolute} ${reason}.`, { cause: error, driverCode });
}

/**
 * Opens (creating if needed) the SQLite file, sets the pragmas durability
 * depends on and applies pending migrations. Every migration is committed
 * in `migrations/sqlite/`, so the schema a test runs against is the production one.
 * A file that cannot be opened is a StorageOpenError naming it.
 */
export function openSqliteDatabase(path: string, { busyTimeoutMs = 50 }: OpenSqliteOptions = {}): SqliteDatabase {
  const inMemory = isInMemory(path);
  let client: Sqlite.Database;
  try {
    if (!inMemory) mkdirSync(dirname(resolve(path)), { recursive: true });
    client = new Sqlite(path);
  } catch (error) {
    throw openFailure(path, error);
  }
  try {
    // WAL lets readers run while a block is written; FULL syncs the WAL on every
    // commit, so an acknowledged block survives power loss, not just a crash.
    client.pragma(`busy_timeout = ${OPEN_BUSY_TIMEOUT_MS}`);
    if (!inMemory) client.pragma('journal_mode = WAL');
    client.pragma('synchronous = FULL');
    client.pragma('foreign_keys = ON');

    const db = drizzle({ client, schema });
    migrate(db, { migrationsFolder: SQLITE_MIGRATIONS_FOLDER });
    client.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
    return wrap(path, client, db);
  } catch (error) {
    client.close();
    throw openFailure(path, error);
  }
}

function wrap(path: string, client: Sqlite.Database, db: SqliteDrizzle): SqliteDatabase {
  return {
    path,
    drizzle: db,
    client,
    close: () => {
      if (client.open) client.close();
    },
  };
}

/**
 * Opens an existing ledger database for reading only: nothing is created,
 * migrated or written (an operator's read of a file another process serves).
 * A path with no file, or a file that is not a ledger's database, is a
 * StorageOpenError naming the path (`missing`, `invalid`, or `corrupt` for a
 * file that is not SQLite at all).
 */
export function openSqliteDatabaseForReading(path: string, { busyTimeoutMs = 5000 }: OpenSqliteOptions = {}): SqliteDatabase {
  const absolute = resolve(path);
  if (!existsSync(path)) throw new StorageOpenError('missing', `No database at ${absolute}.`);
  if (!statSync(path).isFile()) throw new StorageOpenError('invalid', `${absolute} is not a database file.`);
  let client: Sqlite.Database | null = null;
  try {
    client = new Sqlite(path, { readonly: true, fileMustExist: true });
    client.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
    // The first read of the file: a file that is not SQLite fails here.
    const hasBlocks = client.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'blocks'").pluck().get() !== undefined;
    if (!hasBlocks) throw new StorageOpenError('invalid', `${absolute} is a SQLite database but not a ledger's: it has no blocks table.`);
    return wrap(path, client, drizzle({ client, schema }));
  } catch (error) {
    client?.close();
    throw openFailure(path, error);
  }
}
