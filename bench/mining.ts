import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config.js';
import { loadEngine, probeEngines, type EngineName } from '../src/mining/engines/load-engine.js';
import { createPoolProofSearch } from '../src/mining/pool-proof-search.js';
import { startServer } from '../src/server.js';
import { measureRate } from './engine-rates.js';
import { format, median, millions, percentile, type Report } from './report.js';

/** Candidates per thread per round: about half a second each at this machine's speed. */
const WINDOWS: Record<EngineName, number> = { native: 16_000_000, wasm: 4_000_000, js: 1_000_000 };

const availableEngines = (): EngineName[] =>
  probeEngines()
    .filter(({ unavailable }) => unavailable === null)
    .map(({ name }) => name);

/** The notebook's own loop (its hash_proof and comparison) in Python, when python3 exists. */
function pythonRate(): number | null {
  const script = [
    'import hashlib, time',
    't = time.perf_counter()',
    'for n in range(1, 1000001): hashlib.sha256(str(n**2 - 1**2).encode()).hexdigest()[:4] == "0000"',
    'print(1000000 / (time.perf_counter() - t))',
  ].join('\n');
  const python = spawnSync('python3', ['-c', script], { encoding: 'utf8' });
  return python.status === 0 ? Number(python.stdout.trim()) : null;
}

/** Hashes/s of the real mining path (the worker pool, chunks, the smallest-proof agreement) on a long search. */
async function poolRate(
  engine: EngineName,
  threads: number,
  previousProof: number,
  difficulty: number,
): Promise<{ rate: number; proof: number }> {
  const pool = createPoolProofSearch({ engine, threads });
  try {
    await pool.ready;
    const result = await pool.find(previousProof, difficulty);
    return { rate: result.attempts / (result.durationMs / 1000), proof: result.proof };
  } finally {
    await pool.close();
  }
}

/** How long a cancelled search keeps the threads busy: abort mid-search, then time until the next search starts answering. */
async function cancelLatencyMs(engine: EngineName, count: number): Promise<number> {
  const pool = createPoolProofSearch({ engine });
  try {
    await pool.find(1, 1);
    const samples: number[] = [];
    for (let i = 0; i < count; i++) {
      const controller = new AbortController();
      const hopeless = pool.find(1, 12, controller.signal).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const abortedAt = performance.now();
      controller.abort(new Error('cancelled'));
      await hopeless;
      // The pool runs searches in order: the next one starts only once every thread has stopped.
      await pool.find(1, 1);
      samples.push(performance.now() - abortedAt);
    }
    return median(samples);
  } finally {
    await pool.close();
  }
}

export interface MiningBenchOptions {
  /** Scales every rate window (1: about half a second each). */
  readonly windowScale?: number;
  /** Rounds of each rate, and of the pool against the limit (medians). */
  readonly rounds?: number;
  /** The pool's search, [previous proof, difficulty]; by default d7 from 1 for native, d6 from 533 otherwise. */
  readonly poolSearch?: readonly [number, number];
  /** Cancellations timed (median). */
  readonly cancels?: number;
  /** mineBlock over HTTP: [difficulty, blocks] pairs. */
  readonly mineBlocks?: ReadonlyArray<readonly [number, number]>;
}

