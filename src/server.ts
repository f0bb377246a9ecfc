import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { YogaLogger } from 'graphql-yoga';
import { createApp, type App } from './app.js';
import type { Config } from './config.js';
import { GRAPHQL_ENDPOINT } from './graphql/yoga.js';

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

/** Starts the app on an HTTP listener (port 0: any free port). */
export async function startServer(config: Config, { logger = false }: { logger?: YogaLogger | boolean } = {}): Promise<RunningServer> {
  const app = await createApp(config, { logger });
  const http = createServer((request, response) => void app.yoga(request, response));
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
    await app.ledger.close();
    // A keep-alive connection turns idle only once its last response is sent:
    // sweep until every in-flight request has been answered.
    const sweep = setInterval(() => http.closeIdleConnections(), 20);
    http.closeIdleConnections();
    const cut = setTimeout(() => http.closeAllConnections(), graceMs);
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
