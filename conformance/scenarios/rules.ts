/**
 * The rules every WSAIoctl call follows whatever the code: before WSAStartup, a NULL
 * lpcbBytesReturned, NULL buffers with a size, sizes beyond the JS buffer, unknown codes, handles
 * that are not sockets, lpOverlapped on a socket that is not overlapped.
 */
import type { Observation, Scenario } from '../lib/types.js';
import { expand, type CodeCase } from '../lib/cases.js';
import { plain } from '../lib/call.js';
import { GUARD, SENTINEL, errName, overlapped, refValue, u32, untouched, ws } from '../lib/winsock.js';
import { SRC } from './sources.js';

/** FIOASYNC (_IOW('f', 125, u_long)): a BSD code Winsock never had. */
const FIOASYNC = 0x8004667d;
const LINUX_ONLY_OVERRUN = {
  backend: 'linux' as const,
  reason: 'a JS buffer shorter than the size claimed for it: the Windows backend refuses it itself before ws2_32 (a C caller cannot express it)',
};

function failure(rc: number): Observation {
  return { rc, error: errName(ws.WSAGetLastError()) };
}

const beforeStartup: Scenario = {
  id: 'rules.before-startup',
  title: 'Winsock calls before WSAStartup fail with WSANOTINITIALISED (WSAIoctl even with a NULL lpcbBytesReturned)',
  mode: 'other',
  sockets: ['none'],
  call: 'socket(); WSAIoctl(0x104, FIONBIO, in[4], 4, NULL, 0, &bytes | NULL, NULL, NULL); ioctlsocket(0x104, FIONBIO, &arg); WSACleanup()',
  beforeStartup: true,
  expected: {
    socket: { rc: -1, error: 'WSANOTINITIALISED' },
    WSAIoctl: { rc: -1, error: 'WSANOTINITIALISED', bytes: 'untouched' },
    WSAIoctlNullBytes: { rc: -1, error: 'WSANOTINITIALISED' },
    ioctlsocket: { rc: -1, error: 'WSANOTINITIALISED', arg: 1 },
    WSACleanup: { rc: -1, error: 'WSANOTINITIALISED' },
  },
  basis: 'measured',
  source: `${SRC.withoutStartup} (WSASocket); ${SRC.startup} (WSACleanup); WSAIoctl / ioctlsocket: documented for every Winsock call`,
  run() {
    ws.WSASetLastError(SENTINEL);
    const socket = failure(ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP));
    const bytes = { value: SENTINEL };
    ws.WSASetLastError(SENTINEL);
    const ioctl = { ...failure(ws.WSAIoctl(0x104, ws.FIONBIO, u32(1), 4, null, 0, bytes, null, null)), bytes: refValue(bytes) };
    ws.WSASetLastError(SENTINEL);
    const nullBytes = failure(ws.WSAIoctl(0x104, ws.FIONBIO, u32(1), 4, null, 0, null, null, null));
    const arg = { value: 1 };
    ws.WSASetLastError(SENTINEL);
    const ioctlsocket = { ...failure(ws.ioctlsocket(0x104, ws.FIONBIO, arg)), arg: arg.value };
    ws.WSASetLastError(SENTINEL);
    const cleanup = failure(ws.WSACleanup());
    return { socket, WSAIoctl: ioctl, WSAIoctlNullBytes: nullBytes, ioctlsocket, WSACleanup: cleanup };
  },
};

