import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { GraphQLError } from 'graphql';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

/** Who may mine, and how often: checked before a request joins the mining queue. */
export interface MiningGate {
  /** Throws UNAUTHENTICATED (401) or RATE_LIMITED (429) as GraphQL errors. */
  admit(client: MiningClient): Promise<void>;
}

export interface MiningClient {
  /** The request's `Authorization` header, if any. */
  readonly authorization: string | null;
  /** What the rate limit counts by: the client's address. */
  readonly address: string;
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * Compares in constant time: both sides are hashed to equal-length digests
 * first, so neither the token's content nor its length leaks through timing.
 */
function tokenMatches(expected: Buffer, authorization: string | null): boolean {
  const presented = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '')?.[1] ?? '';
  return timingSafeEqual(expected, digest(presented)) && presented !== '';
}

export function createMiningGate({ token, ratePerMinute }: { token: string | null; ratePerMinute: number }): MiningGate {
  const expected = token === null ? null : digest(token);
  const limiter = ratePerMinute > 0 ? new RateLimiterMemory({ points: ratePerMinute, duration: 60 }) : null;

  return {
    async admit({ authorization, address }) {
      if (expected !== null && !tokenMatches(expected, authorization)) {
        throw new GraphQLError('Mining needs `Authorization: Bearer <token>` with the token this server was given.', {
          extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="ledger"' } } },
        });
      }
      if (limiter === null) return;
      try {
        await limiter.consume(address);
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        const retryAfterSeconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
        throw new GraphQLError(`Too many mines from this client: at most ${ratePerMinute} a minute. Retry in ${retryAfterSeconds} s.`, {
          extensions: { code: 'RATE_LIMITED', http: { status: 429, headers: { 'Retry-After': String(retryAfterSeconds) } } },
        });
      }
    },
  };
}

/**
 * The client's address: the socket's peer, or, behind our own reverse proxy
 * (TRUST_PROXY), the last X-Forwarded-For entry, the one that proxy added.
 * Earlier entries are whatever the client claimed and are never trusted.
 */
export function clientAddress(request: IncomingMessage | undefined, trustProxy: boolean): string {
  if (request === undefined) return 'unknown';
  const forwarded = request.headers['x-forwarded-for'];
  const list = Array.isArray(forwarded) ? forwarded.join(',') : forwarded;
  const last = list?.split(',').at(-1)?.trim();
  if (trustProxy && last) return last;
  return request.socket.remoteAddress ?? 'unknown';
}
