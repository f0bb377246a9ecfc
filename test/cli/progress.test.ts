import { describe, expect, it, vi } from 'vitest';
import { formatCount, formatDuration, formatMiningProgress, startProgressLine } from '../../src/cli/progress.js';

describe('the mining progress line', () => {
  it('says which block, how many attempts, how fast and for how long', () => {
    expect(formatMiningProgress({ block: 2, count: 5, difficulty: 7, attempts: 12_345_678, elapsedMs: 2500 })).toBe(
      'Mining block 2 of 5 at difficulty 7: 12.3 M attempts, 4.94 M/s, 2.5 s',
    );
    expect(formatMiningProgress({ block: 1, count: 1, difficulty: 4, attempts: 0, elapsedMs: 0 })).toBe(
      'Mining block 1 of 1 at difficulty 4: 0 attempts, 0/s, 0.0 ms',
    );
  });

  it.each([
    [999, '999'],
    [1000, '1.00 k'],
    [45_293, '45.3 k'],
    [203_748_674, '204 M'],
    [2.8e14, '280 T'],
  ])('formats %d as %s', (value, text) => expect(formatCount(value)).toBe(text));

  it.each([
    [3.21, '3.2 ms'],
    [450, '450 ms'],
    [12_345, '12.3 s'],
    [125_000, '2 min 05 s'],
  ])('formats %d ms as %s', (value, text) => expect(formatDuration(value)).toBe(text));

  it('is redrawn in place on a terminal and erased when stopped', () => {
    vi.useFakeTimers();
    try {
      let written = '';
      let attempts = 0;
      const line = startProgressLine(
        { write: (text: string) => (written += text), isTTY: true, columns: 30 },
        () => `attempts ${(attempts += 1000)}`,
        250,
      );
      vi.advanceTimersByTime(600);
      line.stop();
      vi.advanceTimersByTime(1000);
      expect(written).toBe('\rattempts 1000\x1b[K\rattempts 2000\x1b[K\rattempts 3000\x1b[K\r\x1b[K');

      written = '';
      startProgressLine({ write: (text: string) => (written += text), isTTY: true, columns: 30 }, () => 'x'.repeat(40)).stop();
      expect(written).toBe(`\r${'x'.repeat(28)}…\x1b[K\r\x1b[K`);
    } finally {
      vi.useRealTimers();
    }
  });

  it('writes nothing when the output is not a terminal', () => {
    vi.useFakeTimers();
    try {
      const write = vi.fn();
      const line = startProgressLine({ write }, () => 'progress', 250);
      vi.advanceTimersByTime(1000);
      line.stop();
      expect(write).not.toHaveBeenCalled();
    } finally {
      vi.useRealTimers();
    }
  });
});
