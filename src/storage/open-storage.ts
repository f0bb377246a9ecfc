import { describePostgresUrl } from './postgres/url.js';
import { describeSqlitePath, openSqliteForReading, openSqliteStorage } from './sqlite/open.js';
import type { OpenStorageOptions, ReadOnlyStorage, Storage, StorageConfig } from './storage.js';

/**
 * How messages name the database of `config`: the SQLite file's absolute
 * path, or `PostgreSQL host/database` (never credentials).
 */
export function describeStorage(config: Pick<StorageConfig, 'databasePath' | 'databaseUrl'>): string {
  return config.databaseUrl === null ? describeSqlitePath(config.databasePath) : `PostgreSQL ${describePostgresUrl(config.databaseUrl)}`;
}

/** PostgreSQL's engine, loaded when a URL asks for it: the SQLite default never pays for pg's modules (a tenth of a second at every start). */
const postgresEngine = () => import('./postgres/open.js');

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
  const { databaseUrl } = config;
  if (options.readOnly === true) {
    return databaseUrl === null
      ? openSqliteForReading(config.databasePath)
      : (await postgresEngine()).openPostgresForReading(config, databaseUrl);
  }
  const { onConnectionError = () => undefined, listen = false } = options;
  if (databaseUrl === null) return openSqliteStorage(config.databasePath);
  return (await postgresEngine()).openPostgresStorage(config, databaseUrl, { onConnectionError, listen });
}
