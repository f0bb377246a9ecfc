import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sealBlock } from '../../src/core/block.js';
import { notebookChainJsonChunks } from '../../src/core/notebook-chain-json.js';
import { MalformedChainError, blockFromNotebookJson, toNotebookBlockJson } from '../../src/core/notebook-format.js';
import { NOTEBOOK_BLOCKS } from '../fixtures/notebook-chain.js';
import { buildChain } from '../helpers/chains.js';

const NOTEBOOK_BLOCK_1 = { index: 1, previous_hash: NOTEBOOK_BLOCKS[0]!.hash, proof: 533, timestamp: '2018-04-11 10:00:41.379830' };

describe('the notebook block format', () => {
  it("reads the notebook's printed blocks and computes the notebook's hashes", () => {
    for (const block of NOTEBOOK_BLOCKS) {
      const printed = { index: block.index, previous_hash: block.previousHash, proof: block.proof, timestamp: block.timestamp };
      expect(blockFromNotebookJson(printed, block.index)).toEqual(block);
    }
  });

  it("writes the notebook's keys in the notebook's order, with data and difficulty only when a block has them", () => {
    expect(Object.keys(toNotebookBlockJson(NOTEBOOK_BLOCKS[1]!))).toEqual(['index', 'previous_hash', 'proof', 'timestamp']);
    const withBoth = sealBlock({ ...NOTEBOOK_BLOCKS[1]!, data: 'payload', difficulty: 5 });
    expect(toNotebookBlockJson(withBoth)).toEqual({ data: 'payload', difficulty: 5, ...NOTEBOOK_BLOCK_1 });
    expect(Object.keys(toNotebookBlockJson(withBoth))).toEqual(['data', 'difficulty', 'index', 'previous_hash', 'proof', 'timestamp']);
  });

  it('round-trips any block, whatever its data', () => {
    fc.assert(
      fc.property(
        fc.option(fc.string({ unit: 'grapheme' }).filter((text) => !text.includes('\u0000'))),
        fc.integer({ min: 1, max: 64 }),
        fc.maxSafeNat(),
        (data, difficulty, proof) => {
          const block = sealBlock({ ...NOTEBOOK_BLOCKS[1]!, data, difficulty, proof });
          expect(blockFromNotebookJson(JSON.parse(JSON.stringify(toNotebookBlockJson(block))), 1)).toEqual(block);
        },
      ),
    );
  });

  it.each([
    { value: 42, message: 'The block at position 3 is the number 42, not an object.' },
    { value: [], message: 'The block at position 3 is an array, not an object.' },
    { value: { ...NOTEBOOK_BLOCK_1, hash: 'abc' }, message: 'The block at position 3 has an unknown field "hash".' },
    { value: { ...NOTEBOOK_BLOCK_1, proof: undefined }, message: 'The block at position 3 has no "proof".' },
    {
      value: { ...NOTEBOOK_BLOCK_1, proof: '533' },
      message: 'The block at position 3 has "proof" the string "533"; it must be a whole number up to 9007199254740991.',
    },
    {
      value: { ...NOTEBOOK_BLOCK_1, proof: 1.5 },
      message: 'The block at position 3 has "proof" the number 1.5; it must be a whole number up to 9007199254740991.',
    },
    {
      value: { ...NOTEBOOK_BLOCK_1, proof: 2 ** 53 },
      message: 'The block at position 3 has "proof" the number 9007199254740992; it must be a whole number up to 9007199254740991.',
    },
    {
      value: { ...NOTEBOOK_BLOCK_1, index: -1 },
      message: 'The block at position 3 has "index" the number -1; it must be a whole number from 0 up to 9007199254740991.',
    },
    {
      value: { ...NOTEBOOK_BLOCK_1, difficulty: 0 },
      message: 'The block at position 3 has "difficulty" the number 0; it must be a whole number from 1 up to 9007199254740991.',
    },
    { value: { ...NOTEBOOK_BLOCK_1, timestamp: null }, message: 'The block at position 3 has "timestamp" null; it must be a string.' },
    {
      value: { ...NOTEBOOK_BLOCK_1, previous_hash: 7 },
      message: 'The block at position 3 has "previous_hash" the number 7; it must be a string.',
    },
    {
      value: { ...NOTEBOOK_BLOCK_1, data: '\ud800' },
      message: 'The block at position 3 has "data" with a lone surrogate (not valid Unicode).',
    },
    { value: { ...NOTEBOOK_BLOCK_1, data: 'a\u0000b' }, message: 'The block at position 3 has "data" with a NUL character.' },
    { value: { ...NOTEBOOK_BLOCK_1, data: { text: 'x' } }, message: 'The block at position 3 has "data" an object; it must be a string.' },
  ])('refuses a malformed block: $message', ({ value, message }) => {
    expect(() => blockFromNotebookJson(JSON.parse(JSON.stringify(value)) as unknown, 3)).toThrow(new MalformedChainError(message));
  });

  it.each([
    {
      field: 'difficulty',
      value: 4,
      message:
        'The block at position 1 has "difficulty": 4 written out; a block at the notebook\'s difficulty leaves the key out (the notebook would hash it).',
    },
    {
      field: 'data',
      value: null,
      message: 'The block at position 1 has "data": null; a block without data leaves the key out (the notebook would hash it).',
    },
  ])('refuses a written-out default ($field: $value), which the notebook would hash and we would not', ({ field, value, message }) => {
    expect(() => blockFromNotebookJson({ ...NOTEBOOK_BLOCK_1, [field]: value }, 1)).toThrow(new MalformedChainError(message));
  });
});

