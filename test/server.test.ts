import { describe, expect, it } from 'vitest';
import { IN_MEMORY, startTestServer } from './helpers/server.js';

describe('the HTTP server', () => {
  it('routes / to the block explorer (which links to GraphiQL), /graphql to GraphiQL and the API, /blocks to the notebook routes', async () => {
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

describe('the last resort', () => {
  it('answers whatever a route throws with a 500 and a code, never the stack or a path, and keeps serving', async () => {
    const server = await startTestServer(IN_MEMORY);
    const app = server.app as { notebookRoutes: unknown };
    const notebookRoutes = app.notebookRoutes;
    app.notebookRoutes = () => {
      throw new Error('failed at /secret/path/ledger.ts:12');
    };
    const reply = await fetch(new URL('/blocks', server.url));
    expect(reply.status).toBe(500);
    const text = await reply.text();
    expect(JSON.parse(text)).toEqual({ code: 'INTERNAL_SERVER_ERROR', message: 'Unexpected error.' });
    expect(text).not.toContain('/secret');
    const viaGraphQL = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{tip{index}}"}',
    });
    expect(viaGraphQL.status).toBe(500);
    expect(await viaGraphQL.json()).toEqual({ errors: [{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
    app.notebookRoutes = notebookRoutes;
    expect((await fetch(new URL('/blocks', server.url))).status).toBe(200);
  });
});
