import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { ClusterChannel, ClusterListener, ClusterNews, MiningNews } from '../cluster.js';
import { connectSession, type SessionConnectionOptions } from './mining-turn.js';

export interface ClusterChannelOptions extends SessionConnectionOptions {
  /** Sends the notifications (any connection will do, even through a pooler). */
  readonly pool: pg.Pool;
  /** This process, whose own mining news it does not hear. */
  readonly instanceId: string;
  /** Gets connection failures (it reconnects by itself) and failures to publish. */
  readonly onError?: (error: unknown) => void;
  /** Longest wait between two reconnection attempts, in ms. */
  readonly maxBackoffMs?: number;
}

export const BLOCKS_CHANNEL = 'ledger_blocks';
export const MINING_CHANNEL = 'ledger_mining';
/** How long the start-up probe waits for its own notification, in ms. */
const PROBE_WAIT_MS = 3000;

/** The channel's listening connection could not hear a notification sent from the pool: not a session of its own. */
export class NotificationsUnheardError extends Error {
  override readonly name = 'NotificationsUnheardError';
}

/**
 * Opens the listening connection and checks that it hears a notification
 * sent through the pool; reconnects by itself (with backoff) whenever the
 * connection drops, until `close`.
 */
export async function openClusterChannel(options: ClusterChannelOptions): Promise<ClusterChannel> {
  const { pool, instanceId, onError = () => undefined, maxBackoffMs = 2000 } = options;
  const listeners = new Set<ClusterListener>();
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
    const message = parsed as { probe?: string } & Partial<MiningNews>;
    if (typeof message.probe === 'string') {
      probes.get(message.probe)?.();
      return;
    }
    if (message.instance === instanceId || typeof message.index !== 'number') return;
    tell({ type: 'mining', news: message as MiningNews });
  }

  async function connect(): Promise<void> {
    const opened = await connectSession(options);
    opened.on('notification', onNotification);
    opened.once('end', () => {
      if (client !== opened || closed) return;
      client = null;
      onError(new Error('The PostgreSQL connection listening for other instances dropped; reconnecting.'));
      scheduleReconnect(100);
    });
    // Listening before anyone reads: a block committed from here on wakes the reader.
    await opened.query(`LISTEN ${BLOCKS_CHANNEL}; LISTEN ${MINING_CHANNEL}`);
    if (closed) {
      await opened.end();
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
    if (current !== null) await current.end().catch(() => undefined);
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
      pool.query('SELECT pg_notify($1, $2)', [MINING_CHANNEL, JSON.stringify(news)]).catch(onError);
    },
    connected: () => client !== null,
    close,
  };
}
