import type { DocumentNode } from 'graphql';
import { isAsyncIterable, type GraphQLParams, type Plugin } from 'graphql-yoga';
import { immutableBlockKeys } from './immutable-query.js';
import { createResultCache, type CachedResult } from './result-cache.js';

/**
 * Browsers and proxies may keep a block for an hour without asking again:
 * long enough to spare the server, short enough that a chain started afresh
 * (a new database, a developer's reset) is seen within the hour. After that,
 * the ETag makes asking again cheap (304).
 */
export const BLOCK_MAX_AGE_SECONDS = 3600;
export const BLOCK_CACHE_CONTROL = `public, max-age=${BLOCK_MAX_AGE_SECONDS}, immutable`;
/** Everything else a GET answers moves with the chain (tip, pages, validation) or is an error. */
export const UNCACHEABLE = 'no-store';

export interface ResponseCacheOptions {
  /**
   * How long the server serves a block from memory before reading it again.
   * Blocks never change through this server; the bound is for a tamperer who
   * drops the database's triggers and rewrites rows: `block` shows that within
   * this time, as `validate` does at once.
   */
  readonly maxAgeMs?: number;
  /** Characters of queries and answers held, at most. */
  readonly maxChars?: number;
  readonly now?: () => number;
}

/** Block reads are short queries; a longer one is executed every time. */
const MAX_KEY_CHARS = 4096;

function cacheKey({ query, variables, operationName, extensions }: GraphQLParams): string | null {
  if (typeof query !== 'string' || extensions != null) return null;
  const key = JSON.stringify([query, operationName ?? null, variables ?? null]);
  return key.length <= MAX_KEY_CHARS ? key : null;
}

const isGraphQLJson = (contentType: string | null): contentType is string =>
  contentType !== null && (contentType.startsWith('application/json') || contentType.startsWith('application/graphql-response+json'));

function matchesETag(ifNoneMatch: string | null, etag: string): boolean {
  return (ifNoneMatch ?? '').split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed.replace(/^W\//, '') === etag;
  });
}

function addVary(headers: Headers, names: readonly string[]): void {
  const present = new Set((headers.get('vary') ?? '').split(',').map((name) => name.trim().toLowerCase()));
  for (const name of names) if (!present.has(name.toLowerCase())) headers.append('Vary', name);
}

/**
 * Answers queries that read only existing blocks from memory, skipping
 * parsing, validation and execution; and lets HTTP caches keep such answers
 * to GET requests (Cache-Control, ETag, 304). A hit is looked up once the
 * request is parsed, so CSRF prevention, body limits and the UTF-8 check have
 * run; what it skips, the same query text passed when it was stored (an
 * answer is stored only without errors, and query limits depend on the text
 * alone). Mutations, reads of the tip, pages and validation, and blocks not
 * mined yet (null) are never stored.
 */
export function useBlockResponseCache({ maxAgeMs = 10_000, maxChars = 16 * 1024 * 1024, now }: ResponseCacheOptions = {}): Plugin {
  const cache = createResultCache({ maxAgeMs, maxChars, ...(now ? { now } : {}) });
  /** Cache keys of requests that missed, until their execution. */
  const misses = new WeakMap<Request, string>();
  /** The stored answer each request was given or produced. */
  const answers = new WeakMap<Request, CachedResult>();

  return {
    onParams({ params, request, setResult }) {
      const key = cacheKey(params);
      if (key === null) return;
      const cached = cache.get(key);
      if (cached === undefined) {
        misses.set(request, key);
        return;
      }
      answers.set(request, cached);
      setResult(cached.result);
    },

    onExecute({ args }) {
      const { request } = args.contextValue as { request?: Request };
      const key = request && misses.get(request);
      if (request === undefined || key === undefined) return;
      const blockKeys = immutableBlockKeys(args.document as DocumentNode, args.operationName as string | null | undefined);
      if (blockKeys === null) return;
      return {
        onExecuteDone({ result }) {
          if (isAsyncIterable(result) || result.errors !== undefined || result.extensions !== undefined) return;
          const { data } = result;
          if (data == null || blockKeys.some((blockKey) => data[blockKey] == null)) return;
          answers.set(request, cache.set(key, result));
        },
      };
    },

    onResponse(payload) {
      const { request, response, fetchAPI } = payload;
      const contentType = response.headers.get('content-type');
      if (request.method !== 'GET' || !isGraphQLJson(contentType)) return;
      const answer = answers.get(request);
      if (answer === undefined || response.status !== 200) {
        response.headers.set('Cache-Control', UNCACHEABLE);
        return;
      }
      const etag = answer.etag(contentType);
      response.headers.set('Cache-Control', BLOCK_CACHE_CONTROL);
      response.headers.set('ETag', etag);
      addVary(response.headers, ['Accept', 'Origin']);
      if (!matchesETag(request.headers.get('if-none-match'), etag)) return;
      const headers = new fetchAPI.Headers(response.headers);
      headers.delete('content-type');
      headers.delete('content-length');
      payload.setResponse(new fetchAPI.Response(null, { status: 304, headers }));
    },
  };
}
