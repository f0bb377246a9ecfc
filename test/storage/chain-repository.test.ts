import { describe, expect, it, onTestFinished } from 'vitest';
import type { Block } from '../../src/core/block.js';
import { createChainRepository, type ChainRepository } from '../../src/storage/chain-repository.js';
import { openDatabase } from '../../src/storage/database.js';
import { StorageError } from '../../src/storage/errors.js';
import { PAGE_DATA_BYTES, createPageLimit } from '../../src/storage/page-limit.js';
import { buildChain } from '../helpers/chains.js';
import { secondConnection, tempDatabasePath } from '../helpers/temp-database.js';

function setup(options?: Parameters<typeof openDatabase>[1]) {
  const path = tempDatabasePath();
  const database = openDatabase(path, options);
  onTestFinished(() => database.close());
  return { path, database, repository: createChainRepository(database) };
}

function store(repository: ReturnType<typeof createChainRepository>, chain: readonly Block[]): void {
  expect(repository.initialize(chain[0]!)).toBe(true);
  for (const block of chain.slice(1)) {
    expect(repository.appendAfter(block, expecting(repository, block.previousHash))).toEqual({ status: 'appended' });
  }
}

/** The expectation of a writer that validated just now. */
const expecting = (repository: ChainRepository, tipHash: string) => ({ tipHash, changeCounter: repository.externalChangeCounter() });

const insertRow = (block: Block) =>
  [block.index, block.timestamp, block.proof, block.previousHash, block.hash, block.data, block.difficulty] as const;
const INSERT = 'INSERT INTO blocks (block_index, timestamp, proof, previous_hash, hash, data, difficulty) VALUES (?, ?, ?, ?, ?, ?, ?)';

