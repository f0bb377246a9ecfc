import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { beforeEach, describe, inject, onTestFinished } from 'vitest';

export type EngineName = 'sqlite' | 'postgres';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The storage engines this tier's tests run on (vitest.config.ts): fast sqlite, postgres postgres, slow both. */
    engines: EngineName[];
  }
}

/** The throwaway cluster's admin URL, or null where PostgreSQL is not installed, or not started in this tier (see test/postgres-setup.ts). */
export const POSTGRES_URL = inject('postgresUrl');

/** The storage engines this tier's tests run on. */
export const ENGINES: readonly EngineName[] = inject('engines');

/** Why a PostgreSQL test is skipped here; the skipped tests' summary counts them under it. */
export const POSTGRES_MISSING =
  "needs PostgreSQL: its binaries are not installed here (install Debian's postgresql package, or set PG_BIN)";

/** In the suite being defined: each test is skipped, saying why, where `engine` cannot run here. */
function requireEngine(engine: EngineName): void {
  if (engine === 'postgres' && POSTGRES_URL === null) beforeEach((context) => context.skip(POSTGRES_MISSING));
}

/**
 * A suite for each engine of this tier (`%s` in the name is the engine): in
 * an `*.engines.test.ts` file, the SQLite one runs in the fast tier and the
 * PostgreSQL one in the postgres tier.
 */
export function describeOnEngines(name: string, body: (engine: EngineName) => void): void {
  for (const engine of ENGINES) {
    describe(name.replaceAll('%s', engine), () => {
      requireEngine(engine);
      body(engine);
    });
  }
}

/** Skips the running test, saying why, where PostgreSQL is not installed: for one test among others that do not need it. */
export function requirePostgres(context: { skip(note?: string): never }): void {
  if (POSTGRES_URL === null) context.skip(POSTGRES_MISSING);
}

/** A suite that needs PostgreSQL: skipped, saying why, where it is not installed. Only in tiers that run PostgreSQL. */
export function describeOnPostgres(name: string, body: () => void): void {
  if (!ENGINES.includes('postgres'))
    throw new Error(`"${name}" needs PostgreSQL: name its file *.postgres.test.ts (or run it in the slow tier)`);
  describe(name, () => {
    requireEngine('postgres');
    body();
  });
}

/** The throwaway cluster's `url` (`postgres://postgres@/postgres?host=...`) with another database name. */
export function withDatabase(url: string, database: string): string {
  return url.replace('@/postgres?', `@/${database}?`);
}

async function admin<T>(use: (client: pg.Client) => Promise<T>): Promise<T> {
  if (POSTGRES_URL === null) throw new Error('PostgreSQL is not available here');
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** A new, empty database of the test's own in the throwaway cluster, dropped when the test finishes; its URL. */
export async function freshPostgresUrl(): Promise<string> {
  const name = `test_${randomBytes(6).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  onTestFinished(() => admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined));
  return withDatabase(POSTGRES_URL!, name);
}

/** Runs SQL on the test's database as another client would (psql, a tamperer with the superuser's rights). */
export async function postgresQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}
