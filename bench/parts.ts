import { benchChainMemory } from './chain-memory.js';
import { benchChainScale } from './chain-scale.js';
import { benchCluster } from './cluster.js';
import { benchHttpThroughput, benchResponseCache } from './http-throughput.js';
import { benchMining } from './mining.js';
import type { Report } from './report.js';
import { benchRequestMetrics } from './request-metrics.js';
import { benchStorage } from './storage.js';

export interface BenchRun {
  /**
   * A few seconds per part, every code path once, with figures too small to
   * quote: the test suite runs each part so (test/bench/bench.slow.test.ts),
   * so a broken benchmark fails a test instead of waiting to be noticed.
   */
  readonly smoke: boolean;
}

/** Each part's smoke run: sizes, rounds and durations that exercise every path in a few seconds. */
const SMOKE = {
  mining: { windowScale: 0.005, rounds: 1, poolSearch: [1, 4], cancels: 2, mineBlocks: [[4, 2]] },
  scale: { largeLength: 1000, smallLength: 100, validateRuns: 1, startRuns: 1, readRounds: 1, readsPerRound: 5 },
  memory: { smallLength: 1000, largeBlocks: 1, hostileMegabytes: 1 },
  http: { requests: 200 },
  cache: { requests: 200, rounds: 1 },
  metrics: { rounds: 1, requests: 20, names: 110 },
  storage: { largeLength: 1000, smallLength: 100, mines: 2, readRounds: 1, readsPerRound: 5 },
  cluster: { notifications: 3, mines: 2, minesInFlight: 2, readConcurrency: 2, readMs: 300 },
} as const;

/** `npm run bench -- <part>`: each part of BENCHMARKS.md, at full size or in smoke mode. */
export const BENCH_PARTS = {
  mining: (report: Report, { smoke }: BenchRun) => benchMining(report, smoke ? SMOKE.mining : {}),
  scale: (report: Report, { smoke }: BenchRun) => benchChainScale(report, smoke ? SMOKE.scale : {}),
  memory: (report: Report, { smoke }: BenchRun) => benchChainMemory(report, smoke ? SMOKE.memory : {}),
  http: (report: Report, { smoke }: BenchRun) => benchHttpThroughput(report, smoke ? SMOKE.http : {}),
  cache: (report: Report, { smoke }: BenchRun) => benchResponseCache(report, smoke ? SMOKE.cache : {}),
  metrics: (report: Report, { smoke }: BenchRun) => benchRequestMetrics(report, smoke ? SMOKE.metrics : {}),
  storage: (report: Report, { smoke }: BenchRun) => benchStorage(report, smoke ? SMOKE.storage : {}),
  cluster: (report: Report, { smoke }: BenchRun) => benchCluster(report, smoke ? SMOKE.cluster : {}),
} as const;

export type BenchPartName = keyof typeof BENCH_PARTS;
