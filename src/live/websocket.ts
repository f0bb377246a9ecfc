import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  getOperationAST,
  GraphQLError,
  OperationTypeNode,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { graphqlErrorJson } from '../http/refusal.js';
import { createKeyCounts } from '../shared/key-counts.js';

/** What this transport needs of a yoga server: its endpoint and its plugin pipeline. */
interface EnvelopedServer {
  readonly graphqlEndpoint: string;
  getEnveloped(initialContext: Record<string, unknown>): unknown;
}

interface WebSocketTransportOptions {
  readonly yoga: EnvelopedServer;
  /**
   * Whether a connection may be served, judged on its upgrade request (Origin,
   * Host). A refused one is closed with 4403 once it says hello.
   */
  readonly admit: (request: IncomingMessage) => boolean;
  /** Largest message a client may send, in bytes: the HTTP body limit, which WebSocket messages would otherwise bypass. */
  readonly maxPayload: number;
  /** Whom a connection counts against (see client-address.ts). */
  readonly clientKey: (request: IncomingMessage) => string;
  /** WebSocket connections one client may hold open, with or without subscriptions. */
  readonly maxPerClient: number;
  /** An initialised connection holding no subscription for this long is closed (1000). */
  readonly idleTimeoutMs: number;
  /** A refusal owed to the upgrade's connection as a whole (see connection-limits.ts), answered instead of upgrading. */
  readonly refusal: (socket: Socket) => { readonly status: number; readonly message: string } | null;
}

export interface WebSocketTransport {
  /** Connections open now (acknowledged or not). */
  connectionCount(): number;
  /**
   * Waits (at most `drainMs`) until every subscription has sent its last
   * message (after the feeds ended them), then closes every socket with 1001
   * "Going away" and stops accepting new ones.
   */
  close(drainMs: number): Promise<void>;
  /** Drops every socket without a closing handshake: for clients that do not answer one. */
  terminate(): void;
}

/** What the idle sweep reads of graphql-ws's Context for a connection. */
interface IdleTracked {
  readonly subscriptions: Readonly<Record<string, unknown>>;
  readonly extra: { readonly socket: { close(code: number, reason: string): void } };
}

/** yoga's plugin pipeline for one operation, typed as graphql-js's functions (envelop types them `any`). */
interface Pipeline {
  readonly schema: GraphQLSchema;
  parse(source: string): DocumentNode;
  validate(schema: GraphQLSchema, document: DocumentNode): readonly GraphQLError[];
  subscribe(
    args: ExecutionArgs,
  ): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> | AsyncIterableIterator<ExecutionResult> | ExecutionResult;
  contextFactory(): unknown;
}

/** Only subscriptions: queries and mutations over WebSocket would bypass the HTTP plugins (CSRF prevention, body limits, rate limits' 429s). */
const ONLY_SUBSCRIPTIONS =
  'Only subscriptions are served over WebSocket; send queries and mutations as HTTP POST requests to this endpoint.';

/**
 * The `graphql-ws` protocol on the GraphQL endpoint of `http`, run through
 * yoga's plugin pipeline as yoga's documentation shows (parse, validate,
 * context, subscribe, error masking and query limits all apply; the HTTP-level
 * plugins cannot, hence subscriptions only). Browsers apply no CORS to
 * WebSockets, so `admit` is where cross-site pages and DNS rebinding are kept out.
 */
