/**
 * Codes of issue 18 §2: the multicast source filters (SIO_SET_MULTICAST_FILTER /
 * SIO_GET_MULTICAST_FILTER, SIOCSMSFILTER / SIOCGMSFILTER), on the loopback interface only
 * (group 239.255.0.1 on 127.0.0.1 / interface index 1; nothing leaves the host), and the RSS
 * queries (SIO_QUERY_RSS_PROCESSOR_INFO, SIO_QUERY_RSS_SCALABILITY_INFO) and the runtime port
 * reservations (SIO_ACQUIRE / RELEASE / ASSOCIATE_PORT_RESERVATION), SIO_TCP_INITIAL_RTO, and the
 * IP_UNICAST_IF / IPV6_UNICAST_IF socket options, SIO_AF_UNIX_GETPEERPID (an AF_UNIX connection
 * of the process to itself, under the temporary directory).
 *
 * Sources: Microsoft's IP_MSFILTER, GROUP_FILTER and "Final-State-Based Multicast Programming"
 * pages (the layouts, MCAST_INCLUDE 0 / MCAST_EXCLUDE 1, datagram and raw sockets only, setting a
 * filter as the way to join), ws2tcpip.h getipv4sourcefilter / getsourcefilter (a get fills the
 * caller's buffer; numsrc in = room, out = the filter's count). What no source states (the bytes a
 * get returns, the stream-socket error) is marked inferred.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context, Scenario } from '../lib/types.js';
import { expand, type CodeCase, type OverlappedRule } from '../lib/cases.js';
import { errName, ws } from '../lib/winsock.js';

const FILTER_PAGES = 'Microsoft: IP_MSFILTER / GROUP_FILTER structure pages, Final-State-Based Multicast Programming';
const RSS_PAGE = 'Microsoft, SIO_QUERY_RSS_PROCESSOR_INFO and SOCKET_PROCESSOR_AFFINITY pages';
const RESERVATION_PAGES = 'Microsoft: SIO_ACQUIRE_PORT_RESERVATION, SIO_RELEASE_PORT_RESERVATION, SIO_ASSOCIATE_PORT_RESERVATION, INET_PORT_RANGE, INET_PORT_RESERVATION_INSTANCE pages';
const GETTERS = 'ws2tcpip.h getipv4sourcefilter / getsourcefilter (in: group, interface, room; out: mode, count, sources)';

const immediateInferred: OverlappedRule = {
  kind: 'immediate', basis: 'inferred',
  source: 'codes answered at once complete at once when overlapped (measured for FIONBIO, FIONREAD, SIOCATMARK, SIO_KEEPALIVE_VALS: Wine sock.c)',
};

const GROUP = Uint8Array.from([239, 255, 0, 1]);
const LOOPBACK = Uint8Array.from([127, 0, 0, 1]);
/** The loopback interface's index: 1 on Linux and on Windows ("Loopback Pseudo-Interface 1"). */
const LOOPBACK_INDEX = 1;

const ipFilter = (fmode: number, numsrc?: number, sources: Uint8Array[] = []): Buffer =>
  ws.encodeIpMsfilter({ multiaddr: GROUP, interface: LOOPBACK, fmode, numsrc, sources });
const groupFilter = (fmode: number, numsrc?: number, sources: Uint8Array[] = []): Buffer =>
  ws.encodeGroupFilter({ interfaceIndex: LOOPBACK_INDEX, group: ws.sockaddr('239.255.0.1', 0), fmode, numsrc, sources });

/** A UDP socket bound to 127.0.0.1 whose filter for the group is EXCLUDE{} (set with `code`). */
function joined(code: 'ip' | 'group') {
  return (ctx: Context): number => {
    const s = ctx.udpBound();
    const f = code === 'ip' ? ipFilter(ws.MCAST_EXCLUDE) : groupFilter(ws.MCAST_EXCLUDE);
    ws.WSAIoctl(s, code === 'ip' ? ws.SIO_SET_MULTICAST_FILTER : ws.SIOCSMSFILTER, f, f.length, null, 0, { value: 0 }, null, null);
    return s;
  };
}

/** Tokens of the reservations `withReservation` acquired, by socket. */
const tokens = new Map<number, bigint>();

