import { createHash } from 'node:crypto';
import { useResponseCache, type Cache } from '@graphql-yoga/plugin-response-cache';
import type { DocumentNode, ExecutionResult, GraphQLSchema } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';
import { IMMUTABLE_ROOT_FIELDS, immutableBlockKeys } from './immutable-query.js';

/**
 * Browsers and proxies may keep a block for an hour without asking again:
 * long enough to spare the server, short enough that a chain started afresh
 * (a new database, a developer's reset) is seen within the hour. After that,
 * the ETag makes asking again cheap (304).
 */
const BLOCK_MAX_AGE_SECONDS = 3600;
export const BLOCK_CACHE_CONTROL = `public, max-age=${BLOCK_MAX_AGE_SECONDS}, immutable`;
/** Everything else a GET answers moves with the chain (tip, pages, validation) or is an error. */
export const UNCACHEABLE = 'no-store';

interface BlockResponseCacheOptions {
  /** The schema served: every Query field but `block` and `blockByHash` is kept out of the cache. */
  readonly schema: GraphQLSchema;
  /**
   * How long the server serves a block from memory before reading it again (more than this many ms after it was stored).
   * Blocks never change through this server; the bound is for a tamperer who
   * drops the database's triggers and rewrites rows: `block` shows that within
   * this time, as `validate` does at once.
   */
  readonly maxAgeMs?: number;
  /** Characters of queries and answers held, at most; the least recently used go first. */
  readonly maxChars?: number;
  /** The clock for ages, in ms (tests move it). */
  readonly now?: () => number;
}

/** The answers kept: an LRU bounded in characters (key and JSON), which the library's own store bounds only in entries. */
function createBoundedStore({ maxChars, now }: { maxChars: number; now: () => number }): Cache {
  const answers = new LRUCache<string, ExecutionResult>({
    maxSize: maxChars,
    sizeCalculation: (answer, key) => Math.max(1, key.length + JSON.stringify(answer).length),
    perf: { now },
    // Ages read from `now` every time, not from a copy kept for a millisecond.
    ttlResolution: 0,
  });
  return {
    get: (key) => answers.get(key),
    set: (key, answer, _entities, ttl) => void answers.set(key, answer, { ttl }),
    // Blocks are never rewritten: nothing to invalidate.
    invalidate: () => undefined,
  };
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
 * Block reads, cached. Blocks never change once mined, so:
 *
 * - In memory, @graphql-yoga/plugin-response-cache answers a query whose
 *   fields are `block`/`blockByHash` only, once it has answered it without an
 *   error or a null (a block not mined yet), skipping validation and
 *   execution. Every other Query field has a TTL of 0, so an operation that
 *   reads the tip, a page or the validation is never kept, and a new block
 *   shows everywhere at once. The lookup happens once the request is parsed:
 *   CSRF prevention, the body limit and the UTF-8 check always run.
 * - Over HTTP, a GET of existing blocks only is sent with
 *   `Cache-Control: public, max-age=3600, immutable` and an ETag of the body
 *   as sent (per media type); a matching If-None-Match gets 304. Every other
 *   GET is `no-store`; POST answers carry no caching headers.
 *
 * The library's own ETag is its cache key, the same for every media type,
 * and it marks answers it does not keep; ours replaces it.
 */
export function useBlockResponseCache({
  schema,
  maxAgeMs = 10_000,
  maxChars = 16 * 1024 * 1024,
  now = () => performance.now(),
}: BlockResponseCacheOptions): Plugin[] {
  const queryFields = Object.keys(schema.getQueryType()?.getFields() ?? {});
  const ttlPerSchemaCoordinate = Object.fromEntries(
    queryFields.map((field) => [`Query.${field}`, IMMUTABLE_ROOT_FIELDS.has(field) ? maxAgeMs : 0]),
  );
  /** GETs answered with existing blocks only, and then the body each was answered with, for its ETag. */
  const cacheable = new WeakSet<Request>();
  const bodies = new WeakMap<Request, string>();
  const answeredInFull = (result: ExecutionResult, keys: readonly string[]): boolean =>
    result.errors === undefined && result.data != null && keys.every((key) => result.data?.[key] != null);

  const httpCaching: Plugin = {
    onExecute({ args }) {
      const { request } = args.contextValue as { request?: Request };
      if (request?.method !== 'GET') return;
      const blockKeys = immutableBlockKeys(args.document as DocumentNode, args.operationName as string | null | undefined);
      if (blockKeys === null) return;
      return {
        onExecuteDone({ result }) {
          if (!isAsyncIterable(result) && answeredInFull(result, blockKeys)) cacheable.add(request);
        },
      };
    },

    onResultProcess({ request, result }) {
      if (request.method !== 'GET' || Array.isArray(result) || isAsyncIterable(result)) return;
      // An answer from memory: the library keeps only answers of existing blocks.
      if (Symbol.for('servedFromResponseCache') in result) cacheable.add(request);
      // The body as it is sent: without the headers the library puts in `extensions.http`.
      if (cacheable.has(request)) bodies.set(request, JSON.stringify({ ...result, extensions: undefined }));
    },

    onResponse(payload) {
      const { request, response, fetchAPI } = payload;
      response.headers.delete('etag');
      response.headers.delete('last-modified');
      const contentType = response.headers.get('content-type');
      if (request.method !== 'GET' || !isGraphQLJson(contentType)) return;
      const body = bodies.get(request);
      if (body === undefined || response.status !== 200) {
        response.headers.set('Cache-Control', UNCACHEABLE);
        return;
      }
      const etag = `"${createHash('sha256').update(contentType).update('\n').update(body).digest('base64url')}"`;
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

  return [
    useResponseCache({
      session: () => null,
      cache: createBoundedStore({ maxChars, now }),
      // Nothing is kept unless every Query field it reads has a TTL above 0.
      ttl: 0,
      ttlPerSchemaCoordinate,
      invalidateViaMutation: false,
      shouldCacheResult: ({ result }) => answeredInFull(result, Object.keys(result.data ?? {})),
    }),
    httpCaching,
  ];
}
