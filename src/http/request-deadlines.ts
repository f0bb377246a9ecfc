import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface RequestDeadlines {
  /** A request's headers must all be in this long after its first byte (a new connection's: after it opened). */
  readonly headersMs: number;
  /** The whole request, body included, this long after its first byte. */
  readonly requestMs: number;
  /** How often connections are looked at: the precision of both deadlines. */
  readonly checkEveryMs: number;
}

/** Where a connection is: reading a request's headers, then its body, answering it, or between two requests. */
type Phase =
  | { readonly kind: 'headers'; readonly since: number }
  | { readonly kind: 'body'; readonly since: number; readonly request: IncomingMessage; readonly response: ServerResponse }
  | { readonly kind: 'answering'; readonly request: IncomingMessage }
  | { readonly kind: 'between'; readonly bytesRead: number };

/** What Node answers to a request past its deadline. */
const REQUEST_TIMEOUT = 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n';

/**
 * Node's `headersTimeout` and `requestTimeout`, counted in time the process
 * ran. Node counts wall time: a process frozen (SIGSTOP, a paused container
 * or VM) past the header timeout wakes to its timer first, and resets the
 * connections whose requests arrived while it slept, before it ever reads
 * them. Here a look at the connections that comes much later than due (more
 * than twice `checkEveryMs`) means the process did not run meanwhile: that
 * gap counts as one period, and nothing expires until the next look, by
 * which time what arrived during the pause has been read. A slow client
 * (slowloris) is still cut after the deadline, with Node's 408. Node's own
 * timeouts must be off (0) on `server`. Returns the function that stops it.
 */
export function enforceRequestDeadlines(server: Server, { headersMs, requestMs, checkEveryMs }: RequestDeadlines): () => void {
  /** Milliseconds the process ran, as measured by these looks. */
  let ran = 0;
  let lastLook = performance.now();
  const connections = new Map<Socket, Phase>();

  const onConnection = (socket: Socket): void => {
    connections.set(socket, { kind: 'headers', since: ran });
    socket.once('close', () => connections.delete(socket));
  };
  const onRequest = (request: IncomingMessage, response: ServerResponse): void => {
    const { socket } = request;
    const phase = connections.get(socket);
    if (phase === undefined) return;
    const since = phase.kind === 'headers' ? phase.since : ran;
    connections.set(socket, request.complete ? { kind: 'answering', request } : { kind: 'body', since, request, response });
    response.once('finish', () => {
      // Unless a pipelined request is already being read.
      const current = connections.get(socket);
      if (current !== undefined && 'request' in current && current.request === request) {
        connections.set(socket, { kind: 'between', bytesRead: socket.bytesRead });
      }
    });
  };
  // An upgraded connection (WebSocket) is no longer HTTP's.
  const onUpgrade = (request: IncomingMessage): void => void connections.delete(request.socket);

  const expire = (socket: Socket, response: ServerResponse | null): void => {
    connections.delete(socket);
    if (socket.writable && (response === null || !response.headersSent)) socket.write(REQUEST_TIMEOUT);
    socket.destroy();
  };

  const look = (): void => {
    const now = performance.now();
    const elapsed = now - lastLook;
    lastLook = now;
    if (elapsed > 2 * checkEveryMs) {
      // The process did not run: what arrived meanwhile is read before the next look.
      ran += checkEveryMs;
      return;
    }
    ran += elapsed;
    for (const [socket, phase] of connections) {
      switch (phase.kind) {
        case 'between':
          // The next request's first bytes: its deadlines count from here.
          if (socket.bytesRead > phase.bytesRead) connections.set(socket, { kind: 'headers', since: ran });
          break;
        case 'headers':
          if (ran - phase.since >= headersMs) expire(socket, null);
          break;
        case 'body':
          if (phase.request.complete) connections.set(socket, { kind: 'answering', request: phase.request });
          else if (ran - phase.since >= requestMs) expire(socket, phase.response);
          break;
        case 'answering':
          break;
      }
    }
  };

  server.on('connection', onConnection);
  server.on('request', onRequest);
  server.on('upgrade', onUpgrade);
  const timer = setInterval(look, checkEveryMs).unref();
  return () => {
    clearInterval(timer);
    server.off('connection', onConnection);
    server.off('request', onRequest);
    server.off('upgrade', onUpgrade);
    connections.clear();
  };
}
