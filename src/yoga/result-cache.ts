import { createHash } from 'node:crypto';
import type { ExecutionResult } from 'graphql';

/** yoga writes a result with its `stringify` when it has one: a cached answer is serialized once. */
export type SerializedResult = ExecutionResult & { readonly stringify: () => string };

/** One stored answer. */
export interface CachedResult {
  readonly result: SerializedResult;
  /** The ETag of the answer sent as `contentType`; computed once per content type. */
  etag(contentType: string): string;
}

export interface ResultCache {
  get(key: string): CachedResult | undefined;
  set(key: string, result: ExecutionResult): CachedResult;
}

export interface ResultCacheOptions {
  /** Upper bound on the characters of keys and JSON bodies held; the least recently used go first. */
  readonly maxChars: number;
  /** How long an entry is served before it is read again from the ledger, in ms. */
  readonly maxAgeMs: number;
  /** Milliseconds, monotonic. */
  readonly now?: () => number;
}

interface Entry extends CachedResult {
  readonly storedAt: number;
  readonly chars: number;
}

function createEntry(key: string, result: ExecutionResult, storedAt: number): Entry {
  const body = JSON.stringify(result);
  const etags = new Map<string, string>();
  return {
    result: { ...result, stringify: () => body },
    storedAt,
    chars: key.length + body.length,
    etag(contentType) {
      let etag = etags.get(contentType);
      if (etag === undefined) {
        etag = `"${createHash('sha256').update(contentType).update('\n').update(body).digest('base64url')}"`;
        etags.set(contentType, etag);
      }
      return etag;
    },
  };
}

/** A least-recently-used map of execution results, bounded in size and age. */
export function createResultCache({ maxChars, maxAgeMs, now = () => performance.now() }: ResultCacheOptions): ResultCache {
  const entries = new Map<string, Entry>();
  let chars = 0;

  const remove = (key: string, entry: Entry): void => {
    entries.delete(key);
    chars -= entry.chars;
  };
  const insert = (key: string, entry: Entry): void => {
    entries.set(key, entry);
    chars += entry.chars;
  };

  return {
    get(key) {
      const entry = entries.get(key);
      if (entry === undefined) return undefined;
      remove(key, entry);
      if (now() - entry.storedAt >= maxAgeMs) return undefined;
      // Map order is insertion order: re-inserting keeps it in recency order.
      insert(key, entry);
      return entry;
    },

    set(key, result) {
      const previous = entries.get(key);
      if (previous !== undefined) remove(key, previous);
      const entry = createEntry(key, result, now());
      if (entry.chars > maxChars) return entry;
      for (const [oldestKey, oldest] of entries) {
        if (chars + entry.chars <= maxChars) break;
        remove(oldestKey, oldest);
      }
      insert(key, entry);
      return entry;
    },
  };
}
