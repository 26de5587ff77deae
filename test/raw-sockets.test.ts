/**
 * Raw sockets as Windows allows them, on real traffic between two namespaces (helpers/capture-lab.ts:
 * 192.0.2.1 / 2001:db8:1::1 here, 192.0.2.2 / 2001:db8:1::2 on the peer, whose kernel answers).
 *
 * Windows facts: a raw socket needs administrator rights, checked at creation, WSAEACCES otherwise
 * (Wine sock.c test_WSASocket; Microsoft tcp-ip-raw-sockets-2), which test/privileges.test.ts
 * holds; IPv4 raw data is received with its IP header, IPv6 raw data without it; IP_HDRINCL makes
 * the caller supply the IPv4 header and is a raw-socket option (WSAEINVAL on UDP: Wine sock.c
 * test_set_getsockopt); SIO_RCVALL's sockets are AF_INET / IPPROTO_IP and AF_INET6 / IPPROTO_IPV6
 * (Microsoft sio-rcvall), which Linux cannot create as such (remaining-codes.md §3.2).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ws from 'wsaioctl/winsock';
import { netnsAvailable } from './helpers/netns-run.js';
import { scenario, type Outcome, type Packet } from './helpers/rcvall-run.js';

const skip = netnsAvailable() ?? false;

interface RawFacts {
  sent: number; request: number; replies: Packet[]; hdrinclRc: number; hdrinclIcmp: number;
  unboundName: Outcome; boundName: Outcome & { address?: string; port?: number };
  hdrinclBefore: number; setRc: number; hdrSent: number; hdrReplies: Packet[]; idleRc: Outcome;
  sent6: number; replies6: Packet[]; h6rc: number; h6: number; udpHdrincl: Outcome;
}

describe('raw sockets', { skip }, () => {
  let facts: RawFacts;
  test('the two-host lab runs', async () => {
    facts = await scenario<RawFacts>('raw');
  });

  test('ICMP over a raw IPv4 socket: sent whole, the echo reply received with its IPv4 header, from the peer with port 0', () => {
    assert.equal(facts.sent, facts.request);
    const reply = facts.replies.find((p) => p.bytes[20] === 0);
    assert.ok(reply, `an echo reply among ${JSON.stringify(facts.replies)}`);
    assert.equal(reply.first, 0x45, 'the IPv4 header comes first');
    assert.equal(reply.protocol, ws.IPPROTO_ICMP);
    assert.equal(reply.src, '192.0.2.2');
    assert.equal(reply.from, '192.0.2.2');
    assert.equal(reply.fromPort, 0);
    assert.equal(reply.length, 20 + facts.request);
  });

  test('getsockname: an unbound raw socket has no name (WSAEINVAL); a bound one reports port 0, not its protocol', () => {
    assert.deepEqual(facts.unboundName, { rc: ws.SOCKET_ERROR, error: ws.WSAEINVAL });
    assert.deepEqual(facts.boundName, { rc: 0, error: 0, address: '192.0.2.1', port: 0 });
  });

  test('IP_HDRINCL: off on a new raw socket (also a protocol-0 one), settable; the caller\'s own header goes out as written', () => {
    assert.equal(facts.hdrinclRc, 0);
    assert.equal(facts.hdrinclIcmp, 0);
    assert.equal(facts.hdrinclBefore, 0);
    assert.equal(facts.setRc, 0);
    assert.equal(facts.hdrSent, 36);
    assert.ok(facts.hdrReplies.some((p) => p.bytes[20] === 0 && p.bytes[24] === 0x43), 'the peer answered the hand-built echo request');
  });

  test('IP_HDRINCL on a UDP socket: WSAEINVAL', () => {
    assert.deepEqual(facts.udpHdrincl, { rc: ws.SOCKET_ERROR, error: ws.WSAEINVAL });
  });

  test('a protocol-0 raw socket receives nothing without SIO_RCVALL', () => {
    assert.deepEqual(facts.idleRc, { rc: ws.SOCKET_ERROR, error: ws.WSAEWOULDBLOCK });
  });

  test('ICMPv6 over a raw IPv6 socket: the echo reply arrives without an IPv6 header', () => {
    assert.equal(facts.sent6, 16);
    const reply = facts.replies6.find((p) => p.first === 129);
    assert.ok(reply, `an echo reply among ${JSON.stringify(facts.replies6)}`);
    assert.equal(reply.length, 16, 'the ICMPv6 message only');
    assert.equal(reply.from, '2001:db8:1::2');
  });

  test('AF_INET6 / SOCK_RAW / IPPROTO_IPV6 exists; IPV6_HDRINCL starts off', () => {
    assert.equal(facts.h6rc, 0);
    assert.equal(facts.h6, 0);
  });
});
