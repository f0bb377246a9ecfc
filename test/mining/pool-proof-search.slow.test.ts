import fc from 'fast-check';
import { describe, expect, it, onTestFinished } from 'vitest';
import { referenceProofOfWork } from '../../src/core/proof-of-work.js';
import { createPoolProofSearch, type PoolOptions } from '../../src/mining/pool-proof-search.js';
import { availableEngines, bestEngine } from '../helpers/engines.js';
import { NOTEBOOK_PROOFS, NOTEBOOK_PROOF_AFTER_48191 } from '../fixtures/notebook-chain.js';

// Searches split across several threads: they load every core on purpose, so they run in the slow tier.

function search(options: Partial<PoolOptions> = {}) {
  const proofSearch = createPoolProofSearch({ engine: bestEngine(), ...options });
  onTestFinished(() => proofSearch.close());
  return proofSearch;
}

describe.each(availableEngines())('pool proof search with the %s engine, on several threads', (engine) => {
  it.each([2, 3])("finds the notebook's proofs with %i threads, the smallest each time", async (threads) => {
    const proofSearch = search({ engine, threads, chunkSize: 1000 });
    const proofs: number[] = [];
    let previous = 1;
    for (let i = 0; i < NOTEBOOK_PROOFS.length + 1; i++) {
      const { proof, attempts } = await proofSearch.find(previous, 4);
      // Every chunk below the answer is searched whole, so at least `proof` candidates were hashed.
      expect(attempts).toBeGreaterThanOrEqual(proof);
      proofs.push((previous = proof));
    }
    expect(proofs).toEqual([...NOTEBOOK_PROOFS, NOTEBOOK_PROOF_AFTER_48191]);
  });

  it('agrees with the reference for random previous proofs on tiny chunks split across threads', async () => {
    const proofSearch = search({ engine, threads: 3, chunkSize: 7 });
    const cases = fc.sample(fc.tuple(fc.oneof(fc.integer({ min: 1, max: 10_000 }), fc.maxSafeInteger()), fc.integer({ min: 1, max: 3 })), {
      numRuns: 100,
      seed: 4,
    });
    for (const [previous, difficulty] of cases) {
      expect((await proofSearch.find(previous, difficulty)).proof).toBe(referenceProofOfWork(previous, difficulty));
    }
  });
});

describe('pool proof search, on several threads', () => {
  it('finds the known difficulty 6 answer after proof 533, across many chunks and threads', async () => {
    const { proof } = await search({ engine: bestEngine(), threads: 2 }).find(533, 6);
    expect(proof).toBe(23_008_642);
  });
});
