import type { Block } from '../core/block.js';
import type { ChainValidationResult } from '../core/chain-validation.js';
import type { NodeId } from '../core/merkle.js';
import type { TreeNode } from './tree-nodes.js';

/**
 * The stored chain as the rest of the server sees it, whatever the engine:
 * `ChainReader` for reads, `ChainRepository` for reads and writes. Every
 * method is asynchronous so a network database fits (SQLite answers from
 * better-sqlite3's synchronous calls); failures come as StorageError.
 * Each engine implements it in its own folder (`sqlite/`, `postgres/`), with
 * the logic both share in this folder; `open-storage.ts` picks one.
 */

export type StorageEngine = 'sqlite' | 'postgres';

export type AppendOutcome =
  | { readonly status: 'appended' }
  /** Another connection wrote since the expectation was taken: nothing was written. */
  | { readonly status: 'stale'; readonly tip: Block | null }
  /** The chain's difficulty was changed (set-difficulty) to another than the block's: nothing was written. */
  | { readonly status: 'difficulty-changed'; readonly difficulty: number }
  /** The idempotency key given with the block already produced `block`: nothing was written. */
  | { readonly status: 'key-used'; readonly block: Block };

export type ImportOutcome =
  | { readonly status: 'imported'; readonly count: number; readonly tip: Block | null }
  /** The database already held blocks: nothing was written. */
  | { readonly status: 'not-empty'; readonly length: number };

/** What the appender believes holds; checked while the write lock is held. */
export interface AppendExpectation {
  /** Hash of the current tip, which the new block links to. */
  readonly tipHash: string;
  /** `externalChangeCounter()` when the chain was last validated. */
  readonly changeCounter: number;
}

export interface BlockRangeQuery {
  /** Only blocks with a greater index. */
  readonly afterIndex?: number;
  /** Only blocks with a smaller index. */
  readonly beforeIndex?: number;
  readonly limit: number;
  /** `first`: the lowest indices of the range; `last`: the highest. Results are ascending either way. */
  readonly from: 'first' | 'last';
}

/** Indices `from` (inclusive) to `end` (exclusive). */
export interface BlockSpan {
  readonly from?: number;
  readonly end?: number;
}

export interface BlockPage {
  readonly blocks: Block[];
  /** Length of the whole chain when the page was read (same snapshot as the blocks). */
  readonly length: number;
}

export interface ImportOptions {
  /** Blocks written between two turns of the event loop (1000). */
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
}

/** Reads of the stored chain: all that a read-only command may do. */
export interface ChainReader {
  /** Which engine holds the chain. */
  readonly engine: StorageEngine;
  tip(): Promise<Block | null>;
  /** Number of blocks; indices are contiguous from 0, so this is the tip's index + 1. */
  length(): Promise<number>;
  blockAt(index: number): Promise<Block | null>;
  blockByHash(hash: string): Promise<Block | null>;
  range(query: BlockRangeQuery): Promise<Block[]>;
  /** `range(query)` and the chain's length, read from one consistent snapshot. */
  page(query: BlockRangeQuery): Promise<BlockPage>;
  /**
   * The chain in index order, at most `batchSize` blocks at a time (keyset, no
   * OFFSET) and at most PAGE_DATA_BYTES of data (fewer blocks when they are
   * large, never fewer than one): the whole of it, or the blocks with index
   * in [`from`, `end`). Each batch is read when asked for.
   */
  batches(batchSize: number, span?: BlockSpan): AsyncGenerator<Block[], void, undefined>;
  /**
   * Validates the whole stored chain on worker threads with their own
   * read-only connections, so the event loop stays free (same result as
   * feeding `batches` to a validator); `null` where no other connection can
   * open the database (SQLite in memory) or the engine has no such path.
   */
  validateOffThread(options?: {
    readonly maxReportedProblems?: number | undefined;
    readonly signal?: AbortSignal | undefined;
  }): Promise<ChainValidationResult> | null;
  /**
   * A number that changes whenever another connection (another process
   * included) commits to the database, and never for this repository's own
   * writes. (SQLite: `PRAGMA data_version`; PostgreSQL: a counter of writes
   * kept by a trigger, less this repository's own.)
   */
  externalChangeCounter(): Promise<number>;
  /** The difficulty stored with the chain, without storing one: `null` when none is (nor, in an older database, the table for it). */
  storedDifficulty(): Promise<number | null>;
  /** Leaves the stored Merkle tree covers: the chain's length once the tree is built (`extendTree`). */
  treeSize(): Promise<number>;
  /** The stored tree nodes among `nodes`, in one read (missing ones are left out). */
  treeNodes(nodes: readonly NodeId[]): Promise<TreeNode[]>;
}

