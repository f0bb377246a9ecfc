import { GraphQLError, type ASTNode } from 'graphql';
import { RequestError } from '../http/request-error.js';
import { LedgerError } from '../ledger/errors.js';
import { graphqlStatus, type ErrorCode } from '../shared/error-codes.js';

interface GraphQLErrorOptions {
  /** Sent with the response, e.g. Retry-After. */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  readonly nodes?: ASTNode | readonly ASTNode[] | null | undefined;
}

/**
 * An error carrying `code` in `extensions.code`, and, where ERROR_CODES gives
 * the code a status other than 200, that status for yoga's response.
 */
export function graphqlError(code: ErrorCode, message: string, { headers, nodes = null }: GraphQLErrorOptions = {}): GraphQLError {
  const status = graphqlStatus(code);
  const http = status === 200 ? undefined : { status, ...(headers === undefined ? {} : { headers }) };
  return new GraphQLError(message, { nodes, extensions: { code, ...(http === undefined ? {} : { http }) } });
}

export function badUserInput(message: string): GraphQLError {
  return graphqlError('BAD_USER_INPUT', message);
}

/**
 * The GraphQL error for a failure the client can act on: a LedgerError, or a
 * RequestError (the mining gate, subscription limits). Anything else is
 * returned as it is, and yoga masks it ("Unexpected error.": no stack, no
 * SQLite message, no file path).
 */
function toGraphQLError(error: unknown): Error {
  if (error instanceof LedgerError) {
    const headers = error.retryAfterSeconds === undefined ? undefined : { 'Retry-After': String(error.retryAfterSeconds) };
    return graphqlError(error.code, error.message, { headers });
  }
  if (error instanceof RequestError) return graphqlError(error.code, error.message, { headers: error.headers });
  return error instanceof Error ? error : new Error(String(error));
}

/** Runs `operation` (synchronous or not), turning what it throws into GraphQL errors with codes (see toGraphQLError). */
export function withErrorCodes<T>(operation: () => T): T {
  try {
    const result = operation();
    return (result instanceof Promise ? result.catch((error: unknown) => Promise.reject(toGraphQLError(error))) : result) as T;
  } catch (error) {
    throw toGraphQLError(error);
  }
}
