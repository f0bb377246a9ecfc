/** Clients for the connection-limit tests: each 127.x.y.z source address is another client. */
import { once } from 'node:events';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { expect, onTestFinished } from 'vitest';
import WebSocket from 'ws';
import type { RunningServer } from '../../src/server.js';
import { wsUrl } from './subscription-clients.js';

// Every 127.x.y.z address is this machine's loopback: each stands for another client.
export const ATTACKER = '127.0.0.2';
export const BYSTANDER = '127.0.0.3';

export const portOf = (server: RunningServer): number => Number(new URL(server.url).port);

/** A TCP connection from `localAddress` that sends nothing (yet). */
export async function openSocket(server: RunningServer, localAddress: string): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port: portOf(server), localAddress });
  socket.on('error', () => undefined);
  onTestFinished(() => void socket.destroy());
  await once(socket, 'connect');
  return socket;
}

export interface Answer {
  readonly status: number;
  readonly connection: string | undefined;
  readonly body: { errors?: Array<{ extensions?: { code?: string } }>; data?: unknown };
}

/** A GraphQL query from `localAddress`, on a connection of its own (or `socket`'s, raw). */
export function query(server: RunningServer, localAddress: string): Promise<Answer> {
  const body = JSON.stringify({ query: '{ validate { valid } }' });
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      server.url,
      { method: 'POST', localAddress, agent: false, headers: { 'content-type': 'application/json', 'content-length': body.length } },
      (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode!, connection: response.headers.connection, body: JSON.parse(text) as Answer['body'] }),
        );
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** Sends a GraphQL request on an open raw `socket`; resolves with the whole answer once the server closes it. */
export async function queryOn(socket: Socket): Promise<string> {
  const body = JSON.stringify({ query: '{ validate { valid } }' });
  let answer = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
  socket.write(
    `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
  );
  await once(socket, 'close');
  return answer;
}

/** A graphql-ws connection from `localAddress`, initialised, holding no subscription. */
export async function idleWebSocket(server: RunningServer, localAddress: string): Promise<WebSocket> {
  const socket = new WebSocket(wsUrl(server.url), 'graphql-transport-ws', { localAddress });
  onTestFinished(() => socket.terminate());
  await once(socket, 'open');
  socket.send(JSON.stringify({ type: 'connection_init' }));
  const [ack] = (await once(socket, 'message')) as [Buffer];
  expect(JSON.parse(ack.toString())).toEqual({ type: 'connection_ack' });
  return socket;
}

/** The HTTP answer to a WebSocket upgrade the server refuses. */
export async function refusedUpgrade(server: RunningServer, localAddress: string): Promise<{ status: number; body: string }> {
  const socket = new WebSocket(wsUrl(server.url), 'graphql-transport-ws', { localAddress });
  socket.on('error', () => undefined);
  const [, response] = (await once(socket, 'unexpected-response')) as [unknown, IncomingMessage];
  let body = '';
  response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
  await once(response, 'end');
  return { status: response.statusCode!, body };
}
