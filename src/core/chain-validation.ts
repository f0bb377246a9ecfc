import { hash } from 'node:crypto';
import { GENESIS_PREVIOUS_HASH, GENESIS_PROOF, NOTEBOOK_DIFFICULTY, hashBlock, type Block } from './block.js';
import { hashProof, isSupportedDifficulty, meetsDifficulty } from './proof-of-work.js';

/** What validating a chain can find. */
type ChainProblemReason =
  'GENESIS_INVALID' | 'INDEX_MISMATCH' | 'PREVIOUS_HASH_MISMATCH' | 'HASH_MISMATCH' | 'DIFFICULTY_INVALID' | 'PROOF_INVALID';

export interface ChainProblem<Reason extends string = ChainProblemReason> {
  /** The stored index of the block the problem was found in (what `block(index)` looks up). */
  readonly index: number;
  readonly reason: Reason;
  readonly message: string;
}

/** What checking a block about to be appended can find, beyond validation. */
export type NewBlockProblem = ChainProblem<ChainProblemReason | 'DIFFICULTY_TOO_LOW'>;

export interface ChainValidationResult<Problem extends ChainProblem<string> = ChainProblem> {
  readonly valid: boolean;
  /** Number of blocks examined. */
  readonly length: number;
  /** The first problems found, in chain order (at most `maxReportedProblems`). */
  readonly problems: readonly Problem[];
  /** Number of problems found in all, reported or not. */
  readonly problemCount: number;
}

type Report = (problem: ChainProblem) => void;

function checkGenesis(block: Block, report: Report): void {
  const wrong: string[] = [];
  if (block.index !== 0) wrong.push(`index ${block.index} (expected 0)`);
  if (block.previousHash !== GENESIS_PREVIOUS_HASH) wrong.push(`previous hash "${block.previousHash}" (expected "0")`);
  if (block.proof !== GENESIS_PROOF) wrong.push(`proof ${block.proof} (expected 1)`);
  if (block.difficulty !== NOTEBOOK_DIFFICULTY) wrong.push(`difficulty ${block.difficulty} (expected 4)`);
  if (block.data !== null) wrong.push('data (the genesis block carries none)');
  if (wrong.length > 0) report({ index: block.index, reason: 'GENESIS_INVALID', message: `The first block has ${wrong.join(', ')}.` });
}

/** Proofs up to floor(sqrt(2^53)): their squares and the difference are exact doubles. */
const LARGEST_EXACT_PROOF = 94_906_265;

/** `hashProof`, without BigInt for proofs up to ~95 million (those of difficulty 6 and below, in practice). */
function proofHash(previousProof: number, proof: number): string {
  if (
    Number.isSafeInteger(previousProof) &&
    Number.isSafeInteger(proof) &&
    Math.abs(previousProof) <= LARGEST_EXACT_PROOF &&
    Math.abs(proof) <= LARGEST_EXACT_PROOF
  ) {
    return hash('sha256', String(proof * proof - previousProof * previousProof), 'hex');
  }
  return hashProof(previousProof, proof);
}

function checkLink(block: Block, previous: Block, report: Report): void {
  const { index } = block;
  if (index !== previous.index + 1) {
    report({
      index,
      reason: 'INDEX_MISMATCH',
      message: `Block ${index} follows block ${previous.index}; expected index ${previous.index + 1}.`,
    });
  }
  if (block.previousHash !== previous.hash) {
    report({
      index,
      reason: 'PREVIOUS_HASH_MISMATCH',
      message: `Block ${index} links to ${block.previousHash}, but block ${previous.index} before it has hash ${previous.hash}.`,
    });
  }
  if (!isSupportedDifficulty(block.difficulty)) {
    report({
      index,
      reason: 'DIFFICULTY_INVALID',
      message: `Block ${index} records difficulty ${block.difficulty}, which is not a supported difficulty.`,
    });
  } else {
    const hashOfProof = proofHash(previous.proof, block.proof);
    if (!meetsDifficulty(hashOfProof, block.difficulty)) {
      report({
        index,
        reason: 'PROOF_INVALID',
        message:
          `Proof ${block.proof} after proof ${previous.proof} hashes to ${hashOfProof}, ` +
          `which lacks the ${block.difficulty} leading zeros of its difficulty.`,
      });
    }
  }
}

function checkHash(block: Block, report: Report): void {
  const computed = hashBlock(block);
  if (computed === block.hash) return;
  report({
    index: block.index,
    reason: 'HASH_MISMATCH',
    message: `Block ${block.index} is stored with hash ${block.hash}, but its content hashes to ${computed}.`,
  });
}

/**
 * Checks the link against the predecessor's stored hash and the block's own
 * hash separately, so a rewritten block is reported where it was rewritten
 * and a broken link where it breaks. A valid block costs no problem list:
 * validation runs this for every stored block.
 */
