import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { createSchema, createYoga, type Plugin, type YogaLogger, type YogaServerInstance } from 'graphql-yoga';
import type { Ledger } from '../ledger/ledger.js';
import type { GraphQLContext } from './context.js';
import { useVariableErrorCodes } from './errors.js';
import { GRAPHIQL_OPTIONS, createOfflineGraphiQLRenderer } from './graphiql.js';
import { resolvers } from './resolvers.js';

export const SCHEMA_PATH = resolve(import.meta.dirname, '../../schema.graphql');
export const GRAPHQL_ENDPOINT = '/graphql';

export function createLedgerSchema() {
  return createSchema<GraphQLContext>({ typeDefs: readFileSync(SCHEMA_PATH, 'utf8'), resolvers });
}

/** `/` has nothing of its own yet: send browsers to GraphiQL. */
const redirectRootToGraphiQL: Plugin = {
  onRequest(payload) {
    if (payload.url.pathname === '/') {
      payload.endResponse(new payload.fetchAPI.Response(null, { status: 302, headers: { location: GRAPHQL_ENDPOINT } }));
    }
  },
};

export interface LedgerYogaOptions {
  readonly ledger: Ledger;
  readonly logger?: YogaLogger | boolean;
  /** Origins besides our own allowed to call the API from a browser; none by default. */
  readonly corsOrigins?: readonly string[];
}

/** Browsers may send this header only after a CORS preflight, which a foreign page fails. */
export const CSRF_HEADER = 'x-graphql-yoga-csrf';

export type LedgerYoga = YogaServerInstance<object, GraphQLContext>;

export function createLedgerYoga({ ledger, logger = false, corsOrigins = [] }: LedgerYogaOptions): LedgerYoga {
  return createYoga<object, GraphQLContext>({
    schema: createLedgerSchema(),
    graphqlEndpoint: GRAPHQL_ENDPOINT,
    context: { ledger },
    maskedErrors: true,
    graphiql: GRAPHIQL_OPTIONS,
    renderGraphiQL: createOfflineGraphiQLRenderer(),
    landingPage: false,
    logging: logger,
    // yoga's default CORS echoes any origin. The server is often on a developer's
    // machine: a page from anywhere must not mine on it.
    cors: corsOrigins.length === 0 ? false : { origin: [...corsOrigins], credentials: false },
    plugins: [
      redirectRootToGraphiQL,
      // Refuses requests a browser sends cross-site without a preflight (form posts, plain GETs).
      useCSRFPrevention({ requestHeaders: [CSRF_HEADER] }),
      useVariableErrorCodes,
    ],
  });
}
