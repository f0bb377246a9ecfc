import type { IncomingMessage } from 'node:http';
import { isIPv6 } from 'node:net';

/**
 * One spelling per address: `::ffff:192.0.2.1` (an IPv4 client on a
 * dual-stack socket) is 192.0.2.1, and IPv6 takes its canonical short form.
 */
export function normalizeAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  return isIPv6(address) ? new URL(`http://[${address}]`).hostname.slice(1, -1) : address;
}

/** The first four groups of an IPv6 address: one subscriber usually holds a whole /64. */
function ipv6Prefix64(address: string): string {
  const [head = '', tail = ''] = address.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === '' ? [] : tail.split(':');
  const groups = address.includes('::')
    ? [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups]
    : headGroups;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/**
 * Whom a request counts against for rate limiting: the socket's peer, or,
 * when that peer is one of our own reverse proxies (`trustedProxies`), the last
 * X-Forwarded-For entry, which that proxy appended. Earlier entries are
 * whatever the client claimed and are never used. IPv6 clients count by /64.
 */
export function clientKey(request: IncomingMessage | undefined, trustedProxies: ReadonlySet<string>): string {
  const peer = normalizeAddress(request?.socket.remoteAddress ?? 'unknown');
  let address = peer;
  if (trustedProxies.has(peer)) {
    const forwarded = request?.headers['x-forwarded-for'];
    const last = (Array.isArray(forwarded) ? forwarded.join(',') : forwarded)?.split(',').at(-1)?.trim();
    if (last) address = normalizeAddress(last);
  }
  return addressKey(address);
}

/** Whom an address counts as: itself (IPv4), or its /64 (IPv6). */
export const addressKey = (address: string): string => (isIPv6(address) ? ipv6Prefix64(address) : address);

/** Whom a request counts against: `clientKey` with the trusted-proxy set built once, for every transport. */
export type ClientKeyer = (request: IncomingMessage | undefined) => string;

export function createClientKeyer(trustedProxies: readonly string[]): ClientKeyer {
  const proxies: ReadonlySet<string> = new Set(trustedProxies.map(normalizeAddress));
  return (request) => clientKey(request, proxies);
}
