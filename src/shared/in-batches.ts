/**
 * `source` in arrays of up to `size` items. A synchronous source is read
 * synchronously within a batch: `for await` over it would cost a turn of the
 * microtask queue per item (a million of them for a long chain).
 */
export async function* inBatches<T>(source: Iterable<T> | AsyncIterable<T>, size: number): AsyncGenerator<T[], void, undefined> {
  let batch: T[] = [];
  if (Symbol.iterator in source) {
    for (const item of source) {
      batch.push(item);
      if (batch.length >= size) {
        yield batch;
        batch = [];
      }
    }
  } else {
    for await (const item of source) {
      batch.push(item);
      if (batch.length >= size) {
        yield batch;
        batch = [];
      }
    }
  }
  if (batch.length > 0) yield batch;
}
