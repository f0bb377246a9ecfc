import { execFile } from 'node:child_process';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createMiningGate } from '../../src/http/mining-gate.js';
import { createNotebookRoutes } from '../../src/rest/notebook-routes.js';
import { NOTEBOOK_BLOCKS, NOTEBOOK_PROOFS } from '../fixtures/notebook-chain.js';
import { requirePython } from '../helpers/python.js';
import { graphql } from '../helpers/server.js';
import { tamper, tempChainDatabase } from '../helpers/temp-database.js';
import { buildChain } from '../helpers/chains.js';
import { json, send, notebookServer, type NotebookBlock } from '../helpers/rest-client.js';

/** A server on a chain of `length` blocks, written straight into its database (mining them one by one took seconds). */
const longChainServer = (length: number) => notebookServer({ difficulty: 1 }, tempChainDatabase(buildChain(length)));

describe('the notebook REST interface', () => {
  it("answers the notebook client's POST /blocks with the notebook's shape, mining the notebook's proofs", async () => {
    const { base } = await notebookServer();
    const proofs: number[] = [];
    for (let i = 0; i < NOTEBOOK_PROOFS.length; i++) {
      const reply = await send(base, 'POST', '/blocks');
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
      const body = json<{ message: string; block: NotebookBlock }>(reply);
      expect(Object.keys(body)).toEqual(['block', 'message']);
      expect(body.message).toBe('Congratulations, you just mined a Block!');
      expect(Object.keys(body.block)).toEqual(['index', 'previous_hash', 'proof', 'timestamp']);
      expect(body.block.index).toBe(i + 1);
      expect(body.block.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
      proofs.push(body.block.proof);
    }
    expect(proofs).toEqual([...NOTEBOOK_PROOFS]);
  });

  it('mines once per Idempotency-Key: a retry, quoted as the draft says or bare, gets the same block', async () => {
    const { base } = await notebookServer();
    const post = (key: string, data: string) =>
      send(base, 'POST', '/blocks', {
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify({ data }),
      });
    const first = await post('"8e03978e-40d5-43e8-bc93-6894a57f9324"', 'order 1');
    expect(first.status).toBe(200);
    const retried = await post('8e03978e-40d5-43e8-bc93-6894a57f9324', 'order 1');
    expect(json<{ block: NotebookBlock }>(retried).block).toEqual(json<{ block: NotebookBlock }>(first).block);
    const reused = await post('"8e03978e-40d5-43e8-bc93-6894a57f9324"', 'order 2');
    expect(reused.status).toBe(422);
    expect(json<{ code: string }>(reused).code).toBe('IDEMPOTENCY_KEY_REUSED');
    const malformed = await post('"two words"', 'order 3');
    expect(malformed.status).toBe(400);
    expect(json<{ code: string }>(malformed).code).toBe('BAD_USER_INPUT');
    expect(json<{ length: number }>(await send(base, 'GET', '/blocks')).length).toBe(2);
  });

  it("answers 500 and 'Chain is not valid!' once block 1's proof is forged to 12345, as in the notebook", async () => {
    const { base, path } = await notebookServer();
    for (let i = 0; i < 4; i++) await send(base, 'POST', '/blocks');
    tamper(path, 'UPDATE blocks SET proof = 12345 WHERE block_index = 1');
    const reply = await send(base, 'GET', '/blocks');
    expect(reply.status).toBe(500);
    const body = json<{ blockchain: NotebookBlock[]; length: number; message: string }>(reply);
    expect(body.message).toBe('Chain is not valid!');
    expect(body.length).toBe(5);
    expect(body.blockchain[1]!.proof).toBe(12345);
    // Mining onto a chain that does not validate is refused.
    const mine = await send(base, 'POST', '/blocks');
    expect(mine.status).toBe(409);
    expect(json<{ code: string }>(mine).code).toBe('CHAIN_INVALID');
  });

  it('reads a slice with ?from=&limit=, keeping the length of the whole chain', async () => {
    const { base } = await notebookServer();
    for (let i = 0; i < 5; i++) await send(base, 'POST', '/blocks');
    const slice = json<{ blockchain: NotebookBlock[]; length: number; message: string }>(await send(base, 'GET', '/blocks?from=2&limit=3'));
    expect(slice.blockchain.map((block) => block.index)).toEqual([2, 3, 4]);
    expect(slice.length).toBe(6);
    expect(slice.message).toBe('Chain is valid.');
    const tail = json<{ blockchain: NotebookBlock[] }>(await send(base, 'GET', '/blocks?from=4'));
    expect(tail.blockchain.map((block) => block.index)).toEqual([4, 5]);
    const beyond = json<{ blockchain: NotebookBlock[]; length: number }>(await send(base, 'GET', '/blocks?from=99'));
    expect(beyond).toMatchObject({ blockchain: [], length: 6 });
    const none = json<{ blockchain: NotebookBlock[] }>(await send(base, 'GET', '/blocks?limit=0'));
    expect(none.blockchain).toEqual([]);
  });

  it('streams a long chain in pieces, block by block in order', async () => {
    // 2,601 blocks: three reads of the stored chain, each written as it is read.
    const { base } = await longChainServer(2601);
    const reply = await send(base, 'GET', '/blocks');
    expect(reply.headers['transfer-encoding']).toBe('chunked');
    expect(reply.headers['content-length']).toBeUndefined();
    const body = json<{ blockchain: NotebookBlock[]; length: number }>(reply);
    expect(body.length).toBe(2601);
    expect(body.blockchain.map((block) => block.index)).toEqual(Array.from({ length: 2601 }, (_, i) => i));
  }, 60_000);

  it.each([
    { name: 'a from that is not a number', method: 'GET', path: '/blocks?from=x', status: 400, code: 'BAD_USER_INPUT' },
    { name: 'a negative limit', method: 'GET', path: '/blocks?limit=-1', status: 400, code: 'BAD_USER_INPUT' },
    { name: 'a fractional from', method: 'GET', path: '/blocks?from=1.5', status: 400, code: 'BAD_USER_INPUT' },
    { name: 'a huge limit', method: 'GET', path: '/blocks?limit=99999999999999999999', status: 400, code: 'BAD_USER_INPUT' },
    { name: 'from given twice', method: 'GET', path: '/blocks?from=1&from=2', status: 400, code: 'BAD_USER_INPUT' },
    { name: 'an unknown parameter', method: 'GET', path: '/blocks?form=1', status: 400, code: 'BAD_USER_INPUT' },
    { name: 'PUT', method: 'PUT', path: '/blocks', status: 405, code: 'METHOD_NOT_ALLOWED' },
    { name: 'DELETE', method: 'DELETE', path: '/blocks', status: 405, code: 'METHOD_NOT_ALLOWED' },
    {
      name: 'a text/plain body',
      method: 'POST',
      path: '/blocks',
      headers: { 'content-type': 'text/plain' },
      body: 'x',
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      name: 'malformed JSON',
      method: 'POST',
      path: '/blocks',
      headers: { 'content-type': 'application/json' },
      body: '{"data":',
      status: 400,
      code: 'BAD_REQUEST',
    },
    {
      name: 'a body that is not UTF-8',
      method: 'POST',
      path: '/blocks',
      headers: { 'content-type': 'application/json' },
      body: Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]),
      status: 400,
      code: 'BAD_REQUEST',
    },
    {
      name: 'a JSON array',
      method: 'POST',
      path: '/blocks',
      headers: { 'content-type': 'application/json' },
      body: '[]',
      status: 400,
      code: 'BAD_USER_INPUT',
    },
    {
      name: 'an unknown field',
      method: 'POST',
      path: '/blocks',
      headers: { 'content-type': 'application/json' },
      body: '{"proof": 5}',
      status: 400,
      code: 'BAD_USER_INPUT',
    },
    {
      name: 'data that is a number',
      method: 'POST',
      path: '/blocks',
      headers: { 'content-type': 'application/json' },
      body: '{"data": 5}',
      status: 400,
      code: 'BAD_USER_INPUT',
    },
    {
      name: 'data over the limit',
      method: 'POST',
      path: '/blocks',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: 'x'.repeat(65) }),
      status: 400,
      code: 'BAD_USER_INPUT',
    },
    {
      name: 'data with a lone surrogate',
      method: 'POST',
      path: '/blocks',
      headers: { 'content-type': 'application/json' },
      body: '{"data": "\\ud800"}',
      status: 400,
      code: 'BAD_USER_INPUT',
    },
    {
      name: 'an oversized body',
      method: 'POST',
      path: '/blocks',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: 'x'.repeat(100_000) }),
      status: 413,
      code: 'REQUEST_ENTITY_TOO_LARGE',
    },
    {
      name: "another site's page (CSRF)",
      method: 'POST',
      path: '/blocks',
      headers: { origin: 'http://evil.example' },
      status: 403,
      code: 'CSRF_PREVENTED',
    },
    {
      name: 'a sandboxed page (Origin: null)',
      method: 'POST',
      path: '/blocks',
      headers: { origin: 'null' },
      status: 403,
      code: 'CSRF_PREVENTED',
    },
    {
      name: 'a cross-site fetch without Origin',
      method: 'POST',
      path: '/blocks',
      headers: { 'sec-fetch-site': 'cross-site' },
      status: 403,
      code: 'CSRF_PREVENTED',
    },
  ])('refuses $name with $status $code, writing nothing', async ({ method, path, headers, body, status, code }) => {
    const { base, server } = await notebookServer();
    const reply = await send(base, method, path, { ...(headers ? { headers } : {}), ...(body === undefined ? {} : { body }) });
    expect(reply.status).toBe(status);
    expect(json<{ code: string; message: string }>(reply)).toMatchObject({ code, message: expect.any(String) as string });
    if (status === 405) expect(reply.headers.allow).toBe('GET, HEAD, POST');
    expect(await server.app.ledger.length()).toBe(1);
  });

  it('lets a page of its own origin mine', async () => {
    const { base } = await notebookServer();
    const reply = await send(base, 'POST', '/blocks', { headers: { origin: base, 'sec-fetch-site': 'same-origin' } });
    expect(reply.status).toBe(200);
  });

  it('applies the mining token and rate limit, as for mineBlock', async () => {
    const token = 'a-token-of-sixteen-chars';
    const { base } = await notebookServer({ miningToken: token, miningRatePerMinute: 1 });
    const anonymous = await send(base, 'POST', '/blocks');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toBe('Bearer realm="ledger"');
    expect(json<{ code: string }>(anonymous).code).toBe('UNAUTHENTICATED');
    const authorized = await send(base, 'POST', '/blocks', { headers: { authorization: `Bearer ${token}` } });
    expect(authorized.status).toBe(200);
    const again = await send(base, 'POST', '/blocks', { headers: { authorization: `Bearer ${token}` } });
    expect(again.status).toBe(429);
    expect(Number(again.headers['retry-after'])).toBeGreaterThan(0);
    expect(json<{ code: string }>(again).code).toBe('RATE_LIMITED');
    // Reads need neither.
    expect((await send(base, 'GET', '/blocks')).status).toBe(200);
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const { base } = await notebookServer();
    const reply = await send(base, 'HEAD', '/blocks');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(reply.text).toBe('');
  });

  it('leaves every other path to GraphQL', async () => {
    const { base, server } = await notebookServer();
    expect((await send(base, 'GET', '/blocks/1')).status).toBe(404);
    expect((await graphql(server.url, '{ tip { index } }')).status).toBe(200);
    expect((await send(base, 'GET', '/shutdown')).status).toBe(404);
  });

  it('answers SHUTTING_DOWN (503) to a mine once the server is closing', async () => {
    const { base, server } = await notebookServer();
    await server.app.ledger.close();
    const reply = await send(base, 'POST', '/blocks');
    expect(reply.status).toBe(503);
    expect(json<{ code: string }>(reply).code).toBe('SHUTTING_DOWN');
  });

  it("serves the notebook's own Python client, whose hash_block agrees with every link", async (context) => {
    requirePython(context);
    const { base } = await notebookServer();
    const { hostname, port } = new URL(base);
    const { stdout } = await promisify(execFile)('python3', [resolve(import.meta.dirname, 'notebook-client.py'), hostname, port, '5'], {
      timeout: 30_000,
    }).catch((error: { stderr?: string }) => {
      if (error.stderr?.includes("No module named 'requests'")) return { stdout: null };
      throw error;
    });
    if (stdout === null) {
      console.warn('skipped: the notebook client needs the Python module `requests`, which is not installed here');
      return;
    }
    const run = JSON.parse(stdout) as {
      mined: Array<{ status: number; body: { message: string; block: NotebookBlock } }>;
      chain: { status: number; body: { blockchain: NotebookBlock[]; length: number; message: string } };
      hashes: string[];
    };
    expect(run.mined.map(({ status }) => status)).toEqual([200, 200, 200, 200, 200]);
    expect(run.mined.map(({ body }) => body.block.proof)).toEqual([...NOTEBOOK_PROOFS]);
    expect(run.chain.status).toBe(200);
    expect(run.chain.body).toMatchObject({ length: 6, message: 'Chain is valid.' });
    const links = run.chain.body.blockchain.slice(1).map((block) => block.previous_hash);
    expect(links).toEqual(run.hashes.slice(0, -1));
  });

  it("hashes the notebook's printed blocks as the notebook's Python does", () => {
    // The fixture's hashes come from the notebook's output; GET /blocks shows them without `hash`.
    expect(NOTEBOOK_BLOCKS.slice(1).map((block) => block.previousHash)).toEqual(NOTEBOOK_BLOCKS.slice(0, -1).map((block) => block.hash));
  });
});

