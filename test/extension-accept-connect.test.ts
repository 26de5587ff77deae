/**
 * The extension functions on the emulation: SIO_GET_EXTENSION_FUNCTION_POINTER, the LPFN_* casts,
 * AcceptEx / GetAcceptExSockaddrs / SO_UPDATE_ACCEPT_CONTEXT, ConnectEx / SO_UPDATE_CONNECT_CONTEXT
 * and DisconnectEx (with TF_REUSE_SOCKET), in the completion modes they have (event,
 * WSAGetOverlappedResult, completion port, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS, hEvent | 1; the
 * completion routine where the call takes one, i.e. the WSAIoctl), on real loopback sockets. Each
 * rule cites Wine's dlls/ws2_32/tests/sock.c (the test function) or extension-functions.md §17.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as ws from 'wsaioctl/winsock';
import { startup, cleanup, check, closeAll, listener, localName, loopbackName, tcpPair, sleepSync } from './helpers/sockets.js';
import { packet } from './helpers/completion.js';
import { lastJson, netnsSkip, runInNetns, script } from './helpers/netns.js';

before(startup);
after(cleanup);

const tcp = (): number => check(ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP), 'socket');
const udp = (): number => check(ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP), 'socket');
function bound(): number {
  const s = tcp();
  const name = loopbackName('ipv4', 0);
  check(ws.bind(s, name, name.length), 'bind');
  return s;
}
function fresh(hEvent = 0): ws.WSAOVERLAPPED {
  const ov = new ws.WSAOVERLAPPED(hEvent);
  ov.Internal = 0xdeadbeef;
  ov.InternalHigh = 0xdeadbeef;
  return ov;
}
/** WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER) on `s`: the 8 bytes. */
function pointer(s: number, guid: string): Uint8Array {
  const out = new Uint8Array(8);
  const n = { value: 0 };
  check(ws.WSAIoctl(s, ws.SIO_GET_EXTENSION_FUNCTION_POINTER, ws.encodeGuid(guid), 16, out, 8, n, null, null), 'WSAIoctl');
  assert.equal(n.value, 8);
  return out;
}
/** The four functions, the way C programs get them: from a pointer, through the cast. */
function functions(s: number) {
  return {
    AcceptEx: ws.LPFN_ACCEPTEX(pointer(s, ws.WSAID_ACCEPTEX)),
    GetAcceptExSockaddrs: ws.LPFN_GETACCEPTEXSOCKADDRS(pointer(s, ws.WSAID_GETACCEPTEXSOCKADDRS)),
    ConnectEx: ws.LPFN_CONNECTEX(pointer(s, ws.WSAID_CONNECTEX)),
    DisconnectEx: ws.LPFN_DISCONNECTEX(pointer(s, ws.WSAID_DISCONNECTEX)),
  };
}
const waitEvent = (event: number, ms = 2000): number => ws.WSAWaitForMultipleEvents(1, [event], false, ms, false);
function connectTo(port: number): number {
  const c = tcp();
  const to = loopbackName('ipv4', port);
  check(ws.connect(c, to, to.length), 'connect');
  return c;
}
function result(s: number, ov: ws.WSAOVERLAPPED): { ok: boolean; error: number; bytes: number } {
  const bytes = { value: 0xbad };
  const flags = { value: 0 };
  const ok = ws.WSAGetOverlappedResult(s, ov, bytes, true, flags);
  return { ok, error: ok ? 0 : ws.WSAGetLastError(), bytes: bytes.value };
}
const listenerBytes = (l: number): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(l), true);
  return b;
};

