import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { serveMetrics } from '../../src/http/metrics-route.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { sources } from '../helpers/metric-samples.js';

describe('the /metrics endpoint', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.close();
    if (server !== undefined) await once(server, 'close');
    server = undefined;
  });

  async function serve(metrics: ReturnType<typeof createMetrics>): Promise<string> {
    server = createServer((request, response) => {
      if (!serveMetrics(metrics.registry, request, response)) response.writeHead(404).end('not here');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('answers GET and HEAD in the text format, refuses other methods, and leaves other paths to the caller', async () => {
    const metrics = createMetrics(sources(), { instanceId: 'a-123' });
    metrics.recordMine('mined', 100, 50);
    const base = await serve(metrics);

    const got = await fetch(`${base}/metrics`);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe(metrics.registry.contentType);
    expect(got.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const body = await got.text();
    expect(body).toContain('ledger_mines_total');
    expect(body).toContain('instance_id="a-123"');

    const head = await fetch(`${base}/metrics?x=1`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');

    const posted = await fetch(`${base}/metrics`, { method: 'POST', body: 'x' });
    expect(posted.status).toBe(405);
    expect(posted.headers.get('allow')).toBe('GET, HEAD');

    const elsewhere = await fetch(`${base}/graphql`);
    expect(elsewhere.status).toBe(404);
    expect(await elsewhere.text()).toBe('not here');
  });
});
