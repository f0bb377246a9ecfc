import type { IncomingMessage, ServerResponse } from 'node:http';
import { graphqlStatus, restStatus, type ErrorCode } from '../shared/error-codes.js';

/** A GraphQL response carrying only an error with `code`, as text. */
export const graphqlErrorJson = (code: ErrorCode, message: string): string =>
  JSON.stringify({ errors: [{ message, extensions: { code } }] });

/**
 * Answers a request the server refuses before any route takes it, in the shape
 * the path's clients read: a GraphQL response on the GraphQL endpoint, REST's
 * `{code, message}` elsewhere. `status` defaults to the table's for the path.
 */
export function refuse(
  request: IncomingMessage,
  response: ServerResponse,
  { graphqlEndpoint, code, message, status }: { graphqlEndpoint: string; code: ErrorCode; message: string; status?: number },
): void {
  const path = (request.url ?? '/').split('?')[0] ?? '/';
  const graphql = path === graphqlEndpoint;
  const text = graphql ? graphqlErrorJson(code, message) : JSON.stringify({ code, message });
  response.writeHead(status ?? (graphql ? graphqlStatus(code) : restStatus(code)), {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
  });
  response.end(text);
}
