import { readFileSync } from 'node:fs';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import { blockFromRow, type BlockRow } from '../../src/storage/block-row.js';
import type { Block } from '../../src/core/block.js';
import { validateChain } from '../../src/core/chain-validation.js';
import { spawnMain, waitForUrl } from './spawn-main.js';

/**
 * Crash rounds: start the server, mine continuously from several clients,
 * kill -9 the process at a random moment, then check the database file as
 * the next start would find it. Shared by the test suite and `npm run soak`.
 */
export interface CrashReport {
  readonly kills: number;
  /** Which engine the server ran on. */
  readonly engine: 'sqlite' | 'postgres';
  /** Kills that landed while at least one mine request was unanswered. */
  readonly killsWithMinesInFlight: number;
  /**
   * Kills sent while the server's main thread was inside fsync/fdatasync, as
   * /proc/<pid>/syscall showed it: in the middle of committing a block. null
   * where /proc cannot tell (not Linux).
   */
  readonly killsDuringCommitSync: number | null;
  /** Blocks found committed whose request never got its answer. */
  readonly committedButUnacknowledged: number;
  readonly acknowledged: number;
  readonly finalLength: number;
  /** Everything that went wrong; empty when the database survived every kill. */
  readonly problems: readonly string[];
}

/**
 * Each block carries 16 KiB of data, so a commit writes several pages and
 * spends a realistic share of each request in the write path.
 */
const PAYLOAD_BYTES = 16 * 1024;
const MINE = JSON.stringify({
  query: 'mutation ($data: String) { mineBlock(data: $data) { block { index hash } } }',
  variables: { data: 'x'.repeat(PAYLOAD_BYTES) },
});

/** Reads the PostgreSQL database as a fresh process would (PostgreSQL checks its own pages). */
async function inspectPostgres(url: string): Promise<{ integrity: string; chain: Block[] }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<BlockRow>('SELECT * FROM blocks ORDER BY block_index');
    return { integrity: 'ok', chain: rows.map(blockFromRow) };
  } finally {
    await client.end();
  }
}

