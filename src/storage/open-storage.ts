import { resolve } from 'node:path';
import { createChainRepository, type ChainRepository } from './chain-repository.js';
import { checkDatabaseFile, type DatabaseCheck } from './database-check.js';
import { openDatabase } from './database.js';
import { createPostgresChainRepository } from './postgres/chain-repository.js';
import { openPostgres } from './postgres/database.js';

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
}

export interface OpenStorageOptions {
  /** Gets errors of idle PostgreSQL connections (a restarting server); the pool replaces them. */
  readonly onConnectionError?: (error: Error) => void;
}

/**
 * Opens the store `config` names (PostgreSQL when `databaseUrl` is set, else
 * the SQLite file), creating and migrating it as needed.
 */
export async function openStorage(config: StorageConfig, { onConnectionError }: OpenStorageOptions = {}): Promise<Storage> {
  if (config.databaseUrl !== null) {
    const database = await openPostgres(config.databaseUrl, {
      poolSize: config.databasePoolSize,
      statementTimeoutMs: config.databaseStatementTimeoutMs,
      ...(onConnectionError === undefined ? {} : { onIdleError: onConnectionError }),
    });
    return {
      engine: 'postgres',
      repository: createPostgresChainRepository(database),
      location: database.label,
      check: () => Promise.resolve({ ok: true, findings: ['ok'] }),
      close: () => database.close(),
    };
  }
  const database = openDatabase(config.databasePath);
  return {
    engine: 'sqlite',
    repository: createChainRepository(database),
    location: config.databasePath === ':memory:' || config.databasePath === '' ? ':memory:' : resolve(config.databasePath),
    check: () => checkDatabaseFile(config.databasePath),
    close: () => Promise.resolve(database.close()),
  };
}
