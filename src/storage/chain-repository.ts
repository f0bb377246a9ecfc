import { resolve } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { and, asc, desc, eq, gt, lt, sql } from 'drizzle-orm';
import type { Block } from '../core/block.js';
import type { ChainValidationResult } from '../core/chain-validation.js';
import type { Database } from './database.js';
import { translateErrors } from './errors.js';
import { PAGE_DATA_BYTES, createPageLimit } from './page-limit.js';
import { blocks, chainState } from './schema.js';
import { validateStoredChain } from './stored-chain-validation.js';
import { inBatches } from '../shared/in-batches.js';
import { processMiningTurn, type MiningTurn } from './cluster.js';

export type AppendOutcome =
  | { readonly status: 'appended' }
  /** Another connection wrote since the expectation was taken: nothing was written. */
  | { readonly status: 'stale'; readonly tip: Block | null }
  /** The chain's difficulty was changed (set-difficulty) to another than the block's: nothing was written. */
  | { readonly status: 'difficulty-changed'; readonly difficulty: number };

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

/**
 * The stored chain, whatever the engine. Every method is asynchronous so a
 * network database fits; the SQLite repository answers from better-sqlite3's
 * synchronous calls. Failures come as StorageError.
 */
export interface ChainRepository {
  /** Which engine holds the chain. */
  readonly engine: 'sqlite' | 'postgres';
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
  /** Writes the genesis block if the chain is empty; returns whether it did. */
  initialize(genesis: Block): Promise<boolean>;
  /**
   * Appends `block` in one write transaction if, with the write lock held,
   * the tip is still `expected.tipHash` and no other connection has written
   * since `expected.changeCounter`: a block is never appended to a chain
   * someone changed after it was validated.
   */
  appendAfter(block: Block, expected: AppendExpectation): Promise<AppendOutcome>;
  /**
   * Waits for the turn to mine the next block (see MiningTurn): on PostgreSQL
   * shared by every instance on the database, on SQLite this process's own.
   * Rejects with `signal`'s reason if it aborts first, or a StorageError.
   */
  takeMiningTurn(signal: AbortSignal): Promise<MiningTurn>;
  /**
   * A number that changes whenever another connection (another process
   * included) commits to the database, and never for this repository's own
   * writes. (SQLite: `PRAGMA data_version`; PostgreSQL: a counter of writes
   * kept by a trigger, less this repository's own.)
   */
  externalChangeCounter(): Promise<number>;
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
  /** The difficulty stored with the chain, without storing one: `null` when none is (nor, in an older database, the table for it). */
  storedDifficulty(): Promise<number | null>;
  /** Stores another difficulty for the chain: an operator's deliberate change (each block keeps the difficulty it was mined at). */
  setDifficulty(difficulty: number): Promise<void>;
}

export interface ImportOptions {
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
}

const MAX_INDEX = Number.MAX_SAFE_INTEGER;
/** 64 MiB (negative: in KiB), while a chain is imported. */
const IMPORT_CACHE_SIZE = -65_536;
/**
 * An import's batch: `size` blocks, or fewer holding about PAGE_DATA_BYTES of
 * data (counted in UTF-16 code units, which bounds the bytes within 3x), so a
 * chain of large blocks is not held a thousand at a time.
 */
export const importBatch = (size: number) => ({ size, weigh: (block: Block) => block.data?.length ?? 0, maxWeight: PAGE_DATA_BYTES });

/** Blocks `importChain` inserts between two turns of the event loop: a few ms of work. */
const IMPORT_BATCH_SIZE = 1000;

