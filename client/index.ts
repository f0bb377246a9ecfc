/**
 * A small typed client for the ledger's GraphQL API, for browsers and Node 20
 * alike (fetch only, nothing from Node): queries and mutations as JSON POSTs,
 * subscriptions over Server-Sent Events in graphql-yoga's "distinct
 * connections" mode (one POST per subscription, answered with an event
 * stream). It takes the documents `npm run codegen` generates from
 * client/operations, so variables and results are typed:
 *
 *   const client = createLedgerClient({ url: 'http://localhost:4000/graphql', token: 'secret...' });
 *   const { tip } = await client.request(TipDocument);
 *   const { mineBlock } = await client.request(MineBlockDocument, { data: 'hello', idempotencyKey: newIdempotencyKey() });
 *   const stop = client.subscribe(BlockMinedDocument, { next: ({ blockMined }) => show(blockMined) });
 */
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
import { createServerSentEventParser } from './sse.js';

export * from './generated/graphql.js';

/**
 * A fresh idempotency key for `mineBlock` (a random UUID): send the same key
 * when retrying a mine whose answer was lost, and the server returns the block
 * already stored instead of mining a second one.
 */
export function newIdempotencyKey(): string {
  return globalThis.crypto.randomUUID();
}

/** A generated document (TypedDocumentString): the operation's text, typed with its result and variables. */
export type TypedDocument<TResult, TVariables> = DocumentTypeDecoration<TResult, TVariables> & { toString(): string };

/** The variables argument: optional when the operation needs none, required otherwise. */
export type VariablesArgument<TVariables> = [TVariables] extends [Record<string, never>]
  ? [variables?: TVariables]
  : Partial<TVariables> extends TVariables
    ? [variables?: TVariables]
    : [variables: TVariables];

/** One entry of a GraphQL response's `errors`. */
export interface GraphQLErrorItem {
  readonly message: string;
  readonly path?: ReadonlyArray<string | number>;
  readonly extensions?: Readonly<Record<string, unknown>>;
}

/** An operation that failed: GraphQL errors, an HTTP error, or no answer at all (`status` 0). */
export class LedgerClientError extends Error {
  override readonly name = 'LedgerClientError';
  /** HTTP status of the response; 0 when the server could not be reached or the stream broke. */
  readonly status: number;
  readonly errors: readonly GraphQLErrorItem[];
  /** Seconds the server asked to wait (`Retry-After`, sent with RATE_LIMITED, MINING_BUSY, DB_BUSY). */
  readonly retryAfterSeconds: number | null;

  constructor(
    message: string,
    {
      status = 0,
      errors = [],
      retryAfterSeconds = null,
    }: { status?: number; errors?: readonly GraphQLErrorItem[]; retryAfterSeconds?: number | null } = {},
  ) {
    super(message);
    this.status = status;
    this.errors = errors;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** `extensions.code` of the first error, such as UNAUTHENTICATED, RATE_LIMITED or BAD_USER_INPUT. */
  get code(): string | undefined {
    const code = this.errors[0]?.extensions?.['code'];
    return typeof code === 'string' ? code : undefined;
  }
}

export interface SubscriptionHandlers<TResult> {
  /** Each result, in order. */
  next(data: TResult): void;
  /** The subscription ended with an error (the stream is closed; `next` is not called again). */
  error?(error: LedgerClientError): void;
  /** The server ended the subscription. */
  complete?(): void;
  /** The server accepted the subscription and its stream is open. */
  open?(): void;
}

/** Stops a subscription (aborts its request); no handler is called afterwards. Safe to call twice. */
export type Unsubscribe = () => void;

export interface LedgerClientOptions {
  /** The GraphQL endpoint: absolute, or relative to the page. Default `/graphql`. */
  readonly url?: string;
  /**
   * The server's MINING_TOKEN, sent as `Authorization: Bearer <token>`. A
   * function is asked before every request (a token field that may change).
   */
  readonly token?: string | null | (() => string | null | undefined);
  /** Another fetch (instrumentation, tests). Default: the global one. */
  readonly fetch?: typeof fetch;
}

export interface LedgerClient {
  /** Runs a query or mutation; resolves with its `data`, rejects with a LedgerClientError. */
  request<TResult, TVariables>(
    document: TypedDocument<TResult, TVariables>,
    ...[variables]: VariablesArgument<TVariables>
  ): Promise<TResult>;
  /** Starts a subscription; results go to `handlers` until it ends or the returned function is called. */
  subscribe<TResult, TVariables>(
    document: TypedDocument<TResult, TVariables>,
    handlers: SubscriptionHandlers<TResult>,
    ...[variables]: VariablesArgument<TVariables>
  ): Unsubscribe;
}

interface ExecutionResult {
  readonly data?: unknown;
  readonly errors?: readonly GraphQLErrorItem[];
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function toErrorItems(value: unknown): GraphQLErrorItem[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter(isRecord)
    .map((error) => ({ ...error, message: typeof error['message'] === 'string' ? error['message'] : 'Unknown error.' }));
}

function retryAfter(response: Response): number | null {
  const seconds = Number(response.headers.get('retry-after') ?? Number.NaN);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : null;
}

/** The `data` of a GraphQL response, or the error it carries. */
function resultOf(body: unknown, response: Response | null): unknown {
  const status = response?.status ?? 200;
  const errors = isRecord(body) ? toErrorItems(body['errors']) : [];
  if (errors.length > 0) {
    throw new LedgerClientError(errors.map((error) => error.message).join(' '), {
      status,
      errors,
      retryAfterSeconds: response === null ? null : retryAfter(response),
    });
  }
  const data = isRecord(body) ? body['data'] : undefined;
  if ((response !== null && !response.ok) || !isRecord(data)) {
    throw new LedgerClientError(
      `The server answered HTTP ${status}${response?.statusText ? ` ${response.statusText}` : ''} without a GraphQL result.`,
      { status },
    );
  }
  return data;
}

async function readJson(response: Response): Promise<unknown> {
  try {
    return (await response.json()) as unknown;
  } catch {
    return null;
  }
}

function unreachable(url: string, error: unknown): LedgerClientError {
  return new LedgerClientError(`Could not reach ${url}: ${error instanceof Error ? error.message : String(error)}`);
}

export function createLedgerClient({ url = '/graphql', token = null, fetch: fetchOption }: LedgerClientOptions = {}): LedgerClient {
  // Called through globalThis: a bare reference to window.fetch throws "Illegal invocation" in browsers.
  const send = fetchOption ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));