/** How far the tree covers the chain after an `extendTree` step. */
export interface TreeProgress {
  /** Leaves the tree covers. */
  readonly size: number;
  /** The chain's length. */
  readonly length: number;
  /** Leaves this step added (0: the tree already covered the chain). */
  readonly added: number;
}

/** Reads and writes of the stored chain. */
export interface ChainRepository extends ChainReader {
  /** Writes the genesis block if the chain is empty; returns whether it did. */
  initialize(genesis: Block): Promise<boolean>;
  /**
   * Appends `block` in one write transaction if, with the write lock held,
   * the tip is still `expected.tipHash` and no other connection has written
   * since `expected.changeCounter`: a block is never appended to a chain
   * someone changed after it was validated. With an `idempotencyKey`, the key
   * is stored with the block in the same transaction, unless it already
   * produced a block (`key-used`).
   */
  appendAfter(block: Block, expected: AppendExpectation, idempotencyKey?: string | null): Promise<AppendOutcome>;
  /** The block a mine given `key` produced, or null. */
  blockByIdempotencyKey(key: string): Promise<Block | null>;
  /**
   * Waits for the turn to mine the next block (see MiningTurn): on PostgreSQL
   * shared by every instance on the database, on SQLite this process's own.
   * Rejects with `signal`'s reason if it aborts first, or a StorageError.
   */
  takeMiningTurn(signal: AbortSignal): Promise<MiningTurn>;
  /**
   * Writes `blocks`, in order, into an empty database in one transaction;
   * emptiness is checked with the write lock held. Anything `blocks` throws
   * (say, a check run while reading them) rolls back everything and is
   * rethrown as it is; database failures come as StorageError. Validating the
   * chain is the caller's job (the triggers still refuse blocks out of order
   * or not linked to the one before). The event loop runs between batches of
   * `batchSize` blocks (1000), so that a signal handler can act: once `signal`
   * aborts, the import stops at the next batch, rolls everything back, and
   * rejects with the signal's reason.
   */
  importChain(blocks: Iterable<Block> | AsyncIterable<Block>, options?: ImportOptions): Promise<ImportOutcome>;
  /**
   * The difficulty stored with the chain, which new blocks are mined at. When
   * none is stored yet (a new chain, or one older than this rule), stores
   * `proposed` first, atomically: of processes starting together, the first wins.
   */
  claimDifficulty(proposed: number): Promise<number>;
  /** Stores another difficulty for the chain: an operator's deliberate change (each block keeps the difficulty it was mined at). */
  setDifficulty(difficulty: number): Promise<void>;
  /**
   * Adds the tree nodes of up to `maxLeaves` blocks the tree does not cover
   * yet (a chain older than the tree), in one write transaction: call until
   * `size` reaches `length`. Processes building at once take turns and never
   * write a node twice; appends meanwhile are covered too.
   */
  extendTree(maxLeaves: number): Promise<TreeProgress>;
}

/**
 * The right to mine the next block. On PostgreSQL it is cluster-wide: one
 * instance at a time holds it, and appends on the connection holding it, so
 * an instance that lost its turn cannot append. On SQLite it is this process's
 * own (the write lock still orders other processes' writes).
 */
export interface MiningTurn {
  /** Aborts when the turn is lost (its connection failed, its lease ran out): stop searching and take another. */
  readonly lost: AbortSignal;
  /** The repository's `appendAfter`, while holding the turn. */
  appendAfter(block: Block, expected: AppendExpectation, idempotencyKey?: string | null): Promise<AppendOutcome>;
  /** Gives the turn back. Never rejects. */
  release(): Promise<void>;
}