export async function benchMining(
  report: Report,
  {
    windowScale = 1,
    rounds: roundCount = 3,
    poolSearch,
    cancels = 9,
    mineBlocks = [
      [4, 100],
      [5, 20],
      [6, 8],
    ],
  }: MiningBenchOptions = {},
): Promise<void> {
  const engines = availableEngines();
  const nativeBuilt = engines.includes('native');
  const window = (engine: EngineName, times = 1): number => Math.max(1000, Math.round(WINDOWS[engine] * times * windowScale));
  for (const threads of [1, 2]) {
    if (nativeBuilt) {
      const limit = await measureRate(
        { kind: 'compress', engine: 'native', portable: false, candidates: window('native') },
        threads,
        roundCount,
      );
      report(`physical limit: bare SHA-256 compression loop, ${threads} thread(s)`, millions(limit));
    }
    for (const engine of engines) {
      const rate = await measureRate({ kind: 'search', engine, portable: false, candidates: window(engine) }, threads, roundCount);
      const variant = loadEngine(engine).variant;
      report(`engine ${engine}${variant ? ` (${variant})` : ''}, ${threads} thread(s)`, millions(rate));
    }
    if (nativeBuilt) {
      const rate = await measureRate(
        { kind: 'search', engine: 'native', portable: true, candidates: window('js', 2) },
        threads,
        roundCount,
      );
      report(`engine native (portable C, where SHA-NI is missing), ${threads} thread(s)`, millions(rate));
    }
  }

  const python = pythonRate();
  report("the notebook's Python loop, 1 thread", python === null ? 'skipped (no python3)' : millions(python));

  const best = engines[0]!;
  // Difficulty 7 from proof 1 (answer 203,748,674) for the native engine; 6 from 533 (23,008,642) for the slower ones.
  const [previousProof, difficulty] = poolSearch ?? (best === 'native' ? [1, 7] : [533, 6]);
  // The ratio that matters is pool / limit, and the machine is shared: each round measures
  // both back to back, so a neighbour's load weighs on the two alike; the median round is kept.
  const rounds: Array<{ pool: number; limit: number | null }> = [];
  for (let round = 0; round < roundCount; round++) {
    const pool = (await poolRate(best, 2, previousProof, difficulty)).rate;
    const limit = nativeBuilt
      ? await measureRate({ kind: 'compress', engine: 'native', portable: false, candidates: window('native') }, 2, 1)
      : null;
    rounds.push({ pool, limit });
  }
  const poolMedian = median(rounds.map((round) => round.pool));
  report(
    `mining through the worker pool, ${best}, 2 threads (difficulty ${difficulty} from proof ${previousProof}), median of ${roundCount}`,
    millions(poolMedian),
  );
  if (nativeBuilt) {
    const ratios = rounds.map((round) => round.pool / round.limit!);
    report(
      `  pool mining / physical limit on 2 threads, measured back to back, median of ${roundCount}`,
      `${format(100 * median(ratios), 0)}% (rounds: ${ratios.map((ratio) => `${format(100 * ratio, 0)}%`).join(', ')})`,
    );
  }
  if (python !== null) report("  pool mining / the notebook's Python", `${format(poolMedian / python, 1)}x`);
  const portable = engines.includes('wasm') ? await poolRate('wasm', 2, ...(poolSearch ?? [533, 6])) : null;
  if (portable !== null) report('mining through the worker pool, wasm (portable engine), 2 threads', millions(portable.rate));
  report(`cancel: abort to threads free, ${best}, median of ${cancels}`, `${format(await cancelLatencyMs(best, cancels), 2)} ms`);

  await benchMineBlock(report, mineBlocks);
}

/**
 * One POST on a keep-alive connection with node:http. Not fetch: undici's own
 * overhead (about a millisecond per request here) would be counted as the server's.
 */
function post(url: string, query: string): Promise<string> {
  const target = new URL(url);
  const body = JSON.stringify({ query });
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        agent: keepAlive,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve(text));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
const keepAlive = new Agent({ keepAlive: true });

/** mineBlock over HTTP on a real server with a durable SQLite file, at each difficulty of `mineBlocks` (4, 5 and 6 by default). */
async function benchMineBlock(report: Report, mineBlocks: ReadonlyArray<readonly [number, number]>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-bench-mine-'));
  try {
    for (const [difficulty, blocks] of mineBlocks) {
      const server = await startServer({
        ...loadConfig({}),
        difficulty,
        port: 0,
        databasePath: join(dir, `d${difficulty}.db`),
        miningRatePerMinute: 0,
      });
      try {
        const mine = async (): Promise<number> => {
          const started = performance.now();
          const body = JSON.parse(await post(server.url, 'mutation { mineBlock { block { index proof } } }')) as { errors?: unknown };
          if (body.errors) throw new Error(JSON.stringify(body.errors));
          return performance.now() - started;
        };
        // The first block after genesis (proof 1), as the issue's difficulty-6 target counts it, once the threads are up.
        await server.app.miner.ready;
        const first = await mine();
        const times: number[] = [];
        for (let i = 0; i < blocks; i++) times.push(await mine());
        report(`mineBlock over HTTP, difficulty ${difficulty}: first block from proof 1`, `${format(first, 1)} ms`);
        report(
          `mineBlock over HTTP, difficulty ${difficulty}: median, p90 of ${blocks}`,
          `${format(median(times), 1)} ms, ${format(percentile(times, 0.9), 1)} ms`,
        );
      } finally {
        await server.close();
      }
    }
  } finally {
    keepAlive.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}
