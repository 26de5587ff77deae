/**
 * IP_UNICAST_IF / IPV6_UNICAST_IF: the interface outgoing unicast leaves by, inside a network
 * namespace (helpers/unicast-if-child.ts; documentation addresses only). Windows (Microsoft's
 * IPPROTO_IP / IPPROTO_IPV6 socket options pages, shared spec remaining-codes.md #29): option 31
 * at both levels; IP_UNICAST_IF takes the index in network byte order, IPV6_UNICAST_IF in host
 * order; both read back in host order; 0 clears it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ws from 'wsaioctl/winsock';
import { cleanup, startup, withSocket } from './helpers/sockets.js';
import { netnsAvailable, runInNetns } from './helpers/netns-run.js';

const CHILD = new URL('./helpers/unicast-if-child.js', import.meta.url);
const skip = netnsAvailable() ?? false;

before(startup);
after(cleanup);

interface Side { set: number; got: number | null; connect: number; source: string }

describe('IP_UNICAST_IF / IPV6_UNICAST_IF on real routes (network namespace)', { skip }, () => {
  let r: { v0: number; v4Plain: Side; v4Pinned: Side; v6Plain: Side; v6Pinned: Side; bogus: number };
  before(async () => {
    const run = await runInNetns(CHILD);
    assert.equal(run.code, 0, run.stderr);
    r = run.results[0] as typeof r;
  });

  test('IPv4: without the option the preferred route\'s interface; with v0\'s index (network order) v0, and it reads back in host order', () => {
    assert.equal(r.v4Plain.source, '192.0.2.1');
    assert.equal(r.v4Pinned.set, 0);
    assert.equal(r.v4Pinned.got, r.v0);
    assert.equal(r.v4Pinned.connect, 0);
    assert.equal(r.v4Pinned.source, '198.51.100.1');
  });

  test('IPv6: IPV6_UNICAST_IF takes the index in host order and reads it back so', () => {
    assert.equal(r.v6Plain.source, '2001:db8:2::1');
    assert.equal(r.v6Pinned.set, 0);
    assert.equal(r.v6Pinned.got, r.v0);
    assert.equal(r.v6Pinned.source, '2001:db8:1::1');
  });

  test('an index no interface has: WSAEADDRNOTAVAIL', () => {
    assert.equal(r.bogus, ws.WSAEADDRNOTAVAIL);
  });
});

describe('IP_UNICAST_IF / IPV6_UNICAST_IF arguments', () => {
  test('unset it reads 0; under 4 bytes: WSAEFAULT; the IPv6 option on an IPv4 socket: WSAEINVAL', () => {
    withSocket(ws.AF_INET, ws.SOCK_STREAM, (s) => {
      const out = new Uint8Array(4).fill(0xcc);
      assert.equal(ws.getsockopt(s, ws.IPPROTO_IP, ws.IP_UNICAST_IF, out, { value: 4 }), 0);
      assert.deepEqual([...out], [0, 0, 0, 0]);
      assert.equal(ws.setsockopt(s, ws.IPPROTO_IP, ws.IP_UNICAST_IF, new Uint8Array(4), 3), ws.SOCKET_ERROR);
      assert.equal(ws.WSAGetLastError(), ws.WSAEFAULT);
      assert.equal(ws.setsockopt(s, ws.IPPROTO_IPV6, ws.IPV6_UNICAST_IF, new Uint8Array(4), 4), ws.SOCKET_ERROR);
      assert.equal(ws.WSAGetLastError(), ws.WSAEINVAL);
    });
  });

  test('loopback (index 1) set and cleared on a TCP socket', () => {
    withSocket(ws.AF_INET6, ws.SOCK_STREAM, (s) => {
      const one = Uint8Array.from([1, 0, 0, 0]);
      assert.equal(ws.setsockopt(s, ws.IPPROTO_IPV6, ws.IPV6_UNICAST_IF, one, 4), 0);
      const out = new Uint8Array(4);
      assert.equal(ws.getsockopt(s, ws.IPPROTO_IPV6, ws.IPV6_UNICAST_IF, out, { value: 4 }), 0);
      assert.deepEqual([...out], [1, 0, 0, 0]);
      assert.equal(ws.setsockopt(s, ws.IPPROTO_IPV6, ws.IPV6_UNICAST_IF, new Uint8Array(4), 4), 0);
      assert.equal(ws.getsockopt(s, ws.IPPROTO_IPV6, ws.IPV6_UNICAST_IF, out, { value: 4 }), 0);
      assert.deepEqual([...out], [0, 0, 0, 0]);
    });
  });
});
