/**
 * Codes of stream sockets and of every socket: FIONBIO, FIONREAD, SIOCATMARK, SIO_KEEPALIVE_VALS,
 * the base-handle family, SIO_TCP_INFO, the ideal-send-backlog pair, SIO_LOOPBACK_FAST_PATH,
 * SIO_SET_COMPATIBILITY_MODE, SIO_SET_PRIORITY_HINT.
 */
import type { Observation, Scenario } from '../lib/types.js';
import { expand, type CodeCase, type OverlappedRule } from '../lib/cases.js';
import { plain, viaPort } from '../lib/call.js';
import { readU32, readU64, sendAndWait, sleep, u32, u32s, ws } from '../lib/winsock.js';
import { SRC } from './sources.js';
import { pendingUntilClosed } from './host.js';

const asU32 = (out: Uint8Array): number => readU32(out);
const keepalive = (onoff: number, time: number, interval: number) => ws.encodeTcpKeepalive({ onoff, keepalivetime: time, keepaliveinterval: interval });

const immediate = (source: string, overrides?: Extract<OverlappedRule, { kind: 'immediate' }>['overrides']): OverlappedRule =>
  ({ kind: 'immediate', basis: 'measured', source, overrides });
const immediateInferred: OverlappedRule = {
  kind: 'immediate', basis: 'inferred',
  source: 'codes answered at once complete at once when overlapped (measured for FIONBIO, FIONREAD, SIOCATMARK, SIO_KEEPALIVE_VALS: Wine sock.c)',
};

// --- FIONBIO ------------------------------------------------------------------------------

const fionbio: CodeCase[] = [
  {
    id: 'FIONBIO.on', code: 'FIONBIO', socket: 'tcp-fresh', title: 'switch to non-blocking: 0, *lpcbBytesReturned 0, last error 0',
    spec: () => ({ code: ws.FIONBIO, input: u32(1) }),
    expected: { rc: 0, error: 'NO_ERROR', bytes: 0 },
    basis: 'measured', source: SRC.fionbio,
    overlapped: immediate(`${SRC.fionbio} (port and routine; event inferred)`),
  },
  {
    id: 'FIONBIO.in-5-bytes', code: 'FIONBIO', socket: 'tcp-fresh', title: 'cbInBuffer larger than a u_long is accepted',
    spec: () => ({ code: ws.FIONBIO, input: u32(1, 5) }),
    expected: { rc: 0, error: 'NO_ERROR', bytes: 0 },
    basis: 'measured', source: SRC.fionbio,
  },
  {
    id: 'FIONBIO.in-3-bytes', code: 'FIONBIO', socket: 'tcp-fresh', title: 'cbInBuffer 3: WSAEFAULT',
    spec: () => ({ code: ws.FIONBIO, input: u32(1, 3) }),
    expected: { rc: -1, error: 'WSAEFAULT' },
    basis: 'measured', source: `${SRC.fionbio} (measured with an lpOverlapped; the error does not depend on it). *lpcbBytesReturned not compared: not measured, and Wine (untouched) and the emulation (0) differ`,
    unobserved: ['bytes'],
  },
];

const fionbioEffect: Scenario = {
  id: 'FIONBIO.effect', code: 'FIONBIO', title: 'after FIONBIO(1) a receive with nothing queued fails with WSAEWOULDBLOCK',
  mode: 'plain', sockets: ['tcp-pair'],
  call: 'WSAIoctl(server, FIONBIO, in[4]=1, 4, NULL, 0, &bytes, NULL, NULL); recv(server, buf, 16, 0)',
  expected: { ioctl: { rc: 0, error: 'NO_ERROR', bytes: 0 }, recv: { rc: -1, error: 'WSAEWOULDBLOCK' } },
  basis: 'measured', source: `${SRC.fionread} (non-blocking client); ${SRC.fionbio}`,
  run(ctx) {
    const { server } = ctx.tcpPair();
    const ioctl = plain(server, { code: ws.FIONBIO, input: u32(1) });
    const rc = ws.recv(server, new Uint8Array(16), 16, 0);
    return { ioctl, recv: { rc, error: ws.errorName(ws.WSAGetLastError()) } };
  },
};

const fionbioEventSelect: Scenario = {
  id: 'FIONBIO.off-while-event-select', code: 'FIONBIO', title: 'FIONBIO(0) while WSAEventSelect is active: WSAEINVAL, *lpcbBytesReturned 0',
  mode: 'plain', sockets: ['tcp-fresh'], needs: ['events', 'event-select'],
  call: 'WSAEventSelect(s, ev, FD_READ); WSAIoctl(s, FIONBIO, in[4]=0, 4, NULL, 0, &bytes, NULL, NULL)',
  expected: { select: 0, ioctl: { rc: -1, error: 'WSAEINVAL', bytes: 0 } },
  basis: 'measured', source: `${SRC.fionbio} (the bytes check is todo_wine: Wine leaves them)`,
  run(ctx) {
    const s = ctx.tcp();
    const select = ws.WSAEventSelect(s, ctx.event(), ws.FD_READ);
    return { select, ioctl: plain(s, { code: ws.FIONBIO, input: u32(0) }) };
  },
};

