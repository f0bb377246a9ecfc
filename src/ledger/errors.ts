import { StorageError } from '../storage/errors.js';
import type { ErrorCode } from '../shared/error-codes.js';

/**
 * Failures a client can act on. Each code reaches GraphQL clients unchanged as
 * `extensions.code` (and REST clients as `code`; statuses in ERROR_CODES);
 * anything that is not a LedgerError is an internal error and is masked.
 */
type LedgerErrorCode = Extract<
  ErrorCode,
  | 'BAD_USER_INPUT'
  | 'CHAIN_INVALID'
  | 'CHAIN_CONFLICT'
  | 'DB_BUSY'
  | 'DB_UNAVAILABLE'
  | 'DIFFICULTY_MISMATCH'
  | 'DATABASE_DAMAGED'
  | 'HISTORY_NOT_READY'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'IDEMPOTENCY_KEY_IN_PROGRESS'
  | 'DATABASE_READ_ONLY'
  | 'MINING_BUSY'
  | 'STORAGE_FULL'
  | 'SHUTTING_DOWN'
>;

export class LedgerError extends Error {
  override readonly name = 'LedgerError';
  /** For failures that pass: when trying again makes sense, in seconds. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly code: LedgerErrorCode,
    message: string,
    options?: { cause?: unknown; retryAfterSeconds?: number },
  ) {
    super(message, options);
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}

/** A storage failure the client can act on as the LedgerError that says so; anything else as it is. */
export function fromStorageFailure(error: unknown): unknown {
  if (!(error instanceof StorageError)) return error;
  switch (error.failure) {
    case 'busy':
      return new LedgerError('DB_BUSY', 'The database is locked by another writer; try again shortly.', {
        cause: error,
        retryAfterSeconds: 1,
      });
    case 'unavailable':
      return new LedgerError('DB_UNAVAILABLE', 'The database cannot be reached or did not answer in time; try again shortly.', {
        cause: error,
        retryAfterSeconds: 1,
      });
    case 'full':
      return new LedgerError('STORAGE_FULL', 'The disk holding the database is full; nothing was written.', { cause: error });
    case 'corrupt':
      return new LedgerError('DATABASE_DAMAGED', 'The database file is damaged where this request needed it.', { cause: error });
    case 'read-only':
      return new LedgerError('DATABASE_READ_ONLY', 'The database file cannot be written to; nothing was written.', { cause: error });
    default:
      return error;
  }
}

/** Runs a storage read, translating the storage failures a client can act on. */
export async function readingStorage<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw fromStorageFailure(error);
  }
}
