/**
 * Codes of datagram sockets: SIO_UDP_CONNRESET, SIO_UDP_NETRESET, SIO_ENABLE_CIRCULAR_QUEUEING,
 * SIO_MULTICAST_SCOPE, SIO_MULTIPOINT_LOOPBACK, SIO_CPU_AFFINITY, SIO_GET_BROADCAST_ADDRESS.
 */
import type { Observation, Scenario } from '../lib/types.js';
import { expand, type CodeCase, type OverlappedRule } from '../lib/cases.js';
import { plain } from '../lib/call.js';
import { errName, portOf, readU32, sleep, u16, u32, ws } from '../lib/winsock.js';
import { SRC } from './sources.js';

const immediateInferred: OverlappedRule = {
  kind: 'immediate', basis: 'inferred',
  source: 'codes answered at once complete at once when overlapped (measured for FIONBIO, FIONREAD, SIOCATMARK, SIO_KEEPALIVE_VALS: Wine sock.c)',
};

const describeSockaddr = (out: Uint8Array): string => {
  const a = ws.parseSockaddr(out);
  return `${a.family === ws.AF_INET6 ? `[${a.address}]` : a.address}:${a.port} (family ${a.family})`;
};

const cases: CodeCase[] = [
  ...(['SIO_UDP_CONNRESET', 'SIO_UDP_NETRESET'] as const).flatMap((name): CodeCase[] => [
    {
      id: `${name}.on`, code: name, socket: 'udp-fresh', title: 'TRUE on a UDP socket: 0, 0 bytes',
      spec: () => ({ code: ws[name], input: u32(1) }),
      expected: { rc: 0, error: 'NO_ERROR', bytes: 0 },
      basis: 'documented', source: SRC.ioctlsPage,
      overlapped: immediateInferred,
    },
    {
      id: `${name}.cbIn-0`, code: name, socket: 'udp-fresh', title: 'no input: WSAEFAULT',
      spec: () => ({ code: ws[name], input: null }),
      expected: { rc: -1, error: 'WSAEFAULT', bytes: 0 },
      basis: 'inferred', source: `a BOOL input missing, as SIO_KEEPALIVE_VALS (${SRC.keepalive})`,
    },
    {
      id: `${name}.tcp`, code: name, socket: 'tcp-fresh', title: 'a TCP socket: WSAEOPNOTSUPP',
      spec: () => ({ code: ws[name], input: u32(1) }),
      expected: { rc: -1, error: 'WSAEOPNOTSUPP', bytes: 0 },
      basis: 'inferred', source: `a code the socket's provider does not handle (${SRC.unsupported})`,
    },
  ]),
  {
    id: 'SIO_ENABLE_CIRCULAR_QUEUEING.udp', code: 'SIO_ENABLE_CIRCULAR_QUEUEING', socket: 'udp-fresh', title: 'a UDP socket: 0',
    spec: () => ({ code: ws.SIO_ENABLE_CIRCULAR_QUEUEING }),
    expected: { rc: 0, error: 'NO_ERROR', bytes: 0 },
    basis: 'measured', source: `${SRC.circular}; bytes 0 inferred`,
    overlapped: immediateInferred,
  },
  {
    id: 'SIO_ENABLE_CIRCULAR_QUEUEING.tcp', code: 'SIO_ENABLE_CIRCULAR_QUEUEING', socket: 'tcp-fresh', title: 'a stream socket: WSAEINVAL',
    spec: () => ({ code: ws.SIO_ENABLE_CIRCULAR_QUEUEING }),
    expected: { rc: -1, error: 'WSAEINVAL', bytes: 0 },
    basis: 'inferred', source: `${SRC.sioPage('SIO_ENABLE_CIRCULAR_QUEUEING')} (unreliable message sockets only; WSAEINVAL: not applicable)`,
  },
  {
    id: 'SIO_MULTICAST_SCOPE.udp', code: 'SIO_MULTICAST_SCOPE', socket: 'udp-fresh', title: 'scope 5 on a UDP socket: 0',
    spec: () => ({ code: ws.SIO_MULTICAST_SCOPE, input: u32(5) }),
    expected: { rc: 0, error: 'NO_ERROR', bytes: 0 },
    basis: 'documented', source: SRC.ioctlsPage,
    overlapped: immediateInferred,
  },
  {
    id: 'SIO_MULTICAST_SCOPE.tcp', code: 'SIO_MULTICAST_SCOPE', socket: 'tcp-fresh', title: 'a TCP socket: WSAEINVAL',
    spec: () => ({ code: ws.SIO_MULTICAST_SCOPE, input: u32(5) }),
    expected: { rc: -1, error: 'WSAEINVAL', bytes: 0 },
    basis: 'inferred', source: `${SRC.ioctlsPage} (multipoint sockets only; WSAEINVAL: does not apply to this socket type)`,
  },
  {
    id: 'SIO_MULTIPOINT_LOOPBACK.udp', code: 'SIO_MULTIPOINT_LOOPBACK', socket: 'udp-fresh', title: 'FALSE on a UDP socket: 0',
    spec: () => ({ code: ws.SIO_MULTIPOINT_LOOPBACK, input: u32(0) }),
    expected: { rc: 0, error: 'NO_ERROR', bytes: 0 },
    basis: 'documented', source: SRC.ioctlsPage,
    overlapped: immediateInferred,
  },
  {
    id: 'SIO_CPU_AFFINITY.udp', code: 'SIO_CPU_AFFINITY', socket: 'udp-fresh', title: 'processor 0 on an unbound UDP socket: 0',
    spec: () => ({ code: ws.SIO_CPU_AFFINITY, input: u16(0) }),
    expected: { rc: 0, error: 'NO_ERROR', bytes: 0 },
    basis: 'documented', source: SRC.sioPage('SIO_CPU_AFFINITY'),
    overlapped: immediateInferred,
  },
  {
    id: 'SIO_CPU_AFFINITY.after-bind', code: 'SIO_CPU_AFFINITY', socket: 'udp-bound', title: 'after bind: WSAEINVAL',
    spec: () => ({ code: ws.SIO_CPU_AFFINITY, input: u16(0) }),
    expected: { rc: -1, error: 'WSAEINVAL', bytes: 0 },
    basis: 'documented', source: `${SRC.sioPage('SIO_CPU_AFFINITY')}; bytes 0 inferred`,
  },
  {
    id: 'SIO_CPU_AFFINITY.tcp', code: 'SIO_CPU_AFFINITY', socket: 'tcp-fresh', title: 'a TCP socket: WSAEOPNOTSUPP',
    spec: () => ({ code: ws.SIO_CPU_AFFINITY, input: u16(0) }),
    expected: { rc: -1, error: 'WSAEOPNOTSUPP', bytes: 0 },
    basis: 'inferred', source: `UDP only (${SRC.sioPage('SIO_CPU_AFFINITY')}); a code the provider does not handle`,
  },
  {
    id: 'SIO_GET_BROADCAST_ADDRESS.udp', code: 'SIO_GET_BROADCAST_ADDRESS', socket: 'udp-fresh',
    title: 'an IPv4 UDP socket: 255.255.255.255, port 0, 16 bytes',
    spec: () => ({ code: ws.SIO_GET_BROADCAST_ADDRESS, output: 16 }), describe: describeSockaddr,
    expected: { rc: 0, error: 'NO_ERROR', bytes: 16, out: '255.255.255.255:0 (family 2)' },
    basis: 'documented', source: `${SRC.ioctlsPage} (the limited broadcast address)`,
    overlapped: immediateInferred,
  },
  {
    id: 'SIO_GET_BROADCAST_ADDRESS.udp6', code: 'SIO_GET_BROADCAST_ADDRESS', socket: 'udp6-fresh', title: 'an IPv6 socket: WSAENOPROTOOPT',
    spec: () => ({ code: ws.SIO_GET_BROADCAST_ADDRESS, output: 28 }),
    expected: { rc: -1, error: 'WSAENOPROTOOPT', bytes: 0, out: 'untouched' },
    basis: 'documented', source: `${SRC.wsaioctlPage} (WSAENOPROTOOPT example); bytes 0 inferred`,
  },
  {
    id: 'SIO_GET_BROADCAST_ADDRESS.out-8', code: 'SIO_GET_BROADCAST_ADDRESS', socket: 'udp-fresh', title: 'cbOutBuffer 8: WSAEFAULT',
    spec: () => ({ code: ws.SIO_GET_BROADCAST_ADDRESS, output: 8 }),
    expected: { rc: -1, error: 'WSAEFAULT', bytes: 'untouched', out: 'untouched' },
    basis: 'documented', source: `${SRC.ioctlsPage}; bytes untouched inferred`,
  },
  {
    id: 'SIO_GET_BROADCAST_ADDRESS.tcp', code: 'SIO_GET_BROADCAST_ADDRESS', socket: 'tcp-fresh', title: 'a TCP socket: WSAEINVAL',
    spec: () => ({ code: ws.SIO_GET_BROADCAST_ADDRESS, output: 16 }),
    expected: { rc: -1, error: 'WSAEINVAL', bytes: 0, out: 'untouched' },
    basis: 'inferred', source: `${SRC.wsaioctlPage} (WSAEINVAL: the command does not apply to this socket type)`,
  },
];

