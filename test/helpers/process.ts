import { onTestFinished } from 'vitest';
import { spawnMain, waitForUrl, type MainProcess } from './spawn-main.js';

export type { MainProcess };

export interface ServerProcess extends MainProcess {
  readonly url: string;
}

/** Runs the built server (`dist/main.js`) with the given environment; killed when the test finishes. */
export function runMain(environment: Record<string, string>): MainProcess {
  const run = spawnMain(environment);
  onTestFinished(() => {
    if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
  });
  return run;
}

/** Starts a server process and waits until it announces its URL. */
export async function startServerProcess(environment: Record<string, string>): Promise<ServerProcess> {
  const run = runMain(environment);
  return { ...run, url: await waitForUrl(run) };
}
