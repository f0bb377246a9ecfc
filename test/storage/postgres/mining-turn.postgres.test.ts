import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { openPostgresDatabase } from '../../../src/storage/postgres/database.js';
import {
  MINING_TURN_KEY,
  TurnLostError,
  createMiningTurns,
  endsSession,
  type MiningTurns,
  type MiningTurnsOptions,
} from '../../../src/storage/postgres/mining-turn.js';
import { describeOnPostgres, freshPostgresUrl, postgresQuery } from '../../helpers/postgres.js';

// A bigint advisory lock shows in pg_locks as its high and low 32 bits.
const KEY_HIGH = Math.floor(MINING_TURN_KEY / 2 ** 32);
const KEY_LOW = MINING_TURN_KEY % 2 ** 32;

interface TurnLock {
  readonly pid: number;
  readonly granted: boolean;
  readonly application_name: string;
}

/** Who holds, or waits for, the mining turn in the test's database. */
const turnLocks = (url: string): Promise<TurnLock[]> =>
  postgresQuery<TurnLock>(
    url,
    `SELECT l.pid, l.granted, a.application_name
       FROM pg_locks l JOIN pg_stat_activity a USING (pid)
      WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND l.classid = $1 AND l.objid = $2
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
      ORDER BY l.granted DESC`,
    [KEY_HIGH, KEY_LOW],
  );

/** A MiningTurns as one instance would make it, closed when the test finishes. */
function turnsFor(url: string, applicationName: string, overrides: Partial<MiningTurnsOptions> = {}): MiningTurns {
  const turns = createMiningTurns({ url, applicationName, statementTimeoutMs: 10_000, leaseMs: 5000, ...overrides });
  onTestFinished(() => turns.close());
  return turns;
}

/** A signal that gives up on a take that never comes, so a failing test fails instead of hanging. */
const patience = (): AbortSignal => AbortSignal.timeout(20_000);

/** Tracks whether a promise has settled, without waiting for it. */
function watch<T>(promise: Promise<T>): { readonly settled: () => boolean } {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  return { settled: () => settled };
}

