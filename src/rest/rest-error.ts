import type { ServerResponse } from 'node:http';
import { RequestError } from '../http/request-error.js';
import { LedgerError } from '../ledger/errors.js';
import { restStatus, type ErrorCode } from '../shared/error-codes.js';

/**
 * A REST answer to a failure: `{"code", "message"}` with the status
 * ERROR_CODES gives the code for REST; the codes are the ones GraphQL clients
 * see in `extensions.code`.
 */
interface RestFailure {
  readonly status: number;
  readonly code: ErrorCode;
  readonly message: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** The answer to a refused request or a ledger failure; null for anything else (an internal error). */
export function toRestFailure(error: unknown): RestFailure | null {
  if (error instanceof RequestError)
    return { status: restStatus(error.code), code: error.code, message: error.message, headers: error.headers };
  if (error instanceof LedgerError) {
    const headers = error.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(error.retryAfterSeconds) };
    return { status: restStatus(error.code), code: error.code, message: error.message, headers };
  }
  return null;
}

export const INTERNAL_FAILURE: RestFailure = {
  status: restStatus('INTERNAL_SERVER_ERROR'),
  code: 'INTERNAL_SERVER_ERROR',
  message: 'Unexpected error.',
  headers: {},
};

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

export function sendFailure(response: ServerResponse, { status, code, message, headers }: RestFailure): void {
  sendJson(response, status, { code, message }, headers);
}
