import { existsSync, rmdirSync, statSync, truncateSync, unlinkSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Command } from '@commander-js/extra-typings';
import type { Config } from '../../config.js';
import type { ChainFileSummary } from '../../chain-file/chain-json-parser.js';
import { STDIN_PATH } from '../../chain-file/file-input.js';
import { readChainFile } from '../../chain-file/read-chain-file.js';
import { revalidated } from '../../chain-file/verify-chain-file.js';
import type { Block } from '../../core/block.js';
import { createChainValidator } from '../../core/chain-validation.js';
import { cliConfig, databaseName, naming, openChainForReading, openChainForWriting, type ChainForWriting } from '../database-access.js';
import { CliError, interrupted, toCliError } from '../errors.js';
import { EXIT_INVALID, EXIT_OK, type CliIo } from '../io.js';
import { DATABASE_OPTION_HELP, DATABASE_URL_OPTION_HELP, JSON_OPTION_HELP, nonEmptyPath, nonEmptyUrl } from '../options.js';
import { reportJson, reportText, writeJson, type ValidationReport } from '../report.js';
import { printError, runCommand } from '../run-command.js';

const notEmpty = (name: string, length: number): CliError =>
  new CliError(
    'DATABASE_NOT_EMPTY',
    `The database ${name} already holds ${length} block(s); import loads a chain into an empty database only. Nothing was written.`,
  );

/** SQLite's files beside a database, created as it is written. */
const SIDE_FILES = ['-wal', '-shm', '-journal'];

/**
 * What was at the database path before the import, so that a failed or
 * interrupted import leaves it as it found it: `missing` (the import creates
 * the file, and the folders listed, deepest first), `blank` (a file of 0
 * bytes, which SQLite takes for an empty database), or `empty-ledger`;
 * `server` for PostgreSQL, where the rolled-back transaction is all the cleaning up.
 */
type DatabaseTarget =
  | { readonly kind: 'missing'; readonly folders: readonly string[] }
  | { readonly kind: 'blank' }
  | { readonly kind: 'empty-ledger' }
  | { readonly kind: 'server' };

/** Folders that do not exist yet on the way to `path`, deepest first. */
function missingFolders(path: string): string[] {
  const folders: string[] = [];
  for (let folder = dirname(resolve(path)); !existsSync(folder) && dirname(folder) !== folder; folder = dirname(folder))
    folders.push(folder);
  return folders;
}

/**
 * Looks at the database path without writing to it: a file that is not a
 * ledger database, or a ledger that holds blocks, is refused as it is (opened
 * read-only: no write-ahead log, no migrations), before the chain file is read.
 */
async function inspectTarget(config: Config): Promise<DatabaseTarget> {
  const path = config.databasePath;
  if (!existsSync(path)) return { kind: 'missing', folders: missingFolders(path) };
  const stats = statSync(path);
  if (stats.isFile() && stats.size === 0 && !existsSync(`${path}-wal`)) return { kind: 'blank' };
  const chain = await openChainForReading(config);
  try {
    const length = await naming(chain.name, () => chain.reader.length());
    if (length > 0) throw notEmpty(chain.name, length);
  } finally {
    await chain.close();
  }
  return { kind: 'empty-ledger' };
}

const removeIfThere = (path: string): void => {
  try {
    unlinkSync(path);
  } catch {
    // Not there, which is the point.
  }
};

/** Puts the database path back as `inspectTarget` found it, once the import's connection is closed. */
function restoreTarget(path: string, target: DatabaseTarget): void {
  if (target.kind === 'empty-ledger' || target.kind === 'server') return; // Its transaction rolled back: nothing of the import is in it.
  for (const suffix of SIDE_FILES) removeIfThere(`${path}${suffix}`);
  if (target.kind === 'blank') {
    truncateSync(path, 0);
    return;
  }
  removeIfThere(path);
  for (const folder of target.folders) {
    try {
      rmdirSync(folder);
    } catch {
      // Not empty (something else was put there meanwhile) or gone: left alone.
    }
  }
}

const whatWasLeft = (name: string, target: DatabaseTarget): string =>
  target.kind === 'missing'
    ? `nothing was imported, and ${name}, which the import had created, was removed.`
    : target.kind === 'blank'
      ? `nothing was imported; ${name} was left empty, as it was.`
      : `nothing was imported; the database ${name} was left as it was.`;

/** A file can be read a second time: not standard input, a pipe or a FIFO. */
function canReadTwice(file: string): boolean {
  if (file === STDIN_PATH) return false;
  try {
    return statSync(file).isFile();
  } catch {
    return true; // The first pass says why it cannot be read.
  }
}

/** Thrown into the import by a single-pass reading at the first block that does not validate: the import rolls back. */
class ChainRefused extends Error {
  override readonly name = 'ChainRefused';
}

/**
 * For input that can be read only once (standard input, a pipe): the blocks
 * are validated as they are inserted, and at the first problem the import
 * is stopped (rolled back); `report` then reads the rest, for the same
 * report a verify pass would have given.
 */
