import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StorageError } from './errors.js';

/** The database is up, but lacks migrations this code needs. */
class MigrationsMismatchError extends StorageError {
  override readonly name = 'MigrationsMismatchError';
  constructor(message: string) {
    super('invalid', message);
  }
}

/** Migrations this code ships in `folder`, from drizzle-kit's journal. */
export function shippedMigrations(folder: string): number {
  const journal = JSON.parse(readFileSync(join(folder, 'meta/_journal.json'), 'utf8')) as { entries: unknown[] };
  return journal.entries.length;
}

/**
 * Fewer migrations than this code ships: the schema is older than the code.
 * More is fine: during a rolling upgrade the first new instance migrates,
 * and the old ones must stay in rotation until they are replaced.
 */
export function checkMigrationsApplied(applied: number, shipped: number): void {
  if (applied < shipped) {
    throw new MigrationsMismatchError(`The database has ${applied} migrations applied; this version of the server needs ${shipped}.`);
  }
}
