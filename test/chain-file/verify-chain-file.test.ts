import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChainChangedError, revalidated, verifyChainFile } from '../../src/chain-file/verify-chain-file.js';
import { notebookChainJsonChunks } from '../../src/core/notebook-chain-json.js';
import type { Block } from '../../src/core/block.js';
import { NOTEBOOK_BLOCKS } from '../fixtures/notebook-chain.js';
import { buildChain } from '../helpers/chains.js';
import { tempDir } from '../helpers/temp-database.js';

function chainFile(blocks: readonly Block[]): string {
  const path = join(tempDir(), 'chain.json');
  writeFileSync(path, [...notebookChainJsonChunks([blocks], { length: blocks.length })].join(''));
  return path;
}

const reasons = (problems: ReadonlyArray<{ index: number; reason: string }>) => problems.map(({ index, reason }) => ({ index, reason }));

describe('verifyChainFile', () => {
  it("finds the notebook's chain valid, and its forged proof where the notebook's experiment put it", () => {
    expect(verifyChainFile(chainFile(NOTEBOOK_BLOCKS)).result).toMatchObject({ valid: true, length: 5, problemCount: 0 });
    const forged = NOTEBOOK_BLOCKS.map((block) => (block.index === 1 ? { ...block, proof: 12345 } : block));
    const { result } = verifyChainFile(chainFile(forged));
    expect(result.valid).toBe(false);
    // The file carries no hashes: block 1's is computed from its forged content, so the break shows at block 2's link.
    expect(reasons(result.problems)).toEqual([
      { index: 1, reason: 'PROOF_INVALID' },
      { index: 2, reason: 'PREVIOUS_HASH_MISMATCH' },
      { index: 2, reason: 'PROOF_INVALID' },
    ]);
  });

  it("requires a minimum difficulty of every block after the genesis block when asked, after each block's own problems", () => {
    expect(verifyChainFile(chainFile(NOTEBOOK_BLOCKS), { minDifficulty: 4 }).result.valid).toBe(true);
    const { result } = verifyChainFile(chainFile(NOTEBOOK_BLOCKS), { minDifficulty: 5 });
    expect(reasons(result.problems)).toEqual([1, 2, 3, 4].map((index) => ({ index, reason: 'DIFFICULTY_TOO_LOW' })));
    expect(result.problems[0]!.message).toBe('Block 1 was mined at difficulty 4; at least 5 is required.');

    const forged = NOTEBOOK_BLOCKS.map((block) => (block.index === 1 ? { ...block, proof: 12345 } : block));
    expect(reasons(verifyChainFile(chainFile(forged), { minDifficulty: 5 }).result.problems).slice(0, 3)).toEqual([
      { index: 1, reason: 'PROOF_INVALID' },
      { index: 1, reason: 'DIFFICULTY_TOO_LOW' },
      { index: 2, reason: 'PREVIOUS_HASH_MISMATCH' },
    ]);
  });

  it('judges each block at the difficulty it records', () => {
    const chain = buildChain(5, { difficulty: 2 });
    expect(verifyChainFile(chainFile(chain)).result.valid).toBe(true);
    expect(reasons(verifyChainFile(chainFile(chain), { minDifficulty: 3 }).result.problems)).toHaveLength(4);
  });
});

describe('revalidated', () => {
  it('passes a valid chain through and stops at the first block that does not validate', () => {
    const chain = buildChain(6);
    expect([...revalidated(chain)]).toEqual(chain);
    const broken = [...chain.slice(0, 3), { ...chain[3]!, proof: chain[3]!.proof + 1 }, ...chain.slice(4)];
    const passed: Block[] = [];
    expect(() => {
      for (const block of revalidated(broken)) passed.push(block);
    }).toThrow(ChainChangedError);
    expect(passed).toEqual(chain.slice(0, 3));
  });
});
