import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

export interface MainProcess {
  readonly child: ChildProcessWithoutNullStreams;
  output(): string;
  /** Resolves with the exit code (or signal name) once the process has exited and its output has all been read. */
  readonly exited: Promise<number | string>;
}

/**
 * Runs the server as `npm start` does, from `dist/` (built by test/build-dist.ts), on any free port.
 * One mining thread unless the test says otherwise: the spawned servers mine at low difficulties,
 * and a second thread would only cost its start-up.
 */
export function spawnMain(environment: Record<string, string>): MainProcess {
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOST: '127.0.0.1', PORT: '0', MINING_THREADS: '1', ...environment },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // 'close', not 'exit': 'exit' can come before the last of the output has been read from the pipes.
  const exited = new Promise<number | string>((resolveExit) =>
    child.on('close', (code, signal) => resolveExit(code ?? signal ?? 'unknown')),
  );
  return { child, output: () => output, exited };
}

/** Waits until the process announces its URL; rejects if it exits first. */
export function waitForUrl(run: MainProcess): Promise<string> {
  return new Promise<string>((resolveUrl, reject) => {
    const check = (): void => {
      const match = /Ledger server on (http:\/\/\S+\/graphql)/.exec(run.output());
      if (match?.[1]) resolveUrl(match[1]);
    };
    run.child.stdout.on('data', check);
    run.child.stderr.on('data', check);
    check();
    void run.exited.then((code) => reject(new Error(`server exited (${code}) before starting:\n${run.output()}`)));
  });
}
