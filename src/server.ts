import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createApp, type App, type AppOptions } from './app.js';
import type { Config } from './config.js';
import { attachWebSocketTransport, type WebSocketTransport } from './live/websocket.js';
import { GRAPHQL_ENDPOINT, requestBodyMaxBytes } from './yoga/yoga.js';
import { connectionCap, limitConnections, openFileLimit, type ConnectionLimits } from './http/connection-limits.js';
import { createExplorerRoutes } from './http/explorer.js';
import { isRebindingSuspect, malformedTarget, refuseMisdirected } from './http/host-check.js';
import { refuse } from './http/refusal.js';
import { enforceRequestDeadlines } from './http/request-deadlines.js';
import { isForeignBrowserRequest, isRefusedPreflight } from './http/request-origin.js';

export interface RunningServer {
  readonly app: App;
  readonly http: Server;
  /** The `graphql-ws` endpoint on the same port and path as `url`. */
  readonly webSocket: WebSocketTransport;
  /** Connections open, counted against MAX_CONNECTIONS and MAX_CONNECTIONS_PER_CLIENT. */
  readonly connections: ConnectionLimits;
  /** MAX_CONNECTIONS as it applies here: kept below the file descriptor limit. */
  readonly maxConnections: number;
  /** e.g. `http://127.0.0.1:4000/graphql` */
  readonly url: string;
  /**
   * Stops mining (a mine in progress is abandoned and answered SHUTTING_DOWN,
   * its `miningProgress` subscribers get ABANDONED), ends every subscription
   * (Server-Sent Events streams complete, WebSocket connections close with
   * 1001), stops accepting connections, waits for requests in flight, then
   * closes the database. Connections still open after `graceMs` are cut.
   */
  close(graceMs?: number): Promise<void>;
}

/**
 * A slow client must not hold a connection forever: it has 10 s to send its
 * headers and 30 s for the whole request, counted in time the process ran (a
 * request that arrived while it was paused is answered when it resumes).
 * Responses are not limited (a mine at a high difficulty may take minutes);
 * idle keep-alive connections close after 5 s.
 */
interface HttpTimeouts {
  readonly headersMs: number;
  readonly requestMs: number;
  readonly keepAliveMs: number;
}

const HTTP_TIMEOUTS: HttpTimeouts = { headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000 };

export interface StartServerOptions extends AppOptions {
  /** Overrides for tests; the defaults are HTTP_TIMEOUTS. */
  readonly timeouts?: Partial<HttpTimeouts>;
  /** Overrides for tests: idle WebSockets closed sooner than WEBSOCKET_IDLE_SECONDS allows. */
  readonly webSocketIdleTimeoutMs?: number;
  /** Overrides for tests: the open-file limit MAX_CONNECTIONS stays below (default: the process's). */
  readonly descriptorLimit?: number | null;
}

/**
 * The listener could not be opened, for a reason the operator fixes in the
 * configuration or on the machine: the message says which address and what to do.
 */
export class ListenError extends Error {
  override readonly name = 'ListenError';
}

