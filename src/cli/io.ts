import { EventEmitter } from 'node:events';
import { createAtomicFile } from '../chain-file/atomic-file.js';
import { verifyChainFile } from '../chain-file/verify-chain-file.js';
import { drainedOrClosed, type DrainableStream } from '../shared/drained.js';

/** Where the tool writes: the process's streams, or a test's capture. */
export interface CliOutput {
  write(text: string): unknown;
  /** A terminal: worth refreshing a progress line on. */
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface InterruptTrap {
  /** Aborted, with the signal's name as reason, on Ctrl-C (SIGINT) or SIGTERM. */
  readonly signal: AbortSignal;
  /** Restores the default: a signal ends the process at once. */
  release(): void;
}

/**
 * Where commands meet chain files on disk: tests wrap these to put faults
 * and changes exactly between two of a command's steps.
 */
export interface ChainFileAccess {
  /** Reads and validates a chain file (verify, and import's first pass). */
  readonly verifyChainFile: typeof verifyChainFile;
  /** Opens export's output: a temporary file renamed into place. */
  readonly createAtomicFile: typeof createAtomicFile;
}

export const DISK_CHAIN_FILES: ChainFileAccess = { verifyChainFile, createAtomicFile };

/** Everything a command touches outside its database, so that tests can run the tool in-process. */
export interface CliIo {
  readonly stdout: CliOutput;
  readonly stderr: CliOutput;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly chainFiles: ChainFileAccess;
  /**
   * For commands that must stop cleanly (stop the miner threads, remove a
   * temporary file): until `release`, an interrupt aborts the trap's signal
   * instead of ending the process. Other commands leave the default, under
   * which an interrupt ends the process and SQLite rolls back any open transaction.
   */
  trapInterrupts(): InterruptTrap;
}

/**
 * Writes `text`, then, when `output` is a stream that asks its writer to wait
 * (a pipe whose reader is slower than the database), waits for it to drain:
 * whatever reads the output, what is held in memory stays one piece. An
 * abort of `signal` (an interrupt) ends the wait.
 */
export async function writeInTurn(output: CliOutput, text: string, signal?: AbortSignal): Promise<void> {
  if (output.write(text) !== false) return;
  if (output instanceof EventEmitter && 'destroyed' in output) await drainedOrClosed(output as DrainableStream, signal);
}

/** Exit codes: the same for every command. */
export const EXIT_OK = 0;
/** The chain is not valid, or the operation was refused (nothing was written) or failed. */
export const EXIT_INVALID = 1;
/** A usage error, input that cannot be read or is no chain file, a bad configuration, a missing database. */
export const EXIT_USAGE = 2;
/** 128 + the signal's number, as shells report a process a signal ended: the signals a command stops cleanly on. */
export const EXIT_INTERRUPTED = { SIGINT: 130, SIGTERM: 143 } as const satisfies Partial<Record<NodeJS.Signals, number>>;
export type InterruptSignal = keyof typeof EXIT_INTERRUPTED;
/** stdout closed by its reader (`export | head`): what a SIGPIPE would have ended the process with. */
export const EXIT_BROKEN_PIPE = 141;

/** The exit code for an interrupt by `signal` (an InterruptTrap's abort reason); Ctrl-C's for anything else. */
export const interruptExitCode = (signal: unknown): number =>
  typeof signal === 'string' && signal in EXIT_INTERRUPTED ? EXIT_INTERRUPTED[signal as InterruptSignal] : EXIT_INTERRUPTED.SIGINT;
