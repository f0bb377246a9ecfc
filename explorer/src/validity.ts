import type { ChainErrorReason, ValidateQuery } from '../../client/index.js';

export type Validation = ValidateQuery['validate'];
export type Problem = Validation['errors'][number];

/** What the last validation says of one block: `unchecked` when it did not look (or did not report that far). */
export interface BlockVerdict {
  readonly state: 'valid' | 'invalid' | 'unchecked';
  readonly problems: readonly Problem[];
}

/** What it says of the link from block `index` to block `index - 1`, with the reasons it is broken. */
export interface LinkVerdict {
  readonly state: 'intact' | 'broken' | 'unchecked';
  readonly reasons: readonly string[];
}

export const REASON_LABELS: Readonly<Record<ChainErrorReason, string>> = {
  GENESIS_INVALID: 'Not the genesis block',
  INDEX_MISMATCH: 'Out of place',
  PREVIOUS_HASH_MISMATCH: 'Broken link',
  HASH_MISMATCH: 'Content altered',
  DIFFICULTY_INVALID: 'Bad difficulty',
  PROOF_INVALID: 'Invalid proof',
};

export interface Verdicts {
  block(index: number): BlockVerdict;
  /** The link from block `index` (> 0) back to block `index - 1`. */
  link(index: number): LinkVerdict;
}

/**
 * Reads a validation per block and per link. A link from block n to block
 * n - 1 is broken when block n names another previous hash, does not follow
 * n - 1 (index or proof), or when block n - 1 was altered after n linked to it
 * (its stored hash, which n names, no longer matches its content).
 */
export function readVerdicts(validation: Validation | null): Verdicts {
  const byIndex = new Map<number, Problem[]>();
  for (const problem of validation?.errors ?? []) {
    const list = byIndex.get(problem.index) ?? [];
    list.push(problem);
    byIndex.set(problem.index, list);
  }
  // Beyond the reported problems (the first 100), a block without one may still have one.
  const truncated = validation !== null && validation.errorCount > validation.errors.length;
  const reportedUpTo = truncated ? Math.max(...validation.errors.map((problem) => problem.index)) : Number.POSITIVE_INFINITY;
  const checked = (index: number): boolean => validation !== null && index < validation.length && index <= reportedUpTo;
  const has = (index: number, reason: ChainErrorReason): boolean => (byIndex.get(index) ?? []).some((problem) => problem.reason === reason);

  return {
    block(index) {
      const problems = byIndex.get(index) ?? [];
      if (problems.length > 0) return { state: 'invalid', problems };
      return { state: checked(index) ? 'valid' : 'unchecked', problems };
    },
    link(index) {
      const previous = index - 1;
      const reasons: string[] = [];
      if (has(index, 'PREVIOUS_HASH_MISMATCH')) reasons.push(`#${index} names a previous hash that is not the hash of #${previous}`);
      if (has(index, 'INDEX_MISMATCH')) reasons.push(`#${index} is not the block after #${previous}`);
      if (has(index, 'PROOF_INVALID')) reasons.push(`#${index}'s proof does not follow #${previous}'s proof`);
      if (has(previous, 'HASH_MISMATCH')) reasons.push(`#${previous} was altered after #${index} linked to it`);
      if (reasons.length > 0) return { state: 'broken', reasons };
      return { state: checked(index) ? 'intact' : 'unchecked', reasons };
    },
  };
}