describe('SIO_GET_EXTENSION_FUNCTION_POINTER (Wine sock.c test_get_extension_func)', () => {
  test('a known GUID: 0, last error 0, 8 bytes, a non-zero pointer', () => {
    const s = tcp();
    const out = new Uint8Array(8);
    const n = { value: 0xdeadbeef };
    ws.WSASetLastError(0xdead);
    assert.equal(ws.WSAIoctl(s, ws.SIO_GET_EXTENSION_FUNCTION_POINTER, ws.encodeGuid(ws.WSAID_ACCEPTEX), 16, out, 8, n, null, null), 0);
    assert.equal(n.value, 8);
    assert.notEqual(new DataView(out.buffer).getBigUint64(0, true), 0n);
    closeAll(s);
  });

  test('the same pointer on every socket, and after that socket is closed (extension-functions.md §3 fact 6)', () => {
    const l = listener();
    const s = tcp();
    const u = udp();
    const a = pointer(s, ws.WSAID_CONNECTEX);
    assert.deepEqual(pointer(l.socket, ws.WSAID_CONNECTEX), a);
    assert.deepEqual(pointer(u, ws.WSAID_CONNECTEX), a);
    assert.notDeepEqual(pointer(s, ws.WSAID_ACCEPTEX), a);
    closeAll(s, u, l.socket);
    // The pointer still works on another socket once the one it came from is closed.
    const ConnectEx = ws.LPFN_CONNECTEX(a);
    const other = tcp();
    assert.equal(ConnectEx(other, loopbackName('ipv4', 1), 16, null, 0, null, fresh()), false);
    assert.equal(ws.WSAGetLastError(), ws.WSAEINVAL); // unbound (test_connect)
    closeAll(other);
  });

  test('an unknown GUID: WSAEINVAL, count and OVERLAPPED untouched, no packet', () => {
    const s = tcp();
    const port = ws.CreateIoCompletionPort(s, 0, 123, 0);
    const ov = fresh();
    const n = { value: 0xdeadbeef };
    const rc = ws.WSAIoctl(s, ws.SIO_GET_EXTENSION_FUNCTION_POINTER, ws.encodeGuid('{deadbeef-0000-0000-0000-000000000000}'), 16, new Uint8Array(8), 8, n, ov, null);
    assert.equal(rc, ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEINVAL);
    assert.equal(n.value, 0xdeadbeef);
    assert.equal(ov.Internal, 0xdeadbeef);
    assert.equal(ov.InternalHigh, 0xdeadbeef);
    assert.equal(packet(port, 50).ok, false);
    closeAll(s);
    ws.CloseHandle(port);
  });

  test('overlapped with a port: 0 at once, 8 bytes, and a packet of 0 bytes with the key', () => {
    const s = tcp();
    const port = ws.CreateIoCompletionPort(s, 0, 123, 0);
    const ov = fresh();
    const n = { value: 0xdeadbeef };
    assert.equal(ws.WSAIoctl(s, ws.SIO_GET_EXTENSION_FUNCTION_POINTER, ws.encodeGuid(ws.WSAID_ACCEPTEX), 16, new Uint8Array(8), 8, n, ov, null), 0);
    assert.equal(n.value, 8);
    const p = packet(port, 1000);
    assert.deepEqual([p.ok, p.bytes, p.key, p.overlapped === ov], [true, 0, 123, true]);
    assert.equal(ov.Internal, 0);
    assert.equal(ov.InternalHigh, 0);
    closeAll(s);
    ws.CloseHandle(port);
  });

  test('with a completion routine: 0, 8 bytes, the routine once with (0, 0) at the next alertable wait', () => {
    const s = tcp();
    const calls: number[][] = [];
    const ov = fresh();
    const n = { value: 0 };
    assert.equal(ws.WSAIoctl(s, ws.SIO_GET_EXTENSION_FUNCTION_POINTER, ws.encodeGuid(ws.WSAID_ACCEPTEX), 16, new Uint8Array(8), 8, n, ov, (e, b) => calls.push([e, b])), 0);
    assert.equal(n.value, 8);
    assert.equal(ws.SleepEx(0, true), ws.WAIT_IO_COMPLETION);
    assert.deepEqual(calls, [[0, 0]]);
    assert.equal(ws.SleepEx(0, true), 0);
    closeAll(s);
  });

  test('a null byte count with an OVERLAPPED: WSAEFAULT', () => {
    const s = tcp();
    assert.equal(ws.WSAIoctl(s, ws.SIO_GET_EXTENSION_FUNCTION_POINTER, ws.encodeGuid(ws.WSAID_ACCEPTEX), 16, new Uint8Array(8), 8, null, fresh(), null), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEFAULT);
    closeAll(s);
  });
});

describe('the LPFN_* casts', () => {
  test('a pointer (bytes or bigint) becomes the function; the functions are also exported by name', () => {
    const s = tcp();
    const bytes = pointer(s, ws.WSAID_ACCEPTEX);
    assert.equal(typeof ws.LPFN_ACCEPTEX(bytes), 'function');
    assert.equal(typeof ws.LPFN_ACCEPTEX(new DataView(bytes.buffer).getBigUint64(0, true)), 'function');
    if (ws.backendName === 'linux-emulation') assert.equal(ws.LPFN_ACCEPTEX(bytes), ws.AcceptEx);
    closeAll(s);
  });

  test('another function\'s pointer, or no pointer at all: TypeError at the cast', () => {
    const s = tcp();
    const connectEx = pointer(s, ws.WSAID_CONNECTEX);
    assert.throws(() => ws.LPFN_ACCEPTEX(connectEx), TypeError);
    assert.throws(() => ws.LPFN_DISCONNECTEX(pointer(s, ws.WSAID_GETACCEPTEXSOCKADDRS)), TypeError);
    for (const bad of [0n, 1n, new Uint8Array(7), new Uint8Array(8), null, undefined, 12, 'AcceptEx', {}]) {
      assert.throws(() => ws.LPFN_CONNECTEX(bad as unknown as bigint), TypeError, String(bad));
    }
    closeAll(s);
  });
});

