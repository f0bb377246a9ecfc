import { createServer, connect, type Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import { abandonConnection } from '../../../src/storage/postgres/deadlines.js';

/** A connected loopback TCP socket (the server side is held open and silent). */
async function loopbackSocket(): Promise<Socket> {
  const held: Socket[] = [];
  const server = createServer((socket) => held.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => {
    for (const socket of held) socket.destroy();
    server.close();
  });
  const { port } = server.address() as { port: number };
  const socket = connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  return socket;
}

/** Just what abandonConnection touches of a pg client. */
const clientOn = (stream: Socket): pg.Client => ({ connection: { stream }, end: () => Promise.resolve() }) as unknown as pg.Client;

describe('giving up on a connection', () => {
  it('resets a plain TCP connection and ends the client', async () => {
    const socket = await loopbackSocket();
    await abandonConnection(clientOn(socket));
    expect(socket.destroyed).toBe(true);
  });

  it('gives up a TLS connection without throwing (sslmode=require): the RST goes on the TCP socket under it', async () => {
    const tcp = await loopbackSocket();
    const tls = new TLSSocket(tcp);
    tls.on('error', () => undefined);
    await expect(abandonConnection(clientOn(tls))).resolves.toBeUndefined();
    expect(tls.destroyed).toBe(true);
  });
});
