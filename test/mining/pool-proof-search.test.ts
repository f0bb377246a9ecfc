import fc from 'fast-check';
import { describe, expect, it, onTestFinished } from 'vitest';
import { referenceProofOfWork } from '../../src/core/proof-of-work.js';
import { ProofSearchClosedError, createPoolProofSearch, type PoolOptions } from '../../src/mining/pool-proof-search.js';
import { availableEngines, bestEngine } from '../helpers/engines.js';
import { NOTEBOOK_PROOFS, NOTEBOOK_PROOF_AFTER_48191 } from '../fixtures/notebook-chain.js';

function search(options: Partial<PoolOptions> = {}) {
  const proofSearch = createPoolProofSearch({ engine: bestEngine(), ...options });
  onTestFinished(() => proofSearch.close());
  return proofSearch;
}

describe.each(availableEngines())('pool proof search with the %s engine', (engine) => {
  it("finds the notebook's proofs on one thread, the smallest each time, hashing exactly the candidates up to each", async () => {
    const proofSearch = search({ engine, threads: 1, chunkSize: 1000 });
    const proofs: number[] = [];
    let previous = 1;
    for (let i = 0; i < NOTEBOOK_PROOFS.length + 1; i++) {
      const { proof, attempts } = await proofSearch.find(previous, 4);
      expect(attempts).toBe(proof);
      proofs.push((previous = proof));
    }
    expect(proofs).toEqual([...NOTEBOOK_PROOFS, NOTEBOOK_PROOF_AFTER_48191]);
  });
});

describe('pool proof search', () => {
  it('agrees with the reference for random previous proofs, negative differences included', async () => {
    const proofSearch = search({ engine: 'js', chunkSize: 7 });
    const cases = fc.sample(fc.tuple(fc.oneof(fc.integer({ min: 1, max: 10_000 }), fc.maxSafeInteger()), fc.integer({ min: 1, max: 3 })), {
      numRuns: 200,
      seed: 4,
    });
    for (const [previous, difficulty] of cases) {
      expect((await proofSearch.find(previous, difficulty)).proof).toBe(referenceProofOfWork(previous, difficulty));
    }
  });

  it('serves concurrent calls one at a time, in order', async () => {
    const proofSearch = search({ engine: 'js' });
    const results = await Promise.all([proofSearch.find(1, 4), proofSearch.find(533, 4), proofSearch.find(45293, 4)]);
    expect(results.map((result) => result.proof)).toEqual([533, 45293, 21391]);
  });

  it('abandons a search when its signal aborts, then keeps working', async () => {
    const proofSearch = search({ engine: 'js' });
    const controller = new AbortController();
    const reason = new Error('client went away');
    const slow = proofSearch.find(1, 12, controller.signal);
    setTimeout(() => controller.abort(reason), 50);
    await expect(slow).rejects.toBe(reason);
    expect((await proofSearch.find(1, 4)).proof).toBe(533);
  });

  it('abandons several searches cancelled back to back, not only the newest', async () => {
    const proofSearch = search({ engine: 'js' });
    const first = new AbortController();
    const second = new AbortController();
    const slowFirst = proofSearch.find(1, 12, first.signal);
    const slowSecond = proofSearch.find(2, 12, second.signal);
    await new Promise((resolve) => setTimeout(resolve, 50));
    first.abort(new Error('first'));
    // The second search is now posted to a worker still busy with the first.
    await new Promise((resolve) => setImmediate(resolve));
    second.abort(new Error('second'));
    await expect(slowFirst).rejects.toThrow('first');
    await expect(slowSecond).rejects.toThrow('second');
    expect((await proofSearch.find(1, 4)).proof).toBe(533);
  });

  it('rejects a queued search at once when its signal aborts, without waiting for the one ahead', async () => {
    const proofSearch = search({ engine: 'js' });
    const ahead = new AbortController();
    const queued = new AbortController();
    const slow = proofSearch.find(1, 12, ahead.signal);
    const waiting = proofSearch.find(1, 4, queued.signal);
    queued.abort(new Error('gave up waiting'));
    await expect(waiting).rejects.toThrow('gave up waiting');
    ahead.abort(new Error('done'));
    await expect(slow).rejects.toThrow('done');
    expect((await proofSearch.find(1, 4)).proof).toBe(533);
  });

  it('reports the attempts of the search in progress, growing, and null when idle', async () => {
    const proofSearch = search({ engine: 'js', threads: 2 });
    await proofSearch.ready;
    expect(proofSearch.progress()).toBeNull();
    const controller = new AbortController();
    const before = performance.now();
    const slow = proofSearch.find(1, 7, controller.signal);
    await expect.poll(() => proofSearch.progress()?.attempts ?? 0, { timeout: 10_000, interval: 20 }).toBeGreaterThan(0);
    const first = proofSearch.progress()!;
    expect(first.startedAt).toBeGreaterThanOrEqual(before);
    expect(first.startedAt).toBeLessThanOrEqual(performance.now());
    await expect.poll(() => proofSearch.progress()!.attempts, { timeout: 10_000, interval: 20 }).toBeGreaterThan(first.attempts);
    expect(proofSearch.progress()!.startedAt).toBe(first.startedAt);
    controller.abort(new Error('enough'));
    await expect(slow).rejects.toThrow('enough');
    expect(proofSearch.progress()).toBeNull();

    const { attempts } = await proofSearch.find(1, 4);
    expect(attempts).toBeGreaterThanOrEqual(533);
    expect(proofSearch.progress()).toBeNull();
  });

  it('refuses a chunk size or thread count that could not make progress', () => {
    expect(() => createPoolProofSearch({ engine: 'js', chunkSize: 0 })).toThrow(RangeError);
    expect(() => createPoolProofSearch({ engine: 'js', threads: 0 })).toThrow(RangeError);
  });

  it('refuses a search whose signal already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('too late'));
    await expect(search({ engine: 'js' }).find(1, 4, controller.signal)).rejects.toThrow('too late');
  });

  it('rejects the search in progress and later ones once closed', async () => {
    const proofSearch = createPoolProofSearch({ engine: 'js' });
    const slow = proofSearch.find(1, 12);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await proofSearch.close();
    await expect(slow).rejects.toBeInstanceOf(ProofSearchClosedError);
    await expect(proofSearch.find(1, 4)).rejects.toBeInstanceOf(ProofSearchClosedError);
  });

  it('reports a search the worker cannot run', async () => {
    await expect(search({ engine: 'js' }).find(1, 13)).rejects.toThrow(/unsupported difficulty/);
  });
});
