/**
 * Raw sockets and SIO_RCVALL's rules, on loopback only (no capture content: what Windows captures
 * on 127.0.0.1 is an open question, remaining-codes.md §7). The runner is an administrator on
 * Windows / root on Linux, so raw sockets can be made (a non-administrator's WSAEACCES is held by
 * test/privileges.test.ts).
 */
import type { Observation, Scenario } from '../lib/types.js';
import { expand, type CodeCase, type OverlappedRule } from '../lib/cases.js';
import { errName, u32, u32s, ws } from '../lib/winsock.js';
import { SRC } from './sources.js';

const immediateInferred: OverlappedRule = {
  kind: 'immediate', basis: 'inferred',
  source: 'codes answered at once complete at once when overlapped (measured for FIONBIO, FIONREAD, SIOCATMARK, SIO_KEEPALIVE_VALS: Wine sock.c)',
};

const EINVAL = { rc: -1, error: 'WSAEINVAL', bytes: 0 };
const OK = { rc: 0, error: 'NO_ERROR', bytes: 0 };

/** RCVALL_IF { ULONG Mode; ULONG Interface } (ioctl-structs.md), cut to `size` bytes. */
const rcvallIf = (mode: number, index: number, size = 8): Uint8Array => u32s(mode, index).subarray(0, size);
/** No interface has index 0 (Windows: NET_IFINDEX_UNSPECIFIED; Linux indexes start at 1). */
const NO_INTERFACE = 0;
/** The loopback interface's index: Linux lo, Windows' Loopback Pseudo-Interface 1. */
const LOOPBACK_INDEX = 1;
/** Where the IF forms' rules come from: nowhere published, so each is the sibling's (handlers/rcvall.ts). */
const ifRule = (sibling: string, rule: string): string =>
  `header-only code (mstcpip.h; RCVALL_IF in ioctl-structs.md; remaining-codes.md §3.3 item 9): ${rule}, inferred from ${sibling}'s`;

