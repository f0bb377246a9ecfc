import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject, onTestFinished } from 'vitest';

/** The throwaway cluster's admin URL, or null where PostgreSQL is not installed (see test/postgres-setup.ts). */
export const POSTGRES_URL = inject('postgresUrl');

/** The storage engines a parameterised suite runs on: PostgreSQL only where the cluster runs. */
export const ENGINES = POSTGRES_URL === null ? (['sqlite'] as const) : (['sqlite', 'postgres'] as const);
export type EngineName = 'sqlite' | 'postgres';

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
