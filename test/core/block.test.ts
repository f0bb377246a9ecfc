import { hash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createGenesisBlock, hashBlock, hashedFields, sealBlock } from '../../src/core/block.js';
import { pythonJsonDumps } from '../../src/core/canonical-json.js';
import { NOTEBOOK_BLOCKS, NOTEBOOK_BLOCK_4_HASH_PREFIX } from '../fixtures/notebook-chain.js';

describe('hashBlock', () => {
  it.each(NOTEBOOK_BLOCKS.map((block) => [block.index, block] as const))(
    "reproduces the notebook's printed hash of block %i",
    (_, block) => {
      expect(hashBlock(block)).toBe(block.hash);
    },
  );

  it('matches the truncated hash the notebook printed for block 4', () => {
    expect(hashBlock(NOTEBOOK_BLOCKS[4]!).startsWith(NOTEBOOK_BLOCK_4_HASH_PREFIX)).toBe(true);
  });

  it("builds the notebook's genesis block", () => {
    const genesis = createGenesisBlock('2018-04-11 10:00:40.317214');
    expect(genesis).toEqual(NOTEBOOK_BLOCKS[0]);
  });

  it('hashes data and a non-notebook difficulty, as Python would with those keys', () => {
    const block = { ...NOTEBOOK_BLOCKS[1]!, data: 'héllo 😀', difficulty: 5 };
    expect(hashedFields(block)).toEqual({
      index: 1,
      previous_hash: NOTEBOOK_BLOCKS[0]!.hash,
      proof: 533,
      timestamp: '2018-04-11 10:00:41.379830',
      data: 'héllo 😀',
      difficulty: 5,
    });
    // sha256(json.dumps({..., "data": "héllo 😀", "difficulty": 5}, sort_keys=True)) in Python 3.11
    expect(hashBlock(block)).toBe('41e7fe91a619212fa7fb982fdcb3cf2b31c3ef74eba99026aaafcff907df3be7');
  });

  it('treats empty data as data, distinct from none', () => {
    const withEmpty = { ...NOTEBOOK_BLOCKS[1]!, data: '' };
    expect(hashedFields(withEmpty)).toHaveProperty('data', '');
    expect(hashBlock(withEmpty)).not.toBe(NOTEBOOK_BLOCKS[1]!.hash);
  });

  it('seals content with its hash', () => {
    const { hash, ...content } = NOTEBOOK_BLOCKS[2]!;
    expect(sealBlock(content).hash).toBe(hash);
  });

  it('hashes exactly the canonical JSON of the hashed fields, whatever they hold', () => {
    const text = fc.string({ unit: 'binary', maxLength: 12 });
    const block = fc.record({
      index: fc.nat(),
      timestamp: text,
      proof: fc.maxSafeInteger(),
      previousHash: text,
      data: fc.option(text),
      difficulty: fc.integer({ min: 1, max: 12 }),
    });
    fc.assert(
      fc.property(block, (content) => {
        expect(hashBlock(content)).toBe(hash('sha256', pythonJsonDumps(hashedFields(content)), 'hex'));
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses a field no block can hold, as the canonical JSON does', () => {
    expect(() => hashBlock({ ...NOTEBOOK_BLOCKS[1]!, proof: 1.5 })).toThrow(RangeError);
    expect(() => hashBlock({ ...NOTEBOOK_BLOCKS[1]!, difficulty: Number.NaN })).toThrow(RangeError);
  });
});
