import { isIP } from 'node:net';
import { availableParallelism, hostname } from 'node:os';
import { z } from 'zod';
import { MAX_DIFFICULTY, MIN_DIFFICULTY } from './core/proof-of-work.js';
import type { EnginePreference } from './mining/engines/load-engine.js';

/** The only reader of the environment. Everything else receives a Config. */
export interface Config {
  readonly port: number;
  readonly host: string;
  /** The SQLite file, used unless `databaseUrl` is set. */
  readonly databasePath: string;
  /** A PostgreSQL connection string: the chain lives there instead of in `databasePath`. Never logged. */
  readonly databaseUrl: string | null;
  /** PostgreSQL connections this process keeps open at most. */
  readonly databasePoolSize: number;
  /** Longest a PostgreSQL statement may run before the server cancels it, in ms. */
  readonly databaseStatementTimeoutMs: number;
  /**
   * A direct (or session-pooled) PostgreSQL connection string for the mining
   * turn's and the notifications' connections, when DATABASE_URL goes through
   * a transaction-mode pooler; null: DATABASE_URL. Never logged.
   */
  readonly databaseSessionUrl: string | null;
  /** How long a frozen or cut-off instance keeps the cluster's mining turn at most, in ms. */
  readonly miningLeaseMs: number;
  /** Names this process in logs, metrics and PostgreSQL's `application_name`. */
  readonly instanceId: string;
  /** `json`: one JSON object per log line (for collectors); `text`: lines for a terminal. */
  readonly logFormat: 'json' | 'text';
  /** After SIGTERM, how long /readyz answers 503 while requests are still served, in ms. */
  readonly shutdownDrainMs: number;
  /** Leading hex zeros required of newly mined blocks. */
  readonly difficulty: number;
  /** Largest `data` payload accepted by `mineBlock`, in UTF-8 bytes. */
  readonly dataMaxBytes: number;
  /** Origins other than the server's own whose browser pages may call the API (CORS). */
  readonly corsOrigins: readonly string[];
  /** Serve GraphiQL to browsers at the GraphQL endpoint (default: on, off with NODE_ENV=production). */
  readonly graphiql: boolean;
  /** Answer introspection queries and suggest field names in errors (default: on, off with NODE_ENV=production). */
  readonly introspection: boolean;
  /** When set, `mineBlock` needs `Authorization: Bearer <token>`. Never logged. */
  readonly miningToken: string | null;
  /** Mines each client may start per minute; 0 for no limit. */
  readonly miningRatePerMinute: number;
  /** Mines that may wait behind the one in progress before MINING_BUSY. */
  readonly miningQueueMax: number;
  /** Addresses of our own reverse proxies: from them, the client's address is the last X-Forwarded-For entry. */
  readonly trustedProxies: readonly string[];
  /** Proof-of-work engine: `auto` takes the fastest that loads here (native, then wasm, then js). */
  readonly miner: EnginePreference;
  /** Threads each proof search is split across. */
  readonly miningThreads: number;
  /** Connections open at once on the whole server; null: 10,000, kept below the file descriptor limit either way (connection-limits.ts). */
  readonly maxConnections: number | null;
  /** Connections one client address (IPv6: /64) may hold open; our reverse proxies are not counted. */
  readonly maxConnectionsPerClient: number;
  /** WebSocket connections one client may hold open. */
  readonly maxWebSocketsPerClient: number;
  /** An initialised WebSocket holding no subscription is closed after this long, in ms. */
  readonly webSocketIdleTimeoutMs: number;
  /** Operation names the request metrics label by name besides those the server ships; any other name counts as 'other'. */
  readonly metricsOperationNames: readonly string[];
}

const DATA_MAX_BYTES_LIMIT = 1_048_576;
/** Each configured operation name is a label value of its own: a bound on the series an operator can add. */
const METRICS_OPERATION_NAMES_MAX = 100;

/** One row per variable: default and rule, documented in docs/operations.md's table. */
const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^[0-9]+$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `must be from ${min} to ${max}`).max(max, `must be from ${min} to ${max}`));

const flag = z
  .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1');

/** A comma-separated list (blanks around items and empty items ignored), each item checked by `item`. */
const commaList = (item: z.ZodType<string, string>) =>
  z
    .string()
    .transform((list) =>
      list
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== ''),
    )
    .pipe(z.array(item))
    .default([]);