  function headers(accept: string): Record<string, string> {
    const bearer = typeof token === 'function' ? token() : token;
    return {
      'content-type': 'application/json',
      accept,
      ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
    };
  }

  const body = (document: { toString(): string }, variables: unknown): string =>
    JSON.stringify({ query: document.toString(), variables: variables ?? {} });

  async function request<TResult, TVariables>(
    document: TypedDocument<TResult, TVariables>,
    ...[variables]: VariablesArgument<TVariables>
  ): Promise<TResult> {
    let response: Response;
    try {
      response = await send(url, {
        method: 'POST',
        headers: headers('application/graphql-response+json, application/json'),
        body: body(document, variables),
      });
    } catch (error) {
      throw unreachable(url, error);
    }
    return resultOf(await readJson(response), response) as TResult;
  }

  function subscribe<TResult, TVariables>(
    document: TypedDocument<TResult, TVariables>,
    handlers: SubscriptionHandlers<TResult>,
    ...[variables]: VariablesArgument<TVariables>
  ): Unsubscribe {
    const controller = new AbortController();
    let ended = false;
    const end = (report?: () => void): void => {
      if (ended) return;
      ended = true;
      controller.abort();
      report?.();
    };

    async function run(): Promise<void> {
      let response: Response;
      try {
        response = await send(url, {
          method: 'POST',
          headers: headers('text/event-stream'),
          body: body(document, variables),
          signal: controller.signal,
        });
      } catch (error) {
        throw unreachable(url, error);
      }
      if (!(response.headers.get('content-type') ?? '').startsWith('text/event-stream') || response.body === null) {
        // Refused before any stream (CSRF, malformed request): the body is an ordinary GraphQL response.
        resultOf(await readJson(response), response);
        throw new LedgerClientError(`The server answered HTTP ${response.status} without an event stream.`, { status: response.status });
      }
      if (ended) return;
      handlers.open?.();
      let completed = false;
      const parser = createServerSentEventParser(({ event, data }) => {
        if (ended || completed) return;
        if (event === 'complete') {
          completed = true;
        } else if (event === 'next') {
          const payload = JSON.parse(data) as ExecutionResult;
          handlers.next(resultOf(payload, null) as TResult);
        }
      });
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      while (!completed && !ended) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (error) {
          if (ended) return;
          throw new LedgerClientError(`The subscription's stream broke: ${error instanceof Error ? error.message : String(error)}`);
        }
        if (chunk.done) break;
        parser.push(decoder.decode(chunk.value, { stream: true }));
      }
      if (ended) return;
      if (!completed) throw new LedgerClientError('The server closed the subscription without completing it.');
      end(() => handlers.complete?.());
    }

    run().catch((error: unknown) => {
      const clientError =
        error instanceof LedgerClientError ? error : new LedgerClientError(error instanceof Error ? error.message : String(error));
      end(() => handlers.error?.(clientError));
    });
    return () => end();
  }

  return { request, subscribe };
}
