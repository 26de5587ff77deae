/**
 * The data path on the emulation: WSARecv / WSARecvFrom / WSASend / WSASendTo in every calling
 * mode, on real loopback sockets. Each rule cites its source: Wine's dlls/ws2_32/tests/sock.c
 * (function named), ReactOS' apitests/ws2_32/WSARecv.c, or extension-functions.md (the fact sheet).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as ws from 'wsaioctl/winsock';
import { startup, cleanup, check, closeAll, tcpPair, udpPair, setIntOption } from './helpers/sockets.js';
import { packet } from './helpers/completion.js';

before(startup);
after(cleanup);

const bufs = (...sizes: number[]): ws.WSABUF[] => sizes.map((len) => ({ len, buf: new Uint8Array(len) }));
const text = (s: string): ws.WSABUF[] => [{ len: s.length, buf: new TextEncoder().encode(s) }];
const str = (b: Uint8Array, n = b.length): string => new TextDecoder().decode(b.subarray(0, n));

function sendText(s: number, t: string): void {
  const n = { value: 0 };
  assert.equal(ws.WSASend(s, text(t), 1, n, 0, null, null), 0);
  assert.equal(n.value, t.length);
}

function fresh(hEvent = 0): ws.WSAOVERLAPPED {
  const ov = new ws.WSAOVERLAPPED(hEvent);
  ov.Internal = 0xdeadbeef;
  ov.InternalHigh = 0xdeadbeef;
  return ov;
}

const fionread = (s: number): number => {
  const v = { value: 0 };
  check(ws.ioctlsocket(s, ws.FIONREAD, v), 'FIONREAD');
  return v.value;
};

describe('non-overlapped calls', () => {
  test('scatter: 9 bytes fill "dead" then "beefs" (Wine sock.c test_WSARecv)', () => {
    const { client, server } = tcpPair();
    sendText(client, 'deadbeefs');
    const list = bufs(4, 5);
    const n = { value: 0 };
    const flags = { value: 0 };
    assert.equal(ws.WSARecv(server, list, 2, n, flags, null, null), 0);
    assert.equal(n.value, 9);
    assert.equal(str(list[0]!.buf!), 'dead');
    assert.equal(str(list[1]!.buf!), 'beefs');
    closeAll(client, server);
  });

  test('gather: two WSABUFs go out as one stream in order (Wine sock.c test_WSASendTo)', () => {
    const { client, server } = tcpPair();
    const n = { value: 0 };
    assert.equal(ws.WSASend(client, [...text('abc'), ...text('defg')], 2, n, 0, null, null), 0);
    assert.equal(n.value, 7);
    const b = new Uint8Array(16);
    assert.equal(ws.recv(server, b, 16, 0), 7);
    assert.equal(str(b, 7), 'abcdefg');
    closeAll(client, server);
  });

  test('non-blocking with nothing queued: WSAEWOULDBLOCK, count untouched (Wine sock.c test_nonblocking_async_recv)', () => {
    const { client, server } = tcpPair();
    check(ws.ioctlsocket(server, ws.FIONBIO, { value: 1 }), 'FIONBIO');
    const n = { value: 0xdeadbeef };
    assert.equal(ws.WSARecv(server, bufs(8), 1, n, { value: 0 }, null, null), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEWOULDBLOCK);
    assert.equal(n.value, 0xdeadbeef);
    closeAll(client, server);
  });

  test('blocking with SO_RCVTIMEO: WSAETIMEDOUT, count untouched (Wine sock.c test_timeout)', () => {
    const { client, server } = tcpPair();
    setIntOption(server, ws.SOL_SOCKET, ws.SO_RCVTIMEO, 50);
    const n = { value: 0xdeadbeef };
    assert.equal(ws.WSARecv(server, bufs(8), 1, n, { value: 0 }, null, null), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAETIMEDOUT);
    assert.equal(n.value, 0xdeadbeef);
    closeAll(client, server);
  });

  test('no buffers: WSAEINVAL; a NULL byte count without overlapped: WSAEFAULT; a bad socket first: WSAENOTSOCK (Wine sock.c test_empty_recv, test_WSASendTo)', () => {
    const { client, server } = tcpPair();
    assert.equal(ws.WSARecv(server, null, 0, { value: 0 }, { value: 0 }, null, null), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEINVAL);
    assert.equal(ws.WSARecv(server, bufs(4), 0, { value: 0 }, { value: 0 }, null, null), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEINVAL);
    assert.equal(ws.WSASend(client, text('x'), 1, null, 0, null, null), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEFAULT);
    assert.equal(ws.WSASendTo(ws.INVALID_SOCKET, text('x'), 1, null, 0, null, 0, null, null), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAENOTSOCK);
    closeAll(client, server);
  });

  test('bad input: a count beyond the list, len beyond buf, a non-callable routine: WSAEFAULT, nothing consumed (docs/principles.md, principle 2)', () => {
    const { client, server } = tcpPair();
    sendText(client, 'keep');
    const cases: Array<[unknown[], string]> = [
      [[bufs(4), 2, { value: 0 }, { value: 0 }, null, null], 'count > list'],
      [[[{ len: 9, buf: new Uint8Array(4) }], 1, { value: 0 }, { value: 0 }, null, null], 'len > buf'],
      [[bufs(4), 1, { value: 0 }, null, null, null], 'lpFlags NULL'],
      [[bufs(4), 1, { value: 0 }, { value: 0 }, new ws.WSAOVERLAPPED(), 42], 'routine not callable'],
      [[bufs(4), 1, Object.freeze({ value: 0 }), { value: 0 }, null, null], 'frozen count'],
    ];
    for (const [args, what] of cases) {
      const rc = (ws.WSARecv as (...a: unknown[]) => number)(server, ...args);
      assert.equal(rc, ws.SOCKET_ERROR, what);
      assert.equal(ws.WSAGetLastError(), ws.WSAEFAULT, what);
    }
    assert.ok(fionread(server) === 4 || fionread(server) === 0, 'nothing but the kernel changed FIONREAD');
    const b = new Uint8Array(8);
    for (let i = 0; i < 100 && ws.recv(server, b, 8, ws.MSG_PEEK) < 4; i++) { /* the 4 bytes arrive */ }
    assert.equal(ws.recv(server, b, 8, 0), 4, 'no bad call consumed data');
    closeAll(client, server);
  });

  test('datagram truncation: buffers filled, rest discarded, WSAEMSGSIZE (fact sheet §12, Wine sock.c test_ip_pktinfo)', () => {
    const { receiver, sender, receiverName } = udpPair();
    assert.equal(ws.WSASendTo(sender, text('0123456789'), 1, { value: 0 }, 0, receiverName, receiverName.length, null, null), 0);
    assert.equal(ws.WSASendTo(sender, text('ab'), 1, { value: 0 }, 0, receiverName, receiverName.length, null, null), 0);
    const list = bufs(4);
    const n = { value: 0 };
    const from = new Uint8Array(16);
    const fromlen = { value: 16 };
    assert.equal(ws.WSARecvFrom(receiver, list, 1, n, { value: 0 }, from, fromlen, null, null), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEMSGSIZE);
    assert.equal(n.value, 4);
    assert.equal(str(list[0]!.buf!), '0123');
    assert.equal(fromlen.value, 16);
    const next = bufs(8);
    assert.equal(ws.WSARecvFrom(receiver, next, 1, n, { value: 0 }, null, null, null, null), 0);
    assert.equal(str(next[0]!.buf!, n.value), 'ab', 'the rest of the first datagram is gone');
    closeAll(receiver, sender);
  });

  test('WSASendTo binds an unbound socket and succeeds with last error 0 (Wine sock.c test_WSASendTo)', () => {
    const { receiver, sender, receiverName } = udpPair();
    const s = check(ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP), 'socket');
    ws.SetLastError(0xdead);
    const n = { value: 0 };
    assert.equal(ws.WSASendTo(s, text('hi'), 1, n, 0, receiverName, receiverName.length, null, null), 0);
    assert.equal(ws.WSAGetLastError(), 0);
    assert.equal(n.value, 2);
    const name = new Uint8Array(16);
    assert.equal(ws.getsockname(s, name, { value: 16 }), 0);
    assert.notEqual(ws.parseSockaddr(name).port, 0);
    closeAll(s, receiver, sender);
  });

  test('a routine without a WSAOVERLAPPED: the call runs plainly, the routine never runs (ReactOS WSARecv.c Test_WSARecv)', () => {
    const { client, server } = tcpPair();
    sendText(client, 'abc');
    let ran = 0;
    const n = { value: 0 };
    assert.equal(ws.WSARecv(server, bufs(8), 1, n, { value: 0 }, null, () => { ran++; }), 0);
    assert.equal(ws.WSAGetLastError(), 0);
    assert.equal(ws.SleepEx(0, true), 0);
    assert.equal(ran, 0);
    closeAll(client, server);
  });
});

