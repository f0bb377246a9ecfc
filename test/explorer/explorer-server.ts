import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';
import type { Config } from '../../src/config.js';
import { createExplorerRoutes } from '../../src/http/explorer.js';
import type { RunningServer } from '../../src/server.js';
import { startTestServer } from '../helpers/server.js';

export interface ExplorerServer {
  readonly server: RunningServer;
  /** e.g. `http://127.0.0.1:41234`: the page is at `${origin}/`, GraphQL at `${origin}/graphql`. */
  readonly origin: string;
}

/**
 * A test server's app behind a listener that tries the explorer's routes
 * first, as src/server.ts does once the explorer is wired in there. Closed
 * when the test finishes (the listener first: it holds the page's streams).
 */
export async function startExplorerServer(databasePath: string, overrides: Partial<Config> = {}): Promise<ExplorerServer> {
  const server = await startTestServer(databasePath, overrides);
  const explorer = createExplorerRoutes();
  const http: Server = createServer((request, response) => {
    if (!explorer(request, response) && !server.app.notebookRoutes(request, response)) void server.app.yoga(request, response);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  onTestFinished(async () => {
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  });
  return { server, origin: `http://127.0.0.1:${port}` };
}