/** A UDP socket whose datagram to a closed loopback port comes back as ICMP port unreachable. */
function connResetScenario(on: boolean): Scenario {
  return {
    id: `SIO_UDP_CONNRESET.effect-${on ? 'on' : 'off'}`, code: 'SIO_UDP_CONNRESET',
    title: on
      ? 'default (on): after sending to a closed loopback port, the next receive fails with WSAECONNRESET'
      : 'off: the ICMP report is dropped; a non-blocking receive finds nothing (WSAEWOULDBLOCK)',
    mode: 'plain', sockets: ['udp-bound'],
    call: `${on ? '' : 'WSAIoctl(s, SIO_UDP_CONNRESET, in[4]=0, ...); '}FIONBIO(s, 1); sendto(s, 127.0.0.1:<closed port>); recvfrom(s)`,
    expected: { sendto: 1, recvfrom: { rc: -1, error: on ? 'WSAECONNRESET' : 'WSAEWOULDBLOCK' } },
    basis: 'documented', source: SRC.sioPage('SIO_UDP_CONNRESET'),
    run(ctx) {
      const s = ctx.udpBound();
      const gone = ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP);
      ws.bind(gone, ws.sockaddr('127.0.0.1', 0), 16);
      const port = portOf(gone);
      ws.closesocket(gone);
      if (!on) plain(s, { code: ws.SIO_UDP_CONNRESET, input: u32(0) });
      ws.ioctlsocket(s, ws.FIONBIO, { value: 1 });
      const sent = ws.sendto(s, new Uint8Array([0x78]), 1, 0, ws.sockaddr('127.0.0.1', port), 16);
      sleep(100); // the ICMP report comes back through the loopback interface; bounded
      const rc = ws.recvfrom(s, new Uint8Array(16), 16, 0, new Uint8Array(16), { value: 16 });
      return { sendto: sent, recvfrom: { rc, error: errName(ws.WSAGetLastError()) } };
    },
  };
}

