import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_PROOF, isValidProof, referenceProofOfWork, searchProofs } from '../../../src/core/proof-of-work.js';
import { loadWasmEngine } from '../../../src/mining/engines/wasm-engine.js';

const engine = loadWasmEngine();

/** The engine's answer next to searchProofs', for one window. */
function bothSearches(previousProof: number, difficulty: number, start: number, count: number) {
  return {
    wasm: engine.search(previousProof, difficulty, start, count),
    js: searchProofs(previousProof, difficulty, start, count),
  };
}

/** floor(sqrt(value)) */
function isqrt(value: bigint): bigint {
  let root = BigInt(Math.floor(Math.sqrt(Number(value))));
  while (root * root > value) root -= 1n;
  while ((root + 1n) * (root + 1n) <= value) root += 1n;
  return root;
}

function expectAgreement(previousProof: number, difficulty: number, start: number, count: number): void {
  const { wasm, js } = bothSearches(previousProof, difficulty, start, count);
  expect(wasm, `previous ${previousProof}, difficulty ${difficulty}, [${start}, +${count})`).toBe(js);
}

describe('wasm proof engine', () => {
  it('is named wasm', () => {
    expect(engine.name).toBe('wasm');
  });

  it('reproduces the notebook chain at difficulty 4, as the reference loop does', () => {
    let previous = 1;
    for (const expected of [533, 45293, 21391, 8018, 48191, 19865]) {
      const proof = engine.search(previous, 4, 1, 100_000);
      expect(proof).toBe(expected);
      expect(proof).toBe(referenceProofOfWork(previous, 4));
      previous = expected;
    }
  });

  it('finds the notebook proofs at difficulties 5, 6 and 7', () => {
    expect(engine.search(1, 5, 1, 1_000_000)).toBe(632238);
    expect(engine.search(1, 6, 1, 4_000_000)).toBe(3353945);
    expect(isValidProof(1, 3353945, 6)).toBe(true);
    expectAgreement(1, 6, 3353945 - 3000, 6000);
    expectAgreement(533, 6, 23008642 - 3000, 6000);
    // Past 94,906,265 the square leaves the doubles' exact range.
    expectAgreement(1, 7, 203748674 - 3000, 6000);
    expect(engine.search(1, 7, 203748674 - 3000, 6000)).toBe(203748674);
  });

  it('rejects a proof that meets a lower difficulty only (word 0 and word 1 masks)', () => {
    for (let difficulty = 7; difficulty <= 12; difficulty++) expectAgreement(1, difficulty, 3353945 - 100, 200);
    for (let difficulty = 8; difficulty <= 12; difficulty++) expectAgreement(1, difficulty, 203748674 - 100, 200);
    // Hashes to 00000000 86ed…: eight zeros fill word 0, the ninth digit is in word 1.
    // (Found by this engine from proof 1; the core's isValidProof confirms it.)
    expect(isValidProof(1, 1810730793, 8)).toBe(true);
    expect(engine.search(1, 8, 1810730793 - 100, 200)).toBe(1810730793);
    for (let difficulty = 8; difficulty <= 12; difficulty++) expectAgreement(1, difficulty, 1810730793 - 100, 200);
  });

  it('returns the first hit of a group of four, whichever lane it is in, and none past the window', () => {
    // 533 is the smallest proof after 1 at difficulty 4, so [533 - j, 533] holds exactly one.
    for (let j = 0; j < 8; j++) {
      expect(engine.search(1, 4, 533 - j, j + 1)).toBe(533);
      expect(engine.search(1, 4, 533 - j, j)).toBeNull();
    }
    // At difficulty 1 groups often hold several hits: every alignment and length.
    for (let start = 1; start <= 64; start++) {
      for (let count = 1; count <= 9; count++) expectAgreement(977, 1, start, count);
    }
  });

  it('handles count 0 and count 1', () => {
    expect(engine.search(1, 4, 533, 0)).toBeNull();
    expect(engine.search(1, 1, 1, 0)).toBeNull();
    for (let start = 1; start <= 200; start++) {
      expect(engine.search(5, 1, start, 1)).toBe(isValidProof(5, start, 1) ? start : null);
    }
  });

  it('handles negative differences and the sign change at the previous proof', () => {
    expectAgreement(1_000_000, 2, 1, 2_000);
    expectAgreement(2 ** 40 + 3, 2, 5, 2_000);
    for (const previous of [2, 3, 1_000, 999_999_999, 2 ** 32 + 1]) {
      for (let offset = 0; offset < 8; offset++) expectAgreement(previous, 1, Math.max(1, previous - offset), 16);
    }
    // The zero difference hashes "0".
    expect(engine.search(777, 1, 777, 1)).toBe(isValidProof(777, 777, 1) ? 777 : null);
  });

  it('carries and borrows across every power of ten of the difference', () => {
    // Each window starts just before |n^2 - p^2| crosses 10^k, so the crossing is made by the
    // module's running update, not by its exact computation of the window's first value.
    const top = BigInt(MAX_PROOF);
    for (let k = 1; k <= 31; k++) {
      const power = 10n ** BigInt(k);
      const rising = Number(isqrt(power + 1n));
      expectAgreement(1, 2, Math.max(1, rising - 1), 2_000);
      const falling = Number(isqrt(top * top - power)) + 1;
      expectAgreement(MAX_PROOF, 2, falling - 1, 2_000);
    }
    // The step 2n + 1 itself crossing 10^9 and 2 * 10^9.
    expectAgreement(1, 2, 500_000_000 - 1, 2_000);
    expectAgreement(3, 2, 1_000_000_000 - 1, 2_000);
  });

  it('is exact above 2^26 and up to 2^53 - 1', () => {
    expectAgreement(12_345, 2, 2 ** 26 + 5, 3_000);
    expectAgreement(2 ** 26 + 9, 2, 2 ** 26 - 1_000, 3_000);
    const top = MAX_PROOF + 1;
    for (const difficulty of [1, 2]) {
      expectAgreement(top - 500, difficulty, top - 1_000, 1_000);
      expectAgreement(1, difficulty, top - 1_000, 1_000);
      expectAgreement(top - 1, difficulty, top - 3, 3);
    }
  });

  it('clamps windows that pass 2^53 - 1', () => {
    expectAgreement(3, 2, MAX_PROOF - 40, 1_000);
    expectAgreement(3, 2, MAX_PROOF - 40, MAX_PROOF);
    expect(engine.search(1, 12, MAX_PROOF, MAX_PROOF)).toBeNull();
  });

  it('searches windows longer than one call into the module', () => {
    expect(engine.search(1, 4, 1, 2 ** 31 + 5)).toBe(533);
  });

  it('treats a negative previous proof as searchProofs does', () => {
    expectAgreement(-533, 4, 1, 50_000);
  });

  it('agrees with searchProofs on random windows', () => {
    const anyProof = fc.integer({ min: 1, max: MAX_PROOF });
    const window = fc.oneof(
      // Anywhere, mostly with the previous proof far from the window.
      fc.record({ previous: anyProof, start: anyProof }),
      fc.record({ previous: fc.integer({ min: 1, max: 2 ** 20 }), start: fc.integer({ min: 1, max: 2 ** 20 }) }),
      // Previous proof far above the window: negative differences throughout.
      fc.integer({ min: 1, max: 2 ** 30 }).map((start) => ({ previous: start + 2 ** 40, start })),
      // The sign change inside the window.
      fc.tuple(anyProof, fc.integer({ min: 0, max: 300 })).map(([previous, back]) => ({ previous, start: Math.max(1, previous - back) })),
    );
    fc.assert(
      fc.property(window, fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 400 }), ({ previous, start }, difficulty, count) => {
        const { wasm, js } = bothSearches(previous, difficulty, start, count);
        expect(wasm).toBe(js);
      }),
      { numRuns: 400 },
    );
  });

  it('rejects the arguments searchProofs rejects', () => {
    expect(() => engine.search(1.5, 4, 1, 10)).toThrow(RangeError);
    expect(() => engine.search(2 ** 53, 4, 1, 10)).toThrow(RangeError);
    expect(() => engine.search(1, 0, 1, 10)).toThrow(RangeError);
    expect(() => engine.search(1, 13, 1, 10)).toThrow(RangeError);
    expect(() => engine.search(1, 2.5, 1, 10)).toThrow(RangeError);
    expect(() => engine.search(1, 4, 0, 10)).toThrow(RangeError);
    expect(() => engine.search(1, 4, 2 ** 53, 10)).toThrow(RangeError);
    expect(() => engine.search(1, 4, 1, -1)).toThrow(RangeError);
    expect(() => engine.search(1, 4, 1, Number.NaN)).toThrow(RangeError);
  });

  it('fails to load with a clear error when the binary is missing', () => {
    expect(() => loadWasmEngine(new URL('./no-such-file.wasm', import.meta.url))).toThrow(/wasm proof engine unavailable/);
  });

  it('fails to load with a clear error when the binary does not compile', () => {
    // This test file itself is not WebAssembly.
    expect(() => loadWasmEngine(new URL(import.meta.url))).toThrow(/does not compile/);
  });
});
