/**
 * `npm run bench -- cluster`: three server processes (dist/, as `npm start`
 * runs them; build first) on one throwaway PostgreSQL cluster (Unix socket,
 * fsync on), each with MINING_THREADS=1 at DIFFICULTY=4, and no mining rate
 * limit. Measures, from this process:
 *
 * - blockMined latency: a subscriber (Server-Sent Events) on each of A, B and
 *   C while blocks are mined one after another through A. Per block: the
 *   event on B or C after the mineBlock response reached the client, and after
 *   the same event on A (whose own feed hears of the block first).
 * - mineBlock: sequential and 6 at a time, through A alone or round-robin over
 *   A, B and C: median and p90 per request, blocks per second, errors.
 * - reads: a closed loop of 16 requests in flight for 5 s, `chain(last: 20)`
 *   and `block(index:)` (which the server's response cache answers once
 *   seen), spread over 1, 2 and 3 instances: requests/s, median latency, and
 *   CPU per request of the servers, PostgreSQL and this load generator, from
 *   /proc/<pid>/stat (the servers' own process.cpuUsage is out of reach).
 *
 * This process competes with the servers and PostgreSQL for the machine's
 * cores: compare the rows of one run with each other, not with another
 * machine's. Prints medians and percentiles; asserts nothing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { findPostgresBinaries, startThrowawayPostgres, type ThrowawayPostgres } from '../scripts/throwaway-postgres.js';
import { spawnMain, waitForUrl, type MainProcess } from '../test/helpers/spawn-main.js';
import { format, median, percentile, type Report } from './report.js';

export interface ClusterBenchOptions {
  /** Blocks mined through A for the notification latency. */
  readonly notifications?: number;
  /** Mines per mineBlock variant. */
  readonly mines?: number;
  /** Mines in flight at once in the concurrent variants. */
  readonly minesInFlight?: number;
  /** Read requests in flight at once. */
  readonly readConcurrency?: number;
  /** Length of each read measure, in ms (after a warm-up of a fifth of it). */
  readonly readMs?: number;
}

const ROOT = resolve(import.meta.dirname, '..');
const IDS = ['A', 'B', 'C'] as const;
const MINE = JSON.stringify({ query: 'mutation { mineBlock { block { index } } }' });
const CHAIN = JSON.stringify({ query: '{ chain(last: 20) { nodes { index hash } } }' });
const BLOCK_QUERY = 'query Block($index: Int!) { block(index: $index) { index hash } }';
/** How long events may take to arrive before they count as missing. */
const EVENT_WAIT_MS = 10_000;

interface Server {
  readonly id: string;
  readonly url: URL;
  readonly run: MainProcess;
  readonly agent: Agent;
}

interface Answer {
  readonly status: number;
  readonly body: string;
}

