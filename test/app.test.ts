import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createTestApp } from './helpers/execute-operation.js';
import { value } from './helpers/metric-samples.js';
import { breakableProofSearch } from './helpers/proof-search.js';

describe("the app's metrics", () => {
  it('count a mine whose proof search broke as failed, not abandoned', async () => {
    const breaking = breakableProofSearch();
    const app = await createTestApp({ difficulty: 1 }, { proofSearch: breaking.search });
    await app.ledger.mineBlock();
    breaking.setBroken(true);
    await expect(app.ledger.mineBlock()).rejects.toThrow('the worker died');

    const mines = (outcome: string) => value(app.metrics, 'ledger_mines_total', { outcome });
    expect(await mines('mined')).toBe(1);
    expect(await mines('failed')).toBe(1);
    expect(await mines('abandoned')).toBe(0);
  });
});

describe("the app's request metrics", () => {
  it('label the operations the server ships by name, and fold any other name into "other"', async () => {
    const app = await createTestApp();
    const post = (query: string) =>
      app.yoga.fetch('http://ledger/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ query }),
      });
    await post('query Tip { tip { index } }');
    await post('query ServerInfo { difficulty }');
    await post('query Whatever { tip { index } }');

    const requests = (operation_name: string) => value(app.metrics, 'ledger_graphql_requests_total', { operation_name });
    expect(await requests('Tip')).toBe(1);
    expect(await requests('ServerInfo')).toBe(1);
    expect(await requests('Whatever')).toBe(0);
    expect(await requests('other')).toBe(1);
  });

  it("label the operator's own operations by name, from METRICS_OPERATION_NAMES", async () => {
    const app = await createTestApp({ metricsOperationNames: ['NightlyExport'] });
    await app.yoga.fetch('http://ledger/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: 'query NightlyExport { tip { index } }' }),
    });
    expect(await value(app.metrics, 'ledger_graphql_requests_total', { operation_name: 'NightlyExport' })).toBe(1);
  });
});

describe('docs/operations.md', () => {
  it("lists every metric of the app's in its metrics table, and no other", async () => {
    const app = await createTestApp();
    const exported = app.metrics.registry
      .getMetricsAsArray()
      .map((metric) => metric.name)
      .filter((name) => name.startsWith('ledger_'));
    const page = readFileSync(new URL('../docs/operations.md', import.meta.url), 'utf8');
    const table = /^\*\*Metrics\.\*\*[\s\S]*?\n(\|[\s\S]*?)\n\n/m.exec(page)?.[1] ?? '';
    const documented = [...table.matchAll(/^\| (.*?) \|/gm)].flatMap(([, names]) =>
      [...names!.matchAll(/`(ledger_[a-z_]+)/g)].map((m) => m[1]),
    );
    expect(exported.length).toBeGreaterThan(10);
    expect([...new Set(documented)].sort()).toEqual([...exported].sort());
  });
});
