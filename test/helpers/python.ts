import { spawnSync } from 'node:child_process';

/** Whether `python3` runs here; differential tests against the notebook's language need it. */
export const hasPython = spawnSync('python3', ['--version'], { encoding: 'utf8' }).status === 0;

/** Skips the running test, saying why, where python3 does not run. */
export function requirePython(context: { skip(note?: string): never }): void {
  if (!hasPython) context.skip('needs python3, which does not run here');
}

/** Runs a Python script with `input` on stdin and returns its stdout; throws on failure. */
export function runPython(script: string, input: string): string {
  const result = spawnSync('python3', ['-c', script], { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`python3 failed: ${result.stderr}`);
  return result.stdout;
}
