interface BatchBounds<T> {
  /** Items per batch at most. */
  readonly size: number;
  /** An item's weight (say, its bytes), and the most a batch may weigh; a batch always holds one item at least. */
  readonly weigh?: (item: T) => number;
  readonly maxWeight?: number;
}

/**
 * `source` in arrays of up to `size` items (and up to `maxWeight` of their
 * weight). A synchronous source is read synchronously within a batch: `for
 * await` over it would cost a turn of the microtask queue per item (a million
 * of them for a long chain).
 */
export async function* inBatches<T>(
  source: Iterable<T> | AsyncIterable<T>,
  { size, weigh = () => 0, maxWeight = Number.POSITIVE_INFINITY }: BatchBounds<T>,
): AsyncGenerator<T[], void, undefined> {
  let batch: T[] = [];
  let weight = 0;
  /** Adds `item`; whether the batch is full. */
  const add = (item: T): boolean => {
    batch.push(item);
    weight += weigh(item);
    return batch.length >= size || weight >= maxWeight;
  };
  const take = (): T[] => {
    const full = batch;
    batch = [];
    weight = 0;
    return full;
  };
  if (Symbol.iterator in source) {
    for (const item of source) if (add(item)) yield take();
  } else {
    for await (const item of source) if (add(item)) yield take();
  }
  if (batch.length > 0) yield take();
}
