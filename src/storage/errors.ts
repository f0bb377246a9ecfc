/**
 * Storage failures in terms the rest of the server can act on, so no SQLite
 * or PostgreSQL error code (or message, which may name files) travels past `src/storage`.
 */
/** `unavailable`: a database server that cannot be reached or did not answer in time (PostgreSQL). */
export type StorageFailure = 'busy' | 'full' | 'constraint' | 'read-only' | 'corrupt' | 'unavailable' | 'unknown';

export class StorageError extends Error {
  override readonly name: string = 'StorageError';
  constructor(
    readonly failure: StorageFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The database could not be opened at all (start-up): its message is one line for the operator, naming the database but no credentials. */
export class StorageOpenError extends StorageError {
  override readonly name = 'StorageOpenError';
}

const FAILURE_BY_SQLITE_CODE: ReadonlyArray<readonly [prefix: string, failure: StorageFailure]> = [
  ['SQLITE_BUSY', 'busy'],
  ['SQLITE_LOCKED', 'busy'],
  ['SQLITE_FULL', 'full'],
  ['SQLITE_CONSTRAINT', 'constraint'],
  ['SQLITE_READONLY', 'read-only'],
  ['SQLITE_CORRUPT', 'corrupt'],
  ['SQLITE_NOTADB', 'corrupt'],
];

export function toStorageError(error: unknown): StorageError {
  if (error instanceof StorageError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const failure =
    typeof code === 'string' ? (FAILURE_BY_SQLITE_CODE.find(([prefix]) => code.startsWith(prefix))?.[1] ?? 'unknown') : 'unknown';
  return new StorageError(failure, `storage ${failure} failure`, { cause: error });
}

/** Runs a storage operation, translating whatever the driver throws. */
export function translateErrors<T>(operation: () => T): T {
  try {
    return operation();
  } catch (error) {
    throw toStorageError(error);
  }
}
