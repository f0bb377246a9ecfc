import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServerProcess } from '../helpers/process.js';
import { errorCodes, graphql, startTestServer } from '../helpers/server.js';
import { damageRootPage, tempDir } from '../helpers/temp-database.js';

const MINE = 'mutation ($data: String) { mineBlock(data: $data) { block { index hash } } }';

/** A chain of five blocks, written by a server that then shuts down cleanly (the WAL checkpointed into the file). */
async function storedChain(): Promise<string> {
  const path = join(tempDir(), 'chain.db');
  const first = await startTestServer(path, { difficulty: 1 });
  for (let i = 0; i < 5; i++) await graphql(first.url, MINE);
  await first.close();
  return path;
}

describe('a damaged database file', () => {
  it('is reported loudly, served for reads where it can be, and never mined onto, not even right after start-up', async () => {
    const path = await storedChain();
    damageRootPage(path, 'blocks_hash_unique'); // the index: the table itself stays readable

    const second = await startServerProcess({ DATABASE_PATH: path, DIFFICULTY: '1' });
    // Straight away, before quick_check has reported: the mine waits for it.
    const refused = await graphql(second.url, MINE);
    expect(refused.status).toBe(503);
    expect(errorCodes(refused)).toEqual(['DATABASE_DAMAGED']);
    expect(refused.body.errors![0]!.message).not.toMatch(/Tree|page|btree/i);
    await expect.poll(() => second.output(), { timeout: 20_000 }).toMatch(/DATABASE FILE IS DAMAGED \(quick_check\)/);
    const read = await graphql<{ block: { index: number } }>(second.url, '{ block(index: 3) { index } }');
    expect(read.body.data!.block.index).toBe(3);
    const damagedRead = await graphql(second.url, `{ blockByHash(hash: "${'0'.repeat(64)}") { index } }`);
    expect(errorCodes(damagedRead)).toEqual(['DATABASE_DAMAGED']);
  });

  it('still starts when the blocks themselves cannot be read, and says so', async () => {
    const path = await storedChain();
    damageRootPage(path, 'blocks');

    const server = await startServerProcess({ DATABASE_PATH: path, DIFFICULTY: '1' });
    await expect.poll(() => server.output()).toMatch(/THE NEWEST BLOCKS CANNOT BE READ/);
    const read = await graphql(server.url, '{ block(index: 0) { index } }');
    expect(errorCodes(read)).toEqual(['DATABASE_DAMAGED']);
    expect(errorCodes(await graphql(server.url, MINE))).toEqual(['DATABASE_DAMAGED']);
    await expect.poll(() => server.output(), { timeout: 20_000 }).toMatch(/DATABASE FILE IS DAMAGED/);
  });
});
