import { resolve } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { and, asc, desc, eq, gt, lt, sql } from 'drizzle-orm';
import type { Block } from '../core/block.js';
import type { ChainValidationResult } from '../core/chain-validation.js';
import type { Database } from './database.js';
import { translateErrors } from './errors.js';
import { createPageLimit } from './page-limit.js';
import { blocks } from './schema.js';
import { validateStoredChain } from './stored-chain-validation.js';

export type AppendOutcome =
  | { readonly status: 'appended' }
  /** Another connection wrote since the expectation was taken: nothing was written. */
  | { readonly status: 'stale'; readonly tip: Block | null };

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

export interface ChainRepository {
  tip(): Block | null;
  /** Number of blocks; indices are contiguous from 0, so this is the tip's index + 1. */
  length(): number;
  blockAt(index: number): Block | null;
  blockByHash(hash: string): Block | null;
  range(query: BlockRangeQuery): Block[];
  /**
   * The chain in index order, at most `batchSize` blocks at a time (keyset, no
   * OFFSET) and at most PAGE_DATA_BYTES of data (fewer blocks when they are
   * large, never fewer than one): the whole of it, or the blocks with index
   * in [`from`, `end`).
   */
  batches(batchSize: number, span?: BlockSpan): Generator<Block[], void, undefined>;
  /**
   * Validates the whole stored chain on worker threads with their own
   * read-only connections, so the event loop stays free (same result as
   * feeding `batches` to a validator); `null` for an in-memory database,
   * which no other connection can open.
   */
  validateOffThread(options?: {
    readonly maxReportedProblems?: number | undefined;
    readonly signal?: AbortSignal | undefined;
  }): Promise<ChainValidationResult> | null;
  /** Runs `read` on one consistent snapshot of the database. */
  snapshot<T>(read: () => T): T;
  /** Writes the genesis block if the chain is empty; returns whether it did. */
  initialize(genesis: Block): boolean;
  /**
   * Appends `block` in one `BEGIN IMMEDIATE` transaction if, with the write
   * lock held, the tip is still `expected.tipHash` and no other connection has
   * written since `expected.changeCounter`: a block is never appended to a
   * chain someone changed after it was validated.
   */
  appendAfter(block: Block, expected: AppendExpectation): AppendOutcome;
  /**
   * A number that changes whenever another connection (another process
   * included) commits to the database, and never for this connection's own
   * writes. (SQLite: `PRAGMA data_version`; a PostgreSQL backend would keep a
   * counter bumped by a trigger.)
   */
  externalChangeCounter(): number;
  /**
   * Writes `blocks`, in order, into an empty database in one `BEGIN IMMEDIATE`
   * transaction; emptiness is checked with the write lock held. Anything
   * `blocks` throws (say, a check run while reading them) rolls back
   * everything and is rethrown as it is; database failures come as
   * StorageError. Validating the chain is the caller's job (the triggers
   * still refuse blocks out of order or not linked to the one before).
   */
  importChain(blocks: Iterable<Block>): ImportOutcome;
  /**
   * `importChain` (the same one transaction, the same outcome), letting the
   * event loop run between batches of `batchSize` blocks (1000), so that a
   * signal handler can act: once `signal` aborts, the import stops at the
   * next batch, rolls everything back, and rejects with the signal's reason.
   */
  importChainInBatches(blocks: Iterable<Block>, options?: ImportOptions): Promise<ImportOutcome>;
}

export interface ImportOptions {
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
}

const MAX_INDEX = Number.MAX_SAFE_INTEGER;
/** 64 MiB (negative: in KiB), while a chain is imported. */
const IMPORT_CACHE_SIZE = -65_536;
/** Blocks `importChainInBatches` inserts between two turns of the event loop: a few ms of work. */
const IMPORT_BATCH_SIZE = 1000;

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

  /**
   * The import transaction, pausing (yielding) after every `batchSize` blocks.
   * Leaving it early, by an error from `chain` or one thrown in at a pause,
   * rolls everything back.
   */
  function* importing(chain: Iterable<Block>, batchSize: number): Generator<undefined, ImportOutcome, undefined> {
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
        if (tip !== null) return { status: 'not-empty', length: tip.index + 1 };
        let count = 0;
        let last: Block | null = null;
        // Only the driver's errors are storage failures; the source's own (a malformed file, a failed check) keep their meaning.
        for (const block of chain) {
          translateErrors(() => insertStatement.run({ ...block }));
          count += 1;
          last = block;
          if (count % batchSize === 0) yield;
        }
        translateErrors(() => client.exec('COMMIT'));
        committed = true;
        return { status: 'imported', count, tip: last };
      } finally {
        if (!committed && client.inTransaction) client.exec('ROLLBACK');
      }
    } finally {
      if (client.open) client.pragma(`cache_size = ${cacheSize}`);
    }
  }

  return {
    tip: () => translateErrors(readTip),
    length: () => translateErrors(() => (readTip()?.index ?? -1) + 1),
    blockAt: (index) => translateErrors(() => byIndexStatement.get({ index }) ?? null),
    blockByHash: (hash) => translateErrors(() => byHashStatement.get({ hash }) ?? null),
    range: (query) => translateErrors(() => readRange(query)),

    *batches(batchSize, { from = 0, end = MAX_INDEX } = {}) {
      let afterIndex = from - 1;
      while (afterIndex + 1 < end) {
        const batch = translateErrors(() =>
          readRange({ afterIndex, beforeIndex: end, limit: pageLimit(afterIndex, end, batchSize), from: 'first' }),
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

    snapshot: (read) => translateErrors(() => db.transaction(() => read(), { behavior: 'deferred' })),

    initialize: (genesis) =>
      translateErrors(() =>
        db.transaction(
          (tx) => {
            if (readTip() !== null) return false;
            tx.insert(blocks).values(genesis).run();
            return true;
          },
          { behavior: 'immediate' },
        ),
      ),

    appendAfter: (block, expected) =>
      translateErrors(() =>
        db.transaction(
          (): AppendOutcome => {
            const tip = readTip();
            if (tip?.hash !== expected.tipHash || readChangeCounter() !== expected.changeCounter) return { status: 'stale', tip };
            insertStatement.run({ ...block });
            return { status: 'appended' };
          },
          { behavior: 'immediate' },
        ),
      ),

    externalChangeCounter: () => translateErrors(readChangeCounter),

    importChain(chain) {
      const steps = importing(chain, Number.POSITIVE_INFINITY);
      for (;;) {
        const step = steps.next();
        if (step.done) return step.value;
      }
    },

    async importChainInBatches(chain, { batchSize = IMPORT_BATCH_SIZE, signal } = {}) {
      signal?.throwIfAborted();
      const steps = importing(chain, batchSize);
      for (;;) {
        const step = steps.next();
        if (step.done) return step.value;
        await nextTurn();
        // Thrown in where the import paused: it rolls back, and the reason comes back out.
        if (signal?.aborted === true) steps.throw(signal.reason);
      }
    },
  };
}
