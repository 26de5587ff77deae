/**
 * The extension functions (issue 15): the pointers SIO_GET_EXTENSION_FUNCTION_POINTER hands out,
 * called through the LPFN_* casts (on the Windows backend: the real pointer through koffi), and
 * AcceptEx / GetAcceptExSockaddrs / ConnectEx / DisconnectEx with their Windows rules. Each
 * scenario reports what it saw on loopback sockets; the expectation is what Windows does according
 * to the source named (Wine's tests without todo_wine, or with it where the scenario says so).
 */
import type { Context, Scenario } from '../lib/types.js';
import { KEY, SENTINEL, errName, overlapped, readU64, statusOf, ws } from '../lib/winsock.js';
import { SRC } from './sources.js';

const scenario = (s: Omit<Scenario, 'mode' | 'basis' | 'needs'> & { basis?: Scenario['basis']; needs?: Scenario['needs'] }): Scenario => ({
  mode: 'other', basis: 'measured', ...s, needs: ['events', ...(s.needs ?? [])],
});

/** The pointer of `guid` asked on `s` (8 bytes). */
function pointerBytes(s: number, guid: string): Uint8Array {
  const out = new Uint8Array(8);
  const rc = ws.WSAIoctl(s, ws.SIO_GET_EXTENSION_FUNCTION_POINTER, ws.encodeGuid(guid), 16, out, 8, { value: 0 }, null, null);
  if (rc !== 0) throw new Error(`SIO_GET_EXTENSION_FUNCTION_POINTER: ${errName(ws.WSAGetLastError())}`);
  return out;
}

/** The four functions as C programs get them: a pointer, cast. */
function functions(s: number) {
  return {
    AcceptEx: ws.LPFN_ACCEPTEX(pointerBytes(s, ws.WSAID_ACCEPTEX)),
    GetAcceptExSockaddrs: ws.LPFN_GETACCEPTEXSOCKADDRS(pointerBytes(s, ws.WSAID_GETACCEPTEXSOCKADDRS)),
    ConnectEx: ws.LPFN_CONNECTEX(pointerBytes(s, ws.WSAID_CONNECTEX)),
    DisconnectEx: ws.LPFN_DISCONNECTEX(pointerBytes(s, ws.WSAID_DISCONNECTEX)),
  };
}

const nameOf = (s: number): Uint8Array => {
  const name = new Uint8Array(16);
  ws.getsockname(s, name, { value: 16 });
  return name;
};
const same = (a: Uint8Array | null, b: Uint8Array): boolean => a !== null && a.length === b.length && a.every((x, i) => x === b[i]);
const wait = (event: number, ms = 2000): string => (ws.WSAWaitForMultipleEvents(1, [event], false, ms, false) === 0 ? 'signaled' : 'not signaled');
function result(s: number, ov: ws.WSAOVERLAPPED): { ok: boolean; error: string; bytes: number } {
  const bytes = { value: SENTINEL };
  const ok = ws.WSAGetOverlappedResult(s, ov, bytes, true, { value: 0 });
  return { ok, error: ok ? 'NO_ERROR' : errName(ws.WSAGetLastError()), bytes: bytes.value };
}
function packetOf(port: number, ms = 2000): { ok: boolean; error: string; bytes: number; key: number } {
  const bytes = { value: SENTINEL };
  const key = { value: SENTINEL };
  const ov: { value: ws.WSAOVERLAPPED | null } = { value: null };
  ws.SetLastError(0);
  const ok = ws.GetQueuedCompletionStatus(port, bytes, key, ov, ms);
  return { ok, error: errName(ws.GetLastError()), bytes: bytes.value, key: key.value };
}
function bound(ctx: Context): number {
  const s = ctx.tcp();
  ws.bind(s, ws.sockaddr('127.0.0.1', 0), 16);
  return s;
}
function connectTo(ctx: Context, listener: number): number {
  const c = ctx.tcp();
  ws.connect(c, nameOf(listener), 16);
  return c;
}
const listenerBytes = (l: number): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(l), true);
  return b;
};

const SOCK_C = 'Wine dlls/ws2_32/tests/sock.c';

