import type { EventEmitter } from 'node:events';

/** A stream being written to: an HTTP response, a socket, stdout. */
export interface DrainableStream extends EventEmitter {
  readonly destroyed: boolean;
}

/**
 * Resolves once `stream` has room again ('drain') or is gone ('close'), or
 * `signal` aborts, whichever comes first: the writer's backpressure, without
 * waiting forever on a reader that left or past an interrupt.
 */
export function drainedOrClosed(stream: DrainableStream, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || signal?.aborted === true) {
      resolve();
      return;
    }
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
    signal?.addEventListener('abort', done);
  });
}
