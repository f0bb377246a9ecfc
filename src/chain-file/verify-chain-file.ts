import type { Block } from '../core/block.js';
import {
  checkBlock,
  createChainValidator,
  createMinimumDifficultyValidator,
  type ChainProblem,
  type ChainValidationResult,
  type NewBlockProblem,
} from '../core/chain-validation.js';
import type { ChainFileSummary } from './chain-json-parser.js';
import { readChainFile } from './read-chain-file.js';

interface ChainFileVerification {
  readonly result: ChainValidationResult<NewBlockProblem>;
  readonly file: ChainFileSummary;
}

interface VerifyOptions {
  /** Also require every block after the genesis block to have been mined at this difficulty or more. */
  readonly minDifficulty?: number | null;
}

/**
 * Validates a chain file in one streaming pass, as the server validates its
 * stored chain: each block against the difficulty it records (and, with
 * `minDifficulty`, against that minimum too). Throws MalformedChainError or
 * ChainFileUnreadableError for a file that is no chain at all.
 */
export function verifyChainFile(path: string, { minDifficulty = null }: VerifyOptions = {}): ChainFileVerification {
  const validator = minDifficulty === null ? createChainValidator() : createMinimumDifficultyValidator(minDifficulty);
  const blocks = readChainFile(path);
  for (;;) {
    const next = blocks.next();
    if (next.done) return { result: validator.result(), file: next.value };
    validator.add(next.value);
  }
}

/** A block that did not validate on a second reading of a file that had validated. */
export class ChainChangedError extends Error {
  override readonly name = 'ChainChangedError';
  constructor(readonly problem: ChainProblem) {
    super(`The chain no longer validates at block ${problem.index} (${problem.reason}): ${problem.message}`);
  }
}

/**
 * Passes `blocks` through, validating each one as it goes and throwing
 * ChainChangedError at the first problem: for a second pass over a file that
 * may have changed since it was verified (whoever consumes the blocks, say a
 * transaction, then stops and undoes what it did).
 */
export function* revalidated(blocks: Iterable<Block>): Generator<Block, void, undefined> {
  let previous: Block | null = null;
  for (const block of blocks) {
    const [problem] = checkBlock(block, previous);
    if (problem !== undefined) throw new ChainChangedError(problem);
    previous = block;
    yield block;
  }
}
