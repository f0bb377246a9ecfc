import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { auditServer } from 'graphql-http';
import { describe, expect, it } from 'vitest';
import { FAILED_TOKENS_PER_MINUTE } from '../../src/http/mining-gate.js';
import { ERROR_CODES } from '../../src/shared/error-codes.js';
import { QUERY_LIMITS } from '../../src/yoga/query-limits.js';
import { errorCodes, graphql, startTestServer, type GraphQLResponse, IN_MEMORY } from '../helpers/server.js';

const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/graphql-response+json' };
const MINE_WITH_DATA = 'mutation ($data: String) { mineBlock(data: $data) { block { index } } }';
const json = (body: unknown): string => JSON.stringify(body);

interface Row {
  readonly name: string;
  readonly request: RequestInit & { readonly search?: string };
  readonly status: number;
  /** null: the response has no body to carry one (406, 415). */
  readonly code: string | null;
}

/** Every kind of bad input issue #3 lists, with the status and code it must get. */
const BAD_INPUT: readonly Row[] = [
  {
    name: 'malformed JSON',
    request: { method: 'POST', headers: JSON_HEADERS, body: '{"query": "{ tip { index } }"' },
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    name: 'a body that is not UTF-8',
    request: { method: 'POST', headers: JSON_HEADERS, body: Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]) },
    status: 400,
    code: 'BAD_REQUEST',
  },
  { name: 'no query', request: { method: 'POST', headers: JSON_HEADERS, body: json({ variables: {} }) }, status: 400, code: 'BAD_REQUEST' },
  {
    name: 'a query that is not a string',
    request: { method: 'POST', headers: JSON_HEADERS, body: json({ query: 42 }) },
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    name: 'variables that are not an object',
    request: { method: 'POST', headers: JSON_HEADERS, body: json({ query: '{ tip { index } }', variables: [1] }) },
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    name: 'a parse error',
    request: { method: 'POST', headers: JSON_HEADERS, body: json({ query: '{ tip { index }' }) },
    status: 400,
    code: 'GRAPHQL_PARSE_FAILED',
  },
  {
    name: 'an unknown field',
    request: { method: 'POST', headers: JSON_HEADERS, body: json({ query: '{ tip { nonce } }' }) },
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'an Int literal beyond 32 bits',
    request: { method: 'POST', headers: JSON_HEADERS, body: json({ query: '{ block(index: 2147483648) { index } }' }) },
    status: 400,
    code: 'GRAPHQL_VALIDATION_FAILED',
  },
  {
    name: 'an Int variable beyond 32 bits',
    request: {
      method: 'POST',
      headers: JSON_HEADERS,
      body: json({ query: 'query ($i: Int!) { block(index: $i) { index } }', variables: { i: 1e20 } }),
    },
    status: 400,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a negative index',
    request: { method: 'POST', headers: JSON_HEADERS, body: json({ query: '{ block(index: -5) { index } }' }) },
    status: 200,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'an XML content type',
    request: { method: 'POST', headers: { 'content-type': 'application/xml', accept: 'application/json' }, body: '<query/>' },
    status: 415,
    code: null,
  },
  {
    name: 'a form post (CSRF)',
    request: {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'query=mutation%7BmineBlock%7Bmessage%7D%7D',
    },
    status: 403,
    code: 'CSRF_PREVENTED',
  },
  {
    name: 'a text/plain post (CSRF)',
    request: { method: 'POST', headers: { 'content-type': 'text/plain' }, body: json({ query: 'mutation { mineBlock { message } }' }) },
    status: 403,
    code: 'CSRF_PREVENTED',
  },
  {
    name: 'a GET without the CSRF header',
    request: { method: 'GET', search: '?query=%7Btip%7Bindex%7D%7D', headers: { accept: 'application/json' } },
    status: 403,
    code: 'CSRF_PREVENTED',
  },
  {
    name: 'a mutation sent with GET',
    request: {
      method: 'GET',
      search: '?query=mutation%7BmineBlock%7Bmessage%7D%7D',
      headers: { accept: 'application/json', 'x-graphql-yoga-csrf': '1' },
    },
    status: 405,
    code: 'BAD_REQUEST',
  },
  {
    name: 'PUT',
    request: { method: 'PUT', headers: JSON_HEADERS, body: json({ query: '{ tip { index } }' }) },
    status: 405,
    code: 'BAD_REQUEST',
  },
  {
    name: 'DELETE',
    request: { method: 'DELETE', headers: { ...JSON_HEADERS, 'x-graphql-yoga-csrf': '1' } },
    status: 405,
    code: 'BAD_REQUEST',
  },
  {
    name: 'an Accept header for a format we do not speak',
    request: {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/xml' },
      body: json({ query: '{ tip { index } }' }),
    },
    status: 406,
    code: null,
  },
  {
    name: 'a batched array',
    request: {
      method: 'POST',
      headers: JSON_HEADERS,
      body: json([{ query: '{ tip { index } }' }, { query: 'mutation { mineBlock { message } }' }]),
    },
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    name: 'an oversized body',
    request: { method: 'POST', headers: JSON_HEADERS, body: json({ query: '{ tip { index } }', variables: { pad: 'x'.repeat(200_000) } }) },
    status: 413,
    code: 'REQUEST_ENTITY_TOO_LARGE',
  },
  {
    name: 'a huge token count',
    request: { method: 'POST', headers: JSON_HEADERS, body: json({ query: `{ ${'__typename '.repeat(QUERY_LIMITS.maxTokens)}}` }) },
    status: 400,
    code: 'QUERY_TOO_COMPLEX',
  },
  {
    name: 'deep nesting',
    request: { method: 'POST', headers: JSON_HEADERS, body: json({ query: `{ tip ${'{ index '.repeat(20)}${'}'.repeat(21)}` }) },
    status: 400,
    code: 'QUERY_TOO_COMPLEX',
  },
  {
    name: 'many aliases',
    request: {
      method: 'POST',
      headers: JSON_HEADERS,
      body: json({ query: `{ ${Array.from({ length: 50 }, (_, i) => `a${i}: tip { index }`).join(' ')} }` }),
    },
    status: 400,
    code: 'QUERY_TOO_COMPLEX',
  },
  {
    name: 'many directives',
    request: { method: 'POST', headers: JSON_HEADERS, body: json({ query: `{ tip ${'@include(if: true) '.repeat(20)}{ index } }` }) },
    status: 400,
    code: 'QUERY_TOO_COMPLEX',
  },
  {
    name: 'two mines in one operation',
    request: {
      method: 'POST',
      headers: JSON_HEADERS,
      body: json({ query: 'mutation { a: mineBlock { message } b: mineBlock { message } }' }),
    },
    status: 400,
    code: 'QUERY_TOO_COMPLEX',
  },
  {
    name: 'two mines through fragments',
    request: {
      method: 'POST',
      headers: JSON_HEADERS,
      body: json({
        query:
          'mutation { ...A ...B } fragment A on Mutation { a: mineBlock { message } } fragment B on Mutation { b: mineBlock { message } }',
      }),
    },
    status: 400,
    code: 'QUERY_TOO_COMPLEX',
  },
  {
    name: 'oversized data',
    request: { method: 'POST', headers: JSON_HEADERS, body: json({ query: MINE_WITH_DATA, variables: { data: 'x'.repeat(65) } }) },
    status: 200,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a NUL character in data',
    request: { method: 'POST', headers: JSON_HEADERS, body: json({ query: MINE_WITH_DATA, variables: { data: 'a\u0000b' } }) },
    status: 200,
    code: 'BAD_USER_INPUT',
  },
  {
    name: 'a lone surrogate in data',
    request: { method: 'POST', headers: JSON_HEADERS, body: `{"query":${json(MINE_WITH_DATA)},"variables":{"data":"a\\udc00b"}}` },
    status: 200,
    code: 'BAD_USER_INPUT',
  },
];

