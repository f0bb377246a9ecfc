import type { ClusterChannel } from '../cluster.js';
import { StorageOpenError } from '../errors.js';
import type { OpenStorageOptions, ReadOnlyStorage, Storage, StorageConfig } from '../storage.js';
import { createPostgresChainRepository } from './chain-repository.js';
import { openClusterChannel } from './cluster-channel.js';
import { openPostgresDatabase } from './database.js';
import { toPostgresStorageError } from './errors.js';
import { createMiningTurns } from './mining-turn.js';
import { pingPostgres } from './ping.js';

/** The session connections go through something that does not keep a session (a transaction-mode pooler). */
class SessionNotKeptError extends StorageOpenError {
  override readonly name = 'SessionNotKeptError';
  constructor(message: string) {
    super('invalid', message);
  }
}

/** The chain in the PostgreSQL database at `url`, migrated; with `listen`, hearing the other instances. */
export async function openPostgresStorage(
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

/** The chain in the PostgreSQL database at `url` for reading only: no migrations, read-only transactions, two connections. */
export async function openPostgresForReading(config: StorageConfig, url: string): Promise<ReadOnlyStorage> {
  const database = await openPostgresDatabase(url, { readOnly: true, poolSize: 2, statementTimeoutMs: config.databaseStatementTimeoutMs });
  return { engine: 'postgres', reader: createPostgresChainRepository(database), location: database.label, close: () => database.close() };
}
