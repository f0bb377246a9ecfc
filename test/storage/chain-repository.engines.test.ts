import { describe, expect, it } from 'vitest';
import type { Block } from '../../src/core/block.js';
import type { ChainRepository } from '../../src/storage/chain-repository.js';
import { StorageError } from '../../src/storage/errors.js';
import { PAGE_DATA_BYTES } from '../../src/storage/block-pages.js';
import { buildChain } from '../helpers/chains.js';
import { leafHash, rootHash, rootOfLeafHashes, nodeLookup, nodesFor } from '../../src/core/merkle.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import { describeOnEngines } from '../helpers/postgres.js';
import { openStorageFixture } from '../helpers/storage-engines.js';

/** Every batch of `repository.batches(...)`. */
async function allBatches(batches: AsyncIterable<Block[]>): Promise<Block[][]> {
  const read: Block[][] = [];
  for await (const batch of batches) read.push(batch);
  return read;
}

/** The expectation of a writer that validated just now. */
const expecting = async (repository: ChainRepository, tipHash: string) => ({
  tipHash,
  changeCounter: await repository.externalChangeCounter(),
});

async function store(repository: ChainRepository, chain: readonly Block[]): Promise<void> {
  expect(await repository.initialize(chain[0]!)).toBe(true);
  for (const block of chain.slice(1)) {
    expect(await repository.appendAfter(block, await expecting(repository, block.previousHash))).toEqual({ status: 'appended' });
  }
}

/** Rejects with a StorageError of this kind. */
async function failsAs(operation: Promise<unknown>, failure: StorageError['failure']): Promise<void> {
  const error = await operation.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(StorageError);
  expect((error as StorageError).failure).toBe(failure);
}

