import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/observability/metrics.js';
import { sources, value } from '../helpers/metric-samples.js';

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
    expect(await value(metrics, 'ledger_mine_duration_seconds_sum', { outcome: 'mined' })).toBeCloseTo(2.25);
    expect(await value(metrics, 'ledger_mine_duration_seconds_count')).toBe(4);
    expect(await value(metrics, 'ledger_mining_turn_wait_seconds_count')).toBe(1);
    expect(await value(metrics, 'ledger_mining_turn_wait_seconds_bucket', { le: 0.1 })).toBe(0);
    expect(await value(metrics, 'ledger_mining_turn_wait_seconds_bucket', { le: 0.5 })).toBe(1);
    expect(await value(metrics, 'ledger_block_feed_lag_seconds_count')).toBe(2);
    expect(await value(metrics, 'ledger_block_feed_lag_seconds_sum')).toBeCloseTo(0.03);

    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^# HELP ledger_mine_duration_seconds Seconds/m);
    expect(text).toMatch(/^ledger_mines_total\{outcome="mined",instance_id="test-1"\} 2$/m);
    // Hashes per second of mining are increase(ledger_mining_attempts_total) / increase(ledger_mine_duration_seconds_sum):
    // no gauge repeats them.
    expect(text).not.toContain('ledger_mining_hash_rate');
  });

  it('reads the gauges from their sources at each scrape', async () => {
    let queue = 2;
    const metrics = createMetrics(sources({ miningQueueLength: () => queue }), { instanceId: 'test-1' });
    let text = await metrics.registry.metrics();
    expect(text).toMatch(/^ledger_mining_queue_length\{instance_id="test-1"\} 2$/m);
    expect(text).toMatch(/^ledger_subscribers\{feed="blocks",instance_id="test-1"\} 5$/m);
    expect(text).toMatch(/^ledger_subscribers\{feed="mining_progress",instance_id="test-1"\} 1$/m);
    expect(text).toMatch(/^ledger_chain_length\{instance_id="test-1"\} 42$/m);
    expect(text).not.toMatch(/^ledger_database_pool_/m);
    expect(text).toMatch(/^process_cpu_user_seconds_total\{instance_id="test-1"\} /m);
    queue = 0;
    text = await metrics.registry.metrics();
    expect(text).toMatch(/^ledger_mining_queue_length\{instance_id="test-1"\} 0$/m);
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
    // The states partition the open connections, so that a sum over them is the pool's size.
    expect(text).toMatch(/^ledger_database_pool_clients\{state="idle",instance_id="test-1"\} 7$/m);
    expect(text).toMatch(/^ledger_database_pool_clients\{state="in_use",instance_id="test-1"\} 3$/m);
    expect(await value(metrics, 'ledger_database_pool_clients')).toBe(10);
    expect(await value(metrics, 'ledger_database_pool_waiting_queries')).toBe(1);
    expect(text).toMatch(/^ledger_chain_length\{instance_id="test-1"\} 42$/m);
    expect(text).toMatch(/^ledger_metrics_source_failures_total\{gauge="ledger_chain_length",instance_id="test-1"\} 1$/m);
  });

  it("names the server in instance_id, leaving Prometheus's own target labels (instance, job) alone", async () => {
    const metrics = createMetrics(sources({ databasePool: () => ({ total: 3, idle: 1, waiting: 0 }) }), { instanceId: 'api-1' });
    metrics.recordMine('mined', 10, 10);
    const series = (await metrics.registry.metrics()).split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    expect(series.length).toBeGreaterThan(20);
    for (const line of series) {
      expect(line).toMatch(/[{,]instance_id="api-1"[,}]/);
      expect(line).not.toMatch(/[{,](instance|job)="/);
    }
  });

  it('makes independent registries: two in a process do not clash', async () => {
    const first = createMetrics(sources(), { instanceId: 'one' });
    const second = createMetrics(sources(), { instanceId: 'two' });
    first.recordMine('mined', 10, 10);
    expect(await value(first, 'ledger_mines_total', { outcome: 'mined' })).toBe(1);
    expect(await value(second, 'ledger_mines_total', { outcome: 'mined' })).toBe(0);
    expect(await second.registry.metrics()).toContain('instance_id="two"');
    expect(await second.registry.metrics()).not.toContain('instance_id="one"');
  });
});
