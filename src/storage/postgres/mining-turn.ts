import pg from 'pg';
import { withinTime } from '../../shared/within-time.js';
import { abandonConnection, endConnection, isAnswerTimeout } from './deadlines.js';
import { toPostgresStorageError } from './errors.js';
import { connectSession, type SessionConnectionOptions } from './session.js';

/**
 * Key of the session advisory lock that is the cluster's mining turn: "ledges"
 * in ASCII, next to the migrations' "ledger" (any fixed number would do).
 */
export const MINING_TURN_KEY = 0x6c6564676573;

/**
 * How long one wait for the turn lasts before the waiter checks whether it
 * should stop waiting, in ms; also the connection's `lock_timeout` for its
 * appends (kept below the statement timeout, as the pool's is).
 */
const waitSliceMs = (statementTimeoutMs: number): number => Math.max(1, Math.min(1000, Math.floor(statementTimeoutMs / 2)));

/** The longest a turn's release waits for its unlock before dropping the connection instead, in ms. */
const RELEASE_WAIT_MS = 1000;

export interface MiningTurnsOptions extends SessionConnectionOptions {
  /**
   * The longest a frozen or cut-off holder keeps the turn, in ms: the
   * connection's `idle_session_timeout`, so the server ends the session (and
   * frees the lock) once the holder has been silent this long. The holder
   * sends a heartbeat four times per lease.
   */
  readonly leaseMs: number;
}

/** The cluster's mining turn, held on a connection of its own. */
export interface HeldTurn {
  /** The connection holding the turn: what is written on it is written only while the turn is held. */
  readonly client: pg.Client;
  /** Aborts when the turn is lost: the connection failed or the server ended it (the lease ran out). */
  readonly lost: AbortSignal;
  /**
   * After a statement failed with `failure`: whether the connection still
   * answers; if not, the turn is lost (and `lost` aborts). A statement left
   * unanswered past its deadline loses the turn without asking: the
   * connection would answer nothing before it.
   */
  stillHeld(failure: unknown): Promise<boolean>;
  /**
   * Runs `work`, statements on the turn's connection: meanwhile heartbeats
   * wait (a running statement keeps the session busy, not idle), so a slow
   * commit within the statement timeout does not count as silence.
   */
  busy<T>(work: () => Promise<T>): Promise<T>;
  /** Gives the turn back; on a lost turn, drops the connection. */
  release(): Promise<void>;
}

export interface MiningTurns {
  /**
   * Waits for the cluster's mining turn: a session advisory lock, so only
   * one instance on the database mines at a time. Rejects with `signal`'s
   * reason when it aborts first, or a StorageError when PostgreSQL cannot be
   * reached. One take at a time per MiningTurns (the ledger's mining lock
   * sees to it): advisory locks are re-entrant within a session.
   */
  take(signal: AbortSignal): Promise<HeldTurn>;
  /**
   * Whether connections to the session URL keep their session: takes a probe
   * lock on one and asks `other` (the pool) to take the same. A
   * transaction-mode pooler hands the session back after each statement, so
   * there the lock looks free.
   */
  keepsSession(other: pg.Pool): Promise<boolean>;
  /** Ends the connection (which frees the lock, if held). */
  close(): Promise<void>;
}

export class TurnLostError extends Error {
  override readonly name = 'TurnLostError';
  constructor(options?: ErrorOptions) {
    super('The mining turn was lost: its connection to PostgreSQL failed or its lease ran out.', options);
  }
}

/** The SQLSTATE of an error the server sent; null for anything else (a broken socket: EPIPE, ECONNRESET). */
const sqlState = (error: unknown): string | null => (error instanceof pg.DatabaseError ? (error.code ?? null) : null);

const isLockTimeout = (error: unknown): boolean => sqlState(error) === '55P03';

/**
 * Whether a failed statement means the session is gone: no answer from the
 * server at all, or one that ends the session (class 08, an administrator's
 * or the idle timeout's termination). Other errors (a statement cancelled by
 * its timeout, a heartbeat refused inside a failed transaction) leave the
 * session, and its lock, in place.
 */
export function endsSession(error: unknown): boolean {
  const code = sqlState(error);
  // 25P03: idle_in_transaction_session_timeout.
  return code === null || code.startsWith('08') || /^57P0[1-5]$/.test(code) || code === '25P03';
}

/**
 * The cluster-wide mining turn on a dedicated connection. The connection
 * stays open between turns; when the server has ended it (idle for a lease),
 * the next `take` opens another.
 */
