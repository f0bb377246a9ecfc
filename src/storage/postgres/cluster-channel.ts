import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { withinTime } from '../../shared/within-time.js';
import type { ClusterChannel, ClusterListener, ClusterNews, MiningNews } from '../cluster.js';
import { StorageOpenError } from '../errors.js';
import { abandonConnection, endConnection, isAnswerTimeout } from './deadlines.js';
import { connectSession, type SessionConnectionOptions } from './session.js';

interface ClusterChannelOptions extends SessionConnectionOptions {
  /** Sends the notifications (any connection will do, even through a pooler). */
  readonly pool: pg.Pool;
  /** Gets connection failures (it reconnects by itself) and failures to publish. */
  readonly onError?: (error: unknown) => void;
  /** Longest wait between two reconnection attempts, in ms. */
  readonly maxBackoffMs?: number;
}

const BLOCKS_CHANNEL = 'ledger_blocks';
const MINING_CHANNEL = 'ledger_mining';
/** How long the start-up probe waits for its own notification, in ms. */
const PROBE_WAIT_MS = 3000;
/** Longest one piece of mining news holds back the next, in ms. */
const PUBLISH_WAIT_MS = 1000;
/** The listening connection answers a ping within this long, or is replaced, in ms. */
const PING_DEADLINE_MS = 10_000;

/** News from another version of the server, or not news at all, is ignored. */
function isMiningNews(message: Partial<MiningNews>): message is MiningNews {
  const numbers = [message.mine, message.index, message.difficulty, message.attempts, message.elapsedMs];
  return (
    typeof message.instance === 'string' &&
    typeof message.boot === 'string' &&
    numbers.every((value) => typeof value === 'number' && Number.isFinite(value)) &&
    (message.state === 'MINING' || message.state === 'MINED' || message.state === 'ABANDONED') &&
    (message.hash === undefined || typeof message.hash === 'string')
  );
}

/** The channel's listening connection could not hear a notification sent from the pool: not a session of its own. */
class NotificationsUnheardError extends StorageOpenError {
  override readonly name = 'NotificationsUnheardError';
  constructor(message: string) {
    super('invalid', message);
  }
}

/**
 * Opens the listening connection and checks that it hears a notification
 * sent through the pool; reconnects by itself (with backoff) whenever the
 * connection drops, until `close`.
 */
