import type { YogaLogger } from 'graphql-yoga';
import type { Config } from './config.js';
import { createMiningGate } from './graphql/mining-gate.js';
import { createLedgerYoga, type LedgerYoga } from './graphql/yoga.js';
import { createLedger, type Ledger } from './ledger/ledger.js';
import { createWorkerProofSearch } from './mining/worker-proof-search.js';
import { createChainRepository } from './storage/chain-repository.js';
import { openDatabase } from './storage/database.js';

export interface App {
  readonly yoga: LedgerYoga;
  readonly ledger: Ledger;
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
    return {
      yoga,
      ledger,
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