/** A POST to /graphql on the server's keep-alive connections; idle ones go before the server's 5 s keep-alive timeout can race a request. */
function post(server: Server, body: string): Promise<Answer> {
  return new Promise((resolveAnswer, reject) => {
    const outgoing = request(
      server.url,
      {
        method: 'POST',
        agent: server.agent,
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.once('end', () => resolveAnswer({ status: incoming.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        incoming.once('error', reject);
      },
    );
    outgoing.once('error', reject);
    outgoing.end(body);
  });
}

/** The error code of a failed answer, or null for a success. */
function failure({ status, body }: Answer): string | null {
  if (status === 200 && !body.includes('"errors"')) return null;
  return /"code":"([A-Z_]+)"/.exec(body)?.[1] ?? `HTTP ${status}`;
}

/** A `blockMined` subscriber over Server-Sent Events (a POST with Accept: text/event-stream, as GraphiQL sends): when each block's event arrived. */
interface Subscriber {
  /** performance.now() at each block's arrival, by index. */
  readonly arrivals: Map<number, number>;
  /** Resolves once the response headers have come: the subscription is being set up. */
  readonly started: Promise<void>;
  close(): void;
}

function subscribe(server: Server): Subscriber {
  const arrivals = new Map<number, number>();
  const body = JSON.stringify({ query: 'subscription { blockMined { index } }' });
  let markStarted = (): void => undefined;
  let failStart = (_error: Error): void => undefined;
  const started = new Promise<void>((resolveStarted, reject) => {
    markStarted = resolveStarted;
    failStart = reject;
  });
  const outgoing = request(
    server.url,
    {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'content-length': Buffer.byteLength(body) },
    },
    (incoming) => {
      if (incoming.statusCode !== 200) failStart(new Error(`subscribing on ${server.id} answered ${incoming.statusCode}`));
      markStarted();
      let text = '';
      incoming.setEncoding('utf8').on('data', (chunk: string) => {
        const now = performance.now();
        text += chunk;
        const events = text.split('\n\n');
        text = events.pop() ?? '';
        for (const event of events) {
          const data = /^data: (.+)$/m.exec(event)?.[1];
          if (!/^event: next$/m.test(event) || data === undefined) continue;
          const index = (JSON.parse(data) as { data?: { blockMined?: { index: number } } }).data?.blockMined?.index;
          if (index !== undefined) arrivals.set(index, now);
        }
      });
      incoming.on('error', () => undefined);
    },
  );
  outgoing.on('error', (error) => failStart(error));
  outgoing.end(body);
  return { arrivals, started, close: () => outgoing.destroy() };
}

/** Mines one block through `server`; the block's index and when the answer arrived, or the error code. */
async function mine(server: Server): Promise<{ index: number; at: number; ms: number } | { error: string; ms: number }> {
  const started = performance.now();
  const answer = await post(server, MINE);
  const at = performance.now();
  const error = failure(answer);
  if (error !== null) return { error, ms: at - started };
  const index = (JSON.parse(answer.body) as { data: { mineBlock: { block: { index: number } } } }).data.mineBlock.block.index;
  return { index, at, ms: at - started };
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) return false;
    await sleep(5);
  }
  return true;
}

const CLOCK_TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU time (user + system, all threads) a process has used so far, in µs; 0 once it has gone. */
function cpuMicros(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), from field 3 on: utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** The cluster's postmaster (found by its socket directory on its command line) and the processes it started: backends, writers. */
function postgresPids(cluster: ThrowawayPostgres): number[] {
  const pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  const postmaster = pids.find((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`unix_socket_directories=${cluster.socketDir}`);
    } catch {
      return false;
    }
  });
  if (postmaster === undefined) return [];
  const children = pids.filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] === postmaster;
    } catch {
      return false;
    }
  });
  return [postmaster, ...children].map(Number);
}

/** CPU used so far by each group, in µs, for deltas over a measure. */
function cpuSnapshot(
  servers: readonly Server[],
  cluster: ThrowawayPostgres,
): { servers: number; postgres: Map<number, number>; client: number } {
  const { user, system } = process.cpuUsage();
  return {
    servers: servers.reduce((sum, server) => sum + cpuMicros(server.run.child.pid ?? 0), 0),
    postgres: new Map(postgresPids(cluster).map((pid) => [pid, cpuMicros(pid)])),
    client: user + system,
  };
}

const summary = (values: readonly number[], digits = 1): string =>
  values.length === 0 ? 'none' : `${format(median(values), digits)} / ${format(percentile(values, 0.99), digits)}`;

