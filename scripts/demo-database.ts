import pg from 'pg';
import { findPostgresBinaries, startThrowawayPostgres, type ThrowawayPostgres } from './throwaway-postgres.js';

/**
 * For the demos: a throwaway PostgreSQL cluster with a `ledger` database,
 * its URL printed for psql and the operator tool. Exits with a message when
 * PostgreSQL's binaries are missing. PostgreSQL runs in a process group of
 * its own, so a terminal's Ctrl-C reaches the demo, which stops its servers
 * before the cluster.
 */
export async function startDemoDatabase(): Promise<{ readonly cluster: ThrowawayPostgres; readonly url: string }> {
  const bin = findPostgresBinaries();
  if (bin === null) {
    console.error("PostgreSQL's binaries were not found: install Debian's postgresql package, or set PG_BIN to the folder holding initdb.");
    process.exit(1);
  }
  const cluster = await startThrowawayPostgres(bin, { ownProcessGroup: true });
  const admin = new pg.Client({ connectionString: cluster.url() });
  await admin.connect();
  await admin.query('CREATE DATABASE ledger');
  await admin.end();
  const url = cluster.url('ledger');
  console.log(`PostgreSQL ${cluster.version} (throwaway, removed at exit): DATABASE_URL=${url}`);
  console.log(`  psql: psql "${url}"`);
  return { cluster, url };
}