const ioctlsocketNull: Scenario = {
  id: 'FIONBIO.ioctlsocket-null-argp', code: 'FIONBIO', title: 'ioctlsocket(FIONBIO) with a NULL argp: WSAEFAULT',
  mode: 'other', sockets: ['tcp-fresh'], call: 'ioctlsocket(s, FIONBIO, NULL)',
  expected: { rc: -1, error: 'WSAEFAULT' },
  basis: 'measured', source: `${SRC.fionbio} (an invalid argp pointer)`,
  run(ctx) {
    const rc = ws.ioctlsocket(ctx.tcp(), ws.FIONBIO, null);
    return { rc, error: ws.errorName(ws.WSAGetLastError()) };
  },
};

// --- FIONREAD ------------------------------------------------------------------------------

/** A connected pair with 5 bytes sent to the server side (and optionally an urgent byte after them). */
function pairWithData(ctx: Parameters<Scenario['run']>[0], urgent: boolean, oobInline = false): number {
  const { client, server } = ctx.tcpPair();
  if (oobInline) ws.setsockopt(server, ws.SOL_SOCKET, ws.SO_OOBINLINE, u32(1), 4);
  sendAndWait(client, server, new TextEncoder().encode('data\0'));
  if (urgent) {
    ws.send(client, new Uint8Array([0x61]), 1, ws.MSG_OOB);
    sleep(200); // urgent data has no MSG_PEEK-able arrival mark without poll; bounded wait
  }
  return server;
}

const fionread: CodeCase[] = [
  {
    id: 'FIONREAD.tcp-fresh', code: 'FIONREAD', socket: 'tcp-fresh', title: 'nothing queued: 0, 4 bytes returned',
    spec: () => ({ code: ws.FIONREAD, output: 4 }), describe: asU32,
    expected: { rc: 0, error: 'NO_ERROR', bytes: 4, out: 0 },
    basis: 'measured', source: SRC.fionread,
    overlapped: immediate(`${SRC.fionread} (port and routine; event inferred)`),
  },
  {
    id: 'FIONREAD.tcp-data', code: 'FIONREAD', socket: 'tcp-pair', title: '5 bytes received: 5',
    make: (ctx) => pairWithData(ctx, false),
    spec: () => ({ code: ws.FIONREAD, output: 4 }), describe: asU32,
    expected: { rc: 0, error: 'NO_ERROR', bytes: 4, out: 5 },
    basis: 'measured', source: SRC.fionread,
    overlapped: immediateInferred,
  },
  {
    id: 'FIONREAD.tcp-urgent', code: 'FIONREAD', socket: 'tcp-pair', title: '5 bytes then an urgent byte (SO_OOBINLINE off): the urgent byte is not counted',
    make: (ctx) => pairWithData(ctx, true),
    spec: () => ({ code: ws.FIONREAD, output: 4 }), describe: asU32,
    expected: { rc: 0, error: 'NO_ERROR', bytes: 4, out: 5 },
    basis: 'measured', source: SRC.fionread,
  },
  {
    id: 'FIONREAD.tcp-urgent-inline', code: 'FIONREAD', socket: 'tcp-pair', title: 'SO_OOBINLINE on, 5 bytes then an urgent byte: all 6 counted',
    make: (ctx) => pairWithData(ctx, true, true),
    spec: () => ({ code: ws.FIONREAD, output: 4 }), describe: asU32,
    expected: { rc: 0, error: 'NO_ERROR', bytes: 4, out: 6 },
    basis: 'inferred', source: `${SRC.fionread} (an urgent byte sent while SO_OOBINLINE is on is counted as data)`,
  },
  {
    id: 'FIONREAD.tcp-listening', code: 'FIONREAD', socket: 'tcp-listening', title: 'a listening socket: 0',
    spec: () => ({ code: ws.FIONREAD, output: 4 }), describe: asU32,
    expected: { rc: 0, error: 'NO_ERROR', bytes: 4, out: 0 },
    basis: 'inferred', source: `${SRC.fionread} (fresh and bound sockets answer 0)`,
  },
  {
    id: 'FIONREAD.udp-empty', code: 'FIONREAD', socket: 'udp-bound', title: 'UDP, nothing queued: 0',
    spec: () => ({ code: ws.FIONREAD, output: 4 }), describe: asU32,
    expected: { rc: 0, error: 'NO_ERROR', bytes: 4, out: 0 },
    basis: 'inferred', source: `${SRC.fionread} (nothing queued answers 0)`,
  },
  {
    id: 'FIONREAD.udp-queued', code: 'FIONREAD', socket: 'udp-queued', title: 'UDP with datagrams of 10, 20 and 30 bytes queued: the total, 60',
    spec: () => ({ code: ws.FIONREAD, output: 4 }), describe: asU32,
    expected: { rc: 0, error: 'NO_ERROR', bytes: 4, out: 60 },
    basis: 'documented', source: `${SRC.ioctlsPage}: FIONREAD on a message-oriented socket returns the total queued, not the first datagram's size`,
    overlapped: immediateInferred,
  },
  {
    id: 'FIONREAD.udp6-queued', code: 'FIONREAD', socket: 'udp6-queued', title: 'IPv6 UDP with 10, 20 and 30 bytes queued: 60',
    spec: () => ({ code: ws.FIONREAD, output: 4 }), describe: asU32,
    expected: { rc: 0, error: 'NO_ERROR', bytes: 4, out: 60 },
    basis: 'documented', source: `${SRC.ioctlsPage} (FIONREAD on message sockets)`,
  },
  {
    id: 'FIONREAD.out-3', code: 'FIONREAD', socket: 'tcp-fresh', title: 'cbOutBuffer 3: WSAEFAULT, *lpcbBytesReturned and output untouched',
    spec: () => ({ code: ws.FIONREAD, output: 4, cbOut: 3 }),
    expected: { rc: -1, error: 'WSAEFAULT', bytes: 'untouched', out: 'untouched' },
    basis: 'measured', source: SRC.fionread,
  },
];

