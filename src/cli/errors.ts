import { ChainFileUnreadableError, MalformedChainError } from '../chain-file/read-chain-file.js';
import { ChainChangedError } from '../chain-file/verify-chain-file.js';
import { ConfigError } from '../config.js';
import { LedgerError } from '../ledger/errors.js';
import { EngineUnavailableError } from '../mining/engines/load-engine.js';
import { StorageError, toStorageError } from '../storage/errors.js';
import { EXIT_INTERRUPTED, EXIT_INVALID, EXIT_USAGE } from './io.js';

/** A failure the tool reports as `{"error": {code, message}}` (or its message, in text) and exits with `exitCode`. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const interrupted = (signal: unknown, what: string): CliError =>
  new CliError('INTERRUPTED', `Interrupted (${String(signal)}): ${what}`, EXIT_INTERRUPTED[String(signal)] ?? EXIT_INTERRUPTED['SIGINT']!);

const STORAGE_FAILURES: Record<StorageError['failure'], readonly [code: string, message: string, exitCode: number]> = {
  busy: ['DB_BUSY', 'The database is locked by another writer; try again shortly.', EXIT_INVALID],
  full: ['STORAGE_FULL', 'The disk holding the database is full; nothing was written.', EXIT_INVALID],
  'read-only': ['DATABASE_READ_ONLY', 'The database file cannot be written to; nothing was written.', EXIT_INVALID],
  corrupt: ['DATABASE_DAMAGED', 'The database file is damaged, or is not a SQLite database.', EXIT_USAGE],
  constraint: ['STORAGE_FAILED', 'The database refused the write (a constraint failed); nothing was written.', EXIT_INVALID],
  unknown: ['STORAGE_FAILED', 'The database operation failed.', EXIT_INVALID],
};

/** better-sqlite3's own errors, thrown where no repository translated them (opening a file that is not a database). */
function isDriverError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_');
}

/** What the operator is told for anything a command throws. */
export function toCliError(error: unknown): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof ConfigError) return new CliError('CONFIG_INVALID', error.message, EXIT_USAGE, { cause: error });
  if (error instanceof EngineUnavailableError) {
    return new CliError('CONFIG_INVALID', `Invalid configuration: MINER names an engine that cannot run here: ${error.message}`, EXIT_USAGE, { cause: error });
  }
  if (error instanceof ChainFileUnreadableError) return new CliError('FILE_UNREADABLE', error.message, EXIT_USAGE, { cause: error });
  if (error instanceof MalformedChainError) return new CliError('CHAIN_FILE_MALFORMED', error.message, EXIT_USAGE, { cause: error });
  if (error instanceof ChainChangedError) {
    return new CliError('CHAIN_CHANGED', `The chain file changed while it was imported: ${error.message} Nothing was imported.`, EXIT_INVALID, { cause: error });
  }
  if (error instanceof LedgerError) {
    return new CliError(error.code, error.message, error.code === 'BAD_USER_INPUT' ? EXIT_USAGE : EXIT_INVALID, { cause: error });
  }
  if (error instanceof StorageError || isDriverError(error)) {
    const failure = toStorageError(error).failure;
    const [code, message, exitCode] = STORAGE_FAILURES[failure];
    return new CliError(code, message, exitCode, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new CliError('INTERNAL', `Unexpected error: ${message}`, EXIT_INVALID, { cause: error });
}
