import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSchema, createYoga, type Plugin } from 'graphql-yoga';
import { GraphQLError, type ExecutionArgs, type GraphQLSchema, type parse, type validate } from 'graphql';
import { useResponseCache } from '@graphql-yoga/plugin-response-cache';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics, type MetricsSources } from '../../src/observability/metrics.js';

const schema = createSchema({
  typeDefs: /* GraphQL */ `
    type Query {
      length: Int!
      broken: Int
    }
    type Mutation {
      mine: Int!
    }
    type Subscription {
      ticks: Int!
    }
  `,
  resolvers: {
    Query: {
      length: () => 3,
      broken: () => {
        throw new GraphQLError('No such block.', { extensions: { code: 'BLOCK_NOT_FOUND' } });
      },
    },
    Mutation: { mine: () => 4 },
    Subscription: {
      ticks: {
        subscribe: async function* () {
          yield await Promise.resolve({ ticks: 1 });
        },
      },
    },
  },
});

function sources(overrides: Partial<MetricsSources> = {}): MetricsSources {
  return {
    miningQueueLength: () => 2,
    subscribers: () => ({ blocks: 5, miningProgress: 1 }),
    databasePool: () => null,
    chainLength: () => Promise.resolve(42),
    ...overrides,
  };
}

/** A metric's samples, as prom-client reports them, minus the default instance label. */
async function samples(metrics: ReturnType<typeof createMetrics>, name: string) {
  // A histogram's samples (_bucket, _sum, _count) belong to its family.
  const metric = metrics.registry.getSingleMetric(name) ?? metrics.registry.getSingleMetric(name.replace(/_(bucket|sum|count)$/, ''));
  if (metric === undefined) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  return values.map((sample) => ({
    name: (sample as { metricName?: string }).metricName ?? name,
    labels: sample.labels,
    value: sample.value,
  }));
}

async function value(metrics: ReturnType<typeof createMetrics>, name: string, labels: Record<string, string | number> = {}) {
  const found = (await samples(metrics, name)).filter(
    (sample) => sample.name === name && Object.entries(labels).every(([key, wanted]) => sample.labels[key] === wanted),
  );
  return found.reduce((sum, sample) => sum + sample.value, 0);
}

function yogaWith(plugins: Plugin[]) {
  return createYoga({ schema, plugins, logging: false, maskedErrors: true });
}