const fionreadIoctlsocket: Scenario = {
  id: 'FIONREAD.ioctlsocket', code: 'FIONREAD', title: 'ioctlsocket(FIONREAD): the bytes waiting; a NULL argp is WSAEFAULT',
  mode: 'other', sockets: ['tcp-pair'], call: 'ioctlsocket(server, FIONREAD, &arg); ioctlsocket(server, FIONREAD, NULL)',
  expected: { value: { rc: 0, arg: 5 }, nullArgp: { rc: -1, error: 'WSAEFAULT' } },
  basis: 'measured', source: `${SRC.fionread} (an invalid argp pointer is WSAEFAULT)`,
  run(ctx) {
    const server = pairWithData(ctx, false);
    const arg = { value: 0xdeadbeef };
    const rc = ws.ioctlsocket(server, ws.FIONREAD, arg);
    const nullRc = ws.ioctlsocket(server, ws.FIONREAD, null);
    return { value: { rc, arg: arg.value }, nullArgp: { rc: nullRc, error: ws.errorName(ws.WSAGetLastError()) } };
  },
};

// --- SIOCATMARK ----------------------------------------------------------------------------

const siocatmark: CodeCase[] = [
  {
    id: 'SIOCATMARK.tcp-fresh', code: 'SIOCATMARK', socket: 'tcp-fresh', title: 'no urgent data: TRUE, 4 bytes returned',
    spec: () => ({ code: ws.SIOCATMARK, output: 4 }), describe: asU32,
    expected: { rc: 0, error: 'NO_ERROR', bytes: 4, out: 1 },
    basis: 'measured', source: SRC.fionread,
    overlapped: immediate(`${SRC.fionread} (port and routine; event inferred)`),
  },
  {
    id: 'SIOCATMARK.tcp-data', code: 'SIOCATMARK', socket: 'tcp-pair', title: 'normal data only: TRUE',
    make: (ctx) => pairWithData(ctx, false),
    spec: () => ({ code: ws.SIOCATMARK, output: 4 }), describe: asU32,
    expected: { rc: 0, error: 'NO_ERROR', bytes: 4, out: 1 },
    basis: 'measured', source: SRC.fionread,
  },
  {
    id: 'SIOCATMARK.tcp-urgent', code: 'SIOCATMARK', socket: 'tcp-pair', title: 'an urgent byte waiting (SO_OOBINLINE off): FALSE',
    make: (ctx) => pairWithData(ctx, true),
    spec: () => ({ code: ws.SIOCATMARK, output: 4 }), describe: asU32,
    expected: { rc: 0, error: 'NO_ERROR', bytes: 4, out: 0 },
    basis: 'measured', source: `${SRC.fionread} (check_fionread_siocatmark_todo_oob: Windows FALSE, Wine todo)`,
  },
  {
    id: 'SIOCATMARK.tcp-urgent-inline', code: 'SIOCATMARK', socket: 'tcp-pair', title: 'SO_OOBINLINE on before an urgent byte arrives: TRUE',
    make: (ctx) => pairWithData(ctx, true, true),
    spec: () => ({ code: ws.SIOCATMARK, output: 4 }), describe: asU32,
    expected: { rc: 0, error: 'NO_ERROR', bytes: 4, out: 1 },
    basis: 'measured', source: `${SRC.fionread} (last check: urgent byte sent with SO_OOBINLINE on)`,
  },
  {
    id: 'SIOCATMARK.out-3', code: 'SIOCATMARK', socket: 'tcp-fresh', title: 'cbOutBuffer 3: WSAEFAULT, *lpcbBytesReturned and output untouched',
    spec: () => ({ code: ws.SIOCATMARK, output: 4, cbOut: 3 }),
    expected: { rc: -1, error: 'WSAEFAULT', bytes: 'untouched', out: 'untouched' },
    basis: 'measured', source: SRC.fionread,
  },
];

