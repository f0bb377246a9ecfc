import { createSchema, createYoga } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { useStrictBodies } from '../../src/yoga/request-body.js';

const LIMIT = 100;

function createServer() {
  return createYoga({
    schema: createSchema({
      typeDefs: 'type Query { echo(text: String): String }',
      resolvers: { Query: { echo: (_, { text }: { text: string }) => text } },
    }),
    maxRequestBodySize: false,
    plugins: [useStrictBodies(LIMIT)],
  });
}

/** A JSON body of exactly `size` bytes. */
function bodyOfSize(size: number): string {
  const head = '{"query":"query($t:String){echo(text:$t)}","variables":{"t":"';
  const tail = '"}}';
  return `${head}${'x'.repeat(size - head.length - tail.length)}${tail}`;
}

/** A body that arrives in pieces, without a Content-Length. */
function streamed(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  return new ReadableStream({
    start(controller) {
      for (let offset = 0; offset < bytes.length; offset += 16) controller.enqueue(bytes.slice(offset, offset + 16));
      controller.close();
    },
  });
}

const post = (body: BodyInit, headers: Record<string, string> = {}) =>
  createServer().fetch('http://ledger.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    duplex: 'half',
  } as RequestInit);

describe('request bodies', () => {
  it('accepts a body of up to the limit, however it is sent', async () => {
    for (const body of [bodyOfSize(LIMIT), streamed(bodyOfSize(LIMIT))]) {
      const response = await post(body);
      expect(response.status).toBe(200);
      expect(((await response.json()) as { data: { echo: string } }).data.echo).toMatch(/^x+$/);
    }
  });

  it('refuses a body one byte over the limit with 413, with or without a Content-Length', async () => {
    for (const body of [bodyOfSize(LIMIT + 1), streamed(bodyOfSize(LIMIT + 1))]) {
      const response = await post(body);
      expect(response.status).toBe(413);
      expect(await response.text()).toContain('REQUEST_ENTITY_TOO_LARGE');
    }
  });

  it('refuses a Content-Length over the limit, or not a number, before reading the body', async () => {
    expect((await post('{}', { 'content-length': String(LIMIT + 1) })).status).toBe(413);
    const invalid = await post('{}', { 'content-length': '1, 2' });
    expect(invalid.status).toBe(400);
    expect(await invalid.text()).toContain('BAD_REQUEST');
  });

  it('refuses a body that is not UTF-8', async () => {
    const response = await post(new Uint8Array([...Buffer.from('{"query":"{ echo(text: \\"'), 0xc3, 0x28, ...Buffer.from('\\") }"}')]));
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('not valid UTF-8');
  });
});
