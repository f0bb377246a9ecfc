import type { IncomingMessage, Server } from 'node:http';
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

/** What this transport needs of a yoga server: its endpoint and its plugin pipeline. */
export interface EnvelopedServer {
  readonly graphqlEndpoint: string;
  getEnveloped(initialContext: Record<string, unknown>): unknown;
}

export interface WebSocketTransportOptions {
  readonly yoga: EnvelopedServer;
  /**
   * Whether a connection may be served, judged on its upgrade request (Origin,
   * Host). A refused one is closed with 4403 once it says hello.
   */
  readonly admit: (request: IncomingMessage) => boolean;
  /** Largest message a client may send, in bytes: the HTTP body limit, which WebSocket messages would otherwise bypass. */
  readonly maxPayload: number;
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
export function attachWebSocketTransport(http: Server, { yoga, admit, maxPayload }: WebSocketTransportOptions): WebSocketTransport {
  const sockets = new WebSocketServer({ server: http, path: yoga.graphqlEndpoint, maxPayload });
  /** Each admitted connection's protocol state (graphql-ws's Context), for draining at shutdown. */
  const connections = new Set<{ readonly subscriptions: Readonly<Record<string, unknown>> }>();
  /** What yoga's pipeline produced for each operation's arguments. */
  const pipelines = new WeakMap<object, Pipeline>();

  const server = useServer(
    {
      onConnect(context) {
        if (!admit(context.extra.request)) return false;
        connections.add(context);
        return true;
      },
      onClose(context) {
        connections.delete(context);
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

  return {
    connectionCount: () => sockets.clients.size,
    async close(drainMs) {
      const deadline = performance.now() + drainMs;
      while (subscriptionsOpen() && performance.now() < deadline) await sleep(10);
      await server.dispose();
    },
    terminate() {
      for (const socket of sockets.clients) socket.terminate();
    },
  };
}
