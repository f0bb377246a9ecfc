import { GraphQLError } from 'graphql';
import { LedgerError, type LedgerErrorCode } from '../ledger/errors.js';

/**
 * HTTP status for ledger failures that concern the server rather than the
 * request; yoga uses it for the response. The rest answer 200, as execution
 * errors do under the GraphQL-over-HTTP spec.
 */
const HTTP_STATUS: Partial<Record<LedgerErrorCode, number>> = {
  DB_BUSY: 503,
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
export async function withLedgerErrors<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (!(error instanceof LedgerError)) throw error;
    const status = HTTP_STATUS[error.code];
    const headers = error.retryAfterSeconds === undefined ? undefined : { 'Retry-After': String(error.retryAfterSeconds) };
    throw new GraphQLError(error.message, {
      extensions: { code: error.code, ...(status === undefined ? {} : { http: { status, ...(headers ? { headers } : {}) } }) },
    });
  }
}
