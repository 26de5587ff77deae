/**
 * WSAStartup's check order and re-negotiation, the NTSTATUS translation of WSAGetOverlappedResult
 * (a caller-set Internal on a socket, as Wine's test does), and the order of the checks in
 * getpeername / send / shutdown.
 */
import type { Context, Observation, Scenario, SocketKind } from '../lib/types.js';
import { SENTINEL, errName, ws } from '../lib/winsock.js';
import { SRC } from './sources.js';

const result = (rc: number): Observation => (rc === 0 ? { rc } : { rc, error: errName(ws.WSAGetLastError()) });

const startupOrder: Scenario[] = [
  {
    id: 'WSAStartup.order.before-startup',
    title: 'before any WSAStartup: (0, NULL) is WSAVERNOTSUPPORTED, (2.2, NULL) WSAEFAULT; neither starts Winsock',
    mode: 'other', sockets: ['none'], beforeStartup: true,
    call: 'WSAStartup(0, NULL); WSAStartup(MAKEWORD(2, 2), NULL); socket(AF_INET, SOCK_DGRAM, 0)',
    expected: { zeroNull: 'WSAVERNOTSUPPORTED', twoTwoNull: 'WSAEFAULT', socket: 'WSANOTINITIALISED' },
    basis: 'measured', source: SRC.startupReactos,
    run() {
      const zeroNull = ws.WSAStartup(0, null);
      const twoTwoNull = ws.WSAStartup(0x0202, null);
      const s = ws.socket(ws.AF_INET, ws.SOCK_DGRAM, 0);
      const socket = s === ws.INVALID_SOCKET ? errName(ws.WSAGetLastError()) : 'a socket';
      if (s !== ws.INVALID_SOCKET) ws.closesocket(s);
      return { zeroNull: errName(zeroNull), twoTwoNull: errName(twoTwoNull), socket };
    },
  },
  {
    id: 'WSAStartup.renegotiate',
    title: 'a second WSAStartup re-negotiates: 1.1 then 2.2 reports 2.2 (iMaxSockets 0); success clears the last error',
    mode: 'other', sockets: ['none'],
    call: 'WSAStartup(MAKEWORD(1, 1), &a); WSASetLastError(0xdeadbeef); WSAStartup(MAKEWORD(2, 2), &b); WSACleanup() twice',
    expected: { first: '0x0101', second: '0x0202', iMaxSockets: 0, lastError: 'NO_ERROR', cleanups: [0, 0] },
    basis: 'measured', source: SRC.startupReactos,
    run() {
      const a = ws.newWSADATA();
      const b = ws.newWSADATA();
      const first = ws.WSAStartup(0x0101, a);
      ws.WSASetLastError(SENTINEL);
      const second = ws.WSAStartup(0x0202, b);
      const lastError = errName(ws.WSAGetLastError());
      const cleanups = [first, second].filter((rc) => rc === 0).map(() => ws.WSACleanup());
      return {
        first: `0x${a.wVersion.toString(16).padStart(4, '0')}`,
        second: `0x${b.wVersion.toString(16).padStart(4, '0')}`,
        iMaxSockets: b.iMaxSockets,
        lastError,
        cleanups,
      };
    },
  },
];

/** [name, status, Windows' result]: a sample of every kind of row of Wine's map_status walk. */
const STATUSES: Array<[string, number, Observation]> = [
  ['STATUS_SUCCESS', 0x00000000, { ok: true, bytes: 7 }],
  ['informational-0x40000000', 0x40000000, { ok: true, bytes: 7 }],
  ['STATUS_TIMEOUT', 0x00000102, { ok: true, bytes: 7 }],
  ['STATUS_PENDING', 0x00000103, { ok: false, error: 'WSA_IO_INCOMPLETE' }],
  ['STATUS_BUFFER_OVERFLOW', 0x80000005, { ok: false, error: 'WSAEMSGSIZE' }],
  ['STATUS_ACCESS_DENIED', 0xc0000022, { ok: false, error: 'WSAEACCES' }],
  ['STATUS_LOCAL_DISCONNECT', 0xc000013b, { ok: false, error: 'WSAECONNABORTED' }],
  ['STATUS_REMOTE_DISCONNECT', 0xc000013c, { ok: false, error: 'WSAECONNRESET' }],
  ['STATUS_INVALID_CONNECTION', 0xc0000140, { ok: false, error: 'WSAENOTCONN' }],
  ['STATUS_GRACEFUL_DISCONNECT', 0xc0000237, { ok: false, error: 'WSAEDISCON' }],
  ['STATUS_CONNECTION_RESET', 0xc000020d, { ok: false, error: 'WSAECONNRESET' }],
  ['STATUS_CANCELLED', 0xc0000120, { ok: false, error: 'WSA_OPERATION_ABORTED' }],
  ['STATUS_HOST_DOWN', 0xc0000350, { ok: false, error: 'WSAEHOSTDOWN' }],
  ['STATUS_NOT_FOUND', 0xc0000225, { ok: false, error: 'WSAEINVAL' }],
  ['0xD0000120', 0xd0000120, { ok: false, error: 'WSAEINVAL' }],
  ['0x800703E4', 0x800703e4, { ok: false, error: 'WSA_IO_INCOMPLETE' }],
  ['0xC00103E4', 0xc00103e4, { ok: false, error: 'WSA_IO_INCOMPLETE' }],
];

