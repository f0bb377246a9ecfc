import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DISK_CHAIN_FILES, type ChainFileAccess } from '../../src/cli/io.js';
import type { Block } from '../../src/core/block.js';
import { notebookChainJsonChunks } from '../../src/core/notebook-chain-json.js';
import { openSqliteDatabase } from '../../src/storage/sqlite/database.js';
import { buildChain } from '../helpers/chains.js';
import { runCli as runCliAsUsual, storedBlocks, type CliRunOptions } from '../helpers/cli.js';
import { tempDir, writeChainDatabase } from '../helpers/temp-database.js';

/** Faults the tests inject where the tool's own steps meet the file system. */
const hooks = {
  /** Runs as import's verify pass returns: to change the file before the insert pass reads it again. */
  afterVerify: null as (() => void) | null,
  /** Makes the output file's `write` or `commit` fail with this errno code, before doing anything. */
  outputFault: null as { readonly step: 'write' | 'commit'; readonly code: string } | null,
  /** Runs once export's temporary file is created: to put something in the way of the rename. */
  afterOutputOpened: null as ((path: string) => void) | null,
};

/** The disk's chain-file operations, with the hooks above where they meet the file system. */
const hookedChainFiles: ChainFileAccess = {
  verifyChainFile: (...args) => {
    const verification = DISK_CHAIN_FILES.verifyChainFile(...args);
    hooks.afterVerify?.();
    return verification;
  },
  createAtomicFile: (path) => {
    const fail = (step: 'write' | 'commit'): void => {
      const fault = hooks.outputFault;
      if (fault?.step === step) throw Object.assign(new Error(`${fault.code}: simulated failure, ${step}`), { code: fault.code });
    };
    const file = DISK_CHAIN_FILES.createAtomicFile(path);
    hooks.afterOutputOpened?.(path);
    return {
      temporaryPath: file.temporaryPath,
      write: (text) => {
        fail('write');
        file.write(text);
      },
      commit: () => {
        fail('commit');
        file.commit();
      },
      discard: () => file.discard(),
    };
  },
};

/** The tool in this process, its chain-file operations hooked. */
const runCli = (args: readonly string[], options: CliRunOptions = {}) => runCliAsUsual(args, { chainFiles: hookedChainFiles, ...options });

afterEach(() => {
  hooks.afterVerify = null;
  hooks.outputFault = null;
  hooks.afterOutputOpened = null;
});

const chainText = (blocks: readonly Block[]): string => [...notebookChainJsonChunks([blocks], { length: blocks.length })].join('');

function chainFile(blocks: readonly Block[]): string {
  const path = join(tempDir(), 'chain.json');
  writeFileSync(path, chainText(blocks));
  return path;
}

/** 2500 blocks, so the insert pass is well into its second batch of 1000 when it meets the changed block 1500. */
const CHAIN = buildChain(2500);
const CHANGED = CHAIN.map((block) => (block.index === 1500 ? { ...block, proof: block.proof + 1 } : block));

/** Swaps the chain file for one whose block 1500 no longer validates, between import's two passes. */
function changeAfterVerify(file: string): void {
  hooks.afterVerify = () => writeFileSync(file, chainText(CHANGED));
}

const sideFiles = (path: string): string[] =>
  ['-wal', '-shm', '-journal'].map((suffix) => `${path}${suffix}`).filter((file) => existsSync(file));