/** Plain-mode rule cases, written as code cases so that the report shows the call. */
const ruleCases: CodeCase[] = [
  {
    id: 'rules.null-bytes-returned.FIONREAD', code: 'FIONREAD', socket: 'tcp-fresh',
    title: 'lpcbBytesReturned NULL: WSAEFAULT, output untouched',
    spec: () => ({ code: ws.FIONREAD, output: 4, nullBytesReturned: true }),
    expected: { rc: -1, error: 'WSAEFAULT', bytes: 'null', out: 'untouched' },
    basis: 'measured', source: SRC.fionread,
  },
  {
    id: 'rules.null-bytes-returned.FIONBIO', code: 'FIONBIO', socket: 'tcp-fresh',
    title: 'lpcbBytesReturned NULL: WSAEFAULT (an input-only code)',
    spec: () => ({ code: ws.FIONBIO, input: u32(1), nullBytesReturned: true }),
    expected: { rc: -1, error: 'WSAEFAULT', bytes: 'null' },
    basis: 'measured', source: SRC.fionbio,
  },
  {
    id: 'rules.null-bytes-returned.SIO_KEEPALIVE_VALS', code: 'SIO_KEEPALIVE_VALS', socket: 'tcp-fresh',
    title: 'lpcbBytesReturned NULL: WSAEFAULT (a vendor code)',
    spec: () => ({ code: ws.SIO_KEEPALIVE_VALS, input: ws.encodeTcpKeepalive({ onoff: 0, keepalivetime: 0, keepaliveinterval: 0 }), nullBytesReturned: true }),
    expected: { rc: -1, error: 'WSAEFAULT', bytes: 'null' },
    basis: 'measured', source: SRC.keepalive,
  },
  {
    id: 'rules.null-input-with-size.SIO_KEEPALIVE_VALS', code: 'SIO_KEEPALIVE_VALS', socket: 'tcp-fresh',
    title: 'NULL input with a non-zero cbInBuffer: WSAEFAULT, *lpcbBytesReturned 0',
    spec: () => ({ code: ws.SIO_KEEPALIVE_VALS, input: null, cbIn: 12 }),
    expected: { rc: -1, error: 'WSAEFAULT', bytes: 0 },
    basis: 'measured', source: SRC.keepalive,
  },
  {
    id: 'rules.null-input-with-size.FIONBIO', code: 'FIONBIO', socket: 'tcp-fresh',
    title: 'NULL input with cbInBuffer 4: WSAEFAULT',
    spec: () => ({ code: ws.FIONBIO, input: null, cbIn: 4 }),
    expected: { rc: -1, error: 'WSAEFAULT' },
    basis: 'documented', source: `${SRC.wsaioctlPage} (not wholly valid memory); *lpcbBytesReturned not compared: not measured for FIONBIO`,
    unobserved: ['bytes'],
  },
  {
    id: 'rules.null-output-with-size.FIONREAD', code: 'FIONREAD', socket: 'tcp-fresh',
    title: 'NULL output with cbOutBuffer 4: WSAEFAULT, *lpcbBytesReturned untouched',
    spec: () => ({ code: ws.FIONREAD, output: null, cbOut: 4 }),
    expected: { rc: -1, error: 'WSAEFAULT', bytes: 'untouched' },
    basis: 'inferred', source: `${SRC.wsaioctlPage}; bytes as FIONREAD with a too-small output (${SRC.fionread})`,
  },
  {
    id: 'rules.output-beyond-buffer.FIONREAD', code: 'FIONREAD', socket: 'tcp-fresh',
    title: 'cbOutBuffer 4 with a 2-byte buffer: WSAEFAULT, nothing written',
    spec: () => ({ code: ws.FIONREAD, output: 2, cbOut: 4 }),
    expected: { rc: -1, error: 'WSAEFAULT', bytes: 'untouched', out: 'untouched' },
    basis: 'documented', source: `${SRC.wsaioctlPage}: a buffer not wholly in valid memory`,
    only: LINUX_ONLY_OVERRUN,
  },
  {
    id: 'rules.input-beyond-buffer.FIONBIO', code: 'FIONBIO', socket: 'tcp-fresh',
    title: 'cbInBuffer 4 with a 2-byte buffer: WSAEFAULT',
    spec: () => ({ code: ws.FIONBIO, input: u32(1, 2), cbIn: 4 }),
    expected: { rc: -1, error: 'WSAEFAULT', bytes: 'untouched' },
    basis: 'documented', source: `${SRC.wsaioctlPage}: a buffer not wholly in valid memory`,
    only: LINUX_ONLY_OVERRUN,
  },
  {
    id: 'rules.input-size-dword-max.FIONBIO', code: 'FIONBIO', socket: 'tcp-fresh',
    title: 'cbInBuffer -1 (0xFFFFFFFF as a DWORD): WSAEFAULT',
    spec: () => ({ code: ws.FIONBIO, input: u32(1), cbIn: -1 }),
    expected: { rc: -1, error: 'WSAEFAULT', bytes: 'untouched' },
    basis: 'documented', source: `${SRC.wsaioctlPage}: a buffer not wholly in valid memory`,
    only: LINUX_ONLY_OVERRUN,
  },
];

