/**
 * How validation, reads and start-up scale with the chain's length: a chain of
 * 1,000,000 blocks against one of 1,000, both generated here into a temporary
 * directory that is deleted afterwards. Prints medians; asserts nothing.
 *
 * Standalone: `npx tsx bench/chain-scale.ts [large length]`.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Sqlite from 'better-sqlite3';
import type { App } from '../src/app.js';
import { createGenesisBlock, sealBlock, type Block } from '../src/core/block.js';
import { searchProofs } from '../src/core/proof-of-work.js';
import { formatNotebookTimestamp } from '../src/core/timestamp.js';
import { createChainIntegrity } from '../src/ledger/chain-integrity.js';
import type { BlockRangeQuery, Ledger } from '../src/ledger/ledger.js';
import { createSqliteChainRepository } from '../src/storage/sqlite/chain-repository.js';
import { TreeFrontier } from '../src/storage/tree-nodes.js';
import { openSqliteDatabase } from '../src/storage/sqlite/database.js';
import { format as formatNumber, median, type Report } from './report.js';

export interface ChainScaleOptions {
  /** Blocks in the long chain (default 1,000,000). */
  readonly largeLength?: number;
  /** Blocks in the short chain the reads and start-up are compared with (default 1,000). */
  readonly smallLength?: number;
  /** Full validation passes of the long chain, each on a fresh verdict (default 3). */
  readonly validateRuns?: number;
  /** Starts of each chain's app (median; default 5). */
  readonly startRuns?: number;
  /** Each read's rounds, and reads per round (medians of rounds; default 41 of 250). */
  readonly readRounds?: number;
  readonly readsPerRound?: number;
}

const START = 1_764_201_600_000_000; // 2025-11-27 00:00:00 UTC, in microseconds
const INSERT_BATCH = 100_000;
const PAGE = 20;

/** One decimal unless said otherwise: this part's figures are milliseconds and seconds. */
const format = (value: number, digits = 1): string => formatNumber(value, digits);
const megabytes = (bytes: number): string => `${format(bytes / 1024 / 1024, 0)} MB`;

/**
 * Writes a valid chain of `length` blocks to a new database file: real hashes
 * and links, the smallest proofs at difficulty 1 (what this server mines at
 * DIFFICULTY=1), by default data in every third block. A bulk load for benchmarks only:
 * no journal, no syncs, and the unique indexes and insert triggers dropped
 * while loading, then recreated from their own SQL, so the file ends up with
 * exactly the schema the server creates.
 */
