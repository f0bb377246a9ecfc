import { createChainIntegrity } from '../../ledger/chain-integrity.js';
import { databaseName, withChainForReading } from '../database-access.js';
import { EXIT_INVALID, EXIT_OK, type CliIo } from '../io.js';
import { reportJson, reportText, writeJson } from '../report.js';
import { storedChainReportCommand } from './stored-chain-report.js';

export function validateCommand(io: CliIo, finish: (exitCode: number) => void) {
  const description = "Validate the stored chain, as the server's validate does: exit 0 if valid, 1 if not.";
  return storedChainReportCommand(io, finish, { name: 'validate', description }, async (config, json) => {
    // The server's own full validation, with its choice of worker threads for a long chain.
    const result = await withChainForReading(config, ({ reader }) => createChainIntegrity(reader).verify());
    const subject = { database: databaseName(config) };
    if (json) writeJson(io.stdout, reportJson(result, subject));
    else io.stdout.write(reportText(result, subject));
    return result.valid ? EXIT_OK : EXIT_INVALID;
  });
}
