/** Text for numbers, hashes and times, the same in every browser (fixed English formats). */

const wholeNumber = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** `f198e29bb5e4…` for a 64-digit hash; shorter values (the genesis block's "0") unchanged. */
export function shortHash(hash: string): string {
  return hash.length > 12 ? `${hash.slice(0, 12)}…` : hash;
}

/** 45293 → `45,293`. */
export function formatCount(value: number): string {
  return wholeNumber.format(value);
}

/** 3353945 → `3.35 M`; small values as they are. */
export function formatCompact(value: number): string {
  const units: ReadonlyArray<readonly [number, string]> = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [size, unit] of units) {
    if (Math.abs(value) >= size) return `${(value / size).toPrecision(3)} ${unit}`;
  }
  return formatCount(value);
}

/** Hashes per second: `1.21 MH/s`. */
export function formatHashRate(perSecond: number): string {
  const compact = formatCompact(perSecond);
  // `1.21 M` + `H/s`; a plain number needs its own space.
  return /[a-z]$/i.test(compact) ? `${compact}H/s` : `${compact} H/s`;
}

/** `12 ms`, `1.4 s`, `2 min 05 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
}

/** The notebook's `YYYY-MM-DD HH:MM:SS.ffffff` (UTC) → `YYYY-MM-DD HH:MM:SS UTC`. */
export function formatTimestamp(timestamp: string): string {
  return `${timestamp.slice(0, 19)} UTC`;
}

/** The notebook's timestamp as a `<time datetime>` value (milliseconds: what HTML accepts). */
export function isoTimestamp(timestamp: string): string {
  return `${timestamp.slice(0, 10)}T${timestamp.slice(11, 23)}Z`;
}

/** What `DATA_MAX_BYTES` counts: bytes of UTF-8. */
export function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}
