import { expect, onTestFinished } from 'vitest';
import type { Block } from '../../src/core/block.js';
import { createLedger } from '../../src/ledger/ledger.js';
import { createPoolProofSearch } from '../../src/mining/pool-proof-search.js';
import { openStorage } from '../../src/storage/open-storage.js';
import { graphql } from './server.js';
import type { TestDatabase } from './storage-engines.js';
import type { TestSubscription } from './subscription-clients.js';

/** A blockMined subscription asking for every field of the block. */
export const BLOCK_MINED = 'subscription { blockMined { index timestamp proof previousHash hash data difficulty } }';
export const MINE =
  'mutation ($data: String) { mineBlock(data: $data) { block { index timestamp proof previousHash hash data difficulty } } }';

/** Mines a block through the server's GraphQL API. */
export async function mine(url: string, data: string | null = null): Promise<Block> {
  const response = await graphql<{ mineBlock: { block: Block } }>(url, MINE, { data });
  expect(response.body.errors).toBeUndefined();
  return response.body.data!.mineBlock.block;
}

/** The next `count` blocks a blockMined subscription delivers. */
export async function nextBlocks(subscription: TestSubscription<{ blockMined: Block }>, count: number): Promise<Block[]> {
  const blocks: Block[] = [];
  while (blocks.length < count) {
    const result = await subscription.next();
    if (result === null) throw new Error(`the subscription completed after ${blocks.length} blocks`);
    expect(result.errors).toBeUndefined();
    blocks.push(result.data!.blockMined);
  }
  return blocks;
}

/** Another process's ledger on the same database (its own connection), mining with the JavaScript engine. */
export async function otherWriter(database: TestDatabase['config'], difficulty: number) {
  const storage = await openStorage({ ...database, databasePoolSize: 2, databaseStatementTimeoutMs: 30_000 });
  const proofSearch = createPoolProofSearch({ engine: 'js', threads: 1 });
  const ledger = await createLedger({ repository: storage.repository, proofSearch, difficulty, dataMaxBytes: 64 });
  onTestFinished(async () => {
    await ledger.close();
    await proofSearch.close();
    await storage.close();
  });
  return ledger;
}
