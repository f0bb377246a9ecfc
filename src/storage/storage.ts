import type { ChainReader, ChainRepository, StorageEngine } from './chain-repository.js';
import type { ClusterChannel } from './cluster.js';

/** A check of the whole database's structure, and what it found. */
export interface DatabaseCheck {
  readonly ok: boolean;
  /** What the check found: `['ok']` when nothing is wrong (the first 100 findings at most). */
  readonly findings: readonly string[];
}

/** The chain's store opened for reading only: a read-only command's. */
export interface ReadOnlyStorage {
  readonly engine: StorageEngine;
  readonly reader: ChainReader;
  /** Where the chain is, for logs: the SQLite file's absolute path, or PostgreSQL's `host/database` (never credentials). */
  readonly location: string;
  close(): Promise<void>;
}

/** The chain's store, whichever engine holds it. */
export interface Storage extends Omit<ReadOnlyStorage, 'reader'> {
  readonly repository: ChainRepository;
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
