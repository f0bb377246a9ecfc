import { resolve } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Command } from '@commander-js/extra-typings';
import { createAtomicFile, type AtomicFile } from '../../chain-file/atomic-file.js';
import type { Block } from '../../core/block.js';
import { seedChainJsonChunks } from '../../core/seed-chain-json.js';
import { createChainRepository, type ChainRepository } from '../../storage/chain-repository.js';
import { cliConfig, openDatabaseForReading } from '../database-access.js';
import { CliError, interrupted } from '../errors.js';
import { EXIT_OK, EXIT_USAGE, type CliIo } from '../io.js';
import { DATABASE_OPTION_HELP, nonEmptyPath, wholeNumber } from '../options.js';
import { runCommand } from '../run-command.js';

/** Blocks read per query, and written per piece of output. */
const BATCH_SIZE = 1000;

/** Blocks with `from <= index < end`, a batch at a time (keyset pages). */
function* blocksBetween(repository: ChainRepository, from: number, end: number): Generator<Block[], void, undefined> {
  let afterIndex = from - 1;
  while (afterIndex + 1 < end) {
    const batch = repository.range({ afterIndex, beforeIndex: end, limit: BATCH_SIZE, from: 'first' });
    if (batch.length === 0) return;
    yield batch;
    afterIndex = batch[batch.length - 1]!.index;
  }
}

function openOutput(path: string): AtomicFile {
  try {
    return createAtomicFile(path);
  } catch (error) {
    const reason = (error as { message?: unknown }).message;
    throw new CliError('OUTPUT_UNWRITABLE', `Cannot write ${resolve(path)}: ${String(reason)}`, EXIT_USAGE, { cause: error });
  }
}

export function exportCommand(io: CliIo, finish: (exitCode: number) => void) {
  return new Command('export')
    .description(
      'Write the stored chain as a chain file (the seed\'s GET /blocks body). With --from/--limit, a slice: ' +
        'its "length" stays the whole chain\'s, so verify and import know it for a partial export.',
    )
    .option('--out <file>', 'write to this file (atomically: a temporary file renamed into place) instead of stdout', nonEmptyPath)
    .option('--from <n>', 'first block index to export', wholeNumber(0), 0)
    .option('--limit <m>', 'export at most m blocks', wholeNumber(1))
    .option('--db <path>', DATABASE_OPTION_HELP, nonEmptyPath)
    .action(async (options) => {
      finish(
        await runCommand(io, false, async () => {
          const { databasePath } = cliConfig(io, options.db);
          const database = openDatabaseForReading(databasePath);
          const trap = io.trapInterrupts();
          let output: AtomicFile | null = null;
          try {
            const repository = createChainRepository(database);
            // Blocks are only ever appended: the chain up to the tip read now is what is exported, whatever is mined meanwhile.
            const length = repository.length();
            const { from, limit } = options;
            if (from > 0 && from >= length) {
              throw new CliError('BAD_RANGE', `--from ${from} is past the tip: the chain has ${length} block(s), indices 0 to ${length - 1}.`, EXIT_USAGE);
            }
            const end = limit === undefined ? length : Math.min(length, from + limit);
            output = options.out === undefined ? null : openOutput(options.out);
            const file = output;
            const write = file === null ? (text: string) => io.stdout.write(text) : (text: string) => file.write(text);
            for (const piece of seedChainJsonChunks(blocksBetween(repository, from, end), { length })) {
              write(piece);
              // Between batches, so that an interrupt can remove the temporary file.
              await nextTurn();
              if (trap.signal.aborted) {
                throw interrupted(trap.signal.reason, output === null ? 'the export was stopped; what reached stdout is incomplete.' : 'the export was stopped; no file was written.');
              }
            }
            output?.commit();
            if (options.out !== undefined) {
              const exported = Math.max(0, end - from);
              io.stdout.write(
                `Exported ${exported} block(s)${exported === 0 ? '' : `, ${from} to ${end - 1},`} of a ${length}-block chain to ${resolve(options.out)}.\n`,
              );
            }
            return EXIT_OK;
          } catch (error) {
            output?.discard();
            throw error;
          } finally {
            trap.release();
            database.close();
          }
        }),
      );
    });
}
