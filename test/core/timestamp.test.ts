import { describe, expect, it } from 'vitest';
import { formatNotebookTimestamp } from '../../src/core/timestamp.js';

describe('formatNotebookTimestamp', () => {
  it("writes UTC in the notebook's format with six fractional digits", () => {
    expect(formatNotebookTimestamp(1_523_440_840_317_214)).toBe('2018-04-11 10:00:40.317214');
  });

  it('keeps leading zeros, including a zero fraction', () => {
    expect(formatNotebookTimestamp(0)).toBe('1970-01-01 00:00:00.000000');
    expect(formatNotebookTimestamp(946_684_800_000_007)).toBe('2000-01-01 00:00:00.000007');
  });

  it('refuses values that are not whole non-negative microseconds', () => {
    expect(() => formatNotebookTimestamp(-1)).toThrow(RangeError);
    expect(() => formatNotebookTimestamp(1.5)).toThrow(RangeError);
  });
});