describe('overlapped calls', () => {
  test('data queued: returns 0 with the count and still queues a packet; last error unchanged (Wine sock.c test_completion_port)', () => {
    const { client, server } = tcpPair();
    const port = ws.CreateIoCompletionPort(server, 0, 125, 0);
    sendText(client, 'hello');
    assert.ok(waitFor(() => fionread(server) === 5));
    const ov = fresh();
    const n = { value: 0 };
    ws.SetLastError(0xdead);
    assert.equal(ws.WSARecv(server, bufs(1024), 1, n, { value: 0 }, ov, null), 0);
    assert.equal(ws.GetLastError(), 0xdead);
    assert.equal(n.value, 5);
    const p = packet(port);
    assert.equal(p.ok, true);
    assert.equal(p.bytes, 5);
    assert.equal(p.key, 125);
    assert.equal(p.overlapped, ov);
    ws.CloseHandle(port);
    closeAll(client, server);
  });

  test('nothing queued: SOCKET_ERROR + WSA_IO_PENDING, count untouched, Internal STATUS_PENDING; data then completes it (Wine sock.c iocp_async_read)', () => {
    const { client, server } = tcpPair();
    const port = ws.CreateIoCompletionPort(server, 0, 0x12345678, 0);
    const ov = fresh();
    const list = bufs(32);
    const n = { value: 0xdeadbeef };
    assert.equal(ws.WSARecv(server, list, 1, n, { value: 0 }, ov, null), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSA_IO_PENDING);
    assert.equal(ov.Internal, ws.STATUS_PENDING);
    assert.equal(ov.InternalHigh, 0xdeadbeef);
    assert.equal(packet(port).ok, false, 'no packet yet');
    sendText(client, 'twelve bytes');
    const p = packet(port, 2000);
    assert.equal(p.ok, true);
    assert.equal(p.bytes, 12);
    assert.equal(p.key, 0x12345678);
    assert.equal(p.overlapped, ov);
    assert.equal(ov.Internal, 0);
    assert.equal(ov.InternalHigh, 12);
    assert.equal(n.value, 0xdeadbeef, 'the byte count of a call that pended is never written');
    assert.equal(str(list[0]!.buf!, 12), 'twelve bytes', 'written into the caller\'s buffer at completion');
    ws.CloseHandle(port);
    closeAll(client, server);
  });

  test('two pending receives of 16 bytes take a 32-byte send in issue order (Wine sock.c test_simultaneous_async_recv)', () => {
    const { client, server } = tcpPair();
    const e1 = ws.WSACreateEvent();
    const e2 = ws.WSACreateEvent();
    const a = bufs(16);
    const b = bufs(16);
    const ov1 = fresh(e1);
    const ov2 = fresh(e2);
    assert.equal(ws.WSARecv(server, a, 1, null, { value: 0 }, ov1, null), ws.SOCKET_ERROR);
    assert.equal(ws.WSARecv(server, b, 1, null, { value: 0 }, ov2, null), ws.SOCKET_ERROR);
    sendText(client, 'AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBB');
    assert.equal(ws.WSAWaitForMultipleEvents(2, [e1, e2], true, 2000, false), ws.WSA_WAIT_EVENT_0);
    assert.equal(str(a[0]!.buf!), 'A'.repeat(16));
    assert.equal(str(b[0]!.buf!), 'B'.repeat(16));
    ws.WSACloseEvent(e1);
    ws.WSACloseEvent(e2);
    closeAll(client, server);
  });

  test('a zero-length receive pends, completes with 0 bytes when data arrives, and takes none (Wine sock.c test_empty_recv)', () => {
    const { client, server } = tcpPair();
    const event = ws.WSACreateEvent();
    const ov = fresh(event);
    assert.equal(ws.WSARecv(server, [{ len: 0, buf: null }], 1, null, { value: 0 }, ov, null), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSA_IO_PENDING);
    sendText(client, 'hello');
    assert.equal(ws.WSAWaitForMultipleEvents(1, [event], true, 2000, false), ws.WSA_WAIT_EVENT_0);
    const n = { value: 0xbad };
    assert.equal(ws.WSAGetOverlappedResult(server, ov, n, false, { value: 0 }), true);
    assert.equal(n.value, 0);
    assert.equal(fionread(server), 5, 'the data is still there');
    // Issued with data present: 0 at once, 0 bytes.
    const now = { value: 0xbad };
    assert.equal(ws.WSARecv(server, [{ len: 0, buf: null }], 1, now, { value: 0 }, fresh(), null), 0);
    assert.equal(now.value, 0);
    ws.WSACloseEvent(event);
    closeAll(client, server);
  });

  test('FIONREAD counts what a pending receive has not taken; MSG_PEEK overlapped does not consume (fact sheet §12, ReactOS Test_WSARecv)', () => {
    const { client, server } = tcpPair();
    sendText(client, 'peek');
    assert.ok(waitFor(() => fionread(server) === 4));
    const list = bufs(8);
    const n = { value: 0 };
    assert.equal(ws.WSARecv(server, list, 1, n, { value: ws.MSG_PEEK }, fresh(), null), 0);
    assert.equal(n.value, 4);
    assert.equal(fionread(server), 4);
    closeAll(client, server);
  });

  test('a completion routine runs only in an alertable wait of the issuing thread; hEvent is not signalled (Wine sock.c test_WSARecv)', () => {
    const { client, server } = tcpPair();
    const event = ws.WSACreateEvent();
    const ov = fresh(event);
    const calls: Array<[number, number, ws.WSAOVERLAPPED, number]> = [];
    assert.equal(ws.WSARecv(server, bufs(16), 1, null, { value: 0 }, ov, (e, n, o, f) => { calls.push([e, n, o, f]); }), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSA_IO_PENDING);
    sendText(client, 'routine');
    assert.ok(waitFor(() => fionread(server) === 0 || calls.length > 0 || ov.Internal === 0, () => ws.SleepEx(0, false)));
    assert.equal(calls.length, 0, 'not run by a non-alertable wait');
    assert.equal(ws.SleepEx(1000, true), ws.WAIT_IO_COMPLETION);
    assert.deepEqual(calls, [[0, 7, ov, 0]]);
    assert.equal(ws.WSAWaitForMultipleEvents(1, [event], true, 0, false), ws.WSA_WAIT_TIMEOUT);
    ws.WSACloseEvent(event);
    closeAll(client, server);
  });

  test('a routine on a socket associated with a port: WSAEINVAL, never called (Wine sock.c test_WSARecv)', () => {
    const { client, server } = tcpPair();
    const port = ws.CreateIoCompletionPort(server, 0, 1, 0);
    let ran = 0;
    assert.equal(ws.WSARecv(server, bufs(8), 1, null, { value: 0 }, fresh(), () => { ran++; }), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEINVAL);
    ws.SleepEx(0, true);
    assert.equal(ran, 0);
    ws.CloseHandle(port);
    closeAll(client, server);
  });

  test('non-blocking overlapped socket: the overlapped call pends, never WSAEWOULDBLOCK (Wine sock.c test_nonblocking_async_recv)', () => {
    const { client, server } = tcpPair();
    check(ws.ioctlsocket(server, ws.FIONBIO, { value: 1 }), 'FIONBIO');
    const ov = fresh();
    assert.equal(ws.WSARecv(server, bufs(8), 1, null, { value: 0 }, ov, null), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSA_IO_PENDING);
    assert.equal(ov.Internal, ws.STATUS_PENDING);
    assert.equal(ov.InternalHigh, 0xdeadbeef);
    closeAll(client, server);
    assert.equal(ov.Internal, ws.STATUS_CONNECTION_ABORTED);
  });

  test('graceful close: a pending receive completes with 0 bytes; a new one returns 0 at once and still queues a packet (fact sheet §12, Wine sock.c test_completion_port)', () => {
    const { client, server } = tcpPair();
    const port = ws.CreateIoCompletionPort(server, 0, 7, 0);
    const ov = fresh();
    assert.equal(ws.WSARecv(server, bufs(8), 1, null, { value: 0 }, ov, null), ws.SOCKET_ERROR);
    closeAll(client);
    const p = packet(port, 2000);
    assert.equal(p.ok, true);
    assert.equal(p.bytes, 0);
    const n = { value: 0xbad };
    assert.equal(ws.WSARecv(server, bufs(8), 1, n, { value: 0 }, fresh(), null), 0);
    assert.equal(n.value, 0);
    assert.equal(packet(port, 0).ok, true, 'the immediate 0-byte completion queues a packet');
    ws.CloseHandle(port);
    closeAll(server);
  });

  test('RST: the pending receive completes FALSE + ERROR_NETNAME_DELETED, 0 bytes; the next one fails at once with WSAECONNRESET, no packet (Wine sock.c test_tcp_reset, test_completion_port)', () => {
    const { client, server } = tcpPair();
    const port = ws.CreateIoCompletionPort(server, 0, 9, 0);
    const ov = fresh();
    assert.equal(ws.WSARecv(server, bufs(8), 1, null, { value: 0 }, ov, null), ws.SOCKET_ERROR);
    // Closing a socket with unread data sends an RST (RFC 2525 §2.17; Linux tcp_close).
    sendText(server, 'unread');
    assert.ok(waitFor(() => fionread(client) === 6));
    closeAll(client);
    const p = packet(port, 2000);
    assert.equal(p.ok, false);
    assert.equal(p.error, ws.ERROR_NETNAME_DELETED);
    assert.equal(p.bytes, 0);
    assert.equal(p.overlapped, ov);
    assert.equal(ws.WSARecv(server, bufs(8), 1, { value: 0 }, { value: 0 }, fresh(), null), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAECONNRESET);
    assert.equal(packet(port, 0).ok, false, 'an immediate failure queues nothing');
    ws.CloseHandle(port);
    closeAll(server);
  });

  test('closesocket with a receive pending: packet FALSE + ERROR_CONNECTION_ABORTED, 0 bytes (Wine sock.c iocp_async_read_closesocket)', () => {
    const { client, server } = tcpPair();
    const port = ws.CreateIoCompletionPort(server, 0, 3, 0);
    const ov = fresh();
    assert.equal(ws.WSARecv(server, bufs(8), 1, null, { value: 0 }, ov, null), ws.SOCKET_ERROR);
    closeAll(server);
    const p = packet(port, 0);
    assert.equal(p.ok, false);
    assert.equal(p.error, ws.ERROR_CONNECTION_ABORTED);
    assert.equal(p.bytes, 0);
    assert.equal(p.key, 3);
    ws.CloseHandle(port);
    closeAll(client);
  });

  test('CancelIoEx cancels one receive among several; the others still take data in order (fact sheet §4.11)', () => {
    const { client, server } = tcpPair();
    const event = ws.WSACreateEvent();
    const ovs = [fresh(), fresh(), fresh(event)];
    const lists = [bufs(4), bufs(4), bufs(4)];
    ovs.forEach((ov, i) => assert.equal(ws.WSARecv(server, lists[i]!, 1, null, { value: 0 }, ov, null), ws.SOCKET_ERROR));
    assert.equal(ws.CancelIoEx(server, ovs[1]!), true);
    assert.equal(ovs[1]!.Internal, ws.STATUS_CANCELLED);
    sendText(client, 'AAAABBBB');
    assert.equal(ws.WSAWaitForMultipleEvents(1, [event], true, 2000, false), ws.WSA_WAIT_EVENT_0);
    assert.equal(str(lists[0]![0]!.buf!), 'AAAA');
    assert.equal(str(lists[2]![0]!.buf!), 'BBBB');
    const n = { value: 0 };
    assert.equal(ws.WSAGetOverlappedResult(server, ovs[1]!, n, false, { value: 0 }), false);
    assert.equal(ws.WSAGetLastError(), ws.WSA_OPERATION_ABORTED);
    ws.WSACloseEvent(event);
    closeAll(client, server);
  });

  test('FILE_SKIP_COMPLETION_PORT_ON_SUCCESS: an immediate success queues no packet, a pended one does; the flags cannot be cleared (fact sheet §4.3, Wine sock.c test_connect_completion_port)', () => {
    const { client, server } = tcpPair();
    const port = ws.CreateIoCompletionPort(server, 0, 5, 0);
    assert.equal(ws.SetFileCompletionNotificationModes(server, ws.FILE_SKIP_COMPLETION_PORT_ON_SUCCESS), true);
    assert.equal(ws.SetFileCompletionNotificationModes(server, 0), true);
    sendText(client, 'now');
    assert.ok(waitFor(() => fionread(server) === 3));
    assert.equal(ws.WSARecv(server, bufs(8), 1, { value: 0 }, { value: 0 }, fresh(), null), 0);
    assert.equal(packet(port, 0).ok, false, 'still skipped after Flags 0');
    const ov = fresh();
    assert.equal(ws.WSARecv(server, bufs(8), 1, null, { value: 0 }, ov, null), ws.SOCKET_ERROR);
    sendText(client, 'later');
    const p = packet(port, 2000);
    assert.equal(p.ok, true);
    assert.equal(p.overlapped, ov);
    assert.equal(ws.SetFileCompletionNotificationModes(server, 0x100), false);
    assert.equal(ws.GetLastError(), ws.ERROR_INVALID_PARAMETER);
    assert.equal(ws.SetFileCompletionNotificationModes(0x7777, 1), false);
    assert.equal(ws.GetLastError(), ws.ERROR_INVALID_HANDLE);
    ws.CloseHandle(port);
    closeAll(client, server);
  });

  test('overlapped datagram truncation pends and completes STATUS_BUFFER_OVERFLOW with the buffer\'s bytes; WSAGetOverlappedResult FALSE + WSAEMSGSIZE (Wine sock.c test_ip_pktinfo)', () => {
    const { receiver, sender, receiverName } = udpPair();
    const event = ws.WSACreateEvent();
    const ov = fresh(event);
    const flags = { value: 0x55 };
    assert.equal(ws.WSARecvFrom(receiver, bufs(4), 1, null, { value: 0 }, null, null, ov, null), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSA_IO_PENDING);
    assert.equal(ws.WSASendTo(sender, text('HELLO!'), 1, { value: 0 }, 0, receiverName, receiverName.length, null, null), 0);
    assert.equal(ws.WSAWaitForMultipleEvents(1, [event], true, 2000, false), ws.WSA_WAIT_EVENT_0);
    assert.equal(ov.Internal, ws.STATUS_BUFFER_OVERFLOW);
    assert.equal(ov.InternalHigh, 4);
    const n = { value: 0 };
    assert.equal(ws.WSAGetOverlappedResult(receiver, ov, n, false, flags), false);
    assert.equal(ws.WSAGetLastError(), ws.WSAEMSGSIZE);
    assert.equal(n.value, 4);
    assert.equal(flags.value, 0x55, 'lpdwFlags untouched on failure');
    ws.WSACloseEvent(event);
    closeAll(receiver, sender);
  });

  test('WSAGetOverlappedResult reports MSG_OOB for an urgent-data receive (fact sheet §12)', () => {
    const { client, server } = tcpPair();
    const event = ws.WSACreateEvent();
    const ov = fresh(event);
    assert.equal(ws.WSARecv(server, bufs(1), 1, null, { value: ws.MSG_OOB }, ov, null), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSA_IO_PENDING);
    assert.equal(ws.send(client, Uint8Array.of(0x21), 1, ws.MSG_OOB), 1);
    assert.equal(ws.WSAWaitForMultipleEvents(1, [event], true, 2000, false), ws.WSA_WAIT_EVENT_0);
    const flags = { value: 0 };
    const n = { value: 0 };
    assert.equal(ws.WSAGetOverlappedResult(server, ov, n, false, flags), true);
    assert.equal(n.value, 1);
    assert.equal(flags.value, ws.MSG_OOB);
    ws.WSACloseEvent(event);
    closeAll(client, server);
  });

  test('sends fill the socket buffers, pend, and complete in issue order once the peer reads (fact sheet §12 / §16.6)', () => {
    const { client, server } = tcpPair();
    setIntOption(client, ws.SOL_SOCKET, ws.SO_SNDBUF, 4096);
    setIntOption(server, ws.SOL_SOCKET, ws.SO_RCVBUF, 4096);
    const port = ws.CreateIoCompletionPort(client, 0, 11, 0);
    const chunk = 64 * 1024;
    const ovs: ws.WSAOVERLAPPED[] = [];
    let pended = 0;
    for (let i = 0; i < 64 && pended < 3; i++) {
      const ov = fresh();
      const data = new Uint8Array(chunk).fill(i & 0xff);
      const rc = ws.WSASend(client, [{ len: chunk, buf: data }], 1, null, 0, ov, null);
      if (rc === ws.SOCKET_ERROR) {
        assert.equal(ws.WSAGetLastError(), ws.WSA_IO_PENDING);
        pended++;
      }
      ovs.push(ov);
    }
    assert.ok(pended >= 1, 'a send pended once the buffers were full');
    const sink = new Uint8Array(65536);
    const order: ws.WSAOVERLAPPED[] = [];
    let received = 0;
    const expected = ovs.length * chunk;
    for (let i = 0; i < 100000 && (order.length < ovs.length || received < expected); i++) {
      const n = ws.recv(server, sink, sink.length, 0);
      if (n > 0) received += n;
      const p = packet(client === 0 ? 0 : port, 0);
      if (p.overlapped) {
        assert.equal(p.ok, true);
        assert.equal(p.bytes, chunk);
        order.push(p.overlapped);
      }
      if (n <= 0 && !p.overlapped) ws.SleepEx(1, false);
    }
    assert.equal(received, expected);
    assert.deepEqual(order, ovs, 'completions in issue order');
    ws.CloseHandle(port);
    closeAll(client, server);
  });
});

