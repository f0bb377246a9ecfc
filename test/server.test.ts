import { describe, expect, it } from 'vitest';
import { IN_MEMORY, startTestServer } from './helpers/server.js';

describe('the HTTP server', () => {
  it('routes / to the block explorer (which links to GraphiQL), /graphql to GraphiQL and the API, /blocks to the seed routes', async () => {
    const server = await startTestServer(IN_MEMORY);
    const root = await fetch(new URL('/', server.url), { redirect: 'manual' });
    expect(root.status).toBe(200);
    expect(await root.text()).toContain('href="/graphql"');
    const graphiql = await fetch(server.url, { headers: { accept: 'text/html' } });
    expect(graphiql.status).toBe(200);
    expect(await graphiql.text()).toContain('Proof-of-work ledger');
    const blocks = await fetch(new URL('/blocks', server.url));
    expect(blocks.status).toBe(200);
    expect(await blocks.json()).toMatchObject({ length: 1, message: 'Chain is valid.' });
  });
});
