import { describe, expect, it, onTestFinished } from 'vitest';
import { type ChainRepository } from '../../../src/storage/chain-repository.js';
import { createSqliteChainRepository } from '../../../src/storage/sqlite/chain-repository.js';
import { openSqliteDatabase } from '../../../src/storage/sqlite/database.js';
import { StorageError } from '../../../src/storage/errors.js';
import { createPageLimit } from '../../../src/storage/sqlite/page-limit.js';
import { buildChain } from '../../helpers/chains.js';
import { secondConnection, tempDatabasePath } from '../../helpers/temp-database.js';

/** What only the SQLite repository does; the engine-neutral contract is in chain-repository.test.ts. */
function setup(options?: Parameters<typeof openSqliteDatabase>[1]) {
  const path = tempDatabasePath();
  const database = openSqliteDatabase(path, options);
  onTestFinished(() => database.close());
  return { path, database, repository: createSqliteChainRepository(database) };
}

const expecting = async (repository: ChainRepository, tipHash: string) => ({
  tipHash,
  changeCounter: await repository.externalChangeCounter(),
});

describe('SQLite chain repository', () => {
  it("counts any other connection's commit (PRAGMA data_version), even to another table", async () => {
    const { path, repository } = setup();
    await repository.importChain(buildChain(2));
    const before = await repository.externalChangeCounter();
    secondConnection(path).exec('CREATE TABLE unrelated (x)');
    expect(await repository.externalChangeCounter()).not.toBe(before);
  });

  it('sizes a page by the bytes of its data, never below one row nor above the rows asked for', async () => {
    const { database, repository } = setup();
    const sizes = [0, 5, 0, 30, 7, 7, 7, 100, 1, 1];
    await repository.importChain(
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

  it('reports a write lock held elsewhere past the busy timeout as a busy StorageError', async () => {
    const { path, repository } = setup({ busyTimeoutMs: 50 });
    const chain = buildChain(2);
    expect(await repository.initialize(chain[0]!)).toBe(true);
    const other = secondConnection(path);
    other.exec('BEGIN IMMEDIATE');
    const error = await repository.appendAfter(chain[1]!, await expecting(repository, chain[0]!.hash)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).failure).toBe('busy');
    // WAL: reads go on while the lock is held.
    expect(await repository.tip()).toEqual(chain[0]);
    other.exec('ROLLBACK');
    expect(await repository.appendAfter(chain[1]!, await expecting(repository, chain[0]!.hash))).toEqual({ status: 'appended' });
  });
});
