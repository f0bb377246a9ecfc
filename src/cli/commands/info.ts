import { resolve } from 'node:path';
import { Command } from '@commander-js/extra-typings';
import { createChainRepository } from '../../storage/chain-repository.js';
import { cliConfig, databaseBytes, naming, openDatabaseForReading } from '../database-access.js';
import { EXIT_OK, type CliIo } from '../io.js';
import { DATABASE_OPTION_HELP, JSON_OPTION_HELP, nonEmptyPath } from '../options.js';
import { writeJson } from '../report.js';
import { runCommand } from '../run-command.js';

export function infoCommand(io: CliIo, finish: (exitCode: number) => void) {
  return new Command('info')
    .description("Show the stored chain's length and tip, the configured difficulty, and the database file and its size.")
    .option('--db <path>', DATABASE_OPTION_HELP, nonEmptyPath)
    .option('--json', JSON_OPTION_HELP)
    .action(async (options) => {
      const json = options.json === true;
      finish(
        await runCommand(io, json, async () => {
          const config = cliConfig(io, options.db);
          const database = openDatabaseForReading(config.databasePath);
          let tip;
          try {
            tip = await naming(config.databasePath, () => createChainRepository(database).tip());
          } finally {
            database.close();
          }
          const info = {
            databasePath: resolve(config.databasePath),
            databaseBytes: databaseBytes(config.databasePath),
            length: tip === null ? 0 : tip.index + 1,
            tipIndex: tip?.index ?? null,
            tipHash: tip?.hash ?? null,
            difficulty: config.difficulty,
          };
          if (json) {
            writeJson(io.stdout, info);
          } else {
            io.stdout.write(
              [
                `Database:   ${info.databasePath} (${info.databaseBytes} bytes)`,
                `Length:     ${info.length} block${info.length === 1 ? '' : 's'}`,
                `Tip:        ${tip === null ? 'none (the chain is empty)' : `block ${tip.index}, hash ${tip.hash}`}`,
                `Difficulty: ${info.difficulty} (new blocks are mined at it)`,
              ].join('\n') + '\n',
            );
          }
          return EXIT_OK;
        }),
      );
    });
}