describe('AcceptEx: call-time errors (Wine sock.c test_AcceptEx)', () => {
  test('no OVERLAPPED: ERROR_INVALID_PARAMETER', () => {
    const l = listener();
    const a = tcp();
    const { AcceptEx } = functions(l.socket);
    assert.equal(AcceptEx(l.socket, a, new Uint8Array(64), 0, 32, 32, { value: 0 }, null), false);
    assert.equal(ws.WSAGetLastError(), ws.ERROR_INVALID_PARAMETER);
    closeAll(a, l.socket);
  });

  test('each refusal: its error, Internal = STATUS_PENDING, InternalHigh untouched', () => {
    const l = listener();
    const { AcceptEx } = functions(l.socket);
    const notListening = bound();
    const fresh1 = tcp();
    const cases: Array<[string, () => boolean, number]> = [
      ['listener not listening', () => AcceptEx(notListening, fresh1, new Uint8Array(1024), 960, 32, 32, null, ov), ws.WSAEINVAL],
      ['accept socket INVALID_SOCKET', () => AcceptEx(l.socket, ws.INVALID_SOCKET, new Uint8Array(64), 0, 32, 32, null, ov), ws.WSAENOTSOCK],
      ['listen socket INVALID_SOCKET', () => AcceptEx(ws.INVALID_SOCKET, fresh1, new Uint8Array(64), 0, 32, 32, null, ov), ws.WSAENOTSOCK],
      ['remote length 0', () => AcceptEx(l.socket, fresh1, new Uint8Array(64), 0, 32, 0, null, ov), ws.WSAEFAULT],
      ['no buffer with a receive length', () => AcceptEx(l.socket, fresh1, null, 16, 32, 32, null, ov), ws.WSAEFAULT],
      ['a buffer shorter than the lengths', () => AcceptEx(l.socket, fresh1, new Uint8Array(40), 0, 32, 32, null, ov), ws.WSAEFAULT],
    ];
    let ov = fresh();
    for (const [what, call, error] of cases) {
      ov = fresh();
      assert.equal(call(), false, what);
      assert.equal(ws.WSAGetLastError(), error, what);
      assert.equal(ov.Internal, ws.STATUS_PENDING, what);
      assert.equal(ov.InternalHigh, 0xdeadbeef, what);
    }
    closeAll(notListening, fresh1, l.socket);
  });

  test('accept socket UDP, bound, connected, or already waiting: WSAEINVAL', () => {
    const l = listener();
    const { AcceptEx } = functions(l.socket);
    const u = udp();
    const b = bound();
    const pair = tcpPair();
    for (const [what, s] of [['udp', u], ['bound', b], ['connected client', pair.client], ['accepted server', pair.server]] as const) {
      assert.equal(AcceptEx(l.socket, s, new Uint8Array(64), 0, 32, 32, null, fresh()), false, what);
      assert.equal(ws.WSAGetLastError(), ws.WSAEINVAL, what);
    }
    const a = tcp();
    assert.equal(AcceptEx(l.socket, a, new Uint8Array(64), 0, 32, 32, null, fresh()), false);
    assert.equal(ws.WSAGetLastError(), ws.ERROR_IO_PENDING);
    assert.equal(AcceptEx(l.socket, a, new Uint8Array(64), 0, 32, 32, null, fresh()), false);
    assert.equal(ws.WSAGetLastError(), ws.WSAEINVAL);
    closeAll(u, b, pair.client, pair.server, a, l.socket);
  });
});