const post = (body: Record<string, unknown>, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

describe('GraphQL request metrics', () => {
  it('counts and times operations by type and name, and errors by code', async () => {
    const metrics = createMetrics(sources(), { instanceId: 'test-1' });
    const yoga = yogaWith([metrics.yogaPlugin]);
    await yoga.fetch('http://yoga/graphql', post({ query: 'query Tip { length }' }));
    await yoga.fetch('http://yoga/graphql', post({ query: 'query Tip { length }' }));
    await yoga.fetch('http://yoga/graphql', post({ query: '{ length }' }));
    await yoga.fetch('http://yoga/graphql', post({ query: 'mutation Mine { mine }' }));
    await yoga.fetch('http://yoga/graphql', post({ query: 'query Broken { broken }' }));
    await yoga.fetch('http://yoga/graphql?query=query%20Tip%20%7B%20length%20%7D', { headers: { accept: 'application/json' } });

    const requests = (labels: Record<string, string>) => value(metrics, 'ledger_graphql_requests_total', labels);
    expect(await requests({ operation_type: 'query', operation_name: 'Tip', outcome: 'success' })).toBe(3);
    expect(await requests({ operation_type: 'query', operation_name: 'anonymous', outcome: 'success' })).toBe(1);
    expect(await requests({ operation_type: 'mutation', operation_name: 'Mine', outcome: 'success' })).toBe(1);
    expect(await requests({ operation_type: 'query', operation_name: 'Broken', outcome: 'error' })).toBe(1);
    expect(await value(metrics, 'ledger_graphql_errors_total', { operation_type: 'query', code: 'BLOCK_NOT_FOUND' })).toBe(1);
    expect(await value(metrics, 'ledger_graphql_request_duration_seconds_count', { operation_type: 'query', operation_name: 'Tip' })).toBe(
      3,
    );

    const text = await metrics.registry.metrics();
    expect(text).toContain('# HELP ledger_graphql_requests_total');
    expect(text).toMatch(
      /^ledger_graphql_requests_total\{operation_type="query",operation_name="Tip",outcome="success",instance="test-1"\} 3$/m,
    );
    // prom-client puts the default label first in a histogram's samples.
    expect(text).toMatch(
      /^ledger_graphql_request_duration_seconds_bucket\{le="\+Inf",instance="test-1",operation_type="mutation",operation_name="Mine"\} 1$/m,
    );
  });

  it('counts requests refused before execution as errors of an unknown type', async () => {
    const metrics = createMetrics(sources(), { instanceId: 'test-1' });
    // Refuses in a hook that runs before the metrics plugin's own parsing hooks, as CSRF prevention does.
    const refuse: Plugin = {
      onRequestParse({ request }) {
        if (request.headers.has('x-refuse')) throw new GraphQLError('Refused.', { extensions: { http: { status: 403 }, code: 'REFUSED' } });
      },
    };
    const yoga = yogaWith([refuse, metrics.yogaPlugin]);
    const refused = await yoga.fetch('http://yoga/graphql', post({ query: 'query Tip { length }' }, { 'x-refuse': '1' }));
    expect(refused.status).toBe(403);
    await yoga.fetch('http://yoga/graphql', post({ query: 'query Tip { length' }));
    await yoga.fetch('http://yoga/graphql', post({ query: 'query Tip { nothing }' }));

    expect(await value(metrics, 'ledger_graphql_requests_total', { operation_type: 'unknown', outcome: 'error' })).toBe(3);
    expect(await value(metrics, 'ledger_graphql_requests_total', { outcome: 'success' })).toBe(0);
    expect(await value(metrics, 'ledger_graphql_errors_total', { code: 'REFUSED' })).toBe(1);
    expect(await value(metrics, 'ledger_graphql_errors_total', { code: 'GRAPHQL_PARSE_FAILED' })).toBe(1);
    expect(await value(metrics, 'ledger_graphql_errors_total', { code: 'GRAPHQL_VALIDATION_FAILED' })).toBe(1);
  });

  it('counts subscriptions, answers from the response cache, and nothing for other paths or GraphiQL', async () => {
    const metrics = createMetrics(sources(), { instanceId: 'test-1' });
    const yoga = createYoga({ schema, logging: false, plugins: [metrics.yogaPlugin, useResponseCache({ session: () => null })] });
    const stream = await yoga.fetch(
      'http://yoga/graphql',
      post({ query: 'subscription Ticks { ticks }' }, { accept: 'text/event-stream' }),
    );
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await stream.text();
    for (let i = 0; i < 2; i++) await yoga.fetch('http://yoga/graphql', post({ query: 'query Cached { length }' }));
    await yoga.fetch('http://yoga/health');
    await yoga.fetch('http://yoga/nowhere');
    const page = await yoga.fetch('http://yoga/graphql', { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);

    expect(await value(metrics, 'ledger_graphql_requests_total', { operation_type: 'subscription', operation_name: 'Ticks' })).toBe(1);
    expect(await value(metrics, 'ledger_graphql_requests_total', { operation_type: 'query', operation_name: 'Cached' })).toBe(2);
    expect(await value(metrics, 'ledger_graphql_requests_total')).toBe(3);
  });

  it('counts subscriptions over WebSocket, which reach yoga without a Request', async () => {
    const metrics = createMetrics(sources(), { instanceId: 'test-1' });
    const yoga = yogaWith([metrics.yogaPlugin]);
    // As src/live/websocket.ts runs an operation: yoga's pipeline with a context of its own.
    const pipeline = yoga.getEnveloped({ req: undefined }) as unknown as {
      readonly schema: GraphQLSchema;
      parse: typeof parse;
      validate: typeof validate;
      contextFactory(): Promise<Record<string, unknown>>;
      subscribe(args: ExecutionArgs): Promise<unknown>;
    };
    const document = pipeline.parse('subscription Ticks { ticks }');
    expect(pipeline.validate(pipeline.schema, document)).toEqual([]);
    const result = await pipeline.subscribe({ schema: pipeline.schema, document, contextValue: await pipeline.contextFactory() });
    const events = (result as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    expect(await events.next()).toEqual({ done: false, value: { data: { ticks: 1 } } });
    await events.return?.();

    expect(
      await value(metrics, 'ledger_graphql_requests_total', {
        operation_type: 'subscription',
        operation_name: 'Ticks',
        outcome: 'success',
      }),
    ).toBe(1);
  });

  it('folds long names, and names past the first hundred, into "other"', async () => {
    const metrics = createMetrics(sources(), { instanceId: 'test-1' });
    const yoga = yogaWith([metrics.yogaPlugin]);
    await yoga.fetch('http://yoga/graphql', post({ query: `query ${'L'.repeat(65)} { length }` }));
    for (let i = 0; i < 101; i++) await yoga.fetch('http://yoga/graphql', post({ query: `query Name${i} { length }` }));
    // A name in a request that fails before execution takes no slot of its own.
    await yoga.fetch('http://yoga/graphql', post({ query: 'query Made { length', operationName: 'Made' }));

    const names = new Set((await samples(metrics, 'ledger_graphql_requests_total')).map(({ labels }) => labels.operation_name));
    expect(names.size).toBe(101);
    expect(names.has('Name0')).toBe(true);
    expect(names.has('Name99')).toBe(true);
    expect(names.has('Name100')).toBe(false);
    expect(names.has('other')).toBe(true);
    expect(names.has('Made')).toBe(false);
    expect(await value(metrics, 'ledger_graphql_requests_total', { operation_name: 'other' })).toBe(3);
  });
});

describe('ledger metrics', () => {
  it('records mines, turn waits and feed lag', async () => {
    const metrics = createMetrics(sources(), { instanceId: 'test-1' });
    metrics.recordMine('mined', 20_000, 2_000);
    metrics.recordMine('mined', 5_000, 250);
    metrics.recordMine('abandoned', 1_000, 100);
    metrics.recordMine('failed', 0, 0);
    metrics.recordMine('failed', Number.NaN, -1);
    metrics.recordTurnWait(0.2);
    metrics.recordFeedLag(0.03);
    metrics.recordFeedLag(-2);

    expect(await value(metrics, 'ledger_mines_total', { outcome: 'mined' })).toBe(2);
    expect(await value(metrics, 'ledger_mines_total', { outcome: 'abandoned' })).toBe(1);
    expect(await value(metrics, 'ledger_mines_total', { outcome: 'failed' })).toBe(2);
    expect(await value(metrics, 'ledger_mining_attempts_total')).toBe(26_000);
    expect(await value(metrics, 'ledger_mining_hash_rate')).toBe(10_000);
    expect(await value(metrics, 'ledger_mine_duration_seconds_sum', { outcome: 'mined' })).toBeCloseTo(2.25);
    expect(await value(metrics, 'ledger_mine_duration_seconds_count')).toBe(4);
    expect(await value(metrics, 'ledger_mining_turn_wait_seconds_count')).toBe(1);
    expect(await value(metrics, 'ledger_mining_turn_wait_seconds_bucket', { le: 0.1 })).toBe(0);
    expect(await value(metrics, 'ledger_mining_turn_wait_seconds_bucket', { le: 0.5 })).toBe(1);
    expect(await value(metrics, 'ledger_block_feed_lag_seconds_count')).toBe(2);
    expect(await value(metrics, 'ledger_block_feed_lag_seconds_sum')).toBeCloseTo(0.03);

    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^# HELP ledger_mine_duration_seconds Seconds/m);
    expect(text).toMatch(/^ledger_mines_total\{outcome="mined",instance="test-1"\} 2$/m);
    expect(text).toMatch(/^ledger_mining_hash_rate\{instance="test-1"\} 10000$/m);
  });

  it('reads the gauges from their sources at each scrape', async () => {
    let queue = 2;
    const metrics = createMetrics(sources({ miningQueueLength: () => queue }), { instanceId: 'test-1' });
    let text = await metrics.registry.metrics();
    expect(text).toMatch(/^ledger_mining_queue_length\{instance="test-1"\} 2$/m);
    expect(text).toMatch(/^ledger_subscribers\{feed="blocks",instance="test-1"\} 5$/m);
    expect(text).toMatch(/^ledger_subscribers\{feed="mining_progress",instance="test-1"\} 1$/m);
    expect(text).toMatch(/^ledger_chain_length\{instance="test-1"\} 42$/m);
    expect(text).not.toMatch(/^ledger_database_pool_clients\{/m);
    expect(text).toMatch(/^process_cpu_user_seconds_total\{instance="test-1"\} /m);
    queue = 0;
    text = await metrics.registry.metrics();
    expect(text).toMatch(/^ledger_mining_queue_length\{instance="test-1"\} 0$/m);
  });

  it('reports the PostgreSQL pool, and keeps the last reading of a gauge whose source fails', async () => {
    let databaseGone = false;
    const metrics = createMetrics(
      sources({
        databasePool: () => ({ total: 10, idle: 7, waiting: 1 }),
        chainLength: () => (databaseGone ? Promise.reject(new Error('database gone')) : Promise.resolve(42)),
      }),
      { instanceId: 'test-1' },
    );
    await metrics.registry.metrics();
    databaseGone = true;
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^ledger_database_pool_clients\{state="total",instance="test-1"\} 10$/m);
    expect(text).toMatch(/^ledger_database_pool_clients\{state="idle",instance="test-1"\} 7$/m);
    expect(text).toMatch(/^ledger_database_pool_clients\{state="waiting",instance="test-1"\} 1$/m);
    expect(text).toMatch(/^ledger_chain_length\{instance="test-1"\} 42$/m);
    expect(text).toMatch(/^ledger_metrics_source_failures_total\{gauge="ledger_chain_length",instance="test-1"\} 1$/m);
  });

  it('makes independent registries: two in a process do not clash', async () => {
    const first = createMetrics(sources(), { instanceId: 'one' });
    const second = createMetrics(sources(), { instanceId: 'two' });
    first.recordMine('mined', 10, 10);
    expect(await value(first, 'ledger_mines_total', { outcome: 'mined' })).toBe(1);
    expect(await value(second, 'ledger_mines_total', { outcome: 'mined' })).toBe(0);
    expect(await second.registry.metrics()).toContain('instance="two"');
    expect(await second.registry.metrics()).not.toContain('instance="one"');
  });
});

describe('the /metrics endpoint', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.close();
    if (server !== undefined) await once(server, 'close');
    server = undefined;
  });

  async function serve(metrics: ReturnType<typeof createMetrics>): Promise<string> {
    server = createServer((request, response) => {
      if (!metrics.handle(request, response)) response.writeHead(404).end('not here');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('answers GET and HEAD in the text format, refuses other methods, and leaves other paths to the caller', async () => {
    const metrics = createMetrics(sources(), { instanceId: 'a-123' });
    metrics.recordMine('mined', 100, 50);
    const base = await serve(metrics);

    const got = await fetch(`${base}/metrics`);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe(metrics.registry.contentType);
    expect(got.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const body = await got.text();
    expect(body).toContain('ledger_mines_total');
    expect(body).toContain('instance="a-123"');

    const head = await fetch(`${base}/metrics?x=1`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');

    const posted = await fetch(`${base}/metrics`, { method: 'POST', body: 'x' });
    expect(posted.status).toBe(405);
    expect(posted.headers.get('allow')).toBe('GET, HEAD');

    const elsewhere = await fetch(`${base}/graphql`);
    expect(elsewhere.status).toBe(404);
    expect(await elsewhere.text()).toBe('not here');
  });
});
