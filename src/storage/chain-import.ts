import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Block } from '../core/block.js';
import { inBatches } from '../shared/in-batches.js';
import { PAGE_DATA_BYTES } from './block-pages.js';
import type { ImportOptions, ImportOutcome } from './chain-repository.js';
import type { StorageErrorTranslation } from './errors.js';
import { TreeFrontier, type TreeNode } from './tree-nodes.js';

/** Blocks written between two turns of the event loop: a few ms of work. */
const IMPORT_BATCH_SIZE = 1000;

/** An import's writes, inside the transaction that holds the chain's write lock. */
interface ImportTransaction {
  tip(): Promise<Block | null>;
  /** Inserts `blocks`, in order. */
  insert(blocks: readonly Block[]): Promise<void>;
  /** Inserts Merkle tree nodes. */
  insertTreeNodes(nodes: readonly TreeNode[]): Promise<void>;
}

/** What an engine gives an import: its write transaction and its statements. */
export interface ImportTarget {
  /**
   * Runs `work` in one transaction holding the write lock: commits what it
   * wrote when it resolves, rolls everything back when it rejects, and
   * rejects with `work`'s error as it is.
   */
  transaction<T>(work: (tx: ImportTransaction) => Promise<T>): Promise<T>;
  /** The engine's translation of its driver's errors. */
  readonly translate: StorageErrorTranslation;
  /** The most blocks one `insert` may take (a statement's parameters are bounded). */
  readonly maxBlocksPerInsert?: number;
}

/**
 * A failure that is not the database's (the source's own, a malformed file or
 * a failed check; an abort's reason): rethrown as it is, never translated.
 */
class NotStorageFailure extends Error {
  constructor(readonly original: unknown) {
    super('not a storage failure', { cause: original });
  }
}

/**
 * An import's batch: `size` blocks, or fewer holding about PAGE_DATA_BYTES of
 * data (counted in UTF-16 code units, which bounds the bytes within 3x), so a
 * chain of large blocks is not held a thousand at a time.
 */
const importBatch = (size: number) => ({ size, weigh: (block: Block) => block.data?.length ?? 0, maxWeight: PAGE_DATA_BYTES });

/** ChainRepository.importChain, on any engine: the emptiness check, the batches, the pauses, the abort, the rollback. */
export async function importChainInto(
  target: ImportTarget,
  chain: Iterable<Block> | AsyncIterable<Block>,
  { batchSize = IMPORT_BATCH_SIZE, signal }: ImportOptions = {},
): Promise<ImportOutcome> {
  signal?.throwIfAborted();
  const size = Math.min(batchSize, target.maxBlocksPerInsert ?? Number.POSITIVE_INFINITY);
  try {
    return await target.transaction(async (tx): Promise<ImportOutcome> => {
      const tip = await tx.tip();
      if (tip !== null) return { status: 'not-empty', length: tip.index + 1 };
      let count = 0;
      let last: Block | null = null;
      const frontier = new TreeFrontier();
      const batches = inBatches(chain, importBatch(size));
      try {
        for (;;) {
          let next: IteratorResult<Block[], void>;
          try {
            next = await batches.next();
          } catch (error) {
            throw new NotStorageFailure(error);
          }
          if (next.done === true) break;
          const batch = next.value;
          await tx.insert(batch);
          // The tree in the same transaction: the database was empty, so it starts empty.
          await tx.insertTreeNodes(batch.flatMap((block) => frontier.append(block.index, block.hash)));
          count += batch.length;
          last = batch[batch.length - 1] ?? last;
          // The event loop runs between batches, so that a signal handler can act; leaving now rolls everything back.
          await nextTurn();
          if (signal?.aborted === true) throw new NotStorageFailure(signal.reason);
        }
      } finally {
        // Leaving early closes the source (a file being read).
        await batches.return();
      }
      return { status: 'imported', count, tip: last };
    });
  } catch (error) {
    if (error instanceof NotStorageFailure) throw error.original;
    throw target.translate(error);
  }
}