describe('AcceptEx: completion', () => {
  test('receive length 0, event: pends, completes at the connection; SO_UPDATE_ACCEPT_CONTEXT; names, data, shutdown work', () => {
    const l = listener();
    const a = tcp();
    const event = ws.WSACreateEvent();
    const ov = fresh(event);
    const buf = new Uint8Array(64);
    const received = { value: 0xdeadbeef };
    assert.equal(ws.AcceptEx(l.socket, a, buf, 0, 32, 32, received, ov), false);
    assert.equal(ws.WSAGetLastError(), ws.ERROR_IO_PENDING);
    assert.equal(ov.Internal, ws.STATUS_PENDING);
    assert.equal(waitEvent(event, 50), ws.WSA_WAIT_TIMEOUT);
    const c = connectTo(l.port);
    assert.equal(waitEvent(event), ws.WSA_WAIT_EVENT_0);
    assert.deepEqual(result(l.socket, ov), { ok: true, error: 0, bytes: 0 });
    assert.equal(ov.Internal, 0);
    assert.equal(received.value, 0xdeadbeef); // only a synchronous completion writes it
    assert.equal(ws.setsockopt(a, ws.SOL_SOCKET, ws.SO_UPDATE_ACCEPT_CONTEXT, listenerBytes(l.socket), 8), 0);
    const name = new Uint8Array(128);
    const len = { value: 128 };
    assert.equal(ws.getsockname(a, name, len), 0);
    assert.equal(len.value, 16);
    const peer = new Uint8Array(128);
    const peerLen = { value: 128 };
    assert.equal(ws.getpeername(a, peer, peerLen), 0);
    assert.deepEqual(peer.subarray(0, 16), localName(c));
    assert.equal(ws.send(c, new Uint8Array([1, 2, 3]), 3, 0), 3);
    const got = new Uint8Array(8);
    assert.equal(ws.recv(a, got, 8, 0), 3);
    assert.equal(ws.shutdown(a, ws.SD_SEND), 0);
    assert.equal(ws.recv(c, got, 8, 0), 0);
    closeAll(a, c, l.socket);
    ws.WSACloseEvent(event);
  });

  test('receive length 2: the connection alone does not complete it; the first byte does; the addresses (GetAcceptExSockaddrs)', () => {
    const l = listener();
    const a = tcp();
    const { AcceptEx, GetAcceptExSockaddrs } = functions(l.socket);
    const event = ws.WSACreateEvent();
    const ov = fresh(event);
    const buf = new Uint8Array(2 + 32 + 32);
    assert.equal(AcceptEx(l.socket, a, buf, 2, 32, 32, null, ov), false);
    assert.equal(ws.WSAGetLastError(), ws.ERROR_IO_PENDING);
    const c = connectTo(l.port);
    assert.equal(waitEvent(event, 100), ws.WSA_WAIT_TIMEOUT);
    assert.equal(ov.Internal, ws.STATUS_PENDING);
    assert.equal(ws.send(c, new Uint8Array([0x41]), 1, 0), 1);
    assert.equal(waitEvent(event), ws.WSA_WAIT_EVENT_0);
    assert.deepEqual(result(l.socket, ov), { ok: true, error: 0, bytes: 1 });
    assert.equal(buf[0], 0x41);
    const local: ws.Ref<Uint8Array | null> = { value: null };
    const remote: ws.Ref<Uint8Array | null> = { value: null };
    const localLen = { value: 0 };
    const remoteLen = { value: 0 };
    GetAcceptExSockaddrs(buf, 2, 32, 32, local, localLen, remote, remoteLen);
    assert.equal(remoteLen.value, 16);
    assert.equal(localLen.value, 16);
    assert.deepEqual(local.value, localName(l.socket));
    assert.deepEqual(remote.value, localName(c));
    // A view of the caller's buffer, as C gets a pointer into it.
    assert.equal(remote.value!.buffer, buf.buffer);
    closeAll(a, c, l.socket);
    ws.WSACloseEvent(event);
  });

  test('local length 0: only the remote address; GetAcceptExSockaddrs leaves the local pair untouched', () => {
    const l = listener();
    const a = tcp();
    const event = ws.WSACreateEvent();
    const ov = fresh(event);
    const buf = new Uint8Array(32);
    assert.equal(ws.AcceptEx(l.socket, a, buf, 0, 0, 32, null, ov), false);
    const c = connectTo(l.port);
    assert.equal(waitEvent(event), ws.WSA_WAIT_EVENT_0);
    assert.equal(result(l.socket, ov).ok, true);
    const preset = new Uint8Array(1);
    const local: ws.Ref<Uint8Array | null> = { value: preset };
    const localLen = { value: 0x1234 };
    const remote: ws.Ref<Uint8Array | null> = { value: null };
    const remoteLen = { value: 0 };
    ws.GetAcceptExSockaddrs(buf, 0, 0, 32, local, localLen, remote, remoteLen);
    assert.equal(local.value, preset);
    assert.equal(localLen.value, 0x1234);
    assert.equal(remoteLen.value, 16);
    assert.deepEqual(remote.value, localName(c));
    closeAll(a, c, l.socket);
    ws.WSACloseEvent(event);
  });

  test('local length 3: STATUS_BUFFER_TOO_SMALL (ERROR_INSUFFICIENT_BUFFER), 0 bytes; the connection stays for accept()', () => {
    const l = listener();
    const a = tcp();
    const event = ws.WSACreateEvent();
    const ov = fresh(event);
    assert.equal(ws.AcceptEx(l.socket, a, new Uint8Array(64), 0, 3, 32, null, ov), false);
    assert.equal(ws.WSAGetLastError(), ws.ERROR_IO_PENDING);
    const c = connectTo(l.port);
    assert.equal(waitEvent(event), ws.WSA_WAIT_EVENT_0);
    assert.equal(ov.Internal, ws.STATUS_BUFFER_TOO_SMALL);
    const r = result(l.socket, ov);
    assert.equal(r.ok, false);
    assert.equal(r.bytes, 0);
    const accepted = ws.accept(l.socket, null, null);
    assert.notEqual(accepted, ws.INVALID_SOCKET);
    closeAll(accepted, a, c, l.socket);
    ws.WSACloseEvent(event);
  });

  test('a receive length, and the peer closes without data: success with 0 bytes', () => {
    const l = listener();
    const a = tcp();
    const event = ws.WSACreateEvent();
    const ov = fresh(event);
    assert.equal(ws.AcceptEx(l.socket, a, new Uint8Array(1024), 960, 32, 32, null, ov), false);
    const c = connectTo(l.port);
    closeAll(c);
    assert.equal(waitEvent(event), ws.WSA_WAIT_EVENT_0);
    assert.deepEqual(result(l.socket, ov), { ok: true, error: 0, bytes: 0 });
    closeAll(a, l.socket);
    ws.WSACloseEvent(event);
  });

  test('closing the accept socket: the event, ERROR_OPERATION_ABORTED; CancelIo(accept socket) does not cancel it', () => {
    const l = listener();
    const a = tcp();
    const event = ws.WSACreateEvent();
    const ov = fresh(event);
    assert.equal(ws.AcceptEx(l.socket, a, new Uint8Array(64), 0, 32, 32, null, ov), false);
    assert.equal(ws.CancelIo(a), true);
    assert.equal(waitEvent(event, 100), ws.WSA_WAIT_TIMEOUT);
    closeAll(a);
    assert.equal(waitEvent(event), ws.WSA_WAIT_EVENT_0);
    assert.equal(ov.Internal, ws.STATUS_CANCELLED);
    const r = result(l.socket, ov);
    assert.equal(r.ok, false);
    assert.equal(r.error, ws.WSA_OPERATION_ABORTED);
    closeAll(l.socket);
    ws.WSACloseEvent(event);
  });

  test('completion port: the listener\'s key, one packet (Wine sock.c test_completion_port)', () => {
    const l = listener();
    const a = tcp();
    const port = ws.CreateIoCompletionPort(l.socket, 0, 125, 0);
    ws.CreateIoCompletionPort(a, port, 236, 0);
    const ov = fresh();
    assert.equal(ws.AcceptEx(l.socket, a, new Uint8Array(64), 0, 32, 32, null, ov), false);
    assert.equal(ws.WSAGetLastError(), ws.ERROR_IO_PENDING);
    const c = connectTo(l.port);
    closeAll(c);
    const p = packet(port, 2000);
    assert.deepEqual([p.ok, p.bytes, p.key, p.overlapped === ov, ov.Internal], [true, 0, 125, true, 0]);
    assert.equal(packet(port, 50).ok, false);
    closeAll(a, l.socket);
    ws.CloseHandle(port);
  });

  test('FILE_SKIP_COMPLETION_PORT_ON_SUCCESS on the listener keeps the packet (it pended); hEvent | 1: the event, no packet (extension-functions.md §4.3, §4.4)', () => {
    const l = listener();
    const port = ws.CreateIoCompletionPort(l.socket, 0, 125, 0);
    assert.equal(ws.SetFileCompletionNotificationModes(l.socket, ws.FILE_SKIP_COMPLETION_PORT_ON_SUCCESS), true);
    const a = tcp();
    const ov = fresh();
    assert.equal(ws.AcceptEx(l.socket, a, new Uint8Array(64), 0, 32, 32, null, ov), false);
    const c = connectTo(l.port);
    const p = packet(port, 2000);
    assert.deepEqual([p.ok, p.bytes, p.key, p.overlapped === ov], [true, 0, 125, true]);
    const a2 = tcp();
    const event = ws.WSACreateEvent();
    const ov2 = fresh(event | 1);
    assert.equal(ws.AcceptEx(l.socket, a2, new Uint8Array(64), 0, 32, 32, null, ov2), false);
    const c2 = connectTo(l.port);
    assert.equal(waitEvent(event), ws.WSA_WAIT_EVENT_0);
    assert.equal(result(l.socket, ov2).ok, true);
    assert.equal(packet(port, 100).ok, false);
    closeAll(a, a2, c, c2, l.socket);
    ws.CloseHandle(port);
    ws.WSACloseEvent(event);
  });

  test('closing the listener: one packet, FALSE, ERROR_OPERATION_ABORTED, then none', () => {
    const l = listener();
    const a = tcp();
    const port = ws.CreateIoCompletionPort(l.socket, 0, 125, 0);
    const ov = fresh();
    assert.equal(ws.AcceptEx(l.socket, a, new Uint8Array(64), 0, 32, 32, null, ov), false);
    closeAll(l.socket);
    const p = packet(port, 2000);
    assert.deepEqual([p.ok, p.error, p.bytes, p.key, p.overlapped === ov, ov.Internal], [false, ws.ERROR_OPERATION_ABORTED, 0, 125, true, ws.STATUS_CANCELLED]);
    assert.equal(packet(port, 50).ok, false);
    // The accept socket is still a fresh socket afterwards.
    closeAll(a);
    ws.CloseHandle(port);
  });

  test('CancelIo(listener) cancels it: ERROR_OPERATION_ABORTED (extension-functions.md §5.3)', () => {
    const l = listener();
    const a = tcp();
    const event = ws.WSACreateEvent();
    const ov = fresh(event);
    assert.equal(ws.AcceptEx(l.socket, a, new Uint8Array(64), 0, 32, 32, null, ov), false);
    assert.equal(ws.CancelIo(l.socket), true);
    assert.equal(waitEvent(event), ws.WSA_WAIT_EVENT_0);
    assert.equal(result(l.socket, ov).error, ws.WSA_OPERATION_ABORTED);
    // The accept socket is free again for the next AcceptEx.
    assert.equal(ws.AcceptEx(l.socket, a, new Uint8Array(64), 0, 32, 32, null, fresh(event)), false);
    assert.equal(ws.WSAGetLastError(), ws.ERROR_IO_PENDING);
    closeAll(a, l.socket);
    ws.WSACloseEvent(event);
  });

  test('a pending AcceptEx takes the connection: WSAEnumNetworkEvents records no FD_ACCEPT (Wine sock.c test_accept_events)', () => {
    const l = listener();
    const a = tcp();
    const selectEvent = ws.WSACreateEvent();
    check(ws.WSAEventSelect(l.socket, selectEvent, ws.FD_ACCEPT), 'WSAEventSelect');
    const event = ws.WSACreateEvent();
    const ov = fresh(event);
    assert.equal(ws.AcceptEx(l.socket, a, new Uint8Array(64), 0, 32, 32, null, ov), false);
    const c = connectTo(l.port);
    assert.equal(waitEvent(event), ws.WSA_WAIT_EVENT_0);
    const events = ws.newWSANETWORKEVENTS();
    check(ws.WSAEnumNetworkEvents(l.socket, selectEvent, events), 'WSAEnumNetworkEvents');
    assert.equal(events.lNetworkEvents & ws.FD_ACCEPT, 0);
    closeAll(a, c, l.socket);
    ws.WSACloseEvent(event);
    ws.WSACloseEvent(selectEvent);
  });

  test('IPv6: the areas hold 28-byte addresses; SO_CONNECT_TIME is 0 once accepted (Wine sock.c test_connect_time)', (t) => {
    const probe = ws.socket(ws.AF_INET6, ws.SOCK_STREAM, ws.IPPROTO_TCP);
    const name6 = ws.sockaddr('::1', 0);
    const usable = probe !== ws.INVALID_SOCKET && ws.bind(probe, name6, name6.length) === 0;
    closeAll(probe);
    if (!usable) {
      t.skip('no IPv6 loopback here');
      return;
    }
    const l = listener('ipv6');
    const a = check(ws.socket(ws.AF_INET6, ws.SOCK_STREAM, ws.IPPROTO_TCP), 'socket');
    const event = ws.WSACreateEvent();
    const ov = fresh(event);
    const buf = new Uint8Array(2 * 44);
    // An area of 28 + 15 is too small for an IPv6 address; 28 + 16 fits.
    assert.equal(ws.AcceptEx(l.socket, a, buf, 0, 44, 44, null, ov), false);
    const c = check(ws.socket(ws.AF_INET6, ws.SOCK_STREAM, ws.IPPROTO_TCP), 'socket');
    const to = loopbackName('ipv6', l.port);
    check(ws.connect(c, to, to.length), 'connect');
    assert.equal(waitEvent(event), ws.WSA_WAIT_EVENT_0);
    assert.equal(result(l.socket, ov).ok, true);
    const remote: ws.Ref<Uint8Array | null> = { value: null };
    const remoteLen = { value: 0 };
    ws.GetAcceptExSockaddrs(buf, 0, 44, 44, { value: null }, { value: 0 }, remote, remoteLen);
    assert.equal(remoteLen.value, 28);
    assert.deepEqual(remote.value, localName(c, 'ipv6'));
    const seconds = new Uint8Array(4);
    check(ws.getsockopt(a, ws.SOL_SOCKET, ws.SO_CONNECT_TIME, seconds, { value: 4 }), 'SO_CONNECT_TIME');
    assert.equal(new DataView(seconds.buffer).getUint32(0, true), 0);
    closeAll(a, c, l.socket);
    ws.WSACloseEvent(event);
  });

  test('SO_UPDATE_ACCEPT_CONTEXT with another socket than the listener: WSAEINVAL; with a short value: WSAEFAULT', () => {
    const l = listener();
    const a = tcp();
    const event = ws.WSACreateEvent();
    const ov = fresh(event);
    assert.equal(ws.AcceptEx(l.socket, a, new Uint8Array(64), 0, 32, 32, null, ov), false);
    const c = connectTo(l.port);
    assert.equal(waitEvent(event), ws.WSA_WAIT_EVENT_0);
    assert.equal(ws.setsockopt(a, ws.SOL_SOCKET, ws.SO_UPDATE_ACCEPT_CONTEXT, listenerBytes(c), 8), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEINVAL);
    assert.equal(ws.setsockopt(a, ws.SOL_SOCKET, ws.SO_UPDATE_ACCEPT_CONTEXT, listenerBytes(l.socket), 4), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEFAULT);
    closeAll(a, c, l.socket);
    ws.WSACloseEvent(event);
  });
});

