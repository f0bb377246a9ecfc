import pg from 'pg';
import { KEEPALIVE_DELAY_MS, answerDeadlineMs, connectDeadlineMs } from './deadlines.js';

export interface SessionConnectionOptions {
  /** A direct or session-pooled connection string: a transaction-mode pooler would not keep the session's lock. */
  readonly url: string;
  /** `application_name` of the connection, so operators can see who holds the turn (pg_stat_activity). */
  readonly applicationName: string;
  /** In ms. */
  readonly statementTimeoutMs: number;
  /** In ms; the default suits most (cut to the statement timeout). */
  readonly connectTimeoutMs?: number;
}

/** Opens a connection for work that needs its session kept: the mining turn, LISTEN. */
export async function connectSession(
  { url, applicationName, statementTimeoutMs, connectTimeoutMs = 10_000 }: SessionConnectionOptions,
  settings: Readonly<Record<string, number>> = {},
): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: url,
    application_name: applicationName,
    statement_timeout: statementTimeoutMs,
    connectionTimeoutMillis: connectDeadlineMs(statementTimeoutMs, connectTimeoutMs),
    // The instance's own bound on each statement, for a network gone silent (deadlines.ts).
    query_timeout: answerDeadlineMs(statementTimeoutMs),
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
  });
  // An unheard 'error' would end the process; the owner learns of the failure from 'end' or its next query.
  client.on('error', () => undefined);
  await client.connect();
  try {
    // SET rather than startup options, which a session pooler may drop silently.
    for (const [name, value] of Object.entries(settings)) await client.query('SELECT set_config($1, $2, false)', [name, `${value}ms`]);
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return client;
}