/** A synchronous storage call as a Promise: its failure (translated) rejects rather than throws. */
function settled<T>(operation: () => T): Promise<T> {
  try {
    return Promise.resolve(translateErrors(operation));
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

export function createChainRepository(database: Database): ChainRepository {
  const db = database.drizzle;
  const file = database.path === ':memory:' || database.path === '' ? null : resolve(database.path);

  const tipStatement = db.select().from(blocks).orderBy(desc(blocks.index)).limit(1).prepare();
  const byIndexStatement = db
    .select()
    .from(blocks)
    .where(eq(blocks.index, sql.placeholder('index')))
    .prepare();
  const byHashStatement = db
    .select()
    .from(blocks)
    .where(eq(blocks.hash, sql.placeholder('hash')))
    .prepare();
  const window = and(gt(blocks.index, sql.placeholder('after')), lt(blocks.index, sql.placeholder('before')));
  const windowStatement = (order: typeof asc | typeof desc) =>
    db.select().from(blocks).where(window).orderBy(order(blocks.index)).limit(sql.placeholder('limit')).prepare();
  const firstInWindowStatement = windowStatement(asc);
  const lastInWindowStatement = windowStatement(desc);

  const readTip = (): Block | null => tipStatement.get() ?? null;
  const pageLimit = createPageLimit(database.client);
  // Prepared once: `client.pragma()` compiles the statement on every call, and this runs on every append and mine.
  const changeCounterStatement = database.client.prepare<[], number>('PRAGMA data_version').pluck();
  const readChangeCounter = (): number => changeCounterStatement.get()!;
  const chainDifficultyStatement = db.select({ difficulty: chainState.difficulty }).from(chainState).prepare();
  const insertStatement = db
    .insert(blocks)
    .values({
      index: sql.placeholder('index'),
      timestamp: sql.placeholder('timestamp'),
      proof: sql.placeholder('proof'),
      previousHash: sql.placeholder('previousHash'),
      hash: sql.placeholder('hash'),
      data: sql.placeholder('data'),
      difficulty: sql.placeholder('difficulty'),
    })
    .prepare();
  const readRange = ({ afterIndex = -1, beforeIndex = MAX_INDEX, limit, from }: BlockRangeQuery): Block[] => {
    const parameters = { after: afterIndex, before: beforeIndex, limit };
    return from === 'first' ? firstInWindowStatement.all(parameters) : lastInWindowStatement.all(parameters).reverse();
  };

  const readPage = (query: BlockRangeQuery): BlockPage =>
    db.transaction(() => ({ blocks: readRange(query), length: (readTip()?.index ?? -1) + 1 }), { behavior: 'deferred' });

  async function importChain(chain: Iterable<Block> | AsyncIterable<Block>, { batchSize = IMPORT_BATCH_SIZE, signal }: ImportOptions = {}) {
    signal?.throwIfAborted();
    const client = database.client;
    // Hashes arrive in random order for the two unique indexes: a bigger page cache
    // spills their pages to the WAL less often (a million blocks: 35 s instead of 48 s).
    const cacheSize = client.pragma('cache_size', { simple: true }) as number;
    client.pragma(`cache_size = ${IMPORT_CACHE_SIZE}`);
    try {
      translateErrors(() => client.exec('BEGIN IMMEDIATE'));
      let committed = false;
      try {
        const tip = translateErrors(readTip);
        if (tip !== null) return { status: 'not-empty', length: tip.index + 1 } as const;
        let count = 0;
        let last: Block | null = null;
        // Only the driver's errors are storage failures; the source's own (a malformed file, a failed check) keep their meaning.
        for await (const batch of inBatches(chain, importBatch(batchSize))) {
          for (const block of batch) translateErrors(() => insertStatement.run({ ...block }));
          count += batch.length;
          last = batch[batch.length - 1] ?? last;
          await nextTurn();
          // Checked where the import paused: leaving now rolls everything back.
          signal?.throwIfAborted();
        }
        translateErrors(() => client.exec('COMMIT'));
        committed = true;
        return { status: 'imported', count, tip: last } as const;
      } finally {
        if (!committed && client.inTransaction) client.exec('ROLLBACK');
      }
    } finally {
      if (client.open) client.pragma(`cache_size = ${cacheSize}`);
    }
  }

  const appendAfter: ChainRepository['appendAfter'] = (block, expected) =>
    settled(() =>
      db.transaction(
        (): AppendOutcome => {
          // Changed on purpose (set-difficulty) while this process ran: it must not append at its old one.
          const stored = chainDifficultyStatement.get()?.difficulty ?? null;
          if (stored !== null && stored !== block.difficulty) return { status: 'difficulty-changed', difficulty: stored };
          const tip = readTip();
          if (tip?.hash !== expected.tipHash || readChangeCounter() !== expected.changeCounter) return { status: 'stale', tip };
          insertStatement.run({ ...block });
          return { status: 'appended' };
        },
        { behavior: 'immediate' },
      ),
    );

  return {
    engine: 'sqlite',
    tip: () => settled(readTip),
    length: () => settled(() => (readTip()?.index ?? -1) + 1),
    blockAt: (index) => settled(() => byIndexStatement.get({ index }) ?? null),
    blockByHash: (hash) => settled(() => byHashStatement.get({ hash }) ?? null),
    range: (query) => settled(() => readRange(query)),
    page: (query) => settled(() => readPage(query)),

    async *batches(batchSize, { from = 0, end = MAX_INDEX } = {}) {
      let afterIndex = from - 1;
      while (afterIndex + 1 < end) {
        const after = afterIndex;
        const batch = await settled(() =>
          readRange({ afterIndex: after, beforeIndex: end, limit: pageLimit(after, end, batchSize), from: 'first' }),
        );
        if (batch.length === 0) return;
        yield batch;
        afterIndex = batch[batch.length - 1]!.index;
      }
    },

    validateOffThread(options = {}) {
      if (file === null) return null;
      const lastIndex = translateErrors(() => readTip()?.index ?? -1);
      return validateStoredChain(file, { lastIndex, ...options });
    },

    initialize: (genesis) =>
      settled(() =>
        db.transaction(
          (tx) => {
            if (readTip() !== null) return false;
            tx.insert(blocks).values(genesis).run();
            return true;
          },
          { behavior: 'immediate' },
        ),
      ),

    appendAfter,
    takeMiningTurn: () => Promise.resolve(processMiningTurn(appendAfter)),

    externalChangeCounter: () => settled(readChangeCounter),
    importChain,

    claimDifficulty: (proposed) =>
      settled(() =>
        db.transaction(
          (tx) => {
            tx.insert(chainState)
              .values({ id: 1, difficulty: proposed })
              .onConflictDoUpdate({
                target: chainState.id,
                set: { difficulty: sql`coalesce(${chainState.difficulty}, excluded.difficulty)` },
              })
              .run();
            return tx.select({ difficulty: chainState.difficulty }).from(chainState).get()?.difficulty ?? proposed;
          },
          { behavior: 'immediate' },
        ),
      ),

    storedDifficulty: () =>
      settled(() => {
        // A database opened read-only is not migrated: an older one has no such table.
        const hasTable =
          database.client.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'chain_state'").get() !== undefined;
        return hasTable ? (db.select({ difficulty: chainState.difficulty }).from(chainState).get()?.difficulty ?? null) : null;
      }),

    setDifficulty: (difficulty) =>
      settled(() => {
        db.insert(chainState).values({ id: 1, difficulty }).onConflictDoUpdate({ target: chainState.id, set: { difficulty } }).run();
      }),
  };
}
