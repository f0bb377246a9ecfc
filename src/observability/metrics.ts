import type { IncomingMessage, ServerResponse } from 'node:http';
import { getOperationAST, parse, type DocumentNode, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What the gauges read at each scrape. */
export interface MetricsSources {
  /** Mines in progress or waiting in this process. */
  miningQueueLength(): number;
  /** Open subscriptions by feed. */
  subscribers(): { readonly blocks: number; readonly miningProgress: number };
  /** PostgreSQL pool state, or null on SQLite. */
  databasePool(): { readonly total: number; readonly idle: number; readonly waiting: number } | null;
  /** The chain's length (may read the database). */
  chainLength(): Promise<number>;
}

export interface Metrics {
  readonly registry: Registry;
  /**
   * Counts and times GraphQL requests by operation type and name (the
   * operation's own name, else `operationName`, else 'anonymous'), with an
   * outcome label for errors. Names longer than 64 characters, and names past
   * the first 100, count as 'other'.
   */
  readonly yogaPlugin: Plugin;
  recordMine(outcome: MineOutcome, attempts: number, elapsedMs: number): void;
  /** How long a mine waited for the cluster-wide mining turn. */
  recordTurnWait(seconds: number): void;
  /** From a block's timestamp to its publication to subscribers. */
  recordFeedLag(seconds: number): void;
  /**
   * Answers GET and HEAD /metrics in Prometheus's text format (405 for other
   * methods there); returns false, having done nothing, for any other path.
   */
  handle(request: IncomingMessage, response: ServerResponse): boolean;
}

export type MineOutcome = 'mined' | 'abandoned' | 'failed';

export const METRICS_PATH = '/metrics';

const MINE_OUTCOMES: readonly MineOutcome[] = ['mined', 'abandoned', 'failed'];
const NAME_MAX_CHARS = 64;
const NAMES_MAX = 100;
const CODES_MAX = 50;
const CACHED_QUERIES_MAX = 256;
const CACHED_QUERY_MAX_CHARS = 4096;
/** Seconds: from a cache hit (milliseconds) to a mine at a high difficulty (a minute). */
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Seconds: difficulty 4 mines in milliseconds, 7 in minutes. */
const MINE_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
const TURN_WAIT_BUCKETS = [0.001, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const FEED_LAG_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * A bounded set of label values: the first `max` distinct values that were
 * admitted keep their own label, and everything else is 'other'. Only values
 * the server vouches for (a name of an operation that parsed and validated)
 * are admitted, so that made-up names in failing requests cannot use up the
 * slots.
 */
function labelFolder(max: number) {
  const known = new Set<string>();
  return (value: string, admit: boolean): string => {
    if (value.length > NAME_MAX_CHARS) return 'other';
    if (known.has(value)) return value;
    if (!admit || known.size >= max) return 'other';
    known.add(value);
    return value;
  };
}

const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> =>
  typeof value === 'object' && value !== null && Symbol.asyncIterator in value;

const isCountable = (value: number): boolean => Number.isFinite(value) && value >= 0;

/** What the plugin learns of one HTTP request on its way through yoga. */
interface RequestState {
  readonly start: number;
  type: string;
  name: string | null;
  /** The operation parsed and validated: its name may take a label of its own. */
  executed: boolean;
  errors: readonly unknown[];
  /** The document as sent, for an answer from the response cache, which skips parsing. */
  query: string | null;
}

/**
 * Prometheus metrics for one server, in a registry of its own (prom-client's
 * global one would clash between two servers in a process, as in tests).
 * Every series carries `instance="<instanceId>"`; Prometheus keeps it as
 * `exported_instance` beside its own target label unless the scrape sets
 * `honor_labels: true`.
 */
export function createMetrics(sources: MetricsSources, { instanceId }: { instanceId: string }): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ instance: instanceId });
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  /** The gauges' readings under way: the failure count waits for them, so that a scrape reports its own failures. */
  const readings = new Set<Promise<void>>();
  const sourceFailures = new Counter({
    name: 'ledger_metrics_source_failures_total',
    help: 'Scrapes at which a gauge could not read its source (the gauge then keeps its last reading), by gauge.',
    labelNames: ['gauge'] as const,
    // Registered after the gauges, whose collection starts first.
    registers: [],
    collect: async () => void (await Promise.all(readings)),
  });
  /** Sets a gauge at each scrape. A source that fails leaves the gauge at its last reading rather than failing the scrape. */
  const reading =
    <T>(gauge: string, read: () => T | Promise<T>, set: (value: T) => void) =>
    (): Promise<void> => {
      const done = (async () => {
        try {
          set(await read());
        } catch {
          sourceFailures.inc({ gauge });
        }
      })();
      readings.add(done);
      void done.then(() => readings.delete(done));
      return done;
    };

  const queue: Gauge = new Gauge({
    name: 'ledger_mining_queue_length',
    help: 'Mines in progress or waiting in this process.',
    registers,
    collect: reading(
      'ledger_mining_queue_length',
      () => sources.miningQueueLength(),
      (length) => queue.set(length),
    ),
  });
  const subscribers: Gauge<'feed'> = new Gauge({
    name: 'ledger_subscribers',
    help: 'Open GraphQL subscriptions by feed (blocks, mining_progress).',
    labelNames: ['feed'] as const,
    registers,
    collect: reading(
      'ledger_subscribers',
      () => sources.subscribers(),
      ({ blocks, miningProgress }) => {
        subscribers.set({ feed: 'blocks' }, blocks);
        subscribers.set({ feed: 'mining_progress' }, miningProgress);
      },
    ),
  });
  const pool: Gauge<'state'> = new Gauge({
    name: 'ledger_database_pool_clients',
    help: 'The PostgreSQL connection pool: connections open (total) and idle, and queries waiting for one (waiting). Absent on SQLite.',
    labelNames: ['state'] as const,
    registers,
    collect: reading(
      'ledger_database_pool_clients',
      () => sources.databasePool(),
      (state) => {
        // No series at all on SQLite.
        if (state === null) return pool.reset();
        pool.set({ state: 'total' }, state.total);
        pool.set({ state: 'idle' }, state.idle);
        pool.set({ state: 'waiting' }, state.waiting);
      },
    ),
  });
  const chainLength: Gauge = new Gauge({
    name: 'ledger_chain_length',
    help: 'Blocks in the chain (read from the database at each scrape).',
    registers,
    collect: reading(
      'ledger_chain_length',
      () => sources.chainLength(),
      (length) => chainLength.set(length),
    ),
  });
  registry.registerMetric(sourceFailures);

  const mines = new Counter({
    name: 'ledger_mines_total',
    help: 'Mines finished in this process, by outcome (mined, abandoned, failed).',
    labelNames: ['outcome'] as const,
    registers,
  });
  const attempts = new Counter({
    name: 'ledger_mining_attempts_total',
    help: 'Proofs tried by this process, all mines together.',
    registers,
  });
  const hashRate = new Gauge({
    name: 'ledger_mining_hash_rate',
    help: 'Proofs tried per second during the last mine that tried any.',
    registers,
  });
  const mineDuration = new Histogram({
    name: 'ledger_mine_duration_seconds',
    help: 'Seconds a mine took in this process, from its start to its outcome, by outcome.',
    labelNames: ['outcome'] as const,
    buckets: MINE_BUCKETS,
    registers,
  });
  // Every outcome from the start, so that a rate over them works before the first failure.
  for (const outcome of MINE_OUTCOMES) mines.inc({ outcome }, 0);
  const turnWait = new Histogram({
    name: 'ledger_mining_turn_wait_seconds',
    help: 'Seconds a mine waited for its turn among all the servers sharing the database.',
    buckets: TURN_WAIT_BUCKETS,
    registers,
  });
  const feedLag = new Histogram({
    name: 'ledger_block_feed_lag_seconds',
    help: "Seconds from a block's timestamp to its publication to this server's subscribers (clock skew between servers reads as 0).",
    buckets: FEED_LAG_BUCKETS,
    registers,
  });

  return {
    registry,
    yogaPlugin: createYogaPlugin(registry),
    recordMine(outcome, tried, elapsedMs) {
      mines.inc({ outcome });
      if (isCountable(tried)) attempts.inc(tried);
      if (isCountable(elapsedMs)) mineDuration.observe({ outcome }, elapsedMs / 1000);
      if (isCountable(tried) && tried > 0 && isCountable(elapsedMs) && elapsedMs > 0) hashRate.set(tried / (elapsedMs / 1000));
    },
    recordTurnWait(seconds) {
      if (isCountable(seconds)) turnWait.observe(seconds);
    },
    recordFeedLag(seconds) {
      if (Number.isFinite(seconds)) feedLag.observe(Math.max(0, seconds));
    },
    handle: (request, response) => handleScrape(registry, request, response),
  };
}

