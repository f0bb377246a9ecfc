import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from './logger.js';
import { checkReadiness, createHealthRoutes, type Readiness } from './http/health.js';
import { buildTree, type TreeBuild } from './ledger/tree-build.js';
import { serveMetrics } from './http/metrics-route.js';
import { createClusterMining } from './live/cluster-mining.js';
import { parseNotebookTimestamp } from './core/timestamp.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import { SHIPPED_OPERATION_NAMES } from './yoga/known-operations.js';
import { useRequestMetrics } from './yoga/metrics-plugin.js';
import type { WakeUps } from './live/block-feed.js';
import type { Config } from './config.js';
import { createClientKeyer, type ClientKeyer } from './http/client-address.js';
import { createMiningGate } from './http/mining-gate.js';
import { createLiveFeeds, type LiveFeeds, type LiveFeedsOptions } from './live/live-feeds.js';
import { createLedgerYoga, type LedgerYoga } from './yoga/yoga.js';
import { createLedger, type Ledger } from './ledger/ledger.js';
import { loadEngine, selectEngine, type LoadedEngine } from './mining/engines/load-engine.js';
import { createPoolProofSearch } from './mining/pool-proof-search.js';
import type { ProofSearch } from './mining/proof-search.js';
import { createNotebookRoutes, type NotebookRoutes } from './rest/notebook-routes.js';
import { openStorage } from './storage/open-storage.js';
import type { DatabaseCheck, Storage } from './storage/storage.js';
import type { ChainValidationResult } from './core/chain-validation.js';

/** What start-up found; the slow checks run in the background while requests are served. */
export interface StartupChecks {
  /** The newest RECENT_BLOCKS_CHECKED blocks, validated before the first request (or why they could not be). */
  readonly recentBlocks: ChainValidationResult | Error;
  /** SQLite's quick_check of the file, on a worker thread. A failure stops mining. */
  readonly databaseFile: Promise<DatabaseCheck>;
  /** The whole chain, validated once quick_check is done (on worker threads, or in batches between requests for a short chain). A failure stops mining. */
  readonly chain: Promise<ChainValidationResult>;
}

const RECENT_BLOCKS_CHECKED = 1000;

export interface App {
  readonly yoga: LedgerYoga;
  /** The notebook's REST interface (`/blocks`); answers false for other paths. */
  readonly notebookRoutes: NotebookRoutes;
  /** Whom a request counts against, for every limit (TRUST_PROXY applied): one idea of the client for all transports. */
  readonly clientKey: ClientKeyer;
  readonly ledger: Ledger;
  /** The subscriptions' sources (their subscriber counts show that subscribers leave nothing behind). */
  readonly live: LiveFeeds;
  readonly checks: StartupChecks;
  /** Which engine holds the chain, and where (never credentials). */
  readonly storage: Pick<Storage, 'engine' | 'location'>;
  /** The proof-of-work engine chosen at start-up, the engines passed over and why, and the threads used. */
  readonly miner: LoadedEngine & {
    readonly threads: number;
    /** Resolves once every mining thread is up. */ readonly ready: Promise<void>;
  };
  /** Prometheus metrics of this process. */
  readonly metrics: Metrics;
  /** `/metrics`, in Prometheus's text format; answers false for other paths. */
  readonly metricsRoute: (request: IncomingMessage, response: ServerResponse) => boolean;
  /** Ledger listeners the app itself holds for its lifetime (metrics, the cluster's mining announcements), beyond subscribers'. */
  readonly ownListeners: number;
  /** This process's name in logs, metrics and the database's connections (INSTANCE_ID). */
  readonly instanceId: string;
  /** `/healthz` and `/readyz`; answers false for other paths. */
  readonly health: (request: IncomingMessage, response: ServerResponse) => boolean;
  /** What `/readyz` would answer now. */
  readiness(): Promise<Readiness>;
  /** From now on `/readyz` answers 503 (shutting down), while requests are still served. */
  drain(): void;
  /** Abandons mining, ends every subscription, then releases the worker thread and the database. */
  close(): Promise<void>;
}

export interface AppOptions {
  readonly logger?: Logger | boolean;
  /** Subscription limits and feed timings; the defaults suit production (tests lower them). */
  readonly live?: LiveFeedsOptions;
  /**
   * A proof search owned by the caller, which the app mines with and leaves
   * open at close: several apps (a test file's servers) can share one pool of
   * started threads. By default the app starts a pool of `config.miningThreads`
   * threads running the engine `config.miner` selects, and closes it.
   */
  readonly proofSearch?: ProofSearch;
}