const UNKNOWN_CODES: Array<[string, number]> = [['0xdeadbeef', 0xdeadbeef], ['FIOASYNC', FIOASYNC], ['0x667e', 0x667e], ['SIO_FLUSH', ws.SIO_FLUSH]];

/** Unknown codes: WSAEOPNOTSUPP with 0 bytes; overlapped, the request completes with STATUS_NOT_SUPPORTED. */
const unknownCases: CodeCase[] = UNKNOWN_CODES.map(([name, code]): CodeCase => ({
  id: `rules.unknown-code.${name}`, callName: name, socket: 'tcp-fresh',
  title: `a code no provider handles (${name}): WSAEOPNOTSUPP, *lpcbBytesReturned 0`,
  spec: () => ({ code }),
  expected: { rc: -1, error: 'WSAEOPNOTSUPP', bytes: 0 },
  basis: 'measured', source: SRC.unsupported,
  overlapped: { kind: 'not-supported', basis: 'measured', source: `${SRC.unsupported} (port and routine; the event variant inferred from them)` },
}));

const unknownOnUdp: CodeCase = {
  id: 'rules.unknown-code.0xdeadbeef.udp', callName: '0xdeadbeef', socket: 'udp-fresh',
  title: 'an unknown code on a UDP socket: WSAEOPNOTSUPP, *lpcbBytesReturned 0',
  spec: () => ({ code: 0xdeadbeef }),
  expected: { rc: -1, error: 'WSAEOPNOTSUPP', bytes: 0 },
  basis: 'inferred', source: `${SRC.unsupported} (measured on TCP)`,
};

const unknownWithBuffers: Scenario = {
  id: 'rules.unknown-code.with-buffers',
  title: 'an unknown code with buffers: WSAEOPNOTSUPP, input unchanged, output untouched',
  mode: 'plain', sockets: ['tcp-fresh'],
  call: 'WSAIoctl(s, 0xdeadbeef, in[16], 16, out[16], 16, &bytes, NULL, NULL)',
  expected: { rc: -1, error: 'WSAEOPNOTSUPP', bytes: 0, out: 'untouched', inputUnchanged: true },
  basis: 'inferred', source: `${SRC.unsupported} (measured without buffers); input buffers are never written`,
  run(ctx) {
    const input = u32(0x01020304, 16);
    const copy = input.slice();
    const obs = plain(ctx.tcp(), { code: 0xdeadbeef, input, output: 16 });
    return { ...obs, inputUnchanged: input.every((b, i) => b === copy[i]) };
  },
};

/** A NULL lpcbBytesReturned in overlapped mode (measured with an unknown code and with FIONREAD). */
const nullBytesOverlapped: Scenario = {
  id: 'rules.null-bytes-returned.overlapped',
  title: 'lpcbBytesReturned NULL with a WSAOVERLAPPED: WSAEFAULT, no completion (unknown code and FIONREAD)',
  mode: 'overlapped+port', sockets: ['tcp-fresh'],
  call: 'WSAIoctl(s, 0xdeadbeef | FIONREAD, NULL, 0, NULL | out[4], 0 | 4, NULL, &ov, NULL) with s on a port',
  needs: ['overlapped-ioctl', 'ports'],
  expected: {
    unknown: { rc: -1, error: 'WSAEFAULT', internal: 'untouched', packet: 'none' },
    FIONREAD: { rc: -1, error: 'WSAEFAULT', internal: 'untouched', packet: 'none' },
  },
  basis: 'measured', source: `${SRC.unsupported}; ${SRC.fionread}; Internal untouched: inferred (the call is refused before any request exists)`,
  run(ctx) {
    const observe = (code: number, output: Uint8Array | null): Observation => {
      const s = ctx.tcp();
      const port = ctx.port(s, 123);
      const ov = overlapped();
      ws.WSASetLastError(SENTINEL);
      const rc = ws.WSAIoctl(s, code, null, 0, output, output?.length ?? 0, null, ov, null);
      const error = errName(ws.WSAGetLastError());
      const which: ws.Ref<ws.WSAOVERLAPPED | null> = { value: null };
      ws.GetQueuedCompletionStatus(port, { value: 0 }, { value: 0 }, which, 0);
      return { rc, error, internal: (ov.Internal >>> 0) === SENTINEL ? 'untouched' : ws.ntStatusName(ov.Internal), packet: which.value === null ? 'none' : 'a packet' };
    };
    return { unknown: observe(0xdeadbeef, null), FIONREAD: observe(ws.FIONREAD, new Uint8Array(4)) };
  },
};

