import type { YogaLogger } from 'graphql-yoga';
import type { Config } from './config.js';
import { createMiningGate } from './graphql/mining-gate.js';
import { createLedgerYoga, type LedgerYoga } from './graphql/yoga.js';
import { createLedger, type Ledger } from './ledger/ledger.js';
import { createWorkerProofSearch } from './mining/worker-proof-search.js';
import { createChainRepository } from './storage/chain-repository.js';
import { checkDatabaseFile, type DatabaseCheck } from './storage/database-check.js';
import { openDatabase } from './storage/database.js';
import type { ChainValidationResult } from './core/chain-validation.js';

/** What start-up found; the slow checks run in the background while requests are served. */
export interface StartupChecks {
  /** The newest RECENT_BLOCKS_CHECKED blocks, validated before the first request. */
  readonly recentBlocks: ChainValidationResult;
  /** SQLite's quick_check of the file, on a worker thread. A failure stops mining. */
  readonly databaseFile: Promise<DatabaseCheck>;
  /** The whole chain, validated in batches between requests. A failure stops mining. */
  readonly chain: Promise<ChainValidationResult>;
}

export const RECENT_BLOCKS_CHECKED = 1000;

export interface App {
  readonly yoga: LedgerYoga;
  readonly ledger: Ledger;
  readonly checks: StartupChecks;
  /** Abandons mining, then releases the worker thread and the database. */
  close(): Promise<void>;
}

/** Wires config -> database -> repository -> ledger -> yoga. Opens no port. */
export async function createApp(config: Config, { logger = false }: { logger?: YogaLogger | boolean } = {}): Promise<App> {
  const database = openDatabase(config.databasePath);
  const proofSearch = createWorkerProofSearch();
  try {
    const ledger = await createLedger({
      repository: createChainRepository(database),
      proofSearch,
      difficulty: config.difficulty,
      dataMaxBytes: config.dataMaxBytes,
      miningQueueMax: config.miningQueueMax,
    });
    const yoga = createLedgerYoga({
      ledger,
      logger,
      corsOrigins: config.corsOrigins,
      graphiql: config.graphiql,
      introspection: config.introspection,
      miningGate: createMiningGate({ token: config.miningToken, ratePerMinute: config.miningRatePerMinute }),
      trustProxy: config.trustProxy,
    });
    const databaseFile = checkDatabaseFile(config.databasePath).then((check) => {
      if (!check.ok) ledger.refuseMining(`SQLite's quick_check found the database file damaged: ${check.findings[0]}`);
      return check;
    });
    const checks: StartupChecks = { recentBlocks: ledger.validateRecent(RECENT_BLOCKS_CHECKED), databaseFile, chain: ledger.validate() };
    // Observed by whoever reports them; never an unhandled rejection here.
    checks.chain.catch(() => undefined);
    databaseFile.catch(() => undefined);
    return {
      yoga,
      ledger,
      checks,
      async close() {
        await ledger.close();
        await proofSearch.close();
        database.close();
      },
    };
  } catch (error) {
    await proofSearch.close();
    database.close();
    throw error;
  }
}
