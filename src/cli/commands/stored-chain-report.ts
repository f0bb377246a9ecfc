import { Command } from '@commander-js/extra-typings';
import type { Config } from '../../config.js';
import { cliConfig } from '../database-access.js';
import type { CliIo } from '../io.js';
import { DATABASE_OPTION_HELP, DATABASE_URL_OPTION_HELP, JSON_OPTION_HELP, nonEmptyPath, nonEmptyUrl } from '../options.js';
import { runCommand } from '../run-command.js';

/**
 * A command that reports on the stored chain: `--db` and `--json`, the
 * configuration read once, and any failure printed as `--json` asks.
 * `report` returns the exit code.
 */
export function storedChainReportCommand(
  io: CliIo,
  finish: (exitCode: number) => void,
  { name, description }: { readonly name: string; readonly description: string },
  report: (config: Config, json: boolean) => Promise<number>,
) {
  return new Command(name)
    .description(description)
    .option('--db <path>', DATABASE_OPTION_HELP, nonEmptyPath)
    .option('--database-url <url>', DATABASE_URL_OPTION_HELP, nonEmptyUrl)
    .option('--json', JSON_OPTION_HELP)
    .action(async (options) => {
      const json = options.json === true;
      finish(await runCommand(io, json, () => report(cliConfig(io, options), json)));
    });
}