describe('import cleans up after itself', () => {
  it('removes the database file it created, its -wal and -shm, and the folders it made, on CHAIN_CHANGED', async () => {
    const dir = tempDir();
    const target = join(dir, 'new', 'deeper', 'chain.db');
    const file = chainFile(CHAIN);
    changeAfterVerify(file);
    const run = await runCli(['import', file, '--db', target, '--json']);
    expect(run.exitCode).toBe(1);
    expect(run.json()).toEqual({
      error: {
        code: 'CHAIN_CHANGED',
        message: expect.stringMatching(
          /^\/.+\.json: changed while it was imported: The chain no longer validates at block 1500 \(PROOF_INVALID\).* Nothing was imported\.$/,
        ) as unknown,
      },
    });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('leaves an existing empty ledger database as it was on CHAIN_CHANGED', async () => {
    const target = join(tempDir(), 'chain.db');
    openSqliteDatabase(target).close();
    const file = chainFile(CHAIN);
    changeAfterVerify(file);
    expect((await runCli(['import', file, '--db', target])).exitCode).toBe(1);
    expect(storedBlocks(target)).toEqual([]);
    // Still a ledger database, ready for a second try.
    expect((await runCli(['import', chainFile(CHAIN), '--db', target])).exitCode).toBe(0);
    expect(storedBlocks(target)).toHaveLength(2500);
  });

  it('takes an existing file of 0 bytes for an empty database, and leaves it at 0 bytes when the import fails', async () => {
    const target = join(tempDir(), 'chain.db');
    writeFileSync(target, '');
    const file = chainFile(CHAIN);
    changeAfterVerify(file);
    expect((await runCli(['import', file, '--db', target])).exitCode).toBe(1);
    expect(statSync(target).size).toBe(0);
    expect(sideFiles(target)).toEqual([]);

    hooks.afterVerify = null;
    expect((await runCli(['import', chainFile(CHAIN), '--db', target])).exitCode).toBe(0);
    expect(storedBlocks(target)).toEqual(CHAIN);
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ])('stops on %s part way through the insert (exit %i), rolls back and removes the file it created', async (signal, exitCode) => {
    const dir = tempDir();
    const target = join(dir, 'chain.db');
    const interrupt = new AbortController();
    // Queued before the insert pass starts: it lands between the first and second batch.
    hooks.afterVerify = () => setImmediate(() => interrupt.abort(signal));
    const run = await runCli(['import', chainFile(CHAIN), '--db', target], { interrupt });
    expect(run.exitCode).toBe(exitCode);
    expect(run.stderr).toBe(`Interrupted (${signal}): nothing was imported, and ${target}, which the import had created, was removed.\n`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('leaves an existing empty ledger database as it was when interrupted', async () => {
    const target = join(tempDir(), 'chain.db');
    openSqliteDatabase(target).close();
    const interrupt = new AbortController();
    hooks.afterVerify = () => setImmediate(() => interrupt.abort('SIGINT'));
    const run = await runCli(['import', chainFile(CHAIN), '--db', target, '--json'], { interrupt });
    expect(run.exitCode).toBe(130);
    expect(run.json()).toEqual({
      error: { code: 'INTERRUPTED', message: `Interrupted (SIGINT): nothing was imported; the database ${target} was left as it was.` },
    });
    expect(storedBlocks(target)).toEqual([]);
  });

  it('does not remove a database another process filled while the import ran', async () => {
    const target = join(tempDir(), 'chain.db');
    // Created and filled by someone else between import's look at the path and its insert.
    hooks.afterVerify = () => {
      writeChainDatabase(target, CHAIN.slice(0, 2));
    };
    const run = await runCli(['import', chainFile(CHAIN), '--db', target]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/already holds 2 block\(s\)/);
    expect(storedBlocks(target)).toEqual(CHAIN.slice(0, 2));
  });
});

describe('export --out failures', () => {
  function storedChain(): string {
    const path = join(tempDir(), 'source.db');
    writeChainDatabase(path, CHAIN);
    return path;
  }

  it('reports a full disk as STORAGE_FULL (exit 1), naming the file, and removes the temporary file', async () => {
    const dir = tempDir();
    hooks.outputFault = { step: 'write', code: 'ENOSPC' };
    const run = await runCli(['export', '--db', storedChain(), '--out', join(dir, 'chain.json')]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe(`Cannot write ${join(dir, 'chain.json')}: simulated failure (ENOSPC); no file was written.\n`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it.each([['EACCES'], ['EROFS'], ['EPERM']])(
    'reports %s at the rename as OUTPUT_UNWRITABLE (exit 2), removing the temporary file',
    async (code) => {
      const dir = tempDir();
      hooks.outputFault = { step: 'commit', code };
      const run = await runCli(['export', '--db', storedChain(), '--out', join(dir, 'chain.json')]);
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toBe(`Cannot write ${join(dir, 'chain.json')}: simulated failure (${code}).\n`);
      expect(readdirSync(dir)).toEqual([]);
    },
  );

  it('reports a directory put in the way after the check (the rename fails: EISDIR) as OUTPUT_UNWRITABLE (exit 2)', async () => {
    const dir = tempDir();
    const out = join(dir, 'chain.json');
    hooks.afterOutputOpened = (path) => mkdirSync(path);
    const run = await runCli(['export', '--db', storedChain(), '--out', out]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^Cannot write ${out.replaceAll('.', '\\.')}: .* \\((EISDIR|ENOTEMPTY|EEXIST)\\)\\.\\n$`));
    expect(readdirSync(dir)).toEqual(['chain.json']);
    expect(statSync(out).isDirectory()).toBe(true);
  });
});

describe('import refuses a file that is not a ledger database, untouched', () => {
  it('a SQLite database of something else (exit 2): same bytes, no -wal, no migrations', async () => {
    const dir = tempDir();
    const other = join(dir, 'other.db');
    const connection = new Sqlite(other);
    connection.exec("CREATE TABLE t (x); INSERT INTO t VALUES ('kept')");
    connection.close();
    const before = readFileSync(other);
    for (const chain of [CHAIN, CHANGED]) {
      const run = await runCli(['import', chainFile(chain), '--db', other, '--json']);
      expect(run.exitCode).toBe(2);
      expect(run.json()).toEqual({
        error: { code: 'DATABASE_INVALID', message: `${other} is a SQLite database but not a ledger's: it has no blocks table.` },
      });
    }
    expect(readFileSync(other).equals(before)).toBe(true);
    expect(readdirSync(dir)).toEqual(['other.db']);
    const check = new Sqlite(other, { readonly: true });
    expect(check.pragma('journal_mode', { simple: true })).toBe('delete');
    expect(check.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all()).toEqual(['t']);
    check.close();
  });

  it('a file that is not SQLite at all (exit 2, DATABASE_DAMAGED, naming it): same bytes', async () => {
    const dir = tempDir();
    const notes = join(dir, 'notes.txt');
    writeFileSync(notes, 'not a database at all, just some text that is long enough to fill a header. '.repeat(10));
    const before = readFileSync(notes);
    const run = await runCli(['import', chainFile(CHAIN), '--db', notes]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toBe(`The database file ${notes} is damaged, or is not a SQLite database.\n`);
    expect(readFileSync(notes).equals(before)).toBe(true);
    expect(readdirSync(dir)).toEqual(['notes.txt']);

    const folder = await runCli(['import', chainFile(CHAIN), '--db', dir, '--json']);
    expect(folder.exitCode).toBe(2);
    expect(folder.json()).toEqual({ error: { code: 'DATABASE_INVALID', message: `${dir} is not a database file.` } });
  });
});
