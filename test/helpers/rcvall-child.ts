/**
 * Runs inside a network namespace made by netns-run.ts (never on the host), with the two-host lab
 * of capture-lab.ts: raw sockets and the SIO_RCVALL family on real traffic between documentation
 * addresses. `node rcvall-child.js <scenario>` prints one JSON line of facts; rcvall.test.ts and
 * raw-sockets.test.ts judge them. Every receive loop is bounded in count and time.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as ws from 'wsaioctl/winsock';
import { sh } from './netns-run.js';
import { closeCaptureLab, LOCAL4, LOCAL6, openCaptureLab, PEER4, PEER6, nicModes } from './capture-lab.js';

type Facts = Record<string, unknown>;
const out = (result: Facts): void => { process.stdout.write(JSON.stringify(result) + '\n'); };

const last = (rc: number): { rc: number; error: number } => ({ rc, error: rc === ws.SOCKET_ERROR || rc === ws.INVALID_SOCKET ? ws.WSAGetLastError() : 0 });

function bound(af: number, type: number, protocol: number, address: string | null): number {
  const s = ws.socket(af, type, protocol);
  if (s === ws.INVALID_SOCKET) throw new Error(`socket(${af}, ${type}, ${protocol}): ${ws.errorName(ws.WSAGetLastError())}`);
  if (address !== null) {
    const name = ws.sockaddr(address, 0);
    if (ws.bind(s, name, name.length) !== 0) throw new Error(`bind ${address}: ${ws.errorName(ws.WSAGetLastError())}`);
  }
  return s;
}

function ioctlValue(s: number, code: number, value: number, size = 4): { rc: number; error: number; bytes: number } {
  const input = new Uint8Array(4);
  new DataView(input.buffer).setUint32(0, value, true);
  const bytes = { value: 0xdead };
  ws.WSASetLastError(0);
  const rc = ws.WSAIoctl(s, code, size === 0 ? null : input, size, null, 0, bytes, null, null);
  return { rc, error: rc === 0 ? 0 : ws.WSAGetLastError(), bytes: bytes.value };
}

/** SIO_RCVALL_IF / SIO_RCVALL_MCAST_IF with RCVALL_IF { Mode, Interface } cut to `size` bytes. */
function ioctlIf(s: number, code: number, mode: number, ifindex: number, size = 8): { rc: number; error: number; bytes: number } {
  const input = new Uint8Array(8);
  new DataView(input.buffer).setUint32(0, mode, true);
  new DataView(input.buffer).setUint32(4, ifindex, true);
  const bytes = { value: 0xdead };
  ws.WSASetLastError(0);
  const rc = ws.WSAIoctl(s, code, size === 0 ? null : input.subarray(0, size), size, null, 0, bytes, null, null);
  return { rc, error: rc === 0 ? 0 : ws.WSAGetLastError(), bytes: bytes.value };
}

const indexOf = (name: string): number => Number(/^(\d+):/.exec(sh('ip', '-o', 'link', 'show', name))![1]);

const setTimeout_ = (s: number, ms: number): void => {
  const v = new Uint8Array(4);
  new DataView(v.buffer).setUint32(0, ms, true);
  ws.setsockopt(s, ws.SOL_SOCKET, ws.SO_RCVTIMEO, v, 4);
};

interface Packet { length: number; first: number; protocol: number; src: string; dst: string; from: string; fromPort: number; fromScope: number; bytes: number[] }

/** Read packets (blocking with a 300 ms time-out each) until `enough` says so, at most `max` or 3 s. */
function collect(s: number, af: number, enough: (seen: Packet[]) => boolean, max = 40): Packet[] {
  setTimeout_(s, 300);
  const seen: Packet[] = [];
  const deadline = Date.now() + 3000;
  const buf = new Uint8Array(2048);
  while (seen.length < max && Date.now() < deadline && !enough(seen)) {
    const from = new Uint8Array(28);
    const fromlen = { value: 28 };
    const n = ws.recvfrom(s, buf, buf.length, 0, from, fromlen);
    if (n === ws.SOCKET_ERROR) {
      if (ws.WSAGetLastError() === ws.WSAETIMEDOUT) continue;
      throw new Error(`recvfrom: ${ws.errorName(ws.WSAGetLastError())}`);
    }
    const data = buf.subarray(0, n);
    const v6 = af === ws.AF_INET6 && (data[0]! >> 4) === 6;
    const who = ws.parseSockaddr(from.subarray(0, fromlen.value));
    seen.push({
      length: n,
      first: data[0]!,
      protocol: v6 ? data[6]! : data[9]!,
      src: v6 ? ws.decodeIPv6(data.subarray(8, 24)) : af === ws.AF_INET ? ws.decodeIPv4(data.subarray(12, 16)) : '',
      dst: v6 ? ws.decodeIPv6(data.subarray(24, 40)) : af === ws.AF_INET ? ws.decodeIPv4(data.subarray(16, 20)) : '',
      from: who.address,
      fromPort: who.port,
      fromScope: who.scopeId ?? 0,
      bytes: [...data.subarray(0, Math.min(n, 48))],
    });
  }
  return seen;
}

