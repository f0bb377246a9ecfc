import type { IncomingMessage, ServerResponse } from 'node:http';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { notebookChainJsonChunksOf } from '../core/notebook-chain-json.js';
import { drainedOrClosed } from '../shared/drained.js';
import { NOTEBOOK_INVALID_MESSAGE, NOTEBOOK_MINED_MESSAGE, NOTEBOOK_VALID_MESSAGE, toNotebookBlockJson } from '../core/notebook-format.js';
import type { ClientKeyer } from '../http/client-address.js';
import type { MiningGate } from '../http/mining-gate.js';
import { RequestError } from '../http/request-error.js';
import { isForeignBrowserRequest } from '../http/request-origin.js';
import type { Ledger } from '../ledger/ledger.js';
import { parseMineRequest, readRequestBody } from './request-body.js';
import { INTERNAL_FAILURE, sendFailure, sendJson, toRestFailure } from './rest-error.js';

const NOTEBOOK_BLOCKS_PATH = '/blocks';

/** Blocks read per query of `GET /blocks` (fewer when they are large: see PAGE_DATA_BYTES). */
const STREAM_BATCH = 1000;
/** The mine request body holds at most `data`, which JSON may inflate up to 6 times (`\uXXXX`). */
const bodyMaxBytes = (dataMaxBytes: number): number => 1024 + 6 * dataMaxBytes;

interface NotebookRoutesOptions {
  readonly ledger: Ledger;
  readonly miningGate: MiningGate;
  /** Whom a request counts against for the mining rate limit (see client-address.ts). */
  readonly clientKey: ClientKeyer;
  /** Origins besides our own whose browser pages may mine (CORS_ORIGINS). */
  readonly allowedOrigins?: readonly string[];
  /** Told about failures that are not the client's (answered 500 without details). */
  readonly onInternalError?: (error: unknown) => void;
  /** Blocks per read of `GET /blocks` (STREAM_BATCH). */
  readonly batchSize?: number;
  /** Characters per write of `GET /blocks` (see notebookChainJsonChunks); the event loop turns after each. */
  readonly pieceChars?: number;
}

/** Handles the notebook's routes; false for any other path, which the caller routes on. */
export type NotebookRoutes = (request: IncomingMessage, response: ServerResponse) => boolean;

interface BlocksQuery {
  readonly from: number;
  readonly limit: number;
}

function parseBlocksQuery(search: URLSearchParams): BlocksQuery {
  const unknown = [...search.keys()].find((key) => key !== 'from' && key !== 'limit');
  if (unknown !== undefined) throw new RequestError('BAD_USER_INPUT', `Unknown parameter "${unknown}": GET /blocks takes from and limit.`);
  const whole = (name: string, fallback: number): number => {
    const values = search.getAll(name);
    if (values.length === 0) return fallback;
    const [value = ''] = values;
    const parsed = Number(value);
    if (values.length > 1 || !/^(?:0|[1-9][0-9]*)$/.test(value) || !Number.isSafeInteger(parsed)) {
      throw new RequestError('BAD_USER_INPUT', `${name} must be one whole number from 0 up; got "${values.join('", "')}".`);
    }
    return parsed;
  };
  return { from: whole('from', 0), limit: whole('limit', Number.MAX_SAFE_INTEGER) };
}

/**
 * The `Idempotency-Key` header (IETF httpapi draft): a structured-field
 * string (`"…"`), or a bare token, which clients often send. Its characters
 * are checked by the ledger, as the GraphQL argument's are.
 */
export function idempotencyKeyOf(request: IncomingMessage): string | null {
  const header = request.headers['idempotency-key'];
  if (header === undefined) return null;
  const value = (Array.isArray(header) ? header.join(', ') : header).trim();
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}

/**
 * The notebook's Flask interface, unchanged: `POST /blocks` mines a block
 * and `GET /blocks` returns the chain with the notebook's messages and statuses
 * (500 when the chain does not validate). Its `/shutdown` route is left out on
 * purpose: anyone could stop the server with it.
 */
export function createNotebookRoutes({
  ledger,
  miningGate,
  clientKey,
  allowedOrigins = [],
  onInternalError = () => undefined,
  batchSize = STREAM_BATCH,
  pieceChars,
}: NotebookRoutesOptions): NotebookRoutes {
  async function mine(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (isForeignBrowserRequest(request, allowedOrigins)) {
      throw new RequestError('CSRF_PREVENTED', 'Pages from other sites may not mine on this server.');
    }
    const { data } = parseMineRequest(await readRequestBody(request, bodyMaxBytes(ledger.dataMaxBytes)), request.headers['content-type']);
    await miningGate.admit({ authorization: request.headers.authorization ?? null, address: clientKey(request) });
    const { block } = await ledger.mineBlock({ data, idempotencyKey: idempotencyKeyOf(request) });
    sendJson(response, 200, { block: toNotebookBlockJson(block), message: NOTEBOOK_MINED_MESSAGE });
  }

  async function streamChain(request: IncomingMessage, response: ServerResponse, search: URLSearchParams): Promise<void> {
    const { from, limit } = parseBlocksQuery(search);
    const { valid } = await ledger.validate();
    const length = await ledger.length();
    response.writeHead(valid ? 200 : 500, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    const end = from + Math.min(limit, Math.max(0, length - from));
    // Stored blocks never change (the table is append-only): batches read at
    // different moments form one consistent slice.
    const chunks = notebookChainJsonChunksOf(ledger.batches(batchSize, { from, end }), {
      length,
      message: valid ? NOTEBOOK_VALID_MESSAGE : NOTEBOOK_INVALID_MESSAGE,
      pieceChars,
    });
    for await (const chunk of chunks) {
      if (response.destroyed) return; // the client went away: stop reading
      if (!response.write(chunk)) await drainedOrClosed(response);
      // Always: a socket that takes every write at once drains in nextTick,
      // which would keep the event loop from ever reaching other requests.
      await nextTurn();
    }
    response.end();
  }

  async function handle(request: IncomingMessage, response: ServerResponse, search: URLSearchParams): Promise<void> {
    try {
      if (request.method === 'POST') await mine(request, response);
      else if (request.method === 'GET' || request.method === 'HEAD') await streamChain(request, response, search);
      else
        throw new RequestError('METHOD_NOT_ALLOWED', `${request.method} is not allowed on /blocks: use GET or POST.`, {
          allow: 'GET, HEAD, POST',
        });
    } catch (error) {
      if (response.destroyed) return; // the client is gone: no one to answer
      const failure = toRestFailure(error);
      if (failure === null) onInternalError(error);
      if (response.headersSent) {
        // Mid-stream: cut the connection, so the client sees a broken body rather than a short chain.
        response.destroy(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      sendFailure(response, failure ?? INTERNAL_FAILURE);
    }
  }

  return (request, response) => {
    const target = request.url ?? '/';
    const queryStart = target.indexOf('?');
    if ((queryStart === -1 ? target : target.slice(0, queryStart)) !== NOTEBOOK_BLOCKS_PATH) return false;
    void handle(request, response, new URLSearchParams(queryStart === -1 ? '' : target.slice(queryStart + 1)));
    return true;
  };
}
