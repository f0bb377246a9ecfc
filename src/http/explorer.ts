import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';

/** explorer/ at the repository root (the same from src/http and dist/http). */
export const EXPLORER_DIRECTORY = resolve(import.meta.dirname, '../../explorer');

/** Where the page's assets live; `/` itself serves index.html. */
const EXPLORER_ASSET_PREFIX = '/explorer/';

/**
 * The page's own script, style sheet and icon, and fetches to this origin
 * (/graphql): nothing inline, nothing from elsewhere, no framing.
 */
export const EXPLORER_CSP = "default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'";

const FILES: Readonly<Record<string, { readonly file: string; readonly type: string }>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/explorer/explorer.js': { file: 'dist/explorer.js', type: 'text/javascript; charset=utf-8' },
  '/explorer/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
  '/explorer/favicon.svg': { file: 'favicon.svg', type: 'image/svg+xml' },
};

interface Asset {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
}

interface ExplorerRoutesOptions {
  /** The explorer folder; EXPLORER_DIRECTORY unless a test says otherwise. */
  readonly directory?: string;
}

/** Answers `/` and `/explorer/*`; false for any other path, which the caller routes on. */
type ExplorerRoutes = (request: IncomingMessage, response: ServerResponse) => boolean;

const SECURITY_HEADERS = {
  'content-security-policy': EXPLORER_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

function load(directory: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const [path, { file, type }] of Object.entries(FILES)) {
    let body: Buffer;
    try {
      body = readFileSync(join(directory, file));
    } catch (error) {
      throw new Error(`The block explorer's ${file} cannot be read from ${directory} (run npm run build:explorer)`, { cause: error });
    }
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    assets.set(path, { body, type, etag });
  }
  return assets;
}

/** Whether an If-None-Match header names `etag` (weak or strong, or `*`). */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || tag === etag || tag === `W/${etag}`;
  });
}

function sendText(response: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': 'text/plain; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
    ...headers,
  });
  response.end(text);
}

/**
 * Serves the block explorer: its page at `/` and its assets under
 * `/explorer/`, read once at start-up. Browsers revalidate every time
 * (`no-cache` with an ETag), so a new version shows on the next load.
 */
export function createExplorerRoutes({ directory = EXPLORER_DIRECTORY }: ExplorerRoutesOptions = {}): ExplorerRoutes {
  const assets = load(directory);

  return (request, response) => {
    const target = request.url ?? '/';
    const queryStart = target.indexOf('?');
    const path = queryStart === -1 ? target : target.slice(0, queryStart);
    if (path !== '/' && path !== '/explorer' && !path.startsWith(EXPLORER_ASSET_PREFIX)) return false;

    const asset = assets.get(path);
    if (asset === undefined) {
      sendText(response, 404, 'Not found.\n');
      return true;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      sendText(response, 405, `${request.method ?? 'This method'} is not allowed here: use GET.\n`, { allow: 'GET, HEAD' });
      return true;
    }
    const headers = { ...SECURITY_HEADERS, 'cache-control': 'no-cache', etag: asset.etag };
    if (matches(request.headers['if-none-match'], asset.etag)) {
      response.writeHead(304, headers);
      response.end();
      return true;
    }
    response.writeHead(200, { ...headers, 'content-type': asset.type, 'content-length': String(asset.body.length) });
    response.end(request.method === 'HEAD' ? undefined : asset.body);
    return true;
  };
}
