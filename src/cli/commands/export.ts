import { lstatSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Command } from '@commander-js/extra-typings';
import type { AtomicFile } from '../../chain-file/atomic-file.js';
import { notebookChainJsonChunksOf } from '../../core/notebook-chain-json.js';
import { cliConfig, openChainForReading } from '../database-access.js';
import { CliError, interrupted, toCliError } from '../errors.js';
import { EXIT_OK, writeInTurn, type CliIo } from '../io.js';
import { DATABASE_OPTION_HELP, DATABASE_URL_OPTION_HELP, nonEmptyPath, nonEmptyUrl, wholeNumber } from '../options.js';
import { runCommand } from '../run-command.js';

/** Blocks read per query (fewer when they are large: see PAGE_DATA_BYTES). */
const BATCH_SIZE = 1000;

/** Blocks with `from <= index < end`, a batch at a time (keyset pages). */
const errnoCode = (error: unknown): string | null => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
};

/** What the OS said, without Node's "EACCES: " prefix and the path after it ("permission denied"). */
const errnoReason = (error: unknown): string => {
  const message = error instanceof Error ? error.message : String(error);
  return /^[A-Z]+: ([^,]+)/.exec(message)?.[1] ?? message;
};

/** The target cannot be a file of ours: a usage error, like an unreadable input. */
const UNWRITABLE_CODES = new Set(['EACCES', 'EPERM', 'EISDIR', 'EROFS', 'ENOENT', 'ENOTDIR', 'ENAMETOOLONG', 'ELOOP', 'ETXTBSY', 'EEXIST']);
const FULL_CODES = new Set(['ENOSPC', 'EDQUOT']);

const unwritable = (path: string, why: string, cause?: unknown): CliError =>
  new CliError('OUTPUT_UNWRITABLE', `Cannot write ${resolve(path)}: ${why}`, { cause });

/** A failure creating, writing or renaming the output file, naming it and the OS's reason. */
function outputFailure(path: string, error: unknown): CliError {
  if (error instanceof CliError) return error;
  const code = errnoCode(error);
  const reason = `${errnoReason(error)}${code === null ? '' : ` (${code})`}`;
  if (code !== null && FULL_CODES.has(code)) {
    return new CliError('STORAGE_FULL', `Cannot write ${resolve(path)}: ${reason}; no file was written.`, { cause: error });
  }
  if (code !== null && UNWRITABLE_CODES.has(code)) return unwritable(path, `${reason}.`, error);
  return new CliError('OUTPUT_FAILED', `Cannot write ${resolve(path)}: ${reason}; no file was written.`, { cause: error });
}

/**
 * Refuses, before any work, an --out the file cannot be renamed onto: a
 * directory, a device or pipe, or a path whose folder does not exist. A
 * symbolic link is fine: like any existing file, it is replaced.
 */
function checkOutputTarget(path: string): void {
  let target;
  try {
    target = lstatSync(path);
  } catch (error) {
    const code = errnoCode(error);
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw outputFailure(path, error);
    const folder = dirname(resolve(path));
    let parent;
    try {
      parent = statSync(folder);
    } catch (folderError) {
      const folderCode = errnoCode(folderError);
      if (folderCode === 'ENOENT' || folderCode === 'ENOTDIR') throw unwritable(path, `the folder ${folder} does not exist.`, folderError);
      throw outputFailure(path, folderError);
    }
    if (!parent.isDirectory()) throw unwritable(path, `${folder} is not a folder.`);
    return;
  }
  if (target.isDirectory()) throw unwritable(path, 'it is a directory.');
  if (!target.isFile() && !target.isSymbolicLink())
    throw unwritable(path, 'it is not a regular file (a device, pipe or socket is not replaced).');
}

function openOutput(io: CliIo, path: string): AtomicFile {
  try {
    return io.chainFiles.createAtomicFile(path);
  } catch (error) {
    throw outputFailure(path, error);
  }
}

export function exportCommand(io: CliIo, finish: (exitCode: number) => void) {
  return new Command('export')
    .description(
      "Write the stored chain as a chain file (the notebook's GET /blocks body). With --from/--limit, a slice: " +
        'its "length" stays the whole chain\'s, so verify and import know it for a partial export.',
    )
    .option('--out <file>', 'write to this file (atomically: a temporary file renamed into place) instead of stdout', nonEmptyPath)
    .option('--from <n>', 'first block index to export', wholeNumber(0), 0)
    .option('--limit <m>', 'export at most m blocks', wholeNumber(1))
    .option('--db <path>', DATABASE_OPTION_HELP, nonEmptyPath)
    .option('--database-url <url>', DATABASE_URL_OPTION_HELP, nonEmptyUrl)
    .action(async (options) => {
      finish(
        await runCommand(io, false, async () => {
          const config = cliConfig(io, options);
          if (options.out !== undefined) checkOutputTarget(options.out);
          const chain = await openChainForReading(config);
          const trap = io.trapInterrupts();
          let output: { readonly path: string; readonly file: AtomicFile } | null = null;
          /** Runs a step on the output file, reporting its failure with the file's path and the OS's reason. */
          const onOutput = (
            { path, file }: { readonly path: string; readonly file: AtomicFile },
            step: (file: AtomicFile) => void,
          ): void => {
            try {
              step(file);
            } catch (error) {
              throw outputFailure(path, error);
            }
          };
          try {
            const { reader } = chain;
            // Blocks are only ever appended: the chain up to the tip read now is what is exported, whatever is mined meanwhile.
            const length = await reader.length();
            const { from, limit } = options;
            if (from > 0 && from >= length) {
              throw new CliError(
                'BAD_RANGE',
                `--from ${from} is past the tip: the chain has ${length} block(s), indices 0 to ${length - 1}.`,
              );
            }
            const end = limit === undefined ? length : Math.min(length, from + limit);
            output = options.out === undefined ? null : { path: options.out, file: openOutput(io, options.out) };
            const target = output;
            const write =
              target === null
                ? (text: string) => writeInTurn(io.stdout, text, trap.signal)
                : (text: string) => Promise.resolve(onOutput(target, (file) => file.write(text)));
            for await (const piece of notebookChainJsonChunksOf(reader.batches(BATCH_SIZE, { from, end }), { length })) {
              await write(piece);
              // Between pieces, so that an interrupt can remove the temporary file.
              await nextTurn();
              if (trap.signal.aborted) {
                throw interrupted(
                  trap.signal.reason,
                  target === null
                    ? 'the export was stopped; what reached stdout is incomplete.'
                    : 'the export was stopped; no file was written.',
                );
              }
            }
            if (target !== null) {
              onOutput(target, (file) => file.commit());
              const exported = Math.max(0, end - from);
              io.stdout.write(
                `Exported ${exported} block(s)${exported === 0 ? '' : `, ${from} to ${end - 1},`} of a ${length}-block chain to ${resolve(target.path)}.\n`,
              );
            }
            return EXIT_OK;
          } catch (error) {
            output?.file.discard();
            // Storage failures name the database; the output's own failures already name the file.
            throw toCliError(error, chain.name);
          } finally {
            trap.release();
            await chain.close();
          }
        }),
      );
    });
}
