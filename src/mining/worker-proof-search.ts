import { performance } from 'node:perf_hooks';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../threads/start-worker.js';
import type { ProofSearch, ProofSearchResult, SearchReply, SearchRequest, WorkerSetup } from './proof-search.js';

/** ~16k candidates take 5-10 ms here: the longest a cancelled search keeps running. */
const DEFAULT_CHUNK_SIZE = 16_384;

interface RunningSearch {
  readonly id: number;
  readonly startedAt: number;
  readonly resolve: (result: ProofSearchResult) => void;
  readonly reject: (error: Error) => void;
}

export class ProofSearchClosedError extends Error {
  override readonly name = 'ProofSearchClosedError';
  constructor() {
    super('the proof search has been closed');
  }
}

/**
 * A proof search on one persistent worker thread, so the event loop keeps
 * answering queries while a block is mined. Searches run one at a time, in
 * call order. The worker is started on first use and kept (starting one costs
 * 50-100 ms); it does not keep the process alive while idle.
 */
export function createWorkerProofSearch({ chunkSize = DEFAULT_CHUNK_SIZE } = {}): ProofSearch {
  const cancelFlag = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
  const cancelledId = new Int32Array(cancelFlag);
  let worker: Worker | null = null;
  let running: RunningSearch | null = null;
  let lastId = 0;
  let tail: Promise<unknown> = Promise.resolve();
  let closed = false;

  function settle(reply: SearchReply): void {
    const search = running;
    if (search === null || search.id !== reply.id) {
      // A cancelled search's late reply: its caller was already answered.
      if (running === null) worker?.unref();
      return;
    }
    running = null;
    worker?.unref();
    if (reply.status === 'found') {
      search.resolve({
        proof: reply.proof,
        attempts: reply.attempts,
        durationMs: performance.now() - search.startedAt,
      });
    } else {
      search.reject(new Error(reply.status === 'failed' ? `proof search failed: ${reply.message}` : 'proof search cancelled'));
    }
  }

  function failRunning(error: Error): void {
    const search = running;
    running = null;
    search?.reject(error);
  }

  function ensureWorker(): Worker {
    if (worker !== null) return worker;
    const setup: WorkerSetup = { cancelFlag, chunkSize };
    const started = startWorker(import.meta.url, 'proof-worker', { workerData: setup });
    started.on('message', settle);
    started.on('error', failRunning);
    started.on('exit', (code) => {
      if (worker === started) worker = null;
      failRunning(new Error(`proof worker exited with code ${code}`));
    });
    worker = started;
    return started;
  }

  function run(previousProof: number, difficulty: number, signal?: AbortSignal): Promise<ProofSearchResult> {
    return new Promise<ProofSearchResult>((resolve, reject) => {
      if (closed) return reject(new ProofSearchClosedError());
      if (signal?.aborted) return reject(signal.reason as Error);
      const id = ++lastId;
      const onAbort = (): void => {
        if (running?.id !== id) return;
        Atomics.store(cancelledId, 0, id);
        failRunning(signal?.reason as Error);
      };
      const finish = (): void => signal?.removeEventListener('abort', onAbort);
      running = {
        id,
        startedAt: performance.now(),
        resolve: (result) => (finish(), resolve(result)),
        reject: (error) => (finish(), reject(error)),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const target = ensureWorker();
      target.ref();
      const request: SearchRequest = { id, previousProof, difficulty };
      target.postMessage(request);
    });
  }

  return {
    find(previousProof, difficulty, signal) {
      const result = tail.then(() => run(previousProof, difficulty, signal));
      // Only the order matters to the next search, not this one's outcome.
      tail = result.catch(() => undefined);
      return result;
    },

    async close() {
      closed = true;
      if (running !== null) {
        Atomics.store(cancelledId, 0, running.id);
        failRunning(new ProofSearchClosedError());
      }
      const stopping = worker;
      worker = null;
      await stopping?.terminate();
    },
  };
}
