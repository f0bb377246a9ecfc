import { createSchema, createYoga } from 'graphql-yoga';
import { describe, expect, it, vi } from 'vitest';
import { BLOCK_CACHE_CONTROL, UNCACHEABLE, useBlockResponseCache } from '../../src/yoga/response-cache.js';
import { QUERY_LIMITS } from '../../src/yoga/query-limits.js';
import { CSRF_HEADER } from '../../src/yoga/yoga.js';
import { errorCodes, graphql, startTestServer, type GraphQLResponse, IN_MEMORY } from '../helpers/server.js';

const BLOCK = (index: number): string => `{ block(index: ${index}) { index timestamp proof previousHash hash data difficulty } }`;
const MINE = 'mutation { mineBlock { block { index hash } } }';
const GRAPHQL_RESPONSE = 'application/graphql-response+json';

/** A GET query as a well-behaved client sends it: with the CSRF header. */
function get(url: string, query: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}?query=${encodeURIComponent(query)}`, { headers: { accept: GRAPHQL_RESPONSE, [CSRF_HEADER]: '1', ...headers } });
}

const bodyOf = async (response: Response): Promise<GraphQLResponse['body']> => (await response.json()) as GraphQLResponse['body'];

describe('block reads from memory', () => {
  it('answers a block read twice, by POST and GET, identically, reading the ledger once', async () => {
    const server = await startTestServer(IN_MEMORY);
    await graphql(server.url, MINE);
    const blockAt = vi.spyOn(server.app.ledger, 'blockAt');
    const first = await graphql(server.url, BLOCK(1));
    const again = await graphql(server.url, BLOCK(1));
    const byGet = await bodyOf(await get(server.url, BLOCK(1)));
    expect(first.body.data).toMatchObject({ block: { index: 1 } });
    expect(again.body).toEqual(first.body);
    expect(byGet).toEqual(first.body);
    expect(blockAt).toHaveBeenCalledTimes(1);
  });

  it('keeps apart reads that differ in variables or operation', async () => {
    const { url } = await startTestServer(IN_MEMORY);
    await graphql(url, MINE);
    const byVariable = 'query ($i: Int!) { block(index: $i) { index } }';
    expect((await graphql(url, byVariable, { i: 0 })).body.data).toEqual({ block: { index: 0 } });
    expect((await graphql(url, byVariable, { i: 1 })).body.data).toEqual({ block: { index: 1 } });
    const twoOperations = 'query A { block(index: 0) { index } } query B { block(index: 1) { index } }';
    const send = (operationName: string) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: twoOperations, operationName }),
      });
    expect((await bodyOf(await send('A'))).data).toEqual({ block: { index: 0 } });
    expect((await bodyOf(await send('B'))).data).toEqual({ block: { index: 1 } });
  });

  it('shows a newly mined block at once: in block (null before), tip, chain and validate', async () => {
    const { url } = await startTestServer(IN_MEMORY);
    const READ = `{ block(index: 1) { hash } tip { index } chain(last: 1) { totalCount nodes { index } } validate { length } }`;
    expect((await graphql(url, BLOCK(1))).body.data).toEqual({ block: null });
    expect((await graphql(url, BLOCK(1))).body.data).toEqual({ block: null });
    await graphql(url, BLOCK(0));
    const before = await graphql(url, READ);
    expect(before.body.data).toEqual({
      block: null,
      tip: { index: 0 },
      chain: { totalCount: 1, nodes: [{ index: 0 }] },
      validate: { length: 1 },
    });

    const mined = await graphql<{ mineBlock: { block: { index: number; hash: string } } }>(url, MINE);
    const { hash } = mined.body.data!.mineBlock.block;
    expect((await graphql(url, BLOCK(1))).body.data).toMatchObject({ block: { index: 1, hash } });
    expect((await bodyOf(await get(url, BLOCK(1)))).data).toMatchObject({ block: { index: 1, hash } });
    expect((await graphql(url, `{ blockByHash(hash: "${hash}") { index } }`)).body.data).toEqual({ blockByHash: { index: 1 } });
    expect((await graphql(url, READ)).body.data).toEqual({
      block: { hash },
      tip: { index: 1 },
      chain: { totalCount: 2, nodes: [{ index: 1 }] },
      validate: { length: 2 },
    });
  });
});

describe('the cache, on its own', () => {
  it('reads a block again once its entry is older than maxAgeMs, and never keeps a null', async () => {
    let now = 1;
    let length = 1;
    const reads: number[] = [];
    const schema = createSchema({
      typeDefs: 'type Query { block(index: Int!): Block } type Block { index: Int! }',
      resolvers: {
        Query: {
          block: (_: unknown, { index }: { index: number }) => {
            reads.push(index);
            return index < length ? { index } : null;
          },
        },
      },
    });
    const yoga = createYoga({ schema, plugins: useBlockResponseCache({ schema, maxAgeMs: 1000, now: () => now }) });
    const read = async (index: number): Promise<unknown> => {
      const response = await yoga.fetch('http://ledger.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `{ block(index: ${index}) { index } }` }),
      });
      return (await bodyOf(response)).data;
    };
    expect(await read(0)).toEqual({ block: { index: 0 } });
    expect(await read(1)).toEqual({ block: null });
    length = 2;
    now = 1001;
    expect(await read(0)).toEqual({ block: { index: 0 } });
    expect(await read(1)).toEqual({ block: { index: 1 } });
    expect(reads).toEqual([0, 1, 1]);
    now = 1002;
    expect(await read(0)).toEqual({ block: { index: 0 } });
    expect(reads).toEqual([0, 1, 1, 0]);
  });

  it('holds at most maxChars of queries and answers, dropping the least recently used', async () => {
    const reads: number[] = [];
    const schema = createSchema({
      typeDefs: 'type Query { block(index: Int!): Block } type Block { index: Int! }',
      resolvers: { Query: { block: (_: unknown, { index }: { index: number }) => (reads.push(index), { index }) } },
    });
    // Room for two entries: each is its 64-character cache key and an answer of 188 characters (with the headers the library keeps).
    const yoga = createYoga({ schema, plugins: useBlockResponseCache({ schema, maxChars: 600 }) });
    const read = async (index: number): Promise<void> => {
      await yoga.fetch('http://ledger.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `{ block(index: ${index}) { index } }` }),
      });
    };
    for (const index of [1, 2, 1, 3]) await read(index);
    expect(reads).toEqual([1, 2, 3]);
    await read(1);
    await read(2);
    expect(reads).toEqual([1, 2, 3, 2]);
  });
});

describe('HTTP caching of GET queries', () => {
  it('lets clients keep an existing block, with an ETag they can revalidate (304)', async () => {
    const { url } = await startTestServer(IN_MEMORY);
    for (let read = 0; read < 2; read++) {
      const response = await get(url, BLOCK(0));
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe(BLOCK_CACHE_CONTROL);
      expect(response.headers.get('vary')).toMatch(/Accept/);
      expect(response.headers.get('etag')).toMatch(/^"[\w-]+"$/);
    }
    const etag = (await get(url, BLOCK(0))).headers.get('etag')!;
    const revalidated = await get(url, BLOCK(0), { 'if-none-match': `W/"other", ${etag}` });
    expect(revalidated.status).toBe(304);
    expect(await revalidated.text()).toBe('');
    expect(revalidated.headers.get('etag')).toBe(etag);
    expect(revalidated.headers.get('cache-control')).toBe(BLOCK_CACHE_CONTROL);
    expect((await get(url, BLOCK(0), { 'if-none-match': '"stale"' })).status).toBe(200);
    // Another representation (media type) of the same answer has its own tag.
    const asJson = await get(url, BLOCK(0), { accept: 'application/json', 'if-none-match': etag });
    expect(asJson.status).toBe(200);
    expect(asJson.headers.get('etag')).not.toBe(etag);
  });

  it.each([
    ['a block not mined yet', BLOCK(5)],
    ['the tip', '{ tip { index } }'],
    ['a page of the chain', '{ chain(first: 1) { totalCount nodes { index } } }'],
    ['validation', '{ validate { valid length } }'],
    ['a block read together with the tip', '{ block(index: 0) { hash } tip { index } }'],
    ['a negative index (an error)', '{ block(index: -1) { index } }'],
  ])('tells clients not to store %s', async (_, query) => {
    const { url } = await startTestServer(IN_MEMORY);
    for (let read = 0; read < 2; read++) {
      const response = await get(url, query);
      expect(response.headers.get('cache-control')).toBe(UNCACHEABLE);
      expect(response.headers.get('etag')).toBeNull();
    }
  });

  it('adds no caching headers to POST answers', async () => {
    const { url } = await startTestServer(IN_MEMORY);
    for (let read = 0; read < 2; read++) {
      const response = await graphql(url, BLOCK(0));
      expect(response.headers.get('cache-control')).toBeNull();
      expect(response.headers.get('etag')).toBeNull();
    }
  });
});

describe('hardening still applies to answers served from memory', () => {
  it('refuses a GET without the CSRF header (403), even for a stored block', async () => {
    const { url } = await startTestServer(IN_MEMORY);
    expect((await get(url, BLOCK(0))).status).toBe(200);
    const response = await fetch(`${url}?query=${encodeURIComponent(BLOCK(0))}`, { headers: { accept: GRAPHQL_RESPONSE } });
    expect(response.status).toBe(403);
    expect(errorCodes({ status: 403, headers: response.headers, body: await bodyOf(response) })).toEqual(['CSRF_PREVENTED']);
  });

  it('refuses a stored query sent with an unknown parameter, as a form post, or not as UTF-8', async () => {
    const { url } = await startTestServer(IN_MEMORY);
    const query = '{ block(index: 0) { hash } }';
    expect((await graphql(url, query)).status).toBe(200);
    const post = (contentType: string, body: string | Uint8Array<ArrayBuffer>) =>
      fetch(url, { method: 'POST', headers: { 'content-type': contentType, accept: GRAPHQL_RESPONSE }, body });
    const extra = await post('application/json', JSON.stringify({ query, unexpected: 1 }));
    expect(extra.status).toBe(400);
    expect((await bodyOf(extra)).errors![0]!.extensions!.code).toBe('BAD_REQUEST');
    expect((await post('application/x-www-form-urlencoded', `query=${encodeURIComponent(query)}`)).status).toBe(403);
    const latin1 = new Uint8Array(Buffer.from(`{"query":"${query}","variables":{"x":"\u00e9"}}`, 'latin1'));
    expect((await post('application/json', latin1)).status).toBe(400);
  });

  it('applies query limits to operations over them, whatever is stored', async () => {
    const { url } = await startTestServer(IN_MEMORY);
    expect((await graphql(url, BLOCK(0))).status).toBe(200);
    const aliased = `{ ${Array.from({ length: QUERY_LIMITS.maxAliases + 1 }, (_, i) => `b${i}: block(index: 0) { hash }`).join(' ')} }`;
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await graphql(url, aliased);
      expect(response.status).toBe(400);
      expect(errorCodes(response)).toContain('QUERY_TOO_COMPLEX');
    }
  });

  it('keeps to the CORS allow-list on stored blocks, and tells caches the answer varies by origin', async () => {
    const { url } = await startTestServer(IN_MEMORY, { corsOrigins: ['http://app.test'] });
    for (const origin of ['http://app.test', 'https://evil.example', 'http://app.test']) {
      const response = await get(url, BLOCK(0), { origin });
      expect(response.status).toBe(200);
      const allowed = response.headers.get('access-control-allow-origin');
      if (origin === 'http://app.test') expect(allowed).toBe(origin);
      else expect(allowed).not.toBe(origin);
      expect(response.headers.get('vary')).toMatch(/Origin/);
    }
  });

  it('still refuses a mutation sent with GET', async () => {
    const { url } = await startTestServer(IN_MEMORY);
    const response = await get(url, MINE);
    expect(response.status).toBe(405);
    expect((await graphql(url, '{ tip { index } }')).body.data).toEqual({ tip: { index: 0 } });
  });
});
