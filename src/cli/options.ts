import { InvalidArgumentError } from '@commander-js/extra-typings';

export const DATABASE_OPTION_HELP = 'SQLite database file (overrides DATABASE_PATH; default ./data/chain.db)';
export const DATABASE_URL_OPTION_HELP = 'PostgreSQL connection string, postgres://user:password@host/database (overrides DATABASE_URL)';

export function nonEmptyUrl(text: string): string {
  if (text.trim() === '') throw new InvalidArgumentError('Expected a connection string.');
  return text;
}
export const JSON_OPTION_HELP = 'print one JSON document on stdout (errors too, as {"error": {"code", "message"}})';

/** A commander argument parser for a whole number from `min` to `max`. */
export function wholeNumber(min: number, max: number = Number.MAX_SAFE_INTEGER): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(`Expected a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max}`}.`);
    }
    return value;
  };
}

export function nonEmptyPath(text: string): string {
  if (text.trim() === '') throw new InvalidArgumentError('Expected a file path.');
  return text;
}
