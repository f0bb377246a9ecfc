import { describe, expect, it, onTestFinished } from 'vitest';
import { createChainIntegrity } from '../../src/ledger/chain-integrity.js';
import { type ChainRepository } from '../../src/storage/chain-repository.js';
import { createSqliteChainRepository } from '../../src/storage/sqlite/chain-repository.js';
import { openSqliteDatabase } from '../../src/storage/sqlite/database.js';
import { buildChain } from '../helpers/chains.js';
import { tamper, tempDatabasePath } from '../helpers/temp-database.js';

async function storedChain(path: string, length = 25): Promise<ChainRepository> {
  const database = openSqliteDatabase(path);
  onTestFinished(() => database.close());
  const repository = createSqliteChainRepository(database);
  const chain = buildChain(length, { dataFor: (i) => (i % 5 === 0 ? `payload ${i}` : null) });
  expect(await repository.initialize(chain[0]!)).toBe(true);
  for (const block of chain.slice(1)) {
    await repository.appendAfter(block, { tipHash: block.previousHash, changeCounter: await repository.externalChangeCounter() });
  }
  return repository;
}

/** The repository, counting the passes it runs off the main thread. */
function countingOffThread(repository: ChainRepository): { repository: ChainRepository; passes: () => number } {
  let passes = 0;
  return {
    repository: {
      ...repository,
      validateOffThread: (options) => {
        passes += 1;
        return repository.validateOffThread(options);
      },
    },
    passes: () => passes,
  };
}

const ON_WORKERS = { offThreadFrom: 0 };
const HERE = { offThreadFrom: Number.POSITIVE_INFINITY };

describe('chain integrity', () => {
  it('gives the same verdict on worker threads as on the main thread, valid or tampered', async () => {
    const path = tempDatabasePath();
    const repository = await storedChain(path);
    const expected = await createChainIntegrity(repository, HERE).verify();
    expect(expected).toMatchObject({ valid: true, length: 25 });
    expect(await createChainIntegrity(repository, ON_WORKERS).verify()).toEqual(expected);

    tamper(path, "UPDATE blocks SET data = 'rewritten' WHERE block_index = 7; DELETE FROM blocks WHERE block_index = 12");
    const tampered = await createChainIntegrity(repository, HERE).verify();
    expect(tampered.problems.map(({ index, reason }) => ({ index, reason }))).toEqual([
      { index: 7, reason: 'HASH_MISMATCH' },
      { index: 13, reason: 'INDEX_MISMATCH' },
      { index: 13, reason: 'PREVIOUS_HASH_MISMATCH' },
      { index: 13, reason: 'PROOF_INVALID' },
    ]);
    expect(await createChainIntegrity(repository, ON_WORKERS).verify()).toEqual(tampered);
  });

  it('validates on worker threads again only when another connection has written', async () => {
    const path = tempDatabasePath();
    const { repository, passes } = countingOffThread(await storedChain(path));
    const integrity = createChainIntegrity(repository, ON_WORKERS);
    expect(await integrity.verify()).toMatchObject({ valid: true, length: 25 });
    expect(await integrity.current()).toMatchObject({ valid: true });
    expect(passes()).toBe(1);
    tamper(path, "UPDATE blocks SET data = 'x' WHERE block_index = 3");
    expect(await integrity.verify()).toMatchObject({ valid: false, length: 25 });
    expect(passes()).toBe(2);
  });

  it('validates a database in memory on the main thread', async () => {
    const repository = await storedChain(':memory:', 5);
    const { repository: counting, passes } = countingOffThread(repository);
    expect(await createChainIntegrity(counting, ON_WORKERS).verify()).toMatchObject({ valid: true, length: 5 });
    expect(passes()).toBe(1); // asked, and declined
  });

  it('abandons a pass on worker threads when its signal aborts', async () => {
    const repository = await storedChain(tempDatabasePath());
    const controller = new AbortController();
    const pass = createChainIntegrity(repository, { ...ON_WORKERS, signal: controller.signal }).verify();
    const reason = new Error('shutting down');
    controller.abort(reason);
    await expect(pass).rejects.toBe(reason);
  });
});