describe('chain repository', () => {
  it('writes the genesis block once, and round-trips blocks exactly', () => {
    const { repository } = setup();
    const chain = buildChain(5, { dataFor: (i) => (i === 2 ? 'héllo 😀\nline two' : null) });
    expect(repository.tip()).toBeNull();
    expect(repository.length()).toBe(0);
    store(repository, chain);
    expect(repository.initialize(chain[0]!)).toBe(false);
    expect(repository.length()).toBe(5);
    expect(repository.tip()).toEqual(chain[4]);
    expect(repository.blockAt(2)).toEqual(chain[2]);
    expect(repository.blockAt(5)).toBeNull();
    expect(repository.blockByHash(chain[3]!.hash)).toEqual(chain[3]);
    expect(repository.blockByHash('0'.repeat(64))).toBeNull();
  });

  it('appends only on the expected tip, reporting the tip that moved', () => {
    const { repository } = setup();
    const chain = buildChain(3);
    store(repository, chain.slice(0, 2));
    const stale = repository.appendAfter(chain[2]!, expecting(repository, chain[0]!.hash));
    expect(stale).toEqual({ status: 'stale', tip: chain[1] });
    expect(repository.length()).toBe(2);
  });

  it('appends only if no other connection wrote since the expectation was taken', () => {
    const { path, repository } = setup();
    const chain = buildChain(2);
    store(repository, chain.slice(0, 1));
    const expected = expecting(repository, chain[0]!.hash);
    secondConnection(path).exec('CREATE TABLE unrelated (x)');
    expect(repository.appendAfter(chain[1]!, expected)).toEqual({ status: 'stale', tip: chain[0] });
    expect(repository.appendAfter(chain[1]!, expecting(repository, chain[0]!.hash))).toEqual({ status: 'appended' });
  });

  it('reads ranges from either end of a window, ascending', () => {
    const { repository } = setup();
    const chain = buildChain(10);
    store(repository, chain);
    const indices = (blocks: Block[]) => blocks.map((block) => block.index);
    expect(indices(repository.range({ limit: 3, from: 'first' }))).toEqual([0, 1, 2]);
    expect(indices(repository.range({ limit: 3, from: 'last' }))).toEqual([7, 8, 9]);
    expect(indices(repository.range({ afterIndex: 4, limit: 3, from: 'first' }))).toEqual([5, 6, 7]);
    expect(indices(repository.range({ beforeIndex: 4, limit: 3, from: 'last' }))).toEqual([1, 2, 3]);
    expect(indices(repository.range({ afterIndex: 2, beforeIndex: 5, limit: 10, from: 'first' }))).toEqual([3, 4]);
    expect(indices(repository.range({ afterIndex: 9, limit: 3, from: 'first' }))).toEqual([]);
  });

  it('streams the whole chain in batches', () => {
    const { repository } = setup();
    const chain = buildChain(7);
    store(repository, chain);
    const batches = [...repository.batches(3)];
    expect(batches.map((batch) => batch.length)).toEqual([3, 3, 1]);
    expect(batches.flat()).toEqual(chain);
  });

  it('keeps each batch within PAGE_DATA_BYTES of data, one block at least', () => {
    const { repository } = setup();
    // 1.5 MiB of data every other block, and one block over the page budget on its own.
    const sizeOf = (i: number): number => (i === 7 ? PAGE_DATA_BYTES + 1 : i % 2 === 1 ? 1.5 * 2 ** 20 : 10);
    const chain = buildChain(12, { dataFor: (i) => (i === 0 ? null : 'x'.repeat(sizeOf(i))) });
    repository.importChain(chain);
    const batches = [...repository.batches(1000)];
    const bytes = (batch: readonly Block[]) => batch.reduce((sum, block) => sum + (block.data?.length ?? 0), 0);
    for (const batch of batches) expect(batch.length === 1 || bytes(batch) <= PAGE_DATA_BYTES).toBe(true);
    expect(batches.length).toBeGreaterThan(3);
    expect(batches.flat().map((block) => block.index)).toEqual(chain.map((block) => block.index));
    expect([...repository.batches(1000, { from: 7, end: 8 })]).toEqual([[chain[7]]]);
  });

  it("counts other connections' commits, not its own", () => {
    const { path, repository } = setup();
    const chain = buildChain(3);
    store(repository, chain.slice(0, 2));
    const before = repository.externalChangeCounter();
    repository.appendAfter(chain[2]!, expecting(repository, chain[1]!.hash));
    expect(repository.externalChangeCounter()).toBe(before);
    secondConnection(path).exec('CREATE TABLE unrelated (x)');
    expect(repository.externalChangeCounter()).not.toBe(before);
  });

  it('sizes a page by the bytes of its data, never below one row nor above the rows asked for', () => {
    const { database, repository } = setup();
    const sizes = [0, 5, 0, 30, 7, 7, 7, 100, 1, 1];
    repository.importChain(
      buildChain(sizes.length, { dataFor: (i) => (i === 0 ? null : 'é'.repeat(sizes[i]! / 2) + 'x'.repeat(sizes[i]! % 2)) }),
    );
    const pageLimit = createPageLimit(database.client, 20);
    // Bytes of UTF-8, not characters: 'é' is two.
    expect(pageLimit(-1, 100, 1000)).toBe(3);
    expect(pageLimit(2, 100, 1000)).toBe(1);
    expect(pageLimit(3, 100, 1000)).toBe(2);
    expect(pageLimit(3, 6, 1000)).toBe(1000); // the window ends first
    expect(pageLimit(6, 100, 1000)).toBe(1);
    expect(pageLimit(7, 100, 1000)).toBe(1000);
    expect(pageLimit(-1, 100, 2)).toBe(2);
    expect(pageLimit(9, 100, 1000)).toBe(1000);
  });

  describe('constraints, against a writer that bypasses the repository', () => {
    function storedChain() {
      const context = setup();
      const chain = buildChain(4);
      store(context.repository, chain.slice(0, 3));
      return { ...context, chain, other: secondConnection(context.path) };
    }

    it('refuse a second block at an index already taken (a fork)', () => {
      const { other, chain } = storedChain();
      const fork = { ...chain[3]!, index: 2, previousHash: chain[1]!.hash, hash: 'a'.repeat(64) };
      expect(() => other.prepare(INSERT).run(...insertRow(fork))).toThrow(/appended at the tip|UNIQUE/);
    });

    it('refuse a block that skips an index', () => {
      const { other, chain } = storedChain();
      expect(() => other.prepare(INSERT).run(...insertRow({ ...chain[3]!, index: 5 }))).toThrow(
        /appended at the tip|previous_hash must be/,
      );
    });

    it('refuse a block that does not link to the block before it', () => {
      const { other, chain } = storedChain();
      expect(() => other.prepare(INSERT).run(...insertRow({ ...chain[3]!, previousHash: chain[1]!.hash }))).toThrow(
        /previous_hash must be the hash of the block before|UNIQUE/,
      );
      const unlinked = { ...chain[3]!, previousHash: 'b'.repeat(64) };
      expect(() => other.prepare(INSERT).run(...insertRow(unlinked))).toThrow(/previous_hash must be the hash/);
    });

    it('refuse two children of one block even with the triggers dropped', () => {
      const { other, chain } = storedChain();
      other.exec('DROP TRIGGER blocks_append_at_tip; DROP TRIGGER blocks_link_to_predecessor');
      const sibling = { ...chain[2]!, index: 3, hash: 'c'.repeat(64) };
      expect(() => other.prepare(INSERT).run(...insertRow(sibling))).toThrow(/UNIQUE constraint failed: blocks.previous_hash/);
    });

    it('refuse updates and deletes', () => {
      const { other } = storedChain();
      expect(() => other.exec('UPDATE blocks SET proof = 12345 WHERE block_index = 1')).toThrow(/immutable/);
      expect(() => other.exec('DELETE FROM blocks WHERE block_index = 2')).toThrow(/cannot be deleted/);
    });

    it('accept the next block at the tip', () => {
      const { other, chain, repository } = storedChain();
      other.prepare(INSERT).run(...insertRow(chain[3]!));
      expect(repository.tip()).toEqual(chain[3]);
    });
  });

  describe('importChain', () => {
    it('writes a whole chain into an empty database in one transaction', () => {
      const { path, repository } = setup();
      const chain = buildChain(2500, { dataFor: (i) => (i % 7 === 0 ? `block ${i} 😀` : null) });
      expect(repository.importChain(chain)).toEqual({ status: 'imported', count: 2500, tip: chain[2499] });
      expect([...repository.batches(1000)].flat()).toEqual(chain);
      // Another connection sees the chain whole, as one commit.
      expect(secondConnection(path).prepare('SELECT count(*) FROM blocks').pluck().get()).toBe(2500);
    });

    it('refuses a database that holds any block, and writes nothing', () => {
      const { repository } = setup();
      const chain = buildChain(3);
      store(repository, chain.slice(0, 1));
      expect(repository.importChain(buildChain(3, { difficulty: 2 }))).toEqual({ status: 'not-empty', length: 1 });
      expect([...repository.batches(10)].flat()).toEqual(chain.slice(0, 1));
    });

    it('rolls everything back when its source throws part way, and rethrows that error as it is', () => {
      const { repository } = setup();
      const chain = buildChain(5);
      const failure = new Error('the file changed');
      function* failing() {
        yield* chain.slice(0, 4);
        throw failure;
      }
      expect(() => repository.importChain(failing())).toThrow(failure);
      expect(repository.length()).toBe(0);
      expect(repository.importChain(chain)).toMatchObject({ status: 'imported', count: 5 });
    });

    it('rolls back a chain the triggers refuse, as a constraint StorageError', () => {
      const { repository } = setup();
      const chain = buildChain(4);
      const unlinked = [...chain.slice(0, 3), { ...chain[3]!, previousHash: 'b'.repeat(64) }];
      let error: unknown;
      try {
        repository.importChain(unlinked);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(StorageError);
      expect((error as StorageError).failure).toBe('constraint');
      expect(repository.length()).toBe(0);
    });
  });

  describe('importChainInBatches', () => {
    it('writes the chain in one transaction, letting the event loop run between batches', async () => {
      const { path, repository } = setup();
      const chain = buildChain(2500);
      let turns = 0;
      const ticking = setInterval(() => (turns += 1), 0);
      let seenByOthers: unknown[] = [];
      function* watched() {
        for (const block of chain) {
          // Nothing is visible to another connection before the commit.
          if (block.index === 2400) seenByOthers = secondConnection(path).prepare('SELECT count(*) FROM blocks').pluck().all();
          yield block;
        }
      }
      try {
        expect(await repository.importChainInBatches(watched(), { batchSize: 500 })).toEqual({
          status: 'imported',
          count: 2500,
          tip: chain[2499],
        });
      } finally {
        clearInterval(ticking);
      }
      expect(turns).toBeGreaterThan(0);
      expect(seenByOthers).toEqual([0]);
      expect([...repository.batches(1000)].flat()).toEqual(chain);
      expect(await repository.importChainInBatches(buildChain(2))).toEqual({ status: 'not-empty', length: 2500 });
    });

    it('stops at the next batch once its signal aborts: rolls back, closes the source, rejects with the reason', async () => {
      const { repository } = setup();
      const chain = buildChain(3000);
      const interrupt = new AbortController();
      let read = 0;
      let closed = false;
      function* source() {
        try {
          for (const block of chain) {
            read += 1;
            yield block;
          }
        } finally {
          closed = true;
        }
      }
      setImmediate(() => interrupt.abort('SIGINT'));
      await expect(repository.importChainInBatches(source(), { batchSize: 1000, signal: interrupt.signal })).rejects.toBe('SIGINT');
      expect(read).toBe(1000);
      expect(closed).toBe(true);
      expect(repository.length()).toBe(0);
      // The connection is usable again: no transaction was left open.
      expect(await repository.importChainInBatches(chain)).toMatchObject({ status: 'imported', count: 3000 });
      await expect(repository.importChainInBatches(chain, { signal: AbortSignal.abort('SIGTERM') })).rejects.toBe('SIGTERM');
    });

    it('rolls back when its source throws, rethrowing that error as it is', async () => {
      const { repository } = setup();
      const failure = new Error('the file changed');
      function* failing() {
        yield* buildChain(1500);
        throw failure;
      }
      await expect(repository.importChainInBatches(failing())).rejects.toBe(failure);
      expect(repository.length()).toBe(0);
    });
  });

  it('reports a write lock held elsewhere past the busy timeout as a busy StorageError', () => {
    const { path, repository } = setup({ busyTimeoutMs: 50 });
    const chain = buildChain(2);
    store(repository, chain.slice(0, 1));
    const other = secondConnection(path);
    other.exec('BEGIN IMMEDIATE');
    let error: unknown;
    try {
      repository.appendAfter(chain[1]!, expecting(repository, chain[0]!.hash));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).failure).toBe('busy');
    // WAL: reads go on while the lock is held.
    expect(repository.tip()).toEqual(chain[0]);
    other.exec('ROLLBACK');
    expect(repository.appendAfter(chain[1]!, expecting(repository, chain[0]!.hash))).toEqual({ status: 'appended' });
  });
});
