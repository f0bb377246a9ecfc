import type { Block } from '../core/block.js';
import type { Ledger, LedgerEvent, Unlisten } from '../ledger/ledger.js';
import { createEventStream, type EventStream } from './event-stream.js';

/** What a `blockMined` subscriber receives: each block, or the news that it fell too far behind (its last). */
export type BlockFeedEvent = { readonly block: Block } | { readonly tooSlow: { readonly queued: number } };

export interface BlockFeedOptions {
  /** How often to look for blocks other processes appended, while anyone subscribes, in ms. */
  readonly pollMs?: number;
  /** Blocks queued for a subscriber that is not reading; one more ends it (SUBSCRIBER_TOO_SLOW). */
  readonly maxQueued?: number;
  /** Gets failures to read the chain (retried at the next poll). */
  readonly onError?: (error: unknown) => void;
}

export const BLOCK_POLL_MS = 500;
export const MAX_BLOCKS_QUEUED = 1000;
/** Blocks read per query while catching up. */
const CATCH_UP_PAGE = 100;

export interface BlockFeed {
  /**
   * A stream of every block appended from now on, in index order, each once;
   * `onEnd` runs when it ends (the subscriber left, fell behind, or the feed closed).
   */
  open(onEnd?: () => void): AsyncIterableIterator<BlockFeedEvent>;
  /** Streams open now. */
  subscriberCount(): number;
  /** Ends every stream (after the blocks already queued for it) and opens no more. */
  close(): void;
}

/**
 * Publishes each block appended to the chain to every subscriber, in index
 * order, exactly once. It remembers the last index published and reads the
 * blocks after it (`ledger.page`) whenever there may be new ones: at once when
 * this ledger appends one (a `block-appended` event), and on a poll every
 * `pollMs` when another process has written to the database. Nothing runs
 * while nobody subscribes: no ledger listener, no timer.
 *
 * Each subscriber has its own queue, which fills only when its client stops
 * reading (the transport pulls as the socket drains). Past `maxQueued` blocks
 * the subscriber is ended with a last event saying so, never by skipping
 * blocks; the queue is dropped at once.
 */
export function createBlockFeed(
  ledger: Ledger,
  { pollMs = BLOCK_POLL_MS, maxQueued = MAX_BLOCKS_QUEUED, onError = () => undefined }: BlockFeedOptions = {},
): BlockFeed {
  interface Subscriber {
    /** The chain's length when it subscribed: blocks below are not its. */
    readonly fromIndex: number;
    readonly stream: EventStream<BlockFeedEvent>;
  }
  const subscribers = new Set<Subscriber>();
  let unlisten: Unlisten | null = null;
  let poll: NodeJS.Timeout | null = null;
  let lastPublished = -1;
  let lastCounter = 0;
  /** A catch-up failed: try again at the next poll even if nobody else wrote. */
  let owed = false;
  let closed = false;

  function publish(block: Block): void {
    lastPublished = block.index;
    const event = { block };
    for (const { fromIndex, stream } of subscribers) {
      if (block.index < fromIndex) continue;
      // Ending removes it from `subscribers`: deleting the current entry is safe while iterating a Set.
      if (stream.pending >= maxQueued) stream.endWith({ tooSlow: { queued: stream.pending } });
      else stream.push(event);
    }
  }

  function catchUp(): void {
    try {
      // Subscribers that stop reading are ended at `maxQueued`: a long gap costs at most that many blocks' reading.
      while (subscribers.size > 0) {
        const { blocks } = ledger.page({ afterIndex: lastPublished, limit: CATCH_UP_PAGE, from: 'first' });
        for (const block of blocks) publish(block);
        if (blocks.length < CATCH_UP_PAGE) break;
      }
      owed = false;
    } catch (error) {
      owed = true;
      onError(error);
    }
  }

  function onLedgerEvent(event: LedgerEvent): void {
    if (event.type === 'block-appended') {
      const { block } = event;
      if (block.index === lastPublished + 1) publish(block);
      // Another process appended the ones before it since the last poll.
      else if (block.index > lastPublished) catchUp();
    } else if (event.type === 'closed') {
      close();
    }
  }

  function pollOtherWriters(): void {
    try {
      const counter = ledger.externalChangeCounter();
      if (counter === lastCounter && !owed) return;
      lastCounter = counter;
    } catch (error) {
      onError(error);
      return;
    }
    catchUp();
  }

  function start(): void {
    lastCounter = ledger.externalChangeCounter();
    lastPublished = ledger.length() - 1;
    owed = false;
    unlisten = ledger.listen(onLedgerEvent);
    poll = setInterval(pollOtherWriters, pollMs);
    poll.unref();
  }

  function stop(): void {
    unlisten?.();
    unlisten = null;
    if (poll !== null) clearInterval(poll);
    poll = null;
  }

  function close(): void {
    closed = true;
    for (const { stream } of [...subscribers]) stream.end();
    stop();
  }

  return {
    open(onEnd = () => undefined) {
      if (closed || ledger.isClosed()) throw new FeedClosedError();
      const fromIndex = ledger.length();
      if (subscribers.size === 0) start();
      const subscriber: Subscriber = {
        fromIndex,
        stream: createEventStream<BlockFeedEvent>(() => {
          subscribers.delete(subscriber);
          if (subscribers.size === 0) stop();
          onEnd();
        }),
      };
      subscribers.add(subscriber);
      return subscriber.stream.iterator;
    },
    subscriberCount: () => subscribers.size,
    close,
  };
}

/** The feed (the server) is shutting down: no new subscriptions. */
export class FeedClosedError extends Error {
  override readonly name = 'FeedClosedError';
  constructor() {
    super('The server is shutting down.');
  }
}
