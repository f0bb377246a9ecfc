import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { inBatches } from '../../src/shared/in-batches.js';

async function batchesOf<T>(source: Iterable<T> | AsyncIterable<T>, bounds: Parameters<typeof inBatches<T>>[1]): Promise<T[][]> {
  const batches: T[][] = [];
  for await (const batch of inBatches(source, bounds)) batches.push(batch);
  return batches;
}

describe('inBatches', () => {
  it('cuts a source into batches of a count, the last one shorter', async () => {
    expect(await batchesOf([1, 2, 3, 4, 5], { size: 2 })).toEqual([[1, 2], [3, 4], [5]]);
    expect(await batchesOf([], { size: 2 })).toEqual([]);
  });

  it('cuts a batch once it weighs the most allowed, never below one item', async () => {
    // An asynchronous source, as a chain file read as it goes.
    const sizes = Readable.from([1, 1, 5, 1, 9, 1]) as AsyncIterable<number>;
    expect(await batchesOf(sizes, { size: 100, weigh: (n) => n, maxWeight: 4 })).toEqual([[1, 1, 5], [1, 9], [1]]);
    expect(await batchesOf([10, 10], { size: 100, weigh: (n) => n, maxWeight: 4 })).toEqual([[10], [10]]);
  });
});
