import { describe, expect, it } from 'vitest';
import type { Block } from '../../src/core/block.js';
import { BLOCK_MINED, mine, nextBlocks, otherWriter } from '../helpers/live-chain.js';
import { describeOnEngines } from '../helpers/postgres.js';
import { startTestServer } from '../helpers/server.js';
import { testDatabase } from '../helpers/storage-engines.js';
import { TRANSPORTS, leftovers, nothingLeft, subscribe, until } from '../helpers/subscription-clients.js';

describeOnEngines('subscriptions on %s', (engine) => {
  describe.each(TRANSPORTS)('over %s', (transport) => {
    it('blockMined: blocks another process appends to the database arrive too, in order with ours', async () => {
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
  });
});
