import { describe, expect, it, onTestFinished } from 'vitest';
import type { Block } from '../../src/core/block.js';
import { createLedger } from '../../src/ledger/ledger.js';
import { createPoolProofSearch } from '../../src/mining/pool-proof-search.js';
import type { RunningServer } from '../../src/server.js';
import { openStorage } from '../../src/storage/open-storage.js';
import { ENGINES } from '../helpers/postgres.js';
import { testDatabase, type TestDatabase } from '../helpers/storage-engines.js';
import { errorCodes, graphql, startTestServer, IN_MEMORY } from '../helpers/server.js';
import { TRANSPORTS, leftovers, nothingLeft, subscribe, until, type TestSubscription } from '../helpers/subscription-clients.js';

const BLOCK_MINED = 'subscription { blockMined { index timestamp proof previousHash hash data difficulty } }';
const MINING_PROGRESS = `subscription {
  miningProgress { index difficulty attempts expectedAttempts hashRate elapsedMs state block { index hash proof } }
}`;
const MINE = 'mutation ($data: String) { mineBlock(data: $data) { block { index timestamp proof previousHash hash data difficulty } } }';

interface Progress {
  index: number;
  difficulty: number;
  attempts: number;
  expectedAttempts: number;
  hashRate: number;
  elapsedMs: number;
  state: 'MINING' | 'MINED' | 'ABANDONED';
  block: { index: number; hash: string; proof: number } | null;
}

async function mine(url: string, data: string | null = null): Promise<Block> {
  const response = await graphql<{ mineBlock: { block: Block } }>(url, MINE, { data });
  expect(response.body.errors).toBeUndefined();
  return response.body.data!.mineBlock.block;
}

/** The next `count` blocks a blockMined subscription delivers. */
async function nextBlocks(subscription: TestSubscription<{ blockMined: Block }>, count: number): Promise<Block[]> {
  const blocks: Block[] = [];
  while (blocks.length < count) {
    const result = await subscription.next();
    if (result === null) throw new Error(`the subscription completed after ${blocks.length} blocks`);
    expect(result.errors).toBeUndefined();
    blocks.push(result.data!.blockMined);
  }
  return blocks;
}

