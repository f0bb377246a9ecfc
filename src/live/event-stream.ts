/**
 * One subscriber's events: the feed pushes, the transport (yoga's SSE stream,
 * graphql-ws) pulls with `next()`. A transport that is not pulling (a client
 * that stopped reading: the socket's buffers are full) lets values queue up
 * here; `pending` says how many, and the feed decides what to do about it.
 *
 * Written out rather than as an async generator: `return()` on a generator
 * waiting for its next value is queued behind that wait and would never run
 * its cleanup; here `return()` ends the stream at once, even if it was never
 * pulled from.
 */
export interface EventStream<T> {
  /** What the transport iterates. */
  readonly iterator: AsyncIterableIterator<T>;
  /**
   * Queues `value`, or hands it to a waiting `next()`. With `replaceable`, it
   * replaces a queued value pushed with `replaceable` (a newer reading of the
   * same thing) rather than queueing behind it. Ignored once the stream ends.
   */
  push(value: T, options?: { readonly replaceable?: boolean }): void;
  /** No more values: the transport gets those queued, then the end. */
  end(): void;
  /** Drops the values queued and ends the stream with `value` as its last. */
  endWith(value: T): void;
  /** Values queued, not yet pulled. */
  readonly pending: number;
  /** Whether `end()` or `return()` has been called. */
  readonly ended: boolean;
}

/** `onEnd` runs once, at `end()` or when the transport stops pulling (`return()`, `throw()`), whichever is first. */
export function createEventStream<T>(onEnd: () => void): EventStream<T> {
  const queue: T[] = [];
  /** Whether the last queued value may be replaced by a newer one. */
  let lastReplaceable = false;
  const waiting: Array<(result: IteratorResult<T, undefined>) => void> = [];
  let ended = false;

  const finish = (): void => {
    if (ended) return;
    ended = true;
    onEnd();
  };
  const done = (): IteratorResult<T, undefined> => ({ done: true, value: undefined });
  const stop = (): Promise<IteratorResult<T, undefined>> => {
    finish();
    queue.length = 0;
    for (const resolve of waiting.splice(0)) resolve(done());
    return Promise.resolve(done());
  };

  const iterator: AsyncIterableIterator<T> = {
    next() {
      if (queue.length > 0) {
        const value = queue.shift() as T;
        if (queue.length === 0) lastReplaceable = false;
        return Promise.resolve({ done: false, value });
      }
      if (ended) return Promise.resolve(done());
      return new Promise((resolve) => waiting.push(resolve));
    },
    return: stop,
    async throw(error: unknown) {
      await stop();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };

  const push = (value: T, { replaceable = false }: { readonly replaceable?: boolean } = {}): void => {
    if (ended) return;
    const resolve = waiting.shift();
    if (resolve !== undefined) {
      resolve({ done: false, value });
      return;
    }
    if (replaceable && lastReplaceable) queue[queue.length - 1] = value;
    else queue.push(value);
    lastReplaceable = replaceable;
  };
  const end = (): void => {
    finish();
    // Someone waits only while nothing is queued.
    for (const resolve of waiting.splice(0)) resolve(done());
  };

  return {
    iterator,
    push,
    end,
    endWith(value) {
      if (ended) return;
      queue.length = 0;
      lastReplaceable = false;
      push(value);
      end();
    },
    get pending() {
      return queue.length;
    },
    get ended() {
      return ended;
    },
  };
}
