import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Block } from '../../src/core/block.js';
import { requestBodyMaxBytes } from '../../src/yoga/yoga.js';
import { CSRF_HEADER } from '../../src/yoga/yoga.js';
import type { RunningServer } from '../../src/server.js';
import { graphql, startTestServer, IN_MEMORY } from '../helpers/server.js';
import { tempDatabasePath } from '../helpers/temp-database.js';
import { rawSseSubscription } from '../helpers/raw-sse-client.js';
import { fetchSubscription, leftovers, nothingLeft, until, wsClient, wsUrl, type Result } from '../helpers/subscription-clients.js';

const BLOCK_MINED = 'subscription { blockMined { index } }';
const GRAPHQL_TRANSPORT_WS = 'graphql-transport-ws';

/** Opens a graphql-transport-ws connection by hand and says hello; resolves with the first thing the server does. */
function hello(server: RunningServer, headers: Record<string, string> = {}): Promise<{ acknowledged: true } | { closed: number }> {
  const socket = new WebSocket(wsUrl(server.url), GRAPHQL_TRANSPORT_WS, { headers });
  return new Promise((resolve, reject) => {
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init' })));
    socket.on('message', (data: Buffer) => {
      if ((JSON.parse(data.toString()) as { type: string }).type === 'connection_ack') resolve({ acknowledged: true });
      socket.close();
    });
    socket.on('close', (code) => resolve({ closed: code }));
    socket.on('error', reject);
  });
}

/** Sends one operation over graphql-ws and collects what comes back until it completes or fails. */
async function overWebSocket(
  server: RunningServer,
  query: string,
  headers?: Record<string, string>,
): Promise<{ results: Array<Result<unknown>>; error?: unknown }> {
  const { client } = wsClient(server.url, headers ? { headers } : {});
  const results: Array<Result<unknown>> = [];
  try {
    for await (const result of client.iterate({ query })) results.push(result as Result<unknown>);
    return { results };
  } catch (error) {
    return { results, error };
  }
}

const codesOf = (results: ReadonlyArray<Result<unknown>>): Array<string | undefined> =>
  results.flatMap((result) => result.errors ?? []).map((error) => error.extensions?.code);