/** Repeat `condition` with short waits (servicing the reactor with `between`), bounded. */
function waitFor(condition: () => boolean, between: () => unknown = () => ws.SleepEx(5, false)): boolean {
  for (let i = 0; i < 400; i++) {
    if (condition()) return true;
    between();
  }
  return condition();
}

describe('with WSAEventSelect', () => {
  test('a pending receive takes the data: no FD_READ is recorded (Wine sock.c test_read_events; fact sheet §4.15)', () => {
    const { client, server } = tcpPair();
    const selectEvent = ws.WSACreateEvent();
    const opEvent = ws.WSACreateEvent();
    check(ws.WSAEventSelect(server, selectEvent, ws.FD_READ), 'WSAEventSelect');
    const ov = new ws.WSAOVERLAPPED(opEvent);
    assert.equal(ws.WSARecv(server, bufs(16), 1, null, { value: 0 }, ov, null), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSA_IO_PENDING);
    sendText(client, 'data');
    assert.equal(ws.WSAWaitForMultipleEvents(1, [opEvent], true, 2000, false), ws.WSA_WAIT_EVENT_0);
    const events = ws.newWSANETWORKEVENTS();
    check(ws.WSAEnumNetworkEvents(server, selectEvent, events), 'WSAEnumNetworkEvents');
    assert.equal(events.lNetworkEvents & ws.FD_READ, 0);
    ws.WSACloseEvent(selectEvent);
    ws.WSACloseEvent(opEvent);
    closeAll(client, server);
  });

  test('WSARecv re-enables FD_READ as recv does (WSAEventSelect reference page)', () => {
    const { client, server } = tcpPair();
    const selectEvent = ws.WSACreateEvent();
    check(ws.WSAEventSelect(server, selectEvent, ws.FD_READ), 'WSAEventSelect');
    sendText(client, 'ab');
    assert.equal(ws.WSAWaitForMultipleEvents(1, [selectEvent], true, 2000, false), ws.WSA_WAIT_EVENT_0);
    const events = ws.newWSANETWORKEVENTS();
    check(ws.WSAEnumNetworkEvents(server, selectEvent, events), 'WSAEnumNetworkEvents');
    assert.equal(events.lNetworkEvents & ws.FD_READ, ws.FD_READ);
    const one = bufs(1);
    assert.equal(ws.WSARecv(server, one, 1, { value: 0 }, { value: 0 }, null, null), 0);
    // One byte is left: re-enabled by WSARecv, FD_READ comes again.
    assert.equal(ws.WSAWaitForMultipleEvents(1, [selectEvent], true, 2000, false), ws.WSA_WAIT_EVENT_0);
    check(ws.WSAEnumNetworkEvents(server, selectEvent, events), 'WSAEnumNetworkEvents');
    assert.equal(events.lNetworkEvents & ws.FD_READ, ws.FD_READ);
    ws.WSACloseEvent(selectEvent);
    closeAll(client, server);
  });
});