describe('ConnectEx (Wine sock.c test_connect, test_connect_completion_port, test_connecting_socket)', () => {
  test('call-time errors: unbound WSAEINVAL; no OVERLAPPED ERROR_INVALID_PARAMETER; a listener WSAEINVAL with Internal = STATUS_PENDING', () => {
    const l = listener();
    const { ConnectEx } = functions(l.socket);
    const to = loopbackName('ipv4', l.port);
    const s = tcp();
    assert.equal(ConnectEx(s, to, 16, null, 0, null, fresh()), false);
    assert.equal(ws.WSAGetLastError(), ws.WSAEINVAL);
    const b = bound();
    assert.equal(ConnectEx(b, to, 16, null, 0, null, null), false);
    assert.equal(ws.WSAGetLastError(), ws.ERROR_INVALID_PARAMETER);
    const ov = fresh();
    assert.equal(ConnectEx(l.socket, to, 16, null, 0, null, ov), false);
    assert.equal(ws.WSAGetLastError(), ws.WSAEINVAL);
    assert.equal(ov.Internal, ws.STATUS_PENDING);
    assert.equal(ov.InternalHigh, 0xdeadbeef);
    const notSocket = fresh();
    assert.equal(ConnectEx(ws.INVALID_SOCKET, to, 16, null, 0, null, notSocket), false);
    assert.equal(ws.WSAGetLastError(), ws.WSAENOTSOCK);
    assert.equal(notSocket.Internal, ws.STATUS_PENDING);
    assert.equal(ConnectEx(b, to, 8, null, 0, null, fresh()), false);
    assert.equal(ws.WSAGetLastError(), ws.WSAEFAULT);
    closeAll(s, b, l.socket);
  });

  test('with data: pends even on loopback, completes with 3 bytes; the server gets "123"; then connect WSAEINVAL, ConnectEx WSAEISCONN', () => {
    const l = listener();
    const s = bound();
    const event = ws.WSACreateEvent();
    const ov = fresh(event);
    const sent = { value: 0xdeadbeef };
    assert.equal(ws.ConnectEx(s, loopbackName('ipv4', l.port), 16, new TextEncoder().encode('123'), 3, sent, ov), false);
    assert.equal(ws.WSAGetLastError(), ws.ERROR_IO_PENDING);
    assert.equal(waitEvent(event), ws.WSA_WAIT_EVENT_0);
    assert.deepEqual(result(s, ov), { ok: true, error: 0, bytes: 3 });
    const server = ws.accept(l.socket, null, null);
    const got = new Uint8Array(8);
    assert.equal(ws.recv(server, got, 8, 0), 3);
    assert.equal(new TextDecoder().decode(got.subarray(0, 3)), '123');
    const to = loopbackName('ipv4', l.port);
    assert.equal(ws.connect(s, to, to.length), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEINVAL);
    const again = fresh();
    assert.equal(ws.ConnectEx(s, to, 16, null, 0, null, again), false);
    assert.equal(ws.WSAGetLastError(), ws.WSAEISCONN);
    assert.equal(again.Internal, ws.STATUS_PENDING);
    assert.equal(ws.setsockopt(s, ws.SOL_SOCKET, ws.SO_UPDATE_CONNECT_CONTEXT, null, 0), 0);
    const peer = new Uint8Array(16);
    assert.equal(ws.getpeername(s, peer, { value: 16 }), 0);
    assert.deepEqual(peer, localName(l.socket));
    assert.equal(ws.shutdown(s, ws.SD_BOTH), 0);
    closeAll(server, s, l.socket);
    ws.WSACloseEvent(event);
  });

  test('refused: pends, then ERROR_CONNECTION_REFUSED through the port and WSAECONNREFUSED through WSAGetOverlappedResult; the socket may try again', () => {
    const s = bound();
    const port = ws.CreateIoCompletionPort(s, 0, 7, 0);
    const ov = fresh();
    assert.equal(ws.ConnectEx(s, loopbackName('ipv4', 1), 16, null, 0, null, ov), false);
    assert.equal(ws.WSAGetLastError(), ws.ERROR_IO_PENDING);
    const p = packet(port, 2000);
    assert.deepEqual([p.ok, p.error, p.bytes, p.key, p.overlapped === ov], [false, ws.ERROR_CONNECTION_REFUSED, 0, 7, true]);
    const r = result(s, ov);
    assert.equal(r.ok, false);
    assert.equal(r.error, ws.WSAECONNREFUSED);
    const l = listener();
    const ov2 = fresh();
    assert.equal(ws.ConnectEx(s, loopbackName('ipv4', l.port), 16, null, 0, null, ov2), false);
    assert.equal(ws.WSAGetLastError(), ws.ERROR_IO_PENDING);
    const p2 = packet(port, 2000);
    assert.deepEqual([p2.ok, p2.bytes, p2.key], [true, 0, 7]);
    closeAll(s, l.socket);
    ws.CloseHandle(port);
  });

  test('FILE_SKIP_COMPLETION_PORT_ON_SUCCESS does not drop its packet; hEvent | 1 does (the event is still set)', () => {
    const l = listener();
    const s = bound();
    const port = ws.CreateIoCompletionPort(s, 0, 0, 0);
    assert.equal(ws.SetFileCompletionNotificationModes(s, ws.FILE_SKIP_COMPLETION_PORT_ON_SUCCESS), true);
    const ov = fresh();
    assert.equal(ws.ConnectEx(s, loopbackName('ipv4', l.port), 16, null, 0, null, ov), false);
    assert.equal(ws.WSAGetLastError(), ws.ERROR_IO_PENDING);
    const p = packet(port, 2000);
    assert.deepEqual([p.ok, p.bytes, p.key, p.overlapped === ov], [true, 0, 0, true]);

    const s2 = bound();
    ws.CreateIoCompletionPort(s2, port, 0, 0);
    const event = ws.WSACreateEvent();
    const ov2 = fresh(event | 1);
    assert.equal(ws.ConnectEx(s2, loopbackName('ipv4', l.port), 16, null, 0, null, ov2), false);
    assert.equal(waitEvent(event), ws.WSA_WAIT_EVENT_0);
    assert.equal(result(s2, ov2).ok, true);
    assert.equal(packet(port, 100).ok, false);
    closeAll(s, s2, l.socket);
    ws.CloseHandle(port);
    ws.WSACloseEvent(event);
  });
});

