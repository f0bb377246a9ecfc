import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from '@commander-js/extra-typings';
import { readChainFile } from '../../chain-file/read-chain-file.js';
import { revalidated, verifyChainFile } from '../../chain-file/verify-chain-file.js';
import { createChainRepository } from '../../storage/chain-repository.js';
import { openDatabase, type Database } from '../../storage/database.js';
import { cliConfig } from '../database-access.js';
import { CliError } from '../errors.js';
import { EXIT_INVALID, EXIT_OK, type CliIo } from '../io.js';
import { DATABASE_OPTION_HELP, JSON_OPTION_HELP, nonEmptyPath } from '../options.js';
import { reportJson, reportText, writeJson } from '../report.js';
import { printError, runCommand } from '../run-command.js';

const notEmpty = (path: string, length: number): CliError =>
  new CliError(
    'DATABASE_NOT_EMPTY',
    `The database ${resolve(path)} already holds ${length} block(s); import loads a chain into an empty database only. Nothing was written.`,
    EXIT_INVALID,
  );

export function importCommand(io: CliIo, finish: (exitCode: number) => void) {
  return new Command('import')
    .description(
      'Verify a chain file, then load it into an empty database (created if missing) in one transaction. ' +
        'A database that holds any block, or a chain that does not validate, is refused and nothing is written.',
    )
    .argument('<file>', 'chain file, as export writes it or the seed\'s GET /blocks served it')
    .option('--db <path>', DATABASE_OPTION_HELP, nonEmptyPath)
    .option('--json', JSON_OPTION_HELP)
    .action(async (file, options) => {
      const json = options.json === true;
      finish(
        await runCommand(io, json, () => {
          const { databasePath } = cliConfig(io, options.db);
          // An existing database is checked first, so a refusal costs no pass over the file; a missing one is created only for a valid chain.
          let database: Database | null = existsSync(databasePath) ? openDatabase(databasePath) : null;
          try {
            const storedLength = database === null ? 0 : createChainRepository(database).length();
            if (storedLength > 0) throw notEmpty(databasePath, storedLength);

            const { result } = verifyChainFile(file);
            if (!result.valid) {
              const subject = { file: resolve(file) };
              const failure = new CliError('CHAIN_INVALID', `Nothing was imported: the chain in ${resolve(file)} is not valid.`, EXIT_INVALID);
              if (json) {
                printError(io, json, failure, { validation: reportJson(result, subject) });
              } else {
                io.stdout.write(reportText(result, subject));
                printError(io, json, failure);
              }
              return EXIT_INVALID;
            }

            database ??= openDatabase(databasePath);
            // The file is read and validated again as it is inserted: it may have changed since it was verified.
            const outcome = createChainRepository(database).importChain(revalidated(readChainFile(file)));
            if (outcome.status === 'not-empty') throw notEmpty(databasePath, outcome.length);
            const summary = {
              imported: true,
              file: resolve(file),
              database: resolve(databasePath),
              length: outcome.count,
              tipHash: outcome.tip?.hash ?? null,
            };
            if (json) writeJson(io.stdout, summary);
            else io.stdout.write(`Imported ${summary.length} block(s) into ${summary.database}; tip hash ${summary.tipHash}.\n`);
            return EXIT_OK;
          } finally {
            database?.close();
          }
        }),
      );
    });
}