function singlePass(file: string) {
  const reader = readChainFile(file);
  const validator = createChainValidator();
  return {
    *blocks(): Generator<Block, void, undefined> {
      for (;;) {
        const next = reader.next();
        if (next.done) return;
        validator.add(next.value);
        if (!validator.result().valid) throw new ChainRefused('the chain does not validate');
        yield next.value;
      }
    },
    async report(signal: AbortSignal): Promise<ValidationReport> {
      for (let count = 1; ; count++) {
        const next = reader.next();
        if (next.done) return validator.result();
        validator.add(next.value);
        if (count % 1000 === 0) {
          await nextTurn();
          signal.throwIfAborted();
        }
      }
    },
    close(): void {
      // Closes the file, if the reading stopped before its end.
      reader.return(undefined as unknown as ChainFileSummary);
    },
  };
}

export function importCommand(io: CliIo, finish: (exitCode: number) => void) {
  return new Command('import')
    .description(
      'Verify a chain file, then load it into an empty database (created if missing) in one transaction. ' +
        'A database that holds any block, or a chain that does not validate, is refused and nothing is written; ' +
        'a database file the import created is removed again if it fails or is interrupted.',
    )
    .argument('<file>', "chain file, as export writes it or the notebook's GET /blocks served it; - reads standard input")
    .option('--db <path>', DATABASE_OPTION_HELP, nonEmptyPath)
    .option('--database-url <url>', DATABASE_URL_OPTION_HELP, nonEmptyUrl)
    .option('--json', JSON_OPTION_HELP)
    .action(async (file, options) => {
      const json = options.json === true;
      const input = file === STDIN_PATH ? STDIN_PATH : resolve(file);
      const inputName = file === STDIN_PATH ? 'standard input' : input;

      const refuse = (result: ValidationReport): number => {
        const subject = { file: input };
        const failure = new CliError('CHAIN_INVALID', `Nothing was imported: the chain in ${inputName} is not valid.`);
        if (json) {
          printError(io, json, failure, { validation: reportJson(result, subject) });
        } else {
          io.stdout.write(reportText(result, subject));
          printError(io, json, failure);
        }
        return EXIT_INVALID;
      };

      finish(
        await runCommand(
          io,
          json,
          async () => {
            const config = cliConfig(io, options);
            const { databasePath } = config;
            const name = databaseName(config);
            // The database is looked at first, so a refusal costs no pass over the file.
            let chain: ChainForWriting | null = null;
            let target: DatabaseTarget;
            if (config.databaseUrl === null) {
              target = await inspectTarget(config);
            } else {
              // PostgreSQL: the import's own connection, migrated as the server would; the transaction is the whole of the cleanup.
              target = { kind: 'server' };
              chain = await openChainForWriting(config);
            }
            const reread = canReadTwice(file);
            try {
              const length = chain === null ? 0 : await naming(name, () => chain!.repository.length());
              if (length > 0) throw notEmpty(name, length);
              if (reread) {
                // A chain that does not validate is refused before the database is created or opened for writing.
                const { result } = io.chainFiles.verifyChainFile(file);
                if (!result.valid) {
                  await chain?.close();
                  return refuse(result);
                }
              }
            } catch (error) {
              await chain?.close();
              throw error;
            }

            // From here on the database is written: an interrupt stops the import and cleans up instead of ending the process.
            const trap = io.trapInterrupts();
            const once = reread ? null : singlePass(file);
            let imported = false;
            let othersWrote = false;
            try {
              trap.signal.throwIfAborted();
              chain ??= await openChainForWriting(config);
              // A file read twice is validated again as it is inserted: it may have changed since it was verified.
              const blocks = once === null ? revalidated(readChainFile(file)) : once.blocks();
              const outcome = await chain.repository.importChain(blocks, { signal: trap.signal });
              if (outcome.status === 'not-empty') {
                othersWrote = true;
                throw notEmpty(name, outcome.length);
              }
              imported = true;
              const summary = {
                imported: true,
                file: input,
                database: name,
                length: outcome.count,
                tipHash: outcome.tip?.hash ?? null,
              };
              if (json) writeJson(io.stdout, summary);
              else io.stdout.write(`Imported ${summary.length} block(s) into ${summary.database}; tip hash ${summary.tipHash}.\n`);
              return EXIT_OK;
            } catch (error) {
              if (trap.signal.aborted) throw interrupted(trap.signal.reason, whatWasLeft(name, target));
              if (error instanceof ChainRefused && once !== null) {
                try {
                  return refuse(await once.report(trap.signal));
                } catch (reading) {
                  if (trap.signal.aborted) throw interrupted(trap.signal.reason, whatWasLeft(name, target));
                  throw reading;
                }
              }
              throw toCliError(error, name, file);
            } finally {
              once?.close();
              await chain?.close();
              // A database someone else filled meanwhile is theirs, not this import's to remove.
              if (!imported && !othersWrote) restoreTarget(databasePath, target);
              trap.release();
            }
          },
          { chainFile: file },
        ),
      );
    });
}
