import { connect, type Socket } from 'node:net';
import { onTestFinished } from 'vitest';
import type { Result } from './subscription-clients.js';

/**
 * An SSE subscriber on a bare TCP socket, so a test controls exactly when it
 * reads: `pause()` stops reading from the socket (the kernel's buffers fill,
 * then the server's writes wait), `resume()` reads on.
 */
export interface RawSseClient {
  readonly socket: Socket;
  /** Resolves once the response headers and the first bytes of the stream have arrived. */
  readonly started: Promise<string>;
  /** Resolves with every `next` payload once the stream sends `complete` or the connection ends. */
  readonly finished: Promise<{ results: Array<Result<unknown>>; completed: boolean }>;
  pause(): void;
  resume(): void;
}

export function rawSseSubscription(httpUrl: string, query: string): RawSseClient {
  const url = new URL(httpUrl);
  const body = JSON.stringify({ query });
  const socket = connect(Number(url.port), url.hostname);
  onTestFinished(() => void socket.destroy());
  socket.write(
    `POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nAccept: text/event-stream\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );

  let raw = Buffer.alloc(0);
  let head: string | null = null;
  /** The de-chunked stream text. */
  let stream = '';
  let completed = false;
  let onStarted: (head: string) => void = () => undefined;
  const started = new Promise<string>((resolve) => (onStarted = resolve));

  /** Takes whole chunks of the chunked transfer coding off `raw`. */
  const dechunk = (): void => {
    for (;;) {
      const lineEnd = raw.indexOf('\r\n');
      if (lineEnd === -1) return;
      const size = Number.parseInt(raw.subarray(0, lineEnd).toString('latin1'), 16);
      if (raw.length < lineEnd + 2 + size + 2) return;
      stream += raw.subarray(lineEnd + 2, lineEnd + 2 + size).toString('utf8');
      raw = raw.subarray(lineEnd + 2 + size + 2);
      if (size === 0) completed = true;
    }
  };

  const finished = new Promise<{ results: Array<Result<unknown>>; completed: boolean }>((resolve) => {
    const finish = (): void => {
      const results: Array<Result<unknown>> = [];
      let complete = false;
      for (const event of stream.split('\n\n')) {
        const lines = event.split('\n');
        const type = lines.find((line) => line.startsWith('event: '))?.slice('event: '.length);
        const data = lines.find((line) => line.startsWith('data: '))?.slice('data: '.length);
        if (type === 'complete') complete = true;
        if (type === 'next' && data !== undefined) results.push(JSON.parse(data) as Result<unknown>);
      }
      resolve({ results, completed: complete });
    };
    socket.on('data', (data: Buffer) => {
      raw = Buffer.concat([raw, data]);
      if (head === null) {
        const headEnd = raw.indexOf('\r\n\r\n');
        if (headEnd === -1) return;
        head = raw.subarray(0, headEnd).toString('latin1');
        raw = raw.subarray(headEnd + 4);
      }
      dechunk();
      if (stream.length > 0) onStarted(head);
      if (completed) {
        socket.end();
        finish();
      }
    });
    socket.on('close', finish);
  });

  return { socket, started, finished, pause: () => socket.pause(), resume: () => socket.resume() };
}
