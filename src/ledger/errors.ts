import type { ErrorCode } from '../shared/error-codes.js';

/**
 * Failures a client can act on. Each code reaches GraphQL clients unchanged as
 * `extensions.code` (and REST clients as `code`; statuses in ERROR_CODES);
 * anything that is not a LedgerError is an internal error and is masked.
 */
export type LedgerErrorCode = Extract<
  ErrorCode,
  | 'BAD_USER_INPUT'
  | 'CHAIN_INVALID'
  | 'CHAIN_CONFLICT'
  | 'DB_BUSY'
  | 'DB_UNAVAILABLE'
  | 'DIFFICULTY_MISMATCH'
  | 'DATABASE_DAMAGED'
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
