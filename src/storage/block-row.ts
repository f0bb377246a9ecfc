import type { Block } from '../core/block.js';

/**
 * A `blocks` row as a driver returns it from raw SQL: snake_case columns,
 * and bigint columns as strings from PostgreSQL (as numbers from SQLite).
 */
export interface BlockRow {
  readonly block_index: number | string;
  readonly timestamp: string;
  readonly proof: number | string;
  readonly previous_hash: string;
  readonly hash: string;
  readonly data: string | null;
  readonly difficulty: number;
}

/** A stored row as a block; indices and proofs stay far below 2^53, so Number() is exact. */
export const blockFromRow = (row: BlockRow): Block => ({
  index: Number(row.block_index),
  timestamp: row.timestamp,
  proof: Number(row.proof),
  previousHash: row.previous_hash,
  hash: row.hash,
  data: row.data,
  difficulty: row.difficulty,
});
