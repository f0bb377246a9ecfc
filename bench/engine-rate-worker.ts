import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { loadEngine } from '../src/mining/engines/load-engine.js';
import { loadNativeAddon, loadNativeEngine } from '../src/mining/engines/native-engine.js';
import type { RateJob } from './engine-rates.js';

const job = workerData as RateJob;
const port = parentPort!;

function prepare(): () => void {
  if (job.kind === 'compress') {
    const addon = loadNativeAddon();
    const compress = job.portable ? addon.compressPairsPortable : addon.compressPairs;
    return () => void compress(job.candidates / 2);
  }
  const engine = job.portable ? loadNativeEngine({ portable: true }) : loadEngine(job.engine);
  // Difficulty 12 from proof 1 finds nothing in the window: every candidate is hashed.
  return () => void engine.search(1, 12, job.start, job.candidates);
}

const run = prepare();
port.on('message', () => {
  const started = performance.now();
  run();
  port.postMessage((performance.now() - started) / 1000);
});
port.postMessage('ready');
