/**
 * `npm run bench -- storage`: the two storage engines side by side, in one run.
 * For SQLite (a file) and PostgreSQL (a throwaway cluster over a Unix socket,
 * fsync on, so commits are as durable as in production): the import of a
 * 1,000,000-block chain through the repository, GraphQL `block(index)` and
 * `chain(last: 20)` latency at 1,000 and 1,000,000 blocks, `mineBlock` at
 * difficulty 4, and the operator tool's `validate` of the long chain (time
 * and peak RSS of the process). Prints medians; asserts nothing.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import type { App } from '../src/app.js';
import { createApp } from '../src/app.js';
import { loadConfig, type Config } from '../src/config.js';
import { createGenesisBlock, sealBlock, type Block } from '../src/core/block.js';
import { searchProofs } from '../src/core/proof-of-work.js';
import { formatNotebookTimestamp } from '../src/core/timestamp.js';
import { openStorage } from '../src/storage/open-storage.js';
import { findPostgresBinaries, startThrowawayPostgres, type ThrowawayPostgres } from '../scripts/throwaway-postgres.js';
import { format, median, percentile, type Report } from './report.js';

export interface StorageBenchOptions {
  readonly largeLength?: number;
  readonly smallLength?: number;
  readonly mines?: number;
  /** Rounds of each read, and requests per round (medians of rounds; default 31 of 100). */
  readonly readRounds?: number;
  readonly readsPerRound?: number;
}

const ROOT = resolve(import.meta.dirname, '..');
const PEAK_RSS = pathToFileURL(join(import.meta.dirname, 'peak-rss.mjs')).href;
const START = 1_764_201_600_000_000; // 2025-11-27 00:00:00 UTC, in microseconds

type Engine = 'sqlite' | 'postgres';
type Where = Pick<Config, 'databasePath' | 'databaseUrl'>;

/** A valid chain at difficulty 1 (real hashes and links; every third block carries data), generated as it is read. */
function* chainOf(length: number): Generator<Block, void, undefined> {
  const nextProofs = new Map<number, number>();
  let tip = createGenesisBlock(formatNotebookTimestamp(START));
  yield tip;
  for (let index = 1; index < length; index++) {
    let proof = nextProofs.get(tip.proof);
    if (proof === undefined) {
      proof = searchProofs(tip.proof, 1, 1, Number.MAX_SAFE_INTEGER)!;
      nextProofs.set(tip.proof, proof);
    }
    tip = sealBlock({
      index,
      timestamp: formatNotebookTimestamp(START + index * 1_000_123),
      proof,
      previousHash: tip.hash,
      data: index % 3 === 0 ? `payload ${index}` : null,
      difficulty: 1,
    });
    yield tip;
  }
}

const config = (where: Where, difficulty = 1): Config => ({ ...loadConfig({}), ...where, difficulty, miningThreads: 2 });

/** Imports `length` generated blocks through the repository (the operator tool's path); seconds. */
async function importChain(where: Where, length: number): Promise<number> {
  const storage = await openStorage(config(where));
  try {
    const started = performance.now();
    const outcome = await storage.repository.importChain(chainOf(length));
    if (outcome.status !== 'imported' || outcome.count !== length) throw new Error(`the import of ${length} blocks failed`);
    return (performance.now() - started) / 1000;
  } finally {
    await storage.close();
  }
}

async function post(app: App, query: string): Promise<void> {
  const response = await app.yoga.fetch('http://bench.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  const text = await response.text();
  if (response.status !== 200 || text.includes('"errors"')) throw new Error(`query failed: ${text.slice(0, 300)}`);
}

const FIELDS = 'index timestamp proof previousHash hash data difficulty';

interface Reads {
  readonly block: number;
  readonly chain: number;
}

const QUERIES: Record<keyof Reads, (length: number, i: number) => string> = {
  block: (length, i) => `{ block(index: ${length - 1 - (i % 100)}) { ${FIELDS} } }`,
  chain: () => `{ chain(last: 20) { totalCount nodes { ${FIELDS} } } }`,
};

/**
 * µs per GraphQL request on the short and the long chain: the median of rounds
 * of `perRound` sequential requests, the two chains taking turns so that
 * drift (JIT, caches, other load on the machine) hits both alike.
 */
async function readLatencies(
  short: { where: Where; length: number },
  long: { where: Where; length: number },
  rounds = 31,
  perRound = 100,
): Promise<{ short: Reads; long: Reads }> {
  const apps = [await createApp(config(short.where)), await createApp(config(long.where))] as const;
  try {
    await Promise.all(apps.map((app) => app.checks.chain));
    const lengths = [short.length, long.length];
    const result = { short: { block: 0, chain: 0 }, long: { block: 0, chain: 0 } };
    for (const what of ['block', 'chain'] as const) {
      const samples: [number[], number[]] = [[], []];
      for (let round = -3; round < rounds; round++) {
        for (const side of [0, 1] as const) {
          const started = performance.now();
          for (let i = 0; i < perRound; i++) await post(apps[side], QUERIES[what](lengths[side]!, i));
          // The first rounds warm up and are not counted.
          if (round >= 0) samples[side].push(((performance.now() - started) * 1000) / perRound);
        }
      }
      result.short[what] = median(samples[0]);
      result.long[what] = median(samples[1]);
    }
    return result;
  } finally {
    await Promise.all(apps.map((app) => app.close()));
  }
}

/** `mineBlock` at difficulty 4 on a fresh chain, `count` times in a row; ms. */
async function mineLatencies(where: Where, count: number): Promise<{ median: number; p90: number }> {
  const app = await createApp(config(where, 4));
  try {
    await app.miner.ready;
    const samples: number[] = [];
    for (let i = 0; i < count; i++) {
      const started = performance.now();
      await post(app, 'mutation { mineBlock { block { index } } }');
      samples.push(performance.now() - started);
    }
    return { median: median(samples), p90: percentile(samples, 0.9) };
  } finally {
    await app.close();
  }
}

/** `pow-ledger validate` (dist/) on the chain, as a process of its own: seconds and peak RSS in MB. */
async function validateProcess(where: Where): Promise<{ seconds: number; peakMb: number; valid: boolean }> {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-peak-'));
  const peakFile = join(dir, 'peak');
  try {
    const target = where.databaseUrl === null ? ['--db', where.databasePath] : ['--database-url', where.databaseUrl];
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', PEAK_RSS, 'dist/cli/main.js', 'validate', ...target], {
      cwd: ROOT,
      env: { PATH: process.env['PATH'] ?? '', PEAK_RSS_FILE: peakFile, DIFFICULTY: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-2000)));
    const [exitCode] = (await once(child, 'exit')) as [number | null];
    if (exitCode !== 0 && exitCode !== 1) throw new Error(`validate exited ${exitCode}: ${stderr}`);
    return { seconds: (performance.now() - started) / 1000, peakMb: Number(readFileSync(peakFile, 'utf8')) / 1024, valid: exitCode === 0 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function createDatabase(cluster: ThrowawayPostgres, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: cluster.url() });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  return cluster.url(name);
}