/** a. How long after a block is mined through A its event reaches subscribers on A, B and C. */
async function notificationLatency(report: Report, servers: readonly Server[], count: number): Promise<void> {
  const subscribers = servers.map(subscribe);
  try {
    await Promise.all(subscribers.map((subscriber) => subscriber.started));
    const a = servers[0]!;
    // Warm-up blocks, each awaited on every subscriber: the subscriptions are live, the code paths hot.
    for (let i = 0; i < 3; i++) {
      const mined = await mine(a);
      if ('error' in mined) throw new Error(`a warm-up mine failed: ${mined.error}`);
      const arrived = await waitFor(() => subscribers.every((subscriber) => subscriber.arrivals.has(mined.index)), EVENT_WAIT_MS);
      if (!arrived) throw new Error(`block ${mined.index} never reached every subscriber`);
    }
    const answered = new Map<number, number>();
    const errors: string[] = [];
    for (let i = 0; i < count; i++) {
      const mined = await mine(a);
      if ('error' in mined) errors.push(mined.error);
      else answered.set(mined.index, mined.at);
    }
    const complete = (): boolean =>
      subscribers.every((subscriber) => [...answered.keys()].every((index) => subscriber.arrivals.has(index)));
    await waitFor(complete, EVENT_WAIT_MS);

    const [onA, ...others] = subscribers;
    const afterAnswer = { A: [] as number[], others: [] as number[] };
    const afterA: number[] = [];
    let missing = 0;
    for (const [index, at] of answered) {
      const local = onA!.arrivals.get(index);
      if (local === undefined) missing++;
      else afterAnswer.A.push(local - at);
      for (const subscriber of others) {
        const arrived = subscriber.arrivals.get(index);
        if (arrived === undefined) missing++;
        else {
          afterAnswer.others.push(arrived - at);
          if (local !== undefined) afterA.push(arrived - local);
        }
      }
    }
    const n = `${answered.size} blocks`;
    report(
      `blockMined on B and C: event - mineBlock answer at the client (mined through A), ms (p50 / p99 of ${n} × 2)`,
      summary(afterAnswer.others),
    );
    report(`blockMined on B and C: event - the same event on A, ms (p50 / p99)`, summary(afterA));
    report(`blockMined on A itself: event - mineBlock answer, ms (p50 / p99; negative: the event came first)`, summary(afterAnswer.A));
    report(
      `blockMined: events missing after ${EVENT_WAIT_MS / 1000} s (of ${answered.size * 3}); mines failed (of ${count})`,
      `${missing}; ${errors.length}${errors.length > 0 ? ` (${[...new Set(errors)].join(', ')})` : ''}`,
    );
  } finally {
    for (const subscriber of subscribers) subscriber.close();
  }
}

/** b. `count` mines, `inFlight` at a time, each request to the next of `targets` in turn. */
async function mineLatency(targets: readonly Server[], count: number, inFlight: number) {
  const samples: number[] = [];
  const errors: string[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) {
        const target = targets[next++ % targets.length]!;
        const mined = await mine(target);
        samples.push(mined.ms);
        if ('error' in mined) errors.push(mined.error);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { samples, errors, blocksPerSecond: (count - errors.length) / seconds };
}

/** c. A closed loop: `concurrency` requests in flight for `ms`, each to the next of `targets` in turn. */
async function readLoad(targets: readonly Server[], body: (i: number) => string, concurrency: number, ms: number) {
  const latencies: number[] = [];
  let errors = 0;
  let sent = 0;
  const deadline = performance.now() + ms;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const i = sent++;
        const started = performance.now();
        const answer = await post(targets[i % targets.length]!, body(i));
        latencies.push(performance.now() - started);
        if (failure(answer) !== null) errors++;
      }
    }),
  );
  return { latencies, errors };
}

async function startServers(databaseUrl: string): Promise<Server[]> {
  const runs = IDS.map((id) =>
    spawnMain({
      DATABASE_URL: databaseUrl,
      DIFFICULTY: '4',
      MINING_THREADS: '1',
      MINING_RATE_LIMIT: '0',
      INSTANCE_ID: id,
      LOG_FORMAT: 'text',
    }),
  );
  try {
    const urls = await Promise.all(runs.map(waitForUrl));
    return runs.map((run, i) => ({
      id: IDS[i]!,
      url: new URL(urls[i]!),
      run,
      agent: new Agent({ keepAlive: true, maxSockets: 64, timeout: 2000 }),
    }));
  } catch (error) {
    for (const run of runs) run.child.kill('SIGKILL');
    throw error;
  }
}

async function stopServers(servers: readonly Server[]): Promise<void> {
  await Promise.all(
    servers.map(async (server) => {
      server.agent.destroy();
      server.run.child.kill('SIGTERM');
      await server.run.exited;
    }),
  );
}