export function generateChain(
  path: string,
  length: number,
  dataFor: (index: number) => string | null = (index) => (index % 3 === 0 ? `payload ${index}` : null),
): void {
  openSqliteDatabase(path).close();
  const connection = new Sqlite(path);
  try {
    connection.pragma('journal_mode = DELETE');
    connection.pragma('journal_mode = OFF');
    connection.pragma('synchronous = OFF');
    connection.pragma('cache_size = -65536');
    const rebuilt = connection
      .prepare<[], { type: string; name: string; sql: string }>(
        "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'blocks' AND sql IS NOT NULL AND (type = 'index' OR sql LIKE '%BEFORE INSERT%')",
      )
      .all();
    for (const { type, name } of rebuilt) connection.exec(`DROP ${type === 'index' ? 'INDEX' : 'TRIGGER'} "${name}"`);
    const insert = connection.prepare(
      'INSERT INTO blocks (block_index, timestamp, proof, previous_hash, hash, data, difficulty) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    // With its Merkle tree, as the repository writes it: a chain this version made, not one whose tree the server must build.
    const insertNode = connection.prepare('INSERT INTO tree_nodes (level, node_index, hash) VALUES (?, ?, ?)');
    const frontier = new TreeFrontier();
    const store = (block: Block): void => {
      insert.run(block.index, block.timestamp, block.proof, block.previousHash, block.hash, block.data, block.difficulty);
      for (const node of frontier.append(block.index, block.hash)) insertNode.run(node.level, node.index, node.hash);
    };
    // At difficulty 1 the smallest proofs soon repeat (two proofs alternate),
    // so each one is searched for once and then looked up.
    const nextProofs = new Map<number, number>();
    const nextProof = (proof: number): number => {
      let next = nextProofs.get(proof);
      if (next === undefined) {
        next = searchProofs(proof, 1, 1, Number.MAX_SAFE_INTEGER)!;
        nextProofs.set(proof, next);
      }
      return next;
    };
    let tip = createGenesisBlock(formatNotebookTimestamp(START));
    store(tip);
    const load = connection.transaction((end: number) => {
      for (let index = tip.index + 1; index < end; index++) {
        tip = sealBlock({
          index,
          timestamp: formatNotebookTimestamp(START + index * 1_000_123),
          proof: nextProof(tip.proof),
          previousHash: tip.hash,
          data: dataFor(index),
          difficulty: 1,
        });
        store(tip);
      }
    });
    while (tip.index + 1 < length) load(Math.min(length, tip.index + 1 + INSERT_BATCH));
    for (const { sql } of rebuilt) connection.exec(sql);
    connection.pragma('journal_mode = WAL');
  } finally {
    connection.close();
  }
}

/**
 * Runs this module in a child process in `mode`, and returns what it printed.
 * Chains are generated elsewhere so that their garbage stays out of the memory
 * figures (and the two are built in parallel); validation is measured
 * elsewhere so that its memory figure is that of a process holding nothing else.
 */
function runElsewhere(mode: string, ...args: Array<string | number>): Promise<string> {
  // tsx named, not inherited from execArgv: the part may run under another runner (the smoke test's vitest).
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), mode, ...args.map(String)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${mode} ${args.join(' ')} failed (exit code ${code})`)),
    );
  });
}

interface Watch {
  /** Longest time the event loop went without running a 1 ms interval, in ms. */
  readonly maxStallMs: number;
  readonly peakRss: number;
}

/** Samples the event loop's responsiveness and the process's memory while `work` runs. */
async function watch<T>(work: () => Promise<T>): Promise<Watch & { readonly result: T; readonly ms: number }> {
  let maxStallMs = 0;
  let peakRss = process.memoryUsage.rss();
  let last = performance.now();
  const sample = (): void => {
    const now = performance.now();
    maxStallMs = Math.max(maxStallMs, now - last);
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    last = now;
  };
  const probe = setInterval(sample, 1);
  const started = performance.now();
  try {
    const result = await work();
    const ms = performance.now() - started;
    sample();
    return { result, ms, maxStallMs, peakRss };
  } finally {
    clearInterval(probe);
  }
}

interface ValidationFigures {
  readonly ms: number[];
  readonly rssBefore: number;
  readonly peakRss: number;
  readonly maxStallMs: number;
}

/** Full validation passes of the chain at `path`, each on a fresh verdict (not the cached one). */
async function measureValidation(path: string, length: number, runs: number): Promise<ValidationFigures> {
  const database = openSqliteDatabase(path);
  try {
    const repository = createSqliteChainRepository(database);
    const rssBefore = process.memoryUsage.rss();
    const passes = [];
    for (let run = 0; run < runs; run++) {
      const pass = await watch(() => createChainIntegrity(repository).verify());
      if (!pass.result.valid || pass.result.length !== length) throw new Error('the benchmark chain does not validate');
      passes.push(pass);
    }
    return {
      ms: passes.map((pass) => pass.ms),
      rssBefore,
      peakRss: Math.max(...passes.map((pass) => pass.peakRss)),
      maxStallMs: Math.max(...passes.map((pass) => pass.maxStallMs)),
    };
  } finally {
    database.close();
  }
}

async function benchValidation(report: Report, path: string, length: number, runs: number): Promise<void> {
  const figures = JSON.parse(await runElsewhere('--validate', path, length, runs)) as ValidationFigures;
  const label = format(length, 0);
  const ms = median(figures.ms);
  report(`validate ${label} stored blocks, ms (median of ${runs})`, format(ms, 0));
  report(`validate ${label}: blocks/s`, format(length / (ms / 1000), 0));
  report(`validate ${label}: peak RSS of the process (${megabytes(figures.rssBefore)} before)`, megabytes(figures.peakRss));
  report(`validate ${label}: longest event-loop stall, ms`, format(figures.maxStallMs));
}

interface StreamFigures {
  readonly ms: number;
  readonly firstByteMs: number;
  readonly bytes: number;
  readonly rssBefore: number;
  readonly peakRss: number;
  readonly maxStallMs: number;
}

/** A client in its own process: reads `url` to the end, discarding the bytes; prints bytes and time to the first one. */
const STREAM_CLIENT = `
const started = performance.now();
let firstByteMs = 0, bytes = 0;
require('node:http').get(process.argv[1], (response) => {
  if (response.statusCode !== 200) process.exit(1);
  response.on('data', (chunk) => { if (bytes === 0) firstByteMs = performance.now() - started; bytes += chunk.length; });
  response.on('end', () => console.log(JSON.stringify({ bytes, firstByteMs })));
});`;

/**
 * `GET /blocks` of the whole stored chain through a real server, read by a
 * client in another process: the server's memory must not grow with the
 * chain, and other requests must not wait long. Runs in its own process,
 * after start-up validation has finished.
 */
async function measureNotebookStream(path: string): Promise<StreamFigures> {
  const [{ startServer }, { loadConfig }] = await Promise.all([import('../src/server.js'), import('../src/config.js')]);
  const server = await startServer({ ...loadConfig({}), databasePath: path, port: 0 });
  try {
    await server.app.checks.chain;
    const rssBefore = process.memoryUsage.rss();
    const streamed = await watch(async () => {
      const child = spawn(process.execPath, ['-e', STREAM_CLIENT, new URL('/blocks', server.url).href], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let output = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      const [code] = (await once(child, 'exit')) as [number | null];
      if (code !== 0) throw new Error(`the GET /blocks client failed (exit code ${code})`);
      return JSON.parse(output) as { bytes: number; firstByteMs: number };
    });
    const { bytes, firstByteMs } = streamed.result;
    return { ms: streamed.ms, firstByteMs, bytes, rssBefore, peakRss: streamed.peakRss, maxStallMs: streamed.maxStallMs };
  } finally {
    await server.close();
  }
}

async function benchNotebookStream(report: Report, path: string, length: number): Promise<void> {
  const figures = JSON.parse(await runElsewhere('--stream', path)) as StreamFigures;
  const label = `GET /blocks of ${format(length, 0)} blocks`;
  report(`${label} (notebook REST, streamed), s`, format(figures.ms / 1000, 2));
  report(
    `${label}: MB/s, first byte after ms (client process start included)`,
    `${format(figures.bytes / 1024 / 1024 / (figures.ms / 1000), 0)}, ${format(figures.firstByteMs)}`,
  );
  report(`${label}: peak RSS of the server process (${megabytes(figures.rssBefore)} before)`, megabytes(figures.peakRss));
  report(`${label}: longest event-loop stall, ms`, format(figures.maxStallMs));
}

interface Started {
  readonly app: App;
  readonly startMs: number;
  /** From then until quick_check and the full validation have both finished, while requests would be served. */
  readonly checksMs: number;
  readonly maxStallMs: number;
}

async function startApp(path: string): Promise<Started> {
  const [{ createApp }, { loadConfig }] = await Promise.all([import('../src/app.js'), import('../src/config.js')]);
  const started = performance.now();
  const app = await createApp({ ...loadConfig({}), databasePath: path });
  const startMs = performance.now() - started;
  const checks = await watch(() => Promise.all([app.checks.databaseFile, app.checks.chain]));
  const [file, chain] = checks.result;
  if (!file.ok || !chain.valid) throw new Error('the benchmark database fails its start-up checks');
  return { app, startMs, checksMs: checks.ms, maxStallMs: checks.maxStallMs };
}

interface ReadCase {
  readonly name: string;
  readonly read: (ledger: Ledger, length: number, i: number) => Promise<unknown>;
}

const page = (query: BlockRangeQuery) => (ledger: Ledger) => ledger.page(query);

/** What the `block`, `tip` and `chain` resolvers ask the ledger for; far-end reads cycle over the newest 100 blocks. */
const READS: readonly ReadCase[] = [
  { name: 'block(index) near the tip', read: (ledger, length, i) => ledger.blockAt(length - 1 - (i % 100)) },
  { name: 'tip', read: (ledger) => ledger.tip() },
  { name: `chain(first: ${PAGE})`, read: page({ limit: PAGE, from: 'first' }) },
  { name: `chain(last: ${PAGE})`, read: page({ limit: PAGE, from: 'last' }) },
  {
    name: `chain(first: ${PAGE}, after: a cursor near the tip)`,
    read: (ledger, length, i) => ledger.page({ afterIndex: length - 150 + (i % 100), limit: PAGE, from: 'first' }),
  },
];

/** µs per read (each awaited in turn), median over rounds of `perRound` reads, the two chains taking turns so that drift hits both alike. */
async function readLatencies(
  small: { ledger: Ledger; length: number },
  large: { ledger: Ledger; length: number },
  read: ReadCase['read'],
  { rounds, perRound }: { rounds: number; perRound: number },
) {
  const samples = { small: [] as number[], large: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    for (const [key, { ledger, length }] of [
      ['small', small],
      ['large', large],
    ] as const) {
      const started = performance.now();
      for (let i = 0; i < perRound; i++) await read(ledger, length, i);
      samples[key].push(((performance.now() - started) * 1000) / perRound);
    }
  }
  return { small: median(samples.small), large: median(samples.large) };
}

type Size = 'small' | 'large';

const lastOf = <T>(list: readonly T[]): T | undefined => list[list.length - 1];

async function benchStartAndReads(
  report: Report,
  paths: Record<Size, string>,
  lengths: Record<Size, number>,
  { startRuns, rounds, perRound }: { startRuns: number; rounds: number; perRound: number },
): Promise<void> {
  const labels = { small: format(lengths.small, 0), large: format(lengths.large, 0) };
  // Loads and warms the modules, so that neither size pays for it.
  await (await startApp(paths.small)).app.close();
  const runs: Record<Size, Started[]> = { small: [], large: [] };
  try {
    for (let run = 0; run < startRuns; run++) {
      for (const size of ['small', 'large'] as const) {
        const started = await startApp(paths[size]);
        runs[size].push(started);
        if (run < startRuns - 1) await started.app.close();
      }
    }
    for (const size of ['small', 'large'] as const) {
      report(`createApp with ${labels[size]} blocks, ms (median of ${startRuns})`, format(median(runs[size].map((run) => run.startMs))));
      report(`  then quick_check and full validation in the background, ms`, format(median(runs[size].map((run) => run.checksMs)), 0));
      report(`  longest event-loop stall meanwhile, ms`, format(Math.max(...runs[size].map((run) => run.maxStallMs))));
    }
    const small = { ledger: lastOf(runs.small)!.app.ledger, length: lengths.small };
    const large = { ledger: lastOf(runs.large)!.app.ledger, length: lengths.large };
    for (const { name, read } of READS) {
      const latency = await readLatencies(small, large, read, { rounds, perRound });
      report(
        `${name}, µs: ${labels.small} / ${labels.large} blocks`,
        `${format(latency.small, 2)} / ${format(latency.large, 2)} (x${format(latency.large / latency.small, 2)})`,
      );
    }
  } finally {
    // The last start of each size stayed open for the reads (or is all that got started).
    await lastOf(runs.small)?.app.close();
    await lastOf(runs.large)?.app.close();
  }
}

export async function benchChainScale(
  report: Report,
  {
    largeLength = 1_000_000,
    smallLength = 1_000,
    validateRuns = 3,
    startRuns = 5,
    readRounds = 41,
    readsPerRound = 250,
  }: ChainScaleOptions = {},
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-chain-scale-'));
  try {
    const paths = { small: join(dir, 'small.db'), large: join(dir, 'large.db') };
    const generating = performance.now();
    await Promise.all([runElsewhere('--generate', paths.small, smallLength), runElsewhere('--generate', paths.large, largeLength)]);
    report(`generate ${format(largeLength, 0)} blocks (bulk load), s`, format((performance.now() - generating) / 1000));
    // Other work on a shared machine slows every figure here: the load says how much there was.
    const loadBefore = loadavg()[0]!;
    await benchValidation(report, paths.large, largeLength, validateRuns);
    await benchStartAndReads(
      report,
      paths,
      { small: smallLength, large: largeLength },
      { startRuns, rounds: readRounds, perRound: readsPerRound },
    );
    await benchNotebookStream(report, paths.large, largeLength);
    report('machine load average (1 min) before / after the measures', `${format(loadBefore, 2)} / ${format(loadavg()[0]!, 2)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [mode, path = '', length = '0', runs = '3'] = process.argv.slice(2);
  if (mode === '--generate') {
    generateChain(path, Number(length));
  } else if (mode === '--stream') {
    console.log(JSON.stringify(await measureNotebookStream(path)));
  } else if (mode === '--validate') {
    console.log(JSON.stringify(await measureValidation(path, Number(length), Number(runs))));
  } else {
    const options = mode === undefined ? {} : { largeLength: Number(mode) };
    await benchChainScale((name, value) => console.log(`${name.padEnd(72)} ${value}`), options);
  }
}
