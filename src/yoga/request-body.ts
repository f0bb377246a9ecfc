import { isUtf8 } from 'node:buffer';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { declaresOnlyUtf8 } from '../http/content-type.js';
import { graphqlStatus } from '../shared/error-codes.js';

const badRequest = (message: string) =>
  createGraphQLError(message, { extensions: { code: 'BAD_REQUEST', http: { status: graphqlStatus('BAD_REQUEST') } } });
const tooLarge = () =>
  createGraphQLError('Request body too large', {
    extensions: { code: 'REQUEST_ENTITY_TOO_LARGE', http: { status: graphqlStatus('REQUEST_ENTITY_TOO_LARGE') } },
  });

/** Reads a body to its end, failing as soon as it passes `maxBytes`: a client cannot make the server buffer more. */
async function readAtMost(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<Buffer<ArrayBuffer>> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    size += chunk.value.byteLength;
    if (size > maxBytes) {
      // Stops reading: the rest of the body is never read, let alone buffered.
      reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(chunk.value);
  }
  return Buffer.concat(chunks, size);
}

/**
 * Request bodies: at most `maxBytes` (413), and UTF-8 (RFC 8259; 400). yoga
 * decodes leniently, turning invalid bytes into U+FFFD, which would then be
 * mined into a block as if the client had meant it.
 *
 * This replaces yoga's `maxRequestBodySize` (which must be off): that one
 * pipes every body through a web TransformStream, which cost more than the
 * rest of a cached read. Here the body is read once, counted as it arrives,
 * and handed to whichever parser yoga picked.
 */
export function useStrictBodies(maxBytes: number): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      const contentLength = request.headers.get('content-length');
      if (contentLength !== null) {
        if (!/^\d+$/.test(contentLength)) throw badRequest('Content-Length header is invalid.');
        if (Number(contentLength) > maxBytes) throw tooLarge();
      }
      if (!declaresOnlyUtf8(request.headers.get('content-type'))) {
        throw createGraphQLError('The request body must be UTF-8: send no charset, or charset=utf-8.', {
          extensions: { code: 'UNSUPPORTED_MEDIA_TYPE', http: { status: graphqlStatus('UNSUPPORTED_MEDIA_TYPE') } },
        });
      }
      if (requestParser === undefined) return;
      setRequestParser(async (parsed) => {
        if (parsed.body === null) return requestParser(parsed);
        const body = await readAtMost(parsed.body, maxBytes);
        if (!isUtf8(body)) throw badRequest('The request body is not valid UTF-8.');
        return requestParser(new fetchAPI.Request(parsed.url, { method: parsed.method, headers: parsed.headers, body }));
      });
    },
  };
}
