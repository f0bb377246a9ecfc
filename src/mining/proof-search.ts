/** Finds the seed's proof of work somewhere other than the caller's thread. */
export interface ProofSearchResult {
  /** The smallest proof from 1 upward that meets the difficulty. */
  readonly proof: number;
  /** Candidates hashed to find it. */
  readonly attempts: number;
  /** Wall time of the search, in milliseconds. */
  readonly durationMs: number;
}

export interface ProofSearch {
  /** Rejects with an `AbortError` (`signal.reason`) when `signal` aborts first. */
  find(previousProof: number, difficulty: number, signal?: AbortSignal): Promise<ProofSearchResult>;
  /** Cancels any search in progress and releases the thread. */
  close(): Promise<void>;
}

/** Protocol between `worker-proof-search.ts` and `proof-worker.ts`. */
export interface SearchRequest {
  readonly id: number;
  readonly previousProof: number;
  readonly difficulty: number;
}

export type SearchReply =
  | { readonly id: number; readonly status: 'found'; readonly proof: number; readonly attempts: number }
  | { readonly id: number; readonly status: 'cancelled'; readonly attempts: number }
  | { readonly id: number; readonly status: 'failed'; readonly message: string };

export interface WorkerSetup {
  /** Int32Array over shared memory: slot 0 holds the newest cancelled search id; every search up to it stops. */
  readonly cancelFlag: SharedArrayBuffer;
  /** Candidates tried between checks of the cancel flag. */
  readonly chunkSize: number;
}
