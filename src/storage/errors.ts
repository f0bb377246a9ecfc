/**
 * Storage failures in terms the rest of the server can act on, so no SQLite
 * or PostgreSQL error code (or message, which may name files) travels past
 * `src/storage`. Each engine translates its driver's errors (`sqlite/errors.ts`,
 * `postgres/errors.ts`); every call into an engine goes through `storageCall`.
 *
 * `unavailable`: a database server that cannot be reached or did not answer in
 * time (PostgreSQL). `missing` and `invalid` are reasons a database could not
 * be opened at all: no such file; not a ledger's database, or a server this
 * ledger cannot run on.
 */
export type StorageFailure = 'busy' | 'full' | 'constraint' | 'read-only' | 'corrupt' | 'unavailable' | 'missing' | 'invalid' | 'unknown';

export class StorageError extends Error {
  override readonly name: string = 'StorageError';
  /** The driver's own code for the failure (`SQLITE_BUSY`, a SQLSTATE), for an operator's message; null when there is none. */
  readonly driverCode: string | null;

  constructor(
    readonly failure: StorageFailure,
    message: string,
    options?: { cause?: unknown; driverCode?: string | null },
  ) {
    super(message, options);
    this.driverCode = options?.driverCode ?? null;
  }
}

/**
 * The database could not be opened at all (start-up): its message is one
 * line for the operator, naming the database but no credentials. Every reason
 * a database cannot be opened is one of these, so a caller needs no other.
 */
export class StorageOpenError extends StorageError {
  override readonly name: string = 'StorageOpenError';
}

/** A driver's error as a StorageError; a StorageError passes through as it is. */
export type StorageErrorTranslation = (error: unknown) => StorageError;

/**
 * Runs storage operations, synchronous (better-sqlite3) or not (pg), so that
 * each answers a Promise which rejects, rather than throws, with the engine's
 * translation of whatever its driver threw.
 */
export function storageCall(translate: StorageErrorTranslation): <T>(operation: () => T | Promise<T>) => Promise<T> {
  return async (operation) => {
    try {
      return await operation();
    } catch (error) {
      throw translate(error);
    }
  };
}
