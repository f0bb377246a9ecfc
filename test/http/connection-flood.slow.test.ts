import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ATTACKER, BYSTANDER, idleWebSocket, openSocket, query, refusedUpgrade } from '../helpers/connections.js';
import { IN_MEMORY, startTestServer } from '../helpers/server.js';
import { until } from '../helpers/subscription-clients.js';

// Slow on purpose: thousands of sockets, as an outside probe held.
describe('a connection flood', () => {
  it('still answers a new client while another holds thousands of sockets and idle WebSockets', async () => {
    const server = await startTestServer(IN_MEMORY);
    // The attacker's allowance: 16 initialised WebSockets and 48 bare connections; then 3,000 more.
    await Promise.all(Array.from({ length: 16 }, () => idleWebSocket(server, ATTACKER)));
    await Promise.all(Array.from({ length: 48 }, () => openSocket(server, ATTACKER)));
    const flood: Socket[] = [];
    for (let batch = 0; batch < 30; batch++) {
      flood.push(
        ...(await Promise.all(Array.from({ length: 100 }, () => openSocket(server, ATTACKER).catch(() => null)))).filter(
          (socket): socket is Socket => socket !== null,
        ),
      );
    }
    expect(flood.length).toBeGreaterThan(2000);
    expect(await query(server, BYSTANDER)).toMatchObject({ status: 200, body: { data: { validate: { valid: true } } } });
    // The refused sockets are closed by the server, sent a request or not: they hold no descriptor for long.
    await until(() => flood.every((socket) => socket.destroyed || socket.readableEnded), 'the refused sockets are closed', 20_000);
    expect(server.connections.count()).toBe(64);
    expect(await refusedUpgrade(server, ATTACKER)).toMatchObject({ status: 429 });
  }, 60_000);
});