async function validateRecentBlocks(ledger: Ledger): Promise<ChainValidationResult | Error> {
  try {
    return await ledger.validateRecent(RECENT_BLOCKS_CHECKED);
  } catch (error) {
    // Damage where the newest blocks are stored: serve what can be read, mine nothing.
    ledger.refuseMining();
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** Wires config -> database -> repository -> ledger -> yoga. Opens no port. */
export async function createApp(
  config: Config,
  { logger = false, live: liveOptions = {}, proofSearch: shared }: AppOptions = {},
): Promise<App> {
  const logError = (what: string) => (error: unknown) => {
    if (typeof logger === 'object') logger.error(what, error);
  };
  // Before the database opens: MINER naming an engine that cannot run here stops start-up.
  const loaded: LoadedEngine = shared === undefined ? selectEngine(config.miner) : { engine: loadEngine(shared.engine), skipped: [] };
  const storage = await openStorage(config, {
    // pg's errors carry the connection's whole state: the message and code say what happened.
    onConnectionError: (error) => {
      if (typeof logger !== 'object') return;
      const code = (error as { code?: unknown } | null)?.code;
      const message = error instanceof Error ? error.message : String(error);
      logger.warn(`A PostgreSQL connection failed (it is replaced on next use): ${message}${typeof code === 'string' ? ` (${code})` : ''}`);
    },
    listen: true,
  });
  const proofSearch = shared ?? createPoolProofSearch({ engine: loaded.engine.name, threads: config.miningThreads });
  const closeProofSearch = (): Promise<void> => (shared === undefined ? proofSearch.close() : Promise.resolve());
  let treeBuild: TreeBuild | null = null;
  try {
    const databaseFile = storage.check();
    // Observed by whoever reports it; never an unhandled rejection here.
    databaseFile.catch(() => undefined);
    // A chain older than the Merkle tree gets its tree now, in steps, while reads are served (not ready meanwhile).
    treeBuild = buildTree(storage.repository, {
      onProgress: ({ size, length, added }, elapsedMs) => {
        if (typeof logger !== 'object') return;
        if (size >= length)
          logger.info(`The Merkle tree covers the chain's ${length} blocks (built in ${(elapsedMs / 1000).toFixed(1)} s).`);
        else if (size === added) logger.info(`Building the Merkle tree over the chain's ${length} blocks (it had none; resumable).`);
        else logger.info(`Merkle tree: ${size} of ${length} blocks.`);
      },
      onError: logError('A step of building the Merkle tree failed (tried again shortly):'),
    });
    // A chain already covered (every chain this version made) is known to be so before anything is served.
    await treeBuild.firstStep;
    let ledgerStarted = false;
    const ledger = await createLedger({
      repository: storage.repository,
      proofSearch,
      difficulty: config.difficulty,
      dataMaxBytes: config.dataMaxBytes,
      miningQueueMax: config.miningQueueMax,
      // Within the bound a mine answers in when PostgreSQL cannot be reached (docs/operations.md).
      unconfirmedRetryMs: Math.min(10_000, config.databaseStatementTimeoutMs),
      storageCheck: databaseFile,
      onListenerError: logError('A ledger event listener failed:'),
      // A mismatch found at start-up is in the start-up report; after it, each change is logged once.
      historyBuilt: () => treeBuild?.built() ?? false,
      onDifficultyMismatch: (mismatch) => {
        if (!ledgerStarted || typeof logger !== 'object') return;
        if (mismatch === null)
          logger.info(`The chain's difficulty is this server's DIFFICULTY=${config.difficulty} again: mining resumes.`);
        else {
          logger.warn(
            `The chain is now mined at difficulty ${mismatch.chain}, not this server's DIFFICULTY=${mismatch.configured}: ` +
              'mining is refused (DIFFICULTY_MISMATCH) until they agree; reads are served.',
          );
        }
      },
    });
    ledgerStarted = true;
    const history = treeBuild;
    const { cluster } = storage;
    // On PostgreSQL, mines anywhere on the database show in miningProgress here, and notifications wake blockMined.
    const clusterMining =
      cluster === null
        ? null
        : createClusterMining(ledger, cluster, {
            instanceId: config.instanceId,
            // Silent for a lease and a second: its instance died or froze, and lost the turn.
            staleMs: config.miningLeaseMs + 1000,
            onError: logError("Following another instance's mine failed:"),
          });
    const wakeUps: WakeUps | null =
      cluster === null
        ? null
        : (wake) =>
            cluster.listen((news) => {
              if (news.type !== 'mining') wake();
            });
    let live: LiveFeeds | null = null;
    const metrics = createMetrics(
      {
        miningQueueLength: () => ledger.pendingMines(),
        subscribers: () => {
          const counts = live?.subscriberCounts() ?? { blockMined: 0, miningProgress: 0 };
          return { blocks: counts.blockMined, miningProgress: counts.miningProgress };
        },
        databasePool: () => storage.poolState(),
        chainLength: () => ledger.length(),
      },
      { instanceId: config.instanceId },
    );
    ledger.listen((event) => {
      if (event.type === 'mining-started') metrics.recordTurnWait(event.turnWaitMs / 1000);
      else if (event.type === 'mining-ended') metrics.recordMine(event.outcome, event.attempts, event.elapsedMs);
    });
    live = createLiveFeeds(ledger, {
      ...liveOptions,
      mining: clusterMining ?? ledger,
      blocks: {
        onError: logError('Reading new blocks for blockMined failed (retried):'),
        wakeUps,
        onPublished: (block) => metrics.recordFeedLag((Date.now() - parseNotebookTimestamp(block.timestamp)) / 1000),
        ...liveOptions.blocks,
      },
    });
    let draining = false;
    const healthOptions = {
      instanceId: config.instanceId,
      ping: () => storage.ping(),
      shuttingDown: () => draining || ledger.isClosed(),
      notifications: () => cluster?.connected() ?? null,
      miningRefusal: async () => (await ledger.miningRefusal())?.message ?? null,
      history: () => {
        if (history.built()) return null;
        const progress = history.progress();
        return progress === null ? 'starting' : `${progress.size} of ${progress.length} blocks`;
      },
    };
    // One gate and one idea of who the client is, for GraphQL and REST: a client's mines count against one limit.
    const miningGate = createMiningGate({ token: config.miningToken, ratePerMinute: config.miningRatePerMinute });
    const clientKey = createClientKeyer(config.trustedProxies);
    const yoga = createLedgerYoga({
      ledger,
      logger,
      corsOrigins: config.corsOrigins,
      graphiql: config.graphiql,
      introspection: config.introspection,
      miningGate,
      clientKey,
      live,
      observers: [useRequestMetrics(metrics.registry, { operationNames: [...SHIPPED_OPERATION_NAMES, ...config.metricsOperationNames] })],
    });
    const notebookRoutes = createNotebookRoutes({
      ledger,
      miningGate,
      clientKey,
      allowedOrigins: config.corsOrigins,
      onInternalError: logError('REST /blocks failed:'),
    });
    const recentBlocks = await validateRecentBlocks(ledger);
    // One whole-file check at a time: quick_check's thread and the validation's
    // two would share two cores with the event loop, which then waits for one.
    const chain = databaseFile.then(
      () => ledger.validate(),
      () => ledger.validate(),
    );
    // Counted once wired, before anyone can subscribe: metrics' listener, and on PostgreSQL the cluster's.
    const ownListeners = ledger.listenerCount();
    const checks: StartupChecks = { recentBlocks, databaseFile, chain };
    checks.chain.catch(() => undefined);
    return {
      yoga,
      notebookRoutes,
      clientKey,
      ledger,
      live,
      checks,
      storage: { engine: storage.engine, location: storage.location },
      miner: { ...loaded, threads: proofSearch.threads, ready: proofSearch.ready },
      metrics,
      metricsRoute: (request, response) => serveMetrics(metrics.registry, request, response),
      ownListeners,
      instanceId: config.instanceId,
      health: createHealthRoutes(healthOptions),
      readiness: () => checkReadiness(healthOptions),
      drain() {
        draining = true;
      },
      async close() {
        draining = true;
        await history.stop();
        await ledger.close();
        live.close();
        clusterMining?.close();
        await closeProofSearch();
        await storage.close();
      },
    };
  } catch (error) {
    await treeBuild?.stop();
    await closeProofSearch();
    await storage.close();
    throw error;
  }
}
