import { storageCall } from '../errors.js';
import { checkMigrationsApplied, shippedMigrations } from '../migrations.js';
import { POSTGRES_MIGRATIONS_FOLDER, type PostgresDatabase } from './database.js';
import { toPostgresStorageError } from './errors.js';

const SHIPPED = shippedMigrations(POSTGRES_MIGRATIONS_FOLDER);
const call = storageCall(toPostgresStorageError);

/**
 * PostgreSQL answers on a pooled connection, has at least the migrations this
 * code ships, and lets the chain be read: the tip is read too, so a table
 * locked against readers (a `LOCK TABLE`, a `VACUUM FULL`) makes the ping wait
 * as every request would, and readiness fail within its bound.
 */
export async function pingPostgres(database: PostgresDatabase): Promise<void> {
  const { rows } = await call(() =>
    database.pool.query<{ applied: string }>(
      'SELECT (SELECT count(*) FROM drizzle.__drizzle_migrations) AS applied, (SELECT max(block_index) FROM blocks) AS tip',
    ),
  );
  checkMigrationsApplied(Number(rows[0]?.applied ?? 0), SHIPPED);
}
