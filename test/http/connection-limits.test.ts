import { once } from 'node:events';
import { describe, expect, it, onTestFinished } from 'vitest';
import WebSocket from 'ws';
import { connectionCap, openFileLimit } from '../../src/http/connection-limits.js';
import { ATTACKER, BYSTANDER, idleWebSocket, openSocket, query, queryOn, refusedUpgrade } from '../helpers/connections.js';
import { IN_MEMORY, startTestServer } from '../helpers/server.js';
import { until } from '../helpers/subscription-clients.js';

describe('connection limits', () => {
  it('answers a client past MAX_CONNECTIONS_PER_CLIENT with 429 and closes; other clients are served', async () => {
    const server = await startTestServer(IN_MEMORY, { maxConnectionsPerClient: 5 });
    const held = await Promise.all(Array.from({ length: 5 }, () => openSocket(server, ATTACKER)));
    const excess = await openSocket(server, ATTACKER);
    const answer = await queryOn(excess);
    expect(answer).toMatch(/^HTTP\/1\.1 429 /);
    expect(answer).toMatch(/\r\nConnection: close\r\n/i);
    expect(answer).toContain('"code":"CONNECTION_LIMIT"');
    expect(answer).toContain('MAX_CONNECTIONS_PER_CLIENT');

    expect(await query(server, BYSTANDER)).toMatchObject({ status: 200, body: { data: { validate: { valid: true } } } });
    for (const socket of held) socket.destroy();
    await until(() => server.connections.count() === 0, 'the held connections are gone');
    expect(await query(server, ATTACKER)).toMatchObject({ status: 200 });
  });

  it('answers 503 past MAX_CONNECTIONS, whoever the client', async () => {
    const server = await startTestServer(IN_MEMORY, { maxConnections: 16 });
    expect(server.maxConnections).toBe(16);
    await Promise.all(Array.from({ length: 16 }, (_, i) => openSocket(server, `127.0.1.${i + 1}`)));
    const answer = await query(server, BYSTANDER);
    expect(answer.status).toBe(503);
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('CONNECTION_LIMIT');
    expect(answer.connection).toBe('close');
  });

  it('refuses the WebSocket upgrade past MAX_WEBSOCKETS_PER_CLIENT with 429, for that client only', async () => {
    const server = await startTestServer(IN_MEMORY, { maxWebSocketsPerClient: 2 });
    const first = await idleWebSocket(server, ATTACKER);
    await idleWebSocket(server, ATTACKER);
    const refused = await refusedUpgrade(server, ATTACKER);
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body)).toMatchObject({ errors: [{ extensions: { code: 'CONNECTION_LIMIT' } }] });
    await idleWebSocket(server, BYSTANDER);
    first.close();
    await once(first, 'close');
    await until(() => server.webSocket.connectionCount() === 2, 'the closed WebSocket is gone');
    await idleWebSocket(server, ATTACKER);
  });

  it('closes an initialised WebSocket that holds no subscription for the idle time, and not one that does', async () => {
    const server = await startTestServer(IN_MEMORY, {}, { webSocketIdleTimeoutMs: 300 });
    const idle = await idleWebSocket(server, ATTACKER);
    const busy = await idleWebSocket(server, ATTACKER);
    busy.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { blockMined { index } }' } }));
    const [code, reason] = (await once(idle, 'close')) as [number, Buffer];
    expect(code).toBe(1000);
    expect(reason.toString()).toMatch(/^Idle: no subscription/);
    // Twice the idle time later, the subscribed connection is still open.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(busy.readyState).toBe(WebSocket.OPEN);
    // Once its subscription ends, it is idle too.
    busy.send(JSON.stringify({ id: '1', type: 'complete' }));
    const [busyCode] = (await once(busy, 'close')) as [number];
    expect(busyCode).toBe(1000);
  });

  it('does not count a refused subscribe as activity', async () => {
    const server = await startTestServer(IN_MEMORY, {}, { webSocketIdleTimeoutMs: 300 });
    const socket = await idleWebSocket(server, ATTACKER);
    let id = 0;
    const keepAlive = setInterval(() => {
      if (socket.readyState !== WebSocket.OPEN) return;
      id += 1;
      socket.send(JSON.stringify({ id: String(id), type: 'subscribe', payload: { query: 'subscription { nothing }' } }));
    }, 50);
    onTestFinished(() => clearInterval(keepAlive));
    const [code] = (await once(socket, 'close')) as [number];
    expect(code).toBe(1000);
    expect(id).toBeGreaterThan(2);
  });
});

describe('connectionCap', () => {
  it('keeps MAX_CONNECTIONS 256 below the open-file limit, and defaults to 10,000 where the limit allows', () => {
    expect(connectionCap(null, 1_048_576)).toBe(10_000);
    expect(connectionCap(50_000, 20_000)).toBe(19_744);
    expect(connectionCap(500, 20_000)).toBe(500);
    expect(connectionCap(null, 1024)).toBe(768);
    expect(connectionCap(null, null)).toBe(768);
    expect(connectionCap(null, 100)).toBe(16);
  });

  it('reads the soft open-file limit of this process', () => {
    const limit = openFileLimit();
    if (process.platform === 'linux') expect(limit).toBeGreaterThan(0);
    expect(openFileLimit('/nonexistent')).toBeNull();
  });
});