function udpSend(af: number, from: string, to: string, port: number, payload: string): void {
  const u = bound(af, ws.SOCK_DGRAM, ws.IPPROTO_UDP, from);
  const dest = ws.sockaddr(to, port);
  const data = new TextEncoder().encode(payload);
  if (ws.sendto(u, data, data.length, 0, dest, dest.length) !== data.length) throw new Error(`udp send: ${ws.errorName(ws.WSAGetLastError())}`);
  ws.closesocket(u);
}

/** RFC 1071 checksum. */
function checksum(data: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < data.length; i += 2) sum += (data[i]! << 8) | (data[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function echoRequest(type: number, id: number, withChecksum: boolean): Uint8Array {
  const icmp = new Uint8Array(16);
  icmp[0] = type;
  new DataView(icmp.buffer).setUint16(4, id);
  icmp.set(new TextEncoder().encode('wsaioctl'), 8);
  if (withChecksum) new DataView(icmp.buffer).setUint16(2, checksum(icmp));
  return icmp;
}

function nameOf(s: number): { rc: number; error: number; address?: string; port?: number } {
  const name = new Uint8Array(28);
  const len = { value: 28 };
  const rc = ws.getsockname(s, name, len);
  if (rc !== 0) return last(rc);
  const info = ws.parseSockaddr(name.subarray(0, len.value));
  return { rc, error: 0, address: info.address, port: info.port };
}

// ---- scenarios -----------------------------------------------------------------------------------------

/** Raw ICMP / ICMPv6 and protocol-0 sockets: what Windows' raw sockets send and receive. */
function raw(): Facts {
  // ICMP echo from a raw ICMP socket: the reply comes back with its IPv4 header.
  const icmp = bound(ws.AF_INET, ws.SOCK_RAW, ws.IPPROTO_ICMP, LOCAL4);
  const hdrinclIcmp = new Uint8Array(4);
  const hlen = { value: 4 };
  const hdrinclRc = ws.getsockopt(icmp, ws.IPPROTO_IP, ws.IP_HDRINCL, hdrinclIcmp, hlen);
  const to = ws.sockaddr(PEER4, 0);
  const request = echoRequest(8, 0x4242, true);
  const sent = ws.sendto(icmp, request, request.length, 0, to, to.length);
  const replies = collect(icmp, ws.AF_INET, (seen) => seen.some((p) => p.bytes[20] === 0));
  const unboundName = nameOf(bound(ws.AF_INET, ws.SOCK_RAW, ws.IPPROTO_ICMP, null));
  const boundName = nameOf(icmp);

  // IP_HDRINCL on a protocol-0 socket: the caller's own IPv4 header goes out as written.
  const ip0 = bound(ws.AF_INET, ws.SOCK_RAW, ws.IPPROTO_IP, LOCAL4);
  const before = new Uint8Array(4);
  const beforeLen = { value: 4 };
  ws.getsockopt(ip0, ws.IPPROTO_IP, ws.IP_HDRINCL, before, beforeLen);
  const one = Uint8Array.of(1, 0, 0, 0);
  const setRc = ws.setsockopt(ip0, ws.IPPROTO_IP, ws.IP_HDRINCL, one, 4);
  const header = new Uint8Array(20);
  const h = new DataView(header.buffer);
  header[0] = 0x45;
  h.setUint16(2, 20 + 16);
  header[8] = 64;
  header[9] = ws.IPPROTO_ICMP;
  header.set(ws.encodeIPv4(LOCAL4), 12);
  header.set(ws.encodeIPv4(PEER4), 16);
  const packet = new Uint8Array(36);
  packet.set(header);
  packet.set(echoRequest(8, 0x4343, true), 20);
  const hdrSent = ws.sendto(ip0, packet, packet.length, 0, to, to.length);
  const hdrReplies = collect(icmp, ws.AF_INET, (seen) => seen.some((p) => p.bytes[20] === 0 && p.bytes[24] === 0x43));
  // Nothing arrives on a protocol-0 socket without SIO_RCVALL.
  ws.ioctlsocket(ip0, ws.FIONBIO, { value: 1 });
  const idle = new Uint8Array(64);
  const idleRc = last(ws.recv(ip0, idle, idle.length, 0));

  // ICMPv6: the reply comes back without an IPv6 header (as Windows delivers IPv6 raw data).
  const icmp6 = bound(ws.AF_INET6, ws.SOCK_RAW, ws.IPPROTO_ICMPV6, LOCAL6);
  const to6 = ws.sockaddr(PEER6, 0);
  const request6 = echoRequest(128, 0x4646, false);
  const sent6 = ws.sendto(icmp6, request6, request6.length, 0, to6, to6.length);
  const replies6 = collect(icmp6, ws.AF_INET6, (seen) => seen.some((p) => p.first === 129));

  // The AF_INET6 / IPPROTO_IPV6 form exists and IPV6_HDRINCL is a raw-socket option, off at first.
  const ip6 = bound(ws.AF_INET6, ws.SOCK_RAW, ws.IPPROTO_IPV6, LOCAL6);
  const h6 = new Uint8Array(4);
  const h6len = { value: 4 };
  const h6rc = ws.getsockopt(ip6, ws.IPPROTO_IPV6, ws.IPV6_HDRINCL, h6, h6len);
  const udp = bound(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP, null);
  const udpHdrincl = last(ws.setsockopt(udp, ws.IPPROTO_IP, ws.IP_HDRINCL, one, 4));
  return {
    sent, request: request.length, replies, hdrinclRc, hdrinclIcmp: hdrinclIcmp[0], unboundName, boundName,
    hdrinclBefore: before[0], setRc, hdrSent, hdrReplies, idleRc,
    sent6, replies6, h6rc, h6: h6[0], udpHdrincl,
  };
}

/** SIO_RCVALL's refusals. */
function errors(): Facts {
  const udp = bound(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP, LOCAL4);
  const tcp = bound(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP, LOCAL4);
  const icmp = bound(ws.AF_INET, ws.SOCK_RAW, ws.IPPROTO_ICMP, LOCAL4);
  const unbound = bound(ws.AF_INET, ws.SOCK_RAW, ws.IPPROTO_IP, null);
  const wildcard = bound(ws.AF_INET, ws.SOCK_RAW, ws.IPPROTO_IP, '0.0.0.0');
  const good = bound(ws.AF_INET, ws.SOCK_RAW, ws.IPPROTO_IP, LOCAL4);
  const wildcard6 = bound(ws.AF_INET6, ws.SOCK_RAW, ws.IPPROTO_IPV6, '::');
  const rawUdp = bound(ws.AF_INET, ws.SOCK_RAW, ws.IPPROTO_UDP, LOCAL4);
  const result = {
    udp: ioctlValue(udp, ws.SIO_RCVALL, ws.RCVALL_ON),
    tcp: ioctlValue(tcp, ws.SIO_RCVALL, ws.RCVALL_ON),
    icmp: ioctlValue(icmp, ws.SIO_RCVALL, ws.RCVALL_ON),
    unbound: ioctlValue(unbound, ws.SIO_RCVALL, ws.RCVALL_ON),
    wildcard: ioctlValue(wildcard, ws.SIO_RCVALL, ws.RCVALL_ON),
    wildcard6: ioctlValue(wildcard6, ws.SIO_RCVALL, ws.RCVALL_ON),
    badValue: ioctlValue(good, ws.SIO_RCVALL, 4),
    noInput: ioctlValue(good, ws.SIO_RCVALL, ws.RCVALL_ON, 0),
    offWhenOff: ioctlValue(good, ws.SIO_RCVALL, ws.RCVALL_OFF),
    socketLevelOnly: ioctlValue(good, ws.SIO_RCVALL, ws.RCVALL_SOCKETLEVELONLY),
    mcastOnIpSocket: ioctlValue(good, ws.SIO_RCVALL_MCAST, ws.RCVALL_ON),
    igmpOnUdpSocket: ioctlValue(rawUdp, ws.SIO_RCVALL_IGMPMCAST, ws.RCVALL_ON),
    mcastUnbound: ioctlValue(bound(ws.AF_INET, ws.SOCK_RAW, ws.IPPROTO_UDP, null), ws.SIO_RCVALL_MCAST, ws.RCVALL_ON),
    promiscuous: nicModes(),
  };
  // RCVALL_SOCKETLEVELONLY turned nothing on: traffic still does not reach the socket.
  udpSend(ws.AF_INET, LOCAL4, PEER4, 9, 'level-only');
  ws.ioctlsocket(good, ws.FIONBIO, { value: 1 });
  const buf = new Uint8Array(64);
  const afterLevelOnly = last(ws.recv(good, buf, buf.length, 0));
  return { ...result, afterLevelOnly };
}

/** RCVALL_ON or RCVALL_IPLEVEL on an AF_INET socket: both directions, from the IP header on. */
function modes4(mode: number): Facts {
  const s = bound(ws.AF_INET, ws.SOCK_RAW, ws.IPPROTO_IP, LOCAL4);
  const on = ioctlValue(s, ws.SIO_RCVALL, mode);
  const promiscOn = nicModes();
  const again = ioctlValue(s, ws.SIO_RCVALL, mode);
  udpSend(ws.AF_INET, LOCAL4, PEER4, 9, 'rcvall-udp');
  const packets = collect(s, ws.AF_INET, (seen) => seen.some((p) => p.protocol === 17) && seen.some((p) => p.protocol === 1 && p.src === PEER4));
  // The capture socket still sends (through its raw socket): without IP_HDRINCL the stack builds
  // the header (protocol 255 here, the README's approximation), and the capture sees it leave.
  const to = ws.sockaddr(PEER4, 0);
  const raw = new TextEncoder().encode('raw-from-capture');
  const sentRaw = ws.sendto(s, raw, raw.length, 0, to, to.length);
  const rawPackets = collect(s, ws.AF_INET, (seen) => seen.some((p) => p.protocol === 255));
  // Another mode on the same socket replaces the first (ON -> IPLEVEL drops promiscuous mode).
  const other = ioctlValue(s, ws.SIO_RCVALL, mode === ws.RCVALL_ON ? ws.RCVALL_IPLEVEL : ws.RCVALL_ON);
  const promiscOther = nicModes();
  udpSend(ws.AF_INET, LOCAL4, PEER4, 9, 'other-mode');
  const otherPackets = collect(s, ws.AF_INET, (seen) => seen.some((p) => p.protocol === 17));
  const off = ioctlValue(s, ws.SIO_RCVALL, ws.RCVALL_OFF);
  const promiscOff = nicModes();
  const afterOff = receivedAfter(s, 'after-off');
  return { on, again, promiscOn, packets, sentRaw, rawPackets, other, promiscOther, otherPackets, off, promiscOff, afterOff };
}

/**
 * What `s` (made non-blocking) receives after a datagram to the peer: the successful receives of
 * 10 tries 30 ms apart, so that the datagram and its ICMP answer have crossed the wire.
 */
function receivedAfter(s: number, payload: string): Array<{ rc: number; error: number }> {
  udpSend(ws.AF_INET, LOCAL4, PEER4, 9, payload);
  ws.ioctlsocket(s, ws.FIONBIO, { value: 1 });
  const received: Array<{ rc: number; error: number }> = [];
  const buf = new Uint8Array(2048);
  for (let i = 0; i < 10; i++) {
    const r = last(ws.recv(s, buf, buf.length, 0));
    if (r.rc !== ws.SOCKET_ERROR) received.push(r);
    else { ws.select(0, null, null, null, { tv_sec: 0, tv_usec: 30_000 }); }
  }
  return received;
}

/** The AF_INET6 form: IPv6 packets, starting at the IPv6 header. */
function modes6(): Facts {
  const s = bound(ws.AF_INET6, ws.SOCK_RAW, ws.IPPROTO_IPV6, LOCAL6);
  const on = ioctlValue(s, ws.SIO_RCVALL, ws.RCVALL_IPLEVEL);
  udpSend(ws.AF_INET6, LOCAL6, PEER6, 9, 'rcvall-udp6');
  const packets = collect(s, ws.AF_INET6, (seen) => seen.some((p) => p.protocol === 17) && seen.some((p) => p.protocol === 58 && p.src === PEER6));
  // From v0's link-local address to all nodes: the source comes back with v0's index as its scope.
  const ifindex = Number(/^(\d+):/.exec(sh('ip', '-o', 'link', 'show', 'v0'))![1]);
  const linkLocal = /inet6 (fe80::[0-9a-f:]+)\//.exec(sh('ip', '-6', '-o', 'addr', 'show', 'dev', 'v0', 'scope', 'link'))![1]!;
  const u = ws.socket(ws.AF_INET6, ws.SOCK_DGRAM, ws.IPPROTO_UDP);
  const from = ws.sockaddr(linkLocal, 0, ifindex);
  ws.bind(u, from, from.length);
  const to = ws.sockaddr('ff02::1', 9, ifindex);
  const hello = new TextEncoder().encode('link-local');
  ws.sendto(u, hello, hello.length, 0, to, to.length);
  ws.closesocket(u);
  const linkLocalPackets = collect(s, ws.AF_INET6, (seen) => seen.some((p) => p.src === linkLocal && p.protocol === 17), 20);
  ws.closesocket(s);
  return { on, packets, ifindex, linkLocal, linkLocalPackets, promiscAfterClose: nicModes() };
}

/** The receive path's other users see a capture: FIONREAD, select, WSAPoll, event select, overlapped WSARecv, truncation. */
const openFds = (): number => readdirSync('/proc/self/fd').length;

function receivePath(): Facts {
  const fdsBefore = openFds();
  const s = bound(ws.AF_INET, ws.SOCK_RAW, ws.IPPROTO_IP, LOCAL4);
  const event = ws.WSACreateEvent();
  ws.WSAEventSelect(s, event, ws.FD_READ);
  // An overlapped receive issued before the capture pends (nothing reaches a protocol-0 socket),
  // and completes with the first captured packet once SIO_RCVALL is on.
  const ovEvent = ws.WSACreateEvent();
  const ov = new ws.WSAOVERLAPPED(ovEvent);
  const pendingBuf = new Uint8Array(2048);
  const flags = { value: 0 };
  const recvRc = last(ws.WSARecv(s, [{ len: pendingBuf.length, buf: pendingBuf }], 1, { value: 0 }, flags, ov, null));
  const on = ioctlValue(s, ws.SIO_RCVALL, ws.RCVALL_ON);
  udpSend(ws.AF_INET, LOCAL4, PEER4, 9, 'path-1');
  const waited = ws.WSAWaitForMultipleEvents(1, [ovEvent], false, 3000, false);
  const transferred = { value: 0 };
  const overlappedOk = ws.WSAGetOverlappedResult(s, ov, transferred, false, { value: 0 });
  const overlappedFirst = pendingBuf[0];
  // More traffic: the event is signalled, select / WSAPoll say readable, FIONREAD counts it.
  udpSend(ws.AF_INET, LOCAL4, PEER4, 9, 'path-2');
  const eventWait = ws.WSAWaitForMultipleEvents(1, [event], false, 3000, false);
  const events: ws.WSANETWORKEVENTS = { lNetworkEvents: 0, iErrorCode: [] };
  ws.WSAEnumNetworkEvents(s, event, events);
  const set: ws.fd_set = { fd_count: 0, fd_array: [] };
  ws.FD_SET(s, set);
  const selected = ws.select(0, set, null, null, { tv_sec: 2, tv_usec: 0 });
  const pollfd: ws.WSAPOLLFD[] = [{ fd: s, events: ws.POLLRDNORM, revents: 0 }];
  const polled = ws.WSAPoll(pollfd, 1, 2000);
  const count = new Uint8Array(4);
  const fionread = ws.WSAIoctl(s, ws.FIONREAD, null, 0, count, 4, { value: 0 }, null, null);
  const queued = new DataView(count.buffer).getUint32(0, true);
  // A buffer shorter than the packet: truncated, WSAEMSGSIZE.
  const small = new Uint8Array(8);
  const truncated = last(ws.recv(s, small, small.length, 0));
  // closesocket with a receive pending and the capture on: the receive is aborted, no fd is left.
  // First take what is queued (the socket is non-blocking under WSAEventSelect; at most 50).
  for (let i = 0; i < 50 && ws.recv(s, pendingBuf, pendingBuf.length, 0) !== ws.SOCKET_ERROR; i++);
  const lastOv = new ws.WSAOVERLAPPED(ws.WSACreateEvent());
  const lastRc = last(ws.WSARecv(s, [{ len: pendingBuf.length, buf: pendingBuf }], 1, { value: 0 }, { value: 0 }, lastOv, null));
  ws.closesocket(s);
  ws.WSACloseEvent(event);
  ws.WSACloseEvent(ovEvent);
  ws.WSACloseEvent(lastOv.hEvent);
  const fdsAfter = openFds();
  return {
    on, recvRc, waited, overlappedOk, transferred: transferred.value, overlappedFirst, eventWait,
    networkEvents: events.lNetworkEvents, selected, polled, revents: pollfd[0]!.revents, fionread, queued,
    truncated, smallFirst: small[0], lastRc, lastStatus: lastOv.Internal, fdsBefore, fdsAfter,
  };
}

/** SIO_RCVALL_MCAST and SIO_RCVALL_IGMPMCAST keep only their kind of packet. */
function multicast(): Facts {
  const m = bound(ws.AF_INET, ws.SOCK_RAW, ws.IPPROTO_UDP, LOCAL4);
  const mcastOn = ioctlValue(m, ws.SIO_RCVALL_MCAST, ws.RCVALL_ON);
  const g = bound(ws.AF_INET, ws.SOCK_RAW, ws.IPPROTO_IGMP, LOCAL4);
  const igmpOn = ioctlValue(g, ws.SIO_RCVALL_IGMPMCAST, ws.RCVALL_ON);
  const promisc = nicModes();
  // Unicast first, then a multicast datagram out of v0, then a group join (an IGMP report).
  udpSend(ws.AF_INET, LOCAL4, PEER4, 9, 'unicast');
  const iface = ws.encodeIPv4(LOCAL4);
  const group = ws.sockaddr('239.1.2.3', 9);
  const u = bound(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP, LOCAL4);
  ws.setsockopt(u, ws.IPPROTO_IP, ws.IP_MULTICAST_IF, iface, 4);
  const data = new TextEncoder().encode('multicast');
  const mcastSent = ws.sendto(u, data, data.length, 0, group, group.length);
  // An IGMPv2 membership report for the group, sent from a raw IGMP socket of our own.
  const r = bound(ws.AF_INET, ws.SOCK_RAW, ws.IPPROTO_IGMP, LOCAL4);
  ws.setsockopt(r, ws.IPPROTO_IP, ws.IP_MULTICAST_IF, iface, 4);
  const report = new Uint8Array(8);
  report[0] = 0x16;
  report.set(ws.encodeIPv4('239.1.2.3'), 4);
  new DataView(report.buffer).setUint16(2, checksum(report));
  const reportSent = ws.sendto(r, report, report.length, 0, group, group.length);
  const mcastPackets = collect(m, ws.AF_INET, (seen) => seen.some((p) => p.dst === '239.1.2.3' && p.protocol === 17), 10);
  const igmpPackets = collect(g, ws.AF_INET, (seen) => seen.some((p) => p.protocol === 2), 10);
  ws.closesocket(u);
  ws.closesocket(r);
  return { mcastOn, igmpOn, promisc, mcastSent, reportSent, mcastPackets, igmpPackets };
}

/** SIO_RCVALL_IF / SIO_RCVALL_MCAST_IF's refusals (rules inferred from their siblings': rcvall.ts). */
function ifErrors(): Facts {
  const v0 = indexOf('v0');
  const udp = bound(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP, LOCAL4);
  const tcp = bound(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP, null);
  const icmp = bound(ws.AF_INET, ws.SOCK_RAW, ws.IPPROTO_ICMP, null);
  const ip = bound(ws.AF_INET, ws.SOCK_RAW, ws.IPPROTO_IP, null);
  const rawUdp = bound(ws.AF_INET, ws.SOCK_RAW, ws.IPPROTO_UDP, null);
  const ip6 = bound(ws.AF_INET6, ws.SOCK_RAW, ws.IPPROTO_IPV6, null);
  const result = {
    v0,
    udp: ioctlIf(udp, ws.SIO_RCVALL_IF, ws.RCVALL_ON, v0),
    tcp: ioctlIf(tcp, ws.SIO_RCVALL_IF, ws.RCVALL_ON, v0),
    icmp: ioctlIf(icmp, ws.SIO_RCVALL_IF, ws.RCVALL_ON, v0),
    rawUdpIf: ioctlIf(rawUdp, ws.SIO_RCVALL_IF, ws.RCVALL_ON, v0),
    mcastIfOnIp: ioctlIf(ip, ws.SIO_RCVALL_MCAST_IF, ws.RCVALL_ON, v0),
    mcastIfOnUdp: ioctlIf(udp, ws.SIO_RCVALL_MCAST_IF, ws.RCVALL_ON, v0),
    mcastIfOnIp6: ioctlIf(ip6, ws.SIO_RCVALL_MCAST_IF, ws.RCVALL_ON, v0),
    noInput: ioctlIf(ip, ws.SIO_RCVALL_IF, ws.RCVALL_ON, v0, 0),
    short4: ioctlIf(ip, ws.SIO_RCVALL_IF, ws.RCVALL_ON, v0, 4),
    short7: ioctlIf(ip, ws.SIO_RCVALL_IF, ws.RCVALL_ON, v0, 7),
    mcastShort: ioctlIf(rawUdp, ws.SIO_RCVALL_MCAST_IF, ws.RCVALL_ON, v0, 4),
    badMode: ioctlIf(ip, ws.SIO_RCVALL_IF, 4, v0),
    hugeMode: ioctlIf(ip, ws.SIO_RCVALL_IF, 0x100 | ws.RCVALL_ON, v0),
    mcastBadMode: ioctlIf(rawUdp, ws.SIO_RCVALL_MCAST_IF, 4, v0),
    unknownIndex: ioctlIf(ip, ws.SIO_RCVALL_IF, ws.RCVALL_ON, 9999),
    zeroIndex: ioctlIf(ip, ws.SIO_RCVALL_IF, ws.RCVALL_ON, 0),
    hugeIndex: ioctlIf(ip, ws.SIO_RCVALL_IF, ws.RCVALL_ON, 0xffffffff),
    mcastUnknownIndex: ioctlIf(rawUdp, ws.SIO_RCVALL_MCAST_IF, ws.RCVALL_ON, 9999),
    levelOnlyUnknown: ioctlIf(ip, ws.SIO_RCVALL_IF, ws.RCVALL_SOCKETLEVELONLY, 9999),
    offUnknown: ioctlIf(ip, ws.SIO_RCVALL_IF, ws.RCVALL_OFF, 9999),
    levelOnly: ioctlIf(ip, ws.SIO_RCVALL_IF, ws.RCVALL_SOCKETLEVELONLY, v0),
    promiscuous: nicModes(),
  };
  // Nothing was turned on: traffic still does not reach the unbound protocol-0 socket.
  return { ...result, afterErrors: receivedAfter(ip, 'if-errors') };
}

/**
 * SIO_RCVALL_IF on real traffic: an unbound socket captures v0 by its index (both directions), and
 * nothing of the loopback traffic sent at the same time; a socket bound to v0's address but given
 * lo's index captures lo, not v0 (the index decides); RCVALL_ON promiscuous; RCVALL_OFF stops.
 */
function byIndex(): Facts {
  const v0 = indexOf('v0');
  const lo = indexOf('lo');
  const s = bound(ws.AF_INET, ws.SOCK_RAW, ws.IPPROTO_IP, null);
  const on = ioctlIf(s, ws.SIO_RCVALL_IF, ws.RCVALL_IPLEVEL, v0);
  const promiscOn = nicModes();
  udpSend(ws.AF_INET, '127.0.0.1', '127.0.0.1', 9, 'lo-not-v0');
  udpSend(ws.AF_INET, LOCAL4, PEER4, 9, 'rcvall-if');
  const packets = collect(s, ws.AF_INET, (seen) => seen.some((p) => p.protocol === 17 && p.dst === PEER4) && seen.some((p) => p.protocol === 1 && p.src === PEER4));
  // Again with RCVALL_ON: the same socket, now promiscuous.
  const promisc = ioctlIf(s, ws.SIO_RCVALL_IF, ws.RCVALL_ON, v0);
  const promiscOther = nicModes();
  const off = ioctlIf(s, ws.SIO_RCVALL_IF, ws.RCVALL_OFF, v0);
  const promiscOff = nicModes();
  const afterOff = receivedAfter(s, 'after-off');
  ws.closesocket(s);

  // Bound on v0, capturing lo by index.
  const t = bound(ws.AF_INET, ws.SOCK_RAW, ws.IPPROTO_IP, LOCAL4);
  const loOn = ioctlIf(t, ws.SIO_RCVALL_IF, ws.RCVALL_IPLEVEL, lo);
  udpSend(ws.AF_INET, LOCAL4, PEER4, 9, 'v0-not-lo');
  udpSend(ws.AF_INET, '127.0.0.1', '127.0.0.1', 9, 'lo-by-index');
  // The whole bounded time (never "enough"), so that v0's datagram would have arrived if kept.
  const loPackets = collect(t, ws.AF_INET, () => false, 10);
  ws.closesocket(t);

  // IPv6: an unbound AF_INET6 capture socket on v0 by index.
  const u = bound(ws.AF_INET6, ws.SOCK_RAW, ws.IPPROTO_IPV6, null);
  const on6 = ioctlIf(u, ws.SIO_RCVALL_IF, ws.RCVALL_IPLEVEL, v0);
  udpSend(ws.AF_INET6, LOCAL6, PEER6, 9, 'rcvall-if6');
  const packets6 = collect(u, ws.AF_INET6, (seen) => seen.some((p) => p.protocol === 17) && seen.some((p) => p.protocol === 58 && p.src === PEER6));
  ws.closesocket(u);
  return { v0, lo, on, promiscOn, packets, promisc, promiscOther, off, promiscOff, afterOff, loOn, loPackets, on6, packets6, promiscAfter: nicModes() };
}

/** SIO_RCVALL_MCAST_IF: an unbound raw UDP socket keeps v0's multicast packets only; the same value as SIO_SOCKET_CLOSE_NOTIFY. */
function multicastByIndex(): Facts {
  const v0 = indexOf('v0');
  const m = bound(ws.AF_INET, ws.SOCK_RAW, ws.IPPROTO_UDP, null);
  const on = ioctlIf(m, ws.SIO_RCVALL_MCAST_IF, ws.RCVALL_ON, v0);
  const modes = nicModes();
  udpSend(ws.AF_INET, LOCAL4, PEER4, 9, 'unicast');
  const u = bound(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP, LOCAL4);
  ws.setsockopt(u, ws.IPPROTO_IP, ws.IP_MULTICAST_IF, ws.encodeIPv4(LOCAL4), 4);
  const group = ws.sockaddr('239.1.2.3', 9);
  const data = new TextEncoder().encode('multicast');
  const sent = ws.sendto(u, data, data.length, 0, group, group.length);
  const packets = collect(m, ws.AF_INET, (seen) => seen.some((p) => p.dst === '239.1.2.3' && p.protocol === 17), 10);
  const off = ioctlIf(m, ws.SIO_RCVALL_MCAST_IF, ws.RCVALL_OFF, v0);
  const modesOff = nicModes();
  ws.closesocket(u);
  ws.closesocket(m);
  return { v0, on, modes, sent, packets, off, modesOff };
}

interface CliResult { code: number | null; signal: string | null; stdout: string; stderr: string; sends: number }

/**
 * The built `wsaioctl capture` as a child (in this namespace), with UDP datagrams to the peer sent
 * every 100 ms until it exits (at most 100: the child is killed after 10 s anyway, and under load
 * it may take seconds to start capturing).
 */
function runCapture(args: string[], traffic: boolean): Promise<CliResult> {
  const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, 'capture', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let sends = 0;
    child.stdout.setEncoding('utf8').on('data', (t: string) => { stdout += t; });
    child.stderr.setEncoding('utf8').on('data', (t: string) => { stderr += t; });
    const ticker = traffic
      ? setInterval(() => {
        // Seven bytes each, so every datagram is 35 bytes on the wire.
        if (sends++ < 100) udpSend(ws.AF_INET, LOCAL4, PEER4, 9, `cli-${String(sends).padStart(3, '0')}`);
      }, 100)
      : null;
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('close', (code, signal) => {
      if (ticker) clearInterval(ticker);
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr, sends });
    });
  });
}

