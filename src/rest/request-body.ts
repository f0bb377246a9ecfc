import type { IncomingMessage } from 'node:http';
import { declaresOnlyUtf8 } from '../http/content-type.js';
import { RequestError } from '../http/request-error.js';

const tooLarge = (maxBytes: number): RequestError =>
  new RequestError('REQUEST_ENTITY_TOO_LARGE', `The request body is larger than ${maxBytes} bytes.`, { connection: 'close' });

/** Reads the whole body, refusing (413) as soon as it passes `maxBytes`, whatever Content-Length claimed. */
export async function readRequestBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, bytes);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The optional body of `POST /blocks`: none at all (what the notebook's client
 * sends), or a JSON object `{"data": "..."}` to store a payload in the block.
 */
export function parseMineRequest(body: Buffer, contentType: string | undefined): { readonly data: string | null } {
  if (body.length === 0) return { data: null };
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json' || !declaresOnlyUtf8(contentType)) {
    throw new RequestError(
      'UNSUPPORTED_MEDIA_TYPE',
      'Send no body, or a JSON body ({"data": "..."}) with Content-Type: application/json (UTF-8).',
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8.decode(body));
  } catch (error) {
    const reason = error instanceof SyntaxError ? 'it is not valid JSON' : 'it is not valid UTF-8';
    throw new RequestError('BAD_REQUEST', `The request body cannot be read: ${reason}.`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new RequestError('BAD_USER_INPUT', 'The request body must be a JSON object, e.g. {"data": "..."}.');
  }
  const unknownKey = Object.keys(parsed).find((key) => key !== 'data');
  if (unknownKey !== undefined) throw new RequestError('BAD_USER_INPUT', `Unknown field "${unknownKey}": the only field is "data".`);
  const { data = null } = parsed as { data?: unknown };
  if (data !== null && typeof data !== 'string') throw new RequestError('BAD_USER_INPUT', '"data" must be a string or null.');
  return { data };
}
