import { describe, expect, it, vi } from 'vitest';
import { createMetrics, GAUGE_SOURCE_TIMEOUT_MS } from '../../src/observability/metrics.js';
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

  it('answers a scrape within its bound when a source hangs: the gauge keeps its last reading, and the failure is counted', async () => {
    let hung = false;
    let reads = 0;
    const metrics = createMetrics(
      sources({
        chainLength: () => {
          reads += 1;
          // A read stuck behind a table lock.
          return hung ? new Promise<number>(() => undefined) : Promise.resolve(42);
        },
      }),
      { instanceId: 'test-1' },
    );
    await metrics.registry.metrics();
    hung = true;
    expect(GAUGE_SOURCE_TIMEOUT_MS).toBe(1000);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      // Lets the scrape's promises run (setImmediate is not faked), up to an answer.
      const settle = async (answered: () => boolean): Promise<void> => {
        for (let turn = 0; turn < 50 && !answered(); turn++) await new Promise((resolve) => setImmediate(resolve));
      };
      const scrape = async (): Promise<string> => {
        let text: string | null = null;
        void metrics.registry.metrics().then((answer) => (text = answer));
        await vi.advanceTimersByTimeAsync(GAUGE_SOURCE_TIMEOUT_MS - 1);
        await settle(() => text !== null);
        expect(text).toBeNull();
        await vi.advanceTimersByTimeAsync(1);
        await settle(() => text !== null);
        expect(text).not.toBeNull();
        return text!;
      };
      let text = await scrape();
      expect(text).toMatch(/^ledger_chain_length\{instance_id="test-1"\} 42$/m);
      expect(text).toMatch(/^ledger_metrics_source_failures_total\{gauge="ledger_chain_length",instance_id="test-1"\} 1$/m);
      // The next scrape waits for the same read rather than pile another one up behind the lock.
      text = await scrape();
      expect(text).toMatch(/^ledger_chain_length\{instance_id="test-1"\} 42$/m);
      expect(text).toMatch(/^ledger_metrics_source_failures_total\{gauge="ledger_chain_length",instance_id="test-1"\} 2$/m);
      expect(reads).toBe(2);
    } finally {
      vi.useRealTimers();
    }
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
