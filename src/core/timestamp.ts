/**
 * Block timestamps use the notebook's format, Python's `str(datetime)`:
 * `YYYY-MM-DD HH:MM:SS.ffffff`. Ours are always UTC (the notebook used local time).
 */
const pad = (value: number, width: number): string => String(value).padStart(width, '0');

/** Formats microseconds since the Unix epoch, e.g. `2018-04-11 10:00:40.317214`. */
export function formatNotebookTimestamp(epochMicroseconds: number): string {
  if (!Number.isSafeInteger(epochMicroseconds) || epochMicroseconds < 0) {
    throw new RangeError(`not a timestamp in microseconds: ${epochMicroseconds}`);
  }
  const milliseconds = Math.floor(epochMicroseconds / 1000);
  const date = new Date(milliseconds);
  const microseconds = epochMicroseconds % 1_000_000;
  return (
    `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)} ` +
    `${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)}` +
    `.${pad(microseconds, 6)}`
  );
}

/** Milliseconds since the Unix epoch of a timestamp in the notebook's format (read as UTC), or NaN if it is not one. */
export function parseNotebookTimestamp(timestamp: string): number {
  return /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/.test(timestamp)
    ? Date.parse(`${timestamp.slice(0, 23).replace(' ', 'T')}Z`)
    : Number.NaN;
}
