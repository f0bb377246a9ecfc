import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../shared/start-worker.js';
import type { EngineName } from './engines/load-engine.js';
import {
  CANCELLED,
  CONTROL_SLOTS,
  FIRST_HIT_CHUNK,
  NEXT_CHUNK,
  type ProofSearch,
  type ProofSearchProgress,
  type ProofSearchResult,
  type SearchReply,
  type SearchRequest,
  type WorkerMessage,
  type WorkerSetup,
} from './proof-search.js';

/**
 * Candidates per chunk: about a quarter of a millisecond on one thread. Small, so that
 * threads interleave finely (the answer to an easy search waits on no long chunk below
 * it), yet each chunk costs one atomic increment against thousands of hashes.
 */
const CHUNK_SIZES: Record<EngineName, number> = { native: 8_192, wasm: 2_048, js: 512 };

export interface PoolOptions {
  readonly engine: EngineName;
  /** Threads to split each search across; defaults to the CPUs available. */
  readonly threads?: number;
  readonly chunkSize?: number;
}

interface RunningSearch {
  readonly id: number;
  readonly control: BigInt64Array;
  readonly startedAt: number;
  pending: number;
  best: number | null;
  hashed: number;
  readonly resolve: (result: ProofSearchResult) => void;
  readonly reject: (error: Error) => void;
}

/** Rejects as soon as `signal` aborts, even while the search still waits its turn (it then runs no candidate). */
function abandonedOnAbort<T>(result: Promise<T>, signal: AbortSignal): Promise<T> {
  const abandonable = new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    result.then(
      (value) => (signal.removeEventListener('abort', onAbort), resolve(value)),
      (error: unknown) => (signal.removeEventListener('abort', onAbort), reject(error as Error)),
    );
  });
  // As with the search itself (see `tail`): a caller that looks at the outcome later is not an unhandled rejection.
  abandonable.catch(() => undefined);
  return abandonable;
}

export class ProofSearchClosedError extends Error {
  override readonly name = 'ProofSearchClosedError';
  constructor() {
    super('the proof search has been closed');
  }
}

/**
 * A persistent pool of worker threads that split each proof search between them
 * (chunks handed out from a shared counter) and agree on the smallest proof.
 * Threads start with the pool, not per block (a start costs 50-100 ms), and do
 * not keep the process alive while idle. Searches run one at a time, in call order.
 */
export function createPoolProofSearch({
  engine,
  threads = availableParallelism(),
  chunkSize = CHUNK_SIZES[engine],
}: PoolOptions): ProofSearch {
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError('threads must be a positive integer');
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) throw new RangeError('chunkSize must be a positive integer');
  const workers = new Set<Worker>();
  let running: RunningSearch | null = null;
  let lastId = 0;
  let tail: Promise<unknown> = Promise.resolve();
  let closed = false;

  function finish(search: RunningSearch, outcome: { result: ProofSearchResult } | { error: Error }): void {
    if (running !== search) return;
    running = null;
    for (const worker of workers) worker.unref();
    if ('result' in outcome) search.resolve(outcome.result);
    else search.reject(outcome.error);
  }

  let threadsReady = 0;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  function settle(reply: SearchReply): void {
    const search = running;
    // A cancelled search's late replies: its caller was already answered.
    if (search === null || search.id !== reply.id) return;
    if (reply.status === 'failed') {
      Atomics.store(search.control, CANCELLED, 1n);
      finish(search, { error: new Error(`proof search failed: ${reply.message}`) });
      return;
    }
    search.hashed += reply.hashed;
    if (reply.status === 'done' && reply.proof !== null && (search.best === null || reply.proof < search.best)) search.best = reply.proof;
    if (--search.pending > 0) return;
    if (search.best === null) {
      finish(search, { error: new Error('proof search failed: no proof below 2^53 meets the difficulty') });
      return;
    }
    finish(search, { result: { proof: search.best, attempts: search.hashed, durationMs: performance.now() - search.startedAt } });
  }

  function failRunning(error: Error): void {
    if (running === null) return;
    Atomics.store(running.control, CANCELLED, 1n);
    finish(running, { error });
  }

  function startThreads(): void {
    const setup: WorkerSetup = { engine };
    while (workers.size < threads) {
      const worker = startWorker(import.meta.url, 'proof-worker', { workerData: setup });
      worker.on('message', (message: WorkerMessage) => {
        if (message !== 'ready') return settle(message);
        // Held until its engine is loaded, so awaiting `ready` keeps the process alive.
        if (running === null) worker.unref();
        if (++threadsReady >= threads) markReady();
      });
      worker.on('error', failRunning);
      worker.on('exit', (code) => {
        // A thread lost mid-search would leave its chunk unsearched: the answer could not be trusted.
        if (workers.delete(worker) && !closed) failRunning(new Error(`proof worker exited with code ${code}`));
      });
      workers.add(worker);
    }
  }

  function run(previousProof: number, difficulty: number, signal?: AbortSignal): Promise<ProofSearchResult> {
    return new Promise<ProofSearchResult>((resolve, reject) => {
      if (closed) return reject(new ProofSearchClosedError());
      if (signal?.aborted) return reject(signal.reason as Error);
      startThreads();
      const id = ++lastId;
      const buffer = new SharedArrayBuffer(CONTROL_SLOTS * BigInt64Array.BYTES_PER_ELEMENT);
      const control = new BigInt64Array(buffer);
      Atomics.store(control, FIRST_HIT_CHUNK, 2n ** 63n - 1n);
      Atomics.store(control, NEXT_CHUNK, 0n);
      const onAbort = (): void => {
        if (running?.id !== id) return;
        Atomics.store(control, CANCELLED, 1n);
        finish(running, { error: signal?.reason as Error });
      };
      const cleanUp = (): void => signal?.removeEventListener('abort', onAbort);
      running = {
        id,
        control,
        startedAt: performance.now(),
        pending: workers.size,
        best: null,
        hashed: 0,
        resolve: (result) => (cleanUp(), resolve(result)),
        reject: (error) => (cleanUp(), reject(error)),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const request: SearchRequest = { id, previousProof, difficulty, chunkSize, control: buffer };
      for (const worker of workers) {
        worker.ref();
        worker.postMessage(request);
      }
    });
  }

  startThreads();
  return {
    engine,
    threads,
    ready,
    find(previousProof, difficulty, signal) {
      const result = tail.then(() => run(previousProof, difficulty, signal));
      // Only the order matters to the next search, not this one's outcome.
      tail = result.catch(() => undefined);
      return signal === undefined ? result : abandonedOnAbort(result, signal);
    },

    progress(): ProofSearchProgress | null {
      if (running === null) return null;
      const { control, startedAt } = running;
      // Chunks claimed past the one holding the answer are never searched.
      const claimed = Atomics.load(control, NEXT_CHUNK);
      const relevant = Atomics.load(control, FIRST_HIT_CHUNK) + 1n;
      return { attempts: Number(claimed < relevant ? claimed : relevant) * chunkSize, startedAt };
    },

    async close() {
      closed = true;
      failRunning(new ProofSearchClosedError());
      const stopping = [...workers];
      workers.clear();
      // Node does not hold the process for a thread being terminated: with nothing else
      // pending, a script awaiting close() would exit with it unsettled (exit code 13).
      const holdProcess = setInterval(() => undefined, 1000);
      try {
        await Promise.all(stopping.map((worker) => worker.terminate()));
      } finally {
        clearInterval(holdProcess);
      }
    },
  };
}
