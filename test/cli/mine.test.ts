import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NOTEBOOK_PROOFS } from '../fixtures/notebook-chain.js';
import { runCli, storedBlocks } from '../helpers/cli.js';
import { bestEngine } from '../helpers/engines.js';
import { tamper, tempDatabasePath } from '../helpers/temp-database.js';

const MINING_ENV = { DIFFICULTY: '4', MINER: bestEngine(), MINING_THREADS: '2' };

/** Blocks stored so far; 0 while the database is not there or not migrated yet. */
function storedLength(path: string): number {
  try {
    return existsSync(path) ? storedBlocks(path).length : 0;
  } catch {
    return 0;
  }
}

interface MineJson {
  database: string;
  difficulty: number;
  engine: string;
  threads: number;
  length: number;
  blocks: Array<{
    index: number;
    proof: number;
    hash: string;
    data: string | null;
    difficulty: number;
    attempts: number;
    durationMs: number;
  }>;
}

describe('pow-ledger mine', () => {
  it("mines the notebook's proofs onto a new database, one summary line per block", async () => {
    const path = tempDatabasePath();
    const run = await runCli(['mine', '--db', path, '--count', '3'], { env: MINING_ENV });
    expect(run.exitCode).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    NOTEBOOK_PROOFS.slice(0, 3).forEach((proof, i) =>
      expect(lines[i]).toMatch(new RegExp(`^Mined block ${i + 1}: proof ${proof}, hash [0-9a-f]{64}; .* attempts in .*/s\\)\\.$`)),
    );
    expect(lines[3]).toMatch(/^Mined 3 blocks in .*; the chain has 4 blocks\.$/);
    expect(storedBlocks(path).map((block) => block.proof)).toEqual([1, ...NOTEBOOK_PROOFS.slice(0, 3)]);
  });

  it('prints one JSON document with --json, and stores --data in each block', async () => {
    const path = tempDatabasePath();
    const run = await runCli(['mine', '--db', path, '--count', '2', '--data', 'payload é', '--json'], {
      env: { ...MINING_ENV, DIFFICULTY: '3' },
    });
    expect(run.exitCode).toBe(0);
    const mined = run.json<MineJson>();
    expect(mined).toMatchObject({ database: path, difficulty: 3, engine: bestEngine(), threads: 2, length: 3 });
    expect(mined.blocks.map(({ index, data, difficulty }) => ({ index, data, difficulty }))).toEqual([
      { index: 1, data: 'payload é', difficulty: 3 },
      { index: 2, data: 'payload é', difficulty: 3 },
    ]);
    const stored = storedBlocks(path);
    expect(mined.blocks.map(({ attempts: _, durationMs: __, ...block }) => block)).toEqual(stored.slice(1));
    expect(mined.blocks[0]!.attempts).toBeGreaterThanOrEqual(mined.blocks[0]!.proof);
  });

  it('draws a progress line on a terminal, and nothing of it when stderr is piped', async () => {
    const tty = await runCli(['mine', '--db', tempDatabasePath(), '--count', '2'], { env: MINING_ENV, tty: true });
    expect(tty.exitCode).toBe(0);
    expect(tty.stderr).toMatch(/^\rMining block 1 of 2 at difficulty 4: \S+ attempts, .*\/s, /);
    expect(tty.stderr).toContain('\x1b[K');
    expect(tty.stderr).toContain('\rMining block 2 of 2 at difficulty 4');
    expect(tty.stderr.endsWith('\r\x1b[K')).toBe(true);

    const piped = await runCli(['mine', '--db', tempDatabasePath(), '--count', '2'], { env: MINING_ENV });
    expect(piped.exitCode).toBe(0);
    expect(piped.stderr).toBe('');
    expect(piped.stdout).not.toContain('\r');
  });

  it('stops cleanly on Ctrl-C: exit 130, the block in progress unwritten', async () => {
    const path = tempDatabasePath();
    const interrupt = new AbortController();
    const running = runCli(['mine', '--db', path, '--count', '3', '--json'], {
      env: { ...MINING_ENV, DIFFICULTY: '11', MINING_THREADS: '1' },
      interrupt,
    });
    // Once the genesis block is stored, the first mine (minutes long at difficulty 11) is under way.
    await expect.poll(() => storedLength(path), { interval: 20 }).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    interrupt.abort('SIGINT');
    const run = await running;
    expect(run.exitCode).toBe(130);
    expect(run.json()).toEqual({
      error: { code: 'INTERRUPTED', message: 'Interrupted (SIGINT): mined 0 of 3 block(s); the block in progress was not written.' },
      blocks: [],
    });
    expect(storedBlocks(path)).toHaveLength(1);
  });

  it('refuses data the server would refuse (exit 2), and mines nothing', async () => {
    const path = tempDatabasePath();
    const run = await runCli(['mine', '--db', path, '--data', 'x'.repeat(20)], { env: { ...MINING_ENV, DATA_MAX_BYTES: '10' } });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toBe('data is 20 bytes of UTF-8; the limit is 10.\n');
    expect(storedBlocks(path)).toHaveLength(1);
  });

  it('refuses to mine onto a chain that does not validate (exit 1)', async () => {
    const path = tempDatabasePath();
    expect((await runCli(['mine', '--db', path], { env: MINING_ENV })).exitCode).toBe(0);
    tamper(path, "UPDATE blocks SET data = 'rewritten' WHERE block_index = 1");
    const run = await runCli(['mine', '--db', path, '--json'], { env: MINING_ENV });
    expect(run.exitCode).toBe(1);
    expect(run.json()).toMatchObject({ error: { code: 'CHAIN_INVALID' }, blocks: [] });
    expect(storedBlocks(path)).toHaveLength(2);
  });

  it.each([
    [{ DIFFICULTY: '13' }, /^Invalid configuration: DIFFICULTY must be from 1 to 12 \(got "13"\)\.\n$/],
    [{ MINING_THREADS: 'many' }, /^Invalid configuration: MINING_THREADS /],
    [{ MINER: 'gpu' }, /^Invalid configuration: MINER must be auto, native, wasm or js/],
  ])('exits 2 on a bad configuration (%o) with its one-line message, creating nothing', async (env, message) => {
    const path = tempDatabasePath();
    const run = await runCli(['mine', '--db', path], { env });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(existsSync(path)).toBe(false);
  });
});
