/**
 * How many of something each key holds (connections per client address,
 * subscriptions per client): a key is forgotten when its count drops to zero,
 * so the map holds only the keys that hold something.
 */
interface KeyCounts {
  get(key: string): number;
  /** Counts one more for `key`; returns its new count. */
  add(key: string): number;
  /** Counts one fewer for `key`. */
  remove(key: string): void;
}

export function createKeyCounts(): KeyCounts {
  const counts = new Map<string, number>();
  return {
    get: (key) => counts.get(key) ?? 0,
    add(key) {
      const count = (counts.get(key) ?? 0) + 1;
      counts.set(key, count);
      return count;
    },
    remove(key) {
      const left = (counts.get(key) ?? 1) - 1;
      if (left <= 0) counts.delete(key);
      else counts.set(key, left);
    },
  };
}
