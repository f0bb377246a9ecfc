import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { expect, it, onTestFinished } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { describeOnPostgres, freshPostgresUrl } from '../helpers/postgres.js';
import { sharedProofSearch } from '../helpers/proof-search.js';

describeOnPostgres('/metrics on PostgreSQL', () => {
  it('answers within its bound while another session holds the blocks table locked: the chain length keeps its last reading', async () => {
    const url = await freshPostgresUrl();
    const app = await createApp({ ...loadConfig({}), databaseUrl: url }, { proofSearch: sharedProofSearch() });
    onTestFinished(() => app.close());
    const server = createServer((request, response) => {
      if (!app.metricsRoute(request, response)) response.writeHead(404).end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const scrape = async () => (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`)).text();
    expect(await scrape()).toMatch(/^ledger_chain_length\{[^}]*\} 1$/m);

    const locker = new pg.Client({ connectionString: url });
    await locker.connect();
    onTestFinished(() => locker.end());
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE blocks IN ACCESS EXCLUSIVE MODE');
    const text = await scrape();
    expect(text).toMatch(/^ledger_chain_length\{[^}]*\} 1$/m);
    expect(text).toMatch(/^ledger_metrics_source_failures_total\{gauge="ledger_chain_length"[^}]*\} 1$/m);
    // The scrape answered while the chain's length was still being read, not after the read gave up (lock_timeout).
    const { rows } = await locker.query<{ waiting: number }>(
      "SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
    );
    expect(rows[0]!.waiting).toBe(1);
    await locker.query('ROLLBACK');
  });
});
