import { sql } from 'drizzle-orm';
import { bigint, check, customType, integer, pgTable, primaryKey, smallint, text } from 'drizzle-orm/pg-core';

/**
 * The PostgreSQL twin of src/storage/schema.ts (Drizzle has no
 * dialect-neutral tables; the repository interface is the seam). Indices and
 * proofs are `bigint` read as JS numbers: both stay far below 2^53. With the
 * triggers of the custom migration (append only at the tip, linked to the row
 * before it, no UPDATE, DELETE or TRUNCATE), the unique `previous_hash` makes a
 * fork impossible at the database level.
 */
export const blocks = pgTable(
  'blocks',
  {
    index: bigint('block_index', { mode: 'number' }).primaryKey(),
    timestamp: text('timestamp').notNull(),
    proof: bigint('proof', { mode: 'number' }).notNull(),
    previousHash: text('previous_hash').notNull().unique(),
    hash: text('hash').notNull().unique(),
    data: text('data'),
    difficulty: integer('difficulty').notNull(),
  },
  (table) => [
    check('blocks_index_non_negative', sql`${table.index} >= 0`),
    check('blocks_genesis_links_to_zero', sql`${table.index} <> 0 OR ${table.previousHash} = '0'`),
    check('blocks_proof_non_negative', sql`${table.proof} >= 0`),
    check('blocks_hash_is_sha256_hex', sql`${table.hash} ~ '^[0-9a-f]{64}$'`),
    check('blocks_difficulty_range', sql`${table.difficulty} BETWEEN 1 AND 64`),
  ],
);

/**
 * One row (id 1) about the chain as a whole. `changes` counts write
 * statements on `blocks` (a trigger bumps it, in the writer's transaction),
 * which is how a process notices that another one wrote. `difficulty` is the
 * chain's: a process configured with another refuses to mine.
 */
export const chainState = pgTable(
  'chain_state',
  {
    id: smallint('id').primaryKey(),
    changes: bigint('changes', { mode: 'number' }).notNull().default(0),
    difficulty: integer('difficulty'),
  },
  (table) => [
    check('chain_state_single_row', sql`${table.id} = 1`),
    check('chain_state_difficulty_range', sql`${table.difficulty} BETWEEN 1 AND 64`),
  ],
);

/** The idempotency key a client gave the mine that produced a block (see the SQLite schema). */
export const idempotencyKeys = pgTable('idempotency_keys', {
  key: text('key').primaryKey(),
  blockIndex: bigint('block_index', { mode: 'number' })
    .notNull()
    .unique()
    .references(() => blocks.index),
});

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

/** The Merkle tree over the chain (see the SQLite schema). */
export const treeNodes = pgTable(
  'tree_nodes',
  {
    level: smallint('level').notNull(),
    index: bigint('node_index', { mode: 'number' }).notNull(),
    hash: bytea('hash').notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.level, table.index] }),
    check('tree_nodes_level_range', sql`${table.level} BETWEEN 0 AND 63`),
    check('tree_nodes_hash_length', sql`octet_length(${table.hash}) = 32`),
  ],
);
