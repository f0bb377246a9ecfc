import { setTimeout as delay } from 'node:timers/promises';
import { ConfigError, loadConfig } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { EngineUnavailableError } from './mining/engines/load-engine.js';
import { StorageOpenError } from './storage/errors.js';
import { ListenError, startServer } from './server.js';
import { reportStartup } from './startup-report.js';

/** Text until the configuration is read; then as LOG_FORMAT says, each line naming the instance. */
let logger: Logger = createLogger();

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  logger = createLogger({ format: config.logFormat, fields: { instance: config.instanceId } });
  const server = await startServer(config, { logger });
  reportStartup(logger, server, config);

  let signals = 0;
  const shutdown = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals > 1) {
      logger.warn(`${signal} again: exiting now.`);
      process.exit(1);
    }
    // Not ready first: a load balancer polling /readyz stops sending here while requests are still served.
    server.app.drain();
    const drainMs = config.shutdownDrainMs;
    if (drainMs > 0) logger.info(`${signal}: not ready; serving ${drainMs / 1000} s more before shutting down.`);
    // Whatever hangs (a stuck client, a check that will not stop), the process ends.
    setTimeout(() => {
      logger.error('Shutdown took more than 10 s; exiting now.');
      process.exit(1);
    }, drainMs + 10_000).unref();
    void delay(drainMs)
      .then(() => {
        logger.info(`${signal}: abandoning any mine in progress and shutting down.`);
        return server.close();
      })
      .then(
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
  } else if (error instanceof StorageOpenError) {
    // Wrong credentials, an unreachable host, an unsupported server, a damaged file: one line says which.
    process.stderr.write(`Could not start: ${error.message}\n`);
  } else if (error instanceof ListenError) {
    // A port already taken, or one that needs privileges: the address, and what to change.
    process.stderr.write(`Could not start: ${error.message}\n`);
  } else if (error instanceof EngineUnavailableError) {
    process.stderr.write(`Invalid configuration: MINER names an engine that cannot run here: ${error.message}\n`);
  } else {
    logger.error('Could not start:', error);
  }
  process.exit(1);
});