describeOnPostgres('PostgreSQL mining turn', () => {
  it('is held by one instance at a time: the other waits past a lock-timeout slice, then gets it on release', async () => {
    const url = await freshPostgresUrl();
    const a = turnsFor(url, 'ledger turn a');
    const b = turnsFor(url, 'ledger turn b');

    const heldByA = await a.take(patience());
    expect(heldByA.lost.aborted).toBe(false);
    const locks = await turnLocks(url);
    expect(locks.filter((lock) => lock.granted)).toEqual([expect.objectContaining({ granted: true, application_name: 'ledger turn a' })]);

    const takingB = b.take(patience());
    const waitingB = watch(takingB);
    // The wait slice is 1 s (lock_timeout): still pending after it means B waits again rather than giving up.
    await sleep(1500);
    expect(waitingB.settled()).toBe(false);

    await heldByA.release();
    const heldByB = await takingB;
    expect(heldByB.lost.aborted).toBe(false);
    expect(await turnLocks(url)).toEqual([expect.objectContaining({ granted: true, application_name: 'ledger turn b' })]);
    await heldByB.release();
    expect(await turnLocks(url)).toEqual([]);
  });

  it('stops waiting when the signal aborts, with its reason, and holds nothing afterwards', async () => {
    const url = await freshPostgresUrl();
    const a = turnsFor(url, 'ledger turn a');
    const b = turnsFor(url, 'ledger turn b');
    const heldByA = await a.take(patience());

    const controller = new AbortController();
    const takingB = b.take(controller.signal);
    const failure = takingB.catch((error: unknown) => error);
    await sleep(300);
    const reason = new Error('shutting down');
    const abortedAt = Date.now();
    controller.abort(reason);
    expect(await failure).toBe(reason);
    // One wait slice (1 s) at most, in principle; generous for a loaded machine.
    expect(Date.now() - abortedAt).toBeLessThan(10_000);

    const locks = await turnLocks(url);
    expect(locks).toEqual([expect.objectContaining({ granted: true, application_name: 'ledger turn a' })]);
    await heldByA.release();
    expect(await turnLocks(url)).toEqual([]);
  });

  it('passes to another instance once a frozen holder has been silent for its lease', async () => {
    const url = await freshPostgresUrl();
    // A frozen instance: it took the turn on a session that ends after 1 s of silence, then went quiet.
    const frozen = new pg.Client({ connectionString: url, application_name: 'ledger frozen', options: '-c idle_session_timeout=1000' });
    frozen.on('error', () => undefined);
    await frozen.connect();
    onTestFinished(() => frozen.end().catch(() => undefined));
    await frozen.query('SELECT pg_advisory_lock($1)', [MINING_TURN_KEY]);
    expect(await turnLocks(url)).toEqual([expect.objectContaining({ granted: true, application_name: 'ledger frozen' })]);

    const turns = turnsFor(url, 'ledger turn b', { leaseMs: 1000 });
    const held = await turns.take(patience());
    expect(await turnLocks(url)).toEqual([expect.objectContaining({ granted: true, application_name: 'ledger turn b' })]);
    await held.release();
  });

  it('keeps a held turn past several leases while its holder is otherwise silent (the heartbeat)', async () => {
    const url = await freshPostgresUrl();
    const turns = turnsFor(url, 'ledger turn a', { leaseMs: 1000 });
    const held = await turns.take(patience());
    await sleep(3000);
    expect(held.lost.aborted).toBe(false);
    expect(await turnLocks(url)).toEqual([expect.objectContaining({ granted: true, application_name: 'ledger turn a' })]);
    // The lease is really in force on this session: without the heartbeat the server would have ended it.
    const { rows } = await held.client.query<{ timeout: string }>("SELECT current_setting('idle_session_timeout') AS timeout");
    expect(rows[0]?.timeout).toBe('1s');
    expect(await held.stillHeld(null)).toBe(true);
    await held.release();
  });

  it('reports a turn lost when its backend is terminated, and takes it again on a fresh connection', async () => {
    const url = await freshPostgresUrl();
    const turns = turnsFor(url, 'ledger turn a');
    const held = await turns.take(patience());
    const [holder] = await turnLocks(url);
    expect(holder).toMatchObject({ granted: true, application_name: 'ledger turn a' });

    await postgresQuery(url, 'SELECT pg_terminate_backend($1)', [holder!.pid]);
    await vi.waitFor(() => expect(held.lost.aborted).toBe(true), { timeout: 10_000, interval: 50 });
    expect(held.lost.reason).toBeInstanceOf(TurnLostError);
    expect(await held.stillHeld(null)).toBe(false);
    await expect(held.release()).resolves.toBeUndefined();

    const again = await turns.take(patience());
    expect(again.lost.aborted).toBe(false);
    const locks = await turnLocks(url);
    expect(locks).toEqual([expect.objectContaining({ granted: true, application_name: 'ledger turn a' })]);
    expect(locks[0]!.pid).not.toBe(holder!.pid);
    await again.release();
  });

  it('sees its session kept on a direct connection, and leaves no probe lock behind', async () => {
    const url = await freshPostgresUrl();
    const database = await openPostgresDatabase(url);
    try {
      const turns = turnsFor(url, 'ledger turn a');
      expect(await turns.keepsSession(database.pool)).toBe(true);
      const advisory = await postgresQuery<{ count: string }>(
        url,
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
      );
      expect(Number(advisory[0]!.count)).toBe(0);
    } finally {
      await database.close();
    }
  });
});

describe('endsSession', () => {
  /** An error the server sent, as pg reports it. */
  const withCode = (code: string): Error => Object.assign(new pg.DatabaseError(`failed with ${code}`, 0, 'error'), { code });

  it('counts no answer at all, a broken connection and a terminated session as the session ended', () => {
    expect(endsSession(new Error('Connection terminated unexpectedly'))).toBe(true);
    for (const code of ['08006', '57P01', '57P05', '25P03']) expect(endsSession(withCode(code)), code).toBe(true);
    // A broken socket's code is not a SQLSTATE, even when it has five letters.
    expect(endsSession(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))).toBe(true);
  });

  it('counts a cancelled statement, a lock timeout and a failed transaction as the session kept', () => {
    for (const code of ['57014', '55P03', '25P02']) expect(endsSession(withCode(code)), code).toBe(false);
  });
});
