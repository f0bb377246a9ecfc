import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { graphqlStatus, restStatus, type ErrorCode } from '../shared/error-codes.js';

/**
 * Names that can only mean this machine. `*.localhost` resolves to loopback
 * by definition (RFC 6761), so a page cannot re-point it at its own server.
 */
const LOOPBACK_NAME = /^(?:localhost|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.localhost)\.?$/i;

/** The host part of a Host header: `[::1]:4000` → `::1`, `localhost:4000` → `localhost`. */
function hostname(hostHeader: string): string {
  const bracketed = /^\[([^\]]*)\](?::\d*)?$/.exec(hostHeader);
  if (bracketed) return bracketed[1] ?? '';
  const colon = hostHeader.lastIndexOf(':');
  return colon === -1 ? hostHeader : hostHeader.slice(0, colon);
}

/** Whether `host` (a listen address or a Host header's name) is this machine only. */
export function isLoopbackHost(host: string): boolean {
  if (LOOPBACK_NAME.test(host)) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || /^::ffff:127\./i.test(host);
}

/**
 * DNS rebinding: a page on `evil.example` whose name the attacker then points
 * at 127.0.0.1 is, to the browser, same-origin with this server; CSRF and CORS
 * checks cannot tell it apart. What gives it away is the Host header, which
 * still names `evil.example`. A server listening on loopback only is reached
 * under a loopback name or address unless a reverse proxy (TRUST_PROXY)
 * forwards another Host; so a non-loopback Host is refused.
 */
export function isRebindingSuspect(
  request: IncomingMessage,
  { listenHost, trustedProxies }: { listenHost: string; trustedProxies: readonly string[] },
): boolean {
  if (trustedProxies.length > 0 || !isLoopbackHost(listenHost)) return false;
  const host = request.headers.host;
  // HTTP/1.0 clients may send none; browsers always do.
  return host !== undefined && !isLoopbackHost(hostname(host));
}

/** 421 Misdirected Request, in the shape the path's clients read. */
export function refuseMisdirected(request: IncomingMessage, response: ServerResponse, graphqlEndpoint: string): void {
  const message =
    `This server listens on loopback and answers only to localhost, 127.0.0.1 or [::1], not to "${request.headers.host ?? ''}". ` +
    'Behind a reverse proxy that forwards another Host, set TRUST_PROXY.';
  const code: ErrorCode = 'MISDIRECTED_REQUEST';
  const path = (request.url ?? '/').split('?')[0] ?? '/';
  const graphql = path === graphqlEndpoint;
  const body = graphql ? { errors: [{ message, extensions: { code } }] } : { code, message };
  const text = JSON.stringify(body);
  response.writeHead(graphql ? graphqlStatus(code) : restStatus(code), {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
  });
  response.end(text);
}
