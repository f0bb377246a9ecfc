import { createLogger } from 'graphql-yoga';
import type { StartupChecks } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { EngineUnavailableError } from './mining/engines/load-engine.js';
import type { ChainValidationResult } from './core/chain-validation.js';
import { LedgerError } from './ledger/errors.js';
import { startServer } from './server.js';

const logger = createLogger('info');

const describeProblems = (result: ChainValidationResult): string =>
  `${result.problemCount} problem(s), first at block ${result.problems[0]?.index}: ${result.problems[0]?.message}`;

/**
 * Damage is reported loudly but does not stop the server: reads are served so
 * it can be inspected (`validate`, `block`); mining is refused.
 */
function reportStartupChecks({ recentBlocks, databaseFile, chain }: StartupChecks): void {
  if (recentBlocks instanceof Error) {
    logger.error(`THE NEWEST BLOCKS CANNOT BE READ: ${recentBlocks.message} Mining is refused.`);
  } else if (!recentBlocks.valid) {
    logger.error(`THE NEWEST ${recentBlocks.length} BLOCKS ARE NOT VALID: ${describeProblems(recentBlocks)} Mining is refused.`);
  }
  const failed = (what: string) => (error: unknown) => {
    if (!(error instanceof LedgerError)) return logger.error(`COULD NOT ${what.toUpperCase()}:`, error);
    // Shutting down mid-check is not a failure worth reporting.
    if (error.code !== 'SHUTTING_DOWN') logger.error(`COULD NOT ${what.toUpperCase()}: ${error.message} Mining is refused.`);
  };
  databaseFile.then(
    (check) =>
      check.ok
        ? logger.info('Database file passes SQLite quick_check.')
        : logger.error(
            `DATABASE FILE IS DAMAGED (quick_check): ${check.findings.join('; ')}. Reads are served where possible; mining is refused.`,
          ),
    failed('run quick_check'),
  );
  chain.then(
    (result) =>
      result.valid
        ? logger.info(`Stored chain of ${result.length} block(s) is valid.`)
        : logger.error(`STORED CHAIN IS NOT VALID: ${describeProblems(result)} Reads are served; mining is refused until it validates.`),
    failed('validate the stored chain'),
  );
}

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const server = await startServer(config, { logger });
  logger.info(
    `Ledger server on ${server.url} (GraphiQL in a browser; subscriptions there over Server-Sent Events, or over WebSocket at ${server.url.replace(/^http/, 'ws')}); ` +
      `database ${config.databasePath}; difficulty ${config.difficulty}`,
  );
  logger.info(`Block explorer at ${new URL('/', server.url).href}`);

  const { engine, skipped, threads } = server.app.miner;
  for (const { name, reason } of skipped) logger.warn(`Proof engine ${name} skipped: ${reason}`);
  logger.info(`Mining with the ${engine.name}${engine.variant ? ` (${engine.variant})` : ''} engine on ${threads} thread(s).`);
  reportStartupChecks(server.app.checks);

  let signals = 0;
  const shutdown = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals > 1) {
      logger.warn(`${signal} again: exiting now.`);
      process.exit(1);
    }
    logger.info(`${signal}: abandoning any mine in progress and shutting down.`);
    // Whatever hangs (a stuck client, a check that will not stop), the process ends.
    setTimeout(() => {
      logger.error('Shutdown took more than 10 s; exiting now.');
      process.exit(1);
    }, 10_000).unref();
    server.close().then(
      () => {
        logger.info('Shut down cleanly.');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error('Shutdown failed:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else if (error instanceof EngineUnavailableError) {
    process.stderr.write(`Invalid configuration: MINER names an engine that cannot run here: ${error.message}\n`);
  } else {
    logger.error('Could not start:', error);
  }
  process.exit(1);
});