const cases: CodeCase[] = [
  {
    id: 'SIO_RCVALL.udp', code: 'SIO_RCVALL', socket: 'udp-bound', title: 'a UDP socket: WSAEINVAL',
    spec: () => ({ code: ws.SIO_RCVALL, input: u32(ws.RCVALL_ON) }),
    expected: EINVAL, basis: 'documented', source: `${SRC.rcvall} (WSAEINVAL: not applicable to this socket type; the TCP / UDP error is unverified, remaining-codes.md §7)`,
  },
  {
    id: 'SIO_RCVALL.tcp', code: 'SIO_RCVALL', socket: 'tcp-fresh', title: 'a TCP socket: WSAEINVAL',
    spec: () => ({ code: ws.SIO_RCVALL, input: u32(ws.RCVALL_ON) }),
    expected: EINVAL, basis: 'documented', source: `${SRC.rcvall} (as for UDP)`,
  },
  {
    id: 'SIO_RCVALL.unbound', code: 'SIO_RCVALL', socket: 'raw-ip', title: 'a raw IPPROTO_IP socket never bound: WSAEINVAL',
    spec: () => ({ code: ws.SIO_RCVALL, input: u32(ws.RCVALL_ON) }),
    expected: EINVAL, basis: 'documented', source: `${SRC.rcvall} (an explicit local address is required; WSAEINVAL: the interface cannot be found)`,
  },
  {
    id: 'SIO_RCVALL.wildcard', code: 'SIO_RCVALL', socket: 'raw-ip-wildcard', title: 'bound to INADDR_ANY: WSAEINVAL',
    spec: () => ({ code: ws.SIO_RCVALL, input: u32(ws.RCVALL_ON) }),
    expected: EINVAL, basis: 'documented', source: `${SRC.rcvall} (INADDR_ANY is not allowed)`,
  },
  {
    id: 'SIO_RCVALL.bad-value', code: 'SIO_RCVALL', socket: 'raw-ip-bound', title: 'a value above RCVALL_IPLEVEL: WSAEINVAL',
    spec: () => ({ code: ws.SIO_RCVALL, input: u32(4) }),
    expected: EINVAL, basis: 'documented', source: `${SRC.rcvall} (not an RCVALL_VALUE)`,
  },
  {
    id: 'SIO_RCVALL.no-input', code: 'SIO_RCVALL', socket: 'raw-ip-bound', title: 'no input: WSAEINVAL',
    spec: () => ({ code: ws.SIO_RCVALL, input: null }),
    expected: EINVAL, basis: 'documented', source: `${SRC.rcvall} (cbInBuffer below sizeof(UCHAR))`,
  },
  {
    id: 'SIO_RCVALL.socket-level-only', code: 'SIO_RCVALL', socket: 'raw-ip-bound', title: 'RCVALL_SOCKETLEVELONLY on a bound raw socket: 0 (no effect)',
    spec: () => ({ code: ws.SIO_RCVALL, input: u32(ws.RCVALL_SOCKETLEVELONLY) }),
    expected: { rc: 0, error: 'NO_ERROR', bytes: 0 },
    basis: 'inferred', source: `${SRC.rcvall} (documented as not implemented, so it changes nothing; the return value is unverified, remaining-codes.md §7)`,
    overlapped: immediateInferred,
  },
  {
    id: 'SIO_RCVALL.off', code: 'SIO_RCVALL', socket: 'raw-ip-bound', title: 'RCVALL_OFF on a bound raw socket not capturing: 0',
    spec: () => ({ code: ws.SIO_RCVALL, input: u32(ws.RCVALL_OFF) }),
    expected: { rc: 0, error: 'NO_ERROR', bytes: 0 },
    basis: 'inferred', source: `${SRC.rcvall} (RCVALL_OFF stops receive-all; off already is not an error)`,
    overlapped: immediateInferred,
  },
  ...([
    ['SIO_RCVALL_MCAST', 'raw-udp-bound', 'IPPROTO_UDP'],
    ['SIO_RCVALL_IGMPMCAST', 'raw-igmp-bound', 'IPPROTO_IGMP'],
  ] as const).flatMap(([name, socket, protocol]): CodeCase[] => [
    {
      id: `${name}.off`, code: name, socket, title: `RCVALL_OFF on a bound ${protocol} raw socket not capturing: 0`,
      spec: () => ({ code: ws[name], input: u32(ws.RCVALL_OFF) }),
      expected: { rc: 0, error: 'NO_ERROR', bytes: 0 },
      basis: 'inferred', source: `${SRC.ioctlsPage} (AF_INET / SOCK_RAW / ${protocol}, bound; off already is not an error, as SIO_RCVALL's)`,
      overlapped: immediateInferred,
    },
    {
      id: `${name}.udp`, code: name, socket: 'udp-bound', title: 'a UDP socket: WSAEINVAL',
      spec: () => ({ code: ws[name], input: u32(ws.RCVALL_ON) }),
      expected: EINVAL, basis: 'inferred', source: `${SRC.ioctlsPage} (raw ${protocol} sockets only; the error as SIO_RCVALL's)`,
    },
  ]),
  {
    id: 'SIO_RCVALL_MCAST.raw-ip', code: 'SIO_RCVALL_MCAST', socket: 'raw-ip-bound', title: 'on an IPPROTO_IP raw socket (it wants IPPROTO_UDP): WSAEINVAL',
    spec: () => ({ code: ws.SIO_RCVALL_MCAST, input: u32(ws.RCVALL_ON) }),
    expected: EINVAL, basis: 'inferred', source: `${SRC.ioctlsPage} (AF_INET / SOCK_RAW / IPPROTO_UDP only; the error as SIO_RCVALL's)`,
  },
  // The interface-index forms: the sibling's rules with the interface from the input (no bind needed).
  ...([
    ['SIO_RCVALL_IF', 'SIO_RCVALL', 'raw-ip', 'an unbound IPPROTO_IP raw socket'],
    ['SIO_RCVALL_MCAST_IF', 'SIO_RCVALL_MCAST', 'raw-udp-bound', 'a bound IPPROTO_UDP raw socket'],
  ] as const).flatMap(([name, sibling, socket, what]): CodeCase[] => [
    {
      id: `${name}.udp`, code: name, socket: 'udp-bound', title: 'a UDP socket: WSAEINVAL',
      spec: () => ({ code: ws[name], input: rcvallIf(ws.RCVALL_ON, LOOPBACK_INDEX) }),
      expected: EINVAL, basis: 'inferred', source: ifRule(sibling, 'the socket rule and its error'),
    },
    {
      id: `${name}.short`, code: name, socket, title: `4 input bytes (RCVALL_IF has 8) on ${what}: WSAEINVAL`,
      spec: () => ({ code: ws[name], input: rcvallIf(ws.RCVALL_ON, LOOPBACK_INDEX, 4) }),
      expected: EINVAL, basis: 'inferred', source: ifRule(sibling, 'an input too short for its value is WSAEINVAL'),
    },
    {
      id: `${name}.bad-mode`, code: name, socket, title: `Mode above RCVALL_IPLEVEL on ${what}: WSAEINVAL`,
      spec: () => ({ code: ws[name], input: rcvallIf(4, LOOPBACK_INDEX) }),
      expected: EINVAL, basis: 'inferred', source: ifRule(sibling, 'a value that is not an RCVALL_VALUE is WSAEINVAL'),
    },
    {
      id: `${name}.no-interface`, code: name, socket, title: `interface index 0 (none) on ${what}: WSAEINVAL`,
      spec: () => ({ code: ws[name], input: rcvallIf(ws.RCVALL_ON, NO_INTERFACE) }),
      expected: EINVAL, basis: 'inferred', source: ifRule(sibling, 'an interface that cannot be found is WSAEINVAL'),
    },
    {
      id: `${name}.off`, code: name, socket, title: `RCVALL_OFF on ${what} not capturing (index not looked at): 0`,
      spec: () => ({ code: ws[name], input: rcvallIf(ws.RCVALL_OFF, NO_INTERFACE) }),
      expected: OK, basis: 'inferred', source: ifRule(sibling, 'RCVALL_OFF stops receive-all; off already is not an error'),
      overlapped: immediateInferred,
    },
  ]),
  {
    id: 'SIO_RCVALL_IF.socket-level-only', code: 'SIO_RCVALL_IF', socket: 'raw-ip',
    title: 'RCVALL_SOCKETLEVELONLY on the loopback interface (index 1), unbound IPPROTO_IP raw socket: 0 (no effect)',
    spec: () => ({ code: ws.SIO_RCVALL_IF, input: rcvallIf(ws.RCVALL_SOCKETLEVELONLY, LOOPBACK_INDEX) }),
    expected: OK, basis: 'inferred',
    source: ifRule('SIO_RCVALL', 'documented as not implemented, so it changes nothing; no bind needed since the input names the interface'),
    overlapped: immediateInferred,
  },
  {
    id: 'SIO_SOCKET_CLOSE_NOTIFY.as-mcast-if-off', code: 'SIO_SOCKET_CLOSE_NOTIFY', socket: 'raw-udp-bound',
    title: 'its value (0x9800000D) with RCVALL_IF { RCVALL_OFF, 0 } on a bound IPPROTO_UDP raw socket: 0, as SIO_RCVALL_MCAST_IF',
    spec: () => ({ code: ws.SIO_SOCKET_CLOSE_NOTIFY, input: rcvallIf(ws.RCVALL_OFF, NO_INTERFACE) }),
    expected: OK, basis: 'inferred',
    source: 'the XP-era code shares SIO_RCVALL_MCAST_IF\'s value, which is what Windows 10/11 means by it (remaining-codes.md §2 row 36): see SIO_RCVALL_MCAST_IF.off',
    overlapped: immediateInferred,
  },
  {
    id: 'SIO_RCVALL_MCAST_IF.raw-ip', code: 'SIO_RCVALL_MCAST_IF', socket: 'raw-ip-bound', title: 'on an IPPROTO_IP raw socket (it wants IPPROTO_UDP): WSAEINVAL',
    spec: () => ({ code: ws.SIO_RCVALL_MCAST_IF, input: rcvallIf(ws.RCVALL_ON, LOOPBACK_INDEX) }),
    expected: EINVAL, basis: 'inferred', source: ifRule('SIO_RCVALL_MCAST', 'the socket rule and its error'),
  },
];

