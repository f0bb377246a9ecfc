import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS_FOLDER, type Database } from './database.js';
import { POSTGRES_MIGRATIONS_FOLDER, type PostgresDatabase } from './postgres/database.js';
import { translatePostgresErrors } from './postgres/errors.js';

/** The database is up, but lacks migrations this code needs. */
export class MigrationsMismatchError extends Error {
  override readonly name = 'MigrationsMismatchError';
}

/** Migrations this code ships, from drizzle-kit's journal. */
function shippedMigrations(folder: string): number {
  const journal = JSON.parse(readFileSync(join(folder, 'meta/_journal.json'), 'utf8')) as { entries: unknown[] };
  return journal.entries.length;
}

const SHIPPED = { sqlite: shippedMigrations(MIGRATIONS_FOLDER), postgres: shippedMigrations(POSTGRES_MIGRATIONS_FOLDER) };

/**
 * Fewer migrations than this code ships: the schema is older than the code.
 * More is fine: during a rolling upgrade the first new instance migrates,
 * and the old ones must stay in rotation until they are replaced.
 */
function checkApplied(applied: number, shipped: number): void {
  if (applied < shipped) {
    throw new MigrationsMismatchError(`The database has ${applied} migrations applied; this version of the server needs ${shipped}.`);
  }
}

/** SQLite answers (a file that was deleted or damaged under the server fails here) and has at least the migrations this code ships. */
export function pingSqlite(database: Database): void {
  const row = database.client.prepare('SELECT count(*) AS applied FROM __drizzle_migrations').get() as { applied: number };
  checkApplied(row.applied, SHIPPED.sqlite);
}

/** PostgreSQL answers on a pooled connection and has at least the migrations this code ships. */
export async function pingPostgres(database: PostgresDatabase): Promise<void> {
  const { rows } = await translatePostgresErrors(() =>
    database.pool.query<{ applied: string }>('SELECT count(*) AS applied FROM drizzle.__drizzle_migrations'),
  );
  checkApplied(Number(rows[0]?.applied ?? 0), SHIPPED.postgres);
}