// --- SIO_KEEPALIVE_VALS ----------------------------------------------------------------------

const keepaliveCases: CodeCase[] = [
  {
    id: 'SIO_KEEPALIVE_VALS.off', code: 'SIO_KEEPALIVE_VALS', socket: 'tcp-fresh', title: '{0, 0, 0} on an unconnected TCP socket: 0, 0 bytes',
    spec: () => ({ code: ws.SIO_KEEPALIVE_VALS, input: keepalive(0, 0, 0) }),
    expected: { rc: 0, error: 'NO_ERROR', bytes: 0 },
    basis: 'measured', source: SRC.keepalive,
    overlapped: immediate(`${SRC.keepalive} (port: *lpcbBytesReturned left alone, a todo_wine line; routine: set to 0; event inferred as port)`, {
      'overlapped+port': { bytes: 'untouched' },
      'overlapped+event': { bytes: 'untouched' },
    }),
  },
  {
    id: 'SIO_KEEPALIVE_VALS.on', code: 'SIO_KEEPALIVE_VALS', socket: 'tcp-pair', title: '{1, 1000, 1000} on a connected socket: 0, 0 bytes',
    spec: () => ({ code: ws.SIO_KEEPALIVE_VALS, input: keepalive(1, 1000, 1000) }),
    expected: { rc: 0, error: 'NO_ERROR', bytes: 0 },
    basis: 'measured', source: `${SRC.keepalive} (accepted values)`,
  },
  {
    id: 'SIO_KEEPALIVE_VALS.cbIn-0', code: 'SIO_KEEPALIVE_VALS', socket: 'tcp-fresh', title: 'cbInBuffer 0 (input given): WSAEFAULT, *lpcbBytesReturned 0',
    spec: () => ({ code: ws.SIO_KEEPALIVE_VALS, input: keepalive(0, 0, 0), cbIn: 0 }),
    expected: { rc: -1, error: 'WSAEFAULT', bytes: 0 },
    basis: 'measured', source: SRC.keepalive,
  },
  {
    id: 'SIO_KEEPALIVE_VALS.udp', code: 'SIO_KEEPALIVE_VALS', socket: 'udp-fresh', title: 'a datagram socket: WSAENOPROTOOPT',
    spec: () => ({ code: ws.SIO_KEEPALIVE_VALS, input: keepalive(1, 1000, 1000) }),
    expected: { rc: -1, error: 'WSAENOPROTOOPT', bytes: 0 },
    basis: 'documented', source: `${SRC.sioPage('SIO_KEEPALIVE_VALS')}; bytes 0 inferred (provider failures report 0 bytes, as test_unsupported_ioctls measures)`,
  },
];

const keepaliveShortOverlapped: Scenario = {
  id: 'SIO_KEEPALIVE_VALS.cbIn-11.overlapped+port', code: 'SIO_KEEPALIVE_VALS',
  title: 'cbInBuffer 11, overlapped: WSAEFAULT, *lpcbBytesReturned untouched, Internal STATUS_PENDING, no completion',
  mode: 'overlapped+port', sockets: ['tcp-fresh'], needs: ['overlapped-ioctl', 'ports'],
  call: 'WSAIoctl(s, SIO_KEEPALIVE_VALS, in[12], 11, NULL, 0, &bytes, &ov, NULL), s on a port',
  expected: { rc: -1, error: 'WSAEFAULT', bytes: 'untouched', internal: 'STATUS_PENDING', information: 'untouched', packet: 'none' },
  basis: 'measured', source: `${SRC.keepalive} (Internal = STATUS_PENDING is a todo_wine line; no packet inferred)`,
  run(ctx) {
    return viaPort(ctx, ctx.tcp(), { code: ws.SIO_KEEPALIVE_VALS, input: keepalive(1, 1000, 1000), cbIn: 11 });
  },
};

// --- base handles --------------------------------------------------------------------------

const describeHandle = (out: Uint8Array, _bytes: number, s: number): string =>
  out.length < 8 ? `written into a ${out.length}-byte buffer` : readU64(out) === BigInt(s) ? 'the socket itself' : 'another handle';

