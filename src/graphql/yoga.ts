import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { resolve } from 'node:path';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { createSchema, createYoga, type YogaLogger, type YogaServerInstance } from 'graphql-yoga';
import type { Ledger } from '../ledger/ledger.js';
import type { GraphQLContext } from './context.js';
import { GRAPHIQL_OPTIONS, createOfflineGraphiQLRenderer } from './graphiql.js';
import { useCsrfPrevention, useSubscriptionAcceptCheck, useVariableErrorCodes } from './http-plugins.js';
import { clientKey, normalizeAddress } from './client-address.js';
import { createLiveFeeds, type LiveFeeds } from './live-feeds.js';
import { createMiningGate, type MiningGate } from './mining-gate.js';
import { useQueryLimits, useSingleMinePerOperation } from './query-limits.js';
import { useStrictBodies } from './request-body.js';
import { useBlockResponseCache } from './response-cache.js';
import { resolvers } from './resolvers.js';

export { CSRF_HEADER } from './http-plugins.js';

export const SCHEMA_PATH = resolve(import.meta.dirname, '../../schema.graphql');
export const GRAPHQL_ENDPOINT = '/graphql';

export function createLedgerSchema() {
  return createSchema<GraphQLContext>({ typeDefs: readFileSync(SCHEMA_PATH, 'utf8'), resolvers });
}

/**
 * A request body holds a query (capped at 1000 tokens), variables and at most
 * one `data` payload, which JSON may inflate up to 6 times (`\uXXXX`).
 */
export const requestBodyMaxBytes = (dataMaxBytes: number): number => 32 * 1024 + 6 * dataMaxBytes;

export interface LedgerYogaOptions {
  readonly ledger: Ledger;
  readonly logger?: YogaLogger | boolean;
  /** Origins besides our own allowed to call the API from a browser; none by default. */
  readonly corsOrigins?: readonly string[];
  readonly graphiql?: boolean;
  /** Answer introspection and suggest field names in errors. */
  readonly introspection?: boolean;
  readonly miningGate?: MiningGate;
  /** Addresses of our own reverse proxies, whose X-Forwarded-For is believed. */
  readonly trustedProxies?: readonly string[];
  /** The subscriptions' sources; by default, feeds of `ledger` with the default limits. */
  readonly live?: LiveFeeds;
}

/**
 * With node:http, yoga passes the IncomingMessage along as `req`. Over
 * WebSocket (see websocket.ts) `req` is the upgrade request and there is no
 * fetch `request`.
 */
export interface ServerContext {
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
  trustedProxies = [],
  live = createLiveFeeds(ledger),
}: LedgerYogaOptions): LedgerYoga {
  const proxies = new Set(trustedProxies.map(normalizeAddress));
  const bodyMaxBytes = requestBodyMaxBytes(ledger.dataMaxBytes);
  return createYoga<ServerContext, GraphQLContext>({
    schema: createLedgerSchema(),
    graphqlEndpoint: GRAPHQL_ENDPOINT,
    context: ({ request, req }) => ({
      ledger,
      live,
      clientKey: () => clientKey(req, proxies),
      // `request` is missing over WebSocket, which serves subscriptions only.
      admitMining: () =>
        miningGate.admit({ authorization: request?.headers.get('authorization') ?? null, address: clientKey(req, proxies) }),
    }),
    // Never yoga's development mode, which would add stacks and paths to errors when NODE_ENV=development.
    maskedErrors: { isDev: false },
    graphiql: graphiql ? GRAPHIQL_OPTIONS : false,
    renderGraphiQL: createOfflineGraphiQLRenderer(),
    landingPage: false,
    logging: logger,
    // Enforced by useStrictBodies, at a fraction of the cost.
    maxRequestBodySize: false,
    // yoga's default CORS echoes any origin. The server is often on a developer's
    // machine: a page from anywhere must not mine on it.
    cors: corsOrigins.length === 0 ? false : { origin: [...corsOrigins], credentials: false },
    plugins: [
      useCsrfPrevention(),
      useStrictBodies(bodyMaxBytes),
      useQueryLimits({ hideSuggestions: !introspection }),
      useSingleMinePerOperation,
      ...(introspection ? [] : [useDisableIntrospection()]),
      useVariableErrorCodes,
      useSubscriptionAcceptCheck,
      useBlockResponseCache(),
    ],
  });
}
