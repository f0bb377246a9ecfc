import { Command } from '@commander-js/extra-typings';
import { createLedger, type Ledger, type MinedBlock } from '../../ledger/ledger.js';
import { selectEngine } from '../../mining/engines/load-engine.js';
import { createPoolProofSearch } from '../../mining/pool-proof-search.js';
import type { ProofSearch } from '../../mining/proof-search.js';
import { cliConfig, openChainForWriting } from '../database-access.js';
import { interrupted, toCliError, type CliError } from '../errors.js';
import { EXIT_OK, type CliIo } from '../io.js';
import { DATABASE_OPTION_HELP, DATABASE_URL_OPTION_HELP, JSON_OPTION_HELP, nonEmptyPath, nonEmptyUrl, wholeNumber } from '../options.js';
import { formatCount, formatDuration, formatMiningProgress, formatRate, startProgressLine } from '../progress.js';
import { writeJson } from '../report.js';
import { printError, runCommand } from '../run-command.js';

const minedJson = ({ block, attempts, durationMs }: MinedBlock) => ({ ...block, attempts, durationMs });

const minedLine = ({ block, attempts, durationMs }: MinedBlock): string =>
  `Mined block ${block.index}: proof ${block.proof}, hash ${block.hash}; ${formatCount(attempts)} attempts in ${formatDuration(durationMs)} ` +
  `(${formatRate(attempts, durationMs)}).\n`;

export function mineCommand(io: CliIo, finish: (exitCode: number) => void) {
  return new Command('mine')
    .description(
      "Mine blocks into the database directly (no server), as the server's mineBlock does: DIFFICULTY, MINER, MINING_THREADS and " +
        'DATA_MAX_BYTES apply. Progress shows on stderr when it is a terminal; Ctrl-C stops cleanly (exit 130), the block in progress unwritten.',
    )
    .option('--count <n>', 'blocks to mine', wholeNumber(1), 1)
    .option('--data <text>', 'payload stored in (and hashed with) each block')
    .option('--db <path>', DATABASE_OPTION_HELP, nonEmptyPath)
    .option('--database-url <url>', DATABASE_URL_OPTION_HELP, nonEmptyUrl)
    .option('--json', JSON_OPTION_HELP)
    .action(async (options) => {
      const json = options.json === true;
      const mined: MinedBlock[] = [];
      finish(
        await runCommand(io, json, async () => {
          const config = cliConfig(io, options);
          const { engine } = selectEngine(config.miner);
          const chain = await openChainForWriting(config);
          const trap = io.trapInterrupts();
          let proofSearch: ProofSearch | null = null;
          let ledger: Ledger | null = null;
          // Abandons the search at once; the block in progress is never written (an append is one transaction).
          const stop = (): void => void ledger?.close();
          trap.signal.addEventListener('abort', stop, { once: true });
          // The blocks mined before a failure are stored: --json lists them with the error.
          const failed = (failure: CliError): number => {
            printError(io, json, failure, json ? { blocks: mined.map(minedJson) } : {});
            return failure.exitCode;
          };
          const stopped = (): number =>
            failed(
              interrupted(trap.signal.reason, `mined ${mined.length} of ${options.count} block(s); the block in progress was not written.`),
            );
          try {
            const search = createPoolProofSearch({ engine: engine.name, threads: config.miningThreads });
            proofSearch = search;
            ledger = await createLedger({
              repository: chain.repository,
              proofSearch: search,
              difficulty: config.difficulty,
              dataMaxBytes: config.dataMaxBytes,
            });
            // Started with the pool: not counted in the first block's time.
            await search.ready;
            const running = ledger;
            for (let block = 1; block <= options.count; block++) {
              if (trap.signal.aborted) break;
              const progress = startProgressLine(io.stderr, () =>
                formatMiningProgress({
                  block,
                  count: options.count,
                  ...(running.miningProgress() ?? { attempts: 0, elapsedMs: 0, difficulty: config.difficulty }),
                }),
              );
              try {
                mined.push(await running.mineBlock({ data: options.data ?? null }));
              } finally {
                progress.stop();
              }
              if (!json) io.stdout.write(minedLine(mined[mined.length - 1]!));
            }
            if (trap.signal.aborted) return stopped();
            const tip = await running.tip();
            if (json) {
              writeJson(io.stdout, {
                database: chain.name,
                difficulty: config.difficulty,
                engine: engine.name,
                threads: search.threads,
                blocks: mined.map(minedJson),
                length: tip.index + 1,
              });
            } else if (options.count > 1) {
              const attempts = mined.reduce((sum, { attempts: each }) => sum + each, 0);
              const durationMs = mined.reduce((sum, { durationMs: each }) => sum + each, 0);
              io.stdout.write(
                `Mined ${mined.length} blocks in ${formatDuration(durationMs)} (${formatCount(attempts)} attempts, ${formatRate(attempts, durationMs)}); ` +
                  `the chain has ${tip.index + 1} blocks.\n`,
              );
            }
            return EXIT_OK;
          } catch (error) {
            return trap.signal.aborted ? stopped() : failed(toCliError(error, chain.name));
          } finally {
            trap.signal.removeEventListener('abort', stop);
            await ledger?.close();
            await proofSearch?.close();
            await chain.close();
            trap.release();
          }
        }),
      );
    });
}
