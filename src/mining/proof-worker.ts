import { parentPort, workerData } from 'node:worker_threads';
import { MAX_PROOF } from '../core/proof-of-work.js';
import { loadEngine } from './engines/load-engine.js';
import {
  CANCELLED,
  FIRST_HIT_CHUNK,
  NEXT_CHUNK,
  type SearchReply,
  type SearchRequest,
  type WorkerMessage,
  type WorkerSetup,
} from './proof-search.js';

/** A chunk is searched in slices (~0.1 ms each), checking between them whether the work still matters (cancelled, or answered lower). */
const SLICES_PER_CHUNK = 2;

const engine = loadEngine((workerData as WorkerSetup).engine);
const port = parentPort;
if (port === null) throw new Error('proof-worker must run as a worker thread');

/** Records `chunk` as the lowest chunk holding a proof, unless a lower one already is. */
function lowerFirstHit(control: BigInt64Array, chunk: bigint): void {
  let current = Atomics.load(control, FIRST_HIT_CHUNK);
  while (chunk < current) {
    const seen = Atomics.compareExchange(control, FIRST_HIT_CHUNK, current, chunk);
    if (seen === current) return;
    current = seen;
  }
}

/**
 * Takes chunks of candidates in increasing order from the counter every thread shares.
 * Once some thread finds a proof in chunk k, chunks above k cannot hold the smallest
 * proof and are skipped; chunks below k were handed out earlier and are still searched,
 * so the smallest of the threads' answers is the smallest proof overall.
 */
function search({ id, previousProof, difficulty, chunkSize, control: buffer }: SearchRequest): SearchReply {
  const control = new BigInt64Array(buffer);
  let hashed = 0;
  for (;;) {
    if (Atomics.load(control, CANCELLED) !== 0n) return { id, status: 'cancelled', hashed };
    const chunk = Atomics.add(control, NEXT_CHUNK, 1n);
    if (chunk > Atomics.load(control, FIRST_HIT_CHUNK)) return { id, status: 'done', proof: null, hashed };
    const start = 1 + Number(chunk) * chunkSize;
    if (start > MAX_PROOF) return { id, status: 'done', proof: null, hashed };
    const end = start + Math.min(chunkSize, MAX_PROOF + 1 - start);
    const sliceSize = Math.ceil(chunkSize / SLICES_PER_CHUNK);
    for (let from = start; from < end; from += sliceSize) {
      // Between slices: stop at once when cancelled, or when a lower chunk already holds the answer.
      if (Atomics.load(control, CANCELLED) !== 0n) return { id, status: 'cancelled', hashed };
      if (Atomics.load(control, FIRST_HIT_CHUNK) < chunk) return { id, status: 'done', proof: null, hashed };
      const count = Math.min(sliceSize, end - from);
      const proof = engine.search(previousProof, difficulty, from, count);
      if (proof !== null) {
        lowerFirstHit(control, chunk);
        return { id, status: 'done', proof, hashed: hashed + proof - from + 1 };
      }
      hashed += count;
    }
  }
}

port.on('message', (request: SearchRequest) => {
  let reply: SearchReply;
  try {
    reply = search(request);
  } catch (error) {
    reply = { id: request.id, status: 'failed', message: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply);
});
port.postMessage('ready' satisfies WorkerMessage);
