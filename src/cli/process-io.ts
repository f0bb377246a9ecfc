import { DISK_CHAIN_FILES, EXIT_BROKEN_PIPE, EXIT_INTERRUPTED, type CliIo, type InterruptSignal, type InterruptTrap } from './io.js';

/** The real process: its streams and environment, and signals. */
export function processIo(): CliIo {
  // `export | head`: the reader is gone, so there is no one left to tell; end as a SIGPIPE would.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT_BROKEN_PIPE);
    throw error;
  });
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    chainFiles: DISK_CHAIN_FILES,
    trapInterrupts(): InterruptTrap {
      const controller = new AbortController();
      const onSignal = (signal: InterruptSignal): void => {
        // A second interrupt while stopping: the operator insists.
        if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED[signal]);
        controller.abort(signal);
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      return {
        signal: controller.signal,
        release() {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        },
      };
    },
  };
}
