import { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type pg from 'pg';

/**
 * The instance's own bounds on PostgreSQL, which hold when the network goes
 * silent (packets dropped, nothing closed): the server's statement_timeout
 * never fires for a statement it never received, and TCP keepalive never
 * fires while sent data waits to be acknowledged (Node 20 cannot set
 * TCP_USER_TIMEOUT). So the client keeps deadlines of its own.
 */

/**
 * How much longer than the server's statement timeout the instance waits for
 * an answer, in ms: when the network works, the server's cancellation (a
 * clearer error, and a connection still usable) arrives first.
 */
const ANSWER_GRACE_MS = 500;

/** The longest the instance waits for the answer to one statement, in ms (pg's `query_timeout`). */
export const answerDeadlineMs = (statementTimeoutMs: number): number => statementTimeoutMs + ANSWER_GRACE_MS;

/**
 * The longest the instance waits for a new connection or for a free one in
 * the pool, in ms: `preferredMs` (pg's default is 10 s), cut to the statement
 * timeout so that a connection and a statement fit within a request's bound.
 */
export const connectDeadlineMs = (statementTimeoutMs: number, preferredMs = 10_000): number =>
  Math.max(1, Math.min(preferredMs, statementTimeoutMs));

/** Probes idle connections after this long, in ms, rather than the system's default of two hours. */
export const KEEPALIVE_DELAY_MS = 10_000;

/** pg's error for a statement whose answer did not come within `query_timeout`, under any wrapping (Drizzle's, ours). */
export function isAnswerTimeout(error: unknown): boolean {
  let current = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (current.message === 'Query read timeout') return true;
    current = current.cause;
  }
  return false;
}

/**
 * Gives up on a connection at once: resets its socket (discarding what it has
 * not sent, so a COMMIT queued behind a silent network cannot reach the
 * server later) and ends the client. A graceful end would wait for the
 * silent peer, and pg would keep the unanswered statement in front of every
 * later one.
 */
export function abandonConnection(client: pg.Client | pg.PoolClient): Promise<void> {
  const { stream } = client.connection;
  if (stream instanceof Socket && !stream.destroyed) {
    // Over TLS the RST goes on the TCP socket underneath; Node refuses resetAndDestroy on the TLS one.
    const tcp: unknown = stream instanceof TLSSocket ? (stream as TLSSocket & { _parent?: unknown })._parent : stream;
    try {
      if (tcp instanceof Socket && !tcp.destroyed && tcp.remoteFamily !== undefined) tcp.resetAndDestroy();
    } catch {
      // Not a TCP handle after all (a Unix socket has no RST: nothing is in flight on one once it is closed).
    }
    stream.destroy();
  }
  return client.end().catch(() => undefined);
}

/** Ends a connection gracefully if its peer answers within `withinMs`, and abandons it otherwise: a close never hangs on a silent network. */
export async function endConnection(client: pg.Client, withinMs = 1000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const ended = client.end().then(
    () => true,
    () => true,
  );
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), withinMs)));
  try {
    if (!(await Promise.race([ended, late]))) await abandonConnection(client);
  } finally {
    clearTimeout(timer);
  }
}
