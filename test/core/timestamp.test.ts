import { describe, expect, it } from 'vitest';
import { formatSeedTimestamp } from '../../src/core/timestamp.js';

describe('formatSeedTimestamp', () => {
  it("writes UTC in the seed's format with six fractional digits", () => {
    expect(formatSeedTimestamp(1_523_440_840_317_214)).toBe('2018-04-11 10:00:40.317214');
  });

  it('keeps leading zeros, including a zero fraction', () => {
    expect(formatSeedTimestamp(0)).toBe('1970-01-01 00:00:00.000000');
    expect(formatSeedTimestamp(946_684_800_000_007)).toBe('2000-01-01 00:00:00.000007');
  });

  it('refuses values that are not whole non-negative microseconds', () => {
    expect(() => formatSeedTimestamp(-1)).toThrow(RangeError);
    expect(() => formatSeedTimestamp(1.5)).toThrow(RangeError);
  });
});
