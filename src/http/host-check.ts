import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { refuse } from './refusal.js';

/**
 * Names that can only mean this machine. `*.localhost` resolves to loopback
 * by definition (RFC 6761), so a page cannot re-point it at its own server.
 */
const LOOPBACK_NAME = /^(?:localhost|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.localhost)\.?$/i;

/**
 * A Host header, read strictly: a name or IPv4 address, or an IPv6 address in
 * brackets, then optionally `:` and a port of 1 to 65535. Nothing else: no
 * userinfo (`127.0.0.1:80@evil.com`), no empty or signed or named port. null
 * when the header is not that.
 */
export function parseHostHeader(value: string): { hostname: string; port: number | null } | null {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.?))(?::([0-9]{1,5}))?$/.exec(value);
  if (match === null) return null;
  const [, ipv6, name, portText] = match;
  if (ipv6 !== undefined && isIP(ipv6) !== 6) return null;
  const port = portText === undefined ? null : Number(portText);
  if (port !== null && (port < 1 || port > 65_535)) return null;
  return { hostname: ipv6 ?? name ?? '', port };
}

/**
 * Why no URL can be made of this request, or null: a Host that is not a host
 * (see parseHostHeader), or a target that is not a path. The GraphQL server
 * builds `http://<Host><target>` and would fail on either.
 */
export function malformedTarget(request: IncomingMessage): string | null {
  const host = request.headers.host;
  if (host !== undefined && parseHostHeader(host) === null) {
    return `The Host header ${JSON.stringify(host)} is not a host name or address with an optional port from 1 to 65535.`;
  }
  if (!(request.url ?? '').startsWith('/')) return 'The request target must be a path that starts with "/".';
  return null;
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
  if (host === undefined) return false;
  const parsed = parseHostHeader(host);
  return parsed === null || !isLoopbackHost(parsed.hostname);
}

/** 421 Misdirected Request, in the shape the path's clients read. */
export function refuseMisdirected(request: IncomingMessage, response: ServerResponse, graphqlEndpoint: string): void {
  const message =
    `This server listens on loopback and answers only to localhost, 127.0.0.1 or [::1], not to "${request.headers.host ?? ''}". ` +
    'Behind a reverse proxy that forwards another Host, set TRUST_PROXY.';
  refuse(request, response, { graphqlEndpoint, code: 'MISDIRECTED_REQUEST', message });
}
