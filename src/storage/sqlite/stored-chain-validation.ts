import { availableParallelism } from 'node:os';
import { DEFAULT_MAX_REPORTED_PROBLEMS, joinSegmentResults, type ChainValidationResult } from '../../core/chain-validation.js';
import { startWorker } from '../../shared/start-worker.js';
import type { ChainSegment } from './chain-segment.js';
import { toSqliteStorageError } from './errors.js';

export interface SegmentRequest {
  readonly path: string;
  readonly segment: ChainSegment;
  readonly maxReportedProblems: number;
}

export type SegmentReply =
  | { readonly result: ChainValidationResult }
  /** A driver error, with SQLite's code so that it keeps its meaning (busy, corrupt...) on this side. */
  | { readonly failure: { readonly code: string | null; readonly message: string } };

interface StoredChainValidationOptions {
  /** Index of the newest stored block, to split the chain by; blocks appended since are read too. */
  readonly lastIndex: number;
  readonly maxReportedProblems?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Worker threads, each validating one segment (default: `threadsFor` the chain's length). */
  readonly threads?: number | undefined;
}

/** The same window the ORM's batched pass reads: every non-negative index below 2^53 - 1. */
const WINDOW: ChainSegment = { afterIndex: -1, beforeIndex: Number.MAX_SAFE_INTEGER };
const MAX_THREADS = 4;
/** A worker costs tens of ms and some MB to start: below this many blocks each, fewer workers finish sooner. */
const MIN_BLOCKS_PER_THREAD = 100_000;

/**
 * A pass allocates a few hundred bytes per block that die young: V8's default
 * young generation (up to 48 MB) would grow to its maximum in each worker; a
 * 4 MB one costs no measurable time and about 25 MB less per worker.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 4 };

/** Worker threads worth starting for `length` blocks: one per core, at most 4, each with enough blocks to repay its start. */
export function threadsFor(length: number): number {
  return Math.max(1, Math.min(availableParallelism(), MAX_THREADS, Math.floor(length / MIN_BLOCKS_PER_THREAD)));
}

/** `parts` consecutive segments covering the whole window, cut at even intervals of `0..lastIndex`. */
export function splitChain(lastIndex: number, parts: number): ChainSegment[] {
  const length = lastIndex + 1;
  const cuts = Array.from({ length: parts - 1 }, (_, i) => Math.floor((length * (i + 1)) / parts));
  const starts = [WINDOW.afterIndex, ...cuts.map((cut) => cut - 1)];
  const ends = [...cuts, WINDOW.beforeIndex];
  return starts.map((afterIndex, i) => ({ afterIndex, beforeIndex: ends[i]! }));
}

function validateOnWorker(request: SegmentRequest, signal: AbortSignal): Promise<ChainValidationResult> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const worker = startWorker(import.meta.url, 'chain-validation-worker', { workerData: request, resourceLimits: WORKER_LIMITS });
    const onAbort = (): void => {
      void worker.terminate();
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (reply: SegmentReply) => {
      signal.removeEventListener('abort', onAbort);
      if ('result' in reply) resolve(reply.result);
      else reject(toSqliteStorageError(Object.assign(new Error(reply.failure.message), { code: reply.failure.code })));
    });
    worker.once('error', (error) => {
      signal.removeEventListener('abort', onAbort);
      reject(error);
    });
    // After a reply this settles nothing; without one, the worker died.
    worker.once('exit', (code) => {
      signal.removeEventListener('abort', onAbort);
      reject(new Error(`chain validation worker exited with code ${code}`));
    });
  });
}

/**
 * Validates the chain stored in the database file at `path` on worker threads,
 * each reading one segment on its own read-only connection: the event loop
 * stays free, and the segments are validated in parallel. The result is the
 * one a single in-order pass gives. Rejects with the signal's reason on abort.
 */
export async function validateStoredChain(
  path: string,
  {
    lastIndex,
    maxReportedProblems = DEFAULT_MAX_REPORTED_PROBLEMS,
    signal,
    threads = threadsFor(lastIndex + 1),
  }: StoredChainValidationOptions,
): Promise<ChainValidationResult> {
  const stop = new AbortController();
  const stopped = signal === undefined ? stop.signal : AbortSignal.any([signal, stop.signal]);
  try {
    const results = await Promise.all(
      splitChain(lastIndex, threads).map((segment) => validateOnWorker({ path, segment, maxReportedProblems }, stopped)),
    );
    return joinSegmentResults(results, { maxReportedProblems });
  } catch (error) {
    // Without one segment's result the others' are of no use.
    stop.abort(error);
    throw error;
  }
}