/** What the operator is told when listening failed: a ListenError for the causes with a remedy, anything else as it was. */
function listenFailure(error: unknown, host: string, port: number): unknown {
  const address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const reason = (message: string): ListenError => new ListenError(message, { cause: error });
  switch ((error as { code?: unknown }).code) {
    case 'EADDRINUSE':
      return reason(`${address} is already in use (another server, or this one already running): stop it, or set PORT to a free port.`);
    case 'EACCES':
      return reason(
        `not allowed to listen on ${address}${port < 1024 ? ' (ports below 1024 need privileges)' : ''}: set PORT to a free port from 1024 up.`,
      );
    case 'EADDRNOTAVAIL':
      return reason(`${host} is not an address of this machine: set HOST to one of its addresses, or to 0.0.0.0 for all of them.`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return reason(`HOST ${host} does not resolve to an address: set HOST to an address or a name this machine resolves.`);
    default:
      return error;
  }
}

/** At shutdown, how long subscriptions over WebSocket get to send their last messages before their sockets close. */
const WEBSOCKET_DRAIN_MS = 1000;

/** Starts the app on an HTTP listener (port 0: any free port). */
export async function startServer(
  config: Config,
  {
    timeouts = {},
    webSocketIdleTimeoutMs = config.webSocketIdleTimeoutMs,
    descriptorLimit = openFileLimit(),
    ...appOptions
  }: StartServerOptions = {},
): Promise<RunningServer> {
  const app = await createApp(config, appOptions);
  const { headersMs, requestMs, keepAliveMs } = { ...HTTP_TIMEOUTS, ...timeouts };
  const hostCheck = { listenHost: config.host, trustedProxies: config.trustedProxies };
  const explorer = createExplorerRoutes();
  const http = createServer(
    {
      // Node's own would count time the process was paused: enforceRequestDeadlines, below, counts time it ran.
      headersTimeout: 0,
      requestTimeout: 0,
      keepAliveTimeout: keepAliveMs,
    },
    (request, response) => {
      try {
        const malformed = malformedTarget(request);
        const overLimit = connections.refusal(request.socket);
        if (overLimit !== null) {
          response.shouldKeepAlive = false;
          refuse(request, response, { graphqlEndpoint: GRAPHQL_ENDPOINT, code: 'CONNECTION_LIMIT', ...overLimit });
        } else if (malformed !== null)
          refuse(request, response, { graphqlEndpoint: GRAPHQL_ENDPOINT, code: 'BAD_REQUEST', message: malformed });
        else if (isRebindingSuspect(request, hostCheck)) refuseMisdirected(request, response, GRAPHQL_ENDPOINT);
        else if (isRefusedPreflight(request, config.corsOrigins)) {
          const message = `Pages from ${request.headers.origin ?? 'this origin'} may not call this server (CORS_ORIGINS).`;
          refuse(request, response, { graphqlEndpoint: GRAPHQL_ENDPOINT, code: 'CSRF_PREVENTED', message, status: 403 });
        } else if (
          !app.health(request, response) &&
          !app.metricsRoute(request, response) &&
          !explorer(request, response) &&
          !app.notebookRoutes(request, response)
        )
          void app.yoga(request, response);
      } catch (error) {
        answerUnexpected(request, response, error);
      }
    },
  );
  const stopDeadlines = enforceRequestDeadlines(http, { headersMs, requestMs, checkEveryMs: Math.min(1000, headersMs) });
  http.once('close', stopDeadlines);
  const maxConnections = connectionCap(config.maxConnections, descriptorLimit);
  const connections = limitConnections(http, {
    total: maxConnections,
    perClient: config.maxConnectionsPerClient,
    trustedProxies: config.trustedProxies,
  });
  /** The last resort: whatever a route threw, the client gets a 500 with a code, never a stack or a path; the log gets the error. */
  function answerUnexpected(request: IncomingMessage, response: ServerResponse, error: unknown): void {
    if (typeof appOptions.logger === 'object')
      appOptions.logger.error(`Unexpected error answering ${request.method} ${request.url}:`, error);
    if (response.headersSent) {
      response.destroy();
      return;
    }
    refuse(request, response, {
      graphqlEndpoint: GRAPHQL_ENDPOINT,
      code: 'INTERNAL_SERVER_ERROR',
      message: 'Unexpected error.',
      status: 500,
    });
  }
  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(config.port, config.host, () => {
        http.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await app.close();
    throw listenFailure(error, config.host, config.port);
  }
  // Attached once listening: the ws server would re-emit (and graphql-ws log) a failure to listen.
  // The upgrade bypasses the handler above: the same Host check, and the Origin
  // check browsers do not make for WebSockets (CORS does not apply to them).
  const webSocket = attachWebSocketTransport(http, {
    yoga: app.yoga,
    admit: (request) =>
      malformedTarget(request) === null && !isRebindingSuspect(request, hostCheck) && !isForeignBrowserRequest(request, config.corsOrigins),
    maxPayload: requestBodyMaxBytes(config.dataMaxBytes),
    clientKey: app.clientKey,
    maxPerClient: config.maxWebSocketsPerClient,
    idleTimeoutMs: webSocketIdleTimeoutMs,
    refusal: (socket) => connections.refusal(socket),
  });
  // Connections that have not sent a request yet (a browser's preconnect, the spare
  // socket fetch opens after an abort): closeIdleConnections leaves them open, and
  // http.close() would wait for them.
  const unused = new Set<Socket>();
  http.on('connection', (socket: Socket) => {
    unused.add(socket);
    socket.once('close', () => unused.delete(socket));
  });
  const used = (request: IncomingMessage): void => void unused.delete(request.socket);
  http.on('request', used);
  http.on('upgrade', used);
  const { address, port } = http.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;

  let closing: Promise<void> | null = null;
  async function close(graceMs = 5000): Promise<void> {
    const stopped = new Promise<void>((resolve) => http.close(() => resolve()));
    const cut = setTimeout(() => {
      http.closeAllConnections();
      // Upgraded sockets are not the HTTP server's to close, yet http.close() waits for them.
      webSocket.terminate();
    }, graceMs);
    // Abandons the mine (its progress subscribers get ABANDONED), then the feeds end every
    // subscription: Server-Sent Events streams complete and their connections turn idle.
    await app.ledger.close();
    app.live.close();
    // A keep-alive connection turns idle only once its last response is sent:
    // sweep until every in-flight request has been answered.
    const sweep = setInterval(() => http.closeIdleConnections(), 20);
    http.closeIdleConnections();
    for (const socket of unused) socket.destroy();
    await webSocket.close(Math.min(WEBSOCKET_DRAIN_MS, graceMs));
    await stopped;
    clearInterval(sweep);
    clearTimeout(cut);
    await app.close();
  }

  return {
    app,
    http,
    webSocket,
    connections,
    maxConnections,
    url: `http://${host}:${port}${GRAPHQL_ENDPOINT}`,
    close: (graceMs) => (closing ??= close(graceMs)),
  };
}
