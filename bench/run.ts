/**
 * `npm run bench`: throughput and latency figures for the current build, all
 * measured in one run on this machine. Prints medians; nothing here asserts
 * (targets live in issues and BENCHMARKS.md, not in timed tests).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createGenesisBlock, sealBlock, type Block } from '../src/core/block.js';
import { hashProof, searchProofs } from '../src/core/proof-of-work.js';
import { formatSeedTimestamp } from '../src/core/timestamp.js';
import { createChainIntegrity } from '../src/ledger/chain-integrity.js';
import { loadConfig } from '../src/config.js';
import { startServer } from '../src/server.js';
import { createChainRepository } from '../src/storage/chain-repository.js';
import { openDatabase } from '../src/storage/database.js';

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const percentile = (values: number[], p: number): number => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!;
const format = (value: number, digits = 2): string => value.toLocaleString('en-US', { maximumFractionDigits: digits });
const rows: Array<[string, string]> = [];
const report = (name: string, value: string): void => {
  rows.push([name, value]);
  console.log(`${name.padEnd(58)} ${value}`);
};

function hashesPerSecond(run: () => number, repeats = 5): number {
  return median(
    Array.from({ length: repeats }, () => {
      const start = performance.now();
      const hashes = run();
      return hashes / ((performance.now() - start) / 1000);
    }),
  );
}

// 1. Proof search on one thread. Difficulty 12 from proof 1 finds nothing in the window, so every candidate is hashed.
const WINDOW = 1_000_000;
const fastRate = hashesPerSecond(() => (searchProofs(1, 12, 1, WINDOW), WINDOW));
report('proof search, fast (1 thread), hashes/s', format(fastRate, 0));
const literalRate = hashesPerSecond(() => {
  for (let proof = 1; proof <= 200_000; proof++) hashProof(1, proof);
  return 200_000;
});
report("proof search, the seed's loop in TypeScript, hashes/s", format(literalRate, 0));
const python = spawnSync(
  'python3',
  ['-c', "import hashlib,time\nt=time.perf_counter()\nfor n in range(1,500001): hashlib.sha256(str(n**2-1).encode()).hexdigest()[:4]=='0000'\nprint(500000/(time.perf_counter()-t))"],
  { encoding: 'utf8' },
);
if (python.status === 0) {
  const pythonRate = Number(python.stdout.trim());
  report("proof search, the seed's Python loop, hashes/s", format(pythonRate, 0));
  report('fast search / seed Python', `${format(fastRate / pythonRate)}x`);
} else {
  report("proof search, the seed's Python loop", 'skipped (no python3)');
}

// 2. Validation speed on a stored chain of 20,000 blocks (mined at difficulty 1 to build it quickly).
const dir = mkdtempSync(join(tmpdir(), 'ledger-bench-'));
try {
  const database = openDatabase(join(dir, 'validate.db'));
  const repository = createChainRepository(database);
  let tip: Block = createGenesisBlock(formatSeedTimestamp(1_764_201_600_000_000));
  repository.initialize(tip);
  const LENGTH = 20_000;
  // Bulk load for the benchmark only: without a sync per commit it takes seconds, not minutes.
  database.client.pragma('synchronous = OFF');
  for (let index = 1; index < LENGTH; index++) {
    const block = sealBlock({
      index,
      timestamp: formatSeedTimestamp(1_764_201_600_000_000 + index * 1_000_000),
      proof: searchProofs(tip.proof, 1, 1, Number.MAX_SAFE_INTEGER)!,
      previousHash: tip.hash,
      data: index % 3 === 0 ? `payload ${index}` : null,
      difficulty: 1,
    });
    repository.appendAfter(block, { tipHash: tip.hash, changeCounter: repository.externalChangeCounter() });
    tip = block;
  }
  const validateRuns: number[] = [];
  for (let run = 0; run < 3; run++) {
    // A fresh integrity tracker each time: a full pass, not the cached verdict.
    const integrity = createChainIntegrity(repository);
    const start = performance.now();
    const result = await integrity.verify();
    if (!result.valid || result.length !== LENGTH) throw new Error('benchmark chain is invalid');
    validateRuns.push(performance.now() - start);
  }
  const validateMs = median(validateRuns);
  report(`validate ${format(LENGTH, 0)} stored blocks, ms (median of 3)`, format(validateMs, 1));
  report('validate, blocks/s', format(LENGTH / (validateMs / 1000), 0));
  database.close();

  // 3. Over HTTP, on a real server: mineBlock at difficulty 4 and block(index) reads.
  const server = await startServer({ ...loadConfig({}), port: 0, databasePath: join(dir, 'http.db'), miningRatePerMinute: 0 });
  const post = async (query: string): Promise<unknown> => {
    const response = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    const body = (await response.json()) as { errors?: unknown };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body;
  };
  await post('mutation { mineBlock { block { index } } }'); // starts the worker thread
  const mineMs: number[] = [];
  const attempts: number[] = [];
  for (let i = 0; i < 40; i++) {
    const start = performance.now();
    const body = (await post('mutation { mineBlock { attempts } }')) as { data: { mineBlock: { attempts: number } } };
    mineMs.push(performance.now() - start);
    attempts.push(body.data.mineBlock.attempts);
  }
  report('mineBlock over HTTP at difficulty 4, median ms (40 blocks)', format(median(mineMs)));
  report('mineBlock over HTTP at difficulty 4, p90 ms', format(percentile(mineMs, 0.9)));
  report('  attempts per block, median', format(median(attempts), 0));
  const readMs: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const start = performance.now();
    await post(`{ block(index: ${i % 40}) { index hash proof } }`);
    readMs.push(performance.now() - start);
  }
  report('block(index) over HTTP, sequential, median ms (2000 reads)', format(median(readMs), 3));
  report('block(index) over HTTP, sequential, p99 ms', format(percentile(readMs, 0.99), 3));
  await server.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