export function createMiningTurns(options: MiningTurnsOptions): MiningTurns {
  const { leaseMs } = options;
  let client: pg.Client | null = null;
  let alive = false;
  let closed = false;

  async function freshClient(): Promise<pg.Client> {
    // The lease bounds a frozen holder whether it is between statements or inside its append's transaction.
    const opened = await connectSession(options, {
      idle_session_timeout: leaseMs,
      idle_in_transaction_session_timeout: leaseMs,
      lock_timeout: waitSliceMs(options.statementTimeoutMs),
    });
    if (closed) {
      await opened.end();
      throw new Error('The mining turns are closed.');
    }
    alive = true;
    opened.once('end', () => {
      if (client === opened) alive = false;
    });
    client = opened;
    return opened;
  }

  function drop(dropped: pg.Client): void {
    if (client === dropped) {
      client = null;
      alive = false;
    }
    void abandonConnection(dropped);
  }

  function hold(holder: pg.Client): HeldTurn {
    const lost = new AbortController();
    const lose = (reason: unknown = new TurnLostError()): void => {
      if (!lost.signal.aborted) lost.abort(reason instanceof TurnLostError ? reason : new TurnLostError({ cause: reason }));
    };
    const onEnd = (): void => lose();
    holder.once('end', onEnd);
    // The threads search meanwhile; without a statement the server would end an idle session after a lease.
    // A heartbeat unanswered for a lease means the server has (or soon will have) ended the session:
    // a half-open connection would otherwise hide the loss until TCP gives up, minutes later.
    let unanswered = 0;
    let working = 0;
    const period = Math.max(50, Math.floor(leaseMs / 4));
    const heartbeat = setInterval(() => {
      if (working > 0) {
        unanswered = 0;
        return;
      }
      if (unanswered * period >= leaseMs) {
        lose(new Error(`no answer from PostgreSQL for ${leaseMs} ms`));
        drop(holder);
        return;
      }
      unanswered += 1;
      holder.query('SELECT 1').then(
        () => (unanswered = 0),
        (error: unknown) => {
          unanswered = 0;
          if (endsSession(error)) lose(error);
        },
      );
    }, period);
    heartbeat.unref();
    let released = false;
    return {
      client: holder,
      lost: lost.signal,
      async busy(work) {
        working += 1;
        try {
          return await work();
        } finally {
          working -= 1;
        }
      },
      async stillHeld(failure) {
        if (lost.signal.aborted) return false;
        if (isAnswerTimeout(failure)) {
          lose(failure);
          drop(holder);
          return false;
        }
        try {
          await holder.query('SELECT 1');
          return true;
        } catch (error) {
          if (!endsSession(error)) return true;
          lose(error);
          return false;
        }
      },
      async release() {
        if (released) return;
        released = true;
        clearInterval(heartbeat);
        holder.off('end', onEnd);
        if (lost.signal.aborted) {
          drop(holder);
          return;
        }
        // Bounded: a mine whose block is stored must not wait out a silent network to answer. A connection
        // dropped here ends its session, which frees the lock as surely as the unlock would.
        const unlocked = holder.query<{ unlocked: boolean }>('SELECT pg_advisory_unlock($1) AS unlocked', [MINING_TURN_KEY]).then(
          ({ rows }) => rows[0]?.unlocked === true,
          () => false,
        );
        if (!(await withinTime(unlocked, RELEASE_WAIT_MS, false))) drop(holder);
      },
    };
  }

  return {
    async take(signal) {
      // A connection the server ended while it sat idle fails its first statement: one more try on a fresh one.
      let fresh = false;
      for (;;) {
        signal.throwIfAborted();
        if (closed) throw new Error('The mining turns are closed.');
        let current: pg.Client;
        try {
          if (client === null || !alive) {
            current = await freshClient();
            fresh = true;
          } else current = client;
        } catch (error) {
          throw toPostgresStorageError(error);
        }
        try {
          await current.query('SELECT pg_advisory_lock($1)', [MINING_TURN_KEY]);
          if (signal.aborted) {
            await current.query('SELECT pg_advisory_unlock($1)', [MINING_TURN_KEY]).catch(() => drop(current));
            signal.throwIfAborted();
          }
          return hold(current);
        } catch (error) {
          if (isLockTimeout(error)) continue;
          if (signal.aborted) throw signal.reason;
          drop(current);
          if (!fresh) {
            fresh = true;
            continue;
          }
          throw toPostgresStorageError(error);
        }
      }
    },

    async keepsSession(other) {
      // Random, so that two instances starting together do not probe each other's lock.
      const probeKey = Math.floor(Math.random() * 2 ** 40) + 1;
      const prober = await connectSession(options);
      try {
        await prober.query('SELECT pg_advisory_lock($1)', [probeKey]);
        // One pooled connection for both statements, so that a lock it took is the one it gives back.
        const asker = await other.connect();
        let failure: Error | undefined;
        try {
          const { rows } = await asker.query<{ taken: boolean }>('SELECT pg_try_advisory_lock($1) AS taken', [probeKey]);
          if (rows[0]?.taken !== true) return true;
          await asker.query('SELECT pg_advisory_unlock($1)', [probeKey]).catch(() => undefined);
          return false;
        } catch (error) {
          // Released with its failure, the connection is given up rather than pooled (an unanswered one is reset).
          failure = error instanceof Error ? error : new Error(String(error));
          throw error;
        } finally {
          asker.release(failure);
        }
      } finally {
        await endConnection(prober);
      }
    },

    async close() {
      closed = true;
      const current = client;
      client = null;
      if (current !== null) await endConnection(current);
    },
  };
}