const overlappedResults: Scenario[] = STATUSES.map(([name, status, expected]) => ({
  id: `WSAGetOverlappedResult.status.${name}`,
  title: `Internal = ${name}: WSAGetOverlappedResult's answer`,
  mode: 'other', sockets: ['tcp-fresh'],
  call: `ov.Internal = 0x${status.toString(16).padStart(8, '0')}; ov.InternalHigh = 7; WSAGetOverlappedResult(s, &ov, &bytes, FALSE, &flags)`,
  expected,
  basis: 'measured', source: SRC.overlappedResult,
  run(ctx): Observation {
    const s = ctx.tcp();
    const ov = new ws.WSAOVERLAPPED();
    ov.Internal = status;
    ov.InternalHigh = 7;
    const bytes = { value: SENTINEL };
    ws.WSASetLastError(SENTINEL);
    const ok = ws.WSAGetOverlappedResult(s, ov, bytes, false, { value: 0 });
    return ok ? { ok, bytes: bytes.value } : { ok, error: errName(ws.WSAGetLastError()) };
  },
}));

/** shutdown(SD_SEND) and shutdown(SD_RECEIVE) on a socket with no connection: WSAENOTCONN for both. */
function shutdownRefused(label: string, what: string, kind: SocketKind, make: (ctx: Context) => number): Scenario {
  return {
    id: `shutdown.${label}`,
    title: `shutdown(SD_SEND) and shutdown(SD_RECEIVE) on ${what}: WSAENOTCONN`,
    mode: 'other', sockets: [kind],
    call: 'shutdown(s, SD_SEND); shutdown(s, SD_RECEIVE)',
    expected: { send: { rc: -1, error: 'WSAENOTCONN' }, receive: { rc: -1, error: 'WSAENOTCONN' } },
    basis: 'measured', source: SRC.shutdown,
    run(ctx) {
      const s = make(ctx);
      const send = result(ws.shutdown(s, ws.SD_SEND));
      return { send, receive: result(ws.shutdown(s, ws.SD_RECEIVE)) };
    },
  };
}

/** One call that fails with `error` on Windows. */
function refused(id: string, title: string, kind: SocketKind, call: string, error: string, source: string, make: (ctx: Context) => number): Scenario {
  return {
    id, title, mode: 'other', sockets: [kind], call,
    expected: { rc: -1, error },
    basis: 'measured', source,
    run: (ctx) => result(make(ctx)),
  };
}

const order: Scenario[] = [
  refused('getpeername.unconnected-null-pointers', 'getpeername on an unconnected socket with NULL name and namelen: WSAENOTCONN before the pointers',
    'udp-fresh', 'getpeername(s, NULL, NULL)', 'WSAENOTCONN', SRC.getpeername, (ctx) => ws.getpeername(ctx.udp(), null, null)),
  refused('getpeername.connected-null-pointers', 'getpeername on a connected socket with NULL name and namelen: WSAEFAULT',
    'tcp-pair', 'getpeername(s, NULL, NULL)', 'WSAEFAULT', SRC.getpeername, (ctx) => ws.getpeername(ctx.tcpPair().client, null, null)),
  refused('send.never-connected.zero-length', 'send(s, NULL, 0) on a never-connected TCP socket: WSAENOTCONN',
    'tcp-fresh', 'send(s, NULL, 0, 0)', 'WSAENOTCONN', SRC.sendReactos, (ctx) => ws.send(ctx.tcp(), null, 0, 0)),
  refused('send.never-connected.data', 'send of 32 bytes on a never-connected TCP socket: WSAENOTCONN',
    'tcp-fresh', 'send(s, buf, 32, 0)', 'WSAENOTCONN', SRC.sendReactos, (ctx) => ws.send(ctx.tcp(), new Uint8Array(32), 32, 0)),
  shutdownRefused('never-connected', 'a never-connected TCP socket', 'tcp-fresh', (ctx) => ctx.tcp()),
  {
    id: 'shutdown.send-then-send',
    title: 'after shutdown(SD_SEND) (twice: both succeed), send is WSAESHUTDOWN; a bad how is WSAEINVAL',
    mode: 'other', sockets: ['tcp-pair'],
    call: 'shutdown(c, SD_SEND) x2; send(c, "test", 5, 0); shutdown(c, 0xdeadbeef)',
    expected: { first: { rc: 0 }, second: { rc: 0 }, send: { rc: -1, error: 'WSAESHUTDOWN' }, badHow: { rc: -1, error: 'WSAEINVAL' } },
    basis: 'measured', source: SRC.shutdown,
    run(ctx) {
      const { client } = ctx.tcpPair();
      const first = result(ws.shutdown(client, ws.SD_SEND));
      const second = result(ws.shutdown(client, ws.SD_SEND));
      const send = result(ws.send(client, new Uint8Array(5), 5, 0));
      return { first, second, send, badHow: result(ws.shutdown(client, 0xdeadbeef)) };
    },
  },
  shutdownRefused('listening', 'a listening socket', 'tcp-listening', (ctx) => ctx.tcpListening()),
];

export const startupAndOrder: Scenario[] = [...startupOrder, ...overlappedResults, ...order];