const lengthOf = async (url: string): Promise<number> =>
  (await graphql<{ chain: { totalCount: number } }>(url, '{ chain(first: 0) { totalCount } }')).body.data!.chain.totalCount;

describe('bad input gets the GraphQL-over-HTTP status and a clear code, and changes nothing', () => {
  it.each(BAD_INPUT.map((row) => [row.name, row] as const))('%s', async (_, { request, status, code }) => {
    const { url } = await startTestServer(IN_MEMORY);
    const { search = '', ...init } = request;
    const response = await fetch(`${url}${search}`, init);
    expect(response.status).toBe(status);
    const text = await response.text();
    if (code === null) {
      expect(text).toBe('');
    } else {
      const body = JSON.parse(text) as GraphQLResponse['body'];
      expect(errorCodes({ status, headers: response.headers, body })[0]).toBe(code);
      expect(body.errors![0]!.message.length).toBeGreaterThan(10);
    }
    expect(await lengthOf(url)).toBe(1);
  });

  it('answers an operationName the document does not hold as the spec has it: 400, or 200 to a client accepting only JSON', async () => {
    const { url } = await startTestServer(IN_MEMORY);
    const body = json({ query: 'query A { tip { index } } query B { tip { hash } }', operationName: 'C' });
    const statusFor = async (accept: string): Promise<number> => {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept }, body });
      const answer = (await response.json()) as GraphQLResponse['body'];
      expect(errorCodes({ status: response.status, headers: response.headers, body: answer })).toEqual(['OPERATION_RESOLUTION_FAILURE']);
      return response.status;
    };
    expect(await statusFor('application/graphql-response+json')).toBe(400);
    expect(await statusFor('*/*')).toBe(200);
    expect(await statusFor('application/json')).toBe(200);
    // The table in docs/errors.md says the same.
    expect(ERROR_CODES.OPERATION_RESOLUTION_FAILURE.graphql).toBe(400);
    expect(ERROR_CODES.OPERATION_RESOLUTION_FAILURE.graphqlNote).toMatch(/^200 to clients that accept only `application\/json`$/);
  });

  it('answers errors raised while an operation runs with their status in the table, whatever the client accepts', async () => {
    const server = await startTestServer(IN_MEMORY, { miningToken: 'a-mining-token-of-16' });
    const statusFor = async (query: string, accept: string, token?: string): Promise<[number, string | undefined]> => {
      const headers = { 'content-type': 'application/json', accept, ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) };
      const response = await fetch(server.url, { method: 'POST', headers, body: json({ query }) });
      const body = (await response.json()) as GraphQLResponse['body'];
      return [response.status, errorCodes({ status: response.status, headers: response.headers, body })[0]];
    };
    const MINE = 'mutation { mineBlock { block { index } } }';
    for (const accept of ['*/*', 'application/json', 'application/graphql-response+json']) {
      expect(await statusFor('{ block(index: -5) { index } }', accept)).toEqual([200, 'BAD_USER_INPUT']);
      expect(await statusFor(MINE, accept)).toEqual([401, 'UNAUTHENTICATED']);
    }
    await server.app.ledger.close();
    for (const accept of ['*/*', 'application/graphql-response+json']) {
      expect(await statusFor(MINE, accept, 'a-mining-token-of-16')).toEqual([503, 'SHUTTING_DOWN']);
    }
    for (const code of ['BAD_USER_INPUT', 'UNAUTHENTICATED', 'SHUTTING_DOWN'] as const) {
      expect(ERROR_CODES[code].graphql).toBe({ BAD_USER_INPUT: 200, UNAUTHENTICATED: 401, SHUTTING_DOWN: 503 }[code]);
    }
  });

  it('answers 413 to an oversized body sent without a Content-Length, having read no more than the limit', async () => {
    const server = await startTestServer(IN_MEMORY);
    const { url } = server;
    const { hostname, port } = new URL(url);
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const sending = httpRequest(
        {
          host: hostname,
          port,
          path: '/graphql',
          method: 'POST',
          headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        },
        (response) => {
          resolve(response.statusCode);
          // Answered: stop sending (the server would otherwise wait out its shutdown grace period for this socket).
          sending.destroy();
        },
      );
      sending.on('error', (error) => (sending.destroyed ? undefined : reject(error)));
      sending.write('{"query":"{ tip { index } }","variables":{"pad":"');
      // Far more than the limit, in pieces: the server must answer without waiting for the end.
      const piece = 'x'.repeat(64 * 1024);
      const pump = (): void => {
        while (!sending.destroyed && sending.write(piece));
        if (!sending.destroyed) sending.once('drain', pump);
      };
      pump();
    });
    expect(status).toBe(413);
    expect(await lengthOf(url)).toBe(1);
    // The body was cut off mid-way: that connection never turns idle, and shutdown would wait out its grace period for it.
    await server.close(0);
  });

  it('lets two mines with the same response key through: they merge into one execution', async () => {
    const { url } = await startTestServer(IN_MEMORY);
    const response = await graphql(url, 'mutation { mineBlock { message } mineBlock { block { index } } }');
    expect(response.body.errors).toBeUndefined();
    expect(await lengthOf(url)).toBe(2);
  });

  it('accepts the queries the GraphiQL examples send', async () => {
    const { url } = await startTestServer(IN_MEMORY);
    const { EXAMPLE_TABS } = await import('../../src/yoga/graphiql.js');
    for (const { query } of EXAMPLE_TABS) {
      const operations = [...query.matchAll(/(query|mutation) (\w+)/g)].map((match) => match[2]!);
      for (const operationName of operations) {
        const response = await fetch(url, { method: 'POST', headers: JSON_HEADERS, body: json({ query, operationName }) });
        const body = (await response.json()) as GraphQLResponse['body'];
        expect(body.errors, operationName).toBeUndefined();
      }
    }
  });
});

