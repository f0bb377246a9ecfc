import { storageCall } from '../errors.js';
import { checkMigrationsApplied, shippedMigrations } from '../migrations.js';
import { POSTGRES_MIGRATIONS_FOLDER, type PostgresDatabase } from './database.js';
import { toPostgresStorageError } from './errors.js';

const SHIPPED = shippedMigrations(POSTGRES_MIGRATIONS_FOLDER);
const call = storageCall(toPostgresStorageError);

/** PostgreSQL answers on a pooled connection and has at least the migrations this code ships. */
export async function pingPostgres(database: PostgresDatabase): Promise<void> {
  const { rows } = await call(() =>
    database.pool.query<{ applied: string }>('SELECT count(*) AS applied FROM drizzle.__drizzle_migrations'),
  );
  checkMigrationsApplied(Number(rows[0]?.applied ?? 0), SHIPPED);
}