/**
 * Why pg could not read `url` as a connection string, or null when it can. pg
 * (pg-connection-string) parses it as a WHATWG URL, after encoding spaces and
 * stray % signs, and again with a placeholder host for `user@/database`: the
 * same steps here, so that a URL is refused at start-up exactly when pg would
 * refuse it later, with a reason instead of "Invalid URL". Never quotes the
 * user or password.
 */
function connectionStringProblem(url: string): string | null {
  const encoded = / |%[^a-f0-9]|%[a-f0-9][^a-f0-9]/i.test(url) ? encodeURI(url).replace(/%25(\d\d)/g, '%$1') : url;
  for (const candidate of [encoded, encoded.replace('@/', '@___DUMMY___/')]) {
    try {
      new URL(candidate, 'postgres://base');
      return null;
    } catch {
      // Told below.
    }
  }
  const rest = url.replace(/^[a-z]+:\/\//i, '');
  const at = rest.lastIndexOf('@');
  if (at >= 0 && /[/?#]/.test(rest.slice(0, at))) {
    return 'its user or password holds a character that must be percent-encoded (@ : / ? # as %40 %3A %2F %3F %23)';
  }
  const hostAndPort = /^[^/?#]*/.exec(rest.slice(at + 1))?.[0] ?? '';
  const port = /^(?:\[[^\]]*\]|[^:]*):(.*)$/.exec(hostAndPort)?.[1];
  if (port !== undefined && !(/^[0-9]*$/.test(port) && Number(port) <= 65_535)) {
    return `its port ${JSON.stringify(port)} is not a port number (up to 65535)`;
  }
  return 'it does not parse as a URL, postgres://user:password@host:5432/database';
}

const connectionString = z
  .string()
  .trim()
  .regex(/^postgres(ql)?:\/\//, 'must be a PostgreSQL connection string, postgres://user:password@host:5432/database')
  .check((context) => {
    const problem = connectionStringProblem(context.value);
    if (problem !== null)
      context.issues.push({ code: 'custom', message: `is not a valid connection string: ${problem}`, input: context.value });
  });

const environmentSchema = z.object({
  NODE_ENV: z.string().optional(),
  GRAPHIQL: flag.optional(),
  INTROSPECTION: flag.optional(),
  MINING_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  MINING_RATE_LIMIT: integer(0, 1_000_000).default(60),
  MINING_QUEUE_MAX: integer(1, 10_000).default(32),
  MINER: z.enum(['auto', 'native', 'wasm', 'js'], { message: 'must be auto, native, wasm or js' }).default('auto'),
  MINING_THREADS: integer(1, 256).optional(),
  TRUST_PROXY: commaList(
    z.string().refine((address) => isIP(address) !== 0, 'must be a comma-separated list of IP addresses such as 127.0.0.1,::1'),
  ),
  PORT: integer(0, 65_535).default(4000),
  HOST: z.string().trim().min(1, 'must not be empty').default('127.0.0.1'),
  DATABASE_PATH: z.string().trim().min(1, 'must not be empty').default('./data/chain.db'),
  DATABASE_URL: connectionString.optional(),
  DATABASE_SESSION_URL: connectionString.optional(),
  DATABASE_POOL_SIZE: integer(1, 1000).default(10),
  DATABASE_STATEMENT_TIMEOUT_SECONDS: integer(1, 86_400).default(30),
  MINING_LEASE_SECONDS: integer(1, 3600).default(5),
  INSTANCE_ID: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9._:-]{1,40}$/, 'must be 1-40 letters, digits or . _ : -')
    .optional(),
  LOG_FORMAT: z.enum(['json', 'text'], { message: 'must be json or text' }).optional(),
  SHUTDOWN_DRAIN_SECONDS: integer(0, 300).default(0),
  DIFFICULTY: integer(MIN_DIFFICULTY, MAX_DIFFICULTY).default(4),
  DATA_MAX_BYTES: integer(0, DATA_MAX_BYTES_LIMIT).default(4096),
  MAX_CONNECTIONS: integer(16, 1_000_000).optional(),
  MAX_CONNECTIONS_PER_CLIENT: integer(1, 1_000_000).default(64),
  MAX_WEBSOCKETS_PER_CLIENT: integer(1, 1_000_000).default(16),
  WEBSOCKET_IDLE_SECONDS: integer(1, 86_400).default(60),
  CORS_ORIGINS: commaList(z.string().refine(isOrigin, 'must be a comma-separated list of origins such as https://app.example.com')),
  METRICS_OPERATION_NAMES: commaList(
    z.string().regex(/^[_A-Za-z][_0-9A-Za-z]{0,63}$/, 'must be a comma-separated list of GraphQL operation names of at most 64 characters'),
  ).pipe(z.array(z.string()).max(METRICS_OPERATION_NAMES_MAX, `must name at most ${METRICS_OPERATION_NAMES_MAX} operations`)),
});

function isOrigin(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === text;
  } catch {
    return false;
  }
}

