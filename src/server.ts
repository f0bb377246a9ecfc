import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { YogaLogger } from 'graphql-yoga';
import { createApp, type App } from './app.js';
import type { Config } from './config.js';
import { GRAPHQL_ENDPOINT } from './graphql/yoga.js';
import { isRebindingSuspect, refuseMisdirected } from './http/host-check.js';

export interface RunningServer {
  readonly app: App;
  readonly http: Server;
  /** e.g. `http://127.0.0.1:4000/graphql` */
  readonly url: string;
  /**
   * Stops mining (a mine in progress is abandoned and answered SHUTTING_DOWN),
   * stops accepting connections, waits for requests in flight, then closes the
   * database. Connections still open after `graceMs` are cut.
   */
  close(graceMs?: number): Promise<void>;
}

/**
 * A slow client must not hold a connection forever: it has 10 s to send its
 * headers and 30 s for the whole request. Responses are not limited (a mine at
 * a high difficulty may take minutes); idle keep-alive connections close
 * after 5 s.
 */
export interface HttpTimeouts {
  readonly headersMs: number;
  readonly requestMs: number;
  readonly keepAliveMs: number;
}

export const HTTP_TIMEOUTS: HttpTimeouts = { headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000 };

export interface StartServerOptions {
  readonly logger?: YogaLogger | boolean;
  /** Overrides for tests; the defaults are HTTP_TIMEOUTS. */
  readonly timeouts?: Partial<HttpTimeouts>;
}

/** Starts the app on an HTTP listener (port 0: any free port). */
export async function startServer(config: Config, { logger = false, timeouts = {} }: StartServerOptions = {}): Promise<RunningServer> {
  const app = await createApp(config, { logger });
  const { headersMs, requestMs, keepAliveMs } = { ...HTTP_TIMEOUTS, ...timeouts };
  const hostCheck = { listenHost: config.host, trustedProxies: config.trustedProxies };
  const http = createServer(
    {
      headersTimeout: headersMs,
      requestTimeout: requestMs,
      keepAliveTimeout: keepAliveMs,
      // How often Node looks for requests past those timeouts (default 30 s).
      connectionsCheckingInterval: Math.min(1000, headersMs),
    },
    (request, response) => {
      if (isRebindingSuspect(request, hostCheck)) refuseMisdirected(request, response, GRAPHQL_ENDPOINT);
      else if (!app.seedRoutes(request, response)) void app.yoga(request, response);
    },
  );
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
    throw error;
  }
  const { address, port } = http.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;

  let closing: Promise<void> | null = null;
  async function close(graceMs = 5000): Promise<void> {
    const stopped = new Promise<void>((resolve) => http.close(() => resolve()));
    const cut = setTimeout(() => http.closeAllConnections(), graceMs);
    await app.ledger.close();
    // A keep-alive connection turns idle only once its last response is sent:
    // sweep until every in-flight request has been answered.
    const sweep = setInterval(() => http.closeIdleConnections(), 20);
    http.closeIdleConnections();
    await stopped;
    clearInterval(sweep);
    clearTimeout(cut);
    await app.close();
  }

  return {
    app,
    http,
    url: `http://${host}:${port}${GRAPHQL_ENDPOINT}`,
    close: (graceMs) => (closing ??= close(graceMs)),
  };
}
