import { RequestError } from '../http/request-error.js';
import { createKeyCounts } from '../shared/key-counts.js';

/**
 * Subscriptions open at once. Each costs little while idle (a few KB, see the
 * README), but every new block is sent to each of them: the bounds keep one
 * client, or all of them, from making a block's fan-out unbounded.
 */
export interface SubscriptionLimitOptions {
  /** On the whole server. */
  readonly total: number;
  /** Per client: an IPv4 address or an IPv6 /64 (as for MINING_RATE_LIMIT), behind TRUST_PROXY the forwarded one. */
  readonly perClient: number;
}

export const SUBSCRIPTION_LIMITS: SubscriptionLimitOptions = { total: 1000, perClient: 20 };

interface SubscriptionLimits {
  /** Takes a slot for `client`, or throws SUBSCRIPTION_LIMIT; the function returned gives it back (once). */
  acquire(client: string): () => void;
  /** Slots taken now. */
  count(): number;
}

export function createSubscriptionLimits({ total, perClient }: SubscriptionLimitOptions = SUBSCRIPTION_LIMITS): SubscriptionLimits {
  const perClientCounts = createKeyCounts();
  let count = 0;
  const refuse = (message: string): RequestError => new RequestError('SUBSCRIPTION_LIMIT', message);

  return {
    acquire(client) {
      const mine = perClientCounts.get(client);
      if (mine >= perClient) throw refuse(`This client already has ${mine} subscriptions open, the most allowed; end one first.`);
      if (count >= total) throw refuse(`The server has ${count} subscriptions open, the most it serves; try again later.`);
      perClientCounts.add(client);
      count += 1;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        count -= 1;
        perClientCounts.remove(client);
      };
    },
    count: () => count,
  };
}
