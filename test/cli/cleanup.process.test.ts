import { spawn } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Block } from '../../src/core/block.js';
import { notebookChainJsonChunks } from '../../src/core/notebook-chain-json.js';
import { buildChain } from '../helpers/chains.js';
import { tempDir } from '../helpers/temp-database.js';

const chainText = (blocks: readonly Block[]): string => [...notebookChainJsonChunks([blocks], { length: blocks.length })].join('');

describe('import as a process', () => {
  it('removes the file it created when killed with SIGINT mid-import as a process (exit 130)', async () => {
    const dir = tempDir();
    const file = join(dir, 'big.json');
    // Long enough that the insert pass (after a verify pass) takes a second or so: time to interrupt it.
    writeFileSync(file, chainText(buildChain(30_000)));
    const target = join(dir, 'int.db');
    const child = spawn(process.execPath, ['dist/cli/main.js', 'import', file, '--db', target], {
      cwd: resolve(import.meta.dirname, '../..'),
      env: { PATH: process.env['PATH'] ?? '' },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // 'close': stderr has been read to its end.
    const exited = new Promise<number | null>((resolveExit) => child.on('close', (code) => resolveExit(code)));
    // The database file appears once the verify pass is over and the insert pass begins (some seconds of inserting).
    await expect.poll(() => existsSync(target), { timeout: 30_000, interval: 5 }).toBe(true);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toBe(`Interrupted (SIGINT): nothing was imported, and ${target}, which the import had created, was removed.\n`);
    expect(readdirSync(dir)).toEqual(['big.json']);
  });
});
