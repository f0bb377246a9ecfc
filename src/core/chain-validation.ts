import {
  GENESIS_PREVIOUS_HASH,
  GENESIS_PROOF,
  SEED_DIFFICULTY,
  hashBlock,
  type Block,
} from './block.js';
import { hashProof, isSupportedDifficulty, meetsDifficulty } from './proof-of-work.js';

export type ChainProblemReason =
  | 'GENESIS_INVALID'
  | 'INDEX_MISMATCH'
  | 'PREVIOUS_HASH_MISMATCH'
  | 'HASH_MISMATCH'
  | 'DIFFICULTY_INVALID'
  | 'DIFFICULTY_TOO_LOW'
  | 'PROOF_INVALID';

export interface ChainProblem {
  /** Index (position in the chain) of the block the problem was found in. */
  readonly index: number;
  readonly reason: ChainProblemReason;
  readonly message: string;
}

export interface ChainValidationResult {
  readonly valid: boolean;
  /** Number of blocks examined. */
  readonly length: number;
  /** The first problems found, in chain order (at most `maxReportedProblems`). */
  readonly problems: readonly ChainProblem[];
  /** Number of problems found in all, reported or not. */
  readonly problemCount: number;
}

function checkGenesis(block: Block, position: number): ChainProblem[] {
  const wrong: string[] = [];
  if (block.index !== 0) wrong.push(`index ${block.index} (expected 0)`);
  if (block.previousHash !== GENESIS_PREVIOUS_HASH) wrong.push(`previous hash "${block.previousHash}" (expected "0")`);
  if (block.proof !== GENESIS_PROOF) wrong.push(`proof ${block.proof} (expected 1)`);
  if (block.difficulty !== SEED_DIFFICULTY) wrong.push(`difficulty ${block.difficulty} (expected 4)`);
  if (block.data !== null) wrong.push('data (the genesis block carries none)');
  if (wrong.length === 0) return [];
  return [{ index: position, reason: 'GENESIS_INVALID', message: `Genesis block has ${wrong.join(', ')}.` }];
}

function checkLink(block: Block, previous: Block): ChainProblem[] {
  const problems: ChainProblem[] = [];
  const position = previous.index + 1;
  if (block.index !== position) {
    problems.push({
      index: position,
      reason: 'INDEX_MISMATCH',
      message: `Block at position ${position} has index ${block.index}.`,
    });
  }
  if (block.previousHash !== previous.hash) {
    problems.push({
      index: position,
      reason: 'PREVIOUS_HASH_MISMATCH',
      message: `Block ${position} links to ${block.previousHash}, but block ${previous.index} has hash ${previous.hash}.`,
    });
  }
  if (!isSupportedDifficulty(block.difficulty)) {
    problems.push({
      index: position,
      reason: 'DIFFICULTY_INVALID',
      message: `Block ${position} records difficulty ${block.difficulty}, which is not a supported difficulty.`,
    });
  } else {
    const proofHash = hashProof(previous.proof, block.proof);
    if (!meetsDifficulty(proofHash, block.difficulty)) {
      problems.push({
        index: position,
        reason: 'PROOF_INVALID',
        message:
          `Proof ${block.proof} after proof ${previous.proof} hashes to ${proofHash}, ` +
          `which lacks the ${block.difficulty} leading zeros of its difficulty.`,
      });
    }
  }
  return problems;
}

function checkHash(block: Block, position: number): ChainProblem[] {
  const computed = hashBlock(block);
  if (computed === block.hash) return [];
  return [
    {
      index: position,
      reason: 'HASH_MISMATCH',
      message: `Block ${position} is stored with hash ${block.hash}, but its content hashes to ${computed}.`,
    },
  ];
}

/**
 * Everything wrong with `block` as the successor of `previous` (or as the genesis
 * block when `previous` is null). Checks the link against the predecessor's
 * stored hash and the block's own hash separately, so a rewritten block is
 * reported where it was rewritten and a broken link where it breaks.
 */
export function checkBlock(block: Block, previous: Block | null): ChainProblem[] {
  const position = previous === null ? 0 : previous.index + 1;
  const structural = previous === null ? checkGenesis(block, position) : checkLink(block, previous);
  return [...structural, ...checkHash(block, position)];
}

/** `checkBlock`, plus the rule for blocks about to be appended: at least `minDifficulty`. */
export function checkNewBlock(block: Block, tip: Block, minDifficulty: number): ChainProblem[] {
  const problems = checkBlock(block, tip);
  if (block.difficulty < minDifficulty) {
    problems.push({
      index: block.index,
      reason: 'DIFFICULTY_TOO_LOW',
      message: `Block ${block.index} was mined at difficulty ${block.difficulty}; new blocks need at least ${minDifficulty}.`,
    });
  }
  return problems;
}

export const DEFAULT_MAX_REPORTED_PROBLEMS = 100;

export interface ChainValidator {
  /** Feeds the next block in chain order. */
  add(block: Block): void;
  result(): ChainValidationResult;
}

/**
 * Validates a chain one block at a time, holding only the previous block and
 * the first reported problems, so memory stays bounded for any chain length.
 * Each block is checked against the difficulty it records (the seed's blocks: 4).
 */
export function createChainValidator({
  maxReportedProblems = DEFAULT_MAX_REPORTED_PROBLEMS,
}: { maxReportedProblems?: number } = {}): ChainValidator {
  let previous: Block | null = null;
  let length = 0;
  let problemCount = 0;
  const problems: ChainProblem[] = [];

  return {
    add(block) {
      for (const problem of checkBlock(block, previous)) {
        problemCount += 1;
        if (problems.length < maxReportedProblems) problems.push(problem);
      }
      // Continue from the block as found: each later link is judged on its own.
      previous = { ...block, index: length };
      length += 1;
    },
    result() {
      if (length === 0) {
        return {
          valid: false,
          length: 0,
          problems: [{ index: 0, reason: 'GENESIS_INVALID', message: 'The chain has no genesis block.' }],
          problemCount: 1,
        };
      }
      return { valid: problemCount === 0, length, problems: [...problems], problemCount };
    },
  };
}

export function validateChain(
  blocks: Iterable<Block>,
  options?: { maxReportedProblems?: number },
): ChainValidationResult {
  const validator = createChainValidator(options);
  for (const block of blocks) validator.add(block);
  return validator.result();
}