const BASE_FAMILY: Array<[string, number]> = [
  ['SIO_BASE_HANDLE', ws.SIO_BASE_HANDLE],
  ['SIO_BSP_HANDLE', ws.SIO_BSP_HANDLE],
  ['SIO_BSP_HANDLE_SELECT', ws.SIO_BSP_HANDLE_SELECT],
  ['SIO_BSP_HANDLE_POLL', ws.SIO_BSP_HANDLE_POLL],
];

const baseHandles: CodeCase[] = BASE_FAMILY.flatMap(([name, code]): CodeCase[] => {
  const measured = name === 'SIO_BASE_HANDLE';
  const overlappedRule: OverlappedRule = name === 'SIO_BSP_HANDLE_POLL'
    ? { kind: 'custom', basis: 'documented', source: `${SRC.ioctlsPage}: SIO_BSP_HANDLE_POLL with an lpOverlapped is WSAEFAULT; Internal untouched inferred`, expected: pollExpectations() }
    : { kind: 'not-supported', basis: measured ? 'measured' : 'inferred', source: measured ? `${SRC.baseHandle} (port and routine; event inferred)` : `as SIO_BASE_HANDLE (${SRC.baseHandle})` };
  return [
    {
      id: `${name}.tcp`, code: name, socket: 'tcp-fresh', title: 'the base provider handle of a TCP socket: the socket itself, 8 bytes',
      spec: () => ({ code, output: 8 }), describe: describeHandle,
      expected: { rc: 0, error: 'NO_ERROR', bytes: 8, out: 'the socket itself' },
      basis: measured ? 'measured' : 'inferred',
      source: measured ? SRC.baseHandle : `no layered providers: as SIO_BASE_HANDLE (${SRC.baseHandle}); ${SRC.ioctlsPage}`,
      overlapped: overlappedRule,
    },
    {
      id: `${name}.udp6`, code: name, socket: 'udp6-fresh', title: 'an IPv6 UDP socket: the socket itself',
      spec: () => ({ code, output: 8 }), describe: describeHandle,
      expected: { rc: 0, error: 'NO_ERROR', bytes: 8, out: 'the socket itself' },
      basis: measured ? 'measured' : 'inferred', source: measured ? SRC.baseHandle : `as SIO_BASE_HANDLE (${SRC.baseHandle})`,
    },
    {
      id: `${name}.out-4`, code: name, socket: 'tcp-fresh', title: 'cbOutBuffer 4 (< sizeof(SOCKET)): WSAEFAULT',
      spec: () => ({ code, output: 4 }), describe: describeHandle,
      expected: { rc: -1, error: 'WSAEFAULT', bytes: 'untouched', out: 'untouched' },
      basis: 'documented', source: `${SRC.ioctlsPage}; bytes untouched inferred from FIONREAD's short output (${SRC.fionread})`,
    },
  ];
});

/** SIO_BSP_HANDLE_POLL with an lpOverlapped: WSAEFAULT before anything starts, in every overlapped mode. */
function pollExpectations(): Record<string, Observation> {
  const base = { rc: -1, error: 'WSAEFAULT', bytes: 'untouched', out: 'untouched' };
  return {
    'overlapped+port': { ...base, internal: 'untouched', information: 'untouched', packet: 'none' },
    'overlapped+event': { ...base, internal: 'untouched', information: 'untouched', signaled: 'not signaled', result: 'not asked' },
    'completion-routine': { ...base, beforeWait: 0, sleep: 0, routine: 'not called' },
  };
}

// --- SIO_TCP_INFO --------------------------------------------------------------------------

const describeTcpInfo = (out: Uint8Array): Observation => ({ State: ws.TCPSTATE_NAMES[readU32(out)] ?? readU32(out), MssPositive: readU32(out, 4) > 0 });