function created(af: number, protocol: number): Observation {
  const s = ws.socket(af, ws.SOCK_RAW, protocol);
  const error = s === ws.INVALID_SOCKET ? errName(ws.WSAGetLastError()) : 'NO_ERROR';
  if (s !== ws.INVALID_SOCKET) ws.closesocket(s);
  return { created: s !== ws.INVALID_SOCKET, error };
}

const creation: Scenario[] = ([
  ['icmp', ws.AF_INET, ws.IPPROTO_ICMP, 'AF_INET, SOCK_RAW, IPPROTO_ICMP', SRC.wsaSocket, 'measured'],
  ['ip', ws.AF_INET, ws.IPPROTO_IP, 'AF_INET, SOCK_RAW, IPPROTO_IP', `${SRC.rcvall} (SIO_RCVALL's socket)`, 'documented'],
  ['ipv6', ws.AF_INET6, ws.IPPROTO_IPV6, 'AF_INET6, SOCK_RAW, IPPROTO_IPV6', `${SRC.rcvall} (the IPv6 form)`, 'documented'],
] as const).map(([label, af, protocol, call, source, basis]): Scenario => ({
  id: `raw.create-${label}`,
  title: `socket(${call}) by an administrator: created`,
  mode: 'other', sockets: ['none'], call: `socket(${call})`,
  expected: { created: true, error: 'NO_ERROR' },
  basis, source,
  run: () => created(af, protocol),
}));

