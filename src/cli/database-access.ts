import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig, type Config } from '../config.js';
import { createChainRepository, type ChainRepository } from '../storage/chain-repository.js';
import { openDatabase, type Database } from '../storage/database.js';
import { createPostgresChainRepository } from '../storage/postgres/chain-repository.js';
import { describePostgresUrl, openPostgres, type PostgresDatabase } from '../storage/postgres/database.js';
import { translatePostgresErrors } from '../storage/postgres/errors.js';
import { openStorage } from '../storage/open-storage.js';
import { CliError, toCliError } from './errors.js';
import type { CliIo } from './io.js';

/** Where a command's database is: `--db` or `--database-url`, else the environment's DATABASE_PATH or DATABASE_URL. */
export interface DatabaseOptions {
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
export function databaseName(config: Pick<Config, 'databasePath' | 'databaseUrl'>): string {
  return config.databaseUrl === null ? resolve(config.databasePath) : `PostgreSQL ${describePostgresUrl(config.databaseUrl)}`;
}

/** A chain opened by a command; `name` as in `databaseName`. */
export interface OpenedChain {
  readonly repository: ChainRepository;
  readonly name: string;
  close(): Promise<void>;
}

/**
 * Opens an existing SQLite database for reading only: a read never creates a
 * file, migrates it or writes to it, and a path that is not a ledger database
 * says so (DATABASE_MISSING, DATABASE_INVALID, DATABASE_DAMAGED: exit 2,
 * naming the path).
 */
export function openDatabaseForReading(path: string): Database {
  if (!existsSync(path)) {
    throw new CliError('DATABASE_MISSING', `No database at ${resolve(path)} (set DATABASE_PATH or pass --db).`);
  }
  if (!statSync(path).isFile()) throw new CliError('DATABASE_INVALID', `${resolve(path)} is not a database file.`);
  let database: Database | null = null;
  try {
    database = openDatabase(path, { readOnly: true, busyTimeoutMs: 5000 });
    // The first read of the file: a file that is not SQLite fails here.
    const hasBlocks =
      database.client.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'blocks'").pluck().get() !== undefined;
    if (!hasBlocks)
      throw new CliError('DATABASE_INVALID', `${resolve(path)} is a SQLite database but not a ledger's: it has no blocks table.`);
    return database;
  } catch (error) {
    database?.close();
    throw toCliError(error, resolve(path));
  }
}

/**
 * Opens the configured chain for reading: a SQLite file as
 * `openDatabaseForReading` does, or a PostgreSQL database without migrating
 * it (one that holds no ledger is DATABASE_INVALID).
 */
export async function openChainForReading(config: Config): Promise<OpenedChain> {
  const name = databaseName(config);
  if (config.databaseUrl === null) {
    const database = openDatabaseForReading(config.databasePath);
    return { repository: createChainRepository(database), name, close: () => Promise.resolve(database.close()) };
  }
  let database: PostgresDatabase | null = null;
  try {
    database = await openPostgres(config.databaseUrl, {
      readOnly: true,
      poolSize: 2,
      statementTimeoutMs: config.databaseStatementTimeoutMs,
    });
    const opened = database;
    const { rows } = await translatePostgresErrors(() =>
      opened.pool.query<{ found: string | null }>("SELECT to_regclass('blocks')::text AS found"),
    );
    if (rows[0]?.found == null) throw new CliError('DATABASE_INVALID', `${name} holds no ledger: it has no blocks table.`);
    return { repository: createPostgresChainRepository(opened), name, close: () => opened.close() };
  } catch (error) {
    // An open pool would keep the process alive.
    await database?.close();
    throw toCliError(error, name);
  }
}

/** Opens the configured chain for writing, creating and migrating it as the server does; a failure names the database. */
export async function openChainForWriting(config: Config): Promise<OpenedChain> {
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
export async function withChainForReading<T>(config: Config, use: (chain: OpenedChain) => Promise<T> | T): Promise<T> {
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
