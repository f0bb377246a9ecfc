import { checkMigrationsApplied, shippedMigrations } from '../migrations.js';
import { SQLITE_MIGRATIONS_FOLDER, type SqliteDatabase } from './database.js';
import { translateSqliteErrors } from './errors.js';

const SHIPPED = shippedMigrations(SQLITE_MIGRATIONS_FOLDER);

/** SQLite answers (a file that was deleted or damaged under the server fails here) and has at least the migrations this code ships. */
export function pingSqlite(database: SqliteDatabase): void {
  const row = translateSqliteErrors(() => database.client.prepare('SELECT count(*) AS applied FROM __drizzle_migrations').get()) as {
    applied: number;
  };
  checkMigrationsApplied(row.applied, SHIPPED);
}
