import { describe, expect, it } from 'vitest';
import { runLoad } from '../../bench/load-harness.js';
import { startTestServer, IN_MEMORY } from '../helpers/server.js';

describe('reads under load while blocks are mined', () => {
  it('answer every request, and every mined block is stored in a valid chain', async () => {
    const server = await startTestServer(IN_MEMORY, { miningRatePerMinute: 0 });
    const { reads, mined, mineErrors } = await runLoad({ url: server.url, seconds: 3, connections: 8 });
    console.info(`load test: ${reads.requests} reads (p50 ${reads.p50Ms} ms, p99 ${reads.p99Ms} ms), ${mined.length} blocks mined`);
    expect({ errors: reads.errors, non2xx: reads.non2xx, timeouts: reads.timeouts, mineErrors }).toEqual({
      errors: 0,
      non2xx: 0,
      timeouts: 0,
      mineErrors: [],
    });
    expect(reads.requests).toBeGreaterThan(100);
    expect(mined.length).toBeGreaterThan(0);
    for (const { index, hash } of mined) expect((await server.app.ledger.blockAt(index))?.hash).toBe(hash);
    const validation = await server.app.ledger.validate();
    expect(validation).toMatchObject({ valid: true, length: mined.length + 1 });
  });
});