export async function benchStorage(
  report: Report,
  { largeLength = 1_000_000, smallLength = 1_000, mines = 30, readRounds = 31, readsPerRound = 100 }: StorageBenchOptions = {},
): Promise<void> {
  const bin = findPostgresBinaries();
  if (bin === null) throw new Error("PostgreSQL's binaries were not found (set PG_BIN): the storage bench compares both engines.");
  const dir = mkdtempSync(join(tmpdir(), 'ledger-storage-bench-'));
  // fsync on: appends are as durable, and as slow, as in production.
  const cluster = await startThrowawayPostgres(bin, { fast: false });
  try {
    const loadBefore = loadavg()[0]!;
    const places: Record<Engine, (name: string) => Promise<Where>> = {
      sqlite: (name) => Promise.resolve({ databasePath: join(dir, `${name}.db`), databaseUrl: null }),
      postgres: async (name) => ({ databasePath: '', databaseUrl: await createDatabase(cluster, name) }),
    };
    const label = (engine: Engine): string => (engine === 'sqlite' ? 'SQLite' : `PostgreSQL ${cluster.version} (Unix socket)`);
    const reads = {} as Record<Engine, { small: Reads; large: Reads }>;
    for (const engine of ['sqlite', 'postgres'] as const) {
      const small = await places[engine]('small');
      const large = await places[engine]('large');
      await importChain(small, smallLength);
      const importSeconds = await importChain(large, largeLength);
      report(
        `${label(engine)}: import of ${format(largeLength, 0)} blocks (one transaction, through the repository), s`,
        format(importSeconds, 1),
      );
      const measured = await readLatencies(
        { where: small, length: smallLength },
        { where: large, length: largeLength },
        readRounds,
        readsPerRound,
      );
      const smallReads = measured.short;
      const largeReads = measured.long;
      reads[engine] = { small: smallReads, large: largeReads };
      for (const what of ['block', 'chain'] as const) {
        const name = what === 'block' ? 'block(index) near the tip' : 'chain(last: 20)';
        report(
          `${label(engine)}: GraphQL ${name}, µs per request: ${format(smallLength, 0)} / ${format(largeLength, 0)} blocks`,
          `${format(smallReads[what], 0)} / ${format(largeReads[what], 0)} (x${format(largeReads[what] / smallReads[what], 2)})`,
        );
      }
      const mined = await mineLatencies(await places[engine]('mining'), mines);
      report(
        `${label(engine)}: mineBlock at difficulty 4, ms (median / p90 of ${mines})`,
        `${format(mined.median, 1)} / ${format(mined.p90, 1)}`,
      );
      const validated = await validateProcess(large);
      if (!validated.valid) throw new Error(`the ${engine} chain did not validate`);
      report(
        `${label(engine)}: pow-ledger validate of ${format(largeLength, 0)} blocks, s / peak RSS`,
        `${format(validated.seconds, 1)} / ${format(validated.peakMb, 0)} MB`,
      );
    }
    for (const what of ['block', 'chain'] as const) {
      report(
        `PostgreSQL / SQLite, ${what === 'block' ? 'block(index)' : 'chain(last: 20)'} at ${format(smallLength, 0)} / ${format(largeLength, 0)} blocks`,
        `x${format(reads.postgres.small[what] / reads.sqlite.small[what], 2)} / x${format(reads.postgres.large[what] / reads.sqlite.large[what], 2)}`,
      );
    }
    report('machine load average (1 min) before / after the measures', `${format(loadBefore, 2)} / ${format(loadavg()[0]!, 2)}`);
  } finally {
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
