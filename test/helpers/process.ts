import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { resolve } from 'node:path';
import { onTestFinished } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

export interface ServerProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly url: string;
  output(): string;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
}

/** Runs `src/main.ts` as `npm start` would run the build, with the given environment. */
export function runMain(environment: Record<string, string>): {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  exited: Promise<number | string>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOST: '127.0.0.1', PORT: '0', ...environment },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolveExit) => child.on('exit', (code, signal) => resolveExit(code ?? signal ?? 'unknown')));
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return { child, output: () => output, exited };
}

/** Starts a server process and waits until it announces its URL. */
export async function startServerProcess(environment: Record<string, string>): Promise<ServerProcess> {
  const run = runMain(environment);
  const url = await new Promise<string>((resolveUrl, reject) => {
    const check = (): void => {
      const match = /Ledger server on (http:\/\/\S+\/graphql)/.exec(run.output());
      if (match?.[1]) resolveUrl(match[1]);
    };
    run.child.stdout.on('data', check);
    run.child.stderr.on('data', check);
    void run.exited.then((code) => reject(new Error(`server exited (${code}) before starting:\n${run.output()}`)));
  });
  return { ...run, url };
}
