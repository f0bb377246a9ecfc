import type { ServerResponse } from 'node:http';
import { GraphQLError } from 'graphql';
import { LedgerError, type LedgerErrorCode } from '../ledger/errors.js';

/**
 * A failure of a REST request, answered as `{"code", "message"}` with its own
 * status: the codes are the ones GraphQL clients see in `extensions.code`.
 */
export class RestError extends Error {
  override readonly name = 'RestError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

const LEDGER_STATUS: Record<LedgerErrorCode, number> = {
  BAD_USER_INPUT: 400,
  CHAIN_INVALID: 409,
  CHAIN_CONFLICT: 409,
  DB_BUSY: 503,
  DATABASE_DAMAGED: 503,
  DATABASE_READ_ONLY: 503,
  MINING_BUSY: 503,
  STORAGE_FULL: 507,
  SHUTTING_DOWN: 503,
};

/** The RestError for a ledger failure or a refusal by the mining gate; null for anything else (an internal error). */
export function toRestError(error: unknown): RestError | null {
  if (error instanceof RestError) return error;
  if (error instanceof LedgerError) {
    const retry = error.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(error.retryAfterSeconds) };
    return new RestError(LEDGER_STATUS[error.code], error.code, error.message, retry);
  }
  // The mining gate speaks GraphQL: its errors carry the code, status and headers.
  if (error instanceof GraphQLError && typeof error.extensions['code'] === 'string') {
    const http = error.extensions['http'] as { status?: number; headers?: Record<string, string> } | undefined;
    return new RestError(http?.status ?? 400, error.extensions['code'], error.message, http?.headers ?? {});
  }
  return null;
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  const text = `${JSON.stringify(body)}\n`;
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
    ...headers,
  });
  response.end(text);
}

export function sendError(response: ServerResponse, error: RestError): void {
  sendJson(response, error.status, { code: error.code, message: error.message }, error.headers);
}
