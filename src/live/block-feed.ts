import type { Block } from '../core/block.js';
import type { Ledger, LedgerEvent, Unlisten } from '../ledger/ledger.js';
import { createEventStream, type EventStream } from './event-stream.js';

/** What a `blockMined` subscriber receives: each block, or the news that it fell too far behind (its last). */
export type BlockFeedEvent = { readonly block: Block } | { readonly tooSlow: { readonly queued: number } };

/** Calls `wake` whenever other processes may have appended blocks; returns how to stop. */
export type WakeUps = (wake: () => void) => () => void;

export interface BlockFeedOptions {
  /**
   * Notifications that other processes appended blocks (PostgreSQL's
   * LISTEN/NOTIFY, and its reconnections): each wakes a catch-up at once,
   * and the poll becomes a slow safety net.
   */
  readonly wakeUps?: WakeUps | null;
  /** How often to look for blocks other processes appended, while anyone subscribes, in ms (default: BLOCK_POLL_MS, or SAFETY_POLL_MS with `wakeUps`). */
  readonly pollMs?: number;
  /** Blocks queued for a subscriber that is not reading; one more ends it (SUBSCRIBER_TOO_SLOW). */
  readonly maxQueued?: number;
  /** Gets failures to read the chain (retried at the next poll). */
  readonly onError?: (error: unknown) => void;
  /** Hears of each block as it is published to subscribers (for metrics). */
  readonly onPublished?: (block: Block) => void;
}

const BLOCK_POLL_MS = 500;
/** The poll's period when notifications wake the feed: it only covers a notification lost without a reconnect. */
const SAFETY_POLL_MS = 5000;
const MAX_BLOCKS_QUEUED = 1000;
/** Blocks read per query while catching up. */
const CATCH_UP_PAGE = 100;

interface BlockFeed {
  /**
   * A stream of every block appended from now on, in index order, each once;
   * `onEnd` runs when it ends (the subscriber left, fell behind, or the feed closed).
   */
  open(onEnd?: () => void): Promise<AsyncIterableIterator<BlockFeedEvent>>;
  /** Streams open now. */
  subscriberCount(): number;
  /** Ends every stream (after the blocks already queued for it) and opens no more. */
  close(): void;
}

/**
 * Publishes each block appended to the chain to every subscriber, in index
 * order, exactly once. It remembers the last index published and reads the
 * blocks after it (`ledger.page`) whenever there may be new ones: at once when
 * this ledger appends one (a `block-appended` event), when a notification
 * (`wakeUps`) says another process committed some, and on a poll every
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
  {
    wakeUps = null,
    pollMs = wakeUps === null ? BLOCK_POLL_MS : SAFETY_POLL_MS,
    maxQueued = MAX_BLOCKS_QUEUED,
    onError = () => undefined,
    onPublished = () => undefined,
  }: BlockFeedOptions = {},
): BlockFeed {
  interface Subscriber {
    /** The chain's length when it subscribed: blocks below are not its. */
    readonly fromIndex: number;
    readonly stream: EventStream<BlockFeedEvent>;
  }
  const subscribers = new Set<Subscriber>();
  let unlisten: Unlisten | null = null;
  let stopWaking: (() => void) | null = null;
  let poll: NodeJS.Timeout | null = null;
  /** The start in progress or done while anyone subscribes; `null` when stopped. */
  let running: Promise<void> | null = null;
  let lastPublished = -1;
  let lastCounter = 0;
  /** A catch-up failed: try again at the next poll even if nobody else wrote. */
  let owed = false;
  /** The catch-up in progress, and whether another was asked for meanwhile. */
  let catchingUp: Promise<void> | null = null;
  let again = false;
  let closed = false;

  /** Publishes only the block after the last one published: events and catch-ups may both offer a block, and each goes out once, in order. */
  function publish(block: Block): void {
    if (block.index !== lastPublished + 1) return;
    lastPublished = block.index;
    const event = { block };
    for (const { fromIndex, stream } of subscribers) {
      if (block.index < fromIndex) continue;
      // Ending removes it from `subscribers`: deleting the current entry is safe while iterating a Set.
      if (stream.pending >= maxQueued) stream.endWith({ tooSlow: { queued: stream.pending } });
      else stream.push(event);
    }
    onPublished(block);
  }

  async function readMissed(): Promise<void> {
    // Subscribers that stop reading are ended at `maxQueued`: a long gap costs at most that many blocks' reading.
    while (subscribers.size > 0) {
      const { blocks } = await ledger.page({ afterIndex: lastPublished, limit: CATCH_UP_PAGE, from: 'first' });
      for (const block of blocks) publish(block);
      if (blocks.length < CATCH_UP_PAGE) break;
    }
  }

  /** Reads and publishes the blocks after the last one published; one catch-up at a time, repeated if asked for meanwhile. */
  function catchUp(): void {
    if (catchingUp !== null) {
      again = true;
      return;
    }
    catchingUp = (async () => {
      do {
        again = false;
        try {
          await readMissed();
          owed = false;
        } catch (error) {
          owed = true;
          onError(error);
        }
      } while (again && subscribers.size > 0);
      catchingUp = null;
    })();
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

  async function pollOtherWriters(): Promise<void> {
    try {
      const counter = await ledger.externalChangeCounter();
      if (counter === lastCounter && !owed) return;
      lastCounter = counter;
    } catch (error) {
      onError(error);
      return;
    }
    catchUp();
  }

  async function start(): Promise<void> {
    // Listening first, so that no block this process appends meanwhile goes unheard; the
    // first subscriber's catch-up (in `open`) publishes any that the reads below missed.
    const listening = ledger.listen(onLedgerEvent);
    unlisten = listening;
    stopWaking = wakeUps?.(catchUp) ?? null;
    try {
      // The counter before the length: another process's block landing between them changes the counter, so the next poll reads it.
      const counter = await ledger.externalChangeCounter();
      const length = await ledger.length();
      // Closed while reading: nothing to listen for (`started` refuses the subscriber).
      if (closed) return;
      lastCounter = counter;
      lastPublished = length - 1;
      owed = false;
      poll = setInterval(() => void pollOtherWriters(), pollMs);
      poll.unref();
    } catch (error) {
      listening();
      if (unlisten === listening) unlisten = null;
      stopWaking?.();
      stopWaking = null;
      throw error;
    }
  }

  function stop(): void {
    running = null;
    unlisten?.();
    unlisten = null;
    stopWaking?.();
    stopWaking = null;
    if (poll !== null) clearInterval(poll);
    poll = null;
  }

  function close(): void {
    closed = true;
    for (const { stream } of [...subscribers]) stream.end();
    stop();
  }

  /** Starts the feed unless it runs; a stop while starting (the last subscriber left) means starting again. */
  async function started(): Promise<void> {
    for (;;) {
      const starting = (running ??= start().catch((error: unknown) => {
        running = null;
        throw error;
      }));
      await starting;
      if (closed) throw new FeedClosedError();
      if (running === starting) return;
    }
  }

  return {
    async open(onEnd = () => undefined) {
      if (closed || ledger.isClosed()) throw new FeedClosedError();
      await started();
      const subscriber: Subscriber = {
        // From the next block the feed publishes: blocks it is still catching up on were appended before this subscription.
        fromIndex: lastPublished + 1,
        stream: createEventStream<BlockFeedEvent>(() => {
          subscribers.delete(subscriber);
          if (subscribers.size === 0) stop();
          onEnd();
        }),
      };
      subscribers.add(subscriber);
      // The first subscriber of a start: blocks appended while the feed started reach it now.
      if (subscribers.size === 1) catchUp();
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
