import { describe, expect, it } from 'vitest';
import { IN_MEMORY, startTestServer } from '../helpers/server.js';

const LISTS = [['http://one.test'], ['http://one.test', 'http://two.test'], ['http://one.test', 'http://two.test', 'https://three.test']];
const QUERY = JSON.stringify({ query: '{ tip { index } }' });

describe('CORS with one, two and three configured origins', () => {
  it.each(LISTS.map((list) => [list.length, list] as const))(
    '%i origin(s): only a listed origin is ever named, and only to itself',
    async (_n, list) => {
      const server = await startTestServer(IN_MEMORY, { corsOrigins: list });
      const preflight = (origin: string) =>
        fetch(server.url, {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
        });
      const post = (origin: string) =>
        fetch(server.url, { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: QUERY });

      for (const origin of list) {
        const allowed = await preflight(origin);
        expect(allowed.status, origin).toBe(204);
        expect(allowed.headers.get('access-control-allow-origin'), origin).toBe(origin);
        expect((await post(origin)).headers.get('access-control-allow-origin'), origin).toBe(origin);
      }
      for (const origin of ['null', 'https://evil.example', 'http://one.test.evil.example']) {
        const refused = await preflight(origin);
        expect(refused.status, origin).toBe(403);
        expect(refused.headers.get('access-control-allow-origin'), origin).toBeNull();
        expect(await refused.json(), origin).toMatchObject({ errors: [{ extensions: { code: 'CSRF_PREVENTED' } }] });
        // A request sent anyway (a simple one needs no preflight) is not readable by the page: no header names it.
        expect((await post(origin)).headers.get('access-control-allow-origin'), origin).toBeNull();
      }
    },
  );

  it('refuses every cross-origin preflight when no origin is configured', async () => {
    const server = await startTestServer(IN_MEMORY);
    const reply = await fetch(server.url, { method: 'OPTIONS', headers: { origin: 'null', 'access-control-request-method': 'POST' } });
    expect(reply.status).toBe(403);
    expect(reply.headers.get('access-control-allow-origin')).toBeNull();
  });
});
