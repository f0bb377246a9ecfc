import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { joinSegmentResults, validateChain } from '../../../src/core/chain-validation.js';
import { validateSegment } from '../../../src/storage/sqlite/chain-segment.js';
import { type ChainRepository } from '../../../src/storage/chain-repository.js';
import { createSqliteChainRepository } from '../../../src/storage/sqlite/chain-repository.js';
import { openSqliteDatabase } from '../../../src/storage/sqlite/database.js';
import { StorageError } from '../../../src/storage/errors.js';
import { splitChain, threadsFor, validateStoredChain } from '../../../src/storage/sqlite/stored-chain-validation.js';
import { buildChain } from '../../helpers/chains.js';
import { tamper, tempDatabasePath, tempDir } from '../../helpers/temp-database.js';

const LENGTH = 30;

async function storedChain(): Promise<{ path: string; repository: ChainRepository }> {
  const path = tempDatabasePath();
  const database = openSqliteDatabase(path);
  onTestFinished(() => database.close());
  const repository = createSqliteChainRepository(database);
  const chain = buildChain(LENGTH, { dataFor: (i) => (i % 4 === 0 ? `payload ${i} é😀 "quoted"` : null) });
  await repository.importChain(chain);
  return { path, repository };
}

/** What the validator says about the stored chain read through the ORM, in one pass. */
async function inOnePass(repository: ChainRepository, maxReportedProblems: number) {
  const blocks = [];
  for await (const batch of repository.batches(1000)) blocks.push(...batch);
  return validateChain(blocks, { maxReportedProblems });
}

const lastIndex = async (repository: ChainRepository): Promise<number> => (await repository.tip())?.index ?? -1;

/** `validateStoredChain`'s segments, validated here rather than on workers. */
function inSegments(path: string, last: number, parts: number, maxReportedProblems: number) {
  const connection = new Sqlite(path, { readonly: true });
  try {
    const segments = splitChain(last, parts).map((segment) => validateSegment(connection, segment, { maxReportedProblems }));
    return joinSegmentResults(segments, { maxReportedProblems });
  } finally {
    connection.close();
  }
}

const TAMPERS: ReadonlyArray<readonly [string, string]> = [
  ['nothing', ''],
  ['a rewritten payload', "UPDATE blocks SET data = 'rewritten' WHERE block_index = 7"],
  ['a missing block', 'DELETE FROM blocks WHERE block_index = 10'],
  ['missing blocks where the first segments would be', 'DELETE FROM blocks WHERE block_index < 16'],
  ['the notebook forgery', 'UPDATE blocks SET proof = 12345 WHERE block_index = 1'],
  ['an unsupported difficulty', 'UPDATE blocks SET difficulty = 20 WHERE block_index = 15'],
  ['a rewritten genesis timestamp', "UPDATE blocks SET timestamp = '2000-01-01 00:00:00.000000' WHERE block_index = 0"],
  ['a blob payload', "UPDATE blocks SET data = X'00ff' WHERE block_index = 3"],
  ['a tip moved far ahead', 'UPDATE blocks SET block_index = 100 WHERE block_index = 29'],
  ['every hash replaced', "UPDATE blocks SET hash = printf('%064x', block_index)"],
  ['no blocks at all', 'DELETE FROM blocks'],
];

describe('splitChain', () => {
  it('cuts the whole window into consecutive segments of even length', () => {
    expect(splitChain(9, 1)).toEqual([{ afterIndex: -1, beforeIndex: Number.MAX_SAFE_INTEGER }]);
    expect(splitChain(9, 3)).toEqual([
      { afterIndex: -1, beforeIndex: 3 },
      { afterIndex: 2, beforeIndex: 6 },
      { afterIndex: 5, beforeIndex: Number.MAX_SAFE_INTEGER },
    ]);
  });

  it('gives a short chain one segment, and a long one up to one per core', () => {
    expect(threadsFor(30)).toBe(1);
    expect(threadsFor(1_000_000)).toBeGreaterThanOrEqual(1);
    expect(threadsFor(1_000_000)).toBeLessThanOrEqual(4);
  });
});

describe('validating the stored chain in segments', () => {
  it.each(TAMPERS)('gives the result of one pass, whatever the split, after %s', async (_, sql) => {
    const { path, repository } = await storedChain();
    if (sql !== '') tamper(path, sql);
    const last = await lastIndex(repository);
    for (const maxReportedProblems of [100, 3]) {
      const expected = await inOnePass(repository, maxReportedProblems);
      expect(expected.valid).toBe(sql === '');
      for (const parts of [1, 2, 3, 4, 7]) expect(inSegments(path, last, parts, maxReportedProblems)).toEqual(expected);
    }
  });

  it('gives the result of one pass on worker threads, on a valid chain and a tampered one', async () => {
    const { path, repository } = await storedChain();
    expect(await validateStoredChain(path, { lastIndex: await lastIndex(repository), threads: 3 })).toEqual({
      valid: true,
      length: LENGTH,
      problems: [],
      problemCount: 0,
    });
    tamper(path, "DELETE FROM blocks WHERE block_index = 10; UPDATE blocks SET hash = printf('%064x', block_index) WHERE block_index > 20");
    const result = await validateStoredChain(path, { lastIndex: await lastIndex(repository), threads: 2, maxReportedProblems: 5 });
    expect(result).toEqual(await inOnePass(repository, 5));
    expect(result.problems).toHaveLength(5);
  });

  it('is offered by the repository for a database file, not for one in memory', async () => {
    const { repository } = await storedChain();
    expect(await repository.validateOffThread()).toEqual(await inOnePass(repository, 100));
    const inMemory = openSqliteDatabase(':memory:');
    onTestFinished(() => inMemory.close());
    expect(createSqliteChainRepository(inMemory).validateOffThread()).toBeNull();
  });

  it('reports a damaged file as a storage failure, as a read here would', async () => {
    const path = join(tempDir(), 'garbage.db');
    writeFileSync(path, Buffer.alloc(8192, 7));
    const failure = await validateStoredChain(path, { lastIndex: 10 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StorageError);
    expect((failure as StorageError).failure).toBe('corrupt');
  });

  it('stops when aborted, rejecting with the reason', async () => {
    const { path, repository } = await storedChain();
    const controller = new AbortController();
    const pass = validateStoredChain(path, { lastIndex: await lastIndex(repository), threads: 2, signal: controller.signal });
    const reason = new Error('shutting down');
    controller.abort(reason);
    await expect(pass).rejects.toBe(reason);
  });
});
