import { resolve } from 'node:path';
import type { ReadOnlyStorage, Storage } from '../storage.js';
import { createSqliteChainRepository } from './chain-repository.js';
import { checkDatabaseFile } from './database-check.js';
import { isInMemory, openSqliteDatabase, openSqliteDatabaseForReading } from './database.js';
import { pingSqlite } from './ping.js';

/** The SQLite file's absolute path, or `:memory:`. */
export const describeSqlitePath = (path: string): string => (isInMemory(path) ? ':memory:' : resolve(path));

/** The chain in the SQLite file at `path` (created and migrated as needed). */
export function openSqliteStorage(path: string): Storage {
  const database = openSqliteDatabase(path);
  return {
    engine: 'sqlite',
    repository: createSqliteChainRepository(database),
    location: describeSqlitePath(path),
    check: () => checkDatabaseFile(path),
    cluster: null,
    ping: () => Promise.resolve(pingSqlite(database)),
    poolState: () => null,
    close: () => Promise.resolve(database.close()),
  };
}

/** The chain in an existing SQLite file, for reading only. */
export function openSqliteForReading(path: string): ReadOnlyStorage {
  const database = openSqliteDatabaseForReading(path);
  return {
    engine: 'sqlite',
    reader: createSqliteChainRepository(database),
    location: describeSqlitePath(path),
    close: () => Promise.resolve(database.close()),
  };
}
