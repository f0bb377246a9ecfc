import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import type { Block } from '../../src/core/block.js';
import { createChainRepository } from '../../src/storage/chain-repository.js';
import { openDatabase } from '../../src/storage/database.js';
import { onTestFinished } from 'vitest';

/** A fresh directory for one test, removed when the test finishes. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-test-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Path of a database file in a fresh directory: every test gets its own. */
export function tempDatabasePath(): string {
  return join(tempDir(), 'chain.db');
}

/**
 * A second, independent connection to the same file, as another process or
 * the sqlite3 shell would have. Closed when the test finishes.
 */
export function secondConnection(path: string): Sqlite.Database {
  const connection = new Sqlite(path);
  connection.pragma('busy_timeout = 5000');
  onTestFinished(() => {
    if (connection.open) connection.close();
  });
  return connection;
}

/** Tampers like an attacker with file access: drops the append-only guard, then runs `sql`. */
export function tamper(path: string, sql: string): void {
  const connection = secondConnection(path);
  connection.exec(`DROP TRIGGER IF EXISTS blocks_no_update; DROP TRIGGER IF EXISTS blocks_no_delete; ${sql}`);
  connection.close();
}

/** A database file of a test's own holding `blocks` (say, a long chain from buildChain), written in one transaction. */
export function tempChainDatabase(blocks: readonly Block[]): string {
  const path = tempDatabasePath();
  const database = openDatabase(path);
  try {
    createChainRepository(database).importChain(blocks);
  } finally {
    database.close();
  }
  return path;
}
