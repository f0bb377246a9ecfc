import type { Block } from '../core/block.js';
import type { BlockRangeQuery } from '../ledger/ledger.js';
import { badUserInput } from './errors.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

const CURSOR_PREFIX = 'block:';

/** Cursors are opaque to clients; inside they name a block index, which never changes. */
export function encodeCursor(index: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${index}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, argument: string): number {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const digits = decoded.startsWith(CURSOR_PREFIX) ? decoded.slice(CURSOR_PREFIX.length) : '';
  const index = /^(0|[1-9][0-9]{0,15})$/.test(digits) ? Number(digits) : NaN;
  if (!Number.isSafeInteger(index) || encodeCursor(index) !== cursor) {
    throw badUserInput(`\`${argument}\` is not a cursor this server issued.`);
  }
  return index;
}

interface ConnectionArguments {
  readonly first?: number | null | undefined;
  readonly after?: string | null | undefined;
  readonly last?: number | null | undefined;
  readonly before?: string | null | undefined;
}

function pageSize(value: number, argument: string): number {
  if (value < 0 || value > MAX_PAGE_SIZE) {
    throw badUserInput(`\`${argument}\` must be between 0 and ${MAX_PAGE_SIZE}; got ${value}.`);
  }
  return value;
}

/** Turns Relay connection arguments into a keyset range read. */
export function toRangeQuery({ first, after, last, before }: ConnectionArguments): BlockRangeQuery {
  if (first != null && last != null) {
    throw badUserInput('Give `first` or `last`, not both.');
  }
  const afterIndex = after == null ? undefined : decodeCursor(after, 'after');
  const beforeIndex = before == null ? undefined : decodeCursor(before, 'before');
  const window = {
    ...(afterIndex === undefined ? {} : { afterIndex }),
    ...(beforeIndex === undefined ? {} : { beforeIndex }),
  };
  if (last != null) return { ...window, limit: pageSize(last, 'last'), from: 'last' };
  return { ...window, limit: pageSize(first ?? DEFAULT_PAGE_SIZE, 'first'), from: 'first' };
}

export interface PageInfo {
  readonly hasNextPage: boolean;
  readonly hasPreviousPage: boolean;
  readonly startCursor: string | null;
  readonly endCursor: string | null;
}

/**
 * Indices are contiguous from 0 (the database enforces it), so whether blocks
 * lie beyond either edge of the page follows from the page, the window and
 * the chain's length, without another query.
 */
export function pageInfo(query: BlockRangeQuery, blocks: readonly Block[], length: number): PageInfo {
  const windowStart = Math.max(0, (query.afterIndex ?? -1) + 1);
  const windowEnd = Math.min(length, query.beforeIndex ?? length);
  const first = blocks[0];
  const last = blocks[blocks.length - 1];
  const pageStart = first?.index ?? (query.from === 'first' ? windowStart : windowEnd);
  const pageEnd = last === undefined ? pageStart : last.index + 1;
  return {
    hasPreviousPage: query.from === 'first' ? Math.min(pageStart, length) > 0 : pageStart > windowStart,
    hasNextPage: query.from === 'first' ? pageEnd < windowEnd : pageEnd < length,
    startCursor: first === undefined ? null : encodeCursor(first.index),
    endCursor: last === undefined ? null : encodeCursor(last.index),
  };
}