const names: Scenario[] = [
  {
    id: 'raw.getsockname-port',
    title: 'getsockname on a raw ICMP socket bound to 127.0.0.1: port 0',
    mode: 'other', sockets: ['none'],
    call: 's = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP); bind(s, 127.0.0.1:0); getsockname(s, name[16], &len)',
    expected: { rc: 0, address: '127.0.0.1', port: 0, len: 16 },
    basis: 'inferred', source: `${SRC.rawSockets} (raw sockets have no ports; a bound name keeps the port it was bound with)`,
    run(ctx): Observation {
      const s = ctx.track(ws.socket(ws.AF_INET, ws.SOCK_RAW, ws.IPPROTO_ICMP));
      const local = ws.sockaddr('127.0.0.1', 0);
      ws.bind(s, local, local.length);
      const name = new Uint8Array(16);
      const len = { value: 16 };
      const rc = ws.getsockname(s, name, len);
      if (rc !== 0) return { rc, error: errName(ws.WSAGetLastError()) };
      const info = ws.parseSockaddr(name);
      return { rc, address: info.address, port: info.port, len: len.value };
    },
  },
  {
    id: 'raw.IP_HDRINCL-default',
    title: 'IP_HDRINCL on a new raw ICMP socket: 0 (off), 4 bytes',
    mode: 'other', sockets: ['none'],
    call: 's = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP); getsockopt(s, IPPROTO_IP, IP_HDRINCL, v[4], &len)',
    expected: { rc: 0, value: 0, len: 4 },
    basis: 'documented', source: `${SRC.rawSockets} (the stack builds the IPv4 header unless IP_HDRINCL is set)`,
    run(ctx): Observation {
      const s = ctx.track(ws.socket(ws.AF_INET, ws.SOCK_RAW, ws.IPPROTO_ICMP));
      const v = new Uint8Array(4).fill(0xa5);
      const len = { value: 4 };
      const rc = ws.getsockopt(s, ws.IPPROTO_IP, ws.IP_HDRINCL, v, len);
      return rc === 0 ? { rc, value: new DataView(v.buffer).getUint32(0, true), len: len.value } : { rc, error: errName(ws.WSAGetLastError()) };
    },
  },
];

export const raw: Scenario[] = [...creation, ...names, ...cases.flatMap(expand)];
