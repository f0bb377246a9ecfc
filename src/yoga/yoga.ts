import { quietClientAborts } from './quiet-aborts.js';
import type { IncomingMessage } from 'node:http';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { createYoga, type Plugin, type YogaLogger, type YogaServerInstance } from 'graphql-yoga';
import type { GraphQLContext } from '../graphql/context.js';
import { createLedgerSchema } from '../graphql/schema.js';
import { createClientKeyer, type ClientKeyer } from '../http/client-address.js';
import { createMiningGate, type MiningGate } from '../http/mining-gate.js';
import type { Ledger } from '../ledger/ledger.js';
import { createLiveFeeds, type LiveFeeds } from '../live/live-feeds.js';
import { GRAPHIQL_OPTIONS, createOfflineGraphiQLRenderer } from './graphiql.js';
import { useCsrfPrevention, useOperationResolutionStatus, useSubscriptionAcceptCheck, useVariableErrorCodes } from './http-plugins.js';
import { useQueryLimits, useSingleMinePerOperation } from './query-limits.js';
import { useStrictBodies } from './request-body.js';
import { useBlockResponseCache } from './response-cache.js';

export { CSRF_HEADER } from './http-plugins.js';

export const GRAPHQL_ENDPOINT = '/graphql';

/**
 * A request body holds a query (capped at 1000 tokens), variables and at most
 * one `data` payload, which JSON may inflate up to 6 times (`\uXXXX`).
 */
export const requestBodyMaxBytes = (dataMaxBytes: number): number => 32 * 1024 + 6 * dataMaxBytes;

interface LedgerYogaOptions {
  readonly ledger: Ledger;
  readonly logger?: YogaLogger | boolean;
  /** Origins besides our own allowed to call the API from a browser; none by default. */
  readonly corsOrigins?: readonly string[];
  readonly graphiql?: boolean;
  /** Answer introspection and suggest field names in errors. */
  readonly introspection?: boolean;
  readonly miningGate?: MiningGate;
  /** Whom a request counts against in per-client limits; by default its socket's peer (no trusted proxies). */
  readonly clientKey?: ClientKeyer;
  /** The subscriptions' sources; by default, feeds of `ledger` with the default limits. */
  readonly live?: LiveFeeds;
  /** The plugins that cache block reads; useBlockResponseCache() by default (the benchmark compares others). */
  readonly blockResponseCache?: readonly Plugin[];
  /** Plugins that observe every request (metrics), run first so that refused requests count too. */
  readonly observers?: readonly Plugin[];
}

/**
 * With node:http, yoga passes the IncomingMessage along as `req`. Over
 * WebSocket (see websocket.ts) `req` is the upgrade request and there is no
 * fetch `request`.
 */
interface ServerContext {
  readonly req?: IncomingMessage;
}

export type LedgerYoga = YogaServerInstance<ServerContext, GraphQLContext>;

export function createLedgerYoga({
  ledger,
  logger = false,
  corsOrigins = [],
  graphiql = true,
  introspection = true,
  miningGate = createMiningGate({ token: null, ratePerMinute: 0 }),
  clientKey = createClientKeyer([]),
  live = createLiveFeeds(ledger),
  blockResponseCache,
  observers = [],
}: LedgerYogaOptions): LedgerYoga {
  const bodyMaxBytes = requestBodyMaxBytes(ledger.dataMaxBytes);
  const schema = createLedgerSchema();
  return createYoga<ServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: GRAPHQL_ENDPOINT,
    context: ({ request, req }) => ({
      ledger,
      live,
      clientKey: () => clientKey(req),
      // `request` is missing over WebSocket, which serves subscriptions only.
      admitMining: () => miningGate.admit({ authorization: request?.headers.get('authorization') ?? null, address: clientKey(req) }),
    }),
    // Never yoga's development mode, which would add stacks and paths to errors when NODE_ENV=development.
    maskedErrors: { isDev: false },
    graphiql: graphiql ? GRAPHIQL_OPTIONS : false,
    renderGraphiQL: createOfflineGraphiQLRenderer(),
    landingPage: false,
    logging: typeof logger === 'object' ? quietClientAborts(logger) : logger,
    // Enforced by useStrictBodies, at a fraction of the cost.
    maxRequestBodySize: false,
    // yoga's default CORS echoes any origin, and with two or more listed origins it
    // answers any other (`Origin: null` included) with `Access-Control-Allow-Origin:
    // null`, which a sandboxed page's null origin matches. The server is often on a
    // developer's machine: only a listed origin is ever named, and only to itself.
    cors: (request) => {
      const origin = request.headers.get('origin');
      return origin !== null && corsOrigins.includes(origin) ? { origin: [origin], credentials: false } : false;
    },
    plugins: [
      ...observers,
      useCsrfPrevention(),
      useStrictBodies(bodyMaxBytes),
      useQueryLimits({ hideSuggestions: !introspection }),
      useSingleMinePerOperation,
      ...(introspection ? [] : [useDisableIntrospection()]),
      useVariableErrorCodes,
      useOperationResolutionStatus,
      useSubscriptionAcceptCheck,
      ...(blockResponseCache ?? useBlockResponseCache({ schema })),
    ],
  });
}