/** Every variable the server reads (.env.example and docs/operations.md list the same, which a test holds). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(environmentSchema.shape);

/** Variables whose values an error message must not repeat. */
const SECRET_VARIABLES = new Set(['MINING_TOKEN', 'DATABASE_URL', 'DATABASE_SESSION_URL']);

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Reads and checks the configuration. An invalid value throws a ConfigError
 * whose one-line message names the variable, before anything is opened or written.
 * Empty variables count as unset.
 */
export function loadConfig(environment: Readonly<Record<string, string | undefined>>): Config {
  const present = Object.fromEntries(
    Object.keys(environmentSchema.shape)
      .map((name) => [name, environment[name]] as const)
      .filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = environmentSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'environment');
    const got = SECRET_VARIABLES.has(name) ? 'value not shown' : `got ${JSON.stringify(present[name])}`;
    throw new ConfigError(`Invalid configuration: ${name} ${issue?.message ?? 'is invalid'} (${got}).`);
  }
  const { PORT, HOST, DATABASE_PATH, DIFFICULTY, DATA_MAX_BYTES, CORS_ORIGINS, NODE_ENV, GRAPHIQL, INTROSPECTION } = parsed.data;
  if (parsed.data.DATABASE_URL !== undefined && 'DATABASE_PATH' in present) {
    throw new ConfigError(
      'Invalid configuration: DATABASE_URL and DATABASE_PATH are both set; set DATABASE_URL for PostgreSQL or DATABASE_PATH for SQLite, not both.',
    );
  }
  if (parsed.data.DATABASE_SESSION_URL !== undefined && parsed.data.DATABASE_URL === undefined) {
    throw new ConfigError('Invalid configuration: DATABASE_SESSION_URL is set without DATABASE_URL; it only applies to PostgreSQL.');
  }
  const production = NODE_ENV === 'production';
  return Object.freeze({
    port: PORT,
    host: HOST,
    databasePath: DATABASE_PATH,
    databaseUrl: parsed.data.DATABASE_URL ?? null,
    databasePoolSize: parsed.data.DATABASE_POOL_SIZE,
    databaseStatementTimeoutMs: parsed.data.DATABASE_STATEMENT_TIMEOUT_SECONDS * 1000,
    databaseSessionUrl: parsed.data.DATABASE_SESSION_URL ?? null,
    miningLeaseMs: parsed.data.MINING_LEASE_SECONDS * 1000,
    instanceId: parsed.data.INSTANCE_ID ?? `${hostname().slice(0, 30)}-${process.pid}`,
    logFormat: parsed.data.LOG_FORMAT ?? (production ? 'json' : 'text'),
    shutdownDrainMs: parsed.data.SHUTDOWN_DRAIN_SECONDS * 1000,
    difficulty: DIFFICULTY,
    dataMaxBytes: DATA_MAX_BYTES,
    corsOrigins: Object.freeze(CORS_ORIGINS),
    graphiql: GRAPHIQL ?? !production,
    introspection: INTROSPECTION ?? !production,
    miningToken: parsed.data.MINING_TOKEN ?? null,
    miningRatePerMinute: parsed.data.MINING_RATE_LIMIT,
    miningQueueMax: parsed.data.MINING_QUEUE_MAX,
    trustedProxies: Object.freeze(parsed.data.TRUST_PROXY),
    miner: parsed.data.MINER,
    miningThreads: parsed.data.MINING_THREADS ?? availableParallelism(),
    maxConnections: parsed.data.MAX_CONNECTIONS ?? null,
    maxConnectionsPerClient: parsed.data.MAX_CONNECTIONS_PER_CLIENT,
    maxWebSocketsPerClient: parsed.data.MAX_WEBSOCKETS_PER_CLIENT,
    webSocketIdleTimeoutMs: parsed.data.WEBSOCKET_IDLE_SECONDS * 1000,
    metricsOperationNames: Object.freeze(parsed.data.METRICS_OPERATION_NAMES),
  });
}
