import type { ErrorCode } from '../shared/error-codes.js';

/**
 * A request refused before (or instead of) reaching the ledger: a missing
 * token, a rate limit, a body that cannot be read. Transport-neutral: the
 * GraphQL layer and the REST routes each answer it with their own status for
 * `code` (see ERROR_CODES) and with `headers` (Retry-After, WWW-Authenticate).
 */
export class RequestError extends Error {
  override readonly name = 'RequestError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}