const tcpInfo: CodeCase[] = [
  {
    id: 'SIO_TCP_INFO.v0', code: 'SIO_TCP_INFO', socket: 'tcp-pair', title: 'version 0 on a connected socket: TCP_INFO_v0 (88 bytes), ESTABLISHED',
    spec: () => ({ code: ws.SIO_TCP_INFO, input: u32(0), output: 88 }), describe: describeTcpInfo,
    expected: { rc: 0, error: 'NO_ERROR', bytes: 88, out: { State: 'ESTABLISHED', MssPositive: true } },
    basis: 'documented', source: SRC.sioPage('SIO_TCP_INFO'),
    overlapped: immediateInferred,
  },
  {
    id: 'SIO_TCP_INFO.v1', code: 'SIO_TCP_INFO', socket: 'tcp-pair', title: 'version 1: TCP_INFO_v1 (136 bytes)',
    spec: () => ({ code: ws.SIO_TCP_INFO, input: u32(1), output: 136 }), describe: describeTcpInfo,
    expected: { rc: 0, error: 'NO_ERROR', bytes: 136, out: { State: 'ESTABLISHED', MssPositive: true } },
    basis: 'documented', source: SRC.sioPage('SIO_TCP_INFO'),
  },
  {
    id: 'SIO_TCP_INFO.null-input', code: 'SIO_TCP_INFO', socket: 'tcp-pair', title: 'no version (NULL input): WSAEMSGSIZE',
    spec: () => ({ code: ws.SIO_TCP_INFO, output: 88 }),
    expected: { rc: -1, error: 'WSAEMSGSIZE', bytes: 0, out: 'untouched' },
    basis: 'documented', source: `${SRC.sioPage('SIO_TCP_INFO')}; bytes 0 as for its short output`,
  },
  {
    id: 'SIO_TCP_INFO.out-short', code: 'SIO_TCP_INFO', socket: 'tcp-pair', title: 'version 0 with an 87-byte output: WSAEINVAL, 0 bytes',
    spec: () => ({ code: ws.SIO_TCP_INFO, input: u32(0), output: 87 }),
    expected: { rc: -1, error: 'WSAEINVAL', bytes: 0, out: 'untouched' },
    basis: 'documented', source: SRC.sioPage('SIO_TCP_INFO'),
  },
  {
    id: 'SIO_TCP_INFO.udp', code: 'SIO_TCP_INFO', socket: 'udp-fresh', title: 'a UDP socket: WSAEOPNOTSUPP',
    spec: () => ({ code: ws.SIO_TCP_INFO, input: u32(0), output: 88 }),
    expected: { rc: -1, error: 'WSAEOPNOTSUPP', bytes: 0, out: 'untouched' },
    basis: 'inferred', source: `a code the socket's provider does not handle (${SRC.unsupported})`,
  },
];

// --- ideal send backlog --------------------------------------------------------------------

const backlog: CodeCase[] = [
  {
    id: 'SIO_IDEAL_SEND_BACKLOG_QUERY.connected', code: 'SIO_IDEAL_SEND_BACKLOG_QUERY', socket: 'tcp-pair',
    title: 'a connected loopback socket: 0x10000 (64 KiB)',
    make: (ctx) => ctx.tcpPair().client,
    spec: () => ({ code: ws.SIO_IDEAL_SEND_BACKLOG_QUERY, output: 4 }), describe: asU32,
    expected: { rc: 0, error: 'NO_ERROR', bytes: 4, out: 0x10000 },
    basis: 'measured', source: `${SRC.backlog} (value); bytes 4 inferred`,
    overlapped: immediateInferred,
  },
  {
    id: 'SIO_IDEAL_SEND_BACKLOG_QUERY.not-connected', code: 'SIO_IDEAL_SEND_BACKLOG_QUERY', socket: 'tcp-fresh',
    title: 'not connected: WSAENOTCONN',
    spec: () => ({ code: ws.SIO_IDEAL_SEND_BACKLOG_QUERY, output: 4 }),
    expected: { rc: -1, error: 'WSAENOTCONN', out: 'untouched' },
    basis: 'measured', source: `${SRC.backlog}; *lpcbBytesReturned not compared: not measured, and Wine (untouched) and the emulation (0) differ`,
    unobserved: ['bytes'],
  },
  {
    id: 'SIO_IDEAL_SEND_BACKLOG_QUERY.udp', code: 'SIO_IDEAL_SEND_BACKLOG_QUERY', socket: 'udp-fresh',
    title: 'a UDP socket: WSAEOPNOTSUPP',
    spec: () => ({ code: ws.SIO_IDEAL_SEND_BACKLOG_QUERY, output: 4 }),
    expected: { rc: -1, error: 'WSAEOPNOTSUPP', out: 'untouched' },
    basis: 'measured', source: `${SRC.backlog}; *lpcbBytesReturned not compared: not measured, and Wine (untouched) and the emulation (0) differ`,
    unobserved: ['bytes'],
  },
  {
    id: 'SIO_IDEAL_SEND_BACKLOG_QUERY.out-2', code: 'SIO_IDEAL_SEND_BACKLOG_QUERY', socket: 'tcp-pair',
    title: 'cbOutBuffer 2: WSAEINVAL, 0 bytes',
    make: (ctx) => ctx.tcpPair().client,
    spec: () => ({ code: ws.SIO_IDEAL_SEND_BACKLOG_QUERY, output: 2 }),
    expected: { rc: -1, error: 'WSAEINVAL', bytes: 0, out: 'untouched' },
    basis: 'documented', source: SRC.sioPage('SIO_IDEAL_SEND_BACKLOG_QUERY'),
  },
  {
    id: 'SIO_IDEAL_SEND_BACKLOG_CHANGE.with-output', code: 'SIO_IDEAL_SEND_BACKLOG_CHANGE', socket: 'tcp-pair',
    title: 'cbOutBuffer 4 (must be 0): WSAEINVAL',
    make: (ctx) => ctx.tcpPair().client,
    spec: () => ({ code: ws.SIO_IDEAL_SEND_BACKLOG_CHANGE, output: 4 }),
    expected: { rc: -1, error: 'WSAEINVAL', bytes: 0, out: 'untouched' },
    basis: 'documented', source: `${SRC.sioPage('SIO_IDEAL_SEND_BACKLOG_CHANGE')}; bytes 0 inferred`,
  },
  {
    id: 'SIO_IDEAL_SEND_BACKLOG_CHANGE.udp', code: 'SIO_IDEAL_SEND_BACKLOG_CHANGE', socket: 'udp-fresh',
    title: 'a UDP socket: WSAEOPNOTSUPP',
    spec: () => ({ code: ws.SIO_IDEAL_SEND_BACKLOG_CHANGE }),
    expected: { rc: -1, error: 'WSAEOPNOTSUPP', bytes: 0 },
    basis: 'documented', source: `${SRC.sioPage('SIO_IDEAL_SEND_BACKLOG_CHANGE')}; bytes 0 inferred`,
  },
  {
    id: 'SIO_IDEAL_SEND_BACKLOG_CHANGE.not-connected', code: 'SIO_IDEAL_SEND_BACKLOG_CHANGE', socket: 'tcp-fresh',
    title: 'not connected: WSAENOTCONN',
    spec: () => ({ code: ws.SIO_IDEAL_SEND_BACKLOG_CHANGE }),
    expected: { rc: -1, error: 'WSAENOTCONN', bytes: 0 },
    basis: 'documented', source: `${SRC.sioPage('SIO_IDEAL_SEND_BACKLOG_CHANGE')}; bytes 0 inferred`,
  },
];

