import type { EventEmitter } from 'node:events';

/** A stream being written to: an HTTP response, a socket, stdout. */
export interface DrainableStream extends EventEmitter {
  readonly destroyed: boolean;
}

/**
 * Resolves once `stream` has room again ('drain') or is gone ('close'),
 * whichever comes first: the writer's backpressure, without waiting forever
 * on a reader that left.
 */
export function drainedOrClosed(stream: DrainableStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed) {
      resolve();
      return;
    }
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}
