import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';

const METRICS_PATH = '/metrics';

/**
 * Answers GET and HEAD /metrics with `registry` in Prometheus's text format
 * (405 for other methods there); returns false, having done nothing, for any
 * other path.
 */
export function serveMetrics(registry: Registry, request: IncomingMessage, response: ServerResponse): boolean {
  if ((request.url ?? '').split('?', 1)[0] !== METRICS_PATH) return false;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response
      .writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' })
      .end('Only GET and HEAD are allowed on /metrics.\n');
    return true;
  }
  registry.metrics().then(
    (text) => {
      const headers = { 'Content-Type': registry.contentType, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' };
      response.writeHead(200, headers).end(request.method === 'HEAD' ? undefined : text);
    },
    () => {
      if (!response.headersSent) response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end('The metrics could not be collected.\n');
    },
  );
  return true;
}
