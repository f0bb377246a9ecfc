import type { TestProject } from 'vitest/node';
import { findPostgresBinaries, startThrowawayPostgres } from '../scripts/throwaway-postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The throwaway cluster's admin connection string (database `postgres`), or null where PostgreSQL is not installed or not started. */
    postgresUrl: string | null;
  }
}

/**
 * Global setup: one throwaway PostgreSQL cluster for the whole run (Debian's
 * binaries, run as the `postgres` user when we are root, a Unix socket in a
 * temporary directory). Each test makes its own database in it
 * (test/helpers/postgres.ts). Without the binaries the PostgreSQL tests are
 * skipped with a notice, except under CI=true, where that is a failure.
 */
export default async function startPostgres(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const bin = findPostgresBinaries();
  if (bin === null) {
    const notice = "PostgreSQL binaries not found (set PG_BIN, or install Debian's postgresql package)";
    if (process.env['CI'] === 'true') throw new Error(`${notice}: the PostgreSQL tests cannot run, and CI=true requires them.`);
    console.warn(`[tests] ${notice}: the PostgreSQL tests are skipped.`);
    project.provide('postgresUrl', null);
    return undefined;
  }
  const cluster = await startThrowawayPostgres(bin);
  project.provide('postgresUrl', cluster.url());
  return () => cluster.stop();
}
