/**
 * `npx tsx bench/http-throughput.ts`: `block(index)` requests/s over HTTP
 * against a hello-world graphql-yoga server measured in the same run, by POST
 * and by GET, and the server CPU time per request. Each server runs in its own
 * process, so the load generator (autocannon, in this process) does not share
 * its event loop.
 *
 * BENCH_PROFILE_DIR=<dir> runs the servers with `--cpu-prof` into that folder.
 * Prints figures; asserts nothing (targets live in issues, not timed tests).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { createGenesisBlock, sealBlock, type Block } from '../src/core/block.js';
import { searchProofs } from '../src/core/proof-of-work.js';
import { formatNotebookTimestamp } from '../src/core/timestamp.js';
import { createSqliteChainRepository } from '../src/storage/sqlite/chain-repository.js';
import { openSqliteDatabase } from '../src/storage/sqlite/database.js';
import { builtFromCurrentSources } from '../src/shared/build-stamp.js';

const CONNECTIONS = 10;
// Shorter warm-ups left hello world POST still warming up (JIT) in the measured run.
const WARM_UP_SECONDS = 3;
const MEASURE_SECONDS = 5;
/** Blocks in the bench chain; requests cycle through all their indices. */
const CHAIN_LENGTH = 100;
const BLOCK_QUERY = (index: number): string => `{ block(index: ${index}) { index hash previousHash proof timestamp data } }`;
const HELLO_QUERY = '{ hello }';
const ACCEPT = 'application/graphql-response+json, application/json';

/**
 * hello: graphql-yoga's hello world. ledger: the server as it runs. The
 * others, for the response-cache comparison, are the same ledger's yoga
 * server alone on a port (no explorer or REST routes in front), with its
 * block-read cache (@graphql-yoga/plugin-response-cache) or without.
 */
type ServerKind = 'hello' | 'ledger' | CacheVariant;
type CacheVariant = 'cached' | 'uncached';

