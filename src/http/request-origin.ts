import type { IncomingMessage } from 'node:http';

/**
 * Whether a browser sent this request from another site's page. Browsers send
 * `Origin` with every cross-origin POST (and `Sec-Fetch-Site`), including the
 * form posts and `text/plain` fetches that need no CORS preflight; scripts such
 * as the notebook's `requests` client and curl send neither. So refusing foreign
 * origins stops a web page from mining on a developer's server while the
 * notebook's client keeps working unchanged.
 */
export function isForeignBrowserRequest(request: IncomingMessage, allowedOrigins: readonly string[]): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return request.headers['sec-fetch-site'] === 'cross-site';
  if (allowedOrigins.includes(origin)) return false;
  try {
    return new URL(origin).host !== request.headers.host;
  } catch {
    // `Origin: null` (sandboxed frames, file: pages) or garbage.
    return true;
  }
}

/**
 * A CORS preflight from an origin that is not allowed to call the API: refused
 * outright (403), so no answer ever reads as permission. Same-origin pages
 * send no preflight, and neither do scripts.
 */
export function isRefusedPreflight(request: IncomingMessage, allowedOrigins: readonly string[]): boolean {
  if (request.method !== 'OPTIONS' || request.headers['access-control-request-method'] === undefined) return false;
  const origin = request.headers.origin;
  return origin === undefined || !allowedOrigins.includes(origin);
}
