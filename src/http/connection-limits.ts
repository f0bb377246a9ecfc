import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { createKeyCounts } from '../shared/key-counts.js';
import { addressKey, normalizeAddress } from './client-address.js';

interface ConnectionLimitOptions {
  /** Connections open at once on the whole server (HTTP and WebSocket alike). */
  readonly total: number;
  /** Per client address (IPv6: per /64). Our own reverse proxies are not counted: their clients are many. */
  readonly perClient: number;
  readonly trustedProxies: readonly string[];
}

interface ConnectionRefusal {
  /** 429 for one client's excess, 503 for the server's. */
  readonly status: 429 | 503;
  readonly message: string;
}

export interface ConnectionLimits {
  /** Why requests on `socket` are refused, or null while its connection is within the limits. */
  refusal(socket: Socket): ConnectionRefusal | null;
  /** Connections open now. */
  count(): number;
}

/**
 * File descriptors the server keeps for everything but connections: the
 * database and its WAL, worker threads, logs, the refused connections
 * waiting to be answered (REFUSED_HEADROOM).
 */
const RESERVED_DESCRIPTORS = 256;
/** Above `total`, connections are still accepted and answered with a refusal; past this many more, the kernel's are dropped unanswered. */
const REFUSED_HEADROOM = 128;
/** A refused connection that sends no request in this long is closed: it must not hold a descriptor. */
const REFUSED_GRACE_MS = 2000;
/** A client holding this many times its allowance has its further connections closed unanswered. */
const UNANSWERED_AFTER = 2;
/** What MAX_CONNECTIONS defaults to where the descriptor limit allows it. */
const DEFAULT_MAX_CONNECTIONS = 10_000;

/** The soft limit on open files (`ulimit -n`), from /proc on Linux; null where it cannot be read. */
export function openFileLimit(limits = '/proc/self/limits'): number | null {
  try {
    const soft = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync(limits, 'utf8'))?.[1];
    return soft === undefined ? null : soft === 'unlimited' ? Number.POSITIVE_INFINITY : Number(soft);
  } catch {
    return null;
  }
}

/**
 * The connection cap: MAX_CONNECTIONS (or DEFAULT_MAX_CONNECTIONS), lowered to
 * stay RESERVED_DESCRIPTORS below the file descriptor limit, so that the
 * process can always open its files and answer a refusal. Where the limit is
 * unknown, 1024 (the usual default) is assumed.
 */
export function connectionCap(configured: number | null, descriptorLimit: number | null = openFileLimit()): number {
  const ceiling = Math.max(16, (descriptorLimit ?? 1024) - RESERVED_DESCRIPTORS);
  return Math.min(configured ?? DEFAULT_MAX_CONNECTIONS, ceiling);
}

/**
 * Counts the server's connections, in total and per client address, as they
 * open. One past a limit is still accepted, so that its client gets an answer
 * (429 or 503 with CONNECTION_LIMIT, then the connection closes) rather than a
 * reset; a client past twice its allowance is closed at once, unanswered, and
 * beyond REFUSED_HEADROOM past the total Node drops new connections.
 * One client holding many sockets therefore cannot keep others out, and no
 * number of clients can exhaust the process's file descriptors.
 */
export function limitConnections(http: Server, { total, perClient, trustedProxies }: ConnectionLimitOptions): ConnectionLimits {
  const proxies = new Set(trustedProxies.map(normalizeAddress));
  const perClientCounts = createKeyCounts();
  const refusals = new WeakMap<Socket, ConnectionRefusal>();
  let count = 0;
  http.maxConnections = total + REFUSED_HEADROOM;

  http.on('connection', (socket: Socket) => {
    count += 1;
    const address = normalizeAddress(socket.remoteAddress ?? 'unknown');
    const key = proxies.has(address) ? null : addressKey(address);
    const mine = key === null ? 0 : perClientCounts.add(key);
    socket.once('close', () => {
      count -= 1;
      if (key !== null) perClientCounts.remove(key);
    });
    // Far past its allowance, a client is not worth an answer: a descriptor held for the
    // grace period by each of thousands of sockets a second would fill the total for everyone.
    if (key !== null && mine > UNANSWERED_AFTER * perClient) {
      socket.destroy();
      return;
    }
    let refusal: ConnectionRefusal | null = null;
    if (count > total) {
      refusal = { status: 503, message: `The server has ${total} connections open, the most it serves; try again later.` };
    } else if (mine > perClient) {
      refusal = {
        status: 429,
        message: `This client already has ${perClient} connections open, the most allowed (MAX_CONNECTIONS_PER_CLIENT); reuse or close one.`,
      };
    }
    if (refusal === null) return;
    refusals.set(socket, refusal);
    socket.setTimeout(REFUSED_GRACE_MS, () => socket.destroy());
  });

  return {
    refusal: (socket) => refusals.get(socket) ?? null,
    count: () => count,
  };
}