describe('notebookChainJsonChunks', () => {
  it("writes the notebook's GET /blocks body, one block per line, in pieces", () => {
    const chain = buildChain(7, { dataFor: (i) => (i === 3 ? 'line one\nline "two"' : null) });
    const pieces = [
      ...notebookChainJsonChunks([chain.slice(0, 3), [], chain.slice(3)], { length: 7, message: 'Chain is valid.', pieceChars: 200 }),
    ];
    expect(pieces.length).toBeGreaterThan(2);
    const text = pieces.join('');
    expect(JSON.parse(text)).toEqual({ blockchain: chain.map(toNotebookBlockJson), length: 7, message: 'Chain is valid.' });
    expect(text.split('\n')).toHaveLength(7 + 3);
  });

  it('never writes a piece much longer than pieceChars, whatever the blocks and batches, and the same text as one stringify', () => {
    const oddCharacters = fc.constantFrom('\u0001', '😀', '\ufeff', 'é', 'x', '"', '\u2028', '\udbff\udfff');
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: 3000 }), oddCharacters, oddCharacters), { maxLength: 12 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 1000 }),
        (blocksData, batchSize, pieceChars) => {
          const chain = buildChain(blocksData.length + 1, {
            dataFor: (i) => {
              const [size, a, b] = blocksData[i - 1]!;
              return (a + b).repeat(size).slice(0, size);
            },
          });
          const batches = Array.from({ length: Math.ceil(chain.length / batchSize) }, (_, i) =>
            chain.slice(i * batchSize, (i + 1) * batchSize),
          );
          const pieces = [...notebookChainJsonChunks(batches, { length: chain.length, pieceChars })];
          // Six characters of JSON per character of data at most (\u0001), and a block's other keys.
          for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(6 * pieceChars + 300);
          const whole = `{"blockchain": [\n${chain.map((block) => JSON.stringify(toNotebookBlockJson(block))).join(',\n')}\n], "length": ${chain.length}}\n`;
          expect(pieces.join('')).toBe(whole);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('writes an empty slice and no message when none is given', () => {
    expect(JSON.parse([...notebookChainJsonChunks([], { length: 4 })].join(''))).toEqual({ blockchain: [], length: 4 });
  });
});
