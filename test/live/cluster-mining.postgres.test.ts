import { expect, it, onTestFinished } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { MiningProgressUpdate } from '../../src/live/live-feeds.js';
import { createPoolProofSearch } from '../../src/mining/pool-proof-search.js';
import { describeOnPostgres, freshPostgresUrl } from '../helpers/postgres.js';

/**
 * Two apps on one database, as two instances of a cluster, mining with the
 * slowest engine on one thread. A block's proof depends only on the one
 * before, so block 1 always takes the same work: at difficulty 5 a fraction
 * of a second, at 6 (~3.4 million hashes) seconds.
 */
async function twoInstances(difficulty: number): Promise<{ a: App; b: App }> {
  const url = await freshPostgresUrl();
  const proofSearch = createPoolProofSearch({ engine: 'js', threads: 1 });
  onTestFinished(() => proofSearch.close());
  const open = async (instanceId: string): Promise<App> => {
    const app = await createApp({ ...loadConfig({}), databaseUrl: url, difficulty, instanceId }, { proofSearch });
    onTestFinished(() => app.close());
    return app;
  };
  const a = await open('a');
  const b = await open('b');
  return { a, b };
}

async function collect<T>(iterator: AsyncIterableIterator<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterator) items.push(item);
  return items;
}

describeOnPostgres('mining across instances', () => {
  it('shows a mine on another instance to miningProgress subscribers here, from MINING to MINED with the block, and blockMined gets the block', async () => {
    const { a, b } = await twoInstances(5);
    const progress = collect<MiningProgressUpdate>(b.live.miningProgress('client'));
    const blocks = await b.live.blockMined('client');
    const mined = await a.ledger.mineBlock({ data: 'mined on a' });

    const updates = await progress;
    expect(updates[0]).toMatchObject({ state: 'MINING', index: 1, difficulty: 5 });
    expect(updates.at(-1)).toMatchObject({ state: 'MINED', index: 1, block: mined.block });
    expect(updates.slice(0, -1).every((update) => update.state === 'MINING')).toBe(true);
    // Attempts never go back, here as on the instance that mines.
    const attempts = updates.map((update) => update.attempts);
    expect(attempts).toEqual([...attempts].sort((x, y) => x - y));
    expect((await blocks.next()).value).toEqual({ block: mined.block });
    await blocks.return?.();
    // Nothing mines now: a new subscriber here waits for the next mine.
    expect(b.ledger.miningProgress()).toBeNull();
  });

  it('ends a follower with ABANDONED when the instance mining shuts down mid-mine', async () => {
    const { a, b } = await twoInstances(6);
    const progress = collect<MiningProgressUpdate>(b.live.miningProgress('client'));
    const mine = a.ledger.mineBlock();
    mine.catch(() => undefined);
    await expect.poll(() => a.ledger.miningProgress() !== null, { timeout: 10_000 }).toBe(true);
    await a.close();
    const updates = await progress;
    expect(updates.at(-1)).toMatchObject({ state: 'ABANDONED', index: 1, difficulty: 6, block: null });
  });
});