/** A fresh TCP socket that has acquired a 1-port runtime reservation (its token in `tokens`). */
function withReservation(ctx: Context): number {
  const s = ctx.tcp();
  const out = new Uint8Array(16);
  const input = ws.encodeInetPortRange(0, 1);
  if (ws.WSAIoctl(s, ws.SIO_ACQUIRE_PORT_RESERVATION, input, 4, out, 16, { value: 0 }, null, null) === 0) {
    tokens.set(s, ws.decodePortReservationInstance(out).token);
  }
  return s;
}

const describeIp = (out: Uint8Array, bytes: number): string => {
  const f = ws.decodeIpMsfilter(out, Math.min(bytes, out.length));
  return `mode ${f.fmode}, ${f.numsrc} sources`;
};
const describeGroup = (out: Uint8Array, bytes: number): string => {
  const f = ws.decodeGroupFilter(out, Math.min(bytes, out.length));
  return `mode ${f.fmode}, ${f.numsrc} sources, group family ${f.group[0]! | (f.group[1]! << 8)}`;
};

const cases: CodeCase[] = [
  {
    id: 'SIO_SET_MULTICAST_FILTER.exclude-none', code: 'SIO_SET_MULTICAST_FILTER', socket: 'udp-bound',
    title: 'EXCLUDE{} for 239.255.0.1 on 127.0.0.1 (a join): 0, 0 bytes',
    spec: () => ({ code: ws.SIO_SET_MULTICAST_FILTER, input: ipFilter(ws.MCAST_EXCLUDE) }),
    expected: { rc: 0, error: 'NO_ERROR', bytes: 0 },
    basis: 'documented', source: FILTER_PAGES,
    overlapped: immediateInferred,
  },
  {
    id: 'SIO_SET_MULTICAST_FILTER.tcp', code: 'SIO_SET_MULTICAST_FILTER', socket: 'tcp-fresh',
    title: 'a TCP socket: WSAEINVAL',
    spec: () => ({ code: ws.SIO_SET_MULTICAST_FILTER, input: ipFilter(ws.MCAST_EXCLUDE) }),
    expected: { rc: -1, error: 'WSAEINVAL', bytes: 0 },
    basis: 'inferred', source: `datagram and raw sockets only (${FILTER_PAGES}); the error as the other multicast codes on a stream socket`,
  },
  {
    id: 'SIO_GET_MULTICAST_FILTER.after-exclude-none', code: 'SIO_GET_MULTICAST_FILTER', socket: 'udp-bound', make: joined('ip'),
    title: 'after EXCLUDE{}: mode 1 (MCAST_EXCLUDE), no sources',
    spec: () => ({ code: ws.SIO_GET_MULTICAST_FILTER, input: ipFilter(0, 2), output: ws.ipMsfilterSize(2) }),
    describe: describeIp,
    expected: { rc: 0, error: 'NO_ERROR', bytes: 16, out: 'mode 1, 0 sources' },
    basis: 'inferred', source: `${GETTERS}; the byte count (the header and the sources written) is inferred`,
    overlapped: immediateInferred,
  },
  {
    id: 'SIOCSMSFILTER.include-one', code: 'SIOCSMSFILTER', socket: 'udp-bound',
    title: 'INCLUDE{127.0.0.2} for 239.255.0.1 on interface 1 (a join): 0, 0 bytes',
    spec: () => ({ code: ws.SIOCSMSFILTER, input: groupFilter(ws.MCAST_INCLUDE, undefined, [ws.sockaddr('127.0.0.2', 0)]) }),
    expected: { rc: 0, error: 'NO_ERROR', bytes: 0 },
    basis: 'documented', source: FILTER_PAGES,
    overlapped: immediateInferred,
  },
  {
    id: 'SIOCGMSFILTER.after-exclude-none', code: 'SIOCGMSFILTER', socket: 'udp-bound', make: joined('group'),
    title: 'after EXCLUDE{}: mode 1 (MCAST_EXCLUDE), no sources, the group as a Windows SOCKADDR_IN',
    spec: () => ({ code: ws.SIOCGMSFILTER, input: groupFilter(0, 1), output: ws.groupFilterSize(1) }),
    describe: describeGroup,
    expected: { rc: 0, error: 'NO_ERROR', bytes: 144, out: 'mode 1, 0 sources, group family 2' },
    basis: 'inferred', source: `${GETTERS}; the byte count (the header and the sources written) is inferred`,
    overlapped: immediateInferred,
  },
  {
    id: 'SIO_QUERY_RSS_PROCESSOR_INFO.connected-tcp', code: 'SIO_QUERY_RSS_PROCESSOR_INFO', socket: 'tcp-pair',
    title: 'a connected TCP socket: a SOCKET_PROCESSOR_AFFINITY, 8 bytes',
    spec: () => ({ code: ws.SIO_QUERY_RSS_PROCESSOR_INFO, output: 8 }),
    describe: (out) => (out[2]! < 64 && out[3] === 0 && out[6] === 0 && out[7] === 0 ? 'a processor number' : 'malformed'),
    expected: { rc: 0, error: 'NO_ERROR', bytes: 8, out: 'a processor number' },
    basis: 'documented', source: RSS_PAGE,
    overlapped: immediateInferred,
  },
  {
    id: 'SIO_QUERY_RSS_PROCESSOR_INFO.unconnected-udp', code: 'SIO_QUERY_RSS_PROCESSOR_INFO', socket: 'udp-bound',
    title: 'an unconnected UDP socket: WSAENOTCONN',
    spec: () => ({ code: ws.SIO_QUERY_RSS_PROCESSOR_INFO, output: 8 }),
    expected: { rc: -1, error: 'WSAENOTCONN', bytes: 0, out: 'untouched' },
    basis: 'documented', source: RSS_PAGE,
  },
  {
    id: 'SIO_QUERY_RSS_SCALABILITY_INFO.udp', code: 'SIO_QUERY_RSS_SCALABILITY_INFO', socket: 'udp-fresh',
    title: 'a UDP socket: one BOOLEAN, 1 byte',
    spec: () => ({ code: ws.SIO_QUERY_RSS_SCALABILITY_INFO, output: 1 }),
    describe: (out) => (out[0] === 0 || out[0] === 1 ? 'a BOOLEAN' : `not a BOOLEAN (${out[0]})`),
    expected: { rc: 0, error: 'NO_ERROR', bytes: 1, out: 'a BOOLEAN' },
    basis: 'documented', source: 'Microsoft, Winsock IOCTLs page (SIO_QUERY_RSS_SCALABILITY_INFO: RSS_SCALABILITY_INFO, one BOOLEAN)',
    overlapped: immediateInferred,
  },
  {
    id: 'SIO_QUERY_RSS_SCALABILITY_INFO.no-output', code: 'SIO_QUERY_RSS_SCALABILITY_INFO', socket: 'udp-fresh',
    title: 'no output buffer: WSAEINVAL',
    spec: () => ({ code: ws.SIO_QUERY_RSS_SCALABILITY_INFO, output: null }),
    expected: { rc: -1, error: 'WSAEINVAL', bytes: 0 },
    basis: 'documented', source: 'Microsoft, Winsock IOCTLs page (a NULL output or one smaller than RSS_SCALABILITY_INFO: WSAEINVAL)',
  },
  {
    id: 'SIO_ACQUIRE_PORT_RESERVATION.any-2', code: 'SIO_ACQUIRE_PORT_RESERVATION', socket: 'tcp-fresh',
    title: 'StartPort 0, 2 ports: an INET_PORT_RESERVATION_INSTANCE, 16 bytes',
    spec: () => ({ code: ws.SIO_ACQUIRE_PORT_RESERVATION, input: ws.encodeInetPortRange(0, 2), output: 16 }),
    describe: (out) => {
      const r = ws.decodePortReservationInstance(out);
      return r.numberOfPorts === 2 && r.startPort !== 0 && r.token !== 0n ? 'a block of 2 ports and a token' : `unexpected: ${r.startPort}/${r.numberOfPorts}`;
    },
    expected: { rc: 0, error: 'NO_ERROR', bytes: 16, out: 'a block of 2 ports and a token' },
    basis: 'documented', source: RESERVATION_PAGES,
    overlapped: immediateInferred,
  },
  {
    id: 'SIO_ACQUIRE_PORT_RESERVATION.no-ports', code: 'SIO_ACQUIRE_PORT_RESERVATION', socket: 'tcp-fresh',
    title: 'NumberOfPorts 0: WSAEINVAL',
    spec: () => ({ code: ws.SIO_ACQUIRE_PORT_RESERVATION, input: ws.encodeInetPortRange(0, 0), output: 16 }),
    expected: { rc: -1, error: 'WSAEINVAL', bytes: 0, out: 'untouched' },
    basis: 'inferred', source: `an invalid parameter is WSAEINVAL (${RESERVATION_PAGES})`,
  },
  {
    id: 'SIO_RELEASE_PORT_RESERVATION.own-token', code: 'SIO_RELEASE_PORT_RESERVATION', socket: 'tcp-fresh', make: withReservation,
    title: 'the token of a reservation this socket acquired: 0, 0 bytes',
    spec: (s) => ({ code: ws.SIO_RELEASE_PORT_RESERVATION, input: ws.encodePortReservationToken(tokens.get(s) ?? 0n) }),
    expected: { rc: 0, error: 'NO_ERROR', bytes: 0 },
    basis: 'documented', source: RESERVATION_PAGES,
    overlapped: immediateInferred,
  },
  {
    id: 'SIO_RELEASE_PORT_RESERVATION.unknown-token', code: 'SIO_RELEASE_PORT_RESERVATION', socket: 'tcp-fresh',
    title: 'a token that names no reservation: WSAEINVAL',
    spec: () => ({ code: ws.SIO_RELEASE_PORT_RESERVATION, input: ws.encodePortReservationToken(0x5eed0001n) }),
    expected: { rc: -1, error: 'WSAEINVAL', bytes: 0 },
    basis: 'inferred', source: `an invalid parameter is WSAEINVAL (${RESERVATION_PAGES})`,
  },
  {
    id: 'SIO_ASSOCIATE_PORT_RESERVATION.own-token', code: 'SIO_ASSOCIATE_PORT_RESERVATION', socket: 'tcp-fresh', make: withReservation,
    title: 'an unbound socket and a live runtime reservation\'s token: 0, 0 bytes',
    spec: (s) => ({ code: ws.SIO_ASSOCIATE_PORT_RESERVATION, input: ws.encodePortReservationToken(tokens.get(s) ?? 0n) }),
    expected: { rc: 0, error: 'NO_ERROR', bytes: 0 },
    basis: 'documented', source: RESERVATION_PAGES,
    overlapped: immediateInferred,
  },
  {
    id: 'SIO_ASSOCIATE_PORT_RESERVATION.unknown-token', code: 'SIO_ASSOCIATE_PORT_RESERVATION', socket: 'tcp-fresh',
    title: 'a token that names no reservation: WSAEINVAL',
    spec: () => ({ code: ws.SIO_ASSOCIATE_PORT_RESERVATION, input: ws.encodePortReservationToken(0x5eed0001n) }),
    expected: { rc: -1, error: 'WSAEINVAL', bytes: 0 },
    basis: 'inferred', source: `an invalid parameter is WSAEINVAL (${RESERVATION_PAGES})`,
  },
  {
    id: 'SIO_TCP_INITIAL_RTO.rtt-300-syn-3', code: 'SIO_TCP_INITIAL_RTO', socket: 'tcp-fresh',
    title: 'Rtt 300 ms, 3 SYN retransmissions on a TCP socket not yet connected: 0, 0 bytes',
    spec: () => ({ code: ws.SIO_TCP_INITIAL_RTO, input: Uint8Array.from([300 & 0xff, 300 >> 8, 3, 0]) }),
    expected: { rc: 0, error: 'NO_ERROR', bytes: 0 },
    basis: 'documented', source: 'Microsoft, SIO_TCP_INITIAL_RTO and TCP_INITIAL_RTO_PARAMETERS pages',
    overlapped: immediateInferred,
  },
  {
    id: 'SIO_TCP_INITIAL_RTO.udp', code: 'SIO_TCP_INITIAL_RTO', socket: 'udp-fresh',
    title: 'a UDP socket: WSAEOPNOTSUPP',
    spec: () => ({ code: ws.SIO_TCP_INITIAL_RTO, input: Uint8Array.from([0, 0, 3, 0]) }),
    expected: { rc: -1, error: 'WSAEOPNOTSUPP', bytes: 0 },
    basis: 'inferred', source: 'a TCP-only code on a socket whose provider does not handle it (Wine sock.c test_unsupported_ioctls: WSAEOPNOTSUPP)',
  },
  {
    id: 'SIO_AF_UNIX_GETPEERPID.accepted', code: 'SIO_AF_UNIX_GETPEERPID', socket: 'none', make: unixAccepted,
    title: 'the accepted end of a connection from this process: this process\'s id, 4 bytes',
    spec: () => ({ code: ws.SIO_AF_UNIX_GETPEERPID, output: 4 }),
    describe: (out) => (new DataView(out.buffer, out.byteOffset, 4).getUint32(0, true) === process.pid ? 'this process' : 'another id'),
    expected: { rc: 0, error: 'NO_ERROR', bytes: 4, out: 'this process' },
    basis: 'inferred', source: 'afunix.h declares it (a ULONG process id); no Microsoft page (remaining-codes.md #58)',
    overlapped: immediateInferred,
  },
];