/** Another process's view of the same database file: a ledger of its own, mining onto the shared chain. */
/** Another process's ledger on the same database (its own connection), mining with the JavaScript engine. */
async function otherWriter(database: TestDatabase['config'], difficulty: number) {
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

const progressOf = (result: { data?: { miningProgress: Progress } | null; errors?: unknown } | null): Progress => {
  expect(result?.errors).toBeUndefined();
  return result!.data!.miningProgress;
};

/** A server whose mines at difficulty 6 take seconds (the JavaScript engine on one thread: ~3.4 million hashes for block 1). */
/**
 * A mine that lasts a few hundred milliseconds (difficulty 5 with the slowest engine on one thread), with
 * progress updates every 25 ms rather than every 250: several updates for a fraction of the CPU a longer mine costs.
 */
const slowMiner = (path: string): Promise<RunningServer> =>
  startTestServer(path, { difficulty: 5, miner: 'js', miningThreads: 1 }, { live: { progress: { intervalMs: 25 } } });

describe.each(TRANSPORTS)('subscriptions over %s', (transport) => {
  it('blockMined: two subscribers get every new block, in order, exactly once', async () => {
    const server = await startTestServer(IN_MEMORY, { difficulty: 1, miningThreads: 1 });
    const before = await mine(server.url, 'before anyone subscribed');
    const first = subscribe<{ blockMined: Block }>(transport, server, BLOCK_MINED);
    const second = subscribe<{ blockMined: Block }>(transport, server, BLOCK_MINED);
    // Clients connect lazily: pull, then wait for the server to hold both subscriptions.
    const firstBlocks = nextBlocks(first, 7);
    const secondBlocks = nextBlocks(second, 7);
    await until(() => leftovers(server).blockMined === 2, 'both subscriptions are registered');

    const mined: Block[] = [];
    for (let i = 0; i < 5; i++) mined.push(await mine(server.url, `block ${i}`));
    mined.push(...(await Promise.all([mine(server.url), mine(server.url)])).sort((a, b) => a.index - b.index));
    expect(mined.map((block) => block.index)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(await firstBlocks).toEqual(mined);
    expect(await secondBlocks).toEqual(mined);
    // Then the next block, not a repeat; and never the one mined before subscribing.
    const ninth = await mine(server.url);
    expect(await nextBlocks(first, 1)).toEqual([ninth]);
    expect(await nextBlocks(second, 1)).toEqual([ninth]);
    expect(before.index).toBe(1);

    await first.unsubscribe();
    await second.unsubscribe();
    await until(nothingLeft(server), 'no listener or subscriber is left');
  });

  it.each(ENGINES)('blockMined: blocks another process appends to the database arrive too, in order with ours, on %s', async (engine) => {
    const { config } = await testDatabase(engine);
    const server = await startTestServer(config.databasePath, { ...config, difficulty: 1, miningThreads: 1 });
    const other = await otherWriter(config, 1);
    const subscription = subscribe<{ blockMined: Block }>(transport, server, BLOCK_MINED);
    const received = nextBlocks(subscription, 6);
    await until(() => leftovers(server).blockMined === 1, 'the subscription is registered');

    const ours1 = await mine(server.url, 'ours');
    const theirs2 = (await other.mineBlock({ data: 'theirs' })).block;
    const theirs3 = (await other.mineBlock({ data: 'theirs' })).block;
    // Mined right after theirs: the server's own block announces those before it.
    const ours4 = await mine(server.url, 'ours');
    const theirs5 = (await other.mineBlock({ data: 'theirs' })).block;
    // Found by the poll alone.
    const theirs6 = (await other.mineBlock({ data: 'theirs' })).block;

    expect(await received).toEqual([ours1, theirs2, theirs3, ours4, theirs5, theirs6]);
    await subscription.unsubscribe();
    await until(nothingLeft(server), 'no listener or subscriber is left');
  });

  it('miningProgress: MINING updates while a slow mine runs, then MINED with the block, then completes', async () => {
    const server = await slowMiner(IN_MEMORY);
    const subscription = subscribe<{ miningProgress: Progress }>(transport, server, MINING_PROGRESS);
    const first = subscription.next();
    await until(() => leftovers(server).miningProgress === 1, 'the subscription is registered');
    const mined = mine(server.url);

    const updates = [progressOf(await first), ...(await subscription.rest()).map(progressOf)];
    const block = await mined;
    const last = updates.at(-1)!;
    const running = updates.slice(0, -1);
    expect(running.length).toBeGreaterThanOrEqual(2);
    for (const update of running) {
      expect(update).toMatchObject({ index: 1, difficulty: 5, expectedAttempts: 16 ** 5, state: 'MINING', block: null });
    }
    const attempts = running.map((update) => update.attempts);
    expect(attempts).toEqual([...attempts].sort((a, b) => a - b));
    expect(Math.max(...attempts)).toBeGreaterThan(0);
    const moving = running.find((update) => update.attempts > 0)!;
    expect(moving.hashRate).toBeCloseTo(moving.attempts / (moving.elapsedMs / 1000), 6);

    expect(last).toMatchObject({ index: 1, state: 'MINED', block: { index: 1, hash: block.hash, proof: block.proof } });
    expect(last.attempts).toBeGreaterThanOrEqual(block.proof);
    expect(last.attempts).toBeGreaterThanOrEqual(Math.max(...attempts));
    expect(last.elapsedMs).toBeGreaterThanOrEqual(Math.max(...running.map((update) => update.elapsedMs)));
    await until(nothingLeft(server), 'no listener or subscriber is left');
  });

  it('miningProgress: ABANDONED when the server shuts down mid-mine, then completes; blockMined completes', async () => {
    const server = await startTestServer(IN_MEMORY, { difficulty: 9, miner: 'js', miningThreads: 1 });
    const progress = subscribe<{ miningProgress: Progress }>(transport, server, MINING_PROGRESS);
    const blocks = subscribe<{ blockMined: Block }>(transport, server, BLOCK_MINED);
    const started = progress.next();
    const blocksEnd = blocks.rest();
    await until(() => leftovers(server).miningProgress === 1 && leftovers(server).blockMined === 1, 'both subscriptions are registered');
    const mining = graphql(server.url, MINE);
    expect(progressOf(await started)).toMatchObject({ index: 1, state: 'MINING' });

    await server.close();
    const rest = (await progress.rest()).map(progressOf);
    expect(rest.at(-1)).toMatchObject({ index: 1, difficulty: 9, state: 'ABANDONED', block: null });
    expect(rest.slice(0, -1).every((update) => update.state === 'MINING')).toBe(true);
    expect(await blocksEnd).toEqual([]);
    expect(errorCodes(await mining)).toEqual(['SHUTTING_DOWN']);
    expect(leftovers(server)).toEqual({ listeners: 0, blockMined: 0, miningProgress: 0 });
  });

  it('leaves no listener behind after an unsubscribe, and after a dropped connection', async () => {
    const server = await startTestServer(IN_MEMORY, { difficulty: 1, miningThreads: 1 });
    for (const end of ['unsubscribe', 'disconnect'] as const) {
      const blocks = subscribe<{ blockMined: Block }>(transport, server, BLOCK_MINED);
      const progress = subscribe<{ miningProgress: Progress }>(transport, server, MINING_PROGRESS);
      const firstBlock = blocks.next();
      const firstProgress = progress.next();
      await until(() => leftovers(server).blockMined === 1 && leftovers(server).miningProgress === 1, 'both subscriptions are registered');
      expect(leftovers(server).listeners).toBe(2);
      const block = await mine(server.url);
      expect((await firstBlock)?.data?.blockMined).toEqual(block);
      expect(progressOf(await firstProgress).index).toBe(block.index);
      // Following the next mine, which never comes.
      // The transport ends it, not the feed: whether the client sees a completion or an error does not matter here.
      void progress.next().catch(() => undefined);
      if (end === 'unsubscribe') {
        await blocks.unsubscribe();
        await progress.unsubscribe();
      } else {
        blocks.disconnect();
        progress.disconnect();
      }
      await until(nothingLeft(server), `no listener or subscriber is left after an ${end}`);
    }
  });

  it('ends subscriptions promptly when the server closes, leaving nothing behind', async () => {
    const server = await startTestServer(IN_MEMORY, { difficulty: 1, miningThreads: 1 });
    const blocks = subscribe<{ blockMined: Block }>(transport, server, BLOCK_MINED);
    const progress = subscribe<{ miningProgress: Progress }>(transport, server, MINING_PROGRESS);
    const blocksEnd = blocks.rest();
    const progressEnd = progress.rest();
    await until(() => leftovers(server).blockMined === 1 && leftovers(server).miningProgress === 1, 'both subscriptions are registered');
    // Well within the 60 s grace: a hang would fail the test by its timeout, not by a clock.
    await server.close(60_000);
    expect(await blocksEnd).toEqual([]);
    expect(await progressEnd).toEqual([]);
    expect(leftovers(server)).toEqual({ listeners: 0, blockMined: 0, miningProgress: 0 });
  });
});