// --- TCP tuning codes ----------------------------------------------------------------------

const tuning: CodeCase[] = [
  {
    id: 'SIO_LOOPBACK_FAST_PATH.fresh', code: 'SIO_LOOPBACK_FAST_PATH', socket: 'tcp-fresh', title: 'TRUE on a new TCP socket: 0, 0 bytes',
    spec: () => ({ code: ws.SIO_LOOPBACK_FAST_PATH, input: u32(1) }),
    expected: { rc: 0, error: 'NO_ERROR', bytes: 0 },
    basis: 'documented', source: SRC.sioPage('SIO_LOOPBACK_FAST_PATH'),
    overlapped: immediateInferred,
  },
  {
    id: 'SIO_LOOPBACK_FAST_PATH.connected', code: 'SIO_LOOPBACK_FAST_PATH', socket: 'tcp-pair', title: 'after the connection exists: WSAEINVAL',
    make: (ctx) => ctx.tcpPair().client,
    spec: () => ({ code: ws.SIO_LOOPBACK_FAST_PATH, input: u32(1) }),
    expected: { rc: -1, error: 'WSAEINVAL', bytes: 0 },
    basis: 'inferred', source: `${SRC.sioPage('SIO_LOOPBACK_FAST_PATH')} (must be set before connect; WSAEINVAL for an invalid command)`,
  },
  {
    id: 'SIO_LOOPBACK_FAST_PATH.udp', code: 'SIO_LOOPBACK_FAST_PATH', socket: 'udp-fresh', title: 'a UDP socket: WSAEOPNOTSUPP',
    spec: () => ({ code: ws.SIO_LOOPBACK_FAST_PATH, input: u32(1) }),
    expected: { rc: -1, error: 'WSAEOPNOTSUPP', bytes: 0 },
    basis: 'documented', source: `${SRC.sioPage('SIO_LOOPBACK_FAST_PATH')} (provider lacks it: non-TCP)`,
  },
  {
    id: 'SIO_SET_COMPATIBILITY_MODE.fresh', code: 'SIO_SET_COMPATIBILITY_MODE', socket: 'tcp-fresh',
    title: '{WsaBehaviorAll, NTDDI_VISTA} on a new TCP socket: 0, 0 bytes',
    spec: () => ({ code: ws.SIO_SET_COMPATIBILITY_MODE, input: u32s(0, 0x06000000) }),
    expected: { rc: 0, error: 'NO_ERROR', bytes: 0 },
    basis: 'documented', source: SRC.sioPage('SIO_SET_COMPATIBILITY_MODE'),
    overlapped: immediateInferred,
  },
  {
    id: 'SIO_SET_COMPATIBILITY_MODE.cbIn-4', code: 'SIO_SET_COMPATIBILITY_MODE', socket: 'tcp-fresh', title: 'cbInBuffer 4 (< 8): WSAEINVAL',
    spec: () => ({ code: ws.SIO_SET_COMPATIBILITY_MODE, input: u32(0) }),
    expected: { rc: -1, error: 'WSAEINVAL', bytes: 0 },
    basis: 'documented', source: `${SRC.sioPage('SIO_SET_COMPATIBILITY_MODE')} (*lpcbBytesReturned = 0)`,
  },
  {
    id: 'SIO_SET_COMPATIBILITY_MODE.udp', code: 'SIO_SET_COMPATIBILITY_MODE', socket: 'udp-fresh', title: 'a datagram socket: WSAEOPNOTSUPP',
    spec: () => ({ code: ws.SIO_SET_COMPATIBILITY_MODE, input: u32s(0, 0x06000000) }),
    expected: { rc: -1, error: 'WSAEOPNOTSUPP', bytes: 0 },
    basis: 'documented', source: SRC.sioPage('SIO_SET_COMPATIBILITY_MODE'),
  },
  {
    id: 'SIO_SET_PRIORITY_HINT.tcp', code: 'SIO_SET_PRIORITY_HINT', socket: 'tcp-fresh', title: 'SocketPriorityHintNormal (2) on a TCP socket: 0, 0 bytes',
    spec: () => ({ code: ws.SIO_SET_PRIORITY_HINT, input: u32(2) }),
    expected: { rc: 0, error: 'NO_ERROR', bytes: 0 },
    basis: 'documented', source: SRC.sioPage('SIO_SET_PRIORITY_HINT'),
    overlapped: immediateInferred,
  },
  {
    id: 'SIO_SET_PRIORITY_HINT.cbIn-3', code: 'SIO_SET_PRIORITY_HINT', socket: 'tcp-fresh', title: 'cbInBuffer 3: WSAEINVAL',
    spec: () => ({ code: ws.SIO_SET_PRIORITY_HINT, input: u32(2, 3) }),
    expected: { rc: -1, error: 'WSAEINVAL', bytes: 0 },
    basis: 'documented', source: `${SRC.sioPage('SIO_SET_PRIORITY_HINT')} (input exactly sizeof(SOCKET_PRIORITY_HINT)); bytes 0 inferred`,
  },
  {
    id: 'SIO_SET_PRIORITY_HINT.with-output', code: 'SIO_SET_PRIORITY_HINT', socket: 'tcp-fresh', title: 'an output buffer (must be NULL / 0): WSAEINVAL',
    spec: () => ({ code: ws.SIO_SET_PRIORITY_HINT, input: u32(2), output: 4 }),
    expected: { rc: -1, error: 'WSAEINVAL', bytes: 0, out: 'untouched' },
    basis: 'documented', source: `${SRC.sioPage('SIO_SET_PRIORITY_HINT')}; bytes 0 inferred`,
  },
  {
    id: 'SIO_SET_PRIORITY_HINT.udp', code: 'SIO_SET_PRIORITY_HINT', socket: 'udp-fresh', title: 'a UDP socket: WSAEOPNOTSUPP',
    spec: () => ({ code: ws.SIO_SET_PRIORITY_HINT, input: u32(2) }),
    expected: { rc: -1, error: 'WSAEOPNOTSUPP', bytes: 0 },
    basis: 'inferred', source: `a code the socket's provider does not handle (${SRC.unsupported})`,
  },
];

