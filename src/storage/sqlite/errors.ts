import { StorageError, type StorageFailure } from '../errors.js';

/** SQLite's result codes (extended ones start with the primary's name) by what the server can do about them. */
const FAILURE_BY_SQLITE_CODE: ReadonlyArray<readonly [prefix: string, failure: StorageFailure]> = [
  ['SQLITE_BUSY', 'busy'],
  ['SQLITE_LOCKED', 'busy'],
  ['SQLITE_FULL', 'full'],
  ['SQLITE_CONSTRAINT', 'constraint'],
  ['SQLITE_READONLY', 'read-only'],
  ['SQLITE_CORRUPT', 'corrupt'],
  ['SQLITE_NOTADB', 'corrupt'],
];

/** better-sqlite3's error as a StorageError (its message, which may name the file, stays in `cause`). */
export function toSqliteStorageError(error: unknown): StorageError {
  if (error instanceof StorageError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const driverCode = typeof code === 'string' && code.startsWith('SQLITE_') ? code : null;
  const failure =
    driverCode === null ? 'unknown' : (FAILURE_BY_SQLITE_CODE.find(([prefix]) => driverCode.startsWith(prefix))?.[1] ?? 'unknown');
  return new StorageError(failure, `storage ${failure} failure`, { cause: error, driverCode });
}

/** Runs a synchronous SQLite operation, throwing the translation of whatever the driver throws. */
export function translateSqliteErrors<T>(operation: () => T): T {
  try {
    return operation();
  } catch (error) {
    throw toSqliteStorageError(error);
  }
}
