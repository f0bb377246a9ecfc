import type { EngineName } from './engines/load-engine.js';

/** Finds the notebook's proof of work somewhere other than the caller's thread. */
export interface ProofSearchResult {
  /** The smallest proof from 1 upward that meets the difficulty. */
  readonly proof: number;
  /** Candidates hashed to find it, by all threads together (a little more than `proof` when several threads search). */
  readonly attempts: number;
  /** Wall time of the search, in milliseconds. */
  readonly durationMs: number;
}

/** How far the search in progress has got. */
export interface ProofSearchProgress {
  /** Candidates handed out to the threads so far: an estimate, read without stopping them (it may run ahead by a chunk per thread). */
  readonly attempts: number;
  /** When the search started, on the `performance.now()` clock. */
  readonly startedAt: number;
}

export interface ProofSearch {
  /** The engine every thread mines with. */
  readonly engine: EngineName;
  /** Threads a search is split across. */
  readonly threads: number;
  /** Resolves once every thread has loaded its engine (searches before then wait for it). */
  readonly ready: Promise<void>;
  /** Rejects with an `AbortError` (`signal.reason`) when `signal` aborts first. */
  find(previousProof: number, difficulty: number, signal?: AbortSignal): Promise<ProofSearchResult>;
  /** The search running now, or `null` when none is (searches waiting their turn have not started). Cheap enough to poll. */
  progress(): ProofSearchProgress | null;
  /** Cancels any search in progress and stops the threads. */
  close(): Promise<void>;
}

/** Protocol between `pool-proof-search.ts` and `proof-worker.ts`. */
export interface SearchRequest {
  readonly id: number;
  readonly previousProof: number;
  readonly difficulty: number;
  readonly chunkSize: number;
  /** A BigInt64Array over it holds the slots below, shared by every thread of this search. */
  readonly control: SharedArrayBuffer;
}

/** Slots of a search's control array. */
export const NEXT_CHUNK = 0;
/** The lowest chunk in which some thread found a proof; chunks above it need no search. */
export const FIRST_HIT_CHUNK = 1;
/** Non-zero once the search is cancelled. */
export const CANCELLED = 2;
export const CONTROL_SLOTS = 3;

export type SearchReply =
  | { readonly id: number; readonly status: 'done'; readonly proof: number | null; readonly hashed: number }
  | { readonly id: number; readonly status: 'cancelled'; readonly hashed: number }
  | { readonly id: number; readonly status: 'failed'; readonly message: string };

/** What a worker posts: `ready` once its engine is loaded, then one reply per search. */
export type WorkerMessage = 'ready' | SearchReply;

export interface WorkerSetup {
  readonly engine: EngineName;
}
