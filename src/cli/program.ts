import { Command, CommanderError } from '@commander-js/extra-typings';
import { exportCommand } from './commands/export.js';
import { importCommand } from './commands/import.js';
import { infoCommand } from './commands/info.js';
import { mineCommand } from './commands/mine.js';
import { setDifficultyCommand } from './commands/set-difficulty.js';
import { validateCommand } from './commands/validate.js';
import { verifyCommand } from './commands/verify.js';
import { EXIT_INVALID, EXIT_OK, EXIT_USAGE, type CliIo } from './io.js';
import { writeJson } from './report.js';

const EXIT_CODES_HELP = `
Exit codes:
  0    success; the chain is valid
  1    the chain is not valid, or the operation was refused or failed (nothing was written; mine keeps
       the blocks it mined before the failure)
  2    usage error, unreadable or malformed input or output path, bad configuration, missing database
       or a file that is not a ledger database
  130  interrupted (Ctrl-C, SIGINT)
  141  stdout closed by its reader (export | head)
  143  terminated (SIGTERM)

Configuration comes from the server's environment variables (DATABASE_PATH or DATABASE_URL,
DIFFICULTY, MINER, MINING_THREADS, DATA_MAX_BYTES); --db overrides DATABASE_PATH and
--database-url DATABASE_URL.`;

/**
 * The `pow-ledger` program. Each command reports its exit code through
 * `finish`; commander's own failures (usage errors, --help) surface as
 * CommanderError, since exits are overridden so that tests can run it in-process.
 */
export function createProgram(io: CliIo, { finish, quietErrors = false }: { finish: (exitCode: number) => void; quietErrors?: boolean }) {
  const program = new Command('pow-ledger')
    .description(
      'Operator tool for the proof-of-work ledger: export, verify and import chain files, mine, validate, and inspect the database.',
    )
    .exitOverride()
    .configureOutput({
      writeOut: (text) => void io.stdout.write(text),
      writeErr: (text) => void io.stderr.write(text),
      outputError: (text, write) => {
        if (!quietErrors) write(text);
      },
      getOutHelpWidth: () => io.stdout.columns ?? 100,
      getErrHelpWidth: () => io.stderr.columns ?? 100,
      getOutHasColors: () => false,
      getErrHasColors: () => false,
    })
    .addHelpText('after', EXIT_CODES_HELP);
  for (const command of [exportCommand, verifyCommand, importCommand, mineCommand, validateCommand, infoCommand, setDifficultyCommand]) {
    program.addCommand(command(io, finish).copyInheritedSettings(program));
  }
  return program;
}

/** Runs the tool on `args` (the arguments after the program name) and returns its exit code. */
export async function runProgram(args: readonly string[], io: CliIo): Promise<number> {
  let exitCode = EXIT_OK;
  // A usage error under --json is reported as JSON too, not as commander's line.
  const json = args.includes('--json');
  const program = createProgram(io, { finish: (code) => (exitCode = code), quietErrors: json });
  try {
    await program.parseAsync(args, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (!(error instanceof CommanderError)) {
      io.stderr.write(`Unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      return EXIT_INVALID;
    }
    // --help, and `help`: commander exits 0; with no command at all it prints the help as an error.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT_OK;
    if (error.code === 'commander.help') return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    if (json) writeJson(io.stdout, { error: { code: 'USAGE', message: error.message.replace(/^error: /, '') } });
    return EXIT_USAGE;
  }
}
