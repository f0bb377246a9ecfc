import { resolve } from 'node:path';
import { Command } from '@commander-js/extra-typings';
import { createChainValidator, type ChainValidationResult } from '../../core/chain-validation.js';
import { createChainRepository, type ChainRepository } from '../../storage/chain-repository.js';
import { cliConfig, openDatabaseForReading } from '../database-access.js';
import { EXIT_INVALID, EXIT_OK, type CliIo } from '../io.js';
import { DATABASE_OPTION_HELP, JSON_OPTION_HELP, nonEmptyPath } from '../options.js';
import { reportJson, reportText, writeJson } from '../report.js';
import { runCommand } from '../run-command.js';

/** As the server decides: below this, worker threads cost more to start than they save. */
const OFF_THREAD_FROM = 20_000;

async function validateStored(repository: ChainRepository): Promise<ChainValidationResult> {
  const offThread = repository.length() >= OFF_THREAD_FROM ? repository.validateOffThread() : null;
  if (offThread !== null) return offThread;
  const validator = createChainValidator();
  for (const batch of repository.batches(1000)) for (const block of batch) validator.add(block);
  return validator.result();
}

export function validateCommand(io: CliIo, finish: (exitCode: number) => void) {
  return new Command('validate')
    .description('Validate the stored chain, as the server\'s validate does: exit 0 if valid, 1 if not.')
    .option('--db <path>', DATABASE_OPTION_HELP, nonEmptyPath)
    .option('--json', JSON_OPTION_HELP)
    .action(async (options) => {
      const json = options.json === true;
      finish(
        await runCommand(io, json, async () => {
          const { databasePath } = cliConfig(io, options.db);
          const database = openDatabaseForReading(databasePath);
          try {
            const result = await validateStored(createChainRepository(database));
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
