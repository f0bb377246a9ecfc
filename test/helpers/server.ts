import { onTestFinished } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { startServer, type RunningServer, type StartServerOptions } from '../../src/server.js';
import { sharedProofSearch } from './proof-search.js';

/** A database of the test's own that no other connection can open: no file, no start-up file check. */
export const IN_MEMORY = ':memory:';

/**
 * A real server on an ephemeral loopback port, closed when the test finishes.
 * It mines with the test file's shared proof search unless the test chooses
 * the engine or the threads (`miner`, `miningThreads`) or passes its own.
 */
export async function startTestServer(
  databasePath: string,
  overrides: Partial<Config> = {},
  options: StartServerOptions = {},
): Promise<RunningServer> {
  const ownMiner = 'miner' in overrides || 'miningThreads' in overrides;
  const server = await startServer(
    { ...loadConfig({}), port: 0, databasePath, dataMaxBytes: 64, ...overrides },
    { ...(ownMiner ? {} : { proofSearch: sharedProofSearch() }), ...options },
  );
  onTestFinished(() => server.close());
  return server;
}

export interface GraphQLResponse<TData = Record<string, unknown>> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: {
    data?: TData | null;
    errors?: Array<{ message: string; extensions?: { code?: string } }>;
  };
}

/** POSTs one GraphQL operation as a JSON client would. */
export async function graphql<TData = Record<string, unknown>>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
): Promise<GraphQLResponse<TData>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as GraphQLResponse<TData>['body'] };
}

export const errorCodes = (response: GraphQLResponse<unknown>): Array<string | undefined> =>
  (response.body.errors ?? []).map((error) => error.extensions?.code);
