import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientKey, normalizeAddress } from '../../src/http/client-address.js';

const request = (peer: string, forwardedFor?: string) =>
  ({
    socket: { remoteAddress: peer },
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  }) as unknown as IncomingMessage;

describe('clientKey', () => {
  it('is the peer address, ignoring X-Forwarded-For from anyone but a trusted proxy', () => {
    expect(clientKey(request('192.0.2.5', '198.51.100.1'), new Set())).toBe('192.0.2.5');
    expect(clientKey(request('192.0.2.5', '198.51.100.1'), new Set(['192.0.2.9']))).toBe('192.0.2.5');
  });

  it("takes the last X-Forwarded-For entry, the one our proxy added, never the client's own claims", () => {
    const proxies = new Set(['10.0.0.2']);
    expect(clientKey(request('10.0.0.2', '6.6.6.6, 203.0.113.4'), proxies)).toBe('203.0.113.4');
    expect(clientKey(request('::ffff:10.0.0.2', '203.0.113.4'), proxies)).toBe('203.0.113.4');
    expect(clientKey(request('10.0.0.2'), proxies)).toBe('10.0.0.2');
  });

  it('counts an IPv6 client by its /64, however the address is spelled', () => {
    expect(clientKey(request('2001:db8:1:2:aaaa::1'), new Set())).toBe('2001:db8:1:2::/64');
    expect(clientKey(request('2001:0db8:0001:0002:ffff:0:0:9'), new Set())).toBe('2001:db8:1:2::/64');
    expect(clientKey(request('::1'), new Set())).toBe('0:0:0:0::/64');
    expect(normalizeAddress('0:0:0:0:0:0:0:1')).toBe('::1');
    expect(normalizeAddress('::ffff:192.0.2.1')).toBe('192.0.2.1');
  });
});
