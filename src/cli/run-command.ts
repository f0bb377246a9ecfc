import { toCliError, type CliError } from './errors.js';
import type { CliIo } from './io.js';
import { writeJson } from './report.js';

/** Prints a failure as `--json` asked: `{"error": {code, message}, ...extra}` on stdout, or its message on stderr. */
export function printError(io: CliIo, json: boolean, failure: CliError, extra: Record<string, unknown> = {}): void {
  if (json) writeJson(io.stdout, { error: { code: failure.code, message: failure.message }, ...extra });
  else io.stderr.write(`${failure.message}\n`);
}

/**
 * Runs a command's work, turning whatever it throws into a printed error and
 * that error's exit code; `chainFile`, the file the command reads, leads what
 * is said of it.
 */
export async function runCommand(
  io: CliIo,
  json: boolean,
  work: () => Promise<number> | number,
  { chainFile }: { readonly chainFile?: string } = {},
): Promise<number> {
  try {
    return await work();
  } catch (error) {
    const failure = toCliError(error, undefined, chainFile);
    printError(io, json, failure);
    return failure.exitCode;
  }
}
