import { existsSync, statSync } from 'node:fs';
import { loadConfig, type Config } from '../config.js';
import type { ChainReader, ChainRepository } from '../storage/chain-repository.js';
import { describeStorage, openStorage } from '../storage/open-storage.js';
import { CliError, toCliError } from './errors.js';
import type { CliIo } from './io.js';

/** Where a command's database is: `--db` or `--database-url`, else the environment's DATABASE_PATH or DATABASE_URL. */
interface DatabaseOptions {
  readonly db?: string | undefined;
  readonly databaseUrl?: string | undefined;
}

/** The configuration, with `--db` in place of DATABASE_PATH (and DATABASE_URL) or `--database-url` in place of DATABASE_URL (and DATABASE_PATH). */
export function cliConfig(io: CliIo, { db, databaseUrl }: DatabaseOptions = {}): Config {
  if (db !== undefined && databaseUrl !== undefined) {
    throw new CliError('USAGE', 'Give --db (a SQLite file) or --database-url (PostgreSQL), not both.');
  }
  if (db !== undefined) return loadConfig({ ...io.env, DATABASE_PATH: db, DATABASE_URL: undefined });
  if (databaseUrl !== undefined) return loadConfig({ ...io.env, DATABASE_URL: databaseUrl, DATABASE_PATH: undefined });
  return loadConfig(io.env);
}

/** How a command's messages name the database: the SQLite file's absolute path, or `PostgreSQL host/database` (never credentials). */
export const databaseName = (config: Pick<Config, 'databasePath' | 'databaseUrl'>): string => describeStorage(config);

/** A chain opened by a read-only command: it can read, and nothing else. `name` as in `databaseName`. */
interface ChainForReading {
  readonly reader: ChainReader;
  readonly name: string;
  close(): Promise<void>;
}

/** A chain opened by a command that writes; `name` as in `databaseName`. */
export interface ChainForWriting {
  readonly repository: ChainRepository;
  readonly name: string;
  close(): Promise<void>;
}

/**
 * Opens the configured chain for reading only: a read never creates a file,
 * migrates a database or writes to it, and a database that is not a ledger's
 * says so (DATABASE_MISSING, DATABASE_INVALID, DATABASE_DAMAGED: exit 2,
 * naming it).
 */
export async function openChainForReading(config: Config): Promise<ChainForReading> {
  const name = databaseName(config);
  try {
    const storage = await openStorage(config, { readOnly: true });
    return { reader: storage.reader, name, close: () => storage.close() };
  } catch (error) {
    throw toCliError(error, name);
  }
}

/** Opens the configured chain for writing, creating and migrating it as the server does; a failure names the database. */
export async function openChainForWriting(config: Config): Promise<ChainForWriting> {
  const name = databaseName(config);
  try {
    const storage = await openStorage(config);
    return { repository: storage.repository, name, close: () => storage.close() };
  } catch (error) {
    throw toCliError(error, name);
  }
}

/** Runs `use` on a database, naming it (`databaseName`) in any storage failure `use` throws. */
export async function naming<T>(name: string, use: () => Promise<T> | T): Promise<T> {
  try {
    return await use();
  } catch (error) {
    throw toCliError(error, name);
  }
}

/** Opens the configured chain for reading, runs `use` on it (naming the database in a failure) and closes it. */
export async function withChainForReading<T>(config: Config, use: (chain: ChainForReading) => Promise<T> | T): Promise<T> {
  const chain = await openChainForReading(config);
  try {
    return await naming(chain.name, () => use(chain));
  } finally {
    await chain.close();
  }
}

/** Bytes on disk: the database file and its write-ahead log, whose blocks are not yet copied into the file. */
export function databaseBytes(path: string): number {
  const size = (file: string): number => (existsSync(file) ? statSync(file).size : 0);
  return size(path) + size(`${path}-wal`);
}
