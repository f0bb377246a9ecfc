import type { CliOutput } from './io.js';

interface MiningProgressLine {
  /** 1-based position of the block among those this run mines. */
  readonly block: number;
  readonly count: number;
  readonly difficulty: number;
  readonly attempts: number;
  readonly elapsedMs: number;
}

/** 1234567 -> "1.23 M": three significant digits are all a progress line needs. */
export function formatCount(value: number): string {
  const units: ReadonlyArray<readonly [number, string]> = [
    [1e12, ' T'],
    [1e9, ' G'],
    [1e6, ' M'],
    [1e3, ' k'],
  ];
  for (const [size, unit] of units) if (value >= size) return `${(value / size).toPrecision(3)}${unit}`;
  return String(Math.round(value));
}

export function formatDuration(milliseconds: number): string {
  if (milliseconds < 1000) return `${milliseconds.toFixed(milliseconds < 10 ? 1 : 0)} ms`;
  const seconds = milliseconds / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  return `${Math.floor(seconds / 60)} min ${String(Math.floor(seconds % 60)).padStart(2, '0')} s`;
}

export const formatRate = (attempts: number, elapsedMs: number): string =>
  `${formatCount(elapsedMs > 0 ? (attempts * 1000) / elapsedMs : 0)}/s`;

export function formatMiningProgress({ block, count, difficulty, attempts, elapsedMs }: MiningProgressLine): string {
  return `Mining block ${block} of ${count} at difficulty ${difficulty}: ${formatCount(attempts)} attempts, ${formatRate(attempts, elapsedMs)}, ${formatDuration(elapsedMs)}`;
}

/** How often a terminal's progress line is redrawn: often enough to look live, rarely enough to cost nothing. */
export const PROGRESS_INTERVAL_MS = 250;

interface ProgressLine {
  /** Erases the line, so that what is printed next starts on a clean line. */
  stop(): void;
}

/**
 * Redraws `render()` in place on `output` a few times a second, on a
 * terminal only: piped or redirected, nothing is written (a log would fill
 * with carriage returns).
 */
export function startProgressLine(output: CliOutput, render: () => string, intervalMs = PROGRESS_INTERVAL_MS): ProgressLine {
  if (output.isTTY !== true) return { stop: () => undefined };
  const draw = (): void => {
    const text = render();
    const width = output.columns !== undefined && output.columns >= 20 ? output.columns : 80;
    // \r and "erase to end of line": the new text replaces the old, however long either is.
    output.write(`\r${text.length >= width ? `${text.slice(0, width - 2)}…` : text}\x1b[K`);
  };
  draw();
  const timer = setInterval(draw, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      output.write('\r\x1b[K');
    },
  };
}
