import type { Block } from '../core/block.js';

/** What the ledger tells its listeners, synchronously and in the order it happens. */
export type LedgerEvent =
  /** A block this ledger mined is durably stored. Blocks other processes append are not reported: readers poll for them. */
  | { readonly type: 'block-appended'; readonly block: Block }
  /** A mine took its turn (mines waiting behind it have not started), after waiting `turnWaitMs` for the cluster's mining turn. */
  | { readonly type: 'mining-started'; readonly index: number; readonly difficulty: number; readonly turnWaitMs: number }
  /** The mine that started last is over: its block is stored (after its `block-appended`), or it was given up. */
  | MiningEnded
  /** `close()` is done: no mine runs, none will start, and no event follows. */
  | { readonly type: 'closed' };

export type MiningEnded = {
  readonly type: 'mining-ended';
  /** The index the block was mined for (it moves up when another writer extends the chain meanwhile). */
  readonly index: number;
  readonly difficulty: number;
  /** Proofs tried, over every round. */
  readonly attempts: number;
  /** Since the mine started, in ms. */
  readonly elapsedMs: number;
} & (
  | { readonly outcome: 'mined'; readonly block: Block }
  /**
   * Nothing was written. `abandoned`: given up because the ledger is closing.
   * `failed`: refused mid-mine (an invalid chain, damaged storage, another
   * difficulty), overtaken too often, or the proof search or the storage failed.
   */
  | { readonly outcome: 'abandoned' | 'failed'; readonly block: null }
);

export type LedgerListener = (event: LedgerEvent) => void;

/** Removes the listener it was returned for; calling it again does nothing. */
export type Unlisten = () => void;

export interface LedgerEvents {
  /**
   * Calls `listener` with every event from now on, synchronously, on the
   * thread that caused it: keep it short and let it not throw (what it throws
   * is reported and otherwise ignored: a mine never fails because of a listener).
   */
  listen(listener: LedgerListener): Unlisten;
  /** Listeners registered now: lets tests see that subscribers leave nothing behind. */
  listenerCount(): number;
}

/** The listener registry behind `Ledger.listen`, with the ledger's side: `emit`. */
export function createLedgerEvents(onListenerError: (error: unknown) => void): LedgerEvents & { emit(event: LedgerEvent): void } {
  /** One entry per `listen` call, so the same function may be registered twice and removed once. */
  const listeners = new Set<{ readonly listener: LedgerListener }>();
  return {
    listen(listener) {
      const entry = { listener };
      listeners.add(entry);
      return () => void listeners.delete(entry);
    },
    listenerCount: () => listeners.size,
    emit(event) {
      // Over a copy: a listener added meanwhile starts with the next event; one removed meanwhile is skipped.
      for (const entry of [...listeners]) {
        if (!listeners.has(entry)) continue;
        try {
          entry.listener(event);
        } catch (error) {
          onListenerError(error);
        }
      }
    },
  };
}
