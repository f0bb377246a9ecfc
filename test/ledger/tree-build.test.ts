import { describe, expect, it, onTestFinished } from 'vitest';
import { leafHash, nodeLookup, nodesFor, rootHash, rootOfLeafHashes } from '../../src/core/merkle.js';
import { buildTree } from '../../src/ledger/tree-build.js';
import type { ChainRepository, TreeProgress } from '../../src/storage/chain-repository.js';
import { StorageError } from '../../src/storage/errors.js';
import { createSqliteChainRepository } from '../../src/storage/sqlite/chain-repository.js';
import { openSqliteDatabase } from '../../src/storage/sqlite/database.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import { buildChain } from '../helpers/chains.js';
import { tamper, tempChainDatabase } from '../helpers/temp-database.js';

/** A chain of `length` blocks written as an older version left it: blocks, no tree. */
function chainWithoutTree(length: number) {
  const chain = buildChain(length);
  const path = tempChainDatabase(chain);
  tamper(path, 'DELETE FROM tree_nodes');
  const database = openSqliteDatabase(path);
  onTestFinished(() => database.close());
  return { chain, repository: createSqliteChainRepository(database) };
}

async function rootOf(repository: ChainRepository, size: number): Promise<Uint8Array> {
  const nodes = await repository.treeNodes(nodesFor([{ start: 0, end: size }]));
  return rootHash(size, nodeLookup(nodes.map((node) => ({ node, hash: node.hash }))));
}

describe('building the Merkle tree of an older chain', () => {
  it('covers the chain in steps, telling each, and gives the root of every size', async () => {
    const { chain, repository } = chainWithoutTree(25);
    expect(await repository.treeSize()).toBe(0);
    const steps: TreeProgress[] = [];
    const build = buildTree(repository, { stepLeaves: 10, onProgress: (progress) => steps.push(progress) });
    await build.done;
    expect(build.built()).toBe(true);
    expect(steps).toEqual([
      { size: 10, length: 25, added: 10 },
      { size: 20, length: 25, added: 10 },
      { size: 25, length: 25, added: 5 },
    ]);
    const leaves = chain.map((block) => leafHash(hexToBytes(block.hash)));
    for (const size of [1, 10, 16, 25]) expect(await rootOf(repository, size)).toEqual(rootOfLeafHashes(leaves.slice(0, size)));
  });

  it('says nothing for a chain already covered, and retries a step that failed', async () => {
    const { repository } = chainWithoutTree(5);
    let failures = 1;
    const errors: unknown[] = [];
    const steps: TreeProgress[] = [];
    const flaky = {
      extendTree: (max: number) =>
        failures-- > 0 ? Promise.reject(new StorageError('unavailable', 'the database restarts')) : repository.extendTree(max),
    };
    await buildTree(flaky, { retryMs: 1, onError: (error) => errors.push(error), onProgress: (progress) => steps.push(progress) }).done;
    expect(errors).toHaveLength(1);
    expect(steps).toEqual([{ size: 5, length: 5, added: 5 }]);
    const again: TreeProgress[] = [];
    const covered = buildTree(repository, { onProgress: (progress) => again.push(progress) });
    await covered.done;
    expect(covered.built()).toBe(true);
    expect(again).toEqual([]);
  });

  it('stops between steps when asked, and a later build resumes where it stopped', async () => {
    const { repository } = chainWithoutTree(30);
    let build: ReturnType<typeof buildTree> | null = null;
    build = buildTree(repository, { stepLeaves: 10, onProgress: () => void build?.stop() });
    await build.done;
    expect(build.built()).toBe(false);
    expect(await repository.treeSize()).toBe(10);
    await buildTree(repository, { stepLeaves: 10 }).done;
    expect(await repository.treeSize()).toBe(30);
  });
});