export const extensionFunctions: Scenario[] = [
  scenario({
    id: 'extension.pointers',
    title: 'the four pointers: non-zero, distinct, the same on a TCP and a UDP socket, castable',
    sockets: ['tcp-fresh', 'udp-fresh'], needs: [],
    call: 'WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &WSAID_X, 16, &fn, 8, &n, NULL, NULL) for AcceptEx, GetAcceptExSockaddrs, ConnectEx, DisconnectEx',
    expected: { nonZero: true, distinct: true, sameOnUdp: true, castable: true },
    basis: 'inferred', source: `${SRC.extension}; pointers are provider-wide (extension-functions.md §3 fact 6)`,
    run(ctx) {
      const t = ctx.tcp();
      const u = ctx.udp();
      const guids = [ws.WSAID_ACCEPTEX, ws.WSAID_GETACCEPTEXSOCKADDRS, ws.WSAID_CONNECTEX, ws.WSAID_DISCONNECTEX];
      const values = guids.map((g) => readU64(pointerBytes(t, g)));
      const onUdp = guids.map((g) => readU64(pointerBytes(u, g)));
      let castable = true;
      try {
        functions(t);
      } catch {
        castable = false;
      }
      return {
        nonZero: values.every((v) => v !== 0n), distinct: new Set(values).size === values.length,
        sameOnUdp: values.every((v, i) => v === onUdp[i]), castable,
      };
    },
  }),
  scenario({
    id: 'AcceptEx.no-overlapped',
    title: 'AcceptEx without an OVERLAPPED: FALSE, ERROR_INVALID_PARAMETER',
    sockets: ['tcp-listening', 'tcp-fresh'], needs: [],
    call: 'AcceptEx(lst, acc, buf, 0, 32, 32, &b, NULL)',
    expected: { ok: false, error: 'WSA_INVALID_PARAMETER' },
    source: `${SOCK_C} test_AcceptEx`,
    run(ctx) {
      const l = ctx.tcpListening();
      const { AcceptEx } = functions(l);
      const ok = AcceptEx(l, ctx.tcp(), new Uint8Array(64), 0, 32, 32, { value: 0 }, null);
      return { ok, error: errName(ws.WSAGetLastError()) };
    },
  }),
  scenario({
    id: 'AcceptEx.refusals',
    title: 'AcceptEx: accept socket INVALID_SOCKET (WSAENOTSOCK), remote area 0 (WSAEFAULT), Internal = STATUS_PENDING each time',
    sockets: ['tcp-listening', 'tcp-fresh'], needs: [],
    call: 'AcceptEx(lst, INVALID_SOCKET, ...); AcceptEx(lst, acc, buf, 0, 32, 0, ...)',
    expected: { notSocket: 'WSAENOTSOCK', notSocketInternal: 'STATUS_PENDING', remoteZero: 'WSAEFAULT', remoteZeroInternal: 'STATUS_PENDING' },
    source: `${SOCK_C} test_AcceptEx`,
    run(ctx) {
      const l = ctx.tcpListening();
      const { AcceptEx } = functions(l);
      const ov1 = overlapped();
      AcceptEx(l, ws.INVALID_SOCKET, new Uint8Array(64), 0, 32, 32, null, ov1);
      const notSocket = errName(ws.WSAGetLastError());
      const ov2 = overlapped();
      AcceptEx(l, ctx.tcp(), new Uint8Array(64), 0, 32, 0, null, ov2);
      const remoteZero = errName(ws.WSAGetLastError());
      return { notSocket, notSocketInternal: statusOf(ov1.Internal), remoteZero, remoteZeroInternal: statusOf(ov2.Internal) };
    },
  }),
  scenario({
    id: 'AcceptEx.not-listening',
    title: 'AcceptEx on a bound socket that does not listen: WSAEINVAL at once',
    sockets: ['tcp-fresh'], needs: [],
    call: 'AcceptEx(bound, acc, buf, 960, 32, 32, &b, &ov)',
    expected: { ok: false, error: 'WSAEINVAL', internal: 'STATUS_PENDING' },
    source: `${SOCK_C} test_AcceptEx (todo_wine: Wine pends)`,
    run(ctx) {
      const s = bound(ctx);
      const { AcceptEx } = functions(s);
      const ov = overlapped();
      const ok = AcceptEx(s, ctx.tcp(), new Uint8Array(1024), 960, 32, 32, { value: 0 }, ov);
      const error = errName(ws.WSAGetLastError());
      return { ok, error, internal: statusOf(ov.Internal) };
    },
  }),
  scenario({
    id: 'AcceptEx.completes-at-connection',
    title: 'AcceptEx, receive length 0: pends, completes at the connection with 0 bytes; SO_UPDATE_ACCEPT_CONTEXT; getsockname 16 bytes',
    sockets: ['tcp-listening', 'tcp-fresh'],
    call: 'AcceptEx(lst, acc, buf, 0, 32, 32, &b, &ov{event}); connect(c, lst); WSAGetOverlappedResult; setsockopt(acc, SO_UPDATE_ACCEPT_CONTEXT, &lst); getsockname(acc)',
    expected: { ok: false, error: 'WSA_IO_PENDING', internal: 'STATUS_PENDING', event: 'signaled', result: { ok: true, error: 'NO_ERROR', bytes: 0 }, update: 0, nameLength: 16 },
    source: `${SOCK_C} test_AcceptEx`,
    run(ctx) {
      const l = ctx.tcpListening();
      const a = ctx.tcp();
      const { AcceptEx } = functions(l);
      const event = ctx.event();
      const ov = overlapped(event);
      const ok = AcceptEx(l, a, new Uint8Array(64), 0, 32, 32, { value: SENTINEL }, ov);
      const error = errName(ws.WSAGetLastError());
      const internal = statusOf(ov.Internal);
      connectTo(ctx, l);
      const signaled = wait(event);
      const r = result(l, ov);
      const update = ws.setsockopt(a, ws.SOL_SOCKET, ws.SO_UPDATE_ACCEPT_CONTEXT, listenerBytes(l), 8);
      const len = { value: 128 };
      ws.getsockname(a, new Uint8Array(128), len);
      return { ok, error, internal, event: signaled, result: r, update, nameLength: len.value };
    },
  }),
  scenario({
    id: 'AcceptEx.first-data',
    title: 'AcceptEx, receive length 2: not done at the connection, done at the first byte (1 byte); GetAcceptExSockaddrs gives both addresses',
    sockets: ['tcp-listening', 'tcp-fresh'],
    call: 'AcceptEx(lst, acc, buf, 2, 32, 32, &b, &ov); connect; wait; send(c, "A"); GetAcceptExSockaddrs(buf, 2, 32, 32, ...)',
    expected: { early: 'not signaled', event: 'signaled', result: { ok: true, error: 'NO_ERROR', bytes: 1 }, data: 65, local: true, remote: true, remoteLength: 16 },
    source: `${SOCK_C} test_AcceptEx`,
    run(ctx) {
      const l = ctx.tcpListening();
      const a = ctx.tcp();
      const { AcceptEx, GetAcceptExSockaddrs } = functions(l);
      const event = ctx.event();
      const ov = overlapped(event);
      const buf = new Uint8Array(66);
      AcceptEx(l, a, buf, 2, 32, 32, null, ov);
      const c = connectTo(ctx, l);
      const early = wait(event, 100);
      ws.send(c, new Uint8Array([65]), 1, 0);
      const signaled = wait(event);
      const r = result(l, ov);
      const local: ws.Ref<Uint8Array | null> = { value: null };
      const remote: ws.Ref<Uint8Array | null> = { value: null };
      const localLen = { value: 0 };
      const remoteLen = { value: 0 };
      GetAcceptExSockaddrs(buf, 2, 32, 32, local, localLen, remote, remoteLen);
      return {
        early, event: signaled, result: r, data: buf[0]!,
        local: same(local.value === null ? null : local.value.subarray(0, 16), nameOf(l)),
        remote: same(remote.value === null ? null : remote.value.subarray(0, 16), nameOf(c)), remoteLength: remoteLen.value,
      };
    },
  }),
  scenario({
    id: 'AcceptEx.port-key',
    title: 'AcceptEx on a listener with port key 125, accept socket key 236: one packet, key 125',
    sockets: ['tcp-listening', 'tcp-fresh'], needs: ['ports'],
    call: 'CreateIoCompletionPort(lst, 125), (acc, 236); AcceptEx(...); connect; close client; GetQueuedCompletionStatus',
    expected: { packet: { ok: true, error: 'NO_ERROR', bytes: 0, key: 125 }, internal: 'STATUS_SUCCESS', second: false },
    source: `${SOCK_C} test_completion_port`,
    run(ctx) {
      const l = ctx.tcpListening();
      const a = ctx.tcp();
      const { AcceptEx } = functions(l);
      const port = ctx.port(l, 125);
      ws.CreateIoCompletionPort(a, port, 236, 0);
      const ov = overlapped();
      AcceptEx(l, a, new Uint8Array(64), 0, 32, 32, null, ov);
      ctx.closeNow(connectTo(ctx, l));
      const packet = packetOf(port);
      return { packet, internal: statusOf(ov.Internal), second: packetOf(port, 100).ok };
    },
  }),
  scenario({
    id: 'AcceptEx.close-listener',
    title: 'closing the listener of a pending AcceptEx: one packet, FALSE, ERROR_OPERATION_ABORTED, STATUS_CANCELLED',
    sockets: ['tcp-listening', 'tcp-fresh'], needs: ['ports'],
    call: 'AcceptEx(lst, ...); closesocket(lst); GetQueuedCompletionStatus',
    expected: { packet: { ok: false, error: 'WSA_OPERATION_ABORTED', bytes: 0, key: KEY }, internal: 'STATUS_CANCELLED' },
    source: `${SOCK_C} test_completion_port`,
    run(ctx) {
      const l = ctx.tcpListening();
      const { AcceptEx } = functions(l);
      const port = ctx.port(l, KEY);
      const ov = overlapped();
      AcceptEx(l, ctx.tcp(), new Uint8Array(64), 0, 32, 32, null, ov);
      ctx.closeNow(l);
      const packet = packetOf(port);
      return { packet, internal: statusOf(ov.Internal) };
    },
  }),
  scenario({
    id: 'AcceptEx.close-acceptor',
    title: 'closing the accept socket of a pending AcceptEx: the event, ERROR_OPERATION_ABORTED',
    sockets: ['tcp-listening', 'tcp-fresh'],
    call: 'AcceptEx(lst, acc, ..., &ov{event}); closesocket(acc); WSAGetOverlappedResult',
    expected: { event: 'signaled', result: { ok: false, error: 'WSA_OPERATION_ABORTED', bytes: 0 } },
    source: `${SOCK_C} test_AcceptEx`,
    run(ctx) {
      const l = ctx.tcpListening();
      const a = ctx.tcp();
      const { AcceptEx } = functions(l);
      const event = ctx.event();
      const ov = overlapped(event);
      AcceptEx(l, a, new Uint8Array(64), 0, 32, 32, null, ov);
      ctx.closeNow(a);
      const signaled = wait(event);
      return { event: signaled, result: result(l, ov) };
    },
  }),
  scenario({
    id: 'ConnectEx.unbound',
    title: 'ConnectEx on an unbound socket: WSAEINVAL',
    sockets: ['tcp-listening', 'tcp-fresh'], needs: [],
    call: 'ConnectEx(s, addr(lst), 16, NULL, 0, &b, &ov)',
    expected: { ok: false, error: 'WSAEINVAL' },
    source: `${SOCK_C} test_connect`,
    run(ctx) {
      const l = ctx.tcpListening();
      const { ConnectEx } = functions(l);
      const ok = ConnectEx(ctx.tcp(), nameOf(l), 16, null, 0, { value: 0 }, overlapped());
      return { ok, error: errName(ws.WSAGetLastError()) };
    },
  }),
  scenario({
    id: 'ConnectEx.with-data',
    title: 'ConnectEx with "123": pends even on loopback, completes with 3 bytes; the server reads "123"; ConnectEx again: WSAEISCONN',
    sockets: ['tcp-listening', 'tcp-fresh'],
    call: 'bind(s, 127.0.0.1:0); ConnectEx(s, addr(lst), 16, "123", 3, &b, &ov); accept; recv; ConnectEx(s, ...)',
    expected: { ok: false, error: 'WSA_IO_PENDING', event: 'signaled', result: { ok: true, error: 'NO_ERROR', bytes: 3 }, received: '123', again: 'WSAEISCONN', againInternal: 'STATUS_PENDING' },
    source: `${SOCK_C} test_connect`,
    run(ctx) {
      const l = ctx.tcpListening();
      const s = bound(ctx);
      const { ConnectEx } = functions(l);
      const event = ctx.event();
      const ov = overlapped(event);
      const ok = ConnectEx(s, nameOf(l), 16, new TextEncoder().encode('123'), 3, { value: 0 }, ov);
      const error = errName(ws.WSAGetLastError());
      const signaled = wait(event);
      const r = result(s, ov);
      const server = ctx.track(ws.accept(l, null, null));
      const got = new Uint8Array(8);
      ws.setsockopt(server, ws.SOL_SOCKET, ws.SO_RCVTIMEO, new Uint8Array([0xd0, 0x07, 0, 0]), 4);
      const n = ws.recv(server, got, 8, 0);
      const ov2 = overlapped();
      ConnectEx(s, nameOf(l), 16, null, 0, null, ov2);
      const again = errName(ws.WSAGetLastError());
      return {
        ok, error, event: signaled, result: r, received: new TextDecoder().decode(got.subarray(0, Math.max(0, n))),
        again, againInternal: statusOf(ov2.Internal),
      };
    },
  }),
  scenario({
    id: 'ConnectEx.connect-after',
    title: 'connect() on a socket ConnectEx connected (no SO_UPDATE_CONNECT_CONTEXT): WSAEINVAL',
    sockets: ['tcp-listening', 'tcp-fresh'],
    call: 'ConnectEx(s, addr(lst), ...); wait; connect(s, addr(lst))',
    expected: { rc: -1, error: 'WSAEINVAL' },
    source: `${SOCK_C} test_connect (todo_wine: Wine says WSAEISCONN)`,
    run(ctx) {
      const l = ctx.tcpListening();
      const s = bound(ctx);
      const { ConnectEx } = functions(l);
      const event = ctx.event();
      ConnectEx(s, nameOf(l), 16, null, 0, null, overlapped(event));
      wait(event);
      const rc = ws.connect(s, nameOf(l), 16);
      return { rc, error: errName(ws.WSAGetLastError()) };
    },
  }),
  scenario({
    id: 'ConnectEx.refused',
    title: 'ConnectEx to a closed port: pends, then ERROR_CONNECTION_REFUSED on the port, WSAECONNREFUSED from WSAGetOverlappedResult',
    sockets: ['tcp-fresh'], needs: ['ports'],
    call: 'bind(s); CreateIoCompletionPort(s, 123); ConnectEx(s, 127.0.0.1:1, ...); GetQueuedCompletionStatus; WSAGetOverlappedResult',
    expected: { error: 'WSA_IO_PENDING', packet: { ok: false, error: 'ERROR_CONNECTION_REFUSED', bytes: 0, key: KEY }, result: { ok: false, error: 'WSAECONNREFUSED', bytes: 0 } },
    source: `${SOCK_C} test_connect`,
    run(ctx) {
      const s = bound(ctx);
      const { ConnectEx } = functions(s);
      const port = ctx.port(s, KEY);
      const ov = overlapped();
      ConnectEx(s, ws.sockaddr('127.0.0.1', 1), 16, null, 0, null, ov);
      const error = errName(ws.WSAGetLastError());
      const packet = packetOf(port, 5000);
      return { error, packet, result: result(s, ov) };
    },
  }),
  scenario({
    id: 'DisconnectEx.not-connected',
    title: 'DisconnectEx on an unconnected socket: WSAENOTCONN',
    sockets: ['tcp-fresh'], needs: [],
    call: 'DisconnectEx(s, &ov, 0, 0)',
    expected: { ok: false, error: 'WSAENOTCONN' },
    source: `${SOCK_C} test_DisconnectEx`,
    run(ctx) {
      const s = ctx.tcp();
      const { DisconnectEx } = functions(s);
      const ok = DisconnectEx(s, overlapped(), 0, 0);
      return { ok, error: errName(ws.WSAGetLastError()) };
    },
  }),
  scenario({
    id: 'DisconnectEx.half-close',
    title: 'DisconnectEx with an OVERLAPPED: pends, completes with 0 bytes; send then WSAESHUTDOWN, the peer reads end of file',
    sockets: ['tcp-pair'],
    call: 'DisconnectEx(client, &ov, 0, 0); WSAGetOverlappedResult; send(client); recv(server)',
    expected: { ok: false, error: 'WSA_IO_PENDING', event: 'signaled', result: { ok: true, error: 'NO_ERROR', bytes: 0 }, send: 'WSAESHUTDOWN', peer: 0 },
    source: `${SOCK_C} test_DisconnectEx`,
    run(ctx) {
      const { client, server } = ctx.tcpPair();
      const { DisconnectEx } = functions(client);
      const event = ctx.event();
      const ov = overlapped(event);
      const ok = DisconnectEx(client, ov, 0, 0);
      const error = errName(ws.WSAGetLastError());
      const signaled = wait(event);
      const r = result(client, ov);
      ws.send(client, new Uint8Array(4), 4, 0);
      const send = errName(ws.WSAGetLastError());
      ws.setsockopt(server, ws.SOL_SOCKET, ws.SO_RCVTIMEO, new Uint8Array([0xd0, 0x07, 0, 0]), 4);
      const peer = ws.recv(server, new Uint8Array(8), 8, 0);
      return { ok, error, event: signaled, result: r, send, peer };
    },
  }),
  scenario({
    id: 'DisconnectEx.synchronous',
    title: 'DisconnectEx without an OVERLAPPED: TRUE, and TRUE again, last error 0',
    sockets: ['tcp-pair'], needs: [],
    call: 'DisconnectEx(client, NULL, 0, 0) twice',
    expected: { first: true, second: true, error: 'NO_ERROR' },
    source: `${SOCK_C} test_DisconnectEx`,
    run(ctx) {
      const { client } = ctx.tcpPair();
      const { DisconnectEx } = functions(client);
      ws.WSASetLastError(0);
      const first = DisconnectEx(client, null, 0, 0);
      const second = DisconnectEx(client, null, 0, 0);
      return { first, second, error: errName(ws.WSAGetLastError()) };
    },
  }),
  scenario({
    id: 'DisconnectEx.reuse-for-AcceptEx',
    title: 'DisconnectEx(TF_REUSE_SOCKET) on an accepted socket: completes once the peer closed; the socket then takes the next connection through AcceptEx',
    sockets: ['tcp-listening', 'tcp-fresh'], basis: 'documented',
    call: 'AcceptEx(lst, acc, ...); connect(c); DisconnectEx(acc, &ov, TF_REUSE_SOCKET, 0); closesocket(c); AcceptEx(lst, acc, ...); connect(c2)',
    expected: { disconnect: 'WSA_IO_PENDING', reused: { ok: true, error: 'NO_ERROR', bytes: 0 }, again: 'WSA_IO_PENDING', second: { ok: true, error: 'NO_ERROR', bytes: 0 } },
    source: 'DisconnectEx reference page (sdk-api nc-mswsock-lpfn_disconnectex): with TF_REUSE_SOCKET the socket can be passed to AcceptEx or ConnectEx',
    run(ctx) {
      const l = ctx.tcpListening();
      const a = ctx.tcp();
      const { AcceptEx, DisconnectEx } = functions(l);
      const event = ctx.event();
      AcceptEx(l, a, new Uint8Array(64), 0, 32, 32, null, overlapped(event));
      const c = connectTo(ctx, l);
      wait(event);
      ws.WSAResetEvent(event);
      const dov = overlapped(event);
      DisconnectEx(a, dov, ws.TF_REUSE_SOCKET, 0);
      const disconnect = errName(ws.WSAGetLastError());
      ctx.closeNow(c);
      wait(event, 5000);
      const reused = result(a, dov);
      ws.WSAResetEvent(event);
      const aov = overlapped(event);
      AcceptEx(l, a, new Uint8Array(64), 0, 32, 32, null, aov);
      const again = errName(ws.WSAGetLastError());
      connectTo(ctx, l);
      wait(event);
      return { disconnect, reused, again, second: result(l, aov) };
    },
  }),
];