/** SIO_MULTICAST_SCOPE / SIO_MULTIPOINT_LOOPBACK are the multicast options under another name. */
function optionScenario(name: 'SIO_MULTICAST_SCOPE' | 'SIO_MULTIPOINT_LOOPBACK', value: number, optname: number): Scenario {
  return {
    id: `${name}.option`, code: name,
    title: `${name}(${value}) shows through getsockopt(IPPROTO_IP, ${name === 'SIO_MULTICAST_SCOPE' ? 'IP_MULTICAST_TTL' : 'IP_MULTICAST_LOOP'})`,
    mode: 'plain', sockets: ['udp-fresh'],
    call: `WSAIoctl(s, ${name}, in[4]=${value}, 4, NULL, 0, &bytes, NULL, NULL); getsockopt(s, IPPROTO_IP, ${optname}, out[4])`,
    expected: { ioctl: { rc: 0, error: 'NO_ERROR', bytes: 0 }, option: value },
    basis: 'inferred', source: `${SRC.ioctlsPage}: the Winsock 2 spelling of the multicast TTL / loopback options`,
    run(ctx) {
      const s = ctx.udp();
      const ioctl = plain(s, { code: ws[name], input: u32(value) });
      const out = new Uint8Array(4);
      const len = { value: 4 };
      const rc = ws.getsockopt(s, ws.IPPROTO_IP, optname, out, len);
      const option: Observation['x'] = rc === 0 ? (len.value === 1 ? out[0]! : readU32(out)) : `getsockopt: ${errName(ws.WSAGetLastError())}`;
      return { ioctl, option };
    },
  };
}

export const datagram: Scenario[] = [
  ...cases.flatMap(expand),
  connResetScenario(true),
  connResetScenario(false),
  optionScenario('SIO_MULTICAST_SCOPE', 5, ws.IP_MULTICAST_TTL),
  optionScenario('SIO_MULTIPOINT_LOOPBACK', 0, ws.IP_MULTICAST_LOOP),
];