let unixCount = 0;

/**
 * The accepted end of an AF_UNIX stream connection this process made to itself (a path under the
 * temporary directory, removed at once: the connection does not need the name any more).
 */
function unixAccepted(ctx: Context): number {
  const dir = mkdtempSync(join(tmpdir(), 'wsaioctl-cf-'));
  const path = join(dir, `s${unixCount++}`);
  const name = new Uint8Array(110);
  name[0] = ws.AF_UNIX;
  name.set(new TextEncoder().encode(path), 2);
  const listener = ctx.track(ws.socket(ws.AF_UNIX, ws.SOCK_STREAM, 0));
  const client = ctx.track(ws.socket(ws.AF_UNIX, ws.SOCK_STREAM, 0));
  ws.bind(listener, name, name.length);
  ws.listen(listener, 1);
  ws.connect(client, name, name.length);
  const server = ctx.track(ws.accept(listener, null, null));
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {
    // a name still in use: the temporary directory keeps it
  }
  return server;
}

/** setsockopt(value) then getsockopt of the same option: both results and the DWORD read back. */
function unicastIf(id: string, family: 4 | 6, value: number, call: string): Scenario {
  return {
    id: `sockopt.${id}`,
    title: `${id}: set with the loopback interface's index (1), read back in host order`,
    mode: 'other', sockets: ['none'], call,
    expected: { set: 0, get: 0, value: 1 },
    basis: 'documented', source: 'Microsoft, IPPROTO_IP / IPPROTO_IPV6 socket options pages (IP_UNICAST_IF: network order in; IPV6_UNICAST_IF: host order; read back in host order: remaining-codes.md #29)',
    run(ctx) {
      const s = family === 4 ? ctx.udp() : ctx.udp6();
      const [level, name] = family === 4 ? [ws.IPPROTO_IP, ws.IP_UNICAST_IF] : [ws.IPPROTO_IPV6, ws.IPV6_UNICAST_IF];
      const input = new Uint8Array(4);
      new DataView(input.buffer).setUint32(0, value, true);
      const set = ws.setsockopt(s, level, name, input, 4) === 0 ? 0 : errName(ws.WSAGetLastError());
      const out = new Uint8Array(4);
      const get = ws.getsockopt(s, level, name, out, { value: 4 }) === 0 ? 0 : errName(ws.WSAGetLastError());
      return { set, get, value: new DataView(out.buffer).getUint32(0, true) };
    },
  };
}

export const remainingCodes: Scenario[] = [
  ...cases.flatMap(expand),
  unicastIf('IP_UNICAST_IF.loopback', 4, 0x01000000, 'setsockopt(udp, IPPROTO_IP, IP_UNICAST_IF, &htonl(1), 4); getsockopt(...)'),
  unicastIf('IPV6_UNICAST_IF.loopback', 6, 1, 'setsockopt(udp6, IPPROTO_IPV6, IPV6_UNICAST_IF, &1, 4); getsockopt(...)'),
];
