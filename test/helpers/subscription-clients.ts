import { setTimeout as sleep } from 'node:timers/promises';
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { onTestFinished } from 'vitest';
import WebSocket from 'ws';
import type { RunningServer } from '../../src/server.js';

/**
 * Waits until `condition` holds, polling: for things that happen "soon"
 * (a subscription registered, a listener removed) without a timed assertion.
 * Fails, naming what never happened, only after a generous `timeoutMs`.
 */
export async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(5);
  }
}

/** Ledger listeners and feed subscribers: all zero once every subscriber has gone. */
export function leftovers(server: RunningServer): { listeners: number; blockMined: number; miningProgress: number } {
  return { listeners: server.app.ledger.listenerCount() - server.app.ownListeners, ...server.app.live.subscriberCounts() };
}

export const nothingLeft = (server: RunningServer) => (): boolean => {
  const { listeners, blockMined, miningProgress } = leftovers(server);
  return listeners === 0 && blockMined === 0 && miningProgress === 0;
};

/** One `next` payload, as every transport delivers it. */
export interface Result<T> {
  readonly data?: T | null;
  readonly errors?: ReadonlyArray<{ readonly message: string; readonly extensions?: { readonly code?: string } }>;
}

/** One subscription as a test drives it: pull results, end it politely, or drop the connection. */
export interface TestSubscription<T> {
  /** The next result, or `null` once the subscription completed. */
  next(): Promise<Result<T> | null>;
  /** Every result until the subscription completes. */
  rest(): Promise<Array<Result<T>>>;
  /** Unsubscribes as the client library does (graphql-sse, graphql-ws: `complete`; fetch: abort). */
  unsubscribe(): Promise<void>;
  /** Drops the connection without a word: fetch aborted, WebSocket terminated. */
  disconnect(): void;
}

export type TransportName = 'graphql-sse' | 'fetch' | 'graphql-ws';
export const TRANSPORTS: readonly TransportName[] = ['graphql-sse', 'fetch', 'graphql-ws'];

export const wsUrl = (httpUrl: string): string => httpUrl.replace(/^http/, 'ws');

function fromIterator<T>(iterator: AsyncIterableIterator<Result<T>>, disconnect: () => void): TestSubscription<T> {
  return {
    async next() {
      const step = await iterator.next();
      return step.done === true ? null : step.value;
    },
    async rest() {
      const results: Array<Result<T>> = [];
      for (;;) {
        const step = await iterator.next();
        if (step.done === true) return results;
        results.push(step.value);
      }
    },
    async unsubscribe() {
      await iterator.return?.();
    },
    disconnect,
  };
}

/** A graphql-ws client whose socket the test can drop; disposed when the test finishes. */
export function wsClient(
  httpUrl: string,
  options: { headers?: Record<string, string> } = {},
): { client: WsClient; socket: () => WebSocket | null } {
  let socket: WebSocket | null = null;
  const headers = options.headers;
  const client = createWsClient({
    url: wsUrl(httpUrl),
    retryAttempts: 0,
    lazy: true,
    webSocketImpl: headers
      ? class extends WebSocket {
          constructor(address: string, protocols?: string | string[]) {
            super(address, protocols, { headers });
          }
        }
      : WebSocket,
    on: { connected: (opened) => void (socket = opened as WebSocket) },
  });
  onTestFinished(() => client.dispose());
  return { client, socket: () => socket };
}

/** Subscribes over Server-Sent Events with a plain fetch, reading the stream as the spec describes. */
export function fetchSubscription<T>(url: string, query: string, headers: Record<string, string> = {}): TestSubscription<T> {
  const abort = new AbortController();
  onTestFinished(() => abort.abort());
  const response = fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: JSON.stringify({ query }),
    signal: abort.signal,
  });
  async function* events(): AsyncGenerator<Result<T>> {
    const body = (await response).body;
    if (body === null) throw new Error('no body');
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffered = '';
    try {
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) return;
        buffered += decoder.decode(chunk.value, { stream: true });
        for (let end = buffered.indexOf('\n\n'); end !== -1; end = buffered.indexOf('\n\n')) {
          const lines = buffered.slice(0, end).split('\n');
          buffered = buffered.slice(end + 2);
          // Lines starting with ':' are keep-alive comments.
          const event = lines.find((line) => line.startsWith('event: '))?.slice('event: '.length);
          const data = lines
            .find((line) => line.startsWith('data:'))
            ?.slice('data:'.length)
            .trim();
          if (event === 'complete') return;
          if (event === 'next' && data) yield JSON.parse(data) as Result<T>;
        }
      }
    } catch (error) {
      if (abort.signal.aborted) return;
      throw error;
    }
  }
  const iterator = events();
  const abortable: AsyncIterableIterator<Result<T>> = {
    next: () => iterator.next(),
    // A generator waiting on the network cannot be returned: abort the request instead.
    return: () => {
      abort.abort();
      return Promise.resolve({ done: true, value: undefined });
    },
    [Symbol.asyncIterator]: () => abortable,
  };
  return fromIterator(abortable, () => abort.abort());
}

/** Opens `query` as a subscription over `transport`. */
export function subscribe<T>(transport: TransportName, server: RunningServer, query: string): TestSubscription<T> {
  if (transport === 'fetch') return fetchSubscription<T>(server.url, query);
  if (transport === 'graphql-sse') {
    const client = createSseClient({ url: server.url, retryAttempts: 0 });
    onTestFinished(() => client.dispose());
    const iterator = client.iterate({ query }) as AsyncIterableIterator<Result<T>>;
    // graphql-sse fetches one stream per subscription; ending the iterator aborts it.
    return fromIterator(iterator, () => void iterator.return?.());
  }
  const { client, socket } = wsClient(server.url);
  return fromIterator(client.iterate({ query }) as AsyncIterableIterator<Result<T>>, () => socket()?.terminate());
}