export async function openClusterChannel(options: ClusterChannelOptions): Promise<ClusterChannel> {
  const { pool, onError = () => undefined, maxBackoffMs = 2000 } = options;
  const listeners = new Set<ClusterListener>();
  /** Marks this process's own mining news. */
  const origin = randomUUID();
  /** Mining news goes out one after another, so that it arrives in the order it was sent. */
  const outbox: MiningNews[] = [];
  let sending = false;

  async function send(): Promise<void> {
    sending = true;
    while (outbox.length > 0 && !closed) {
      const news = outbox.shift()!;
      // A pooled connection that hangs must not hold back the news after it: a second, and on.
      const sent = pool.query('SELECT pg_notify($1, $2)', [MINING_CHANNEL, JSON.stringify({ ...news, origin })]).catch(onError);
      await withinTime(sent, PUBLISH_WAIT_MS, undefined);
    }
    sending = false;
  }
  const probes = new Map<string, () => void>();
  let client: pg.Client | null = null;
  let closed = false;
  let retry: NodeJS.Timeout | null = null;

  const tell = (news: ClusterNews): void => {
    for (const listener of [...listeners]) {
      try {
        listener(news);
      } catch (error) {
        onError(error);
      }
    }
  };

  function onNotification({ channel, payload = '' }: pg.Notification): void {
    if (channel === BLOCKS_CHANNEL) {
      tell({ type: 'blocks' });
      return;
    }
    if (channel !== MINING_CHANNEL) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload);
    } catch {
      return;
    }
    const message = parsed as { probe?: string; origin?: string } & Partial<MiningNews>;
    if (typeof message.probe === 'string') {
      probes.get(message.probe)?.();
      return;
    }
    // This process's own news comes back too; the origin, not INSTANCE_ID, tells (two instances may share an id by mistake).
    if (message.origin === origin || !isMiningNews(message)) return;
    const { instance, boot, mine, state, index, difficulty, attempts, elapsedMs, hash } = message;
    tell({
      type: 'mining',
      news: { instance, boot, mine, state, index, difficulty, attempts, elapsedMs, ...(hash === undefined ? {} : { hash }) },
    });
  }

  async function connect(): Promise<void> {
    const opened = await connectSession(options);
    opened.on('notification', onNotification);
    // A half-open connection hears nothing and says nothing: one that has not answered a ping
    // within PING_DEADLINE_MS is ended, and the 'end' below reconnects.
    let pending = 0;
    const ping = setInterval(() => {
      if (pending > 0) {
        void abandonConnection(opened);
        return;
      }
      pending += 1;
      opened.query('SELECT 1').then(
        () => (pending = 0),
        (error: unknown) => {
          // An unanswered statement stays in front of every later one: the connection is given up.
          if (isAnswerTimeout(error)) void abandonConnection(opened);
          else pending = 0;
        },
      );
    }, PING_DEADLINE_MS);
    ping.unref();
    opened.once('end', () => {
      clearInterval(ping);
      if (client !== opened || closed) return;
      client = null;
      onError(new Error('The PostgreSQL connection listening for other instances dropped; reconnecting.'));
      scheduleReconnect(100);
    });
    try {
      // Listening before anyone reads: a block committed from here on wakes the reader.
      await opened.query(`LISTEN ${BLOCKS_CHANNEL}; LISTEN ${MINING_CHANNEL}`);
    } catch (error) {
      clearInterval(ping);
      await endConnection(opened);
      throw error;
    }
    if (closed) {
      clearInterval(ping);
      await endConnection(opened);
      return;
    }
    client = opened;
  }

  function scheduleReconnect(delayMs: number): void {
    if (closed || retry !== null) return;
    retry = setTimeout(() => {
      retry = null;
      connect().then(
        () => {
          if (!closed) tell({ type: 'reconnected' });
        },
        (error: unknown) => {
          onError(error);
          scheduleReconnect(Math.min(maxBackoffMs, delayMs * 2));
        },
      );
    }, delayMs);
    retry.unref();
  }

  /** Sends a notification through the pool and waits to hear it on the listening connection. */
  async function probe(): Promise<boolean> {
    const nonce = randomUUID();
    const heard = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), PROBE_WAIT_MS);
      probes.set(nonce, () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    try {
      await pool.query('SELECT pg_notify($1, $2)', [MINING_CHANNEL, JSON.stringify({ probe: nonce })]);
      return await heard;
    } finally {
      probes.delete(nonce);
    }
  }

  const close = async (): Promise<void> => {
    closed = true;
    if (retry !== null) clearTimeout(retry);
    retry = null;
    const current = client;
    client = null;
    listeners.clear();
    if (current !== null) await endConnection(current);
  };

  await connect();
  if (!(await probe())) {
    await close();
    throw new NotificationsUnheardError(
      `A notification sent through the pool did not reach the listening connection within ${PROBE_WAIT_MS / 1000} s. ` +
        'The session URL probably goes through a transaction-mode pooler (PgBouncer pool_mode=transaction), which drops LISTEN: ' +
        'set DATABASE_SESSION_URL to a direct or session-pooled connection.',
    );
  }

  return {
    listen(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    publishMining(news) {
      if (closed) return;
      // Progress not yet sent is replaced by newer progress of the same mine; ends are always sent.
      const last = outbox.at(-1);
      if (news.state === 'MINING' && last?.state === 'MINING' && last.boot === news.boot && last.mine === news.mine)
        outbox[outbox.length - 1] = news;
      else outbox.push(news);
      if (!sending) void send();
    },
    connected: () => client !== null,
    close,
  };
}
