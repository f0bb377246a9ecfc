import { describe, expect, it } from 'vitest';
import { declaresOnlyUtf8 } from '../../src/http/content-type.js';
import { IN_MEMORY, startTestServer } from '../helpers/server.js';

describe('declaresOnlyUtf8', () => {
  it.each([
    [undefined, true],
    [null, true],
    ['application/json', true],
    ['application/json; charset=utf-8', true],
    ['application/json;charset="UTF-8"', true],
    ['application/json; CHARSET=utf8', true],
    ['application/json; charset=latin1', false],
    ['application/json; charset=iso-8859-1', false],
    ['application/json; charset=utf-16', false],
    ['application/json; charset=', false],
  ])('%j: %s', (contentType, onlyUtf8) => {
    expect(declaresOnlyUtf8(contentType)).toBe(onlyUtf8);
  });
});

describe('a body in another charset, and strict /blocks numbers', () => {
  it('is refused with 415 on both interfaces, and nothing is mined', async () => {
    const server = await startTestServer(IN_MEMORY);
    const latin1 = { 'content-type': 'application/json; charset=latin1' };
    const graphql = await fetch(server.url, {
      method: 'POST',
      headers: latin1,
      body: '{"query":"mutation { mineBlock(data: \\"caf\\u00e9\\") { block { index } } }"}',
    });
    expect(graphql.status).toBe(415);
    expect(await graphql.json()).toMatchObject({ errors: [{ extensions: { code: 'UNSUPPORTED_MEDIA_TYPE' } }] });
    const rest = await fetch(new URL('/blocks', server.url), { method: 'POST', headers: latin1, body: '{"data":"caf\u00e9"}' });
    expect(rest.status).toBe(415);
    expect(await rest.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(await server.app.ledger.length()).toBe(1);
    const utf8 = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=UTF-8' },
      body: '{"query":"{ tip { index } }"}',
    });
    expect(utf8.status).toBe(200);
  });

  it.each(['from=01', 'limit=007', 'from=+1', 'from=1e2', 'from=0x1'])('GET /blocks?%s is refused with 400', async (query) => {
    const server = await startTestServer(IN_MEMORY);
    const reply = await fetch(new URL(`/blocks?${query}`, server.url));
    expect(reply.status).toBe(400);
    expect(await reply.json()).toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});
