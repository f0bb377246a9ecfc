import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createHealthRoutes, type HealthOptions } from '../../src/http/health.js';

interface HealthServer {
  readonly url: string;
  /** What the routes answered for each request: true when they handled it. */
  readonly handled: boolean[];
  /** How many times the database was pinged. */
  readonly pings: () => number;
}

/** The health routes on a real HTTP server (anything they do not handle gets 404 "elsewhere"), closed when the test finishes. */
async function startHealthServer(options: Partial<HealthOptions> = {}): Promise<HealthServer> {
  let pings = 0;
  const { ping = () => Promise.resolve(), ...rest } = options;
  const routes = createHealthRoutes({
    instanceId: 'instance-1',
    shuttingDown: () => false,
    notifications: () => null,
    ...rest,
    ping: () => {
      pings++;
      return ping();
    },
  });
  const handled: boolean[] = [];
  const server = createServer((request, response) => {
    const answered = routes(request, response);
    handled.push(answered);
    if (!answered) {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('elsewhere');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, handled, pings: () => pings };
}

describe('health routes', () => {
  it('answers /healthz with 200 and the instance, whatever the database says', async () => {
    const server = await startHealthServer({ ping: () => Promise.reject(new Error('down')) });
    const reply = await fetch(`${server.url}/healthz`);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
    expect(reply.headers.get('cache-control')).toBe('no-store');
    expect(await reply.json()).toMatchObject({ status: 'ok', instance: 'instance-1', uptimeSeconds: expect.any(Number) as number });
    expect(server.pings()).toBe(0);
  });

  it('answers /readyz with 200 when the database answers', async () => {
    const server = await startHealthServer();
    const reply = await fetch(`${server.url}/readyz?verbose=1`);
    expect(reply.status).toBe(200);
    expect(await reply.json()).toEqual({
      status: 'ready',
      ready: true,
      instance: 'instance-1',
      checks: { database: 'ok', shuttingDown: false, notifications: 'not used', mining: 'ok', history: 'built' },
    });
    expect(server.pings()).toBe(1);
  });

  it('answers 503 while the Merkle tree of an older chain is being built, saying how far it is', async () => {
    const server = await startHealthServer({ history: () => '40000 of 1000000 blocks' });
    const reply = await fetch(`${server.url}/readyz`);
    expect(reply.status).toBe(503);
    expect(await reply.json()).toMatchObject({
      ready: false,
      checks: { database: 'ok', history: 'building the Merkle tree: 40000 of 1000000 blocks' },
    });
  });

  it('stays ready while mining is refused, saying why: reads are still served', async () => {
    const server = await startHealthServer({
      miningRefusal: () => Promise.resolve('This chain is mined at difficulty 7, but this server is configured with DIFFICULTY=6.'),
    });
    const reply = await fetch(`${server.url}/readyz`);
    expect(reply.status).toBe(200);
    expect(await reply.json()).toMatchObject({
      ready: true,
      checks: { database: 'ok', mining: 'refused: This chain is mined at difficulty 7, but this server is configured with DIFFICULTY=6.' },
    });
  });

  it("answers /readyz with 503 and the database's error when the ping fails", async () => {
    const server = await startHealthServer({ ping: () => Promise.reject(new Error('connection refused')) });
    const reply = await fetch(`${server.url}/readyz`);
    expect(reply.status).toBe(503);
    expect(await reply.json()).toMatchObject({ status: 'not ready', ready: false, checks: { database: 'connection refused' } });
  });

  it('answers /readyz with 503 when the database does not answer in time', async () => {
    const server = await startHealthServer({ ping: () => new Promise<void>(() => undefined), pingTimeoutMs: 100 });
    const reply = await fetch(`${server.url}/readyz`);
    expect(reply.status).toBe(503);
    expect(await reply.json()).toMatchObject({
      ready: false,
      checks: { database: expect.stringMatching(/no answer within 100 ms/) as string },
    });
  });

  it('answers /readyz with 503 while shutting down, without pinging the database', async () => {
    const server = await startHealthServer({ shuttingDown: () => true });
    const reply = await fetch(`${server.url}/readyz`);
    expect(reply.status).toBe(503);
    expect(await reply.json()).toMatchObject({ status: 'not ready', ready: false, checks: { shuttingDown: true } });
    expect(server.pings()).toBe(0);
  });

  it.each([
    [null, 'not used'],
    [true, 'connected'],
    [false, 'reconnecting'],
  ] as const)('reports notifications %s as %s, without it deciding readiness', async (state, reported) => {
    const server = await startHealthServer({ notifications: () => state });
    const reply = await fetch(`${server.url}/readyz`);
    expect(reply.status).toBe(200);
    expect(await reply.json()).toMatchObject({ ready: true, checks: { notifications: reported } });
  });

  it('answers HEAD with the headers and no body', async () => {
    const server = await startHealthServer({ ping: () => Promise.reject(new Error('down')) });
    const health = await fetch(`${server.url}/healthz`, { method: 'HEAD' });
    expect(health.status).toBe(200);
    expect(Number(health.headers.get('content-length'))).toBeGreaterThan(0);
    expect(await health.text()).toBe('');
    const ready = await fetch(`${server.url}/readyz`, { method: 'HEAD' });
    expect(ready.status).toBe(503);
    expect(await ready.text()).toBe('');
  });

  it('refuses other methods with 405 and Allow', async () => {
    const server = await startHealthServer();
    for (const path of ['/healthz', '/readyz']) {
      const reply = await fetch(`${server.url}${path}`, { method: 'POST', body: '{}' });
      expect(reply.status, path).toBe(405);
      expect(reply.headers.get('allow'), path).toBe('GET, HEAD');
      expect(await reply.json(), path).toEqual({ status: 'method not allowed' });
    }
    expect(server.pings()).toBe(0);
  });

  it('leaves other paths to the rest of the server', async () => {
    const server = await startHealthServer();
    for (const path of ['/', '/graphql', '/healthz/', '/readyzz', '/health']) {
      const reply = await fetch(`${server.url}${path}`);
      expect(reply.status, path).toBe(404);
      expect(await reply.text(), path).toBe('elsewhere');
    }
    await fetch(`${server.url}/healthz`);
    expect(server.handled).toEqual([false, false, false, false, false, true]);
  });
});