describe('mining protection', () => {
  const TOKEN = 'correct-horse-battery-staple';
  const mine = (url: string, headers: Record<string, string> = {}) =>
    fetch(url, {
      method: 'POST',
      headers: { ...JSON_HEADERS, ...headers },
      body: json({ query: 'mutation { mineBlock { block { index } } }' }),
    });

  it('needs the bearer token when one is configured; reads do not', async () => {
    const { url } = await startTestServer(IN_MEMORY, { miningToken: TOKEN });
    for (const authorization of [undefined, 'Bearer wrong-token-of-some-length', `Basic ${TOKEN}`, 'Bearer ', TOKEN]) {
      const response = await mine(url, authorization === undefined ? {} : { authorization });
      expect(response.status, authorization).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const body = (await response.json()) as GraphQLResponse['body'];
      expect(body.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
      expect(JSON.stringify(body)).not.toContain(TOKEN);
    }
    expect(await lengthOf(url)).toBe(1);
    expect((await mine(url, { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect(await lengthOf(url)).toBe(2);
  });

  it('limits mines per client and minute, answering 429 with Retry-After', async () => {
    const { url } = await startTestServer(IN_MEMORY, { miningRatePerMinute: 2 });
    expect((await mine(url)).status).toBe(200);
    expect((await mine(url)).status).toBe(200);
    const limited = await mine(url);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await limited.json()) as GraphQLResponse['body']).errors![0]!.extensions!.code).toBe('RATE_LIMITED');
    expect(await lengthOf(url)).toBe(3);
  });

  it('limits wrong tokens per client, before even checking them', async () => {
    const { url } = await startTestServer(IN_MEMORY, { miningToken: TOKEN });
    for (let i = 0; i < FAILED_TOKENS_PER_MINUTE; i++)
      expect((await mine(url, { authorization: 'Bearer guess-number-xxxxxxxx' })).status).toBe(401);
    const refused = await mine(url, { authorization: `Bearer ${TOKEN}` });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await lengthOf(url)).toBe(1);
  });

  it('counts clients by the address our proxy reports, only when the request comes from that proxy', async () => {
    const trusting = await startTestServer(IN_MEMORY, { miningRatePerMinute: 1, trustedProxies: ['127.0.0.1'] });
    expect((await mine(trusting.url, { 'x-forwarded-for': '203.0.113.9, 198.51.100.1' })).status).toBe(200);
    expect((await mine(trusting.url, { 'x-forwarded-for': '203.0.113.9, 198.51.100.2' })).status).toBe(200);
    expect((await mine(trusting.url, { 'x-forwarded-for': '192.0.2.1, 198.51.100.1' })).status).toBe(429);

    const untrusting = await startTestServer(IN_MEMORY, { miningRatePerMinute: 1, trustedProxies: ['192.0.2.7'] });
    expect((await mine(untrusting.url, { 'x-forwarded-for': '198.51.100.1' })).status).toBe(200);
    expect((await mine(untrusting.url, { 'x-forwarded-for': '198.51.100.2' })).status).toBe(429);
  });

  it('refuses mines beyond the queue with MINING_BUSY and Retry-After', async () => {
    const server = await startTestServer(IN_MEMORY, { difficulty: 9, miningQueueMax: 1 });
    // Slow mines (difficulty 9) pile up: one mining, one waiting, and the next is refused,
    // however long each request takes to reach the ledger on a busy machine.
    const accepted: Array<Promise<Response>> = [];
    let refused: Response | null = null;
    while (refused === null) {
      const attempt = mine(server.url);
      const settled = await Promise.race([attempt, new Promise<null>((resolve) => setTimeout(() => resolve(null), 300))]);
      if (settled === null) accepted.push(attempt);
      else refused = settled;
    }
    expect(accepted).toHaveLength(2);
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await refused.json()) as GraphQLResponse['body']).errors![0]!.extensions!.code).toBe('MINING_BUSY');
    await server.close();
    for (const request of accepted) expect((await request).status).toBe(503);
  });
});

