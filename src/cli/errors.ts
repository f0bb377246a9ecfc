import { resolve } from 'node:path';
import { ChainFileUnreadableError, MalformedChainError } from '../chain-file/read-chain-file.js';
import { ChainChangedError } from '../chain-file/verify-chain-file.js';
import { ConfigError } from '../config.js';
import { LedgerError } from '../ledger/errors.js';
import { EngineUnavailableError } from '../mining/engines/load-engine.js';
import { StorageError, toStorageError } from '../storage/errors.js';
import { EXIT_INVALID, EXIT_USAGE, interruptExitCode } from './io.js';

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
  new CliError('INTERRUPTED', `Interrupted (${String(signal)}): ${what}`, interruptExitCode(signal));

/** Each storage failure's code, message (given the database, as " /path" or "") and exit code. */
const STORAGE_FAILURES: Record<
  StorageError['failure'],
  readonly [code: string, message: (database: string, driverCode: string) => string, exitCode: number]
> = {
  busy: ['DB_BUSY', (database) => `The database${database} is locked by another writer; try again shortly.`, EXIT_INVALID],
  full: ['STORAGE_FULL', (database) => `The disk holding the database${database} is full; nothing was written.`, EXIT_INVALID],
  'read-only': [
    'DATABASE_READ_ONLY',
    (database) => `The database file${database} cannot be written to; nothing was written.`,
    EXIT_INVALID,
  ],
  corrupt: ['DATABASE_DAMAGED', (database) => `The database file${database} is damaged, or is not a SQLite database.`, EXIT_USAGE],
  constraint: [
    'STORAGE_FAILED',
    (database) => `The database${database} refused the write (a constraint failed); nothing was written.`,
    EXIT_INVALID,
  ],
  unknown: [
    'STORAGE_FAILED',
    (database, driverCode) => `The database operation${database === '' ? '' : ` on${database}`} failed${driverCode}.`,
    EXIT_INVALID,
  ],
};

/** The SQLite result code behind a storage failure, as " (SQLITE_…)", for the operator; "" when there is none. */
function driverCode(error: unknown): string {
  for (let cause: unknown = error; cause !== null && typeof cause === 'object'; cause = (cause as { cause?: unknown }).cause) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE_')) return ` (${code})`;
  }
  return '';
}

/** better-sqlite3's own errors, thrown where no repository translated them (opening a file that is not a database). */
function isDriverError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_');
}

/** What the operator is told for anything a command throws; a storage failure names `databasePath` when given. */
export function toCliError(error: unknown, databasePath?: string): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof ConfigError) return new CliError('CONFIG_INVALID', error.message, EXIT_USAGE, { cause: error });
  if (error instanceof EngineUnavailableError) {
    return new CliError(
      'CONFIG_INVALID',
      `Invalid configuration: MINER names an engine that cannot run here: ${error.message}`,
      EXIT_USAGE,
      { cause: error },
    );
  }
  if (error instanceof ChainFileUnreadableError) return new CliError('FILE_UNREADABLE', error.message, EXIT_USAGE, { cause: error });
  if (error instanceof MalformedChainError) return new CliError('CHAIN_FILE_MALFORMED', error.message, EXIT_USAGE, { cause: error });
  if (error instanceof ChainChangedError) {
    return new CliError(
      'CHAIN_CHANGED',
      `The chain file changed while it was imported: ${error.message} Nothing was imported.`,
      EXIT_INVALID,
      { cause: error },
    );
  }
  // The ledger's translation of a storage failure: said as for any other, naming the database.
  if (error instanceof LedgerError && error.cause instanceof StorageError) return toCliError(error.cause, databasePath);
  if (error instanceof LedgerError) {
    const usage = error.code === 'BAD_USER_INPUT' || error.code === 'DATABASE_DAMAGED';
    return new CliError(error.code, error.message, usage ? EXIT_USAGE : EXIT_INVALID, { cause: error });
  }
  if (error instanceof StorageError || isDriverError(error)) {
    const failure = toStorageError(error).failure;
    const [code, message, exitCode] = STORAGE_FAILURES[failure];
    return new CliError(code, message(databasePath === undefined ? '' : ` ${resolve(databasePath)}`, driverCode(error)), exitCode, {
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new CliError('INTERNAL', `Unexpected error: ${message}`, EXIT_INVALID, { cause: error });
}
