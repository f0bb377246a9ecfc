import { createHash, timingSafeEqual } from 'node:crypto';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { RequestError } from './request-error.js';

/** Who may mine, and how often: checked before a request joins the mining queue. */
export interface MiningGate {
  /** Throws a RequestError: UNAUTHENTICATED, or RATE_LIMITED with Retry-After. */
  admit(client: MiningClient): Promise<void>;
}

interface MiningClient {
  /** The request's `Authorization` header, if any. */
  readonly authorization: string | null;
  /** What the rate limits count by: the client's address (see client-address.ts). */
  readonly address: string;
}

/** Wrong tokens a client may present per minute before it is refused without a check. */
export const FAILED_TOKENS_PER_MINUTE = 10;

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * Compares in constant time: both sides are hashed to equal-length digests
 * first, so neither the token's content nor its length leaks through timing.
 */
function tokenMatches(expected: Buffer, authorization: string | null): boolean {
  const presented = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '')?.[1] ?? '';
  return timingSafeEqual(expected, digest(presented)) && presented !== '';
}

function rateLimited(message: string, msBeforeNext: number): RequestError {
  const retryAfterSeconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new RequestError('RATE_LIMITED', `${message} Retry in ${retryAfterSeconds} s.`, { 'Retry-After': String(retryAfterSeconds) });
}

/** Consumes a point; returns the wait before the next one if there was none left. */
async function spend(limiter: RateLimiterMemory, key: string): Promise<number | null> {
  try {
    await limiter.consume(key);
    return null;
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) return rejection.msBeforeNext;
    throw rejection;
  }
}

export function createMiningGate({ token, ratePerMinute }: { token: string | null; ratePerMinute: number }): MiningGate {
  const expected = token === null ? null : digest(token);
  const mines = ratePerMinute > 0 ? new RateLimiterMemory({ points: ratePerMinute, duration: 60 }) : null;
  // Guessing the token is limited on its own, whatever MINING_RATE_LIMIT says.
  const failedTokens = new RateLimiterMemory({ points: FAILED_TOKENS_PER_MINUTE, duration: 60 });

  return {
    async admit({ authorization, address }) {
      if (expected !== null) {
        const blocked = await failedTokens.get(address);
        if (blocked !== null && blocked.remainingPoints <= 0) {
          throw rateLimited(`Too many wrong mining tokens from this client.`, blocked.msBeforeNext);
        }
        if (!tokenMatches(expected, authorization)) {
          await spend(failedTokens, address);
          throw new RequestError('UNAUTHENTICATED', 'Mining needs `Authorization: Bearer <token>` with the token this server was given.', {
            'WWW-Authenticate': 'Bearer realm="ledger"',
          });
        }
      }
      if (mines === null) return;
      const wait = await spend(mines, address);
      if (wait !== null) throw rateLimited(`Too many mines from this client: at most ${ratePerMinute} a minute.`, wait);
    },
  };
}