describe('production mode', () => {
  it('hides introspection, field suggestions and GraphiQL unless enabled', async () => {
    const production = await startTestServer(IN_MEMORY, { graphiql: false, introspection: false });
    const introspection = await graphql(production.url, '{ __schema { queryType { name } } }');
    expect(introspection.body.data ?? null).toBeNull();
    expect(new Set(errorCodes(introspection))).toEqual(new Set(['GRAPHQL_VALIDATION_FAILED']));
    const typo = await graphql(production.url, '{ tipp { index } }');
    expect(typo.body.errors![0]!.message).not.toMatch(/Did you mean/);
    const page = await fetch(production.url, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toContain('<html');

    const development = await startTestServer(IN_MEMORY);
    expect((await graphql(development.url, '{ __schema { queryType { name } } }')).body.data).toEqual({
      __schema: { queryType: { name: 'Query' } },
    });
    expect((await graphql(development.url, '{ tipp { index } }')).body.errors![0]!.message).toMatch(/Did you mean "tip"/);
  });
});

describe('HTTP server', () => {
  it('closes a connection whose headers never finish (slowloris)', async () => {
    const { url } = await startTestServer(IN_MEMORY, {}, { timeouts: { headersMs: 300 } });
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname);
    socket.write('POST /graphql HTTP/1.1\r\nHost: ledger\r\nContent-Type: application/json\r\n');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    await new Promise<void>((resolve) => socket.on('close', () => resolve()));
    expect(received).toMatch(/^HTTP\/1\.1 408/);
  });

  it('passes every GraphQL-over-HTTP audit of graphql-http', async () => {
    const { url } = await startTestServer(IN_MEMORY);
    // A well-behaved client sends the CSRF header with GET requests.
    const fetchFn = (input: string | URL | Request, init: RequestInit = {}) =>
      fetch(input, { ...init, headers: { ...Object.fromEntries(new Headers(init.headers)), 'x-graphql-yoga-csrf': '1' } });
    const results = await auditServer({ url, fetchFn });
    const failures = results.filter((result) => result.status === 'error');
    for (const warning of results.filter((result) => result.status === 'warn' || result.status === 'notice')) {
      console.warn(`graphql-http audit ${warning.status}: ${warning.name}`);
    }
    expect(failures.map((failure) => `${failure.name}: ${'reason' in failure ? failure.reason : ''}`)).toEqual([]);
    expect(results.length).toBeGreaterThan(50);
  });
});