/** The servers' side, run in a child process each. */
const SERVER_SCRIPT = fileURLToPath(new URL('./http-server.mjs', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The servers run dist/: built from these sources, unless it already is. */
function ensureBuilt(): void {
  if (!builtFromCurrentSources()) execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit' });
}

/** Writes a chain of CHAIN_LENGTH blocks (difficulty 1, so it takes milliseconds). */
async function fillChain(databasePath: string): Promise<void> {
  const database = openSqliteDatabase(databasePath);
  try {
    const repository = createSqliteChainRepository(database);
    let tip: Block = createGenesisBlock(formatNotebookTimestamp(1_764_201_600_000_000));
    await repository.initialize(tip);
    for (let index = 1; index < CHAIN_LENGTH; index++) {
      const block = sealBlock({
        index,
        timestamp: formatNotebookTimestamp(1_764_201_600_000_000 + index * 1_000_000),
        proof: searchProofs(tip.proof, 1, 1, Number.MAX_SAFE_INTEGER)!,
        previousHash: tip.hash,
        data: index % 3 === 0 ? `payload ${index}` : null,
        difficulty: 1,
      });
      await repository.appendAfter(block, { tipHash: tip.hash, changeCounter: await repository.externalChangeCounter() });
      tip = block;
    }
  } finally {
    database.close();
  }
}

interface ChildServer {
  readonly url: string;
  /** CPU time the server process has used so far, in µs. */
  cpuMicros(): Promise<number>;
  stop(): Promise<void>;
}

async function spawnServer(kind: ServerKind, databasePath: string): Promise<ChildServer> {
  ensureBuilt();
  const profileDir = process.env['BENCH_PROFILE_DIR'];
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${kind}.cpuprofile`] : [];
  const child: ChildProcess = spawn(process.execPath, [...profile, SERVER_SCRIPT, kind, databasePath], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const nextLine = (): Promise<string> =>
    new Promise<string>((resolve, reject) => {
      const exited = (code: number | null): void => reject(new Error(`${kind} server exited (${code})`));
      child.once('exit', exited);
      lines.once('line', (line) => {
        child.off('exit', exited);
        resolve(line);
      });
    });
  const url = await nextLine();
  return {
    url,
    cpuMicros: async () => {
      const answer = nextLine();
      child.stdin!.write('cpu\n');
      return Number(await answer);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin!.end();
      }),
  };
}

const post = (query: string): autocannon.Request => ({
  method: 'POST',
  path: '/graphql',
  headers: { 'content-type': 'application/json', accept: ACCEPT },
  body: JSON.stringify({ query }),
});

const get = (query: string): autocannon.Request => ({
  method: 'GET',
  path: `/graphql?query=${encodeURIComponent(query)}`,
  // The ledger refuses GETs without it (CSRF); hello world ignores it.
  headers: { accept: ACCEPT, 'x-graphql-yoga-csrf': '1' },
});

interface Measurement {
  readonly perSecond: number;
  /** Server CPU time per request, in µs: steadier than requests/s on a busy machine. */
  readonly cpuMicrosPerRequest: number;
}

/** How long each load runs: its warm-up, then the measured part, in seconds. */
export interface LoadDurations {
  readonly warmUpSeconds?: number;
  readonly measureSeconds?: number;
  /** Instead of durations (which autocannon rounds up to whole seconds): this many requests for each run. */
  readonly requests?: number;
}

/** Load for `measureSeconds` after a warm-up; throws if any request failed. */
async function measure(
  server: ChildServer,
  requests: autocannon.Request[],
  { warmUpSeconds = WARM_UP_SECONDS, measureSeconds = MEASURE_SECONDS, requests: count }: LoadDurations = {},
): Promise<Measurement> {
  const options = { url: server.url, connections: CONNECTIONS, requests };
  // A run ends at its next sample: every 50 ms for a count of requests, so that it ends when they are answered.
  const length = (seconds: number) => (count === undefined ? { duration: seconds } : { amount: count, sampleInt: 50 });
  await autocannon({ ...options, ...length(warmUpSeconds) });
  const cpuBefore = await server.cpuMicros();
  const started = performance.now();
  const result = await autocannon({ ...options, ...length(measureSeconds) });
  const seconds = (performance.now() - started) / 1000;
  const cpu = (await server.cpuMicros()) - cpuBefore;
  const failed = result.errors + result.timeouts + result.non2xx;
  if (failed > 0) throw new Error(`${failed} failed requests against ${server.url} (${result.non2xx} non-2xx)`);
  return {
    perSecond: result.requests.total / (count === undefined ? measureSeconds : seconds),
    cpuMicrosPerRequest: cpu / result.requests.total,
  };
}

export async function benchHttpThroughput(report: (name: string, value: string) => void, durations: LoadDurations = {}): Promise<void> {
  const format = (value: number): string => value.toLocaleString('en-US', { maximumFractionDigits: 0 });
  const indices = Array.from({ length: CHAIN_LENGTH }, (_, index) => index);
  const dir = mkdtempSync(join(tmpdir(), 'ledger-http-bench-'));
  try {
    const databasePath = join(dir, 'chain.db');
    await fillChain(databasePath);
    const servers: ChildServer[] = [];
    const start = async (kind: ServerKind): Promise<ChildServer> => {
      const server = await spawnServer(kind, databasePath);
      servers.push(server);
      return server;
    };
    try {
      const hello = await start('hello');
      const ledger = await start('ledger');
      // Each pair back to back, so both see the same load from the rest of the machine.
      for (const [method, request] of [
        ['POST', post],
        ['GET', get],
      ] as const) {
        const helloWorld = await measure(hello, [request(HELLO_QUERY)], durations);
        const block = await measure(
          ledger,
          indices.map((index) => request(BLOCK_QUERY(index))),
          durations,
        );
        const setting = `${CONNECTIONS} connections, ${durations.measureSeconds ?? MEASURE_SECONDS} s`;
        report(`hello world ${method}, requests/s (${setting})`, format(helloWorld.perSecond));
        report(`block(index) ${method}, requests/s (${setting})`, format(block.perSecond));
        report(`block(index) / hello world, ${method}`, `${((100 * block.perSecond) / helloWorld.perSecond).toFixed(0)} %`);
        report(
          `  server CPU per request, ${method}: hello world / block(index), µs`,
          `${format(helloWorld.cpuMicrosPerRequest)} / ${format(block.cpuMicrosPerRequest)}`,
        );
      }
    } finally {
      await Promise.all(servers.map((server) => server.stop()));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The middle value; with an even count, the mean of the two middle ones. */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  return Number.isInteger(middle) ? (sorted[middle - 1]! + sorted[middle]!) / 2 : sorted[Math.floor(middle)]!;
}

/**
 * What the block-read cache buys: block(index) by POST and by GET, requests/s
 * and server CPU per request, from the same yoga server with and without it,
 * measured in turn, twice, so that both see the same machine. Medians of the
 * rounds. (The run that chose @graphql-yoga/plugin-response-cache over a
 * hand-written cache is in BENCHMARKS.md.)
 */
export async function benchResponseCache(
  report: (name: string, value: string) => void,
  { rounds: roundCount = 2, ...durations }: LoadDurations & { readonly rounds?: number } = {},
): Promise<void> {
  const format = (value: number): string => value.toLocaleString('en-US', { maximumFractionDigits: 0 });
  const indices = Array.from({ length: CHAIN_LENGTH }, (_, index) => index);
  const dir = mkdtempSync(join(tmpdir(), 'ledger-cache-bench-'));
  const kinds: readonly CacheVariant[] = ['cached', 'uncached'];
  const label: Record<CacheVariant, string> = { cached: 'block cache', uncached: 'no cache' };
  try {
    const databasePath = join(dir, 'chain.db');
    await fillChain(databasePath);
    const servers = new Map<string, ChildServer>();
    try {
      for (const kind of kinds) servers.set(kind, await spawnServer(kind, databasePath));
      for (const [method, request] of [
        ['POST', post],
        ['GET', get],
      ] as const) {
        const rounds = new Map<string, Measurement[]>(kinds.map((kind) => [kind, []]));
        for (let round = 0; round < roundCount; round++) {
          for (const kind of kinds) {
            rounds.get(kind)!.push(
              await measure(
                servers.get(kind)!,
                indices.map((index) => request(BLOCK_QUERY(index))),
                durations,
              ),
            );
          }
        }
        const summary = new Map(
          kinds.map((kind) => {
            const measured = rounds.get(kind)!;
            return [kind, { perSecond: median(measured.map((m) => m.perSecond)), cpu: median(measured.map((m) => m.cpuMicrosPerRequest)) }];
          }),
        );
        for (const kind of kinds) {
          const { perSecond, cpu } = summary.get(kind)!;
          report(`block(index) ${method}, ${label[kind]}: requests/s, server CPU µs/request`, `${format(perSecond)}, ${format(cpu)}`);
        }
        const cached = summary.get('cached')!;
        const uncached = summary.get('uncached')!;
        report(
          `block(index) ${method}: cached / uncached, requests/s and CPU per request`,
          `×${(cached.perSecond / uncached.perSecond).toFixed(2)}, ×${(uncached.cpu / cached.cpu).toFixed(2)} less CPU`,
        );
      }
    } finally {
      await Promise.all([...servers.values()].map((server) => server.stop()));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === import.meta.filename) {
  await benchHttpThroughput((name, value) => console.log(`${name.padEnd(62)} ${value}`));
}
