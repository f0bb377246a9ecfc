import { LedgerError } from './errors.js';

/** The longest idempotency key, in characters (Stripe's bound; a UUID is 36). */
export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

/**
 * Visible ASCII without `"` and `\`: what a structured-field string carries
 * without escapes (the Idempotency-Key header's form), and what a UUID or a
 * random token is made of.
 */
const KEY_CHARACTERS = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** Refuses a key clients could not send the same way twice (BAD_USER_INPUT). */
export function checkIdempotencyKey(key: string): void {
  if (key.length === 0 || key.length > IDEMPOTENCY_KEY_MAX_LENGTH) {
    throw new LedgerError('BAD_USER_INPUT', `idempotencyKey must be 1 to ${IDEMPOTENCY_KEY_MAX_LENGTH} characters long.`);
  }
  if (!KEY_CHARACTERS.test(key)) {
    throw new LedgerError(
      'BAD_USER_INPUT',
      'idempotencyKey may hold only visible ASCII characters other than `"` and `\\` (a UUID is a good key).',
    );
  }
}
