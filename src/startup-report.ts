import type { StartupChecks } from './app.js';
import type { Config } from './config.js';
import type { ChainValidationResult } from './core/chain-validation.js';
import { LedgerError } from './ledger/errors.js';
import type { Logger } from './logger.js';
import type { RunningServer } from './server.js';

const describeProblems = (result: ChainValidationResult): string =>
  `${result.problemCount} problem(s), first at block ${result.problems[0]?.index}: ${result.problems[0]?.message}`;

/**
 * Damage is reported loudly but does not stop the server: reads are served so
 * it can be inspected (`validate`, `block`); mining is refused.
 */
function reportStartupChecks(logger: Logger, { recentBlocks, databaseFile, chain }: StartupChecks, engine: 'sqlite' | 'postgres'): void {
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
  databaseFile.then((check) => {
    if (!check.ok) {
      logger.error(
        `DATABASE FILE IS DAMAGED (quick_check): ${check.findings.join('; ')}. Reads are served where possible; mining is refused.`,
      );
    } else if (engine === 'sqlite') {
      logger.info('Database file passes SQLite quick_check.');
    }
  }, failed('run quick_check'));
  chain.then(
    (result) =>
      result.valid
        ? logger.info(`Stored chain of ${result.length} block(s) is valid.`)
        : logger.error(`STORED CHAIN IS NOT VALID: ${describeProblems(result)} Reads are served; mining is refused until it validates.`),
    failed('validate the stored chain'),
  );
}

/**
 * What an operator reads once the server listens: where it answers, on which
 * database and difficulty, which proof engine it mines with (and why faster
 * ones were passed over); then, as they finish, the start-up checks.
 */
export function reportStartup(
  logger: Logger,
  server: RunningServer,
  config: Pick<Config, 'difficulty' | 'maxConnections' | 'maxConnectionsPerClient' | 'maxWebSocketsPerClient' | 'miningLeaseMs'>,
): void {
  logger.info(
    `Ledger server on ${server.url} (GraphiQL in a browser; subscriptions there over Server-Sent Events, or over WebSocket at ${server.url.replace(/^http/, 'ws')}); ` +
      `database ${server.app.storage.engine === 'postgres' ? `PostgreSQL ${server.app.storage.location}` : server.app.storage.location}; difficulty ${config.difficulty}`,
  );
  const { chainDifficulty } = server.app.ledger;
  if (chainDifficulty !== config.difficulty) {
    logger.error(
      `THE CHAIN IS MINED AT DIFFICULTY ${chainDifficulty}, NOT DIFFICULTY=${config.difficulty}: mining is refused (DIFFICULTY_MISMATCH); reads are served. ` +
        `Set DIFFICULTY=${chainDifficulty}, or run \`pow-ledger set-difficulty ${config.difficulty}\` to change the chain's on purpose.`,
    );
  }
  logger.info(`Block explorer at ${new URL('/', server.url).href}`);
  const lowered =
    config.maxConnections !== null && server.maxConnections < config.maxConnections
      ? ` (MAX_CONNECTIONS=${config.maxConnections} lowered to stay below the open-file limit)`
      : '';
  logger.info(
    `Connections: at most ${server.maxConnections}${lowered}, ${config.maxConnectionsPerClient} per client, of them ${config.maxWebSocketsPerClient} WebSocket(s).`,
  );
  const { engine, skipped, threads } = server.app.miner;
  for (const { name, reason } of skipped) logger.warn(`Proof engine ${name} skipped: ${reason}`);
  logger.info(`Mining with the ${engine.name}${engine.variant ? ` (${engine.variant})` : ''} engine on ${threads} thread(s).`);
  if (server.app.storage.engine === 'postgres') {
    logger.info(
      `Instance ${server.app.instanceId}: takes mining turns with every instance on this database (lease ${config.miningLeaseMs / 1000} s) ` +
        'and hears their blocks and mines by LISTEN/NOTIFY.',
    );
  }
  reportStartupChecks(logger, server.app.checks, server.app.storage.engine);
}
