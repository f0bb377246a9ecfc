import { GraphQLError, type ExecutionArgs, type GraphQLSchema, type parse, type validate } from 'graphql';
import { createSchema, createYoga, type Plugin } from 'graphql-yoga';
import { useResponseCache } from '@graphql-yoga/plugin-response-cache';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/observability/metrics.js';
import { useRequestMetrics } from '../../src/yoga/metrics-plugin.js';
import { samples, sources, value } from '../helpers/metric-samples.js';

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

/** The operations this test's server knows by name, as a server knows its clients'. */
const KNOWN = ['Tip', 'Mine', 'Broken', 'Cached', 'Ticks'];

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
    const yoga = yogaWith([useRequestMetrics(metrics.registry, { operationNames: KNOWN })]);
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
      /^ledger_graphql_requests_total\{operation_type="query",operation_name="Tip",outcome="success",instance_id="test-1"\} 3$/m,
    );
    // prom-client puts the default label first in a histogram's samples.
    expect(text).toMatch(
      /^ledger_graphql_request_duration_seconds_bucket\{le="\+Inf",instance_id="test-1",operation_type="mutation",operation_name="Mine"\} 1$/m,
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
    const yoga = yogaWith([refuse, useRequestMetrics(metrics.registry, { operationNames: KNOWN })]);
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
    const yoga = createYoga({
      schema,
      logging: false,
      plugins: [useRequestMetrics(metrics.registry, { operationNames: KNOWN }), useResponseCache({ session: () => null })],
    });
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
    const yoga = yogaWith([useRequestMetrics(metrics.registry, { operationNames: KNOWN })]);
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

  it('labels only the names it knows: made-up names, however many and sent first, fold into "other"', async () => {
    const metrics = createMetrics(sources(), { instanceId: 'test-1' });
    const yoga = yogaWith([useRequestMetrics(metrics.registry, { operationNames: KNOWN })]);
    // Anyone can name an operation: 150 names that run, before the server's own are ever sent.
    for (let i = 0; i < 150; i++) await yoga.fetch('http://yoga/graphql', post({ query: `query Name${i} { length }` }));
    await yoga.fetch('http://yoga/graphql', post({ query: 'query Made { length', operationName: 'Made' }));
    await yoga.fetch('http://yoga/graphql', post({ query: 'query Tip { length }' }));
    await yoga.fetch('http://yoga/graphql', post({ query: 'mutation Mine { mine }' }));
    // A known name with a document that does not parse is still that operation, failing.
    await yoga.fetch('http://yoga/graphql', post({ query: 'query Tip { length', operationName: 'Tip' }));

    const names = new Set((await samples(metrics, 'ledger_graphql_requests_total')).map(({ labels }) => labels.operation_name));
    expect([...names].sort()).toEqual(['Mine', 'Tip', 'other']);
    expect(await value(metrics, 'ledger_graphql_requests_total', { operation_name: 'other' })).toBe(151);
    expect(await value(metrics, 'ledger_graphql_requests_total', { operation_name: 'Tip', outcome: 'success' })).toBe(1);
    expect(await value(metrics, 'ledger_graphql_requests_total', { operation_name: 'Tip', outcome: 'error' })).toBe(1);
  });
});
