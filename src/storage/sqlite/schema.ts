import { sql } from 'drizzle-orm';
import { blob, check, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * One row per block. `block_index` is the rowid, so lookups by index, the tip
 * (`ORDER BY block_index DESC LIMIT 1`) and keyset pages are B-tree seeks.
 * Together with the triggers in migration 0001 (append only at the tip, linked
 * to the row before it, no UPDATE or DELETE), the unique `previous_hash` makes a
 * fork impossible at the database level.
 */
export const blocks = sqliteTable(
  'blocks',
  {
    index: integer('block_index').primaryKey(),
    timestamp: text('timestamp').notNull(),
    proof: integer('proof').notNull(),
    previousHash: text('previous_hash').notNull().unique(),
    hash: text('hash').notNull().unique(),
    data: text('data'),
    difficulty: integer('difficulty').notNull(),
  },
  (table) => [
    check('blocks_index_non_negative', sql`${table.index} >= 0`),
    check('blocks_genesis_links_to_zero', sql`${table.index} <> 0 OR ${table.previousHash} = '0'`),
    check('blocks_proof_is_integer', sql`typeof(${table.proof}) = 'integer'`),
    check('blocks_hash_is_sha256_hex', sql`length(${table.hash}) = 64 AND ${table.hash} NOT GLOB '*[^0-9a-f]*'`),
    check('blocks_difficulty_range', sql`${table.difficulty} BETWEEN 1 AND 64`),
  ],
);

export type BlockRow = typeof blocks.$inferSelect;

/**
 * One row (id 1) about the chain as a whole: the difficulty it is mined at.
 * A process configured with another refuses to mine (see the ledger).
 */
export const chainState = sqliteTable(
  'chain_state',
  {
    id: integer('id').primaryKey(),
    difficulty: integer('difficulty'),
  },
  (table) => [
    check('chain_state_single_row', sql`${table.id} = 1`),
    check('chain_state_difficulty_range', sql`${table.difficulty} BETWEEN 1 AND 64`),
  ],
);

/**
 * The idempotency key a client gave the mine that produced a block, kept as
 * long as the block (blocks are never deleted): a retry with the same key
 * gets the stored block instead of a second one. Not part of the block, its
 * hash or chain files. One key per block, one block per key.
 */
export const idempotencyKeys = sqliteTable('idempotency_keys', {
  key: text('key').primaryKey(),
  blockIndex: integer('block_index')
    .notNull()
    .unique()
    .references(() => blocks.index),
});

/**
 * The Merkle tree over the chain (RFC 9162; src/core/merkle.ts): the hash of
 * each complete subtree, level 0 holding the leaves (block i's hash). Written
 * in the transaction that appends the block completing it, so every stored
 * hash is final and serves every later tree size.
 */
export const treeNodes = sqliteTable(
  'tree_nodes',
  {
    level: integer('level').notNull(),
    index: integer('node_index').notNull(),
    hash: blob('hash', { mode: 'buffer' }).notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.level, table.index] }),
    check('tree_nodes_level_range', sql`${table.level} BETWEEN 0 AND 63`),
    check('tree_nodes_hash_length', sql`length(${table.hash}) = 32`),
  ],
);
