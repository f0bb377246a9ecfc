import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { startTestServer } from './server.js';
import { tempDatabasePath } from './temp-database.js';

/** A block as the notebook's REST routes show it. */
export interface NotebookBlock {
  readonly index: number;
  readonly previous_hash: string;
  readonly proof: number;
  readonly timestamp: string;
  readonly data?: string;
  readonly difficulty?: number;
}

export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
}

/** The requests the notebook's client makes, with the headers python-requests sends. */
const PYTHON_REQUESTS_HEADERS = {
  'user-agent': 'python-requests/2.31.0',
  'accept-encoding': 'gzip, deflate',
  accept: '*/*',
  connection: 'keep-alive',
};

export function send(
  base: string,
  method: string,
  path: string,
  { headers = {}, body }: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<Reply> {
  const url = new URL(path, base);
  return new Promise((resolvePromise, reject) => {
    const request = httpRequest(url, { method, headers: { ...PYTHON_REQUESTS_HEADERS, ...headers } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolvePromise({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') }),
      );
      response.on('error', reject);
    });
    request.on('error', reject);
    // python-requests' post() with no body sends Content-Length: 0.
    if (method === 'POST' && body === undefined) request.setHeader('content-length', '0');
    request.end(body);
  });
}

export const json = <T>(reply: Reply): T => JSON.parse(reply.text) as T;
export const origin = (graphqlUrl: string): string => new URL(graphqlUrl).origin;

/** A server on the SQLite file at `path` (configuration `overrides`), and its origin for REST requests. */
export async function notebookServer(overrides = {}, path = tempDatabasePath()) {
  const server = await startTestServer(path, overrides);
  return { path, server, base: origin(server.url) };
}
