import { resolve } from 'node:path';
import { databaseBytes, databaseName, withChainForReading } from '../database-access.js';
import { EXIT_OK, type CliIo } from '../io.js';
import { writeJson } from '../report.js';
import { storedChainReportCommand } from './stored-chain-report.js';

export function infoCommand(io: CliIo, finish: (exitCode: number) => void) {
  const description = "Show the stored chain's length and tip, the configured difficulty, and the database file and its size.";
  return storedChainReportCommand(io, finish, { name: 'info', description }, async (config, json) => {
    const { tip, chainDifficulty } = await withChainForReading(config, async ({ reader }) => ({
      tip: await reader.tip(),
      chainDifficulty: await reader.storedDifficulty(),
    }));
    const sqlite = config.databaseUrl === null;
    const info = {
      engine: sqlite ? 'sqlite' : 'postgres',
      database: databaseName(config),
      databasePath: sqlite ? resolve(config.databasePath) : null,
      databaseBytes: sqlite ? databaseBytes(config.databasePath) : null,
      length: tip === null ? 0 : tip.index + 1,
      tipIndex: tip?.index ?? null,
      tipHash: tip?.hash ?? null,
      difficulty: config.difficulty,
      chainDifficulty,
    };
    if (json) {
      writeJson(io.stdout, info);
    } else {
      io.stdout.write(
        [
          sqlite ? `Database:   ${info.databasePath} (${info.databaseBytes} bytes)` : `Database:   ${info.database}`,
          `Length:     ${info.length} block${info.length === 1 ? '' : 's'}`,
          `Tip:        ${tip === null ? 'none (the chain is empty)' : `block ${tip.index}, hash ${tip.hash}`}`,
          chainDifficulty === null || chainDifficulty === info.difficulty
            ? `Difficulty: ${info.difficulty} (new blocks are mined at it)`
            : `Difficulty: ${info.difficulty} configured, but the chain is mined at ${chainDifficulty}: mining is refused (see set-difficulty)`,
        ].join('\n') + '\n',
      );
    }
    return EXIT_OK;
  });
}
