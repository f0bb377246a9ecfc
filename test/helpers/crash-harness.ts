import Sqlite from 'better-sqlite3';
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
  /** Kills that landed while at least one mine request was unanswered. */
  readonly killsWithMinesInFlight: number;
  /** Blocks found committed whose request never got its answer: kills inside the write path. */
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

interface StoredRow {
  block_index: number;
  timestamp: string;
  proof: number;
  previous_hash: string;
  hash: string;
  data: string | null;
  difficulty: number;
}

/** Reads the file as a fresh process would, after checking SQLite's own integrity. */
export function inspectDatabase(path: string): { integrity: string; chain: Block[] } {
  const connection = new Sqlite(path, { readonly: true });
  try {
    const integrity = String(connection.pragma('integrity_check', { simple: true }));
    const rows = connection.prepare('SELECT * FROM blocks ORDER BY block_index').all() as StoredRow[];
    const chain = rows.map((row) => ({
      index: row.block_index,
      timestamp: row.timestamp,
      proof: row.proof,
      previousHash: row.previous_hash,
      hash: row.hash,
      data: row.data,
      difficulty: row.difficulty,
    }));
    return { integrity, chain };
  } finally {
    connection.close();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runCrashRounds({
  databasePath,
  rounds,
  clients = 3,
  killAfterMs = [0, 150],
  log = () => undefined,
}: {
  databasePath: string;
  rounds: number;
  clients?: number;
  /** The kill comes at a uniformly random time in this range after the round's first block is acknowledged. */
  killAfterMs?: readonly [number, number];
  log?: (line: string) => void;
}): Promise<CrashReport> {
  const acknowledged = new Map<number, string>();
  const problems: string[] = [];
  let killsWithMinesInFlight = 0;
  let finalLength = 0;

  for (let round = 1; round <= rounds; round++) {
    const server = spawnMain({
      DATABASE_PATH: databasePath,
      DIFFICULTY: '1',
      DATA_MAX_BYTES: String(PAYLOAD_BYTES),
      MINING_RATE_LIMIT: '0',
      MINING_QUEUE_MAX: '1000',
    });
    const url = await waitForUrl(server);
    let stopped = false;
    let inFlight = 0;
    let firstAcknowledged: () => void = () => undefined;
    const warmedUp = new Promise<void>((resolve) => (firstAcknowledged = resolve));
    const client = async (): Promise<void> => {
      while (!stopped) {
        inFlight += 1;
        try {
          const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: MINE });
          const body = (await response.json()) as { data?: { mineBlock: { block: { index: number; hash: string } } } };
          const block = body.data?.mineBlock.block;
          if (block) {
            acknowledged.set(block.index, block.hash);
            firstAcknowledged();
          }
        } catch {
          return; // the connection died with the server
        } finally {
          inFlight -= 1;
        }
      }
    };
    const running = Array.from({ length: clients }, client);
    // The first mine of a process starts its worker thread and validates the
    // chain: kill in steady mining, where the write path is a real share of the time.
    await warmedUp;
    await sleep(killAfterMs[0] + Math.random() * (killAfterMs[1] - killAfterMs[0]));
    const inFlightAtKill = inFlight;
    server.child.kill('SIGKILL');
    stopped = true;
    await server.exited;
    await Promise.allSettled(running);
    if (inFlightAtKill > 0) killsWithMinesInFlight += 1;

    const { integrity, chain } = inspectDatabase(databasePath);
    if (integrity !== 'ok') problems.push(`round ${round}: integrity_check says ${integrity}`);
    const validation = validateChain(chain);
    if (!validation.valid) problems.push(`round ${round}: chain invalid: ${validation.problems[0]?.message}`);
    for (const [index, hash] of acknowledged) {
      if (chain[index]?.hash !== hash) problems.push(`round ${round}: acknowledged block ${index} is missing or changed`);
    }
    finalLength = chain.length;
    log(`round ${round}: ${chain.length} blocks, ${acknowledged.size} acknowledged, ${inFlightAtKill} mine(s) in flight at the kill`);
  }

  return {
    kills: rounds,
    killsWithMinesInFlight,
    committedButUnacknowledged: finalLength - 1 - acknowledged.size,
    acknowledged: acknowledged.size,
    finalLength,
    problems,
  };
}