/** Reads the file as a fresh process would, after checking SQLite's own integrity. */
export function inspectDatabase(path: string): { integrity: string; chain: Block[] } {
  const connection = new Sqlite(path, { readonly: true });
  try {
    const integrity = String(connection.pragma('integrity_check', { simple: true }));
    const rows = connection.prepare('SELECT * FROM blocks ORDER BY block_index').all() as BlockRow[];
    const chain = rows.map(blockFromRow);
    return { integrity, chain };
  } finally {
    connection.close();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** fsync and fdatasync: SQLite's commit in WAL mode with synchronous=FULL ends in one of them. */
const SYNC_SYSCALLS: Readonly<Record<string, readonly number[]>> = { x64: [74, 75], arm64: [82, 83] };

/** The syscall the process's main thread is blocked in, or null (running, or /proc cannot say). */
function currentSyscall(pid: number): number | null {
  try {
    const first = readFileSync(`/proc/${pid}/syscall`, 'utf8').split(' ')[0] ?? '';
    return /^\d+$/.test(first) ? Number(first) : null;
  } catch {
    return null;
  }
}

/**
 * Kills `pid` the moment its main thread is seen inside fsync/fdatasync, or
 * after `withinMs` regardless. Polling /proc blocks this (client) process for
 * that long, which the server does not notice: its requests are in flight.
 */
function killDuringSync(pid: number, withinMs: number): boolean {
  const sync = SYNC_SYSCALLS[process.arch] ?? [];
  const deadline = performance.now() + withinMs;
  while (performance.now() < deadline) {
    const syscall = currentSyscall(pid);
    if (syscall !== null && sync.includes(syscall)) {
      process.kill(pid, 'SIGKILL');
      return true;
    }
  }
  process.kill(pid, 'SIGKILL');
  return false;
}

/** Rejects after `ms` with a message saying what did not happen. */
function deadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Whether this machine's /proc shows what a process is blocked in. */
const procSyscallReadable = process.platform === 'linux' && (SYNC_SYSCALLS[process.arch] ?? []).length > 0;

export async function runCrashRounds({
  databasePath,
  databaseUrl,
  rounds,
  clients = 3,
  killAfterMs = [0, 100],
  log = () => undefined,
}: {
  /** The SQLite file the server runs on, unless `databaseUrl` (PostgreSQL) is given. */
  databasePath?: string;
  databaseUrl?: string;
  rounds: number;
  clients?: number;
  /**
   * After the round's first block is acknowledged, wait a uniformly random time
   * in this range, then kill as soon as a commit is seen syncing (or 300 ms later).
   */
  killAfterMs?: readonly [number, number];
  log?: (line: string) => void;
}): Promise<CrashReport> {
  const acknowledged = new Map<number, string>();
  const problems: string[] = [];
  let killsWithMinesInFlight = 0;
  let killsDuringCommitSync = 0;
  let finalLength = 0;
  const database = databaseUrl === undefined ? { DATABASE_PATH: databasePath ?? '' } : { DATABASE_URL: databaseUrl };

  for (let round = 1; round <= rounds && problems.length === 0; round++) {
    const server = spawnMain({
      ...database,
      DIFFICULTY: '1',
      DATA_MAX_BYTES: String(PAYLOAD_BYTES),
      MINING_RATE_LIMIT: '0',
      MINING_QUEUE_MAX: '1000',
    });
    let stopped = false;
    let inFlight = 0;
    const running: Array<Promise<void>> = [];
    try {
      const url = await deadline(waitForUrl(server), 30_000, 'the server did not start');
      let firstAcknowledged: () => void = () => undefined;
      const warmedUp = new Promise<void>((resolve) => (firstAcknowledged = resolve));
      const client = async (): Promise<void> => {
        while (!stopped) {
          inFlight += 1;
          try {
            const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: MINE });
            const body = (await response.json()) as { data?: { mineBlock: { block: { index: number; hash: string } } }; errors?: unknown };
            const block = body.data?.mineBlock.block;
            if (block) {
              acknowledged.set(block.index, block.hash);
              firstAcknowledged();
            } else if (!stopped) {
              problems.push(`round ${round}: a mine was refused: ${response.status} ${JSON.stringify(body.errors)}`);
              stopped = true;
            }
          } catch {
            return; // the connection died with the server
          } finally {
            inFlight -= 1;
          }
        }
      };
      for (let i = 0; i < clients; i++) running.push(client());
      // The first mine of a process starts its worker thread and validates the
      // chain: kill in steady mining, where committing is a real share of the time.
      await deadline(warmedUp, 30_000, 'no block was acknowledged');
      await sleep(killAfterMs[0] + Math.random() * (killAfterMs[1] - killAfterMs[0]));
      const inFlightAtKill = inFlight;
      // PostgreSQL syncs its commits in its own processes: nothing to watch for in the server's.
      if (databaseUrl !== undefined) process.kill(server.child.pid!, 'SIGKILL');
      else if (killDuringSync(server.child.pid!, 300)) killsDuringCommitSync += 1;
      if (inFlightAtKill > 0) killsWithMinesInFlight += 1;
    } catch (error) {
      problems.push(`round ${round}: ${error instanceof Error ? error.message : String(error)}\n${server.output()}`);
    } finally {
      stopped = true;
      server.child.kill('SIGKILL');
      await server.exited;
      await Promise.allSettled(running);
    }

    const { integrity, chain } = databaseUrl === undefined ? inspectDatabase(databasePath ?? '') : await inspectPostgres(databaseUrl);
    if (integrity !== 'ok') problems.push(`round ${round}: integrity_check says ${integrity}`);
    const validation = validateChain(chain);
    if (!validation.valid) problems.push(`round ${round}: chain invalid: ${validation.problems[0]?.message}`);
    for (const [index, hash] of acknowledged) {
      if (chain[index]?.hash !== hash) problems.push(`round ${round}: acknowledged block ${index} is missing or changed`);
    }
    finalLength = chain.length;
    log(
      `round ${round}: ${chain.length} blocks, ${acknowledged.size} acknowledged, kills during a commit's sync so far: ${killsDuringCommitSync}`,
    );
  }

  return {
    kills: rounds,
    engine: databaseUrl === undefined ? 'sqlite' : 'postgres',
    killsWithMinesInFlight,
    // With PostgreSQL the commit's sync happens in the database server, not in the process killed.
    killsDuringCommitSync: procSyscallReadable && databaseUrl === undefined ? killsDuringCommitSync : null,
    committedButUnacknowledged: finalLength - 1 - acknowledged.size,
    acknowledged: acknowledged.size,
    finalLength,
    problems,
  };
}
