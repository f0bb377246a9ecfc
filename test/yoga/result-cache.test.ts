import { describe, expect, it } from 'vitest';
import { createResultCache } from '../../src/yoga/result-cache.js';

const result = (index: number) => ({ data: { block: { index } } });

describe('result cache', () => {
  it('serves what was stored, serialized once, until it is older than maxAgeMs', () => {
    let now = 0;
    const cache = createResultCache({ maxChars: 10_000, maxAgeMs: 1000, now: () => now });
    expect(cache.get('a')).toBeUndefined();
    cache.set('a', result(1));
    expect(cache.get('a')?.result.data).toEqual({ block: { index: 1 } });
    expect(cache.get('a')?.result.stringify()).toBe(JSON.stringify(result(1)));
    now = 999;
    expect(cache.get('a')).toBeDefined();
    now = 1000;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('a')).toBeUndefined();
  });

  it('drops the least recently used entries beyond maxChars', () => {
    const size = 'a'.length + JSON.stringify(result(1)).length;
    const cache = createResultCache({ maxChars: 2 * size, maxAgeMs: Infinity });
    cache.set('a', result(1));
    cache.set('b', result(2));
    cache.get('a');
    cache.set('c', result(3));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('c')).toBeDefined();
    // Replacing an entry frees its room first.
    cache.set('c', result(4));
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('c')?.result.data).toEqual({ block: { index: 4 } });
  });

  it('does not keep an entry larger than the whole cache', () => {
    const cache = createResultCache({ maxChars: 10, maxAgeMs: Infinity });
    cache.set('a', result(1));
    expect(cache.get('a')).toBeUndefined();
  });

  it('gives each media type its own, stable ETag', () => {
    const cache = createResultCache({ maxChars: 10_000, maxAgeMs: Infinity });
    const entry = cache.set('a', result(1));
    const json = entry.etag('application/json; charset=utf-8');
    expect(json).toMatch(/^"[\w-]{43}"$/);
    expect(entry.etag('application/json; charset=utf-8')).toBe(json);
    expect(entry.etag('application/graphql-response+json; charset=utf-8')).not.toBe(json);
    expect(cache.set('b', result(2)).etag('application/json; charset=utf-8')).not.toBe(json);
  });
});
