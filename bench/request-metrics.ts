/**
 * `npm run bench -- metrics`: the GraphQL request metrics of our own
 * (src/yoga/metrics-plugin.ts) against @graphql-yoga/plugin-prometheus, on
 * the ledger's own yoga server through `yoga.fetch` (no network):
 * - what each counts of a mix of requests: made-up operation names,
 *   requests refused before parsing (413, 403, a parse error), answers from
 *   the response cache, GETs, and how many series that leaves;
 * - what each costs per request, against no metrics at all: median of
 *   rounds, the variants measured in turn within each round.
 */
import { usePrometheus } from '@graphql-yoga/plugin-prometheus';
import type { Plugin } from 'graphql-yoga';
import { Registry } from 'prom-client';
import { createLedger, type Ledger } from '../src/ledger/ledger.js';
import { createPoolProofSearch } from '../src/mining/pool-proof-search.js';
import { createSqliteChainRepository } from '../src/storage/sqlite/chain-repository.js';
import { openSqliteDatabase } from '../src/storage/sqlite/database.js';
import { SHIPPED_OPERATION_NAMES } from '../src/yoga/known-operations.js';
import { useRequestMetrics } from '../src/yoga/metrics-plugin.js';
import { createLedgerYoga } from '../src/yoga/yoga.js';
import { format, median, type Report } from './report.js';

interface Variant {
  readonly name: string;
  readonly observers: (registry: Registry) => Plugin[];
}

/** The library with only the metrics ours has: request count, duration, errors. */
const LIBRARY_TRIMMED = {
  graphql_envelop_deprecated_field: false,
  graphql_envelop_request_time_summary: false,
  graphql_envelop_phase_parse: false,
  graphql_envelop_phase_validate: false,
  graphql_envelop_phase_context: false,
  graphql_envelop_phase_execute: false,
  graphql_envelop_phase_subscribe: false,
  graphql_envelop_schema_change: false,
  graphql_yoga_http_duration: false,
  graphql_envelop_request: true,
  graphql_envelop_request_duration: true,
  graphql_envelop_error_result: true,
} as const;

/** The server's own names, and the mix's cached query, as an operator's METRICS_OPERATION_NAMES would add it. */
const KNOWN_NAMES = [...SHIPPED_OPERATION_NAMES, 'Cached'];

const VARIANTS: readonly Variant[] = [
  { name: 'no metrics', observers: () => [] },
  { name: 'ours (useRequestMetrics)', observers: (registry) => [useRequestMetrics(registry, { operationNames: KNOWN_NAMES })] },
  { name: 'plugin-prometheus, defaults', observers: (registry) => [usePrometheus({ registry, endpoint: false })] },
  {
    name: 'plugin-prometheus, requests, duration and errors only',
    observers: (registry) => [usePrometheus({ registry, endpoint: false, metrics: LIBRARY_TRIMMED })],
  },
];

const post = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

/** Sums the samples of the text-format lines matching `line` (its first group is the value). */
const total = (text: string, line: RegExp): number => [...text.matchAll(line)].reduce((sum, match) => sum + Number(match[1]), 0);

/** Sends the mix; reports what the registry then holds. */
async function counts(ledger: Ledger, variant: Variant, names: number) {
  const registry = new Registry();
  const yoga = createLedgerYoga({ ledger, observers: variant.observers(registry), graphiql: false });
  const send = (init: RequestInit, url = 'http://yoga/graphql') => yoga.fetch(url, init);
  for (let i = 0; i < 20; i++) await send(post({ query: 'query Cached { block(index: 0) { hash } }' }));
  for (let i = 0; i < names; i++) await send(post({ query: `query Made${i} { tip { index } }` }));
  for (let i = 0; i < 20; i++) await send(post({ query: '{ tip { index } }', variables: { pad: 'x'.repeat(200_000) } }));
  for (let i = 0; i < 20; i++)
    await send({ method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"query":"{ tip { index } }"}' });
  for (let i = 0; i < 20; i++) await send(post({ query: '{ tip { index } ' }));
  const text = await registry.metrics();
  const series = (await registry.getMetricsAsJSON()).reduce((sum, metric) => sum + metric.values.length, 0);
  return {
    series,
    madeUpNames: new Set([...text.matchAll(/Made(\d+)/g)].map((match) => match[1])).size,
    refused: total(text, /^ledger_graphql_requests_total\{[^}]*outcome="error"[^}]*\} (\d+)$/gm),
    cached:
      total(text, /^ledger_graphql_requests_total\{[^}]*operation_name="Cached"[^}]*\} (\d+)$/gm) +
      total(text, /^graphql_envelop_request\{[^}]*operationName="Cached"[^}]*\} (\d+)$/gm),
    requests: total(text, /^ledger_graphql_requests_total\{[^}]*\} (\d+)$/gm) + total(text, /^graphql_envelop_request\{[^}]*\} (\d+)$/gm),
  };
}

/** µs per request of one named query through `yoga.fetch`. */
async function cost(ledger: Ledger, variant: Variant, requests: number): Promise<number> {
  const yoga = createLedgerYoga({ ledger, observers: variant.observers(new Registry()), graphiql: false });
  const init = post({ query: 'query Tip { tip { index hash } }' });
  const started = performance.now();
  for (let i = 0; i < requests; i++) await (await yoga.fetch('http://yoga/graphql', init)).text();
  return ((performance.now() - started) * 1000) / requests;
}

export interface RequestMetricsOptions {
  /** Rounds of the cost measure (median). */
  readonly rounds?: number;
  /** Requests per variant per round. */
  readonly requests?: number;
  /** Made-up operation names in the mix. */
  readonly names?: number;
}

export async function benchRequestMetrics(
  report: Report,
  { rounds = 7, requests = 3000, names = 200 }: RequestMetricsOptions = {},
): Promise<void> {
  const proofSearch = createPoolProofSearch({ engine: 'js', threads: 1 });
  const database = openSqliteDatabase(':memory:');
  const ledger = await createLedger({ repository: createSqliteChainRepository(database), proofSearch, difficulty: 1, dataMaxBytes: 1024 });
  try {
    await ledger.mineBlock();
    for (const variant of VARIANTS.slice(1)) {
      const seen = await counts(ledger, variant, names);
      report(
        `${variant.name}: of ${names} made-up names, 20 cache hits, 60 refused: names labelled, hits counted, series`,
        `${seen.madeUpNames}, ${seen.cached}, ${format(seen.series, 0)} (${seen.requests} requests counted, ${seen.refused} as errors)`,
      );
    }
    const perRequest = new Map<string, number[]>(VARIANTS.map((variant) => [variant.name, []]));
    for (const variant of VARIANTS) await cost(ledger, variant, Math.min(requests, 1000)); // warm-up
    for (let round = 0; round < rounds; round++) {
      for (const variant of VARIANTS) perRequest.get(variant.name)!.push(await cost(ledger, variant, requests));
    }
    const none = median(perRequest.get(VARIANTS[0]!.name)!);
    for (const variant of VARIANTS) {
      const us = median(perRequest.get(variant.name)!);
      report(
        `${variant.name}: µs per request over yoga.fetch, median of ${rounds}, and over no metrics`,
        `${format(us, 1)}, +${format(us - none, 1)}`,
      );
    }
  } finally {
    await ledger.close();
    await proofSearch.close();
    database.close();
  }
}
