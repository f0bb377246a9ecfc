import { resolve } from 'node:path';
import type { StorageEngine } from './chain-repository.js';
import type { ClusterChannel } from './cluster.js';
import { StorageOpenError } from './errors.js';
import { createPostgresChainRepository } from './postgres/chain-repository.js';
import { openClusterChannel } from './postgres/cluster-channel.js';
import { describePostgresUrl, openPostgresDatabase } from './postgres/database.js';
import { toPostgresStorageError } from './postgres/errors.js';
import { createMiningTurns } from './postgres/mining-turn.js';
import { pingPostgres } from './postgres/ping.js';
import { createSqliteChainRepository } from './sqlite/chain-repository.js';
import { checkDatabaseFile } from './sqlite/database-check.js';
import { isInMemory, openSqliteDatabase, openSqliteDatabaseForReading } from './sqlite/database.js';
import { pingSqlite } from './sqlite/ping.js';
import type { ReadOnlyStorage, Storage, StorageConfig } from './storage.js';

export interface OpenStorageOptions {
  /** Gets errors of idle PostgreSQL connections (a restarting server); the pool replaces them. */
  readonly onConnectionError?: (error: unknown) => void;
  /**
   * PostgreSQL: listen for the other instances (`cluster`), after checking
   * that the session connections keep their session (a server does; a
   * one-off command needs neither).
   */
  readonly listen?: boolean;
}

/** The session connections go through something that does not keep a session (a transaction-mode pooler). */
export class SessionNotKeptError extends StorageOpenError {
  override readonly name = 'SessionNotKeptError';
  constructor(message: string) {
    super('invalid', message);
  }
}

/** The engine `config` names: PostgreSQL when `databaseUrl` is set, else the SQLite file. */
export const engineOf = (config: Pick<StorageConfig, 'databaseUrl'>): StorageEngine =>
  config.databaseUrl === null ? 'sqlite' : 'postgres';

/**
 * How messages name the database of `config`: the SQLite file's absolute
 * path, or `PostgreSQL host/database` (never credentials).
 */
export function describeStorage(config: Pick<StorageConfig, 'databasePath' | 'databaseUrl'>): string {
  if (config.databaseUrl !== null) return `PostgreSQL ${describePostgresUrl(config.databaseUrl)}`;
  return isInMemory(config.databasePath) ? ':memory:' : resolve(config.databasePath);
}

/**
 * Opens the store `config` names (PostgreSQL when `databaseUrl` is set, else
 * the SQLite file), creating and migrating it as needed; with `readOnly`, an
 * existing store for reading only: nothing is created, migrated or written,
 * and a database that holds no ledger is refused. Every failure to open is a
 * StorageOpenError whose message names the database (never credentials).
 */
export function openStorage(config: StorageConfig, options: { readonly readOnly: true }): Promise<ReadOnlyStorage>;
export function openStorage(config: StorageConfig, options?: OpenStorageOptions & { readonly readOnly?: false }): Promise<Storage>;
export async function openStorage(
  config: StorageConfig,
  options: OpenStorageOptions & { readonly readOnly?: boolean } = {},
): Promise<Storage | ReadOnlyStorage> {
  if (options.readOnly === true) return openForReading(config);
  const { onConnectionError = () => undefined, listen = false } = options;
  if (config.databaseUrl !== null) return openPostgresStorage(config, config.databaseUrl, { onConnectionError, listen });
  const database = openSqliteDatabase(config.databasePath);
  return {
    engine: 'sqlite',
    repository: createSqliteChainRepository(database),
    location: describeStorage(config),
    check: () => checkDatabaseFile(config.databasePath),
    cluster: null,
    ping: () => Promise.resolve(pingSqlite(database)),
    poolState: () => null,
    close: () => Promise.resolve(database.close()),
  };
}

async function openForReading(config: StorageConfig): Promise<ReadOnlyStorage> {
  if (config.databaseUrl === null) {
    const database = openSqliteDatabaseForReading(config.databasePath);
    return {
      engine: 'sqlite',
      reader: createSqliteChainRepository(database),
      location: describeStorage(config),
      close: () => Promise.resolve(database.close()),
    };
  }
  // Two connections: a read-only command reads one batch at a time.
  const database = await openPostgresDatabase(config.databaseUrl, {
    readOnly: true,
    poolSize: 2,
    statementTimeoutMs: config.databaseStatementTimeoutMs,
  });
  return { engine: 'postgres', reader: createPostgresChainRepository(database), location: database.label, close: () => database.close() };
}

async function openPostgresStorage(
  config: StorageConfig,
  url: string,
  { onConnectionError, listen }: Required<OpenStorageOptions>,
): Promise<Storage> {
  const database = await openPostgresDatabase(url, {
    poolSize: config.databasePoolSize,
    statementTimeoutMs: config.databaseStatementTimeoutMs,
    onIdleError: onConnectionError,
  });
  const instanceId = config.instanceId ?? String(process.pid);
  const session = {
    url: config.databaseSessionUrl ?? url,
    applicationName: `pow-ledger ${instanceId}`,
    statementTimeoutMs: config.databaseStatementTimeoutMs,
  };
  const turns = createMiningTurns({ ...session, leaseMs: config.miningLeaseMs ?? 5000 });
  let cluster: ClusterChannel | null = null;
  try {
    if (listen) {
      if (!(await turns.keepsSession(database.pool))) {
        throw new SessionNotKeptError(
          'A lock taken on the session connection looked free from another connection: the session URL goes through a ' +
            'transaction-mode pooler (PgBouncer pool_mode=transaction?), which would let two instances mine at once. ' +
            'Set DATABASE_SESSION_URL to a direct or session-pooled connection.',
        );
      }
      cluster = await openClusterChannel({ ...session, pool: database.pool, onError: onConnectionError });
    }
  } catch (error) {
    await turns.close();
    await database.close();
    if (error instanceof StorageOpenError) throw error;
    throw new StorageOpenError(
      toPostgresStorageError(error).failure,
      `Cannot open the PostgreSQL database ${database.label}: ${String(error)}`,
      {
        cause: error,
      },
    );
  }
  const channel = cluster;
  return {
    engine: 'postgres',
    repository: createPostgresChainRepository(database, { turns }),
    location: database.label,
    check: () => Promise.resolve({ ok: true, findings: ['ok'] }),
    cluster: channel,
    ping: () => pingPostgres(database),
    poolState: () => ({ total: database.pool.totalCount, idle: database.pool.idleCount, waiting: database.pool.waitingCount }),
    close: async () => {
      await channel?.close();
      await turns.close();
      await database.close();
    },
  };
}
