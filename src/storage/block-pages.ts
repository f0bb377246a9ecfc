import type { Block } from '../core/block.js';
import type { BlockRangeQuery, BlockSpan } from './chain-repository.js';

/**
 * Data bytes a page of blocks may hold (at least one block is always read).
 * A block's data may be 1 MiB (DATA_MAX_BYTES at its limit), so a page of
 * 1000 such blocks would be a gigabyte in memory; 1 MiB keeps every reader
 * (validation, `GET /blocks`, export) flat whatever the chain holds, and
 * costs nothing on small blocks (1000 of them hold far less).
 */
export const PAGE_DATA_BYTES = 1024 * 1024;

/** Above every index a chain can hold: the open end of a window. */
const MAX_INDEX = Number.MAX_SAFE_INTEGER;

/** The blocks with `afterIndex < index < beforeIndex`: the lowest `limit` of them, or the highest. */
export interface BlockWindow {
  readonly afterIndex: number;
  readonly beforeIndex: number;
  readonly limit: number;
}

/** A range query's window, its open ends closed. */
const windowOf = ({ afterIndex = -1, beforeIndex = MAX_INDEX, limit }: BlockRangeQuery): BlockWindow => ({
  afterIndex,
  beforeIndex,
  limit,
});

/**
 * `query` read by `read` (one keyset seek, in `order`: the window's lowest
 * blocks ascending, or its highest descending), as blocks in ascending order.
 * Synchronous when `read` is (SQLite, inside a snapshot), a Promise when it is not.
 */
export function readRange<Row>(query: BlockRangeQuery, read: (window: BlockWindow, order: 'ascending' | 'descending') => Row[]): Row[];
export function readRange<Row>(
  query: BlockRangeQuery,
  read: (window: BlockWindow, order: 'ascending' | 'descending') => Promise<Row[]>,
): Promise<Row[]>;
export function readRange<Row>(
  query: BlockRangeQuery,
  read: (window: BlockWindow, order: 'ascending' | 'descending') => Row[] | Promise<Row[]>,
): Row[] | Promise<Row[]> {
  const rows = read(windowOf(query), query.from === 'first' ? 'ascending' : 'descending');
  const ascending = (found: Row[]): Row[] => (query.from === 'first' ? found : found.reverse());
  return rows instanceof Promise ? rows.then(ascending) : ascending(rows);
}

/**
 * The next keyset page of the window, in ascending order: at most `rows`
 * blocks and PAGE_DATA_BYTES of their data, never fewer than one block.
 */
type BoundedPageRead = (afterIndex: number, beforeIndex: number, rows: number) => Promise<Block[]>;

/** The blocks of `span` in index order, a bounded page at a time (ChainReader.batches), each read when asked for. */
export async function* keysetBatches(
  readPage: BoundedPageRead,
  batchSize: number,
  { from = 0, end = MAX_INDEX }: BlockSpan = {},
): AsyncGenerator<Block[], void, undefined> {
  let afterIndex = from - 1;
  while (afterIndex + 1 < end) {
    const batch = await readPage(afterIndex, end, batchSize);
    if (batch.length === 0) return;
    yield batch;
    afterIndex = batch[batch.length - 1]!.index;
  }
}
