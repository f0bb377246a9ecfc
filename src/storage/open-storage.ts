import { resolve } from 'node:path';
import { createChainRepository, type ChainRepository } from './chain-repository.js';
import { checkDatabaseFile, type DatabaseCheck } from './database-check.js';
import { openDatabase } from './database.js';
import { createPostgresChainRepository } from './postgres/chain-repository.js';
import type { ClusterChannel } from './cluster.js';
import { StorageOpenError } from './errors.js';
import { NotificationsUnheardError, openClusterChannel } from './postgres/cluster-channel.js';
import { openPostgres } from './postgres/database.js';
import { toPostgresStorageError } from './postgres/errors.js';
import { createMiningTurns } from './postgres/mining-turn.js';
import { pingPostgres, pingSqlite } from './ping.js';

/** The chain's store, whichever engine holds it. */
export interface Storage {
  readonly engine: ChainRepository['engine'];
  readonly repository: ChainRepository;
  /** Where the chain is, for logs and messages: the SQLite file's absolute path, or PostgreSQL's `host/database` (never credentials). */
  readonly location: string;
  /**
   * A check of the whole database's structure: SQLite's quick_check on a
   * worker thread. PostgreSQL checks its own pages as it reads them (and
   * `pg_amcheck` is the operator's); there it resolves ok at once.
   */
  check(): Promise<DatabaseCheck>;
  /**
   * News from the other instances on the same database (PostgreSQL, opened
   * with `listen`); null where there are none to hear.
   */
  readonly cluster: ClusterChannel | null;
  /** Whether the database answers now and has the migrations this code needs; throws why not. */
  ping(): Promise<void>;
  /** PostgreSQL's connection pool, for metrics; null on SQLite. */
  poolState(): { readonly total: number; readonly idle: number; readonly waiting: number } | null;
  close(): Promise<void>;
}

/** Which database to open (the configuration's fields of the same names). */
export interface StorageConfig {
  /** The SQLite file, used unless `databaseUrl` is set. */
  readonly databasePath: string;
  /** A PostgreSQL connection string. */
  readonly databaseUrl: string | null;
  readonly databasePoolSize: number;
  /** In ms. */
  readonly databaseStatementTimeoutMs: number;
  /** A direct or session-pooled URL for the mining turn and LISTEN; null: `databaseUrl`. */
  readonly databaseSessionUrl?: string | null;
  /** How long a frozen or cut-off instance keeps the cluster's mining turn at most, in ms. */
  readonly miningLeaseMs?: number;
  /** Names this process's PostgreSQL connections (`application_name`). */
  readonly instanceId?: string;
}

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
export class SessionNotKeptError extends Error {
  override readonly name = 'SessionNotKeptError';
}

/**
 * Opens the store `config` names (PostgreSQL when `databaseUrl` is set, else
 * the SQLite file), creating and migrating it as needed.
 */
export async function openStorage(
  config: StorageConfig,
  { onConnectionError = () => undefined, listen = false }: OpenStorageOptions = {},
): Promise<Storage> {
  if (config.databaseUrl !== null) return openPostgresStorage(config, config.databaseUrl, { onConnectionError, listen });
  const database = openDatabase(config.databasePath);
  return {
    engine: 'sqlite',
    repository: createChainRepository(database),
    location: config.databasePath === ':memory:' || config.databasePath === '' ? ':memory:' : resolve(config.databasePath),
    check: () => checkDatabaseFile(config.databasePath),
    cluster: null,
    ping: () => Promise.resolve(pingSqlite(database)),
    poolState: () => null,
    close: () => Promise.resolve(database.close()),
  };
}

async function openPostgresStorage(
  config: StorageConfig,
  url: string,
  { onConnectionError, listen }: Required<OpenStorageOptions>,
): Promise<Storage> {
  const database = await openPostgres(url, {
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
    if (error instanceof SessionNotKeptError || error instanceof NotificationsUnheardError) throw error;
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
