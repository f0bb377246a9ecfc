import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { isLoopbackHost, parseHostHeader } from '../../src/http/host-check.js';
import { startTestServer, IN_MEMORY } from '../helpers/server.js';

interface Reply {
  readonly status: number;
  readonly body: string;
}

/** A request with a Host header of our choosing, as a browser on a rebound name would send. */
function send(
  url: string,
  {
    method,
    host,
    headers = {},
    body,
    path,
  }: { method: string; host: string; headers?: Record<string, string>; body?: string; path?: string },
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method, headers: { host, ...headers }, ...(path === undefined ? {} : { path }) }, (response) => {
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

describe('parseHostHeader', () => {
  it.each([
    ['localhost', 'localhost', null],
    ['localhost:4000', 'localhost', 4000],
    ['LEDGER.example.com.:443', 'LEDGER.example.com.', 443],
    ['127.0.0.1:65535', '127.0.0.1', 65535],
    ['[::1]:1', '::1', 1],
    ['[::ffff:127.0.0.1]', '::ffff:127.0.0.1', null],
  ])('reads %s', (header, hostname, port) => {
    expect(parseHostHeader(header)).toEqual({ hostname, port });
  });

  it.each([
    'localhost:evil',
    'localhost:99999',
    'localhost:65536',
    'localhost:0',
    'localhost:-1',
    'localhost:+80',
    'localhost:',
    '127.0.0.1:80@evil.com',
    'user@localhost',
    '[::1',
    '[evil]:80',
    '[::1]x',
    'local host',
    'evil.com/path',
    '..',
    '',
  ])('refuses %j', (header) => {
    expect(parseHostHeader(header)).toBeNull();
  });
});

describe('a Host or request target no URL can be made of', () => {
  const BAD_HOSTS = ['localhost:evil', 'localhost:99999', 'localhost:-1', '127.0.0.1:80@evil.com'];

  it.each([
    ['on loopback', {}],
    ['beyond loopback', { host: '0.0.0.0' }],
    ['behind a trusted proxy', { trustedProxies: ['127.0.0.1'] }],
  ] as const)('is refused with 400 BAD_REQUEST on every path, %s, with no stack or path', async (_where, options) => {
    const server = await startTestServer(IN_MEMORY, options);
    const { port } = new URL(server.url);
    for (const host of BAD_HOSTS) {
      const graphql = await send(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        host,
        headers: { 'content-type': 'application/json' },
        body: MINE,
      });
      expect(graphql.status, host).toBe(400);
      expect(JSON.parse(graphql.body), host).toMatchObject({ errors: [{ extensions: { code: 'BAD_REQUEST' } }] });
      for (const path of ['/blocks', '/', '/elsewhere']) {
        const other = await send(`http://127.0.0.1:${port}${path}`, { method: 'GET', host });
        expect(other.status, `${host} ${path}`).toBe(400);
        expect(JSON.parse(other.body), `${host} ${path}`).toMatchObject({ code: 'BAD_REQUEST' });
      }
    }
    expect(await server.app.ledger.length()).toBe(1);
  });

  it('refuses an absolute-form request target the same way', async () => {
    const server = await startTestServer(IN_MEMORY);
    const { port } = new URL(server.url);
    const reply = await send(`http://127.0.0.1:${port}/`, {
      method: 'GET',
      host: `localhost:${port}`,
      path: 'http://localhost:evil/graphql?query=%7Btip%7Bindex%7D%7D',
    });
    expect(reply.status).toBe(400);
    expect(reply.body).not.toMatch(/node_modules|at .*\(|TypeError/);
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
    expect(await server.app.ledger.length()).toBe(1);
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
    expect(await server.app.ledger.length()).toBe(2);
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
