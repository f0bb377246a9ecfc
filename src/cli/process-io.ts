import type { CliIo, InterruptTrap } from './io.js';

const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

/** The real process: its streams and environment, and signals. */
export function processIo(): CliIo {
  // `export | head`: the reader is gone, so there is no one left to tell; end as a SIGPIPE would.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(141);
    throw error;
  });
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    trapInterrupts(): InterruptTrap {
      const controller = new AbortController();
      const onSignal = (signal: keyof typeof SIGNAL_EXIT_CODES): void => {
        // A second interrupt while stopping: the operator insists.
        if (controller.signal.aborted) process.exit(SIGNAL_EXIT_CODES[signal]);
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
