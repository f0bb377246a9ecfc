import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { notebookChainJsonChunks } from '../../src/core/notebook-chain-json.js';
import { NOTEBOOK_BLOCKS } from '../fixtures/notebook-chain.js';
import { buildChain } from '../helpers/chains.js';
import { spawnCli, storedBlocks } from '../helpers/cli.js';
import { tempDatabasePath, tempDir } from '../helpers/temp-database.js';

/** Blocks stored so far; 0 while the file is not there yet. */
function storedLength(path: string): number {
  try {
    return storedBlocks(path).length;
  } catch {
    return 0;
  }
}

describe('pow-ledger as a process', () => {
  it('exits with the documented codes: 0 help, 0 valid, 1 invalid, 2 malformed or usage', async () => {
    const help = await spawnCli(['--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toMatch(/^Usage: pow-ledger/);

    const dir = tempDir();
    const valid = join(dir, 'valid.json');
    writeFileSync(valid, [...notebookChainJsonChunks([NOTEBOOK_BLOCKS], { length: 5 })].join(''));
    const forged = join(dir, 'forged.json');
    writeFileSync(
      forged,
      [...notebookChainJsonChunks([NOTEBOOK_BLOCKS.map((b) => (b.index === 1 ? { ...b, proof: 12345 } : b))], { length: 5 })].join(''),
    );
    const malformed = join(dir, 'malformed.json');
    writeFileSync(malformed, '{"blockchain": [');

    const results = await Promise.all([
      spawnCli(['verify', valid]),
      spawnCli(['verify', forged]),
      spawnCli(['verify', malformed]),
      spawnCli(['verify']),
    ]);
    expect(results.map((run) => run.exitCode)).toEqual([0, 1, 2, 2]);
    expect(results[3].stderr).toMatch(/missing required argument 'file'/);
  });

  it('reads a chain from a pipe: verify - and verify /dev/stdin, import -, and a refused or malformed one leaves no database', async () => {
    const dir = tempDir();
    const chain = buildChain(3000, { dataFor: (i) => (i % 10 === 0 ? `block ${i} é` : null) });
    // About 500 KB: many reads, each of what the pipe holds at that moment.
    const text = [...notebookChainJsonChunks([chain], { length: chain.length })].join('');
    const forged = [
      ...notebookChainJsonChunks([NOTEBOOK_BLOCKS.map((b) => (b.index === 1 ? { ...b, proof: 12345 } : b))], { length: 5 }),
    ].join('');
    const target = join(dir, 'piped.db');
    const refused = join(dir, 'refused.db');
    const malformed = join(dir, 'malformed.db');
    const [dash, devStdin, badJson, imported, invalid, truncated] = await Promise.all([
      spawnCli(['verify', '-'], {}, { input: text }),
      // As `curl …/blocks | pow-ledger verify /dev/stdin`: a shell's pipe (Node's own stdio pipes are sockets, which /dev/stdin cannot open).
      spawnCli(['verify', '/dev/stdin', '--json'], {}, { input: text, throughShellPipe: true }),
      spawnCli(['verify', '-'], {}, { input: '{"blockchain": [}' }),
      spawnCli(['import', '-', '--db', target, '--json'], {}, { input: text }),
      spawnCli(['import', '-', '--db', refused, '--json'], {}, { input: forged }),
      spawnCli(['import', '-', '--db', malformed], {}, { input: text.slice(0, 300_000) }),
    ]);
    // Only the import that succeeded left a database (checked before anything else opens it).
    expect(readdirSync(dir)).toEqual(['piped.db']);
    expect(dash).toMatchObject({ exitCode: 0, stdout: 'Chain is valid. (standard input)\nLength: 3000 blocks\n', stderr: '' });
    expect(devStdin.exitCode).toBe(0);
    expect(devStdin.json()).toMatchObject({ file: '/dev/stdin', valid: true, length: 3000 });
    // A pipe cannot be read again to find the line and column: the byte offset says where.
    expect(badJson).toMatchObject({ exitCode: 2, stderr: 'standard input: not valid JSON at byte 16: unexpected "}".\n' });

    expect(imported.exitCode).toBe(0);
    expect(imported.json()).toEqual({ imported: true, file: '-', database: target, length: 3000, tipHash: chain[2999]!.hash });
    expect(storedBlocks(target)).toEqual(chain);

    // Read once, validated as it is inserted: the same report as verify's, and the database it created is removed.
    expect(invalid.exitCode).toBe(1);
    expect(invalid.json()).toMatchObject({
      error: { code: 'CHAIN_INVALID', message: 'Nothing was imported: the chain in standard input is not valid.' },
      validation: {
        file: '-',
        valid: false,
        length: 5,
        problemCount: 3,
        problems: [{ index: 1, reason: 'PROOF_INVALID' }, { index: 2 }, { index: 2 }],
      },
    });
    expect(truncated.exitCode).toBe(2);
    expect(truncated.stderr).toMatch(/^standard input: ends in the middle of its JSON \(after \d+ bytes\): it looks truncated\.\n$/);
  });

  it('stops mining on SIGINT with exit 130, writing nothing half-done', async () => {
    const path = tempDatabasePath();
    const child = spawn(process.execPath, ['dist/cli/main.js', 'mine', '--db', path, '--count', '5'], {
      cwd: resolve(import.meta.dirname, '../..'),
      env: { PATH: process.env['PATH'] ?? '', DIFFICULTY: '11', MINER: 'js', MINING_THREADS: '1' },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // 'close': stderr has been read to its end.
    const exited = new Promise<number | null>((resolveExit) => child.on('close', (code) => resolveExit(code)));
    // Once the genesis block is written, the mine is under way.
    await expect.poll(() => storedLength(path), { timeout: 30_000, interval: 100 }).toBe(1);
    await new Promise((wait) => setTimeout(wait, 300));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toBe('Interrupted (SIGINT): mined 0 of 5 block(s); the block in progress was not written.\n');
    expect(storedBlocks(path)).toHaveLength(1);
  });
});
