import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashBlock, sealBlock, type Block } from '../../src/core/block.js';
import {
  checkBlock,
  checkNewBlock,
  createChainValidator,
  createMinimumDifficultyValidator,
  joinSegmentResults,
  validateChain,
} from '../../src/core/chain-validation.js';
import { hashProof } from '../../src/core/proof-of-work.js';
import { buildChain } from '../helpers/chains.js';
import { NOTEBOOK_BLOCKS } from '../fixtures/notebook-chain.js';

const reasonsAt = (chain: readonly Block[]) => validateChain(chain).problems.map(({ index, reason }) => ({ index, reason }));

describe('validateChain', () => {
  it("accepts the notebook's printed chain", () => {
    expect(validateChain(NOTEBOOK_BLOCKS)).toEqual({ valid: true, length: 5, problems: [], problemCount: 0 });
  });

  it('accepts a genesis-only chain (the notebook called it invalid)', () => {
    expect(validateChain(NOTEBOOK_BLOCKS.slice(0, 1)).valid).toBe(true);
  });

  it('rejects an empty chain: it has no genesis block', () => {
    expect(reasonsAt([])).toEqual([{ index: 0, reason: 'GENESIS_INVALID' }]);
  });

  it("finds the notebook's forgery: block 1's proof set to 12345", () => {
    const forged = NOTEBOOK_BLOCKS.map((block) => (block.index === 1 ? { ...block, proof: 12345 } : block));
    expect(reasonsAt(forged)).toEqual([
      { index: 1, reason: 'PROOF_INVALID' },
      { index: 1, reason: 'HASH_MISMATCH' },
      { index: 2, reason: 'PROOF_INVALID' },
    ]);
  });

  it('checks every block, not only the first link (the notebook returned after block 1)', () => {
    const chain = buildChain(6);
    const tampered = chain.map((block) => (block.index === 5 ? { ...block, data: 'rewritten' } : block));
    expect(reasonsAt(tampered)).toEqual([{ index: 5, reason: 'HASH_MISMATCH' }]);
  });

  it('reports a rewritten block whose hash was recomputed where its successor links to it', () => {
    const chain = buildChain(4);
    const rewritten = sealBlock({ ...chain[2]!, data: 'rewritten' });
    const tampered = chain.map((block) => (block.index === 2 ? rewritten : block));
    expect(reasonsAt(tampered)).toEqual([{ index: 3, reason: 'PREVIOUS_HASH_MISMATCH' }]);
  });

  it("cannot see a rewrite whose later links were all recomputed: the notebook's proof of work does not cover content", () => {
    // Documented weakness (README): proofs depend only on proofs, so rewriting
    // block 1 and re-linking every later block takes no new work. Only a hash
    // kept elsewhere (a client's copy of the tip hash) reveals it.
    const chain = buildChain(5);
    const rewritten: Block[] = [chain[0]!];
    for (const block of chain.slice(1)) {
      rewritten.push(sealBlock({ ...block, previousHash: rewritten.at(-1)!.hash, data: block.index === 1 ? 'rewritten' : block.data }));
    }
    expect(validateChain(rewritten).valid).toBe(true);
    expect(rewritten.at(-1)!.hash).not.toBe(chain.at(-1)!.hash);
  });

  it('reports the genesis shape, index gaps and unsupported difficulties', () => {
    const chain = buildChain(3);
    expect(reasonsAt([sealBlock({ ...chain[0]!, proof: 2 }), ...chain.slice(1)])).toContainEqual({
      index: 0,
      reason: 'GENESIS_INVALID',
    });
    expect(reasonsAt([chain[0]!, sealBlock({ ...chain[1]!, index: 7 }), ...chain.slice(2)])).toContainEqual({
      index: 7,
      reason: 'INDEX_MISMATCH',
    });
    expect(reasonsAt([chain[0]!, sealBlock({ ...chain[1]!, difficulty: 0 }), ...chain.slice(2)])).toContainEqual({
      index: 1,
      reason: 'DIFFICULTY_INVALID',
    });
  });

  it('reports a missing block once, where the gap is, and goes on checking', () => {
    const chain = buildChain(6);
    const withGap = [...chain.slice(0, 3), ...chain.slice(4)];
    expect(reasonsAt(withGap)).toEqual([
      { index: 4, reason: 'INDEX_MISMATCH' },
      { index: 4, reason: 'PREVIOUS_HASH_MISMATCH' },
      { index: 4, reason: 'PROOF_INVALID' },
    ]);
  });

  it('checks each block against the difficulty it records', () => {
    const chain = buildChain(3, { difficulty: 2 });
    expect(validateChain(chain).valid).toBe(true);
    // Claiming a higher difficulty than the proof meets is caught even with a fresh hash.
    const claimed = sealBlock({ ...chain[2]!, difficulty: 9 });
    expect(reasonsAt([...chain.slice(0, 2), claimed])).toEqual([{ index: 2, reason: 'PROOF_INVALID' }]);
  });

  it('finds every single-field tamper of any block', () => {
    const chain = buildChain(8, { difficulty: 2, dataFor: (i) => (i % 2 === 0 ? `payload ${i}` : null) });
    const field = fc.constantFrom('index', 'timestamp', 'proof', 'previousHash', 'hash', 'data', 'difficulty');
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: chain.length - 1 }),
        field,
        fc.string({ minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 2 ** 40 }),
        (position, key, text, number) => {
          const original = chain[position]!;
          const replacement = { ...original };
          if (key === 'index' || key === 'proof' || key === 'difficulty') {
            replacement[key] = original[key] === number ? number + 1 : number;
          } else if (key === 'data') {
            replacement.data = original.data === text ? `${text}!` : text;
          } else {
            replacement[key] = original[key] === text ? `${text}!` : text;
          }
          const tampered = chain.map((block, i) => (i === position ? replacement : block));
          const result = validateChain(tampered);
          expect(result.valid).toBe(false);
          // Problems are reported at the block's stored index, which is the tampered value if the index was changed.
          expect(result.problems.some((problem) => problem.index === replacement.index)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('bounds the problems it keeps but counts them all', () => {
    const chain = buildChain(30).map((block) => ({ ...block, hash: 'f'.repeat(64) }));
    const validator = createChainValidator({ maxReportedProblems: 5 });
    chain.forEach((block) => validator.add(block));
    const result = validator.result();
    expect(result.problems).toHaveLength(5);
    expect(result.problemCount).toBeGreaterThan(30);
  });
});

describe('proof checks', () => {
  it('hash the square difference exactly on both sides of the largest proof whose square is an exact double', () => {
    const [genesis, next] = buildChain(2);
    const largestExact = 94_906_265;
    const proofs = [1, 533, -5, largestExact - 1, largestExact, largestExact + 1, -largestExact - 1, 2 ** 40];
    for (const previousProof of proofs) {
      for (const proof of proofs) {
        const previous = { ...genesis!, proof: previousProof };
        // Difficulty 12: the proof fails, and the message names the hash it computed.
        const block = sealBlock({ ...next!, proof, difficulty: 12, previousHash: previous.hash });
        const [problem] = checkBlock(block, previous);
        expect(problem).toMatchObject({ reason: 'PROOF_INVALID' });
        expect(problem!.message).toContain(`hashes to ${hashProof(previousProof, proof)},`);
      }
    }
  });
});

describe('joinSegmentResults', () => {
  const chain = buildChain(12, { dataFor: (i) => (i % 3 === 0 ? `payload ${i}` : null) });
  const tampered = chain
    .filter((block) => block.index !== 5)
    .map((block) =>
      block.index === 8 ? { ...block, data: 'rewritten' } : block.index === 10 ? { ...block, hash: 'f'.repeat(64) } : block,
    );

  it('joins segments validated one after another into the result of one pass', () => {
    const cuts = fc
      .uniqueArray(fc.integer({ min: 0, max: tampered.length }), { maxLength: 4 })
      .map((list) => [...list].sort((a, b) => a - b));
    fc.assert(
      fc.property(cuts, fc.integer({ min: 1, max: 8 }), (positions, maxReportedProblems) => {
        const bounds = [0, ...positions, tampered.length];
        const segments = bounds.slice(1).map((end, i) => {
          const start = bounds[i]!;
          const validator = createChainValidator({ after: start > 0 ? tampered[start - 1]! : null, maxReportedProblems });
          tampered.slice(start, end).forEach((block) => validator.add(block));
          return validator.result();
        });
        expect(joinSegmentResults(segments, { maxReportedProblems })).toEqual(validateChain(tampered, { maxReportedProblems }));
      }),
      { numRuns: 200 },
    );
  });

  it('joins segments without blocks into the verdict on an empty chain', () => {
    const empty = createChainValidator().result();
    expect(joinSegmentResults([empty, empty])).toEqual(validateChain([]));
    expect(joinSegmentResults([])).toEqual(validateChain([]));
  });
});

describe('checkNewBlock', () => {
  it('refuses a block mined below the difficulty required of new blocks', () => {
    const [genesis, next] = buildChain(2, { difficulty: 1 });
    expect(checkNewBlock(next!, genesis!, 1)).toEqual([]);
    expect(checkNewBlock(next!, genesis!, 2).map((problem) => problem.reason)).toEqual(['DIFFICULTY_TOO_LOW']);
  });

  it('refuses a block whose stored hash is not its own', () => {
    const [genesis, next] = buildChain(2);
    expect(hashBlock(next!)).toBe(next!.hash);
    expect(checkNewBlock({ ...next!, hash: genesis!.hash }, genesis!, 1).map((p) => p.reason)).toEqual(['HASH_MISMATCH']);
  });
});

describe('createMinimumDifficultyValidator', () => {
  const validate = (chain: readonly Block[], minDifficulty: number, maxReportedProblems?: number) => {
    const validator = createMinimumDifficultyValidator(minDifficulty, maxReportedProblems === undefined ? {} : { maxReportedProblems });
    for (const block of chain) validator.add(block);
    return validator.result();
  };

  it('also refuses blocks after the first mined below the minimum, each after its own problems', () => {
    expect(validate(NOTEBOOK_BLOCKS, 4)).toEqual(validateChain(NOTEBOOK_BLOCKS));
    const forged = NOTEBOOK_BLOCKS.map((block) => (block.index === 1 ? sealBlock({ ...block, proof: 12345 }) : block));
    const result = validate(forged, 5);
    expect(result.problems.map(({ index, reason }) => `${index} ${reason}`)).toEqual([
      '1 PROOF_INVALID',
      '1 DIFFICULTY_TOO_LOW',
      '2 PREVIOUS_HASH_MISMATCH',
      '2 PROOF_INVALID',
      '2 DIFFICULTY_TOO_LOW',
      '3 DIFFICULTY_TOO_LOW',
      '4 DIFFICULTY_TOO_LOW',
    ]);
  });

  it('counts every problem and reports the first ones, as the plain validator does', () => {
    const result = validate(buildChain(50, { difficulty: 1 }), 2, 10);
    expect(result).toMatchObject({ valid: false, length: 50, problemCount: 49 });
    expect(result.problems.map((problem) => problem.index)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
});