/** The storage contract: every engine's repository passes the same suite. */
describeOnEngines('chain repository on %s', (engine) => {
  const setup = () => openStorageFixture(engine);

  it('writes the genesis block once, and round-trips blocks exactly', async () => {
    const { repository } = await setup();
    const chain = buildChain(5, { dataFor: (i) => (i === 2 ? 'héllo 😀\nline two' : null) });
    expect(await repository.tip()).toBeNull();
    expect(await repository.length()).toBe(0);
    await store(repository, chain);
    expect(await repository.initialize(chain[0]!)).toBe(false);
    expect(await repository.length()).toBe(5);
    expect(await repository.tip()).toEqual(chain[4]);
    expect(await repository.blockAt(2)).toEqual(chain[2]);
    expect(await repository.blockAt(5)).toBeNull();
    expect(await repository.blockByHash(chain[3]!.hash)).toEqual(chain[3]);
    expect(await repository.blockByHash('0'.repeat(64))).toBeNull();
  });

  it('appends only on the expected tip, reporting the tip that moved', async () => {
    const { repository } = await setup();
    const chain = buildChain(3);
    await store(repository, chain.slice(0, 2));
    const stale = await repository.appendAfter(chain[2]!, await expecting(repository, chain[0]!.hash));
    expect(stale).toEqual({ status: 'stale', tip: chain[1] });
    expect(await repository.length()).toBe(2);
  });

  it('appends only if no other connection wrote since the expectation was taken', async () => {
    const fixture = await setup();
    const { repository } = fixture;
    const chain = buildChain(3);
    await store(repository, chain.slice(0, 1));
    const expected = await expecting(repository, chain[0]!.hash);
    // A tamperer rewrites a block without moving the tip.
    await fixture.tamper("UPDATE blocks SET data = 'rewritten' WHERE block_index = 0");
    expect(await repository.appendAfter(chain[1]!, expected)).toMatchObject({ status: 'stale' });
    expect(await repository.appendAfter(chain[1]!, await expecting(repository, chain[0]!.hash))).toEqual({ status: 'appended' });
  });

  it("counts other connections' writes, not its own", async () => {
    const fixture = await setup();
    const { repository } = fixture;
    const chain = buildChain(4);
    await store(repository, chain.slice(0, 2));
    const before = await repository.externalChangeCounter();
    await repository.appendAfter(chain[2]!, await expecting(repository, chain[1]!.hash));
    expect(await repository.externalChangeCounter()).toBe(before);
    await fixture.insertDirectly(chain[3]!);
    expect(await repository.externalChangeCounter()).not.toBe(before);
  });

  it('reads ranges from either end of a window, ascending, and pages with the length on one snapshot', async () => {
    const { repository } = await setup();
    const chain = buildChain(10);
    await store(repository, chain);
    const indices = (blocks: readonly Block[]) => blocks.map((block) => block.index);
    expect(indices(await repository.range({ limit: 3, from: 'first' }))).toEqual([0, 1, 2]);
    expect(indices(await repository.range({ limit: 3, from: 'last' }))).toEqual([7, 8, 9]);
    expect(indices(await repository.range({ afterIndex: 4, limit: 3, from: 'first' }))).toEqual([5, 6, 7]);
    expect(indices(await repository.range({ beforeIndex: 4, limit: 3, from: 'last' }))).toEqual([1, 2, 3]);
    expect(indices(await repository.range({ afterIndex: 2, beforeIndex: 5, limit: 10, from: 'first' }))).toEqual([3, 4]);
    expect(indices(await repository.range({ afterIndex: 9, limit: 3, from: 'first' }))).toEqual([]);
    const page = await repository.page({ beforeIndex: 4, limit: 3, from: 'last' });
    expect({ indices: indices(page.blocks), length: page.length }).toEqual({ indices: [1, 2, 3], length: 10 });
    expect(await repository.page({ afterIndex: 9, limit: 3, from: 'first' })).toEqual({ blocks: [], length: 10 });
    expect((await repository.page({ limit: 2, from: 'first' })).blocks).toEqual(chain.slice(0, 2));
  });

  it('streams the whole chain in batches', async () => {
    const { repository } = await setup();
    const chain = buildChain(7);
    await store(repository, chain);
    const batches = await allBatches(repository.batches(3));
    expect(batches.map((batch) => batch.length)).toEqual([3, 3, 1]);
    expect(batches.flat()).toEqual(chain);
    expect((await allBatches(repository.batches(3, { from: 2, end: 6 }))).flat()).toEqual(chain.slice(2, 6));
  });

  it('keeps each batch within PAGE_DATA_BYTES of data, one block at least', async () => {
    const { repository } = await setup();
    // 1.5 MiB of data every other block, and one block over the page budget on its own.
    const sizeOf = (i: number): number => (i === 7 ? PAGE_DATA_BYTES + 1 : i % 2 === 1 ? 1.5 * 2 ** 20 : 10);
    const chain = buildChain(12, { dataFor: (i) => (i === 0 ? null : 'x'.repeat(sizeOf(i))) });
    await repository.importChain(chain);
    const batches = await allBatches(repository.batches(1000));
    const bytes = (batch: readonly Block[]) => batch.reduce((sum, block) => sum + (block.data?.length ?? 0), 0);
    for (const batch of batches) expect(batch.length === 1 || bytes(batch) <= PAGE_DATA_BYTES).toBe(true);
    expect(batches.length).toBeGreaterThan(3);
    expect(batches.flat().map((block) => block.index)).toEqual(chain.map((block) => block.index));
    expect(await allBatches(repository.batches(1000, { from: 7, end: 8 }))).toEqual([[chain[7]]]);
  });

  it("refuses an append at another difficulty than the chain's stored one", async () => {
    const { repository } = await setup();
    const chain = buildChain(3);
    await store(repository, chain.slice(0, 2));
    await repository.claimDifficulty(chain[2]!.difficulty);
    await repository.setDifficulty(chain[2]!.difficulty + 1);
    expect(await repository.appendAfter(chain[2]!, await expecting(repository, chain[1]!.hash))).toEqual({
      status: 'difficulty-changed',
      difficulty: chain[2]!.difficulty + 1,
    });
    expect(await repository.length()).toBe(2);
  });

  it('stores an idempotency key with its block in the same append, and refuses to use it for a second block', async () => {
    const { repository } = await setup();
    const chain = buildChain(4, { dataFor: (i) => `data ${i}` });
    await store(repository, chain.slice(0, 2));
    expect(await repository.blockByIdempotencyKey('key-1')).toBeNull();
    expect(await repository.appendAfter(chain[2]!, await expecting(repository, chain[1]!.hash), 'key-1')).toEqual({ status: 'appended' });
    expect(await repository.blockByIdempotencyKey('key-1')).toEqual(chain[2]);
    // The key is checked before anything else: the block it produced comes back, nothing is written.
    expect(await repository.appendAfter(chain[3]!, await expecting(repository, chain[2]!.hash), 'key-1')).toEqual({
      status: 'key-used',
      block: chain[2],
    });
    expect(await repository.length()).toBe(3);
    // Keys are not part of blocks: the stored block reads back exactly as it was built.
    expect(await repository.blockAt(2)).toEqual(chain[2]);
    expect(await repository.appendAfter(chain[3]!, await expecting(repository, chain[2]!.hash), 'key-2')).toEqual({ status: 'appended' });
    expect(await repository.blockByIdempotencyKey('key-2')).toEqual(chain[3]);
  });

  it('keeps an idempotency key out of a stale append: nothing of it is written', async () => {
    const { repository } = await setup();
    const chain = buildChain(3);
    await store(repository, chain.slice(0, 2));
    const stale = await repository.appendAfter(
      chain[2]!,
      { tipHash: chain[0]!.hash, changeCounter: await repository.externalChangeCounter() },
      'k',
    );
    expect(stale.status).toBe('stale');
    expect(await repository.blockByIdempotencyKey('k')).toBeNull();
  });

  /** The root the stored tree gives at `size`, read as a proof is: only the nodes it needs, in one read. */
  async function storedRoot(repository: ChainRepository, size: number): Promise<string> {
    const wanted = nodesFor([{ start: 0, end: size }]);
    return Buffer.from(
      rootHash(size, nodeLookup((await repository.treeNodes(wanted)).map((node) => ({ node, hash: node.hash })))),
    ).toString('hex');
  }
  const expectedRoot = (chain: readonly Block[], size: number): string =>
    Buffer.from(rootOfLeafHashes(chain.slice(0, size).map((block) => leafHash(hexToBytes(block.hash))))).toString('hex');

  it('keeps the Merkle tree over the chain in the appends themselves: every size has its root', async () => {
    const { repository } = await setup();
    const chain = buildChain(13);
    await store(repository, chain);
    expect(await repository.treeSize()).toBe(13);
    for (let size = 1; size <= 13; size++) expect(await storedRoot(repository, size), `size ${size}`).toBe(expectedRoot(chain, size));
    // Only complete subtrees are stored: 13 leaves, 6 + 3 + 1 nodes above them.
    expect(await repository.extendTree(100)).toEqual({ size: 13, length: 13, added: 0 });
  });

  it('writes the tree of an imported chain in the same transaction', async () => {
    const { repository } = await setup();
    const chain = buildChain(37);
    await repository.importChain(chain, { batchSize: 5 });
    expect(await repository.treeSize()).toBe(37);
    expect(await storedRoot(repository, 37)).toBe(expectedRoot(chain, 37));
    expect(await storedRoot(repository, 20)).toBe(expectedRoot(chain, 20));
  });

  it('builds the tree of a chain that has none, in steps, covering appends made meanwhile', async () => {
    const { repository, tamper } = await setup();
    const chain = buildChain(12);
    await store(repository, chain.slice(0, 9));
    await tamper('DELETE FROM tree_nodes');
    expect(await repository.treeSize()).toBe(0);
    // An append while the tree is behind writes no node of its own: the build covers it.
    expect(await repository.appendAfter(chain[9]!, await expecting(repository, chain[8]!.hash))).toEqual({ status: 'appended' });
    expect(await repository.treeSize()).toBe(0);
    const steps = [];
    for (;;) {
      const progress = await repository.extendTree(4);
      steps.push(progress);
      if (progress.size >= progress.length) break;
    }
    expect(steps).toEqual([
      { size: 4, length: 10, added: 4 },
      { size: 8, length: 10, added: 4 },
      { size: 10, length: 10, added: 2 },
    ]);
    // Built: appends keep it from now on.
    for (const block of chain.slice(10)) await repository.appendAfter(block, await expecting(repository, block.previousHash));
    expect(await repository.treeSize()).toBe(12);
    for (const size of [1, 7, 8, 10, 12]) expect(await storedRoot(repository, size), `size ${size}`).toBe(expectedRoot(chain, size));
  });

  it('stores the chain difficulty once, and changes it only when told to', async () => {
    const { repository } = await setup();
    expect(await repository.storedDifficulty()).toBeNull();
    expect(await repository.claimDifficulty(4)).toBe(4);
    expect(await repository.claimDifficulty(5)).toBe(4);
    await repository.setDifficulty(6);
    expect(await repository.claimDifficulty(4)).toBe(6);
    expect(await repository.storedDifficulty()).toBe(6);
  });

  describe('constraints, against a writer that bypasses the repository', () => {
    async function storedChain() {
      const fixture = await setup();
      const chain = buildChain(4);
      await store(fixture.repository, chain.slice(0, 3));
      return { ...fixture, chain };
    }

    it('refuse a second block at an index already taken (a fork)', async () => {
      const { insertDirectly, chain } = await storedChain();
      const fork = { ...chain[3]!, index: 2, previousHash: chain[1]!.hash, hash: 'a'.repeat(64) };
      await expect(insertDirectly(fork)).rejects.toThrow(/appended at the tip|UNIQUE|unique/);
    });

    it('refuse a block that skips an index', async () => {
      const { insertDirectly, chain } = await storedChain();
      await expect(insertDirectly({ ...chain[3]!, index: 5 })).rejects.toThrow(/appended at the tip|previous_hash must be/);
    });

    it('refuse a block that does not link to the block before it', async () => {
      const { insertDirectly, chain } = await storedChain();
      await expect(insertDirectly({ ...chain[3]!, previousHash: chain[1]!.hash })).rejects.toThrow(
        /previous_hash must be the hash of the block before|UNIQUE|unique/,
      );
      await expect(insertDirectly({ ...chain[3]!, previousHash: 'b'.repeat(64) })).rejects.toThrow(/previous_hash must be the hash/);
    });

    it('refuse two children of one block even with the triggers dropped', async () => {
      const { insertDirectly, dropInsertTriggers, chain } = await storedChain();
      await dropInsertTriggers();
      const sibling = { ...chain[2]!, index: 3, hash: 'c'.repeat(64) };
      await expect(insertDirectly(sibling)).rejects.toThrow(/UNIQUE constraint failed: blocks.previous_hash|blocks_previous_hash_unique/);
    });

    it('refuse malformed rows even with the triggers dropped', async () => {
      const { insertDirectly, dropInsertTriggers, chain } = await storedChain();
      await dropInsertTriggers();
      await expect(insertDirectly({ ...chain[3]!, hash: 'NOT-HEX'.padEnd(64, 'x') })).rejects.toThrow(/CHECK|check constraint/);
      await expect(insertDirectly({ ...chain[3]!, difficulty: 0 })).rejects.toThrow(/CHECK|check constraint/);
      await expect(insertDirectly({ ...chain[3]!, index: -1 })).rejects.toThrow(/CHECK|check constraint|UNIQUE|unique/);
    });

    it('refuse updates and deletes', async () => {
      const { execute } = await storedChain();
      await expect(execute('UPDATE blocks SET proof = 12345 WHERE block_index = 1')).rejects.toThrow(/immutable/);
      await expect(execute('DELETE FROM blocks WHERE block_index = 2')).rejects.toThrow(/cannot be deleted/);
    });

    it('accept the next block at the tip', async () => {
      const { insertDirectly, chain, repository } = await storedChain();
      await insertDirectly(chain[3]!);
      expect(await repository.tip()).toEqual(chain[3]);
    });
  });

  describe('importChain', () => {
    it('writes a whole chain in one transaction, letting the event loop run between batches', async () => {
      const fixture = await setup();
      const { repository } = fixture;
      const chain = buildChain(2500, { dataFor: (i) => (i % 7 === 0 ? `block ${i} 😀` : null) });
      let turns = 0;
      const ticking = setInterval(() => (turns += 1), 0);
      let seenByOthers = -1;
      async function* watched() {
        for (const block of chain) {
          // Nothing is visible to another connection before the commit.
          if (block.index === 2400) seenByOthers = await fixture.countDirectly();
          yield block;
        }
      }
      try {
        expect(await repository.importChain(watched(), { batchSize: 500 })).toEqual({ status: 'imported', count: 2500, tip: chain[2499] });
      } finally {
        clearInterval(ticking);
      }
      expect(turns).toBeGreaterThan(0);
      expect(seenByOthers).toBe(0);
      expect((await allBatches(repository.batches(1000))).flat()).toEqual(chain);
      // Another connection sees the chain whole, as one commit.
      expect(await fixture.countDirectly()).toBe(2500);
    });

    it('refuses a database that holds any block, and writes nothing', async () => {
      const { repository } = await setup();
      const chain = buildChain(3);
      await store(repository, chain.slice(0, 1));
      expect(await repository.importChain(buildChain(3, { difficulty: 2 }))).toEqual({ status: 'not-empty', length: 1 });
      expect((await allBatches(repository.batches(10))).flat()).toEqual(chain.slice(0, 1));
    });

    it('rolls everything back when its source throws part way, and rethrows that error as it is', async () => {
      const { repository } = await setup();
      const chain = buildChain(1500);
      const failure = new Error('the file changed');
      function* failing() {
        yield* chain.slice(0, 1400);
        throw failure;
      }
      await expect(repository.importChain(failing())).rejects.toBe(failure);
      expect(await repository.length()).toBe(0);
      expect(await repository.importChain(chain)).toMatchObject({ status: 'imported', count: 1500 });
    });

    it('rolls back a chain the triggers refuse, as a constraint StorageError', async () => {
      const { repository } = await setup();
      const chain = buildChain(4);
      const unlinked = [...chain.slice(0, 3), { ...chain[3]!, previousHash: 'b'.repeat(64) }];
      await failsAs(repository.importChain(unlinked), 'constraint');
      expect(await repository.length()).toBe(0);
    });

    it('stops at the next batch once its signal aborts: rolls back, closes the source, rejects with the reason', async () => {
      const { repository } = await setup();
      const chain = buildChain(3000);
      const interrupt = new AbortController();
      let read = 0;
      let closed = false;
      function* source() {
        try {
          for (const block of chain) {
            read += 1;
            if (read === 1000) interrupt.abort('SIGINT');
            yield block;
          }
        } finally {
          closed = true;
        }
      }
      await expect(repository.importChain(source(), { batchSize: 1000, signal: interrupt.signal })).rejects.toBe('SIGINT');
      expect(read).toBe(1000);
      expect(closed).toBe(true);
      expect(await repository.length()).toBe(0);
      // The connection is usable again: no transaction was left open.
      expect(await repository.importChain(chain)).toMatchObject({ status: 'imported', count: 3000 });
      await expect(repository.importChain(chain, { signal: AbortSignal.abort('SIGTERM') })).rejects.toBe('SIGTERM');
    });
  });
});