describe('the WebSocket transport', () => {
  it('serves subscriptions only: a query or a mutation is refused, and nothing is mined', async () => {
    const server = await startTestServer(IN_MEMORY, { difficulty: 1, miningThreads: 1 });
    for (const query of ['{ tip { index } }', 'mutation { mineBlock { block { index } } }']) {
      const { results, error } = await overWebSocket(server, query);
      expect(results).toEqual([]);
      expect(error).toEqual([
        {
          message: 'Only subscriptions are served over WebSocket; send queries and mutations as HTTP POST requests to this endpoint.',
          extensions: { code: 'BAD_REQUEST' },
        },
      ]);
    }
    expect(await server.app.ledger.length()).toBe(1);
    // Validation and query limits still apply to subscriptions.
    const invalid = await overWebSocket(server, 'subscription { blockMined { nope } }');
    expect(invalid.error).toMatchObject([{ message: expect.stringContaining('nope') as string }]);
    const unparsable = await overWebSocket(server, 'subscription {');
    expect(unparsable.error).toMatchObject([{ message: expect.stringContaining('Syntax Error') as string }]);
  });

  it('admits no Origin, its own origin and CORS_ORIGINS; closes a foreign Origin with 4403', async () => {
    const server = await startTestServer(IN_MEMORY, { corsOrigins: ['https://app.example.com'] });
    const own = new URL(server.url).origin;
    expect(await hello(server)).toEqual({ acknowledged: true });
    expect(await hello(server, { origin: own })).toEqual({ acknowledged: true });
    expect(await hello(server, { origin: 'https://app.example.com' })).toEqual({ acknowledged: true });
    expect(await hello(server, { origin: 'https://evil.example' })).toEqual({ closed: 4403 });
    expect(await hello(server, { origin: 'null' })).toEqual({ closed: 4403 });
    // A page on 127.0.0.2 is another origin, though the same machine.
    expect(await hello(server, { origin: own.replace('127.0.0.1', '127.0.0.2') })).toEqual({ closed: 4403 });
  });

  it('closes a connection naming another Host (DNS rebinding) with 4403, even from a matching Origin', async () => {
    const server = await startTestServer(IN_MEMORY);
    const { port } = new URL(server.url);
    expect(await hello(server, { host: `evil.example:${port}` })).toEqual({ closed: 4403 });
    expect(await hello(server, { host: `evil.example:${port}`, origin: `http://evil.example:${port}` })).toEqual({ closed: 4403 });
    expect(await hello(server, { host: `localhost:${port}`, origin: `http://localhost:${port}` })).toEqual({ acknowledged: true });
  });

  it('closes a connection that sends a message larger than the HTTP body limit (1009)', async () => {
    const server = await startTestServer(IN_MEMORY);
    const socket = new WebSocket(wsUrl(server.url), GRAPHQL_TRANSPORT_WS);
    const closed = new Promise<number>((resolve) => socket.on('close', resolve));
    await new Promise((resolve) => socket.on('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { padding: 'x'.repeat(requestBodyMaxBytes(64) + 1) } }));
    expect(await closed).toBe(1009);
  });
});

describe('subscription limits', () => {
  it('refuses SUBSCRIPTION_LIMIT past the per-client and the total limit, on both transports, and frees slots', async () => {
    // Behind a trusted proxy, X-Forwarded-For tells the clients apart.
    const server = await startTestServer(
      tempDatabasePath(),
      { trustedProxies: ['127.0.0.1'] },
      { live: { limits: { total: 3, perClient: 2 } } },
    );
    const from = (address: string) => ({ 'x-forwarded-for': address });
    const a1 = fetchSubscription<{ blockMined: Block }>(server.url, BLOCK_MINED, from('10.0.0.1'));
    const a2 = fetchSubscription<{ blockMined: Block }>(server.url, BLOCK_MINED, from('10.0.0.1'));
    const a1Next = a1.next();
    void a2.next().catch(() => undefined);
    await until(() => leftovers(server).blockMined === 2, "client A's two subscriptions are registered");

    const a3 = await overWebSocket(server, BLOCK_MINED, from('10.0.0.1'));
    expect(codesOf(a3.results)).toEqual(['SUBSCRIPTION_LIMIT']);
    expect(a3.results[0]?.errors?.[0]?.message).toMatch(/this client already has 2 subscriptions/i);

    const { client: b } = wsClient(server.url, { headers: from('10.0.0.2') });
    const b1 = b.iterate({ query: 'subscription { miningProgress { state } }' });
    void b1.next().catch(() => undefined);
    await until(() => leftovers(server).miningProgress === 1, "client B's subscription is registered");
    const b2 = await fetchSubscription(server.url, BLOCK_MINED, from('10.0.0.2')).rest();
    expect(codesOf(b2)).toEqual(['SUBSCRIPTION_LIMIT']);
    expect(b2[0]?.errors?.[0]?.message).toMatch(/the server has 3 subscriptions open/i);

    await a1.unsubscribe();
    await a1Next.catch(() => undefined);
    await until(() => leftovers(server).blockMined === 1, "one of client A's subscriptions has ended");
    const again = fetchSubscription<{ blockMined: Block }>(server.url, BLOCK_MINED, from('10.0.0.1'));
    const block = again.next();
    await until(() => leftovers(server).blockMined === 2, 'the freed slot is taken again');
    await graphql(server.url, 'mutation { mineBlock { block { index } } }');
    expect((await block)?.data?.blockMined).toMatchObject({ index: 1 });
    await a2.unsubscribe();
    await again.unsubscribe();
    await b1.return?.();
    await until(nothingLeft(server), 'no listener or subscriber is left');
  });

  it('ends a subscriber that stops reading once 1000 blocks queue up (SUBSCRIBER_TOO_SLOW), skipping none, and stays up', async () => {
    const server = await startTestServer(IN_MEMORY, { difficulty: 1, miningThreads: 1, dataMaxBytes: 65_536 });
    const client = rawSseSubscription(server.url, 'subscription { blockMined { index data } }');
    expect(await client.started).toMatch(/^HTTP\/1\.1 200 /);
    await until(() => leftovers(server).blockMined === 1, 'the subscription is registered');
    client.pause();
    // Large blocks fill the sockets' buffers (some MB on loopback) sooner; then 1000 more queue up on the server.
    const data = 'x'.repeat(60_000);
    let mined = 0;
    while (leftovers(server).blockMined === 1) {
      await server.app.ledger.mineBlock({ data });
      mined += 1;
      if (mined > 20_000) throw new Error('the stalled subscriber was never ended');
    }
    expect(mined).toBeGreaterThan(1000);
    await until(nothingLeft(server), 'no listener or subscriber is left');

    client.resume();
    const { results, completed } = await client.finished;
    const blocks = results.slice(0, -1).map((result) => (result.data as { blockMined: { index: number } }).blockMined.index);
    expect(blocks).toEqual(Array.from({ length: blocks.length }, (_, i) => i + 1));
    expect(blocks.length).toBeLessThanOrEqual(mined - 1000);
    expect(codesOf(results.slice(-1))).toEqual(['SUBSCRIBER_TOO_SLOW']);
    expect(completed).toBe(true);
    expect((await graphql(server.url, '{ tip { index } }')).body.data).toEqual({ tip: { index: mined } });
  });
});

describe('the Server-Sent Events transport', () => {
  it('keeps CSRF prevention: a GET subscription needs the CSRF header, a JSON POST does not', async () => {
    const server = await startTestServer(IN_MEMORY);
    const url = `${server.url}?query=${encodeURIComponent(BLOCK_MINED)}`;
    const refused = await fetch(url, { headers: { accept: 'text/event-stream' } });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('"code":"CSRF_PREVENTED"');

    const abort = new AbortController();
    const allowed = await fetch(url, { headers: { accept: 'text/event-stream', [CSRF_HEADER]: '1' }, signal: abort.signal });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('content-type')).toBe('text/event-stream');
    // Never cached: not as a block read, not by browsers.
    expect(allowed.headers.get('etag')).toBeNull();
    expect(allowed.headers.get('cache-control')).toBe('no-cache');
    abort.abort();
    await until(nothingLeft(server), 'no listener or subscriber is left');
  });

  it('refuses a subscription whose Accept admits no event stream (406 NOT_ACCEPTABLE) before it starts, leaving nothing behind', async () => {
    const server = await startTestServer(IN_MEMORY);
    for (const accept of ['application/json', 'application/graphql-response+json', 'text/event-stream; charset=latin1']) {
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept },
        body: JSON.stringify({ query: BLOCK_MINED }),
      });
      expect(response.status).toBe(406);
      // Nothing at all can be sent in latin1: yoga's bare 406.
      if (!accept.includes('latin1')) expect(await response.text()).toContain('"code":"NOT_ACCEPTABLE"');
      expect(leftovers(server)).toEqual({ listeners: 0, blockMined: 0, miningProgress: 0 });
    }
  });

  it('never answers a subscription from the block cache, even in a document whose query is cached', async () => {
    const server = await startTestServer(IN_MEMORY, { difficulty: 1, miningThreads: 1 });
    const document = 'query Read { block(index: 0) { index } } subscription Live { blockMined { index } }';
    const post = (operationName: string, accept: string) =>
      fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept },
        body: JSON.stringify({ query: document, operationName }),
      });
    for (let i = 0; i < 2; i++) expect(await (await post('Read', 'application/json')).json()).toEqual({ data: { block: { index: 0 } } });

    const abort = new AbortController();
    const live = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: document, operationName: 'Live' }),
      signal: abort.signal,
    });
    expect(live.headers.get('content-type')).toBe('text/event-stream');
    await until(() => leftovers(server).blockMined === 1, 'the subscription is registered');
    abort.abort();
    await until(nothingLeft(server), 'no listener or subscriber is left');
  });
});