/** SIO_IDEAL_SEND_BACKLOG_CHANGE pends until the ideal backlog changes; closing the socket aborts it. */
const backlogChangePending: Scenario[] = (['overlapped+port', 'overlapped+event', 'completion-routine'] as const).map((mode) => pendingUntilClosed(
  'SIO_IDEAL_SEND_BACKLOG_CHANGE', ws.SIO_IDEAL_SEND_BACKLOG_CHANGE, null, mode, (ctx) => ctx.tcpPair().client,
  'documented', `${SRC.sioPage('SIO_IDEAL_SEND_BACKLOG_CHANGE')} (completes when the value changes; WSA_OPERATION_ABORTED when the socket is closed); the rest as SIO_ADDRESS_LIST_CHANGE (${SRC.addressListChange})`,
  'tcp-pair',
));

export const stream: Scenario[] = [
  ...fionbio.flatMap(expand), fionbioEffect, fionbioEventSelect, ioctlsocketNull,
  ...fionread.flatMap(expand), fionreadIoctlsocket,
  ...siocatmark.flatMap(expand),
  ...keepaliveCases.flatMap(expand), keepaliveShortOverlapped,
  ...baseHandles.flatMap(expand),
  ...tcpInfo.flatMap(expand),
  ...backlog.flatMap(expand), ...backlogChangePending,
  ...tuning.flatMap(expand),
];
