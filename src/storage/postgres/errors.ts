import { StorageError, type StorageFailure } from '../errors.js';

/** SQLSTATE classes and codes (https://www.postgresql.org/docs/current/errcodes-appendix.html) by what the server can do about them. */
const FAILURE_BY_SQLSTATE: ReadonlyArray<readonly [prefix: string, failure: StorageFailure]> = [
  ['08', 'unavailable'], // connection exception
  ['57P01', 'unavailable'], // admin_shutdown: the server is restarting
  ['57P02', 'unavailable'], // crash_shutdown
  ['57P03', 'unavailable'], // cannot_connect_now: still starting up
  ['57014', 'unavailable'], // query_canceled: statement_timeout
  ['53300', 'unavailable'], // too_many_connections
  ['55P03', 'busy'], // lock_not_available: lock_timeout
  ['40001', 'busy'], // serialization_failure
  ['40P01', 'busy'], // deadlock_detected
  ['53100', 'full'], // disk_full
  ['23', 'constraint'], // integrity constraint violation (the triggers raise it too)
  ['25006', 'read-only'], // read_only_sql_transaction: a hot standby
  ['XX001', 'corrupt'], // data_corrupted
  ['XX002', 'corrupt'], // index_corrupted
];

/** Node's errors for a server that cannot be reached, and pg's for a connection that ended. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOENT',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
]);
const CONNECTION_ENDED =
  /Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect|Client was closed|Query read timeout/;

/** The driver's error under Drizzle's wrapping (DrizzleQueryError keeps it as `cause`). */
function driverError(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 5; depth++) {
    const { code, cause } = (current ?? {}) as { code?: unknown; cause?: unknown };
    if (typeof code === 'string' || cause === undefined) return current;
    current = cause;
  }
  return current;
}

export function toPostgresStorageError(error: unknown): StorageError {
  if (error instanceof StorageError) return error;
  const driver = driverError(error);
  const code = (driver as { code?: unknown } | null)?.code;
  const message = driver instanceof Error ? driver.message : '';
  let failure: StorageFailure = 'unknown';
  if (typeof code === 'string') {
    failure = UNREACHABLE.has(code) ? 'unavailable' : (FAILURE_BY_SQLSTATE.find(([prefix]) => code.startsWith(prefix))?.[1] ?? 'unknown');
  } else if (CONNECTION_ENDED.test(message)) {
    failure = 'unavailable';
  }
  return new StorageError(failure, `storage ${failure} failure`, { cause: error, driverCode: typeof code === 'string' ? code : null });
}
