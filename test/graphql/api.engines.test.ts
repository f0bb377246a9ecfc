import { describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { NOTEBOOK_PROOFS } from '../fixtures/notebook-chain.js';
import type { PageQuery } from '../generated/graphql.js';
import { gql } from '../generated/index.js';
import type { Config } from '../../src/config.js';
import { createTestApp as createAppOn, executeOperation } from '../helpers/execute-operation.js';
import { describeOnEngines } from '../helpers/postgres.js';
import { testDatabase } from '../helpers/storage-engines.js';

const Mine = gql(`
  mutation Mine($data: String) {
    mineBlock(data: $data) {
      message
      block { index proof previousHash hash data difficulty }
      attempts
      durationMs
    }
  }
`);

const MineOnce = gql(`
  mutation MineOnce($data: String, $key: String) {
    mineBlock(data: $data, idempotencyKey: $key) {
      block { index hash data }
      attempts
      replayed
    }
  }
`);

const Page = gql(`
  query Page($first: Int, $after: String, $last: Int, $before: String) {
    chain(first: $first, after: $after, last: $last, before: $before) {
      totalCount
      edges { cursor node { index hash } }
      nodes { index timestamp proof previousHash hash data difficulty }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
`);

const ReadBack = gql(`
  query ReadBack($hash: String!) {
    block(index: 3) { index timestamp proof previousHash hash data difficulty }
    byHash: blockByHash(hash: $hash) { index }
    tip { index }
    difficulty
  }
`);

const BlockAt = gql(`
  query BlockAt($index: Int!) {
    block(index: $index) { index proof }
  }
`);

const Validate = gql(`
  query Validate {
    validate { valid message length errorCount errors { index reason message } }
  }
`);

const Tip = gql(`
  query Tip {
    tip { index }
  }
`);

const Limits = gql(`
  query Limits {
    difficulty
    limits { dataMaxBytes defaultPageSize maxPageSize }
  }
`);

async function mine(app: App, times: number) {
  const blocks = [];
  for (let i = 0; i < times; i++) {
    const { data, errors } = await executeOperation(app, Mine);
    expect(errors).toBeUndefined();
    blocks.push(data!.mineBlock.block);
  }
  return blocks;
}

const lengthOf = async (app: App): Promise<number> => (await executeOperation(app, Page, { first: 0 })).data!.chain.totalCount;

describeOnEngines('the GraphQL API on %s', (engine) => {
  /** The app on a fresh database of this engine (`overrides` on top). */
  const createTestApp = async (overrides: Partial<Config> = {}) => createAppOn({ ...(await testDatabase(engine)).config, ...overrides });

  it('serves GraphiQL without a CDN', async () => {
    const app = await createTestApp();
    const page = await app.yoga.fetch('http://ledger.test/graphql', { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Proof-of-work ledger');
    expect(html).toContain('mineBlock');
    expect(html).not.toMatch(/unpkg\.com|jsdelivr/);
  });

  it("mines the notebook's proofs and reads them back by index, hash and tip", async () => {
    const app = await createTestApp();
    const first = await executeOperation(app, Mine);
    expect(first.status).toBe(200);
    expect(first.data!.mineBlock).toMatchObject({ message: 'Congratulations, you just mined a Block!' });
    // Every candidate below the proof, plus what the other mining threads hashed meanwhile.
    expect(first.data!.mineBlock.attempts).toBeGreaterThanOrEqual(533);
    const blocks = [first.data!.mineBlock.block, ...(await mine(app, 4))];
    expect(blocks.map((block) => block.proof)).toEqual(NOTEBOOK_PROOFS);
    expect(blocks.map((block) => block.index)).toEqual([1, 2, 3, 4, 5]);
    for (let i = 1; i < blocks.length; i++) expect(blocks[i]!.previousHash).toBe(blocks[i - 1]!.hash);

    const read = await executeOperation(app, ReadBack, { hash: blocks[1]!.hash });
    expect(read.data).toEqual({
      block: { ...blocks[2], timestamp: expect.any(String) as string },
      byHash: { index: 2 },
      tip: { index: 5 },
      difficulty: 4,
    });
  });

  it('answers null past the tip and BAD_USER_INPUT for a negative index', async () => {
    const app = await createTestApp();
    expect(await executeOperation(app, BlockAt, { index: 1 })).toMatchObject({ data: { block: null }, errors: undefined });
    const negative = await executeOperation(app, BlockAt, { index: -1 });
    expect(negative.status).toBe(200);
    expect(negative.codes).toEqual(['BAD_USER_INPUT']);
    expect(negative.errors![0]!.message).toMatch(/index/);
  });

  it('pages through the whole chain forward and backward with cursors', async () => {
    const app = await createTestApp({ difficulty: 2 });
    await mine(app, 6); // 7 blocks: 0..6

    const forward: number[] = [];
    let after: string | null = null;
    for (;;) {
      const page: PageQuery['chain'] = (await executeOperation(app, Page, { first: 3, after })).data!.chain;
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
      const page: PageQuery['chain'] = (await executeOperation(app, Page, { last: 3, before })).data!.chain;
      backward.unshift(...page.nodes.map((node) => node.index));
      expect(page.pageInfo.hasNextPage).toBe(before !== null);
      if (!page.pageInfo.hasPreviousPage) break;
      before = page.pageInfo.startCursor;
    }
    expect(backward).toEqual([0, 1, 2, 3, 4, 5, 6]);

    const defaultPage = (await executeOperation(app, Page)).data!.chain;
    expect(defaultPage.nodes).toHaveLength(7);
    const empty = (await executeOperation(app, Page, { first: 0 })).data!.chain;
    expect(empty).toMatchObject({ nodes: [], pageInfo: { startCursor: null, endCursor: null, hasNextPage: true } });
  });

  it.each([
    ['a page larger than 100', { first: 101 }],
    ['a negative page size', { last: -1 }],
    ['first and last together', { first: 1, last: 1 }],
    ['a cursor the server never issued', { after: 'not-a-cursor' }],
    ['a cursor with a negative index', { before: Buffer.from('block:-1').toString('base64url') }],
  ])('refuses %s with BAD_USER_INPUT', async (_, variables) => {
    const app = await createTestApp();
    const response = await executeOperation(app, Page, variables);
    expect(response.codes).toEqual(['BAD_USER_INPUT']);
    expect(response.data).toBeNull();
  });

  it('validates the chain with the notebook wording', async () => {
    const app = await createTestApp();
    await mine(app, 2);
    expect((await executeOperation(app, Validate)).data).toEqual({
      validate: { valid: true, message: 'Chain is valid.', length: 3, errorCount: 0, errors: [] },
    });
  });

  it('keeps the chain across a restart', async () => {
    const { config } = await testDatabase(engine);
    const first = await createAppOn(config);
    const mined = await mine(first, 3);
    await first.close();

    const second = await createAppOn(config);
    const page = (await executeOperation(second, Page, { first: 10 })).data!.chain;
    expect(page.nodes.slice(1)).toEqual(mined.map((block) => ({ ...block, timestamp: expect.any(String) as string })));
    expect((await executeOperation(second, Validate)).data!.validate.valid).toBe(true);
    const next = await executeOperation(second, Mine);
    expect(next.data!.mineBlock.block).toMatchObject({ index: 4, proof: 8018, previousHash: mined[2]!.hash });
  });

  it('mines once per idempotency key: a retry gets the stored block, the key with other data is refused (422)', async () => {
    const app = await createTestApp();
    const first = await executeOperation(app, MineOnce, { data: 'pay 5', key: 'c4f7e9a2-retry' });
    expect(first.errors).toBeUndefined();
    expect(first.data!.mineBlock.replayed).toBe(false);
    const retry = await executeOperation(app, MineOnce, { data: 'pay 5', key: 'c4f7e9a2-retry' });
    expect(retry.data!.mineBlock).toEqual({ block: first.data!.mineBlock.block, attempts: 0, replayed: true });
    const reused = await executeOperation(app, MineOnce, { data: 'pay 6', key: 'c4f7e9a2-retry' });
    expect({ status: reused.status, codes: reused.codes }).toEqual({ status: 422, codes: ['IDEMPOTENCY_KEY_REUSED'] });
    const bad = await executeOperation(app, MineOnce, { data: 'pay 6', key: 'with space' });
    expect(bad.codes).toEqual(['BAD_USER_INPUT']);
    expect(await lengthOf(app)).toBe(2);
  });

  it('stays ready while the chain is set to another difficulty, refusing mines, and mines again once it is set back', async () => {
    const database = await testDatabase(engine);
    const app = await createAppOn({ ...database.config, difficulty: 2 });
    expect((await executeOperation(app, Mine)).codes).toEqual([]);
    // An operator's `set-difficulty 3`, then `set-difficulty 2`, as another process would.
    await database.tamper('UPDATE chain_state SET difficulty = 3');
    const refused = await executeOperation(app, Mine);
    expect({ status: refused.status, codes: refused.codes }).toEqual({ status: 503, codes: ['DIFFICULTY_MISMATCH'] });
    expect(await app.readiness()).toMatchObject({
      ready: true,
      checks: { mining: expect.stringMatching(/^refused: .*difficulty 3/) as string },
    });
    await database.tamper('UPDATE chain_state SET difficulty = 2');
    expect(await app.readiness()).toMatchObject({ ready: true, checks: { mining: 'ok' } });
    expect((await executeOperation(app, Mine)).codes).toEqual([]);
  });

  it('turns 20 concurrent mineBlock requests into 20 consecutive blocks', async () => {
    const app = await createTestApp();
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => executeOperation(app, Mine, { data: `client ${i}` })));
    expect(responses.flatMap((response) => response.errors ?? [])).toEqual([]);
    const indices = responses.map((response) => response.data!.mineBlock.block.index).sort((a, b) => a - b);
    expect(indices).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect((await executeOperation(app, Validate)).data!.validate).toMatchObject({ valid: true, length: 21 });
  });

  it('reports a row changed through a second connection, and mineBlock then refuses', async () => {
    const database = await testDatabase(engine);
    const app = await createAppOn(database.config);
    await mine(app, 3);
    await database.tamper('UPDATE blocks SET proof = 12345 WHERE block_index = 1');

    expect((await executeOperation(app, Validate)).data!.validate).toMatchObject({
      valid: false,
      message: 'Chain is not valid!',
      errors: [
        { index: 1, reason: 'PROOF_INVALID' },
        { index: 1, reason: 'HASH_MISMATCH' },
        { index: 2, reason: 'PROOF_INVALID' },
      ],
    });
    expect((await executeOperation(app, Mine)).codes).toEqual(['CHAIN_INVALID']);
    expect(await lengthOf(app)).toBe(4);
    expect((await executeOperation(app, BlockAt, { index: 1 })).data!.block!.proof).toBe(12345);
  });

  it('answers queries while a slow block is being mined, and abandons it on shutdown', async () => {
    const app = await createTestApp({ difficulty: 9 });
    let settled = false;
    const slowMine = executeOperation(app, Mine).finally(() => {
      settled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await executeOperation(app, Tip)).data!.tip.index).toBe(0);
    expect(settled).toBe(false);

    await app.close();
    const abandoned = await slowMine;
    expect(abandoned.status).toBe(503);
    expect(abandoned.codes).toEqual(['SHUTTING_DOWN']);
  });

  it('tells clients its limits', async () => {
    const app = await createTestApp();
    expect((await executeOperation(app, Limits)).data).toEqual({
      difficulty: 4,
      limits: { dataMaxBytes: 64, defaultPageSize: 20, maxPageSize: 100 },
    });
  });

  describe('cross-site requests', () => {
    it('refuses a form post (what a foreign page can send without a preflight) and mines nothing', async () => {
      const app = await createTestApp();
      const response = await app.yoga.fetch('http://ledger.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
        body: new URLSearchParams({ query: 'mutation { mineBlock { message } }' }).toString(),
      });
      expect(response.status).toBe(403);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      expect(await lengthOf(app)).toBe(1);
    });

    it('answers GET queries that carry the CSRF header, and refuses those that do not', async () => {
      const app = await createTestApp();
      const query = `http://ledger.test/graphql?query=${encodeURIComponent('{ tip { index } }')}`;
      expect((await app.yoga.fetch(query, { headers: { accept: 'application/json' } })).status).toBe(403);
      const allowed = await app.yoga.fetch(query, { headers: { accept: 'application/json', 'x-graphql-yoga-csrf': '1' } });
      expect(allowed.status).toBe(200);
      expect(await allowed.json()).toEqual({ data: { tip: { index: 0 } } });
    });

    it('allows only the configured origins through CORS', async () => {
      const app = await createTestApp({ corsOrigins: ['http://app.test'] });
      const preflight = (origin: string) =>
        app.yoga.fetch('http://ledger.test/graphql', {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
        });
      expect((await preflight('http://app.test')).headers.get('access-control-allow-origin')).toBe('http://app.test');
      expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).not.toBe('https://evil.example');
    });
  });

  describe('bad input leaves the chain unchanged', () => {
    it.each([
      ['data over the size limit', { data: 'x'.repeat(65) }],
      ['a NUL character in data', { data: 'a\u0000b' }],
    ])('%s: BAD_USER_INPUT', async (_, variables) => {
      const app = await createTestApp();
      const response = await executeOperation(app, Mine, variables);
      expect(response.status).toBe(200);
      expect(response.codes).toEqual(['BAD_USER_INPUT']);
      expect(await lengthOf(app)).toBe(1);
    });

    it('an index beyond the Int range: BAD_USER_INPUT, 400', async () => {
      const app = await createTestApp();
      const response = await executeOperation(app, BlockAt, { index: 2 ** 31 });
      expect(response.status).toBe(400);
      expect(response.codes).toEqual(['BAD_USER_INPUT']);
    });

    it.each([
      ['an unknown field', '{ block(index: 0) { index nonce } }', 'GRAPHQL_VALIDATION_FAILED'],
      ['a syntax error', '{ block(index: 0) { index }', 'GRAPHQL_PARSE_FAILED'],
    ])('%s: %s, 400', async (_, query, code) => {
      const app = await createTestApp();
      const response = await executeOperation(app, query);
      expect(response.status).toBe(400);
      expect(response.codes).toEqual([code]);
      expect(await lengthOf(app)).toBe(1);
    });

    it('a malformed JSON body', async () => {
      const app = await createTestApp();
      const response = await app.yoga.fetch('http://ledger.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"query": "mutation { mineBlock { message } }"',
      });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { errors: Array<{ message: string }> };
      expect(body.errors[0]!.message).toMatch(/JSON/i);
      expect(await lengthOf(app)).toBe(1);
    });

    it('a mutation sent with GET', async () => {
      const app = await createTestApp();
      const response = await app.yoga.fetch(
        `http://ledger.test/graphql?query=${encodeURIComponent('mutation { mineBlock { message } }')}`,
        {
          headers: { accept: 'application/json', 'x-graphql-yoga-csrf': '1' },
        },
      );
      expect(response.status).toBe(405);
      expect(await lengthOf(app)).toBe(1);
    });
  });
});
