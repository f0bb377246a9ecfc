import { setTimeout as sleep } from 'node:timers/promises';
import { StorageError } from '../storage/errors.js';

/**
 * Runs a storage write, retrying while another connection holds
 * the write lock. The connection's own busy timeout is short because it
 * sleeps on the event loop; the waiting happens here, between attempts,
 * where queries keep being answered. Gives up (rethrowing the busy error)
 * after `waitMs` or when `signal` aborts.
 */
export async function retryWhileLocked<T>(
  write: () => Promise<T>,
  { waitMs, signal }: { waitMs: number; signal?: AbortSignal },
): Promise<T> {
  const deadline = performance.now() + waitMs;
  for (let pauseMs = 5; ; pauseMs = Math.min(pauseMs * 2, 100)) {
    try {
      return await write();
    } catch (error) {
      const locked = error instanceof StorageError && error.failure === 'busy';
      if (!locked || performance.now() + pauseMs > deadline || signal?.aborted === true) throw error;
    }
    await sleep(pauseMs);
  }
}
