import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_DIFFICULTY,
  hashProof,
  isSupportedDifficulty,
  isValidProof,
  meetsDifficulty,
  referenceProofOfWork,
  searchProofs,
} from '../../src/core/proof-of-work.js';
import { NOTEBOOK_PROOFS, NOTEBOOK_PROOF_AFTER_48191 } from '../fixtures/notebook-chain.js';

const searchFrom = (previousProof: number, difficulty: number): number | null =>
  searchProofs(previousProof, difficulty, 1, Number.MAX_SAFE_INTEGER);

describe('hashProof', () => {
  it("reproduces the notebook's forged-chain hash: hash_proof(12345, 45293)", () => {
    expect(hashProof(12345, 45293)).toBe('b3e1a78ae4b5cd947a6690f4a5ee9b3a71a13a2df00d77cbc4c904c9b2ac2deb');
  });

  it('keeps exact integers beyond 2^53 and the sign of negative differences (vectors from Python)', () => {
    // str((2**52 + 1)**2 - (2**52)**2) == '9007199254740993', one more than a double can hold
    expect(hashProof(2 ** 52, 2 ** 52 + 1)).toBe('a1c367c29158357e62a3ff5d3e800fb7698a22396439dbc0a9d4929322afd35d');
    // str(5**2 - 203748674**2) == '-41513522156758251'
    expect(hashProof(203_748_674, 5)).toBe('ece6b52275676e2ba21bcafe5a3aa8688b54372b71d1badc6e86b2807d7c2fc9');
  });
});

describe('meetsDifficulty', () => {
  it('counts leading hex zeros', () => {
    expect(meetsDifficulty('0000ab', 4)).toBe(true);
    expect(meetsDifficulty('000a0b', 4)).toBe(false);
    expect(meetsDifficulty('00000f', 5)).toBe(true);
    expect(meetsDifficulty('0000f0', 5)).toBe(false);
  });

  it('supports difficulties 1 to 12', () => {
    expect(isSupportedDifficulty(0)).toBe(false);
    expect(isSupportedDifficulty(1)).toBe(true);
    expect(isSupportedDifficulty(MAX_DIFFICULTY)).toBe(true);
    expect(isSupportedDifficulty(MAX_DIFFICULTY + 1)).toBe(false);
    expect(isSupportedDifficulty(4.5)).toBe(false);
  });
});

describe('proof of work', () => {
  it("reference loop mines the notebook's proof sequence from the genesis proof", () => {
    const proofs: number[] = [];
    let previous = 1;
    for (let i = 0; i < NOTEBOOK_PROOFS.length + 1; i++) proofs.push((previous = referenceProofOfWork(previous, 4)));
    expect(proofs).toEqual([...NOTEBOOK_PROOFS, NOTEBOOK_PROOF_AFTER_48191]);
  });

  it("fast search finds the notebook's proof sequence", () => {
    const proofs: number[] = [];
    let previous = 1;
    for (let i = 0; i < NOTEBOOK_PROOFS.length + 1; i++) proofs.push((previous = searchFrom(previous, 4)!));
    expect(proofs).toEqual([...NOTEBOOK_PROOFS, NOTEBOOK_PROOF_AFTER_48191]);
  });

  it('fast search finds the known answers at difficulties 5 and 6', () => {
    expect(searchFrom(1, 5)).toBe(632_238);
    // From 1 at difficulty 6 is 3.4 M hashes here (seconds of CPU); the native and wasm engines,
    // held to this search, check that whole range. This one checks the last 100,000 before the answer.
    expect(searchProofs(1, 6, 3_253_945, 200_000)).toBe(3_353_945);
    expect(isValidProof(533, 23_008_642, 6)).toBe(true);
  });

  it('fast search agrees with the reference loop for random previous proofs, including huge ones', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 1, max: 1_000 }), fc.integer({ min: 2 ** 26, max: 2 ** 40 }), fc.maxSafeInteger()),
        fc.integer({ min: 1, max: 3 }),
        (previousProof, difficulty) => {
          expect(searchFrom(previousProof, difficulty)).toBe(referenceProofOfWork(previousProof, difficulty));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('searches a window: the first valid proof at or after its start, or null', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 5_000 }), (previousProof, start) => {
        let expected = start;
        while (!isValidProof(previousProof, expected, 2)) expected += 1;
        expect(searchProofs(previousProof, 2, start, expected - start + 1)).toBe(expected);
        expect(searchProofs(previousProof, 2, start, expected - start)).toBeNull();
      }),
      { numRuns: 100 },
    );
  });

  it('refuses arguments outside its domain', () => {
    expect(() => searchProofs(1, 0, 1, 10)).toThrow(RangeError);
    expect(() => searchProofs(1, MAX_DIFFICULTY + 1, 1, 10)).toThrow(RangeError);
    expect(() => searchProofs(1, 4, 0, 10)).toThrow(RangeError);
    expect(() => searchProofs(1.5, 4, 1, 10)).toThrow(RangeError);
  });
});
