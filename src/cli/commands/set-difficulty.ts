import { Command } from '@commander-js/extra-typings';
import { MAX_DIFFICULTY, MIN_DIFFICULTY } from '../../core/proof-of-work.js';
import { cliConfig, naming, openChainForReading, openChainForWriting } from '../database-access.js';
import { EXIT_OK, type CliIo } from '../io.js';
import { DATABASE_OPTION_HELP, DATABASE_URL_OPTION_HELP, JSON_OPTION_HELP, nonEmptyPath, nonEmptyUrl, wholeNumber } from '../options.js';
import { writeJson } from '../report.js';
import { runCommand } from '../run-command.js';

/**
 * The one deliberate way to change the difficulty a chain is mined at. Each
 * block keeps the difficulty it was mined at, so the stored chain stays
 * valid; servers configured with another DIFFICULTY refuse to mine until
 * they are restarted with the new one.
 */
export function setDifficultyCommand(io: CliIo, finish: (exitCode: number) => void) {
  return new Command('set-difficulty')
    .description(
      'Change the difficulty stored with the chain, which servers and `mine` must be configured with (DIFFICULTY) to mine. ' +
        'Blocks already mined keep theirs. Restart the servers with the new DIFFICULTY afterwards.',
    )
    .argument('<difficulty>', `leading hex zeros, ${MIN_DIFFICULTY}-${MAX_DIFFICULTY}`, wholeNumber(MIN_DIFFICULTY, MAX_DIFFICULTY))
    .option('--db <path>', DATABASE_OPTION_HELP, nonEmptyPath)
    .option('--database-url <url>', DATABASE_URL_OPTION_HELP, nonEmptyUrl)
    .option('--json', JSON_OPTION_HELP)
    .action(async (difficulty, options) => {
      const json = options.json === true;
      finish(
        await runCommand(io, json, async () => {
          const config = cliConfig(io, options);
          // A mistyped path must not become a new, empty chain.
          if (config.databaseUrl === null) await (await openChainForReading(config)).close();
          const chain = await openChainForWriting(config);
          try {
            const before = await naming(chain.name, async () => {
              const stored = await chain.repository.storedDifficulty();
              await chain.repository.setDifficulty(difficulty);
              return stored;
            });
            if (json) writeJson(io.stdout, { database: chain.name, difficulty, previous: before });
            else
              io.stdout.write(
                `The chain in ${chain.name} is now mined at difficulty ${difficulty}${before === null ? '' : ` (it was ${before})`}. ` +
                  `Servers and \`mine\` need DIFFICULTY=${difficulty} to mine onto it.\n`,
              );
            return EXIT_OK;
          } finally {
            await chain.close();
          }
        }),
      );
    });
}