describe('GET /blocks streaming', () => {
  it('stops reading the chain when the client goes away, leaving no listener behind', async () => {
    const { server } = await longChainServer(2001);
    let pagesRead = 0;
    let finished!: () => void;
    const streamDone = new Promise<void>((resolvePromise) => (finished = resolvePromise));
    const ledger = {
      ...server.app.ledger,
      async *batches(...args: Parameters<typeof server.app.ledger.batches>) {
        for await (const batch of server.app.ledger.batches(...args)) {
          pagesRead += 1;
          yield batch;
        }
      },
    };
    const routes = createNotebookRoutes({
      ledger,
      miningGate: createMiningGate({ token: null, ratePerMinute: 0 }),
      clientKey: () => 'test',
      batchSize: 10,
    });
    const http = createServer((request, response) => {
      response.on('close', () => setImmediate(finished));
      routes(request, response);
    });
    await new Promise<void>((resolvePromise) => http.listen(0, '127.0.0.1', resolvePromise));
    onTestFinished(() => new Promise<void>((resolvePromise) => http.close(() => resolvePromise())));
    const { port } = http.address() as AddressInfo;

    const firstBytes = await new Promise<ServerResponse | IncomingMessage>((resolvePromise, reject) => {
      const request = httpRequest({ host: '127.0.0.1', port, path: '/blocks' }, (response) => {
        response.once('data', () => {
          // Read one piece, then hang up without reading the rest.
          request.destroy();
          resolvePromise(response);
        });
      });
      request.on('error', () => undefined);
      request.on('close', () => undefined);
      request.end();
      setTimeout(() => reject(new Error('no data')), 10_000);
    });
    expect(firstBytes).toBeDefined();
    await streamDone;
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 50));
    // 2,001 blocks are 201 batches; the stream stopped soon after the client left.
    expect(pagesRead).toBeGreaterThan(0);
    expect(pagesRead).toBeLessThan(150);
  }, 60_000);

  it('lets the event loop turn between pieces, even when the socket takes every write at once', async () => {
    const { server } = await longChainServer(1001);
    // A loop of setImmediate callbacks counts event-loop turns; each batch read notes the count.
    let turns = 0;
    let counting = true;
    const count = (): void => {
      turns += 1;
      if (counting) setImmediate(count);
    };
    setImmediate(count);
    onTestFinished(() => {
      counting = false;
    });
    const turnsAtEachRead: number[] = [];
    const ledger = {
      ...server.app.ledger,
      async *batches(...args: Parameters<typeof server.app.ledger.batches>) {
        for await (const batch of server.app.ledger.batches(...args)) {
          turnsAtEachRead.push(turns);
          yield batch;
        }
      },
    };
    const routes = createNotebookRoutes({
      ledger,
      miningGate: createMiningGate({ token: null, ratePerMinute: 0 }),
      clientKey: () => 'test',
      batchSize: 10,
      pieceChars: 1, // a piece per block: every batch read is written before the next
    });
    const http = createServer((request, response) => void routes(request, response));
    await new Promise<void>((resolvePromise) => http.listen(0, '127.0.0.1', resolvePromise));
    onTestFinished(() => new Promise<void>((resolvePromise) => http.close(() => resolvePromise())));
    const { port } = http.address() as AddressInfo;
    // A client in another process, which reads as fast as the kernel delivers.
    const client =
      "require('node:http').get(process.argv[1], (r) => { let n = 0; r.on('data', (c) => (n += c.length)); r.on('end', () => console.log(n)); })";
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', client, `http://127.0.0.1:${port}/blocks`]);
    expect(Number(stdout)).toBeGreaterThan(100_000);
    expect(turnsAtEachRead).toHaveLength(101);
    // Every read happens on a later turn than the one before it.
    const sameTurn = turnsAtEachRead.filter((value, i) => i > 0 && value === turnsAtEachRead[i - 1]);
    expect(sameTurn).toEqual([]);
  }, 60_000);
});
