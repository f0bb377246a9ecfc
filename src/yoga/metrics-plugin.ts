import { getOperationAST, parse, type DocumentNode, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { Counter, Histogram, type Registry } from 'prom-client';

const CODES_MAX = 50;
const CACHED_QUERIES_MAX = 256;
const CACHED_QUERY_MAX_CHARS = 4096;
/** Seconds: from a cache hit (milliseconds) to a mine at a high difficulty (a minute). */
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** A bounded set of label values: the first `max` distinct values keep their own label, and everything after is 'other'. */
function labelFolder(max: number) {
  const seen = new Set<string>();
  return (value: string): string => {
    if (seen.has(value)) return value;
    if (seen.size >= max) return 'other';
    seen.add(value);
    return value;
  };
}

const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> =>
  typeof value === 'object' && value !== null && Symbol.asyncIterator in value;

/** What the plugin learns of one HTTP request on its way through yoga. */
interface RequestState {
  readonly start: number;
  type: string;
  name: string | null;
  errors: readonly unknown[];
  /** The document as sent, for an answer from the response cache, which skips parsing. */
  query: string | null;
}

export interface RequestMetricsOptions {
  /**
   * The operation names that keep a label of their own (the server's own
   * clients'); every other name counts as 'other'. Only the server can say
   * which names are real: any client can send a name, and a bound filled by
   * whoever comes first would fold the real names away.
   */
  readonly operationNames: Iterable<string>;
}

/**
 * Counts and times GraphQL requests in `registry`, by operation type and name
 * (the operation's own name, else `operationName`, else 'anonymous'; a name
 * not in `operationNames` is 'other'), with an outcome label for errors, and
 * counts errors by code. Requests that other plugins refuse before parsing (a
 * body too large, a CSRF check) count too, as do answers from the response
 * cache and subscriptions over WebSocket. Put it first among yoga's plugins.
 */
export function useRequestMetrics(registry: Registry, { operationNames }: RequestMetricsOptions): Plugin {
  const registers = [registry];
  const requests = new Counter({
    name: 'ledger_graphql_requests_total',
    help: 'GraphQL requests, by operation type and name, and outcome (success, or error: any GraphQL error or an HTTP error status).',
    labelNames: ['operation_type', 'operation_name', 'outcome'] as const,
    registers,
  });
  const duration = new Histogram({
    name: 'ledger_graphql_request_duration_seconds',
    help: 'Seconds from a GraphQL request to its response (for subscriptions, until the stream starts), by operation type and name.',
    labelNames: ['operation_type', 'operation_name'] as const,
    buckets: REQUEST_BUCKETS,
    registers,
  });
  const errors = new Counter({
    name: 'ledger_graphql_errors_total',
    help: 'GraphQL errors in responses, by operation type and error code (extensions.code).',
    labelNames: ['operation_type', 'code'] as const,
    registers,
  });
  const knownNames = new Set(operationNames);
  const errorCode = labelFolder(CODES_MAX);

  const record = (state: RequestState, failed: boolean): void => {
    const labels = {
      operation_type: state.type,
      operation_name: state.name === null ? 'anonymous' : knownNames.has(state.name) ? state.name : 'other',
    };
    duration.observe(labels, (performance.now() - state.start) / 1000);
    requests.inc({ ...labels, outcome: failed || state.errors.length > 0 ? 'error' : 'success' });
    for (const error of state.errors) {
      const code = (error as { extensions?: { code?: unknown } } | null)?.extensions?.code;
      // Codes are ours or yoga's, a short list, but a bound costs nothing.
      errors.inc({ operation_type: state.type, code: typeof code === 'string' ? errorCode(code) : 'none' });
    }
  };

  /** Takes the operation's type and name from its document, once it has parsed and validated. */
  const learnOperation = (state: RequestState, args: { readonly document: unknown; readonly operationName?: unknown }): void => {
    // envelop types the arguments `any`; they are graphql-js's.
    const name = args.operationName as string | null | undefined;
    const operation = getOperationAST(args.document as DocumentNode, name);
    if (operation == null) return;
    state.type = operation.operation;
    state.name = operation.name?.value ?? name ?? state.name;
  };

  /**
   * The operation of a document answered from the response cache, which
   * answers before parsing. Remembered for the last few hundred short
   * documents, as cache hits repeat.
   */
  const cachedOperations = new Map<string, { readonly type: string; readonly name: string | null } | null>();
  const learnCachedOperation = (state: RequestState): void => {
    if (state.query === null) return;
    const key = `${state.name ?? ''}\n${state.query}`;
    let operation = cachedOperations.get(key);
    if (operation === undefined) {
      try {
        const ast = getOperationAST(parse(state.query, { noLocation: true }), state.name);
        operation = ast == null ? null : { type: ast.operation, name: ast.name?.value ?? state.name };
      } catch {
        operation = null;
      }
      if (state.query.length <= CACHED_QUERY_MAX_CHARS) {
        if (cachedOperations.size >= CACHED_QUERIES_MAX) cachedOperations.delete(cachedOperations.keys().next().value as string);
        cachedOperations.set(key, operation);
      }
    }
    state.type = operation?.type ?? 'query';
    state.name = operation?.name ?? state.name;
  };

  // HTTP requests are followed from onRequest to onResponse, keyed by their Request.
  const states = new WeakMap<Request, RequestState>();
  let endpoint = '/graphql';
  return {
    onYogaInit({ yoga }) {
      endpoint = yoga.graphqlEndpoint;
    },
    onRequest({ request, url }) {
      // Before every other plugin's parsing hooks, so that what they refuse is counted too.
      if (request.method === 'OPTIONS' || (url.pathname !== endpoint && url.pathname !== `${endpoint}/`)) return;
      const name = request.method === 'GET' ? url.searchParams.get('operationName') : null;
      states.set(request, { start: performance.now(), type: 'unknown', name: name || null, errors: [], query: null });
    },
    onParams({ request, params }) {
      const state = states.get(request);
      if (state === undefined) return;
      if (typeof params.operationName === 'string' && params.operationName !== '') state.name = params.operationName;
      state.query = typeof params.query === 'string' ? params.query : null;
    },
    onExecute({ args }) {
      const request = (args.contextValue as { request?: Request }).request;
      const state = request === undefined ? undefined : states.get(request);
      if (state !== undefined) learnOperation(state, args);
    },
    onSubscribe({ args }) {
      const request = (args.contextValue as { request?: Request }).request;
      const state = request === undefined ? undefined : states.get(request);
      if (state !== undefined) return void learnOperation(state, args);
      if (request !== undefined) return;
      // Over WebSocket there is no Request: the subscription is counted here, timed until its stream starts.
      const socketState: RequestState = { start: performance.now(), type: 'unknown', name: null, errors: [], query: null };
      learnOperation(socketState, args);
      return {
        onSubscribeResult({ result }) {
          if (!isAsyncIterable(result)) socketState.errors = result.errors ?? [];
          record(socketState, false);
        },
        onSubscribeError() {
          record(socketState, true);
        },
      };
    },
    onResultProcess({ request, result }) {
      const state = states.get(request);
      if (state === undefined || isAsyncIterable(result)) return;
      const results: readonly ExecutionResult[] = Array.isArray(result) ? result : [result];
      state.errors = results.flatMap((each) => each.errors ?? []);
      // The response cache answers from memory before parsing, and keeps queries only.
      if (state.type === 'unknown' && results.some((each) => Symbol.for('servedFromResponseCache') in each)) learnCachedOperation(state);
    },
    onResponse({ request, response }) {
      const state = states.get(request);
      if (state === undefined) return;
      states.delete(request);
      // GraphiQL's page, served on the same path.
      if (response.headers.get('content-type')?.startsWith('text/html') === true) return;
      record(state, response.status >= 400);
    },
  };
}
