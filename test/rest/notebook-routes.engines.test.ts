import { expect, it } from 'vitest';
import { graphql } from '../helpers/server.js';
import { describeOnEngines } from '../helpers/postgres.js';
import { json, send, notebookServer, type NotebookBlock } from '../helpers/rest-client.js';
import { testDatabase } from '../helpers/storage-engines.js';

describeOnEngines('the notebook REST interface on %s', (engine) => {
  it("answers GET /blocks with the notebook's body: every block, the length and 'Chain is valid.'", async () => {
    const { config } = await testDatabase(engine);
    const { base, server } = await notebookServer(config, config.databasePath);
    await send(base, 'POST', '/blocks');
    await send(base, 'POST', '/blocks', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: 'héllo "world"' }),
    });
    const reply = await send(base, 'GET', '/blocks');
    expect(reply.status).toBe(200);
    expect(reply.headers['cache-control']).toBe('no-store');
    const body = json<{ blockchain: NotebookBlock[]; length: number; message: string }>(reply);
    expect(Object.keys(body)).toEqual(['blockchain', 'length', 'message']);
    expect(body.length).toBe(3);
    expect(body.message).toBe('Chain is valid.');
    expect(body.blockchain.map((block) => block.index)).toEqual([0, 1, 2]);
    expect(body.blockchain[0]).toMatchObject({ index: 0, previous_hash: '0', proof: 1 });
    // `data` appears only on the block that has it; the rest hash as the notebook's blocks do.
    expect(Object.keys(body.blockchain[2]!)).toEqual(['data', 'index', 'previous_hash', 'proof', 'timestamp']);
    expect(body.blockchain[2]!.data).toBe('héllo "world"');
    expect(Object.keys(body.blockchain[1]!)).toEqual(['index', 'previous_hash', 'proof', 'timestamp']);
    // The same blocks GraphQL serves.
    const viaGraphQL = await graphql<{ chain: { nodes: Array<{ hash: string; previousHash: string; timestamp: string }> } }>(
      server.url,
      '{ chain(first: 10) { nodes { hash previousHash timestamp } } }',
    );
    const nodes = viaGraphQL.body.data!.chain.nodes;
    expect(body.blockchain.map((block) => block.previous_hash)).toEqual(nodes.map((node) => node.previousHash));
    expect(body.blockchain.map((block) => block.timestamp)).toEqual(nodes.map((node) => node.timestamp));
  });
});
