import { parentPort, workerData } from 'node:worker_threads';
import { MAX_PROOF, searchProofs } from '../core/proof-of-work.js';
import type { SearchReply, SearchRequest, WorkerSetup } from './proof-search.js';

const { cancelFlag, chunkSize } = workerData as WorkerSetup;
const cancelled = new Int32Array(cancelFlag);
const port = parentPort;
if (port === null) throw new Error('proof-worker must run as a worker thread');

function search({ id, previousProof, difficulty }: SearchRequest): SearchReply {
  let start = 1;
  while (start <= MAX_PROOF) {
    // Checked once a chunk: a cancelled search stops within one chunk's time.
    // Ids only grow, so the slot holding the newest cancelled id covers older ones too.
    if (Atomics.load(cancelled, 0) >= id) return { id, status: 'cancelled', attempts: start - 1 };
    const proof = searchProofs(previousProof, difficulty, start, chunkSize);
    if (proof !== null) return { id, status: 'found', proof, attempts: proof };
    start += chunkSize;
  }
  return { id, status: 'failed', message: 'no proof below 2^53 meets the difficulty' };
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
