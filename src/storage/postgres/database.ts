import { resolve } from 'node:path';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { StorageOpenError } from '../errors.js';
import { KEEPALIVE_DELAY_MS, abandonConnection, answerDeadlineMs, connectDeadlineMs, isAnswerTimeout } from './deadlines.js';
import { toPostgresStorageError } from './errors.js';
import { describePostgresUrl } from './url.js';
import * as schema from './schema.js';

export const POSTGRES_MIGRATIONS_FOLDER = resolve(import.meta.dirname, '../../../migrations/postgres');

/** The oldest PostgreSQL served: 14 brings `idle_session_timeout`, which the cluster's mining turn relies on. */
const MIN_POSTGRES_VERSION = 14;

/** Key of the session advisory lock held while migrating (any fixed number, unlikely to collide: "ledger" in ASCII). */
const MIGRATION_LOCK_KEY = 0x6c6564676572;

export type PostgresDrizzle = NodePgDatabase<typeof schema>;

export interface PostgresDatabase {
  readonly drizzle: PostgresDrizzle;
  readonly pool: pg.Pool;
  /** `host/database` from the connection string, without credentials: for logs and messages. */
  readonly label: string;
  close(): Promise<void>;
}

interface OpenPostgresOptions {
  /** Connections in the pool (requests beyond wait for one). */
  readonly poolSize?: number;
  /** Longest a statement may run before the server cancels it, in ms (DB_UNAVAILABLE). */
  readonly statementTimeoutMs?: number;
  /** Longest a statement waits for another transaction's lock, in ms (then DB_BUSY). */
  readonly lockTimeoutMs?: number;
  /** Longest to wait for a new connection or a free one, in ms (cut to the statement timeout). */
  readonly connectTimeoutMs?: number;
  /**
   * An operator's read of a database another process serves: no migrations,
   * every transaction read-only, and a database that holds no ledger refused.
   */
  readonly readOnly?: boolean;
  /** Gets errors of idle pooled connections (the server restarting); they are replaced on next use. */
  readonly onIdleError?: (error: Error) => void;
}

/**
 * Connects a pool to PostgreSQL, checks that the server is one this ledger
 * supports (PostgreSQL 14 or later; CockroachDB is refused: its advisory locks
 * do nothing and it has no LISTEN/NOTIFY) and applies pending migrations under
 * an advisory lock, so that processes starting together migrate once.
 */
export async function openPostgresDatabase(
  url: string,
  {
    poolSize = 10,
    statementTimeoutMs = 30_000,
    lockTimeoutMs = 5000,
    connectTimeoutMs = 10_000,
    readOnly = false,
    onIdleError = () => undefined,
  }: OpenPostgresOptions = {},
): Promise<PostgresDatabase> {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: connectDeadlineMs(statementTimeoutMs, connectTimeoutMs),
    statement_timeout: statementTimeoutMs,
    // The instance's own bound on each statement, for a network gone silent (deadlines.ts).
    query_timeout: answerDeadlineMs(statementTimeoutMs),
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
    // A write waiting this long for another writer's lock gives up as busy (DB_BUSY), as SQLite's does;
    // below the statement timeout, so that a lock wait is told apart from a slow statement.
    lock_timeout: Math.min(lockTimeoutMs, Math.floor(statementTimeoutMs / 2)),
    // A connection idle inside a transaction (a stuck client) would hold the write lock.
    idle_in_transaction_session_timeout: Math.max(statementTimeoutMs, 1000),
    application_name: 'pow-ledger',
    ...(readOnly ? { options: '-c default_transaction_read_only=on' } : {}),
  });
  // Without a listener, an idle connection dropped by a restarting server would end the process.
  pool.on('error', onIdleError);
  // The pool listens to idle connections only: one that drops while checked out (mid-transaction)
  // would emit an unheard 'error' and end the process. Its query fails, and says so, regardless.
  pool.on('connect', (client) => client.on('error', () => undefined));
  // The pool destroys a connection released with an error; one whose statement went unanswered is reset first.
  pool.on('release', (error: Error | undefined, client: pg.PoolClient) => {
    if (isAnswerTimeout(error)) void abandonConnection(client);
  });
  const label = describePostgresUrl(url);
  try {
    const client = await pool.connect();
    let failure: Error | undefined;
    try {
      await checkServer(client);
      if (readOnly) await checkHoldsLedger(client, label);
      else await migrateLocked(client);
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error));
      throw error;
    } finally {
      client.release(failure);
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    if (error instanceof StorageOpenError) throw error;
    const { failure } = toPostgresStorageError(error);
    // pg's messages name the host, user or database, never the password.
    const reason = error instanceof Error && error.message !== '' ? error.message : String(error);
    throw new StorageOpenError(failure, `Cannot open the PostgreSQL database ${label}: ${reason}`, { cause: error });
  }
  return {
    drizzle: drizzle({ client: pool, schema }),
    pool,
    label,
    close: async () => {
      if (!pool.ended) await pool.end();
    },
  };
}

/** The server is not one this ledger can run on (too old, or not PostgreSQL). */
class UnsupportedServerError extends StorageOpenError {
  override readonly name = 'UnsupportedServerError';
  constructor(message: string) {
    super('invalid', message);
  }
}

async function checkServer(client: pg.PoolClient): Promise<void> {
  const { rows } = await client.query<{ version: string; number: string }>(
    "SELECT version() AS version, current_setting('server_version_num') AS number",
  );
  const { version, number } = rows[0]!;
  if (/cockroach/i.test(version)) {
    throw new UnsupportedServerError(
      'CockroachDB is not supported: its advisory locks do nothing and it has no LISTEN/NOTIFY. Use PostgreSQL 14 or later.',
    );
  }
  const major = Math.floor(Number(number) / 10_000);
  if (!(major >= MIN_POSTGRES_VERSION)) {
    throw new UnsupportedServerError(`PostgreSQL ${major} is too old: this ledger needs PostgreSQL ${MIN_POSTGRES_VERSION} or later.`);
  }
}

async function checkHoldsLedger(client: pg.PoolClient, label: string): Promise<void> {
  const { rows } = await client.query<{ found: string | null }>("SELECT to_regclass('blocks')::text AS found");
  if (rows[0]?.found == null)
    throw new StorageOpenError('invalid', `The PostgreSQL database ${label} holds no ledger: it has no blocks table.`);
}

/** Drizzle's migrator takes no lock: two processes migrating a fresh database at once can collide. */
async function migrateLocked(client: pg.PoolClient): Promise<void> {
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
  try {
    await migrate(drizzle({ client, schema }), { migrationsFolder: POSTGRES_MIGRATIONS_FOLDER });
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
  }
}
