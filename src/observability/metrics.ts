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
  recordMine(outcome: MineOutcome, attempts: number, elapsedMs: number): void;
  /** How long a mine waited for the cluster-wide mining turn. */
  recordTurnWait(seconds: number): void;
  /** From a block's timestamp to its publication to subscribers. */
  recordFeedLag(seconds: number): void;
}

type MineOutcome = 'mined' | 'abandoned' | 'failed';

const MINE_OUTCOMES: readonly MineOutcome[] = ['mined', 'abandoned', 'failed'];
/** Seconds: difficulty 4 mines in milliseconds, 7 in minutes. */
const MINE_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
const TURN_WAIT_BUCKETS = [0.001, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const FEED_LAG_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const isCountable = (value: number): boolean => Number.isFinite(value) && value >= 0;

/**
 * The longest a scrape waits for a gauge's source, in ms: a source that has
 * not answered by then (a database read behind a lock) counts as failed, and
 * its gauge keeps its last reading. The sources are read at once, so a scrape
 * answers within about this long whatever they do.
 */
export const GAUGE_SOURCE_TIMEOUT_MS = 1000;

/** Whether `work` settled within `ms` (true), or not yet (false); rejects if it failed in time. */
async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(resolve, ms, false);
    timer.unref();
  });
  try {
    return await Promise.race([work.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Prometheus metrics for one server, in a registry of its own (prom-client's
 * global one would clash between two servers in a process, as in tests).
 * Every series carries `instance_id="<instanceId>"` (INSTANCE_ID): not
 * `instance`, which Prometheus sets itself to the scraped target (and would
 * rename ours to `exported_instance`).
 */
export function createMetrics(sources: MetricsSources, { instanceId }: { instanceId: string }): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ instance_id: instanceId });
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
  /**
   * Sets a gauge at each scrape. A source that fails, or does not answer
   * within GAUGE_SOURCE_TIMEOUT_MS, leaves the gauge at its last reading
   * rather than failing or holding up the scrape. A read that overran goes on
   * (and sets the gauge if it ends well): until it ends, scrapes wait for it
   * rather than start another behind it.
   */
  const reading = <T>(gauge: string, read: () => T | Promise<T>, set: (value: T) => void) => {
    let underWay: Promise<void> | null = null;
    return (): Promise<void> => {
      underWay ??= (async () => set(await read()))().finally(() => {
        underWay = null;
      });
      const current = underWay;
      const done = (async () => {
        try {
          if (!(await settlesWithin(current, GAUGE_SOURCE_TIMEOUT_MS))) sourceFailures.inc({ gauge });
        } catch {
          sourceFailures.inc({ gauge });
        }
      })();
      readings.add(done);
      void done.then(() => readings.delete(done));
      return done;
    };
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
    help: 'The PostgreSQL connection pool: open connections by state (idle, in_use), which sum to the connections open. Absent on SQLite.',
    labelNames: ['state'] as const,
    registers,
    collect: reading(
      'ledger_database_pool_clients',
      () => sources.databasePool(),
      (state) => {
        // No series at all on SQLite.
        if (state === null) return pool.reset();
        pool.set({ state: 'idle' }, state.idle);
        pool.set({ state: 'in_use' }, Math.max(0, state.total - state.idle));
      },
    ),
  });
  const poolWaiting: Gauge = new Gauge({
    name: 'ledger_database_pool_waiting_queries',
    help: 'Queries waiting for a connection of the PostgreSQL pool (all of them in use). Absent on SQLite.',
    registers,
    collect: reading(
      'ledger_database_pool_waiting_queries',
      () => sources.databasePool(),
      // No series at all on SQLite (a gauge without labels would otherwise show 0).
      (state) => (state === null ? poolWaiting.remove() : poolWaiting.set(state.waiting)),
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
  // Counted, like the duration, when a mine ends: hashes per second of mining are
  // increase(ledger_mining_attempts_total) / increase(ledger_mine_duration_seconds_sum).
  const attempts = new Counter({
    name: 'ledger_mining_attempts_total',
    help: 'Proofs tried by this process, all mines together, counted when each mine ends.',
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
    recordMine(outcome, tried, elapsedMs) {
      mines.inc({ outcome });
      if (isCountable(tried)) attempts.inc(tried);
      if (isCountable(elapsedMs)) mineDuration.observe({ outcome }, elapsedMs / 1000);
    },
    recordTurnWait(seconds) {
      if (isCountable(seconds)) turnWait.observe(seconds);
    },
    recordFeedLag(seconds) {
      if (Number.isFinite(seconds)) feedLag.observe(Math.max(0, seconds));
    },
  };
}
