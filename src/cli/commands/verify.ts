import { resolve } from 'node:path';
import { Command } from '@commander-js/extra-typings';
import { STDIN_PATH } from '../../chain-file/file-input.js';
import { MAX_DIFFICULTY, MIN_DIFFICULTY } from '../../core/proof-of-work.js';
import { EXIT_INVALID, EXIT_OK, type CliIo } from '../io.js';
import { JSON_OPTION_HELP, wholeNumber } from '../options.js';
import { reportJson, reportText, writeJson } from '../report.js';
import { runCommand } from '../run-command.js';

export function verifyCommand(io: CliIo, finish: (exitCode: number) => void) {
  return new Command('verify')
    .description('Validate a chain file offline (no server, no database): exit 0 if valid, 1 if not, 2 if it is no chain file.')
    .argument(
      '<file>',
      'chain file: the notebook\'s GET /blocks body ({"blockchain": [...], "length": N}) or an array of blocks; - reads standard input',
    )
    .option(
      '--difficulty <d>',
      `also require every block after the genesis block to have been mined at difficulty d or more (${MIN_DIFFICULTY}-${MAX_DIFFICULTY}); ` +
        'otherwise each block is judged at the difficulty it records, as the server does',
      wholeNumber(MIN_DIFFICULTY, MAX_DIFFICULTY),
    )
    .option('--json', JSON_OPTION_HELP)
    .action(async (file, options) => {
      const json = options.json === true;
      finish(
        await runCommand(
          io,
          json,
          () => {
            const minDifficulty = options.difficulty ?? null;
            const { result } = io.chainFiles.verifyChainFile(file, { minDifficulty });
            const subject = { file: file === STDIN_PATH ? STDIN_PATH : resolve(file), minDifficulty };
            if (json) writeJson(io.stdout, reportJson(result, subject));
            else io.stdout.write(reportText(result, subject));
            return result.valid ? EXIT_OK : EXIT_INVALID;
          },
          { chainFile: file },
        ),
      );
    });
}
