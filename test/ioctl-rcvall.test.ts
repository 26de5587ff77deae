/**
 * SIO_RCVALL, SIO_RCVALL_MCAST, SIO_RCVALL_IGMPMCAST and the interface-index forms on real traffic between two namespaces
 * (helpers/capture-lab.ts: this side 192.0.2.1 / 2001:db8:1::1 on veth v0, the peer 192.0.2.2 /
 * 2001:db8:1::2, whose kernel answers UDP to a closed port with ICMP port unreachable).
 *
 * Windows facts (Microsoft sio-rcvall, winsock-ioctls, tcp-ip-raw-sockets-2; remaining-codes.md
 * §3.1): the socket is AF_INET / SOCK_RAW / IPPROTO_IP (AF_INET6 / IPPROTO_IPV6), bound to an
 * explicit address; a wrong socket, the wildcard or no bind, a value above RCVALL_IPLEVEL or no
 * input: WSAEINVAL; RCVALL_SOCKETLEVELONLY has no effect; afterwards every IP packet of that
 * interface, incoming and outgoing (Windows 7 and later), is received from its IP header on, with
 * the sender's address; RCVALL_ON puts the NIC in promiscuous mode, RCVALL_IPLEVEL does not.
 * SIO_RCVALL_MCAST wants IPPROTO_UDP and keeps multicast; SIO_RCVALL_IGMPMCAST wants IPPROTO_IGMP
 * and keeps IGMP. SIO_RCVALL_IF / SIO_RCVALL_MCAST_IF are header-only: the rules held here are the
 * ones handlers/rcvall.ts infers from their siblings (8-byte RCVALL_IF input, the interface by index,
 * no bind needed, an unknown index WSAEINVAL).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ws from 'wsaioctl/winsock';
import { netnsAvailable } from './helpers/netns-run.js';
import { scenario, type Outcome, type Packet } from './helpers/rcvall-run.js';

const skip = netnsAvailable() ?? false;
const EINVAL = { rc: ws.SOCKET_ERROR, error: ws.WSAEINVAL, bytes: 0 };
const OK = { rc: 0, error: 0, bytes: 0 };

interface Modes { promiscuity: number; allmulti: number }

describe('SIO_RCVALL: the rules', { skip }, () => {
  test('wrong sockets, no bind, the wildcard, bad values: WSAEINVAL with 0 bytes; OFF and SOCKETLEVELONLY succeed and change nothing', async () => {
    const f = await scenario<Record<string, Outcome> & { promiscuous: Modes; afterLevelOnly: Outcome }>('errors');
    for (const key of ['udp', 'tcp', 'icmp', 'unbound', 'wildcard', 'wildcard6', 'badValue', 'noInput', 'mcastOnIpSocket', 'igmpOnUdpSocket', 'mcastUnbound']) {
      assert.deepEqual(f[key], EINVAL, key);
    }
    assert.deepEqual(f.offWhenOff, OK);
    assert.deepEqual(f.socketLevelOnly, OK);
    assert.deepEqual(f.afterLevelOnly, { rc: ws.SOCKET_ERROR, error: ws.WSAEWOULDBLOCK }, 'RCVALL_SOCKETLEVELONLY captured nothing');
    assert.deepEqual(f.promiscuous, { promiscuity: 0, allmulti: 0 });
  });
});

interface ModeFacts {
  on: Outcome; again: Outcome; promiscOn: Modes; packets: Packet[]; sentRaw: number; rawPackets: Packet[];
  other: Outcome; promiscOther: Modes; otherPackets: Packet[];
  off: Outcome; promiscOff: Modes; afterOff: Outcome[];
}

function bothDirections(packets: Packet[]): void {
  const out = packets.find((p) => p.protocol === ws.IPPROTO_UDP && p.src === '192.0.2.1' && p.dst === '192.0.2.2');
  const back = packets.find((p) => p.protocol === ws.IPPROTO_ICMP && p.src === '192.0.2.2' && p.dst === '192.0.2.1');
  assert.ok(out, `the outgoing datagram is captured: ${JSON.stringify(packets)}`);
  assert.ok(back, `the incoming ICMP answer is captured: ${JSON.stringify(packets)}`);
  for (const p of [out, back]) {
    assert.equal(p.first, 0x45, 'starts at the IPv4 header');
    assert.equal(p.length, (p.bytes[2]! << 8) | p.bytes[3]!, 'exactly the IP datagram');
    assert.equal(p.from, p.src, 'recvfrom names the IP source');
    assert.equal(p.fromPort, 0);
  }
  assert.ok(packets.every((p) => p.first >> 4 === 4), 'IPv4 only');
}

describe('SIO_RCVALL: what is captured', { skip }, () => {
  test('RCVALL_ON: both directions from the IP header, the NIC promiscuous until RCVALL_OFF; the socket still sends; nothing after', async () => {
    const f = await scenario<ModeFacts>('on');
    assert.deepEqual(f.on, OK);
    assert.deepEqual(f.again, OK, 'turning it on again is accepted');
    assert.equal(f.promiscOn.promiscuity, 1);
    bothDirections(f.packets);
    assert.equal(f.sentRaw, 16, 'the capture socket sends');
    const own = f.rawPackets.find((p) => p.protocol === 255 && p.dst === '192.0.2.2');
    assert.ok(own, `its datagram is captured leaving: ${JSON.stringify(f.rawPackets)}`);
    assert.equal(own.length, 20 + 16);
    assert.deepEqual(f.other, OK, 'RCVALL_IPLEVEL replaces RCVALL_ON on the same socket');
    assert.equal(f.promiscOther.promiscuity, 0, 'and the NIC leaves promiscuous mode');
    assert.ok(f.otherPackets.some((p) => p.protocol === ws.IPPROTO_UDP), 'still capturing');
    assert.deepEqual(f.off, OK);
    assert.equal(f.promiscOff.promiscuity, 0);
    assert.deepEqual(f.afterOff, [], 'RCVALL_OFF stops the capture');
  });

  test('RCVALL_IPLEVEL: the same packets, without promiscuous mode', async () => {
    const f = await scenario<ModeFacts>('iplevel');
    assert.deepEqual(f.on, OK);
    assert.equal(f.promiscOn.promiscuity, 0);
    bothDirections(f.packets);
    assert.deepEqual(f.other, OK, 'RCVALL_ON replaces RCVALL_IPLEVEL');
    assert.equal(f.promiscOther.promiscuity, 1);
    assert.ok(f.otherPackets.some((p) => p.protocol === ws.IPPROTO_UDP));
    assert.equal(f.promiscOff.promiscuity, 0);
    assert.deepEqual(f.afterOff, []);
  });

  test('AF_INET6 / IPPROTO_IPV6: IPv6 packets both ways, from the IPv6 header, a link-local source with its scope; closing the socket ends the capture', async () => {
    const f = await scenario<{ on: Outcome; packets: Packet[]; ifindex: number; linkLocal: string; linkLocalPackets: Packet[]; promiscAfterClose: Modes }>('ipv6');
    const fromLinkLocal = f.linkLocalPackets.find((p) => p.src === f.linkLocal && p.protocol === ws.IPPROTO_UDP);
    assert.ok(fromLinkLocal, JSON.stringify(f.linkLocalPackets));
    assert.equal(fromLinkLocal.from, f.linkLocal);
    assert.equal(fromLinkLocal.fromScope, f.ifindex, 'the link-local source names its interface');
    assert.deepEqual(f.on, OK);
    const out = f.packets.find((p) => p.protocol === ws.IPPROTO_UDP && p.src === '2001:db8:1::1');
    const back = f.packets.find((p) => p.protocol === ws.IPPROTO_ICMPV6 && p.src === '2001:db8:1::2');
    assert.ok(out && back, JSON.stringify(f.packets));
    for (const p of [out, back]) {
      assert.equal(p.first >> 4, 6);
      assert.equal(p.length, 40 + ((p.bytes[4]! << 8) | p.bytes[5]!));
      assert.equal(p.from, p.src);
    }
    assert.ok(f.packets.every((p) => p.first >> 4 === 6), 'IPv6 only');
    assert.deepEqual(f.promiscAfterClose, { promiscuity: 0, allmulti: 0 });
  });

  test('the whole receive path sees it: overlapped WSARecv, event select, select, WSAPoll, FIONREAD, WSAEMSGSIZE; closesocket leaves no fd', async () => {
    const f = await scenario<Record<string, unknown>>('receive-path');
    assert.deepEqual(f.on, OK);
    assert.deepEqual(f.recvRc, { rc: ws.SOCKET_ERROR, error: ws.WSA_IO_PENDING }, 'nothing there yet: the receive pends');
    assert.equal(f.waited, ws.WSA_WAIT_EVENT_0);
    assert.equal(f.overlappedOk, true);
    assert.equal(f.overlappedFirst, 0x45);
    assert.ok((f.transferred as number) >= 28);
    assert.equal(f.eventWait, ws.WSA_WAIT_EVENT_0);
    assert.equal((f.networkEvents as number) & ws.FD_READ, ws.FD_READ);
    assert.equal(f.selected, 1);
    assert.equal(f.polled, 1);
    assert.equal(f.revents, ws.POLLRDNORM);
    assert.equal(f.fionread, 0);
    assert.ok((f.queued as number) >= 28, `FIONREAD counts the queued packets: ${String(f.queued)}`);
    assert.deepEqual(f.truncated, { rc: ws.SOCKET_ERROR, error: ws.WSAEMSGSIZE });
    assert.equal(f.smallFirst, 0x45);
    assert.deepEqual(f.lastRc, { rc: ws.SOCKET_ERROR, error: ws.WSA_IO_PENDING }, 'nothing left: the last receive pends');
    assert.equal(f.lastStatus, ws.STATUS_CONNECTION_ABORTED, 'closesocket aborts the receive pending on the capture');
    assert.equal(f.fdsAfter, f.fdsBefore, 'the raw socket and its packet socket are both closed');
  });
});

describe('SIO_RCVALL on the loopback interface', { skip }, () => {
  test('each packet once (Linux passes it out and in; the outgoing copy is dropped): the datagram, then its ICMP answer', async () => {
    const f = await scenario<{ on: Outcome; packets: Packet[] }>('loopback');
    assert.deepEqual(f.on, OK);
    const udp = f.packets.filter((p) => p.protocol === ws.IPPROTO_UDP);
    const icmp = f.packets.filter((p) => p.protocol === ws.IPPROTO_ICMP);
    assert.equal(udp.length, 1, JSON.stringify(f.packets));
    assert.equal(icmp.length, 1, JSON.stringify(f.packets));
    assert.equal(udp[0]!.src, '127.0.0.1');
  });
});

describe('SIO_RCVALL_MCAST and SIO_RCVALL_IGMPMCAST', { skip }, () => {
  test('each keeps its kind: multicast datagrams, IGMP; all-multicast membership, never promiscuous', async () => {
    const f = await scenario<{ mcastOn: Outcome; igmpOn: Outcome; promisc: Modes; mcastSent: number; reportSent: number; mcastPackets: Packet[]; igmpPackets: Packet[] }>('multicast');
    assert.deepEqual(f.mcastOn, OK);
    assert.deepEqual(f.igmpOn, OK);
    assert.deepEqual(f.promisc, { promiscuity: 0, allmulti: 2 });
    assert.equal(f.mcastSent, 9);
    assert.equal(f.reportSent, 8);
    assert.ok(f.mcastPackets.some((p) => p.protocol === ws.IPPROTO_UDP && p.dst === '239.1.2.3'), JSON.stringify(f.mcastPackets));
    assert.ok(f.mcastPackets.every((p) => p.bytes[16]! >> 4 === 0xe), 'multicast destinations only (the unicast datagram is not there)');
    assert.ok(f.igmpPackets.some((p) => p.dst === '239.1.2.3'), JSON.stringify(f.igmpPackets));
    assert.ok(f.igmpPackets.every((p) => p.protocol === ws.IPPROTO_IGMP), 'IGMP only');
  });
});

describe('SIO_RCVALL_IF and SIO_RCVALL_MCAST_IF (rules inferred from their siblings)', { skip }, () => {
  test('short input, a bad mode, an unknown index, the wrong socket: WSAEINVAL with 0 bytes; OFF needs no index; SOCKETLEVELONLY turns nothing on', async () => {
    const f = await scenario<Record<string, Outcome> & { promiscuous: Modes; afterErrors: Outcome[] }>('if-errors');
    for (const key of [
      'udp', 'tcp', 'icmp', 'rawUdpIf', 'mcastIfOnIp', 'mcastIfOnUdp', 'mcastIfOnIp6', 'noInput', 'short4', 'short7', 'mcastShort',
      'badMode', 'hugeMode', 'mcastBadMode', 'unknownIndex', 'zeroIndex', 'hugeIndex', 'mcastUnknownIndex', 'levelOnlyUnknown',
    ]) {
      assert.deepEqual(f[key], EINVAL, key);
    }
    assert.deepEqual(f.offUnknown, OK);
    assert.deepEqual(f.levelOnly, OK);
    assert.deepEqual(f.promiscuous, { promiscuity: 0, allmulti: 0 });
    assert.deepEqual(f.afterErrors, [], 'nothing was captured');
  });

  test('by index, unbound: the chosen interface both ways and no other; the index decides over the bind; ON promiscuous; OFF stops; IPv6 too', async () => {
    const f = await scenario<ModeFacts & { promisc: Outcome; loOn: Outcome; loPackets: Packet[]; on6: Outcome; packets6: Packet[]; promiscAfter: Modes }>('by-index');
    assert.deepEqual(f.on, OK);
    assert.equal(f.promiscOn.promiscuity, 0, 'RCVALL_IPLEVEL is not promiscuous');
    bothDirections(f.packets);
    assert.ok(f.packets.every((p) => !p.src.startsWith('127.') && !p.dst.startsWith('127.')), `nothing of lo: ${JSON.stringify(f.packets)}`);
    assert.deepEqual(f.promisc, OK);
    assert.equal(f.promiscOther.promiscuity, 1, 'RCVALL_ON by index: promiscuous');
    assert.deepEqual(f.off, OK);
    assert.equal(f.promiscOff.promiscuity, 0);
    assert.deepEqual(f.afterOff, [], 'RCVALL_OFF stops the capture');
    assert.deepEqual(f.loOn, OK);
    assert.ok(f.loPackets.some((p) => p.protocol === ws.IPPROTO_UDP && p.dst === '127.0.0.1'), `lo's datagram: ${JSON.stringify(f.loPackets)}`);
    assert.ok(f.loPackets.every((p) => p.src.startsWith('127.') && p.dst.startsWith('127.')), `nothing of v0: ${JSON.stringify(f.loPackets)}`);
    assert.deepEqual(f.on6, OK);
    const out = f.packets6.find((p) => p.protocol === ws.IPPROTO_UDP && p.src === '2001:db8:1::1');
    const back = f.packets6.find((p) => p.protocol === ws.IPPROTO_ICMPV6 && p.src === '2001:db8:1::2');
    assert.ok(out && back, JSON.stringify(f.packets6));
    assert.ok(f.packets6.every((p) => p.first >> 4 === 6), 'IPv6 only');
    assert.deepEqual(f.promiscAfter, { promiscuity: 0, allmulti: 0 }, 'closing the sockets drops every membership');
  });

  test('SIO_RCVALL_MCAST_IF by index, unbound: multicast only, all-multicast membership, never promiscuous; OFF drops it', async () => {
    const f = await scenario<{ on: Outcome; modes: Modes; sent: number; packets: Packet[]; off: Outcome; modesOff: Modes }>('multicast-by-index');
    assert.deepEqual(f.on, OK);
    assert.deepEqual(f.modes, { promiscuity: 0, allmulti: 1 });
    assert.equal(f.sent, 9);
    assert.ok(f.packets.some((p) => p.protocol === ws.IPPROTO_UDP && p.dst === '239.1.2.3'), JSON.stringify(f.packets));
    assert.ok(f.packets.every((p) => p.bytes[16]! >> 4 === 0xe), 'multicast destinations only (the unicast datagram is not there)');
    assert.deepEqual(f.off, OK);
    assert.deepEqual(f.modesOff, { promiscuity: 0, allmulti: 0 });
  });
});
