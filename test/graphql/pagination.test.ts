import { describe, expect, it } from 'vitest';
import type { Block } from '../../src/core/block.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, decodeCursor, encodeCursor, pageInfo, toRangeQuery } from '../../src/graphql/pagination.js';

const blocks = (...indices: number[]) => indices.map((index) => ({ index }) as Block);

describe('cursors', () => {
  it('round-trip block indices and reject anything else', () => {
    expect(decodeCursor(encodeCursor(0), 'after')).toBe(0);
    expect(decodeCursor(encodeCursor(123_456), 'after')).toBe(123_456);
    for (const bad of [
      '',
      'x',
      encodeCursor(1) + '=',
      Buffer.from('block:01').toString('base64url'),
      Buffer.from('block:1e3').toString('base64url'),
    ]) {
      expect(() => decodeCursor(bad, 'after')).toThrow(/not a cursor/);
    }
  });
});

describe('toRangeQuery', () => {
  it('defaults to the first page and caps the size', () => {
    expect(toRangeQuery({})).toEqual({ limit: DEFAULT_PAGE_SIZE, from: 'first' });
    expect(toRangeQuery({ last: MAX_PAGE_SIZE })).toEqual({ limit: MAX_PAGE_SIZE, from: 'last' });
    expect(() => toRangeQuery({ first: MAX_PAGE_SIZE + 1 })).toThrow(/between 0 and 100/);
  });

  it('turns cursors into an exclusive window', () => {
    expect(toRangeQuery({ first: 5, after: encodeCursor(3), before: encodeCursor(9) })).toEqual({
      afterIndex: 3,
      beforeIndex: 9,
      limit: 5,
      from: 'first',
    });
  });
});

describe('pageInfo', () => {
  it('paging forward: earlier blocks anywhere, later ones within the window', () => {
    expect(pageInfo({ limit: 2, from: 'first' }, blocks(0, 1), 5)).toMatchObject({ hasPreviousPage: false, hasNextPage: true });
    expect(pageInfo({ afterIndex: 2, limit: 2, from: 'first' }, blocks(3, 4), 5)).toMatchObject({
      hasPreviousPage: true,
      hasNextPage: false,
    });
    expect(pageInfo({ afterIndex: 0, beforeIndex: 3, limit: 2, from: 'first' }, blocks(1, 2), 5)).toMatchObject({ hasNextPage: false });
    expect(pageInfo({ afterIndex: 4, limit: 2, from: 'first' }, [], 5)).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
  });

  it('paging backward: later blocks anywhere, earlier ones within the window', () => {
    expect(pageInfo({ limit: 2, from: 'last' }, blocks(3, 4), 5)).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
    expect(pageInfo({ beforeIndex: 2, limit: 2, from: 'last' }, blocks(0, 1), 5)).toMatchObject({
      hasPreviousPage: false,
      hasNextPage: true,
    });
    expect(pageInfo({ afterIndex: 1, beforeIndex: 4, limit: 2, from: 'last' }, blocks(2, 3), 5)).toMatchObject({ hasPreviousPage: false });
  });

  it('has cursors only for a non-empty page', () => {
    expect(pageInfo({ limit: 0, from: 'first' }, [], 5)).toEqual({
      hasPreviousPage: false,
      hasNextPage: true,
      startCursor: null,
      endCursor: null,
    });
    expect(pageInfo({ limit: 2, from: 'first' }, blocks(0, 1), 2)).toMatchObject({
      startCursor: encodeCursor(0),
      endCursor: encodeCursor(1),
    });
  });
});
