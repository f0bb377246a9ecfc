import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { isLoopbackHost } from '../../src/http/host-check.js';
import { startTestServer, IN_MEMORY } from '../helpers/server.js';

interface Reply {
  readonly status: number;
  readonly body: string;
}

/** A request with a Host header of our choosing, as a browser on a rebound name would send. */
function send(
  url: string,
  { method, host, headers = {}, body }: { method: string; host: string; headers?: Record<string, string>; body?: string },
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method, headers: { host, ...headers } }, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

const MINE = JSON.stringify({ query: 'mutation { mineBlock { block { index } } }' });
const JSON_POST = { 'content-type': 'application/json', origin: 'http://rebound.example:4000' };

describe('isLoopbackHost', () => {
  it.each(['localhost', 'LOCALHOST', 'app.localhost', '127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1'])(
    '%s is this machine',
    (host) => {
      expect(isLoopbackHost(host)).toBe(true);
    },
  );
  it.each(['evil.example', 'localhost.evil.example', '0.0.0.0', '10.0.0.1', '::', '128.0.0.1', ''])('%s is not', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});

describe('DNS rebinding', () => {
  it('refuses a request naming another host with 421, on both interfaces, mining nothing', async () => {
    const server = await startTestServer(IN_MEMORY);
    const { port } = new URL(server.url);
    const rebound = `rebound.example:${port}`;
    const viaGraphQL = await send(server.url, { method: 'POST', host: rebound, headers: JSON_POST, body: MINE });
    expect(viaGraphQL.status).toBe(421);
    expect(JSON.parse(viaGraphQL.body)).toMatchObject({ errors: [{ extensions: { code: 'MISDIRECTED_REQUEST' } }] });
    const viaRest = await send(new URL('/blocks', server.url).href, {
      method: 'POST',
      host: rebound,
      headers: { origin: `http://${rebound}` },
    });
    expect(viaRest.status).toBe(421);
    expect(JSON.parse(viaRest.body)).toMatchObject({
      code: 'MISDIRECTED_REQUEST',
      message: expect.stringContaining('TRUST_PROXY') as string,
    });
    expect(server.app.ledger.length()).toBe(1);
  });

  it.each(['localhost', '127.0.0.1', '[::1]'])('answers under %s', async (name) => {
    const server = await startTestServer(IN_MEMORY);
    const { port } = new URL(server.url);
    const reply = await send(server.url, {
      method: 'POST',
      host: `${name}:${port}`,
      headers: { 'content-type': 'application/json' },
      body: MINE,
    });
    expect(reply.status).toBe(200);
    expect(server.app.ledger.length()).toBe(2);
  });

  it('leaves the Host to a reverse proxy named in TRUST_PROXY', async () => {
    const server = await startTestServer(IN_MEMORY, { trustedProxies: ['127.0.0.1'] });
    const reply = await send(new URL('/blocks', server.url).href, { method: 'GET', host: 'ledger.example.com' });
    expect(reply.status).toBe(200);
  });

  it('does not apply when the server listens beyond loopback', async () => {
    const server = await startTestServer(IN_MEMORY, { host: '0.0.0.0' });
    const { port } = new URL(server.url);
    const reply = await send(`http://127.0.0.1:${port}/blocks`, { method: 'GET', host: 'ledger.example.com' });
    expect(reply.status).toBe(200);
  });
});
