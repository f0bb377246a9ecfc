import { hash } from 'node:crypto';

/**
 * The notebook's proof of work: a proof `next` is accepted after `previous` when
 * `sha256(str(next**2 - previous**2))` starts with `difficulty` hex zeros.
 *
 * Squares leave the exact range of doubles once a proof passes 94,906,265, so
 * all arithmetic is BigInt. Proofs themselves stay below 2^53 (see MAX_DIFFICULTY).
 */
export const MIN_DIFFICULTY = 1;
/**
 * At difficulty d the expected proof is about 16^d. At 12 that is 2.8e14, and the
 * chance that the smallest proof passes 2^53 (the largest safe integer, which
 * JSON clients and GraphQL can carry exactly) is below 1e-13. At 13 it would be 13%.
 */
export const MAX_DIFFICULTY = 12;
export const MAX_PROOF = Number.MAX_SAFE_INTEGER;

export function isSupportedDifficulty(difficulty: number): boolean {
  return Number.isInteger(difficulty) && difficulty >= MIN_DIFFICULTY && difficulty <= MAX_DIFFICULTY;
}

/** The notebook's `hash_proof`: hex SHA-256 of the decimal `next**2 - previous**2` (sign kept). */
export function hashProof(previousProof: number, nextProof: number): string {
  const previous = BigInt(previousProof);
  const next = BigInt(nextProof);
  return hash('sha256', (next * next - previous * previous).toString(), 'hex');
}

export function meetsDifficulty(hexHash: string, difficulty: number): boolean {
  for (let i = 0; i < difficulty; i++) {
    if (hexHash.charCodeAt(i) !== 0x30 /* '0' */) return false;
  }
  return true;
}

export function isValidProof(previousProof: number, proof: number, difficulty: number): boolean {
  return meetsDifficulty(hashProof(previousProof, proof), difficulty);
}

/**
 * The notebook's `proof_of_work` loop, literally: the smallest proof from 1 upward.
 * Slow (a hex digest and a fresh BigInt square per candidate); it is the
 * reference the fast search is tested against.
 */
export function referenceProofOfWork(previousProof: number, difficulty: number): number {
  let proof = 1;
  while (!isValidProof(previousProof, proof, difficulty)) proof += 1;
  return proof;
}

/** Throws a RangeError unless the arguments make a search window every engine handles exactly. */
export function assertSearchArguments(previousProof: number, difficulty: number, start: number, count: number): void {
  if (!Number.isSafeInteger(previousProof)) throw new RangeError(`previous proof must be a safe integer`);
  if (!isSupportedDifficulty(difficulty)) throw new RangeError(`unsupported difficulty ${difficulty}`);
  if (!Number.isSafeInteger(start) || start < 1) throw new RangeError(`search must start at a proof >= 1`);
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer`);
}

/**
 * Tries proofs `start`, `start + 1`, … `start + count - 1` in order and returns the
 * first that meets the difficulty, or `null`. Same answers as the reference, faster:
 * the square difference is updated incrementally ((n+1)^2 = n^2 + 2n + 1) and the
 * digest is compared as raw bytes, with no hex string or Buffer per candidate.
 */
export function searchProofs(previousProof: number, difficulty: number, start: number, count: number): number | null {
  assertSearchArguments(previousProof, difficulty, start, count);
  const end = Math.min(start + count, MAX_PROOF + 1);
  const zeroBytes = difficulty >> 1;
  const oddNibble = (difficulty & 1) === 1;
  const previous = BigInt(previousProof);
  const first = BigInt(start);
  let difference = first * first - previous * previous;
  let step = 2n * first + 1n;

  for (let proof = start; proof < end; proof++) {
    // 'binary' is latin1: one char per digest byte.
    const digest = hash('sha256', difference.toString(), 'binary');
    let ok = true;
    for (let i = 0; i < zeroBytes; i++) {
      if (digest.charCodeAt(i) !== 0) {
        ok = false;
        break;
      }
    }
    if (ok && (!oddNibble || digest.charCodeAt(zeroBytes) < 0x10)) return proof;
    difference += step;
    step += 2n;
  }
  return null;
}