export async function benchCluster(
  report: Report,
  { notifications = 100, mines = 60, minesInFlight = 6, readConcurrency = 16, readMs = 5000 }: ClusterBenchOptions = {},
): Promise<void> {
  if (!existsSync(resolve(ROOT, 'dist/main.js'))) throw new Error('The cluster bench runs dist/main.js: run npm run build first.');
  const bin = findPostgresBinaries();
  if (bin === null) throw new Error("PostgreSQL's binaries were not found (set PG_BIN): the cluster bench needs a PostgreSQL cluster.");
  const loadBefore = loadavg()[0]!;
  // fsync on: commits cost what they cost in production.
  const cluster = await startThrowawayPostgres(bin, { fast: false });
  let servers: Server[] = [];
  try {
    const admin = new pg.Client({ connectionString: cluster.url() });
    await admin.connect();
    await admin.query('CREATE DATABASE ledger');
    await admin.end();
    servers = await startServers(cluster.url('ledger'));
    const [a, b, c] = servers as [Server, Server, Server];
    console.log(
      `PostgreSQL ${cluster.version} (Unix socket, fsync on); instances ${servers.map((s) => `${s.id} ${s.url.host}`).join(', ')}`,
    );

    await notificationLatency(report, servers, notifications);

    for (const inFlight of [1, minesInFlight]) {
      for (const targets of [[a], [a, b, c]]) {
        const { samples, errors, blocksPerSecond } = await mineLatency(targets, mines, inFlight);
        const how = inFlight === 1 ? 'one after another' : `${inFlight} at a time`;
        const where = targets.length === 1 ? 'through A' : 'round-robin over A, B, C';
        report(
          `mineBlock d4, ${how}, ${where}: ms (median / p90 of ${mines}), blocks/s, errors`,
          `${format(median(samples), 1)} / ${format(percentile(samples, 0.9), 1)}, ${format(blocksPerSecond, 1)}/s, ` +
            `${errors.length}${errors.length > 0 ? ` (${[...new Set(errors)].join(', ')})` : ''}`,
        );
      }
    }

    const tip = await post(a, JSON.stringify({ query: '{ tip { index } }' }));
    const length = (JSON.parse(tip.body) as { data: { tip: { index: number } } }).data.tip.index + 1;
    const reads = {
      'chain(last: 20)': () => CHAIN,
      'block(index:) (response-cached)': (i: number) => JSON.stringify({ query: BLOCK_QUERY, variables: { index: (i * 7919) % length } }),
    };
    for (const [name, body] of Object.entries(reads)) {
      for (const count of [1, 2, 3]) {
        const targets = servers.slice(0, count);
        await readLoad(targets, body, readConcurrency, readMs / 5);
        const before = cpuSnapshot(servers, cluster);
        const started = performance.now();
        const { latencies, errors } = await readLoad(targets, body, readConcurrency, readMs);
        const seconds = (performance.now() - started) / 1000;
        const after = cpuSnapshot(servers, cluster);
        const requests = latencies.length;
        let postgres = 0;
        for (const [pid, micros] of after.postgres) postgres += micros - (before.postgres.get(pid) ?? 0);
        report(
          `${name}, ${readConcurrency} in flight, ${count} instance(s): requests/s, ms median / p99 (of ${format(requests, 0)}), errors`,
          `${format(requests / seconds, 0)}/s, ${format(median(latencies), 2)} / ${format(percentile(latencies, 0.99), 2)}, ${errors}`,
        );
        report(
          `${name}, ${count} instance(s): CPU µs per request: the 3 servers / PostgreSQL / load generator`,
          `${format((after.servers - before.servers) / requests, 0)} / ${format(postgres / requests, 0)} / ${format((after.client - before.client) / requests, 0)}`,
        );
      }
    }
    report(`chain length at the end; CPU clock ticks per second (/proc resolution)`, `${format(length, 0)}; ${CLOCK_TICKS_PER_SECOND}`);
    report('machine load average (1 min) before / after the measures', `${format(loadBefore, 2)} / ${format(loadavg()[0]!, 2)}`);
  } catch (error) {
    for (const server of servers) console.error(`--- ${server.id}'s output (last 3000 characters):\n${server.run.output().slice(-3000)}`);
    throw error;
  } finally {
    await stopServers(servers);
    await cluster.stop();
  }
}
