import { resolve } from 'node:path';
import { createChainRepository } from '../../storage/chain-repository.js';
import { databaseBytes, withDatabaseForReading } from '../database-access.js';
import { EXIT_OK, type CliIo } from '../io.js';
import { writeJson } from '../report.js';
import { storedChainReportCommand } from './stored-chain-report.js';

export function infoCommand(io: CliIo, finish: (exitCode: number) => void) {
  const description = "Show the stored chain's length and tip, the configured difficulty, and the database file and its size.";
  return storedChainReportCommand(io, finish, { name: 'info', description }, async (config, json) => {
    const tip = await withDatabaseForReading(config.databasePath, (database) => createChainRepository(database).tip());
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
  });
}
