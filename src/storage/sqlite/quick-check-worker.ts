import { parentPort, workerData } from 'node:worker_threads';
import { quickCheck } from './quick-check.js';

/** Runs `quickCheck` off the main thread. */
parentPort?.postMessage(quickCheck((workerData as { path: string }).path));
