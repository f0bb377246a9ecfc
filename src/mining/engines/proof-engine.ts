/** A synchronous proof search over a window of candidates, run inside a worker thread. */
export interface ProofEngine {
  readonly name: 'native' | 'wasm' | 'js';
  /** Which code path inside the engine runs here, when there is a choice (the native addon: `sha-ni` or `portable`). */
  readonly variant?: string;
  /** The smallest proof in [start, start + count) that meets the difficulty, or null. */
  search(previousProof: number, difficulty: number, start: number, count: number): number | null;
}