export function attachWebSocketTransport(
  http: Server,
  { yoga, admit, maxPayload, clientKey, maxPerClient, idleTimeoutMs, refusal }: WebSocketTransportOptions,
): WebSocketTransport {
  const perClient = createKeyCounts();
  const sockets = new WebSocketServer({
    server: http,
    path: yoga.graphqlEndpoint,
    maxPayload,
    // Synchronous: the connection is counted (below) before the next upgrade is verified.
    verifyClient({ req }, answer) {
      const refused =
        refusal(req.socket) ??
        (perClient.get(clientKey(req)) >= maxPerClient
          ? {
              status: 429,
              message: `This client already has ${maxPerClient} WebSocket connections open, the most allowed (MAX_WEBSOCKETS_PER_CLIENT); subscribe over one of them.`,
            }
          : null);
      if (refused === null) return answer(true);
      answer(false, refused.status, graphqlErrorJson('CONNECTION_LIMIT', refused.message), {
        'Content-Type': 'application/json; charset=utf-8',
      });
    },
  });
  sockets.on('connection', (socket, request) => {
    const key = clientKey(request);
    perClient.add(key);
    socket.once('close', () => perClient.remove(key));
  });
  /** Each admitted connection's protocol state (graphql-ws's Context), for draining at shutdown. */
  const connections = new Set<IdleTracked>();
  /** When each connection last held a subscription (or opened). */
  const lastBusy = new WeakMap<object, number>();
  /** What yoga's pipeline produced for each operation's arguments. */
  const pipelines = new WeakMap<object, Pipeline>();

  const server = useServer(
    {
      onConnect(context) {
        if (!admit(context.extra.request)) return false;
        connections.add(context);
        lastBusy.set(context, performance.now());
        return true;
      },
      onClose(context) {
        connections.delete(context);
      },
      onComplete(context) {
        lastBusy.set(context, performance.now());
      },
      async onSubscribe(context, _id, params) {
        const pipeline = yoga.getEnveloped({ ...context, req: context.extra.request, socket: context.extra.socket, params }) as Pipeline;
        let document: DocumentNode;
        try {
          document = pipeline.parse(params.query);
        } catch (error) {
          // A syntax error, or a query over the token limit: an error for this operation, not a dropped connection.
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        const errors = pipeline.validate(pipeline.schema, document);
        if (errors.length > 0) return errors;
        if (getOperationAST(document, params.operationName)?.operation !== OperationTypeNode.SUBSCRIPTION) {
          return [new GraphQLError(ONLY_SUBSCRIPTIONS, { extensions: { code: 'BAD_REQUEST' } })];
        }
        const args: ExecutionArgs = {
          schema: pipeline.schema,
          document,
          operationName: params.operationName ?? null,
          variableValues: params.variables ?? null,
          contextValue: await pipeline.contextFactory(),
        };
        pipelines.set(args, pipeline);
        // A subscription refused above (invalid, not a subscription) leaves the connection idle.
        lastBusy.set(context, performance.now());
        return args;
      },
      subscribe: (args) => {
        const pipeline = pipelines.get(args);
        if (pipeline === undefined) throw new Error('subscribe called with arguments onSubscribe did not make');
        return pipeline.subscribe(args);
      },
      // Never reached: onSubscribe lets only subscriptions through.
      execute: () => {
        throw new Error(ONLY_SUBSCRIPTIONS);
      },
    },
    sockets,
  );

  // graphql-ws logs each error a socket emits as an internal one, and closes with 4500. They
  // are the client's (a message over maxPayload, a malformed frame), and ws has already
  // closed the socket with the right code (1009, 1002): nothing to log. (Runs after
  // graphql-ws's own 'connection' listener, which adds that handler.)
  sockets.on('connection', (socket) => {
    socket.removeAllListeners('error');
    socket.on('error', () => undefined);
  });

  const subscriptionsOpen = (): boolean => [...connections].some((context) => Object.keys(context.subscriptions).length > 0);

  // Idle time runs from the end of the last subscription (onComplete) or, with none yet, from
  // the connection's start: a connection is closed at most one sweep later than idleTimeoutMs,
  // never sooner.
  const sweep = setInterval(
    () => {
      const now = performance.now();
      for (const context of connections) {
        if (Object.keys(context.subscriptions).length > 0) continue;
        if (now - (lastBusy.get(context) ?? now) >= idleTimeoutMs) {
          context.extra.socket.close(1000, `Idle: no subscription for ${Math.round(idleTimeoutMs / 1000)} s`);
          connections.delete(context);
        }
      }
    },
    Math.max(50, Math.min(idleTimeoutMs / 4, 5000)),
  );
  sweep.unref();

  return {
    connectionCount: () => sockets.clients.size,
    async close(drainMs) {
      clearInterval(sweep);
      const deadline = performance.now() + drainMs;
      while (subscriptionsOpen() && performance.now() < deadline) await sleep(10);
      await server.dispose();
    },
    terminate() {
      for (const socket of sockets.clients) socket.terminate();
    },
  };
}
