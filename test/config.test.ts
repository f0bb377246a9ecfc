import { availableParallelism, hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('loadConfig', () => {
  it('has defaults for everything', () => {
    expect(loadConfig({})).toEqual({
      port: 4000,
      host: '127.0.0.1',
      databasePath: './data/chain.db',
      databaseUrl: null,
      databasePoolSize: 10,
      databaseStatementTimeoutMs: 30_000,
      databaseSessionUrl: null,
      miningLeaseMs: 5000,
      instanceId: `${hostname().slice(0, 30)}-${process.pid}`,
      logFormat: 'text',
      shutdownDrainMs: 0,
      difficulty: 4,
      dataMaxBytes: 4096,
      corsOrigins: [],
      graphiql: true,
      introspection: true,
      miningToken: null,
      miningRatePerMinute: 60,
      miningQueueMax: 32,
      trustedProxies: [],
      miner: 'auto',
      miningThreads: availableParallelism(),
      maxConnections: null,
      maxConnectionsPerClient: 64,
      maxWebSocketsPerClient: 16,
      webSocketIdleTimeoutMs: 60_000,
      metricsOperationNames: [],
    });
  });

  it('selects PostgreSQL with DATABASE_URL, and refuses it together with DATABASE_PATH, never repeating the URL', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://ledger:secret@db.example.com/chain', DATABASE_POOL_SIZE: '20' })).toMatchObject({
      databaseUrl: 'postgres://ledger:secret@db.example.com/chain',
      databasePoolSize: 20,
    });
    expect(() => loadConfig({ DATABASE_URL: 'postgres://db/chain', DATABASE_PATH: './chain.db' })).toThrow(
      'Invalid configuration: DATABASE_URL and DATABASE_PATH are both set; set DATABASE_URL for PostgreSQL or DATABASE_PATH for SQLite, not both.',
    );
    expect(() => loadConfig({ DATABASE_URL: 'mysql://ledger:secret@db/chain' })).toThrow(
      /^Invalid configuration: DATABASE_URL must be a PostgreSQL connection string.*\(value not shown\)\.$/,
    );
    expect(() => loadConfig({ DATABASE_STATEMENT_TIMEOUT_SECONDS: '0' })).toThrow(/DATABASE_STATEMENT_TIMEOUT_SECONDS/);
  });

  it('refuses a malformed DATABASE_URL (or DATABASE_SESSION_URL) saying what is wrong, never the password', () => {
    const message = (url: string, variable = 'DATABASE_URL'): string => {
      const environment = variable === 'DATABASE_URL' ? { DATABASE_URL: url } : { DATABASE_URL: 'postgres://db/chain', [variable]: url };
      try {
        loadConfig(environment);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as Error).message).not.toMatch(/s3cret|#et|et@/);
        return (error as Error).message;
      }
      throw new Error(`${url} was accepted`);
    };
    const ENCODE = 'its user or password holds a character that must be percent-encoded (@ : / ? # as %40 %3A %2F %3F %23)';
    expect(message('postgres://ledger:s3cret#et@db.example.com:5432/chain')).toBe(
      `Invalid configuration: DATABASE_URL is not a valid connection string: ${ENCODE} (value not shown).`,
    );
    expect(message('postgres://ledger:s3cret/et@db.example.com/chain')).toBe(
      `Invalid configuration: DATABASE_URL is not a valid connection string: ${ENCODE} (value not shown).`,
    );
    expect(message('postgres://ledger:s3cret@db.example.com:54x2/chain')).toBe(
      'Invalid configuration: DATABASE_URL is not a valid connection string: its port "54x2" is not a port number (up to 65535) (value not shown).',
    );
    expect(message('postgres://ledger:s3cret@db.example.com:99999/chain')).toBe(
      'Invalid configuration: DATABASE_URL is not a valid connection string: its port "99999" is not a port number (up to 65535) (value not shown).',
    );
    expect(message('postgresql://ledger:s3cret#et@db/chain', 'DATABASE_SESSION_URL')).toBe(
      `Invalid configuration: DATABASE_SESSION_URL is not a valid connection string: ${ENCODE} (value not shown).`,
    );
    // What pg itself accepts stays accepted: spaces, percent-encoded characters, a socket folder, no host at all.
    for (const url of [
      'postgres://ledger:pass:word@db/chain',
      'postgres://ledger:s3%23cret@db.example.com:5432/chain',
      'postgres://ledger:with space@db/chain',
      'postgres://ledger@/chain?host=/var/run/postgresql',
      'postgresql:///chain',
      'postgres://ledger:s3cret@[::1]:5432/chain',
    ]) {
      expect(loadConfig({ DATABASE_URL: url }).databaseUrl).toBe(url);
    }
  });

  it('turns GraphiQL and introspection off in production unless asked for', () => {
    expect(loadConfig({ NODE_ENV: 'production' })).toMatchObject({ graphiql: false, introspection: false });
    expect(loadConfig({ NODE_ENV: 'production', GRAPHIQL: 'true', INTROSPECTION: '1' })).toMatchObject({
      graphiql: true,
      introspection: true,
    });
    expect(loadConfig({ GRAPHIQL: 'false' })).toMatchObject({ graphiql: false, introspection: true });
  });

  it('never repeats the mining token in an error', () => {
    expect(() => loadConfig({ MINING_TOKEN: 'short-secret' })).toThrow(
      'Invalid configuration: MINING_TOKEN must be at least 16 characters (value not shown).',
    );
    expect(loadConfig({ MINING_TOKEN: 'a-long-enough-secret' }).miningToken).toBe('a-long-enough-secret');
  });

  it('reads a list of CORS origins', () => {
    expect(loadConfig({ CORS_ORIGINS: 'https://app.example.com, http://localhost:5173,' }).corsOrigins).toEqual([
      'https://app.example.com',
      'http://localhost:5173',
    ]);
  });

  it('reads the operation names the metrics label besides the shipped ones', () => {
    expect(loadConfig({}).metricsOperationNames).toEqual([]);
    expect(loadConfig({ METRICS_OPERATION_NAMES: 'NightlyExport, _audit2,' }).metricsOperationNames).toEqual(['NightlyExport', '_audit2']);
    const hundred = Array.from({ length: 100 }, (_, i) => `Op${i}`);
    expect(loadConfig({ METRICS_OPERATION_NAMES: hundred.join(',') }).metricsOperationNames).toHaveLength(100);
    expect(() => loadConfig({ METRICS_OPERATION_NAMES: [...hundred, 'Op100'].join(',') })).toThrow(
      /^Invalid configuration: METRICS_OPERATION_NAMES /,
    );
  });

  it('reads each variable, treating empty ones as unset', () => {
    expect(
      loadConfig({
        PORT: '8080',
        HOST: '0.0.0.0',
        DATABASE_PATH: '/var/lib/ledger.db',
        DIFFICULTY: '12',
        DATA_MAX_BYTES: '0',
        UNRELATED: 'x',
      }),
    ).toMatchObject({ port: 8080, host: '0.0.0.0', databasePath: '/var/lib/ledger.db', difficulty: 12, dataMaxBytes: 0, corsOrigins: [] });
    expect(loadConfig({ MINING_RATE_LIMIT: '0', MINING_QUEUE_MAX: '1', TRUST_PROXY: '127.0.0.1, ::1' })).toMatchObject({
      miningRatePerMinute: 0,
      miningQueueMax: 1,
      trustedProxies: ['127.0.0.1', '::1'],
    });
    expect(loadConfig({ MINER: 'wasm', MINING_THREADS: '3' })).toMatchObject({ miner: 'wasm', miningThreads: 3 });
    expect(loadConfig({ PORT: '', DIFFICULTY: '' })).toMatchObject({ port: 4000, difficulty: 4 });
    expect(
      loadConfig({ MAX_CONNECTIONS: '500', MAX_CONNECTIONS_PER_CLIENT: '8', MAX_WEBSOCKETS_PER_CLIENT: '2', WEBSOCKET_IDLE_SECONDS: '5' }),
    ).toMatchObject({ maxConnections: 500, maxConnectionsPerClient: 8, maxWebSocketsPerClient: 2, webSocketIdleTimeoutMs: 5000 });
  });

  it.each([
    ['PORT', '4.5'],
    ['PORT', '65536'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['PORT', '0x10'],
    ['HOST', '   '],
    ['DATABASE_PATH', ' '],
    ['DIFFICULTY', '0'],
    ['DIFFICULTY', '13'],
    ['DIFFICULTY', 'four'],
    ['DATA_MAX_BYTES', '1048577'],
    ['DATA_MAX_BYTES', '1e3'],
    ['DATA_MAX_BYTES', '-1'],
    ['CORS_ORIGINS', '*'],
    ['GRAPHIQL', 'yes'],
    ['INTROSPECTION', 'on'],
    ['TRUST_PROXY', 'true'],
    ['TRUST_PROXY', '10.0.0.0/8'],
    ['MINING_RATE_LIMIT', '-5'],
    ['MINING_QUEUE_MAX', '0'],
    ['MINER', 'gpu'],
    ['MINER', 'NATIVE'],
    ['MINING_THREADS', '0'],
    ['MINING_THREADS', '257'],
    ['MAX_CONNECTIONS', '15'],
    ['MAX_CONNECTIONS_PER_CLIENT', '0'],
    ['MAX_WEBSOCKETS_PER_CLIENT', '0'],
    ['WEBSOCKET_IDLE_SECONDS', '0'],
    ['WEBSOCKET_IDLE_SECONDS', '86401'],
    ['CORS_ORIGINS', 'https://app.example.com/'],
    ['CORS_ORIGINS', 'https://ok.example.com,ftp://files.example.com'],
    ['METRICS_OPERATION_NAMES', 'Tip,2fast'],
    ['METRICS_OPERATION_NAMES', 'Block Mined'],
    ['METRICS_OPERATION_NAMES', `A${'b'.repeat(64)}`],
  ])('rejects %s=%j with a one-line message naming it', (name, value) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toMatch(new RegExp(`^Invalid configuration: ${name} `));
    expect(message).toContain(JSON.stringify(value));
    expect(message).not.toContain('\n');
  });

  it('returns a frozen object', () => {
    expect(Object.isFrozen(loadConfig({}))).toBe(true);
  });
});
