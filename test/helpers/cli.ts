import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { DISK_CHAIN_FILES, type ChainFileAccess, type CliIo } from '../../src/cli/io.js';
import { runProgram } from '../../src/cli/program.js';
import Sqlite from 'better-sqlite3';
import { blockFromRow, type BlockRow } from '../../src/storage/block-row.js';
import type { Block } from '../../src/core/block.js';

const ROOT = resolve(import.meta.dirname, '../..');

export interface CliRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as the one JSON document `--json` prints. */
  json<T = Record<string, unknown>>(): T;
}

export interface CliRunOptions {
  readonly env?: Record<string, string>;
  /** Whether stderr claims to be a terminal. */
  readonly tty?: boolean;
  /** Aborting it (with 'SIGINT' as reason) plays an operator's Ctrl-C. */
  readonly interrupt?: AbortController;
  /** The chain-file operations, to wrap with faults (the disk's by default). */
  readonly chainFiles?: ChainFileAccess;
}

const result = (exitCode: number, stdout: string, stderr: string): CliRun => ({
  exitCode,
  stdout,
  stderr,
  json: <T>() => JSON.parse(stdout) as T,
});

/** Runs the tool in this process, its output captured. */
export async function runCli(
  args: readonly string[],
  { env = {}, tty = false, interrupt = new AbortController(), chainFiles = DISK_CHAIN_FILES }: CliRunOptions = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text), isTTY: tty, columns: 120 },
    env,
    chainFiles,
    trapInterrupts: () => ({ signal: interrupt.signal, release: () => undefined }),
  };
  const exitCode = await runProgram(args, io);
  return result(exitCode, stdout, stderr);
}

export interface SpawnCliOptions {
  /** Written to the process's stdin, which is then closed. */
  readonly input?: string;
  /**
   * Passes `input` through `cat |`, so that stdin is a shell's pipe, as in
   * `curl … | pow-ledger …`: Node's own stdio pipes are sockets, which
   * Linux cannot open as /dev/stdin.
   */
  readonly throughShellPipe?: boolean;
}

/** Runs the built tool (`dist/cli/main.js`, built by test/build-dist.ts) as a real process, for its real exit code. */
export function spawnCli(
  args: readonly string[],
  env: Record<string, string> = {},
  { input, throughShellPipe = false }: SpawnCliOptions = {},
): Promise<CliRun> {
  const tool = [process.execPath, 'dist/cli/main.js', ...args];
  const [command, ...commandArgs] = throughShellPipe ? ['/bin/sh', '-c', 'cat | "$@"', 'sh', ...tool] : tool;
  return new Promise((resolveRun) => {
    const child = execFile(
      command!,
      commandArgs,
      { cwd: ROOT, env: { PATH: process.env['PATH'] ?? '', ...env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => resolveRun(result(error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr)),
    );
    if (input !== undefined) {
      // The reader may stop early (a malformed file): a write it no longer wants is no failure.
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(input);
    } else {
      child.stdin?.end();
    }
  });
}

/** Every stored block, in order, read on a read-only connection of its own (as sqlite3 would, not through the repository). */
export function storedBlocks(path: string): Block[] {
  const connection = new Sqlite(path, { readonly: true, fileMustExist: true });
  try {
    return connection.prepare<[], BlockRow>('SELECT * FROM blocks ORDER BY block_index').all().map(blockFromRow);
  } finally {
    connection.close();
  }
}
