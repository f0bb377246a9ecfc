import { onTestFinished } from 'vitest';
import type { Block } from '../../src/core/block.js';
import { type ChainRepository } from '../../src/storage/chain-repository.js';
import { createSqliteChainRepository } from '../../src/storage/sqlite/chain-repository.js';
import { openSqliteDatabase } from '../../src/storage/sqlite/database.js';
import { createPostgresChainRepository } from '../../src/storage/postgres/chain-repository.js';
import { openPostgresDatabase } from '../../src/storage/postgres/database.js';
import { freshPostgresUrl, postgresQuery, type EngineName } from './postgres.js';
import type { Config } from '../../src/config.js';
import { secondConnection, tamper as tamperSqlite, tempDatabasePath } from './temp-database.js';

/** A repository on a fresh database of one engine, and ways to write behind its back. Closed when the test finishes. */
export interface StorageFixture {
  readonly engine: EngineName;
  readonly repository: ChainRepository;
  /** Where the database is: a file path (SQLite) or a connection string (PostgreSQL). */
  readonly location: string;
  /** Runs SQL on another connection, as another process or a shell would (placeholders: $1, $2, ... on both engines). */
  readonly execute: (sql: string, values?: readonly unknown[]) => Promise<void>;
  /** Inserts a row on another connection, bypassing the repository. */
  readonly insertDirectly: (block: Block) => Promise<void>;
  /** Drops the triggers that keep rows immutable, then runs `sql` on another connection (a tamperer with full rights). */
  readonly tamper: (sql: string) => Promise<void>;
  /** Drops the triggers that hold inserts to the tip and its link (leaving the constraints). */
  readonly dropInsertTriggers: () => Promise<void>;
  /** Blocks stored, as another connection counts them (it sees only committed rows). */
  readonly countDirectly: () => Promise<number>;
}

const INSERT =
  'INSERT INTO blocks (block_index, timestamp, proof, previous_hash, hash, data, difficulty) VALUES ($1, $2, $3, $4, $5, $6, $7)';
const row = (block: Block) => [block.index, block.timestamp, block.proof, block.previousHash, block.hash, block.data, block.difficulty];

export async function openStorageFixture(engine: EngineName): Promise<StorageFixture> {
  if (engine === 'sqlite') {
    const path = tempDatabasePath();
    const database = openSqliteDatabase(path);
    onTestFinished(() => database.close());
    /** Runs `use` on a connection of its own, as a Promise like PostgreSQL's (a failure rejects). */
    const onSecondConnection = <T>(use: (connection: ReturnType<typeof secondConnection>) => T): Promise<T> => {
      const connection = secondConnection(path);
      try {
        return Promise.resolve(use(connection));
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      } finally {
        connection.close();
      }
    };
    // Placeholders are written $1, $2, ... in order: SQLite's `?`.
    const execute = (sql: string, values: readonly unknown[] = []): Promise<void> =>
      onSecondConnection((connection) => void connection.prepare(sql.replace(/\$\d+/g, '?')).run(...values));
    return {
      engine,
      repository: createSqliteChainRepository(database),
      location: path,
      execute,
      insertDirectly: (block) => execute(INSERT, row(block)),
      dropInsertTriggers: () => execute('DROP TRIGGER blocks_append_at_tip').then(() => execute('DROP TRIGGER blocks_link_to_predecessor')),
      countDirectly: () => onSecondConnection((connection) => connection.prepare<[], number>('SELECT count(*) FROM blocks').pluck().get()!),
      tamper: (sql) =>
        onSecondConnection(
          (connection) => void connection.exec(`DROP TRIGGER IF EXISTS blocks_no_update; DROP TRIGGER IF EXISTS blocks_no_delete; ${sql}`),
        ),
    };
  }
  const url = await freshPostgresUrl();
  const database = await openPostgresDatabase(url, { poolSize: 4 });
  onTestFinished(() => database.close());
  const execute = async (sql: string, values: readonly unknown[] = []): Promise<void> => {
    await postgresQuery(url, sql, [...values]);
  };
  return {
    engine,
    repository: createPostgresChainRepository(database),
    location: url,
    execute,
    insertDirectly: (block) => execute(INSERT, row(block)),
    tamper: (sql) => execute(`DROP TRIGGER IF EXISTS blocks_no_update_or_delete ON blocks; ${sql}`),
    dropInsertTriggers: () => execute('DROP TRIGGER blocks_append_at_tip ON blocks'),
    countDirectly: async () => Number((await postgresQuery<{ count: string }>(url, 'SELECT count(*) FROM blocks'))[0]!.count),
  };
}

/** A fresh database of one engine for an app or server: the config that names it, and a tamperer's access to it. */
export interface TestDatabase {
  readonly config: Pick<Config, 'databasePath' | 'databaseUrl'>;
  /** Drops the triggers that keep rows immutable, then runs `sql` on another connection. */
  tamper(sql: string): Promise<void>;
}

export async function testDatabase(engine: EngineName): Promise<TestDatabase> {
  if (engine === 'sqlite') {
    const path = tempDatabasePath();
    return { config: { databasePath: path, databaseUrl: null }, tamper: (sql) => Promise.resolve(tamperSqlite(path, sql)) };
  }
  const url = await freshPostgresUrl();
  return {
    config: { databasePath: '', databaseUrl: url },
    tamper: async (sql) => {
      await postgresQuery(url, `DROP TRIGGER IF EXISTS blocks_no_update_or_delete ON blocks; ${sql}`);
    },
  };
}