const notSockets: Scenario[] = [
  ['closed-handle', 'a closed SOCKET', (ctx: Parameters<Scenario['run']>[0]) => ctx.closedHandle()],
  ['bogus-handle', 'a number that was never a SOCKET', (ctx: Parameters<Scenario['run']>[0]) => ctx.bogusHandle()],
  ['invalid-socket', 'INVALID_SOCKET', () => ws.INVALID_SOCKET],
].map(([name, what, make]) => ({
  id: `rules.not-a-socket.${name as string}`,
  title: `${what as string}: WSAENOTSOCK (FIONBIO and FIONREAD)`,
  mode: 'plain' as const,
  sockets: [name === 'invalid-socket' ? 'none' as const : name as 'closed-handle' | 'bogus-handle'],
  call: 'WSAIoctl(h, FIONBIO, in[4], 4, NULL, 0, &bytes, NULL, NULL); WSAIoctl(h, FIONREAD, NULL, 0, out[4], 4, &bytes, NULL, NULL)',
  expected: {
    FIONBIO: { rc: -1, error: 'WSAENOTSOCK' },
    FIONREAD: { rc: -1, error: 'WSAENOTSOCK', out: 'untouched' },
  },
  basis: 'documented' as const,
  source: `${SRC.wsaioctlPage} (WSAENOTSOCK); ${SRC.withoutStartup} shows WSAENOTSOCK for sockets that are gone`,
  run(ctx) {
    const h = (make as (c: typeof ctx) => number)(ctx);
    const a = plain(h, { code: ws.FIONBIO, input: u32(1) });
    const b = plain(h, { code: ws.FIONREAD, output: 4 });
    return { FIONBIO: { rc: a.rc!, error: a.error! }, FIONREAD: { rc: b.rc!, error: b.error!, out: b.out! } };
  },
}));

const ignoredOverlapped: Scenario = {
  id: 'rules.overlapped-on-non-overlapped-socket',
  title: 'lpOverlapped on a socket created without WSA_FLAG_OVERLAPPED is ignored: the call runs as a plain one',
  mode: 'overlapped+event', sockets: ['tcp-non-overlapped'],
  call: 'WSAIoctl(s, FIONREAD, NULL, 0, out[4], 4, &bytes, &ov, NULL), s = WSASocketW(..., dwFlags 0)',
  needs: ['overlapped-ioctl'],
  expected: { rc: 0, error: 'NO_ERROR', bytes: 4, out: 0 },
  basis: 'documented', source: `${SRC.wsaioctlPage}: "If the socket s was not created with WSA_FLAG_OVERLAPPED, lpOverlapped is ignored"`,
  run(ctx) {
    const s = ctx.tcpNonOverlapped();
    const out = new Uint8Array(4).fill(GUARD);
    const bytes = { value: SENTINEL };
    ws.WSASetLastError(SENTINEL);
    const rc = ws.WSAIoctl(s, ws.FIONREAD, null, 0, out, 4, bytes, overlapped(), null);
    return { rc, error: errName(ws.WSAGetLastError()), bytes: refValue(bytes), out: untouched(out) ? 'untouched' : new DataView(out.buffer).getUint32(0, true) };
  },
};

export const rules: Scenario[] = [
  beforeStartup,
  ...ruleCases.flatMap(expand),
  ...unknownCases.flatMap(expand),
  ...expand(unknownOnUdp),
  unknownWithBuffers,
  nullBytesOverlapped,
  ...notSockets,
  ignoredOverlapped,
];
