import { useResponseCache } from '@graphql-yoga/plugin-response-cache';
import type { Plugin } from 'graphql-yoga';
import { BLOCK_CACHE_CONTROL, UNCACHEABLE } from '../src/yoga/response-cache.js';

const BLOCK_TTL_MS = 10_000;

/** The same policy as useBlockResponseCache, through @graphql-yoga/plugin-response-cache (measured against it). */
export function useLibraryBlockResponseCache(): Plugin[] {
  return [
    useResponseCache({
      session: () => null,
      ttl: 0,
      ttlPerSchemaCoordinate: {
        'Query.block': BLOCK_TTL_MS,
        'Query.blockByHash': BLOCK_TTL_MS,
        'Query.tip': 0,
        'Query.chain': 0,
        'Query.validate': 0,
        'Query.difficulty': 0,
        'Query.limits': 0,
      },
      invalidateViaMutation: false,
      shouldCacheResult: ({ result }) =>
        result.errors === undefined && result.data != null && Object.values(result.data).every((value) => value != null),
    }),
    {
      onResponse({ request, response }) {
        if (request.method !== 'GET') return;
        response.headers.set('Cache-Control', response.headers.has('etag') && response.status === 200 ? BLOCK_CACHE_CONTROL : UNCACHEABLE);
      },
    },
  ];
}
