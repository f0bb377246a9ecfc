import { describe, expect, it } from 'vitest';
import type { Block } from '../../src/core/block.js';
import { SEED_PROOFS } from '../fixtures/seed-chain.js';
import { errorCodes, graphql, startTestServer, IN_MEMORY } from '../helpers/server.js';
import { tamper, tempDatabasePath } from '../helpers/temp-database.js';

const MINE =
  'mutation Mine($data: String) { mineBlock(data: $data) { message block { index proof previousHash hash data difficulty } attempts durationMs } }';
const BLOCK_FIELDS = 'index timestamp proof previousHash hash data difficulty';

interface Mined {
  mineBlock: { message: string; block: Block; attempts: number; durationMs: number };
}
interface Page {
  chain: {
    totalCount: number;
    edges: Array<{ cursor: string; node: Block }>;
    nodes: Block[];
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  };
}
const PAGE = `query Page($first: Int, $after: String, $last: Int, $before: String) {
  chain(first: $first, after: $after, last: $last, before: $before) {
    totalCount
    edges { cursor node { index hash } }
    nodes { ${BLOCK_FIELDS} }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

async function mine(url: string, times: number): Promise<Block[]> {
  const blocks: Block[] = [];
  for (let i = 0; i < times; i++) {
    const response = await graphql<Mined>(url, MINE);
    expect(response.body.errors).toBeUndefined();
    blocks.push(response.body.data!.mineBlock.block);
  }
  return blocks;
}

const lengthOf = async (url: string): Promise<number> => (await graphql<Page>(url, PAGE, { first: 0 })).body.data!.chain.totalCount;

describe('GraphQL API over HTTP', () => {
  it('serves GraphiQL without a CDN, and sends / there', async () => {
    const server = await startTestServer(IN_MEMORY);
    const page = await fetch(server.url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Proof-of-work ledger');
    expect(html).toContain('mineBlock');
    expect(html).not.toMatch(/unpkg\.com|jsdelivr/);
    // `/` is the block explorer (test/explorer), which links to GraphiQL.
    const root = await fetch(server.url.replace('/graphql', '/'), { redirect: 'manual' });
    expect(root.status).toBe(200);
    expect(await root.text()).toContain('href="/graphql"');
  });

  it("mines the seed's proofs and reads them back by index, hash and tip", async () => {
    const { url } = await startTestServer(IN_MEMORY);
    const first = await graphql<Mined>(url, MINE);
    expect(first.status).toBe(200);
    expect(first.body.data!.mineBlock).toMatchObject({ message: 'Congratulations, you just mined a Block!' });
    // Every candidate below the proof, plus what the other mining threads hashed meanwhile.
    expect(first.body.data!.mineBlock.attempts).toBeGreaterThanOrEqual(533);
    const blocks = [first.body.data!.mineBlock.block, ...(await mine(url, 4))];
    expect(blocks.map((block) => block.proof)).toEqual(SEED_PROOFS);
    expect(blocks.map((block) => block.index)).toEqual([1, 2, 3, 4, 5]);
    for (let i = 1; i < blocks.length; i++) expect(blocks[i]!.previousHash).toBe(blocks[i - 1]!.hash);

    const read = await graphql<{ block: Block; byHash: Block; tip: Block; difficulty: number }>(
      url,
      `query ($hash: String!) { block(index: 3) { ${BLOCK_FIELDS} } byHash: blockByHash(hash: $hash) { index } tip { index } difficulty }`,
      { hash: blocks[1]!.hash },
    );
    expect(read.body.data).toEqual({
      block: { ...blocks[2], timestamp: expect.any(String) as string },
      byHash: { index: 2 },
      tip: { index: 5 },
      difficulty: 4,
    });
  });

  it('answers null past the tip and BAD_USER_INPUT for a negative index', async () => {
    const { url } = await startTestServer(IN_MEMORY);
    expect((await graphql(url, '{ block(index: 1) { index } }')).body).toEqual({ data: { block: null } });
    const negative = await graphql(url, '{ block(index: -1) { index } }');
    expect(negative.status).toBe(200);
    expect(errorCodes(negative)).toEqual(['BAD_USER_INPUT']);
    expect(negative.body.errors![0]!.message).toMatch(/index/);
  });

  it('pages through the whole chain forward and backward with cursors', async () => {
    const { url } = await startTestServer(IN_MEMORY, { difficulty: 2 });
    await mine(url, 6); // 7 blocks: 0..6

    const forward: number[] = [];
    let after: string | null = null;
    for (;;) {
      const page: Page['chain'] = (await graphql<Page>(url, PAGE, { first: 3, after })).body.data!.chain;
      expect(page.totalCount).toBe(7);
      expect(page.edges.map((edge) => edge.node.index)).toEqual(page.nodes.map((node) => node.index));
      forward.push(...page.nodes.map((node) => node.index));
      expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(forward).toEqual([0, 1, 2, 3, 4, 5, 6]);

    const backward: number[] = [];
    let before: string | null = null;
    for (;;) {
      const page: Page['chain'] = (await graphql<Page>(url, PAGE, { last: 3, before })).body.data!.chain;
      backward.unshift(...page.nodes.map((node) => node.index));
      expect(page.pageInfo.hasNextPage).toBe(before !== null);
      if (!page.pageInfo.hasPreviousPage) break;
      before = page.pageInfo.startCursor;
    }
    expect(backward).toEqual([0, 1, 2, 3, 4, 5, 6]);

    const defaultPage = (await graphql<Page>(url, PAGE)).body.data!.chain;
    expect(defaultPage.nodes).toHaveLength(7);
    const empty = (await graphql<Page>(url, PAGE, { first: 0 })).body.data!.chain;
    expect(empty).toMatchObject({ nodes: [], pageInfo: { startCursor: null, endCursor: null, hasNextPage: true } });
  });

  it.each([
    ['a page larger than 100', { first: 101 }],
    ['a negative page size', { last: -1 }],
    ['first and last together', { first: 1, last: 1 }],
    ['a cursor the server never issued', { after: 'not-a-cursor' }],
    ['a cursor with a negative index', { before: Buffer.from('block:-1').toString('base64url') }],
  ])('refuses %s with BAD_USER_INPUT', async (_, variables) => {
    const { url } = await startTestServer(IN_MEMORY);
    const response = await graphql(url, PAGE, variables);
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.body.data).toBeNull();
  });

  it('validates the chain with the seed wording', async () => {
    const { url } = await startTestServer(IN_MEMORY);
    await mine(url, 2);
    const response = await graphql(url, '{ validate { valid message length errorCount errors { index reason message } } }');
    expect(response.body.data).toEqual({
      validate: { valid: true, message: 'Chain is valid.', length: 3, errorCount: 0, errors: [] },
    });
  });

  it('keeps the chain across a restart', async () => {
    const path = tempDatabasePath();
    const first = await startTestServer(path);
    const mined = await mine(first.url, 3);
    await first.close();

    const second = await startTestServer(path);
    const page = (await graphql<Page>(second.url, PAGE, { first: 10 })).body.data!.chain;
    expect(page.nodes.slice(1)).toEqual(mined.map((block) => ({ ...block, timestamp: expect.any(String) as string })));
    const validation = await graphql<{ validate: { valid: boolean } }>(second.url, '{ validate { valid } }');
    expect(validation.body.data!.validate.valid).toBe(true);
    const next = await graphql<Mined>(second.url, MINE);
    expect(next.body.data!.mineBlock.block).toMatchObject({ index: 4, proof: 8018, previousHash: mined[2]!.hash });
  });

  it('turns 20 concurrent mineBlock requests into 20 consecutive blocks', async () => {
    const { url } = await startTestServer(IN_MEMORY);
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => graphql<Mined>(url, MINE, { data: `client ${i}` })));
    expect(responses.flatMap((response) => response.body.errors ?? [])).toEqual([]);
    const indices = responses.map((response) => response.body.data!.mineBlock.block.index).sort((a, b) => a - b);
    expect(indices).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const validation = await graphql<{ validate: { valid: boolean; length: number } }>(url, '{ validate { valid length } }');
    expect(validation.body.data!.validate).toEqual({ valid: true, length: 21 });
  });

  it('reports a row changed through a second connection, and mineBlock then refuses', async () => {
    const path = tempDatabasePath();
    const { url } = await startTestServer(path);
    await mine(url, 3);
    tamper(path, 'UPDATE blocks SET proof = 12345 WHERE block_index = 1');

    const validation = await graphql<{ validate: { valid: boolean; message: string; errors: Array<{ index: number; reason: string }> } }>(
      url,
      '{ validate { valid message errors { index reason } } }',
    );
    expect(validation.body.data!.validate).toEqual({
      valid: false,
      message: 'Chain is not valid!',
      errors: [
        { index: 1, reason: 'PROOF_INVALID' },
        { index: 1, reason: 'HASH_MISMATCH' },
        { index: 2, reason: 'PROOF_INVALID' },
      ],
    });
    const refused = await graphql(url, MINE);
    expect(errorCodes(refused)).toEqual(['CHAIN_INVALID']);
    expect(await lengthOf(url)).toBe(4);
    const inspected = await graphql<{ block: { proof: number } }>(url, '{ block(index: 1) { proof } }');
    expect(inspected.body.data!.block.proof).toBe(12345);
  });

  it('answers queries while a slow block is being mined, and abandons it on shutdown', async () => {
    const server = await startTestServer(IN_MEMORY, { difficulty: 9 });
    let settled = false;
    const slowMine = graphql(server.url, MINE).finally(() => {
      settled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const read = await graphql<{ tip: { index: number } }>(server.url, '{ tip { index } }');
    expect(read.body.data!.tip.index).toBe(0);
    expect(settled).toBe(false);

    await server.close();
    const abandoned = await slowMine;
    expect(abandoned.status).toBe(503);
    expect(errorCodes(abandoned)).toEqual(['SHUTTING_DOWN']);
  });

  it('tells clients its limits', async () => {
    const { url } = await startTestServer(IN_MEMORY);
    const response = await graphql(url, '{ difficulty limits { dataMaxBytes defaultPageSize maxPageSize } }');
    expect(response.body.data).toEqual({ difficulty: 4, limits: { dataMaxBytes: 64, defaultPageSize: 20, maxPageSize: 100 } });
  });

  describe('cross-site requests', () => {
    it('refuses a form post (what a foreign page can send without a preflight) and mines nothing', async () => {
      const { url } = await startTestServer(IN_MEMORY);
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
        body: new URLSearchParams({ query: 'mutation { mineBlock { message } }' }).toString(),
      });
      expect(response.status).toBe(403);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      expect(await lengthOf(url)).toBe(1);
    });

    it('answers GET queries that carry the CSRF header, and refuses those that do not', async () => {
      const { url } = await startTestServer(IN_MEMORY);
      const query = `${url}?query=${encodeURIComponent('{ tip { index } }')}`;
      expect((await fetch(query, { headers: { accept: 'application/json' } })).status).toBe(403);
      const allowed = await fetch(query, { headers: { accept: 'application/json', 'x-graphql-yoga-csrf': '1' } });
      expect(allowed.status).toBe(200);
      expect(await allowed.json()).toEqual({ data: { tip: { index: 0 } } });
    });

    it('allows only the configured origins through CORS', async () => {
      const { url } = await startTestServer(IN_MEMORY, { corsOrigins: ['http://app.test'] });
      const preflight = (origin: string) =>
        fetch(url, {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
        });
      expect((await preflight('http://app.test')).headers.get('access-control-allow-origin')).toBe('http://app.test');
      expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).not.toBe('https://evil.example');
    });
  });

  describe('bad input leaves the chain unchanged', () => {
    it.each([
      ['data over the size limit', MINE, { data: 'x'.repeat(65) }, 200, 'BAD_USER_INPUT'],
      ['a NUL character in data', MINE, { data: 'a\u0000b' }, 200, 'BAD_USER_INPUT'],
      ['an unknown field', '{ block(index: 0) { index nonce } }', undefined, 400, 'GRAPHQL_VALIDATION_FAILED'],
      ['an index beyond the Int range', 'query ($i: Int!) { block(index: $i) { index } }', { i: 2 ** 31 }, 400, 'BAD_USER_INPUT'],
      ['a syntax error', '{ block(index: 0) { index }', undefined, 400, 'GRAPHQL_PARSE_FAILED'],
    ])('%s', async (_, query, variables, status, code) => {
      const { url } = await startTestServer(IN_MEMORY);
      const response = await graphql(url, query, variables);
      expect(response.status).toBe(status);
      expect(errorCodes(response)).toEqual([code]);
      expect(await lengthOf(url)).toBe(1);
    });

    it('a malformed JSON body', async () => {
      const { url } = await startTestServer(IN_MEMORY);
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"query": "mutation { mineBlock { message } }"',
      });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { errors: Array<{ message: string }> };
      expect(body.errors[0]!.message).toMatch(/JSON/i);
      expect(await lengthOf(url)).toBe(1);
    });

    it('a mutation sent with GET', async () => {
      const { url } = await startTestServer(IN_MEMORY);
      const response = await fetch(`${url}?query=${encodeURIComponent('mutation { mineBlock { message } }')}`, {
        headers: { accept: 'application/json', 'x-graphql-yoga-csrf': '1' },
      });
      expect(response.status).toBe(405);
      expect(await lengthOf(url)).toBe(1);
    });
  });
});
