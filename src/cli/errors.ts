import { ChainFileUnreadableError, STDIN_PATH } from '../chain-file/file-input.js';
import { MalformedChainError } from '../core/notebook-format.js';
import { ChainChangedError } from '../chain-file/verify-chain-file.js';
import { ConfigError } from '../config.js';
import { LedgerError } from '../ledger/errors.js';
import { EngineUnavailableError } from '../mining/engines/load-engine.js';
import { StorageError, StorageOpenError } from '../storage/errors.js';
import { cliExitCode, type ErrorCode } from '../shared/error-codes.js';
import { interruptExitCode } from './io.js';

/**
 * A failure the tool reports as `{"error": {code, message}}` (or its message,
 * in text) and exits with `exitCode`: the code's exit status in ERROR_CODES
 * unless given (INTERRUPTED's depends on the signal).
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly exitCode: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    { cause, exitCode = cliExitCode(code) }: { cause?: unknown; exitCode?: number } = {},
  ) {
    super(message, { cause });
    this.exitCode = exitCode;
  }
}

export const interrupted = (signal: unknown, what: string): CliError =>
  new CliError('INTERRUPTED', `Interrupted (${String(signal)}): ${what}`, { exitCode: interruptExitCode(signal) });

/** Each storage failure's code and message (given the database, as " /path" or ""). */
const STORAGE_FAILURES: Record<
  StorageError['failure'],
  readonly [code: ErrorCode, message: (database: string, driverCode: string) => string]
> = {
  busy: ['DB_BUSY', (database) => `The database${database} is locked by another writer; try again shortly.`],
  unavailable: ['DB_UNAVAILABLE', (database) => `The database${database} cannot be reached or did not answer in time; try again shortly.`],
  full: ['STORAGE_FULL', (database) => `The disk holding the database${database} is full; nothing was written.`],
  'read-only': ['DATABASE_READ_ONLY', (database) => `The database file${database} cannot be written to; nothing was written.`],
  corrupt: ['DATABASE_DAMAGED', (database) => `The database file${database} is damaged, or is not a SQLite database.`],
  missing: ['DATABASE_MISSING', (database) => `No database at${database}.`],
  invalid: ['DATABASE_INVALID', (database) => `The database${database} is not a ledger's.`],
  constraint: ['STORAGE_FAILED', (database) => `The database${database} refused the write (a constraint failed); nothing was written.`],
  unknown: [
    'STORAGE_FAILED',
    (database, driverCode) => `The database operation${database === '' ? '' : ` on${database}`} failed${driverCode}.`,
  ],
};

/** The driver's code behind a storage failure, as " (SQLITE_…)", for the operator; "" when there is none. */
const driverCode = (error: StorageError): string => (error.driverCode === null ? '' : ` (${error.driverCode})`);

/**
 * A chain file's failure, led by the file's name as the operator gave it
 * (`-`: standard input), as compilers do: `chain.json: not valid JSON at byte
 * 16 (line 1, column 17): unexpected "}".`
 */
function inChainFile(file: string, message: string): string {
  const what = message.replace(/^The file (is )?/, '');
  return `${file === STDIN_PATH ? 'standard input' : file}: ${what.charAt(0).toLowerCase()}${what.slice(1)}`;
}

/**
 * What the operator is told for anything a command throws; a storage failure
 * names the database (`databasePath`) when given, a malformed or changed
 * chain file the file (`chainFile`).
 */
export function toCliError(error: unknown, databasePath?: string, chainFile?: string): CliError {
  if (error instanceof CliError) return error;
  const named = (message: string): string => (chainFile === undefined ? message : inChainFile(chainFile, message));
  if (error instanceof ConfigError) return new CliError('CONFIG_INVALID', error.message, { cause: error });
  if (error instanceof EngineUnavailableError) {
    return new CliError('CONFIG_INVALID', `Invalid configuration: MINER names an engine that cannot run here: ${error.message}`, {
      cause: error,
    });
  }
  if (error instanceof ChainFileUnreadableError) return new CliError('FILE_UNREADABLE', error.message, { cause: error });
  if (error instanceof MalformedChainError) return new CliError('CHAIN_FILE_MALFORMED', named(error.message), { cause: error });
  if (error instanceof ChainChangedError) {
    return new CliError('CHAIN_CHANGED', named(`The file changed while it was imported: ${error.message} Nothing was imported.`), {
      cause: error,
    });
  }
  // The ledger's translation of a storage failure: said as for any other, naming the database.
  if (error instanceof LedgerError && error.cause instanceof StorageError) return toCliError(error.cause, databasePath);
  if (error instanceof LedgerError) return new CliError(error.code, error.message, { cause: error });
  // Could not open it at all: the message already says which database, and why.
  if (error instanceof StorageOpenError) {
    const code = STORAGE_FAILURES[error.failure][0];
    const hint = code === 'DATABASE_MISSING' ? ' (set DATABASE_PATH or pass --db)' : '';
    return new CliError(code, hint === '' ? error.message : `${error.message.replace(/\.$/, '')}${hint}.`, { cause: error });
  }
  if (error instanceof StorageError) {
    const [code, message] = STORAGE_FAILURES[error.failure];
    return new CliError(code, message(databasePath === undefined ? '' : ` ${databasePath}`, driverCode(error)), { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new CliError('INTERNAL', `Unexpected error: ${message}`, { cause: error });
}