describe('ConnectEx in progress (Wine sock.c test_connecting_socket)', () => {
  test('the accept socket of a pending AcceptEx: WSAEINVAL (extension-functions.md §6.1)', () => {
    const l = listener();
    const a = tcp();
    assert.equal(ws.AcceptEx(l.socket, a, new Uint8Array(64), 0, 32, 32, null, fresh()), false);
    assert.equal(ws.ConnectEx(a, loopbackName('ipv4', l.port), 16, null, 0, null, fresh()), false);
    assert.equal(ws.WSAGetLastError(), ws.WSAEINVAL);
    closeAll(a, l.socket);
  });

  test('pending (a peer that never answers, in a namespace): getpeername WSAENOTCONN, getsockname a port, connect and ConnectEx WSAEINVAL; closesocket cancels it', { skip: netnsSkip() }, () => {
    const setup = [
      'ip link set lo up', 'ip link add va type veth peer name vb', 'ip addr add 192.0.2.1/24 dev va', 'ip link set va up', 'ip link set vb up',
    ];
    const seen = lastJson(runInNetns(setup, script('connecting-child.js')));
    assert.deepEqual(seen, {
      started: false, startError: 'WSA_IO_PENDING', stillPending: true, peer: 'WSAENOTCONN', sockname: 'ok, a port', recv: 'WSAENOTCONN',
      connect: 'WSAEINVAL', again: 'WSAEINVAL', ended: 'STATUS_CANCELLED',
    });
  });
});

