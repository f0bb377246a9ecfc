import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig, type Config } from '../config.js';
import { openDatabase, type Database } from '../storage/database.js';
import { CliError, toCliError } from './errors.js';
import type { CliIo } from './io.js';

/** The configuration, with `--db` in place of DATABASE_PATH when given. */
export function cliConfig(io: CliIo, databasePath: string | undefined): Config {
  return loadConfig(databasePath === undefined ? io.env : { ...io.env, DATABASE_PATH: databasePath });
}

/**
 * Opens an existing database for reading only: a read never creates a file,
 * migrates it or writes to it, and a path that is not a ledger database says so
 * (DATABASE_MISSING, DATABASE_INVALID, DATABASE_DAMAGED: exit 2, naming the path).
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
    throw toCliError(error, path);
  }
}

/** Opens the database for writing, creating and migrating it as the server does; a failure names the path. */
export function openDatabaseForWriting(path: string): Database {
  try {
    return openDatabase(path);
  } catch (error) {
    throw toCliError(error, path);
  }
}

/** Runs `use` on a database, naming its path in any storage failure `use` throws. */
export async function naming<T>(path: string, use: () => Promise<T> | T): Promise<T> {
  try {
    return await use();
  } catch (error) {
    throw toCliError(error, path);
  }
}

/** Opens the database for reading, runs `use` on it (naming its path in a failure) and closes it. */
export async function withDatabaseForReading<T>(path: string, use: (database: Database) => Promise<T> | T): Promise<T> {
  const database = openDatabaseForReading(path);
  try {
    return await naming(path, () => use(database));
  } finally {
    database.close();
  }
}

/** Bytes on disk: the database file and its write-ahead log, whose blocks are not yet copied into the file. */
export function databaseBytes(path: string): number {
  const size = (file: string): number => (existsSync(file) ? statSync(file).size : 0);
  return size(path) + size(`${path}-wal`);
}
