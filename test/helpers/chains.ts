import { createGenesisBlock, sealBlock, type Block } from '../../src/core/block.js';
import { searchProofs } from '../../src/core/proof-of-work.js';
import { formatNotebookTimestamp } from '../../src/core/timestamp.js';

const START = 1_764_201_600_000_000; // 2025-11-27 00:00:00 UTC, in microseconds

/** A valid chain of `length` blocks mined at a low difficulty, so tests build it in milliseconds. */
export function buildChain(
  length: number,
  { difficulty = 1, dataFor = (): string | null => null }: { difficulty?: number; dataFor?: (index: number) => string | null } = {},
): Block[] {
  const chain: Block[] = [createGenesisBlock(formatNotebookTimestamp(START))];
  for (let index = 1; index < length; index++) {
    const tip = chain[index - 1]!;
    chain.push(
      sealBlock({
        index,
        timestamp: formatNotebookTimestamp(START + index * 1_000_123),
        proof: searchProofs(tip.proof, difficulty, 1, Number.MAX_SAFE_INTEGER)!,
        previousHash: tip.hash,
        data: dataFor(index),
        difficulty,
      }),
    );
  }
  return chain;
}
