import { GraphQLError } from 'graphql';
import { LedgerError, type LedgerErrorCode } from '../ledger/errors.js';

/**
 * HTTP status for ledger failures that concern the server rather than the
 * request; yoga uses it for the response. The rest answer 200, as execution
 * errors do under the GraphQL-over-HTTP spec.
 */
const HTTP_STATUS: Partial<Record<LedgerErrorCode, number>> = {
  DB_BUSY: 503,
  DATABASE_DAMAGED: 503,
  DATABASE_READ_ONLY: 503,
  MINING_BUSY: 503,
  STORAGE_FULL: 507,
  SHUTTING_DOWN: 503,
};

export function badUserInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

/**
 * Runs a ledger operation, turning its expected failures into GraphQL errors
 * that carry `extensions.code`. Anything else propagates and is masked by yoga
 * ("Unexpected error.": no stack, no SQLite message, no file path).
 */
export function withLedgerErrors<T>(operation: () => T): T {
  try {
    const result = operation();
    return (result instanceof Promise ? result.catch((error: unknown) => Promise.reject(toGraphQLError(error))) : result) as T;
  } catch (error) {
    throw toGraphQLError(error);
  }
}

function toGraphQLError(error: unknown): Error {
  if (!(error instanceof LedgerError)) return error instanceof Error ? error : new Error(String(error));
  const status = HTTP_STATUS[error.code];
  const headers = error.retryAfterSeconds === undefined ? undefined : { 'Retry-After': String(error.retryAfterSeconds) };
  return new GraphQLError(error.message, {
    extensions: { code: error.code, ...(status === undefined ? {} : { http: { status, ...(headers ? { headers } : {}) } }) },
  });
}
