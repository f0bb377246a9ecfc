import type { Block } from '../core/block.js';
import type { AppendExpectation, AppendOutcome } from './chain-repository.js';

/** What an engine read of the chain with its write lock held, before an append. */
interface LockedChainState {
  /** The difficulty stored with the chain (null: none stored yet). */
  readonly difficulty: number | null;
  readonly tip: Block | null;
  /** The external change counter as of now (ChainReader.externalChangeCounter). */
  readonly changeCounter: number;
  /** The block the append's idempotency key already produced, if any. */
  readonly keyBlock?: Block | null;
}

/**
 * Whether `block` may be appended to the chain as it stands (`insert`), or
 * the outcome that refuses it: its idempotency key already used (a retry of
 * a mine that was stored), a difficulty changed on purpose while the
 * block was mined (it must not be appended at its old one), or a chain that
 * moved or was written by anyone else since it was validated.
 */
export function decideAppend(block: Block, expected: AppendExpectation, state: LockedChainState): AppendOutcome | 'insert' {
  if (state.keyBlock != null) return { status: 'key-used', block: state.keyBlock };
  if (state.difficulty !== null && state.difficulty !== block.difficulty) {
    return { status: 'difficulty-changed', difficulty: state.difficulty };
  }
  if (state.tip?.hash !== expected.tipHash || state.changeCounter !== expected.changeCounter) return { status: 'stale', tip: state.tip };
  return 'insert';
}
