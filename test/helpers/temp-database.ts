import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import type { Block } from '../../src/core/block.js';
import { TreeFrontier } from '../../src/storage/tree-nodes.js';
import { openSqliteDatabase } from '../../src/storage/sqlite/database.js';
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

/**
 * A database file of a test's own holding `blocks` (say, a long chain from
 * buildChain), created and migrated as the server does, then written in one
 * transaction (the triggers still check every row).
 */
export function tempChainDatabase(blocks: readonly Block[]): string {
  const path = tempDatabasePath();
  writeChainDatabase(path, blocks);
  return path;
}

/** Creates (or opens) the database at `path` as the server does and appends `blocks` in one transaction, synchronously. */
export function writeChainDatabase(path: string, blocks: readonly Block[]): void {
  const database = openSqliteDatabase(path);
  try {
    const insert = database.client.prepare(
      'INSERT INTO blocks (block_index, timestamp, proof, previous_hash, hash, data, difficulty) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    // With its Merkle tree, as the repository writes it: a database this version made.
    const insertNode = database.client.prepare('INSERT INTO tree_nodes (level, node_index, hash) VALUES (?, ?, ?)');
    const frontier = new TreeFrontier();
    database.client.transaction(() => {
      for (const block of blocks) {
        insert.run(block.index, block.timestamp, block.proof, block.previousHash, block.hash, block.data, block.difficulty);
        for (const node of frontier.append(block.index, block.hash)) insertNode.run(node.level, node.index, node.hash);
      }
    })();
  } finally {
    database.close();
  }
}

/** Overwrites the root page of a table or index with garbage. */
export function damageRootPage(path: string, name: string): void {
  const inspect = new Sqlite(path, { readonly: true });
  const { rootpage } = inspect.prepare('SELECT rootpage FROM sqlite_master WHERE name = ?').get(name) as { rootpage: number };
  const pageSize = inspect.pragma('page_size', { simple: true }) as number;
  inspect.close();
  const file = openSync(path, 'r+');
  writeSync(file, Buffer.alloc(512, 0xa5), 0, 512, (rootpage - 1) * pageSize);
  closeSync(file);
}