describe('DisconnectEx (Wine sock.c test_DisconnectEx, test_shutdown_completion_port)', () => {
  test('not connected: WSAENOTCONN; bad flags or reserved: WSAEINVAL', () => {
    const s = tcp();
    const { DisconnectEx } = functions(s);
    assert.equal(DisconnectEx(s, fresh(), 0, 0), false);
    assert.equal(ws.WSAGetLastError(), ws.WSAENOTCONN);
    const { client, server } = tcpPair();
    assert.equal(DisconnectEx(client, null, ws.TF_DISCONNECT, 0), false);
    assert.equal(ws.WSAGetLastError(), ws.WSAEINVAL);
    assert.equal(DisconnectEx(client, null, 0, 1), false);
    assert.equal(ws.WSAGetLastError(), ws.WSAEINVAL);
    assert.equal(DisconnectEx(ws.INVALID_SOCKET, null, 0, 0), false);
    assert.equal(ws.WSAGetLastError(), ws.WSAENOTSOCK);
    closeAll(s, client, server);
  });

  test('overlapped: always pends, then 0 bytes; a half close: send WSAESHUTDOWN, the peer reads end of file and can still send; connect WSAEISCONN', () => {
    const { client, server } = tcpPair();
    const event = ws.WSACreateEvent();
    const ov = fresh(event);
    assert.equal(ws.DisconnectEx(client, ov, 0, 0), false);
    assert.equal(ws.WSAGetLastError(), ws.ERROR_IO_PENDING);
    assert.equal(waitEvent(event), ws.WSA_WAIT_EVENT_0);
    assert.deepEqual(result(client, ov), { ok: true, error: 0, bytes: 0 });
    assert.equal(ws.send(client, new Uint8Array(4), 4, 0), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAESHUTDOWN);
    const got = new Uint8Array(8);
    assert.equal(ws.recv(server, got, 8, 0), 0);
    assert.equal(ws.send(server, new TextEncoder().encode('test\0'), 5, 0), 5);
    assert.equal(ws.recv(client, got, 8, 0), 5);
    const to = localName(server);
    assert.equal(ws.connect(client, to, to.length), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEISCONN);
    closeAll(client, server);
    ws.WSACloseEvent(event);
  });

  test('without an OVERLAPPED: TRUE twice, last error 0, no packet; with skip-on-success a pended one still queues its packet', () => {
    const { client, server } = tcpPair();
    const port = ws.CreateIoCompletionPort(client, 0, 9, 0);
    ws.WSASetLastError(0xdead);
    assert.equal(ws.DisconnectEx(client, null, 0, 0), true);
    assert.equal(ws.DisconnectEx(client, null, 0, 0), true);
    assert.equal(packet(port, 50).ok, false);
    assert.equal(ws.SetFileCompletionNotificationModes(client, ws.FILE_SKIP_COMPLETION_PORT_ON_SUCCESS), true);
    const ov = fresh();
    assert.equal(ws.DisconnectEx(client, ov, 0, 0), false);
    assert.equal(ws.WSAGetLastError(), ws.ERROR_IO_PENDING);
    const p = packet(port, 2000);
    assert.deepEqual([p.ok, p.bytes, p.key, p.overlapped === ov], [true, 0, 9, true]);
    closeAll(client, server);
    ws.CloseHandle(port);
  });

  test('hEvent | 1: the event is set, no packet (Wine sock.c test_shutdown_completion_port)', () => {
    const { client, server } = tcpPair();
    const port = ws.CreateIoCompletionPort(client, 0, 9, 0);
    const event = ws.WSACreateEvent();
    const ov = fresh(event | 1);
    assert.equal(ws.DisconnectEx(client, ov, 0, 0), false);
    assert.equal(ws.WSAGetLastError(), ws.ERROR_IO_PENDING);
    assert.equal(waitEvent(event), ws.WSA_WAIT_EVENT_0);
    assert.equal(result(client, ov).ok, true);
    assert.equal(packet(port, 100).ok, false);
    closeAll(client, server);
    ws.CloseHandle(port);
    ws.WSACloseEvent(event);
  });

  test('TF_REUSE_SOCKET: completes once the peer closed; the accepted socket goes to AcceptEx again, the client to ConnectEx again', () => {
    const l = listener();
    const a = tcp();
    const event = ws.WSACreateEvent();
    const ov = fresh(event);
    assert.equal(ws.AcceptEx(l.socket, a, new Uint8Array(64), 0, 32, 32, null, ov), false);
    const c = bound();
    const cov = fresh();
    const cEvent = ws.WSACreateEvent();
    cov.hEvent = cEvent;
    assert.equal(ws.ConnectEx(c, loopbackName('ipv4', l.port), 16, null, 0, null, cov), false);
    assert.equal(waitEvent(event), ws.WSA_WAIT_EVENT_0);
    assert.equal(waitEvent(cEvent), ws.WSA_WAIT_EVENT_0);
    assert.equal(ws.setsockopt(c, ws.SOL_SOCKET, ws.SO_UPDATE_CONNECT_CONTEXT, null, 0), 0);

    // The server side disconnects for reuse; it completes once the client closed its side too.
    const dov = fresh(ws.WSACreateEvent());
    assert.equal(ws.DisconnectEx(a, dov, ws.TF_REUSE_SOCKET, 0), false);
    assert.equal(ws.WSAGetLastError(), ws.ERROR_IO_PENDING);
    assert.equal(waitEvent(dov.hEvent, 100), ws.WSA_WAIT_TIMEOUT);
    assert.equal(ws.DisconnectEx(c, null, ws.TF_REUSE_SOCKET, 0), true);
    assert.equal(waitEvent(dov.hEvent), ws.WSA_WAIT_EVENT_0);
    assert.deepEqual(result(a, dov), { ok: true, error: 0, bytes: 0 });

    // Both sockets again: the accept socket takes the next connection, the client makes it.
    const ov2 = fresh(event);
    ws.WSAResetEvent(event);
    assert.equal(ws.AcceptEx(l.socket, a, new Uint8Array(64), 0, 32, 32, null, ov2), false);
    assert.equal(ws.WSAGetLastError(), ws.ERROR_IO_PENDING);
    const cov2 = fresh(cEvent);
    assert.equal(ws.ConnectEx(c, loopbackName('ipv4', l.port), 16, new Uint8Array([7]), 1, null, cov2), false);
    assert.equal(ws.WSAGetLastError(), ws.ERROR_IO_PENDING);
    assert.equal(waitEvent(event), ws.WSA_WAIT_EVENT_0);
    assert.equal(waitEvent(cEvent), ws.WSA_WAIT_EVENT_0);
    assert.deepEqual(result(c, cov2), { ok: true, error: 0, bytes: 1 });
    const got = new Uint8Array(4);
    sleepSync(10);
    assert.equal(ws.recv(a, got, 4, 0), 1);
    assert.equal(got[0], 7);
    closeAll(a, c, l.socket);
    ws.WSACloseEvent(event);
    ws.WSACloseEvent(cEvent);
    ws.WSACloseEvent(dov.hEvent);
  });
});
