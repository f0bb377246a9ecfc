import type { Block } from '../core/block.js';
import type { Ledger, LedgerEvent, Unlisten } from '../ledger/ledger.js';
import { FeedClosedError } from './block-feed.js';
import { createEventStream, type EventStream } from './event-stream.js';

/** What the feed follows: mining events and the mine in progress (the ledger's own, or the cluster's: see cluster-mining.ts). */
export type MiningActivity = Pick<Ledger, 'listen' | 'miningProgress' | 'isClosed'>;

/** Where a mine stands: MINING in every update but the last. */
export type MiningState = 'MINING' | 'MINED' | 'ABANDONED';

/** One `MiningProgress` update, as the schema describes it. */
export interface MiningProgressUpdate {
  readonly index: number;
  readonly difficulty: number;
  readonly attempts: number;
  readonly expectedAttempts: number;
  readonly hashRate: number;
  readonly elapsedMs: number;
  readonly state: MiningState;
  readonly block: Block | null;
}

export interface MiningProgressFeedOptions {
  /** Time between two MINING updates while a mine runs, in ms. */
  readonly intervalMs?: number;
}

/** About four updates a second: smooth enough for a progress bar, cheap for the server. */
export const PROGRESS_INTERVAL_MS = 250;

interface MiningProgressFeed {
  /**
   * The updates of the mine in progress, or else of the next one to start;
   * the stream ends after the MINED or ABANDONED update (or when the feed closes).
   * `onEnd` runs when it ends for whatever reason.
   */
  open(onEnd?: () => void): AsyncIterableIterator<MiningProgressUpdate>;
  /** Streams open now. */
  subscriberCount(): number;
  /** Ends every stream and opens no more. */
  close(): void;
}

function progressUpdate(
  { index, difficulty, attempts, elapsedMs }: { index: number; difficulty: number; attempts: number; elapsedMs: number },
  state: MiningState,
  block: Block | null = null,
): MiningProgressUpdate {
  return {
    index,
    difficulty,
    attempts,
    // Exact: 16^12 = 2^48 is well inside a double's integers.
    expectedAttempts: 16 ** difficulty,
    hashRate: elapsedMs > 0 ? attempts / (elapsedMs / 1000) : 0,
    elapsedMs,
    state,
    block,
  };
}

/**
 * Follows mines for `miningProgress` subscribers: an update when a mine starts
 * (or at once, for a subscriber arriving during one), one every `intervalMs`
 * from a poll of `ledger.miningProgress()`, and a last one when it ends.
 * Every subscriber follows the same mine, so one timer serves them all; it
 * runs only while a mine runs and someone subscribes. A subscriber that does
 * not read keeps only the newest MINING update queued, plus the last one:
 * at most two.
 */
export function createMiningProgressFeed(
  ledger: MiningActivity,
  { intervalMs = PROGRESS_INTERVAL_MS }: MiningProgressFeedOptions = {},
): MiningProgressFeed {
  const subscribers = new Set<EventStream<MiningProgressUpdate>>();
  let unlisten: Unlisten | null = null;
  let ticker: NodeJS.Timeout | null = null;
  let closed = false;

  function sendProgress(): void {
    const progress = ledger.miningProgress();
    if (progress === null) return;
    const update = progressUpdate(progress, 'MINING');
    for (const stream of subscribers) stream.push(update, { replaceable: true });
  }

  function startTicker(): void {
    if (ticker !== null) return;
    ticker = setInterval(sendProgress, intervalMs);
    ticker.unref();
  }

  function stopTicker(): void {
    if (ticker !== null) clearInterval(ticker);
    ticker = null;
  }

  function onLedgerEvent(event: LedgerEvent): void {
    switch (event.type) {
      case 'mining-started':
        sendProgress();
        startTicker();
        break;
      case 'mining-ended': {
        stopTicker();
        const last = progressUpdate(event, event.outcome === 'mined' ? 'MINED' : 'ABANDONED', event.block);
        for (const stream of [...subscribers]) {
          stream.push(last);
          stream.end();
        }
        break;
      }
      case 'closed':
        close();
        break;
      default:
        break;
    }
  }

  function stop(): void {
    stopTicker();
    unlisten?.();
    unlisten = null;
  }

  function close(): void {
    closed = true;
    for (const stream of [...subscribers]) stream.end();
    stop();
  }

  return {
    open(onEnd = () => undefined) {
      if (closed || ledger.isClosed()) throw new FeedClosedError();
      if (subscribers.size === 0) unlisten = ledger.listen(onLedgerEvent);
      const stream = createEventStream<MiningProgressUpdate>(() => {
        subscribers.delete(stream);
        if (subscribers.size === 0) stop();
        onEnd();
      });
      subscribers.add(stream);
      const progress = ledger.miningProgress();
      if (progress !== null) {
        stream.push(progressUpdate(progress, 'MINING'), { replaceable: true });
        startTicker();
      }
      return stream.iterator;
    },
    subscriberCount: () => subscribers.size,
    close,
  };
}
