import fc from 'fast-check';
import { describe, expect, it, onTestFinished } from 'vitest';
import { referenceProofOfWork } from '../../src/core/proof-of-work.js';
import { ProofSearchClosedError, createWorkerProofSearch } from '../../src/mining/worker-proof-search.js';
import { SEED_PROOFS, SEED_PROOF_AFTER_48191 } from '../fixtures/seed-chain.js';

function search(options?: Parameters<typeof createWorkerProofSearch>[0]) {
  const proofSearch = createWorkerProofSearch(options);
  onTestFinished(() => proofSearch.close());
  return proofSearch;
}

describe('worker proof search', () => {
  it("finds the seed's proofs on a worker thread", async () => {
    const proofSearch = search();
    const proofs: number[] = [];
    let previous = 1;
    for (let i = 0; i < SEED_PROOFS.length + 1; i++) {
      const { proof, attempts } = await proofSearch.find(previous, 4);
      expect(attempts).toBe(proof);
      proofs.push((previous = proof));
    }
    expect(proofs).toEqual([...SEED_PROOFS, SEED_PROOF_AFTER_48191]);
  });

  it('finds the known difficulty 6 answer after proof 533, across many chunks', async () => {
    const { proof } = await search().find(533, 6);
    expect(proof).toBe(23_008_642);
  });

  it('agrees with the reference for random previous proofs, negative differences included', async () => {
    const proofSearch = search({ chunkSize: 7 });
    const cases = fc.sample(fc.tuple(fc.oneof(fc.integer({ min: 1, max: 10_000 }), fc.maxSafeInteger()), fc.integer({ min: 1, max: 3 })), {
      numRuns: 200,
      seed: 4,
    });
    for (const [previous, difficulty] of cases) {
      expect((await proofSearch.find(previous, difficulty)).proof).toBe(referenceProofOfWork(previous, difficulty));
    }
  });

  it('serves concurrent calls one at a time, in order', async () => {
    const proofSearch = search();
    const results = await Promise.all([proofSearch.find(1, 4), proofSearch.find(533, 4), proofSearch.find(45293, 4)]);
    expect(results.map((result) => result.proof)).toEqual([533, 45293, 21391]);
  });

  it('abandons a search when its signal aborts, then keeps working', async () => {
    const proofSearch = search();
    const controller = new AbortController();
    const reason = new Error('client went away');
    const slow = proofSearch.find(1, 9, controller.signal);
    setTimeout(() => controller.abort(reason), 50);
    await expect(slow).rejects.toBe(reason);
    expect((await proofSearch.find(1, 4)).proof).toBe(533);
  });

  it('abandons several searches cancelled back to back, not only the newest', async () => {
    const proofSearch = search();
    const first = new AbortController();
    const second = new AbortController();
    const slowFirst = proofSearch.find(1, 10, first.signal);
    const slowSecond = proofSearch.find(2, 10, second.signal);
    await new Promise((resolve) => setTimeout(resolve, 50));
    first.abort(new Error('first'));
    // The second search is now posted to a worker still busy with the first.
    await new Promise((resolve) => setImmediate(resolve));
    second.abort(new Error('second'));
    await expect(slowFirst).rejects.toThrow('first');
    await expect(slowSecond).rejects.toThrow('second');
    expect((await proofSearch.find(1, 4)).proof).toBe(533);
  });

  it('refuses a search whose signal already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('too late'));
    await expect(search().find(1, 4, controller.signal)).rejects.toThrow('too late');
  });

  it('rejects the search in progress and later ones once closed', async () => {
    const proofSearch = createWorkerProofSearch();
    const slow = proofSearch.find(1, 9);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await proofSearch.close();
    await expect(slow).rejects.toBeInstanceOf(ProofSearchClosedError);
    await expect(proofSearch.find(1, 4)).rejects.toBeInstanceOf(ProofSearchClosedError);
  });

  it('reports a search the worker cannot run', async () => {
    await expect(search().find(1, 13)).rejects.toThrow(/unsupported difficulty/);
  });
});