function inspectBlock(block: Block, previous: Block | null, report: Report): void {
  if (previous === null) checkGenesis(block, report);
  else checkLink(block, previous, report);
  checkHash(block, report);
}

/**
 * Everything wrong with `block` as the successor of `previous` (or as the genesis
 * block when `previous` is null).
 */
export function checkBlock(block: Block, previous: Block | null): ChainProblem[] {
  const problems: ChainProblem[] = [];
  inspectBlock(block, previous, (problem) => problems.push(problem));
  return problems;
}

/**
 * `checkBlock`, plus the rule for blocks about to be appended: at least
 * `minDifficulty`. (Stored blocks are judged by the difficulty they record.)
 */
export function checkNewBlock(block: Block, tip: Block, minDifficulty: number): NewBlockProblem[] {
  const problems: NewBlockProblem[] = checkBlock(block, tip);
  checkMinimumDifficulty(block, minDifficulty, (problem) => problems.push(problem));
  return problems;
}

function checkMinimumDifficulty(block: Block, minDifficulty: number, report: (problem: NewBlockProblem) => void): void {
  if (block.difficulty >= minDifficulty) return;
  report({
    index: block.index,
    reason: 'DIFFICULTY_TOO_LOW',
    message: `Block ${block.index} was mined at difficulty ${block.difficulty}; at least ${minDifficulty} is required.`,
  });
}

export const DEFAULT_MAX_REPORTED_PROBLEMS = 100;

interface ChainValidator<Problem extends ChainProblem<string> = ChainProblem> {
  /** Feeds the next block in chain order. */
  add(block: Block): void;
  result(): ChainValidationResult<Problem>;
}

interface ChainValidatorOptions {
  readonly maxReportedProblems?: number;
  /** Validate a tail of a chain: the block before the first one fed, taken as it is. */
  readonly after?: Block | null;
}

/**
 * Validates a chain one block at a time, holding only the previous block and
 * the first reported problems, so memory stays bounded for any chain length.
 * Each block is checked against the difficulty it records (the notebook's blocks: 4).
 */
export function createChainValidator(options: ChainValidatorOptions = {}): ChainValidator {
  // Without a minimum difficulty, only the reasons of ChainProblem are ever reported.
  return createValidator(options, null) as ChainValidator;
}

/**
 * `createChainValidator`, plus the rule `checkNewBlock` applies to appends:
 * every block after the first must have been mined at `minDifficulty` or more
 * (reported as DIFFICULTY_TOO_LOW, after the block's other problems).
 */
export function createMinimumDifficultyValidator(
  minDifficulty: number,
  options: ChainValidatorOptions = {},
): ChainValidator<NewBlockProblem> {
  return createValidator(options, minDifficulty);
}

function createValidator(
  { maxReportedProblems = DEFAULT_MAX_REPORTED_PROBLEMS, after = null }: ChainValidatorOptions,
  minDifficulty: number | null,
): ChainValidator<NewBlockProblem> {
  let previous: Block | null = after;
  let length = 0;
  let problemCount = 0;
  const problems: NewBlockProblem[] = [];

  const report = (problem: NewBlockProblem): void => {
    problemCount += 1;
    if (problems.length < maxReportedProblems) problems.push(problem);
  };

  return {
    add(block) {
      inspectBlock(block, previous, report);
      if (minDifficulty !== null && previous !== null) checkMinimumDifficulty(block, minDifficulty, report);
      // Continue from the block as found, so each later link is judged on its
      // own: one missing block is one INDEX_MISMATCH, not one per later block.
      previous = block;
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

export function validateChain(blocks: Iterable<Block>, options?: { maxReportedProblems?: number }): ChainValidationResult {
  const validator = createChainValidator(options);
  for (const block of blocks) validator.add(block);
  return validator.result();
}

/**
 * Joins the results of validating consecutive segments of one chain, each
 * segment's validator started `after` the last block of the segments before
 * it (or with none, if they hold no block): the result of a single pass.
 */
export function joinSegmentResults(
  segments: readonly ChainValidationResult[],
  { maxReportedProblems = DEFAULT_MAX_REPORTED_PROBLEMS }: { maxReportedProblems?: number } = {},
): ChainValidationResult {
  // An empty segment's result holds only the "no genesis block" verdict, which is about the whole chain.
  const examined = segments.filter((segment) => segment.length > 0);
  if (examined.length === 0) return createChainValidator().result();
  const problemCount = examined.reduce((sum, segment) => sum + segment.problemCount, 0);
  return {
    valid: problemCount === 0,
    length: examined.reduce((sum, segment) => sum + segment.length, 0),
    problems: examined.flatMap((segment) => segment.problems).slice(0, maxReportedProblems),
    problemCount,
  };
}
