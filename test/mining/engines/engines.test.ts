import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_PROOF, referenceProofOfWork, searchProofs } from '../../../src/core/proof-of-work.js';
import { loadJsEngine } from '../../../src/mining/engines/js-engine.js';
import { EngineUnavailableError, selectEngine, type EngineLoaders } from '../../../src/mining/engines/load-engine.js';
import { availableEngines, enginesUnderTest, smallestProof } from '../../helpers/engines.js';
import { NOTEBOOK_PROOFS, NOTEBOOK_PROOF_AFTER_48191 } from '../../fixtures/notebook-chain.js';

describe.each(enginesUnderTest())('the %s proof engine', (_label, engine) => {
  it("finds the notebook's proofs at difficulty 4", () => {
    const proofs: number[] = [];
    let previous = 1;
    for (let i = 0; i <= NOTEBOOK_PROOFS.length; i++) proofs.push((previous = smallestProof(engine, previous, 4)!));
    expect(proofs).toEqual([...NOTEBOOK_PROOFS, NOTEBOOK_PROOF_AFTER_48191]);
  });

  it('agrees with the reference on a few hundred random (previous proof, difficulty) cases', () => {
    const previousProof = fc.oneof(
      fc.integer({ min: 1, max: 100_000 }),
      fc.integer({ min: 2 ** 26, max: 2 ** 40 }),
      fc.integer({ min: 2 ** 52, max: MAX_PROOF }),
    );
    fc.assert(
      fc.property(previousProof, fc.integer({ min: 1, max: 2 }), (previous, difficulty) => {
        expect(smallestProof(engine, previous, difficulty)).toBe(referenceProofOfWork(previous, difficulty));
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  it('agrees with the fast TypeScript search on windows far from 1: sign crossings, proofs beyond 2^26 and near 2^53', () => {
    const window = fc.record({
      previous: fc.oneof(fc.integer({ min: 1, max: 2 ** 30 }), fc.integer({ min: 2 ** 52, max: MAX_PROOF })),
      offset: fc.integer({ min: -3000, max: 3000 }),
      count: fc.integer({ min: 0, max: 5000 }),
      difficulty: fc.integer({ min: 1, max: 3 }),
    });
    fc.assert(
      fc.property(window, ({ previous, offset, count, difficulty }) => {
        // Windows start around the previous proof, so many cross from negative to positive differences.
        const start = Math.min(Math.max(1, previous + offset), MAX_PROOF);
        expect(engine.search(previous, difficulty, start, count)).toBe(searchProofs(previous, difficulty, start, count));
      }),
      { numRuns: 300, seed: 12 },
    );
  });

  it('stops at the largest safe proof and checks its arguments as the reference does', () => {
    expect(engine.search(MAX_PROOF, 1, MAX_PROOF - 100, 1000)).toBe(searchProofs(MAX_PROOF, 1, MAX_PROOF - 100, 1000));
    expect(engine.search(1, 12, MAX_PROOF, 10)).toBeNull();
    expect(engine.search(1, 1, 1, 0)).toBeNull();
    expect(() => engine.search(1, 13, 1, 10)).toThrow(RangeError);
    expect(() => engine.search(1, 4, 0, 10)).toThrow(RangeError);
    expect(() => engine.search(1.5, 4, 1, 10)).toThrow(RangeError);
    expect(() => engine.search(1, 4, 1, -1)).toThrow(RangeError);
  });
});

describe('choosing an engine', () => {
  const missing = (name: string) => () => {
    throw new Error(`${name} is not built`);
  };
  const onlyJs: EngineLoaders = { native: missing('native'), wasm: missing('wasm'), js: loadJsEngine };

  it('auto takes the fastest engine that loads and says why it passed over the others', () => {
    const { engine, skipped } = selectEngine('auto', onlyJs);
    expect(engine.name).toBe('js');
    expect(skipped).toEqual([
      { name: 'native', reason: 'native is not built' },
      { name: 'wasm', reason: 'wasm is not built' },
    ]);
  });

  it('auto prefers native, then wasm, when they load', () => {
    expect(selectEngine('auto', { ...onlyJs, wasm: () => ({ name: 'wasm', search: searchProofs }) }).engine.name).toBe('wasm');
    expect(selectEngine('auto', { ...onlyJs, native: () => ({ name: 'native', search: searchProofs }) }).engine.name).toBe('native');
  });

  it('an engine named explicitly must load: no silent fallback', () => {
    expect(() => selectEngine('native', onlyJs)).toThrow(EngineUnavailableError);
    expect(() => selectEngine('wasm', onlyJs)).toThrow('wasm is not built');
    const forced = selectEngine('js', onlyJs);
    expect(forced.engine.name).toBe('js');
    expect(forced.skipped).toEqual([]);
  });

  it('each engine can be forced on this machine when it is available', () => {
    for (const name of availableEngines()) expect(selectEngine(name).engine.name).toBe(name);
  });
});
