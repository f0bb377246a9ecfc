import { LedgerError } from '../ledger/errors.js';
import type { Ledger } from '../ledger/ledger.js';
import { createBlockFeed, FeedClosedError, type BlockFeedEvent, type BlockFeedOptions } from './block-feed.js';
import {
  createMiningProgressFeed,
  type MiningActivity,
  type MiningProgressFeedOptions,
  type MiningProgressUpdate,
} from './mining-progress-feed.js';
import { createSubscriptionLimits, SUBSCRIPTION_LIMITS, type SubscriptionLimitOptions } from './subscription-limits.js';

export type { BlockFeedEvent, MiningProgressUpdate };
export type { MiningState } from './mining-progress-feed.js';

/** The sources of the Subscription fields, shared by every request and both transports. */
export interface LiveFeeds {
  /**
   * A `blockMined` stream for `client` (see clientKey). Throws a RequestError
   * (SUBSCRIPTION_LIMIT) or a LedgerError (SHUTTING_DOWN, or a failed read).
   */
  blockMined(client: string): Promise<AsyncIterableIterator<BlockFeedEvent>>;
  /** A `miningProgress` stream for `client`; throws SUBSCRIPTION_LIMIT or SHUTTING_DOWN. */
  miningProgress(client: string): AsyncIterableIterator<MiningProgressUpdate>;
  /** Subscriptions open now, per field: both return to 0 once every subscriber has gone. */
  subscriberCounts(): { readonly blockMined: number; readonly miningProgress: number };
  /** Ends every subscription (queued blocks are still delivered) and accepts no more. */
  close(): void;
}

export interface LiveFeedsOptions {
  readonly limits?: SubscriptionLimitOptions;
  /** What `miningProgress` follows: by default the ledger's own mines (a cluster's: cluster-mining.ts). */
  readonly mining?: MiningActivity;
  readonly blocks?: BlockFeedOptions;
  readonly progress?: MiningProgressFeedOptions;
}

const shuttingDown = (): LedgerError => new LedgerError('SHUTTING_DOWN', 'The server is shutting down; subscribe again once it is back.');

/** Touches the ledger only once someone subscribes. */
export function createLiveFeeds(
  ledger: Ledger,
  { limits = SUBSCRIPTION_LIMITS, blocks = {}, progress = {}, mining = ledger }: LiveFeedsOptions = {},
): LiveFeeds {
  const blockFeed = createBlockFeed(ledger, blocks);
  const progressFeed = createMiningProgressFeed(mining, progress);
  const slots = createSubscriptionLimits(limits);

  /** Takes a slot for the stream's lifetime; opening errors keep their meaning or code. */
  function open<T>(client: string, openFeed: (onEnd: () => void) => T): T {
    if (ledger.isClosed()) throw shuttingDown();
    const release = slots.acquire(client);
    const failed = (error: unknown): never => {
      release();
      throw error instanceof FeedClosedError ? shuttingDown() : error;
    };
    try {
      const opened = openFeed(release);
      return (opened instanceof Promise ? opened.catch(failed) : opened) as T;
    } catch (error) {
      return failed(error);
    }
  }

  return {
    blockMined: (client) => open(client, (onEnd) => blockFeed.open(onEnd)),
    miningProgress: (client) => open(client, (onEnd) => progressFeed.open(onEnd)),
    subscriberCounts: () => ({ blockMined: blockFeed.subscriberCount(), miningProgress: progressFeed.subscriberCount() }),
    close() {
      blockFeed.close();
      progressFeed.close();
    },
  };
}
