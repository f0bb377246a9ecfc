import { resolve } from 'node:path';
import { Command } from '@commander-js/extra-typings';
import { createChainIntegrity } from '../../ledger/chain-integrity.js';
import { createChainRepository } from '../../storage/chain-repository.js';
import { cliConfig, naming, openDatabaseForReading } from '../database-access.js';
import { EXIT_INVALID, EXIT_OK, type CliIo } from '../io.js';
import { DATABASE_OPTION_HELP, JSON_OPTION_HELP, nonEmptyPath } from '../options.js';
import { reportJson, reportText, writeJson } from '../report.js';
import { runCommand } from '../run-command.js';

export function validateCommand(io: CliIo, finish: (exitCode: number) => void) {
  return new Command('validate')
    .description("Validate the stored chain, as the server's validate does: exit 0 if valid, 1 if not.")
    .option('--db <path>', DATABASE_OPTION_HELP, nonEmptyPath)
    .option('--json', JSON_OPTION_HELP)
    .action(async (options) => {
      const json = options.json === true;
      finish(
        await runCommand(io, json, async () => {
          const { databasePath } = cliConfig(io, options.db);
          const database = openDatabaseForReading(databasePath);
          try {
            // The server's own full validation, with its choice of worker threads for a long chain.
            const result = await naming(databasePath, () => createChainIntegrity(createChainRepository(database)).verify());
            const subject = { database: resolve(databasePath) };
            if (json) writeJson(io.stdout, reportJson(result, subject));
            else io.stdout.write(reportText(result, subject));
            return result.valid ? EXIT_OK : EXIT_INVALID;
          } finally {
            database.close();
          }
        }),
      );
    });
}