function createYogaPlugin(registry: Registry): Plugin {
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
  const operationName = labelFolder(NAMES_MAX);
  const errorCode = labelFolder(CODES_MAX);

  const record = (state: RequestState, failed: boolean): void => {
    const labels = {
      operation_type: state.type,
      operation_name: state.name === null ? 'anonymous' : operationName(state.name, state.executed),
    };
    duration.observe(labels, (performance.now() - state.start) / 1000);
    requests.inc({ ...labels, outcome: failed || state.errors.length > 0 ? 'error' : 'success' });
    for (const error of state.errors) {
      const code = (error as { extensions?: { code?: unknown } } | null)?.extensions?.code;
      // Codes are ours or yoga's, a short list, but a bound costs nothing.
      errors.inc({ operation_type: state.type, code: typeof code === 'string' ? errorCode(code, true) : 'none' });
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
    state.executed = true;
  };

  /**
   * The operation of a document answered from the response cache: the cache
   * answers before parsing, but keeps only queries that parsed, validated and
   * ran here, so their names may take a label. Remembered for the last few
   * hundred short documents, as cache hits repeat.
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
    state.executed = operation != null;
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
      states.set(request, { start: performance.now(), type: 'unknown', name: name || null, executed: false, errors: [], query: null });
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
      const socketState: RequestState = { start: performance.now(), type: 'unknown', name: null, executed: false, errors: [], query: null };
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

function handleScrape(registry: Registry, request: IncomingMessage, response: ServerResponse): boolean {
  if ((request.url ?? '').split('?', 1)[0] !== METRICS_PATH) return false;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response
      .writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' })
      .end('Only GET and HEAD are allowed on /metrics.\n');
    return true;
  }
  registry.metrics().then(
    (text) => {
      const headers = { 'Content-Type': registry.contentType, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' };
      response.writeHead(200, headers).end(request.method === 'HEAD' ? undefined : text);
    },
    () => {
      if (!response.headersSent) response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end('The metrics could not be collected.\n');
    },
  );
  return true;
}
