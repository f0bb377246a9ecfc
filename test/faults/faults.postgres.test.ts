import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { findPostgresBinaries, startThrowawayPostgres, type ThrowawayPostgres } from '../../scripts/throwaway-postgres.js';
import { gql } from '../generated/index.js';
import { executeOperation } from '../helpers/execute-operation.js';
import { describeOnPostgres, postgresQuery } from '../helpers/postgres.js';
import { sharedProofSearch } from '../helpers/proof-search.js';

const Mine = gql(`
  mutation FaultMine {
    mineBlock { block { index hash } }
  }
`);

const Length = gql(`
  query FaultLength {
    chain(last: 1) { totalCount }
    validate { valid length }
  }
`);

/** These tests stop and start their own cluster: the run's shared one stays up for everyone else. */
describeOnPostgres('PostgreSQL faults', () => {
  let cluster: ThrowawayPostgres;
  let database = 0;
  const bin = findPostgresBinaries();
  // Where PostgreSQL is missing the tests are skipped (and counted), but hooks still run.
  beforeAll(async () => {
    if (bin !== null) cluster = await startThrowawayPostgres(bin);
  });
  afterAll(() => (bin === null ? undefined : cluster.stop()));

  async function freshUrl(): Promise<string> {
    const name = `faults_${(database += 1)}`;
    const admin = new pg.Client({ connectionString: cluster.url() });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    return cluster.url(name);
  }

  async function appOn(url: string, overrides: Partial<ReturnType<typeof loadConfig>> = {}) {
    return createApp({ ...loadConfig({}), databaseUrl: url, difficulty: 2, ...overrides }, { proofSearch: sharedProofSearch() });
  }

  it('answers DB_UNAVAILABLE (503, Retry-After) while the database restarts, loses no acknowledged block, and recovers by itself', async () => {
    const app = await appOn(await freshUrl());
    try {
      const acknowledged: string[] = [];
      for (let i = 0; i < 3; i++) {
        const mined = await executeOperation(app, Mine);
        acknowledged.push(mined.data!.mineBlock.block.hash);
      }

      await cluster.halt('immediate');
      const refused = await executeOperation(app, Mine);
      expect(refused.codes).toEqual(['DB_UNAVAILABLE']);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      const unreadable = await executeOperation(app, Length);
      expect(unreadable.codes[0]).toBe('DB_UNAVAILABLE');

      await cluster.resume();
      // The pool replaces the dead connections on its own: the next requests succeed.
      const after = await executeOperation(app, Mine);
      expect(after.codes).toEqual([]);
      expect(after.data!.mineBlock.block.index).toBe(4);
      const read = await executeOperation(app, Length);
      expect(read.data).toEqual({ chain: { totalCount: 5 }, validate: { valid: true, length: 5 } });
      const stored = await app.ledger.page({ limit: 10, from: 'first' });
      expect(stored.blocks.slice(1, 4).map((block) => block.hash)).toEqual(acknowledged);
    } finally {
      await app.close();
    }
  });

  it('survives its connection being cut in the middle of an append: the mine takes another turn and its block is written once', async () => {
    const url = await freshUrl();
    const app = await appOn(url);
    const locker = new pg.Client({ connectionString: url });
    await locker.connect();
    try {
      // Holding the write lock keeps the app's append waiting inside its transaction.
      await locker.query('BEGIN');
      await locker.query('SELECT * FROM chain_state WHERE id = 1 FOR UPDATE');
      const mining = executeOperation(app, Mine);
      let waiting: number | undefined;
      for (let tries = 0; waiting === undefined && tries < 500; tries++) {
        // Inside a transaction pg_stat_activity is a snapshot: cleared, it shows the turn's connection opened since.
        await locker.query('SELECT pg_stat_clear_snapshot()');
        const { rows } = await locker.query<{ pid: number }>(
          "SELECT pid FROM pg_stat_activity WHERE application_name LIKE 'pow-ledger%' AND wait_event_type = 'Lock'",
        );
        waiting = rows[0]?.pid;
        if (waiting === undefined) await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(waiting).toBeDefined();
      await locker.query('SELECT pg_terminate_backend($1)', [waiting]);
      await locker.query('ROLLBACK');
      const mined = await mining;
      expect(mined.codes).toEqual([]);
      expect(mined.data!.mineBlock.block.index).toBe(1);
      const next = await executeOperation(app, Mine);
      expect(next.data!.mineBlock.block.index).toBe(2);
      const stored = await postgresQuery<{ count: string }>(url, 'SELECT count(*) FROM blocks');
      expect(Number(stored[0]!.count)).toBe(3);
    } finally {
      await locker.end();
      await app.close();
    }
  });

  it('bounds every statement by DATABASE_STATEMENT_TIMEOUT_SECONDS, and a write waiting on a lock by the lock timeout (DB_BUSY)', async () => {
    const url = await freshUrl();
    const app = await appOn(url, { databaseStatementTimeoutMs: 1000 });
    const locker = new pg.Client({ connectionString: url });
    await locker.connect();
    try {
      // Another session holds the chain's write lock and then the whole table: writes wait, then give up.
      await locker.query('BEGIN');
      await locker.query('SELECT * FROM chain_state WHERE id = 1 FOR UPDATE');
      const started = performance.now();
      const refused = await executeOperation(app, Mine);
      expect(refused.codes).toEqual(['DB_BUSY']);
      expect(performance.now() - started).toBeLessThan(15_000);
      await locker.query('LOCK TABLE blocks IN ACCESS EXCLUSIVE MODE');
      const read = await executeOperation(app, Length);
      expect(read.codes[0]).toMatch(/^DB_(UNAVAILABLE|BUSY)$/);
      // Not ready while the chain cannot be read, and /readyz says so within its own bound.
      const checked = performance.now();
      const readiness = await app.readiness();
      expect(readiness.ready).toBe(false);
      expect(performance.now() - checked).toBeLessThan(2000 + 1500);
      await locker.query('ROLLBACK');
      expect((await app.readiness()).ready).toBe(true);
      const mined = await executeOperation(app, Mine);
      expect(mined.codes).toEqual([]);
    } finally {
      await locker.end();
      await app.close();
    }
  });
});
