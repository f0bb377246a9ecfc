import { describe, expect, it } from 'vitest';
import type { Block } from '../../src/core/block.js';
import type { RunningServer } from '../../src/server.js';
import { errorCodes, graphql, startTestServer, IN_MEMORY } from '../helpers/server.js';
import { BLOCK_MINED, MINE, mine, nextBlocks } from '../helpers/live-chain.js';
import { TRANSPORTS, leftovers, nothingLeft, subscribe, until } from '../helpers/subscription-clients.js';

const MINING_PROGRESS = `subscription {
  miningProgress { index difficulty attempts expectedAttempts hashRate elapsedMs state block { index hash proof } }
}`;

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
