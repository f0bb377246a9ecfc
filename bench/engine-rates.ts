import { once } from 'node:events';
import type { Worker } from 'node:worker_threads';
import type { EngineName } from '../src/mining/engines/load-engine.js';
import { startWorker } from '../src/shared/start-worker.js';
import { median } from './report.js';

export interface RateJob {
  readonly kind: 'search' | 'compress';
  readonly engine: EngineName;
  /** The native addon's plain C path instead of SHA-NI. */
  readonly portable: boolean;
  readonly candidates: number;
  readonly start: number;
}

/**
 * Hashes per second of one engine (or of the bare compression loop) on `threads` threads
 * at once: every thread hashes its own window, all start together, and the rate counts
 * until the last one finishes. Median of `repeats` rounds.
 */
export async function measureRate(job: Omit<RateJob, 'start'>, threads: number, repeats = 3): Promise<number> {
  const workers: Worker[] = [];
  try {
    for (let thread = 0; thread < threads; thread++) {
      const workerData: RateJob = { ...job, start: 1 + thread * job.candidates };
      const worker = startWorker(import.meta.url, 'engine-rate-worker', { workerData });
      workers.push(worker);
    }
    await Promise.all(workers.map((worker) => once(worker, 'message')));
    const rates: number[] = [];
    for (let round = 0; round < repeats; round++) {
      const done = workers.map((worker) => once(worker, 'message') as Promise<[number]>);
      for (const worker of workers) worker.postMessage('go');
      const seconds = Math.max(...(await Promise.all(done)).map(([value]) => value));
      rates.push((threads * job.candidates) / seconds);
    }
    return median(rates);
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
