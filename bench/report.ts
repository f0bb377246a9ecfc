/** Shared by the bench modules: one row per figure, printed as it is measured and kept for the summary table. */
export type Report = (name: string, value: string) => void;

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

export const percentile = (values: readonly number[], p: number): number =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!;

export const format = (value: number, digits = 2): string => value.toLocaleString('en-US', { maximumFractionDigits: digits });

export const millions = (hashesPerSecond: number): string => `${format(hashesPerSecond / 1e6, 1)} M/s`;
