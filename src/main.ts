import { createLogger } from 'graphql-yoga';
import { ConfigError, loadConfig } from './config.js';
import { LedgerError } from './ledger/errors.js';
import { startServer } from './server.js';

const logger = createLogger('info');

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const server = await startServer(config, { logger });
  logger.info(`Ledger server on ${server.url} (GraphiQL in a browser); database ${config.databasePath}; difficulty ${config.difficulty}`);

  // Validation of the stored chain runs in the background: a long chain does
  // not delay start-up, and a damaged one is still served for inspection.
  void server.app.ledger.validate().then(
    (result) =>
      result.valid
        ? logger.info(`Stored chain of ${result.length} block(s) is valid.`)
        : logger.error(
            `STORED CHAIN IS NOT VALID: ${result.problemCount} problem(s), first at block ${result.problems[0]?.index}: ` +
              `${result.problems[0]?.message} Reads are served; mining is refused until it validates.`,
          ),
    (error: unknown) => {
      // Shutting down mid-validation is not a failure worth reporting.
      if (!(error instanceof LedgerError && error.code === 'SHUTTING_DOWN')) logger.error('Could not validate the stored chain:', error);
    },
  );

  let signals = 0;
  const shutdown = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals > 1) {
      logger.warn(`${signal} again: exiting now.`);
      process.exit(1);
    }
    logger.info(`${signal}: abandoning any mine in progress and shutting down.`);
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
  } else {
    logger.error('Could not start:', error);
  }
  process.exit(1);
});
