import { describe, expect, it } from 'vitest';
import {
  BlockMinedDocument,
  ChainPageDocument,
  LedgerClientError,
  MineBlockDocument,
  MiningProgressDocument,
  ServerInfoDocument,
  TipDocument,
  TypedDocumentString,
  ValidateDocument,
  createLedgerClient,
  type LedgerClient,
  type TypedDocument,
  type VariablesArgument,
} from '../../client/index.js';
import { NOTEBOOK_PROOFS } from '../fixtures/notebook-chain.js';
import { startTestServer, IN_MEMORY } from '../helpers/server.js';
import { tamper, tempDatabasePath } from '../helpers/temp-database.js';

const TOKEN = 'a-mining-token-for-tests';

async function mine(client: LedgerClient, times: number, data: string | null = null) {
  const blocks = [];
  for (let i = 0; i < times; i++) blocks.push((await client.request(MineBlockDocument, { data })).mineBlock.block);
  return blocks;
}

async function failure(promise: Promise<unknown>): Promise<LedgerClientError> {
  const error: unknown = await promise.then(
    () => null,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(LedgerClientError);
  return error as LedgerClientError;
}

/** Polls until `predicate` holds (subscriptions deliver asynchronously). */
async function until(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A subscription whose results, end and errors a test can look at. */
function watch<TResult, TVariables>(
  client: LedgerClient,
  document: TypedDocument<TResult, TVariables>,
  ...variables: VariablesArgument<TVariables>
) {
  const seen = { results: [] as TResult[], errors: [] as LedgerClientError[], completed: false };
  let opened!: () => void;
  const open = new Promise<void>((resolve) => (opened = resolve));
  const stop = client.subscribe(
    document,
    {
      open: opened,
      next: (result) => seen.results.push(result),
      error: (error) => seen.errors.push(error),
      complete: () => (seen.completed = true),
    },
    ...variables,
  );
  return { seen, open, stop };
}

describe('the typed client: queries and mutations', () => {
  it('reads the tip, the server info and pages of the chain newest first', async () => {
    const server = await startTestServer(IN_MEMORY);
    const client = createLedgerClient({ url: server.url });
    const { tip: genesis } = await client.request(TipDocument);
    expect(genesis).toMatchObject({ index: 0, previousHash: '0', proof: 1, data: null, difficulty: 4 });
    expect(genesis.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await client.request(ServerInfoDocument)).toEqual({ difficulty: 4, limits: { dataMaxBytes: 64, maxPageSize: 100 } });

    await mine(client, 3);
    const newest = (await client.request(ChainPageDocument, { last: 2 })).chain;
    expect(newest.totalCount).toBe(4);
    expect(newest.edges.map((edge) => edge.node.index)).toEqual([2, 3]);
    expect(newest.pageInfo.hasPreviousPage).toBe(true);
    const older = (await client.request(ChainPageDocument, { last: 2, before: newest.pageInfo.startCursor })).chain;
    expect(older.edges.map((edge) => edge.node.index)).toEqual([0, 1]);
    expect(older.pageInfo.hasPreviousPage).toBe(false);
  });

  it("mines with and without data: the notebook's proofs, typed results", async () => {
    const server = await startTestServer(IN_MEMORY);
    const client = createLedgerClient({ url: server.url });
    const { tip: genesis } = await client.request(TipDocument);
    const { mineBlock } = await client.request(MineBlockDocument);
    expect(mineBlock.message).toBe('Congratulations, you just mined a Block!');
    expect(mineBlock.block).toMatchObject({ index: 1, proof: NOTEBOOK_PROOFS[0], previousHash: genesis.hash, data: null, difficulty: 4 });
    expect(mineBlock.attempts).toBeGreaterThanOrEqual(NOTEBOOK_PROOFS[0]);
    const withData = await client.request(MineBlockDocument, { data: 'hello, ledger' });
    expect(withData.mineBlock.block).toMatchObject({ index: 2, data: 'hello, ledger', previousHash: mineBlock.block.hash });
  });

  it('validates, listing the errors of a tampered chain', async () => {
    const path = tempDatabasePath();
    const server = await startTestServer(path);
    const client = createLedgerClient({ url: server.url });
    await mine(client, 3);
    expect((await client.request(ValidateDocument)).validate).toEqual({
      valid: true,
      message: 'Chain is valid.',
      length: 4,
      errorCount: 0,
      errors: [],
    });
    tamper(path, "UPDATE blocks SET data = 'forged' WHERE block_index = 2");
    const { validate } = await client.request(ValidateDocument);
    expect(validate).toMatchObject({ valid: false, message: 'Chain is not valid!', errorCount: 1 });
    expect(validate.errors).toEqual([{ index: 2, reason: 'HASH_MISMATCH', message: expect.stringContaining('Block 2') as string }]);
  });

  it('rejects with a LedgerClientError carrying the code, status and message', async () => {
    const server = await startTestServer(IN_MEMORY);
    const client = createLedgerClient({ url: server.url });
    const tooLarge = await failure(client.request(MineBlockDocument, { data: 'x'.repeat(65) }));
    expect(tooLarge.code).toBe('BAD_USER_INPUT');
    expect(tooLarge.message).toMatch(/64/);
    const negativePage = await failure(client.request(ChainPageDocument, { last: -1 }));
    expect(negativePage.code).toBe('BAD_USER_INPUT');
    expect(negativePage.errors).toHaveLength(1);
  });

  it('sends the mining token as a Bearer token, from a string or a function', async () => {
    const server = await startTestServer(IN_MEMORY, { miningToken: TOKEN });
    const refused = await failure(createLedgerClient({ url: server.url }).request(MineBlockDocument));
    expect(refused.code).toBe('UNAUTHENTICATED');
    expect(refused.status).toBe(401);
    // Reads need no token.
    expect((await createLedgerClient({ url: server.url }).request(TipDocument)).tip.index).toBe(0);

    expect((await createLedgerClient({ url: server.url, token: TOKEN }).request(MineBlockDocument)).mineBlock.block.index).toBe(1);
    let current: string | null = null;
    const client = createLedgerClient({ url: server.url, token: () => current });
    expect((await failure(client.request(MineBlockDocument))).code).toBe('UNAUTHENTICATED');
    current = TOKEN;
    expect((await client.request(MineBlockDocument)).mineBlock.block.index).toBe(2);
  });

  it('reports a server it cannot reach with status 0', async () => {
    const server = await startTestServer(IN_MEMORY);
    const { url } = server;
    await server.close();
    const error = await failure(createLedgerClient({ url }).request(TipDocument));
    expect(error.status).toBe(0);
    expect(error.message).toContain('Could not reach');
  });

  it('takes another fetch', async () => {
    const server = await startTestServer(IN_MEMORY);
    const seen: string[] = [];
    const client = createLedgerClient({
      url: server.url,
      fetch: (input, init) => {
        seen.push(new Headers(init?.headers).get('accept') ?? '');
        return fetch(input, init);
      },
    });
    await client.request(TipDocument);
    expect(seen).toEqual(['application/graphql-response+json, application/json']);
  });
});

describe('the typed client: subscriptions over Server-Sent Events', () => {
  it('delivers every mined block in order, until unsubscribed', async () => {
    const server = await startTestServer(IN_MEMORY);
    const client = createLedgerClient({ url: server.url });
    const { seen, open, stop } = watch(client, BlockMinedDocument);
    await open;
    const mined = await mine(client, 3, 'live');
    await until(() => seen.results.length === 3, 'three blockMined results');
    expect(seen.results.map((result) => result.blockMined)).toEqual(mined);
    stop();
    await mine(client, 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seen.results).toHaveLength(3);
    expect(seen.errors).toEqual([]);
    expect(seen.completed).toBe(false);
  });

  it('follows a mine with miningProgress until MINED, then completes', async () => {
    const server = await startTestServer(IN_MEMORY);
    const client = createLedgerClient({ url: server.url });
    const { seen, open } = watch(client, MiningProgressDocument);
    await open;
    const { mineBlock } = await client.request(MineBlockDocument);
    await until(() => seen.completed || seen.errors.length > 0, 'the end of miningProgress');
    expect(seen.errors).toEqual([]);
    const updates = seen.results.map((result) => result.miningProgress);
    const last = updates.at(-1);
    expect(last).toMatchObject({ index: 1, difficulty: 4, expectedAttempts: 16 ** 4, state: 'MINED', block: mineBlock.block });
    expect(last?.attempts).toBeGreaterThanOrEqual(NOTEBOOK_PROOFS[0]);
    expect(updates.slice(0, -1).every((update) => update.state === 'MINING' && update.block === null)).toBe(true);
  });

  it('reports a subscription the server refuses as an error, once', async () => {
    const server = await startTestServer(IN_MEMORY);
    const client = createLedgerClient({ url: server.url });
    const unknownField = new TypedDocumentString('subscription { noSuchField }') as unknown as TypedDocument<
      unknown,
      Record<string, never>
    >;
    const { seen } = watch(client, unknownField);
    await until(() => seen.errors.length > 0, 'an error');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seen.errors).toHaveLength(1);
    expect(seen.errors[0]!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(seen.results).toEqual([]);
    expect(seen.completed).toBe(false);
  });
});

/** Compile-time checks only: tsc fails if the client stops typing variables and results. */
export function typeChecks(client: LedgerClient): void {
  // @ts-expect-error ChainPage needs `last`.
  void client.request(ChainPageDocument);
  // @ts-expect-error `last` is an Int.
  void client.request(ChainPageDocument, { last: '10' });
  // @ts-expect-error no such variable.
  void client.request(TipDocument, { index: 1 });
  void client.request(MineBlockDocument).then(({ mineBlock }) => {
    // @ts-expect-error a block's data may be null.
    const data: string = mineBlock.block.data;
    return data;
  });
}
