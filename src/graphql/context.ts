import type { Ledger } from '../ledger/ledger.js';
import type { LiveFeeds } from '../live/live-feeds.js';

/** What every resolver gets: the ledger, and nothing that knows about SQL or HTTP. */
export interface GraphQLContext {
  readonly ledger: Ledger;
  /** Resolves if this request may mine now; throws a RequestError (UNAUTHENTICATED, RATE_LIMITED) otherwise. */
  readonly admitMining: () => Promise<void>;
  /** Where subscriptions get their events. */
  readonly live: LiveFeeds;
  /** Whom this request counts against in per-client limits (see clientKey). */
  readonly clientKey: () => string;
}
