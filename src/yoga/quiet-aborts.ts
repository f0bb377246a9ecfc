import type { YogaLogger } from 'graphql-yoga';

/** Node's error for a request whose client closed the connection before sending all of its body. */
function isClientAbort(value: unknown): value is Error {
  return value instanceof Error && (value as NodeJS.ErrnoException).code === 'ECONNRESET' && value.message === 'aborted';
}

/**
 * yoga logs a request whose client went away mid-body as an error with its
 * stack, twice: seven lines each for an everyday event that a probe's log
 * showed 1,200 times. This logger turns it into one line, once per request.
 */
export function quietClientAborts(logger: YogaLogger): YogaLogger {
  const reported = new WeakSet<Error>();
  return {
    debug: (...args: unknown[]) => logger.debug(...args),
    info: (...args: unknown[]) => logger.info(...args),
    warn: (...args: unknown[]) => logger.warn(...args),
    error: (...args: unknown[]) => {
      const abort = args.find(isClientAbort);
      if (abort === undefined) return logger.error(...args);
      if (reported.has(abort)) return;
      reported.add(abort);
      logger.info('A client closed its connection before sending the whole request; nothing was done for it.');
    },
  };
}