/** `wsaioctl capture`: count-bounded (JSON and text) and time-bounded runs. */
async function cli(): Promise<Facts> {
  const json = await runCapture(['--interface', LOCAL4, '--count', '3', '--json'], true);
  const text = await runCapture(['--interface', LOCAL4, '--count', '1', '--promiscuous'], true);
  const quiet = await runCapture(['--interface', LOCAL4, '--duration', '0.4'], false);
  const v6 = await runCapture(['--interface', LOCAL6, '--duration', '0.4', '--json'], false);
  const byName = await runCapture(['--interface', 'v0', '--count', '2', '--json'], true);
  const byIndex = await runCapture(['--interface', String(indexOf('v0')), '--count', '2', '--json'], true);
  return { json, text, quiet, v6, byName, byIndex };
}

/** On the loopback interface each packet passes the capture once (Linux shows it going out and coming in). */
function loopback(): Facts {
  const s = bound(ws.AF_INET, ws.SOCK_RAW, ws.IPPROTO_IP, '127.0.0.1');
  const on = ioctlValue(s, ws.SIO_RCVALL, ws.RCVALL_IPLEVEL);
  udpSend(ws.AF_INET, '127.0.0.1', '127.0.0.1', 9, 'loopback-once');
  // Collect for the whole bounded time (the predicate never says "enough"), at most 10 packets.
  const packets = collect(s, ws.AF_INET, () => false, 10);
  return { on, packets };
}

const scenarios: Record<string, () => Facts | Promise<Facts>> = {
  raw,
  errors,
  on: () => modes4(ws.RCVALL_ON),
  iplevel: () => modes4(ws.RCVALL_IPLEVEL),
  ipv6: modes6,
  'receive-path': receivePath,
  multicast,
  'if-errors': ifErrors,
  'by-index': byIndex,
  'multicast-by-index': multicastByIndex,
  cli,
  loopback,
};

const name = process.argv[2] ?? '';
const scenario = scenarios[name];
if (!scenario) throw new Error(`unknown scenario ${name}`);
openCaptureLab();
ws.WSAStartup(ws.MAKEWORD(2, 2), ws.newWSADATA());
try {
  out(await scenario());
} finally {
  ws.WSACleanup();
  closeCaptureLab();
}
