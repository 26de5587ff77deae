/**
 * WSAAsyncSelect (message mode) on real loopback sockets, rule by rule, as Windows does it. Each
 * rule is a message-mode check of Wine's dlls/ws2_32/tests/sock.c (test_events runs every
 * test_*_events function once with an event and once with a "Message" window whose parent is
 * HWND_MESSAGE); a check that is todo_wine only in message mode is still what Windows does. The
 * Wine function is named in each test; the facts are also in remaining-codes.md §4.1. Every wait
 * is bounded.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as ws from 'wsaioctl/winsock';
import { check, closeAll, tcpPair, listener, loopbackName, startup, cleanup } from './helpers/sockets.js';
import { WM_SOCKET, asyncSelect, messageWindow, nextMessage, posted, reply } from './helpers/async-select.js';

const ALL = ws.FD_ACCEPT | ws.FD_CLOSE | ws.FD_CONNECT | ws.FD_OOB | ws.FD_READ | ws.FD_WRITE;
const ALL_BUT_WRITE = ALL & ~ws.FD_WRITE;
const LISTENER_EVENTS = ws.FD_CONNECT | ws.FD_READ | ws.FD_OOB | ws.FD_ACCEPT;
const NONE_MS = 100;

let hwnd = 0;
before(() => {
  startup();
  hwnd = messageWindow();
});
after(() => {
  ws.DestroyWindow(hwnd);
  cleanup();
});

function connectTo(port: number): number {
  const c = check(ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP), 'socket');
  check(ws.connect(c, loopbackName('ipv4', port), 16), 'connect');
  return c;
}

/** close_with_rst: SO_LINGER on with 0 seconds, then closesocket. */
function closeWithReset(s: number): void {
  const linger = new Uint8Array(4);
  new DataView(linger.buffer).setUint16(0, 1, true);
  check(ws.setsockopt(s, ws.SOL_SOCKET, ws.SO_LINGER, linger, 4), 'SO_LINGER');
  check(ws.closesocket(s), 'closesocket');
}

describe('WSAAsyncSelect: the call', () => {
  test('a window that does not exist: WSAEINVAL; a bad socket: WSAENOTSOCK (WSAAsyncSelect page)', () => {
    const { client, server } = tcpPair();
    assert.equal(ws.WSAAsyncSelect(server, 0x7ffff000, WM_SOCKET, ws.FD_READ), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEINVAL);
    // A NULL or destroyed window is an open question (remaining-codes.md §7, question 5): not asserted.
    assert.equal(ws.WSAAsyncSelect(0x7ffff000, hwnd, WM_SOCKET, ws.FD_READ), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAENOTSOCK);
    closeAll(client, server);
  });

  test('the socket becomes non-blocking, even with lEvent 0; FIONBIO(0) fails with WSAEINVAL while a mask is selected (WSAAsyncSelect page; winsock-ioctls FIONBIO)', () => {
    const { client, server } = tcpPair();
    asyncSelect(server, hwnd, 0);
    const buf = new Uint8Array(4);
    assert.equal(ws.recv(server, buf, 4, 0), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEWOULDBLOCK, 'lEvent 0 still made it non-blocking');
    assert.equal(ws.ioctlsocket(server, ws.FIONBIO, { value: 0 }), 0, 'no mask: back to blocking is allowed');
    asyncSelect(server, hwnd, ws.FD_READ);
    assert.equal(ws.ioctlsocket(server, ws.FIONBIO, { value: 0 }), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEINVAL);
    assert.equal(ws.recv(server, buf, 4, 0), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEWOULDBLOCK);
    asyncSelect(server, hwnd, 0);
    assert.equal(ws.ioctlsocket(server, ws.FIONBIO, { value: 0 }), 0, 'cleared with WSAAsyncSelect(s, hWnd, 0, 0)');
    closeAll(client, server);
  });

  test('one message per event: wParam the socket, lParam WSAMAKESELECTREPLY(event, error), read back with WSAGETSELECTEVENT / WSAGETSELECTERROR (winsock2.h)', () => {
    assert.equal(ws.WSAMAKESELECTREPLY(ws.FD_CLOSE, ws.WSAECONNABORTED), (ws.WSAECONNABORTED << 16) | ws.FD_CLOSE);
    assert.equal(ws.WSAGETSELECTEVENT(reply(ws.FD_CLOSE, ws.WSAECONNABORTED)), ws.FD_CLOSE);
    assert.equal(ws.WSAGETSELECTERROR(reply(ws.FD_CLOSE, ws.WSAECONNABORTED)), ws.WSAECONNABORTED);
    const l = listener();
    asyncSelect(l.socket, hwnd, ALL);
    const client = check(ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP), 'socket');
    asyncSelect(client, hwnd, ALL);
    assert.equal(ws.connect(client, loopbackName('ipv4', l.port), 16), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEWOULDBLOCK, 'a selected socket is non-blocking');
    // FD_CONNECT and FD_WRITE together: two messages, FD_CONNECT first (test_connect_events); the
    // listener's FD_ACCEPT comes on its own.
    const seen: Array<[number, number]> = [];
    for (let i = 0; i < 3; i++) {
      const m = nextMessage(hwnd, 500);
      if (m) seen.push([m.wParam, m.lParam]);
    }
    assert.deepEqual(seen.filter(([w]) => w === client).map(([, l]) => l), [ws.FD_CONNECT, ws.FD_WRITE]);
    assert.deepEqual(seen.filter(([w]) => w === l.socket).map(([, l]) => l), [ws.FD_ACCEPT]);
    assert.equal(nextMessage(hwnd, NONE_MS), null);
    closeAll(client, l.socket);
  });

  test('WSAAsyncSelect cancels WSAEventSelect, and WSAEventSelect cancels WSAAsyncSelect (WSAAsyncSelect / WSAEventSelect pages)', () => {
    const { client, server } = tcpPair();
    const event = ws.WSACreateEvent();
    assert.equal(ws.WSAEventSelect(server, event, ws.FD_READ), 0);
    asyncSelect(server, hwnd, ws.FD_READ);
    assert.equal(ws.send(client, Uint8Array.of(1), 1, 0), 1);
    assert.deepEqual(posted(hwnd, server, 1), [ws.FD_READ]);
    assert.equal(ws.WSAWaitForMultipleEvents(1, [event], false, 0, false), ws.WSA_WAIT_TIMEOUT, 'the event object is no longer signalled');
    assert.equal(ws.WSAEventSelect(server, event, ws.FD_READ), 0);
    assert.equal(ws.recv(server, new Uint8Array(4), 4, 0), 1);
    assert.equal(ws.send(client, Uint8Array.of(2), 1, 0), 1);
    assert.equal(ws.WSAWaitForMultipleEvents(1, [event], false, 500, false), ws.WSA_WAIT_EVENT_0, 'event mode records the new data');
    assert.deepEqual(posted(hwnd, server, 0, NONE_MS), [], 'no message once WSAEventSelect took over');
    ws.WSACloseEvent(event);
    closeAll(client, server);
  });

  test('lEvent 0 stops the posting; messages already queued stay, also after closesocket (WSAAsyncSelect page)', () => {
    const { client, server } = tcpPair();
    asyncSelect(server, hwnd, ws.FD_READ);
    assert.equal(ws.send(client, Uint8Array.of(1), 1, 0), 1);
    assert.ok(ws.MsgWaitForMultipleObjectsEx(0, null, 500, ws.QS_POSTMESSAGE, 0) === ws.WAIT_OBJECT_0);
    asyncSelect(server, hwnd, 0);
    check(ws.closesocket(server), 'closesocket');
    const m = nextMessage(hwnd, 0);
    assert.ok(m, 'the FD_READ posted before is still queued');
    assert.equal(m.wParam, server);
    assert.equal(m.lParam, ws.FD_READ);
    closeAll(client);
  });

  test('one (hWnd, wMsg) per socket: a second call with another message leaves only the second (WSAAsyncSelect page)', () => {
    const { client, server } = tcpPair();
    asyncSelect(server, hwnd, ws.FD_READ, WM_SOCKET + 1);
    asyncSelect(server, hwnd, ws.FD_READ, WM_SOCKET);
    assert.equal(ws.send(client, Uint8Array.of(1), 1, 0), 1);
    assert.deepEqual(posted(hwnd, server, 1), [ws.FD_READ]);
    assert.equal(nextMessage(hwnd, 0, WM_SOCKET + 1), null);
    closeAll(client, server);
  });
});

describe('WSAAsyncSelect: FD_ACCEPT (Wine sock.c test_accept_events, message mode)', () => {
  test('posted once per re-enabling accept while a connection waits; re-selecting posts it again; a second connection posts nothing new', () => {
    const l = check(ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP), 'socket');
    asyncSelect(l, hwnd, LISTENER_EVENTS);
    check(ws.bind(l, loopbackName('ipv4', 0), 16), 'bind');
    check(ws.listen(l, 2), 'listen');
    const name = new Uint8Array(16);
    check(ws.getsockname(l, name, { value: 16 }), 'getsockname');
    const port = new DataView(name.buffer).getUint16(2, false);
    assert.deepEqual(posted(hwnd, l, 0, NONE_MS), []);
    const client = connectTo(port);
    assert.deepEqual(posted(hwnd, l, 1), [ws.FD_ACCEPT]);
    asyncSelect(l, hwnd, LISTENER_EVENTS);
    assert.deepEqual(posted(hwnd, l, 1), [ws.FD_ACCEPT], 're-selecting with the same mask posts again');
    asyncSelect(l, hwnd, 0);
    asyncSelect(l, hwnd, LISTENER_EVENTS);
    assert.deepEqual(posted(hwnd, l, 1), [ws.FD_ACCEPT], 'and so does 0 then the mask');
    const client2 = connectTo(port);
    assert.deepEqual(posted(hwnd, l, 0, NONE_MS), [], 'no new message while FD_ACCEPT is unconsumed');
    let server = check(ws.accept(l, null, null), 'accept');
    closeAll(server);
    assert.deepEqual(posted(hwnd, l, 1), [ws.FD_ACCEPT], 'accept re-enables; another connection waits (level-triggered)');
    server = check(ws.accept(l, null, null), 'accept');
    closeAll(server);
    assert.deepEqual(posted(hwnd, l, 0, NONE_MS), []);
    closeAll(client2, client, l);
  });

  test('connect then select: FD_ACCEPT; accept before selecting: nothing', () => {
    const l = listener('ipv4', 2);
    let client = connectTo(l.port);
    asyncSelect(l.socket, hwnd, LISTENER_EVENTS);
    assert.deepEqual(posted(hwnd, l.socket, 1), [ws.FD_ACCEPT]);
    closeAll(check(ws.accept(l.socket, null, null), 'accept'), client);
    asyncSelect(l.socket, hwnd, ws.FD_CONNECT | ws.FD_READ | ws.FD_OOB);
    client = connectTo(l.port);
    asyncSelect(l.socket, hwnd, LISTENER_EVENTS);
    assert.deepEqual(posted(hwnd, l.socket, 1), [ws.FD_ACCEPT], 'a subset without FD_ACCEPT first');
    closeAll(check(ws.accept(l.socket, null, null), 'accept'), client);
    asyncSelect(l.socket, hwnd, ws.FD_CONNECT | ws.FD_READ | ws.FD_OOB);
    client = connectTo(l.port);
    const server = check(ws.accept(l.socket, null, null), 'accept');
    asyncSelect(l.socket, hwnd, LISTENER_EVENTS);
    assert.deepEqual(posted(hwnd, l.socket, 0, NONE_MS), [], 'accepted before the selection');
    closeAll(server, client, l.socket);
  });

  test('the accepted socket inherits the selection: FD_WRITE with wParam the accepted socket', () => {
    const l = listener('ipv4', 2);
    const client = connectTo(l.port);
    asyncSelect(l.socket, hwnd, LISTENER_EVENTS | ws.FD_WRITE);
    assert.deepEqual(posted(hwnd, l.socket, 1), [ws.FD_ACCEPT]);
    const server = check(ws.accept(l.socket, null, null), 'accept');
    assert.deepEqual(posted(hwnd, server, 1), [ws.FD_WRITE]);
    assert.equal(ws.ioctlsocket(server, ws.FIONBIO, { value: 0 }), ws.SOCKET_ERROR, 'inherited: FIONBIO(0) refused');
    assert.equal(ws.WSAGetLastError(), ws.WSAEINVAL);
    closeAll(server, client, l.socket);
  });
});

describe('WSAAsyncSelect: FD_CONNECT and FD_WRITE (Wine sock.c test_connect_events / test_write_events, message mode)', () => {
  test('a selection after the connection exists posts FD_WRITE, never FD_CONNECT', () => {
    const l = listener('ipv4', 2);
    const client = check(ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP), 'socket');
    asyncSelect(client, hwnd, ALL);
    assert.deepEqual(posted(hwnd, client, 0, NONE_MS), []);
    ws.connect(client, loopbackName('ipv4', l.port), 16);
    assert.deepEqual(posted(hwnd, client, 2), [ws.FD_CONNECT, ws.FD_WRITE]);
    asyncSelect(client, hwnd, 0);
    asyncSelect(client, hwnd, ALL);
    assert.deepEqual(posted(hwnd, client, 1), [ws.FD_WRITE]);
    const server = check(ws.accept(l.socket, null, null), 'accept');
    asyncSelect(server, hwnd, ws.FD_ACCEPT | ws.FD_CONNECT | ws.FD_OOB | ws.FD_READ | ws.FD_WRITE);
    assert.deepEqual(posted(hwnd, server, 1), [ws.FD_WRITE]);
    closeAll(client, server);
    // Connect (blocking), then select: FD_WRITE only.
    const c2 = connectTo(l.port);
    const s2 = check(ws.accept(l.socket, null, null), 'accept');
    assert.equal(ws.send(c2, new Uint8Array(5), 5, 0), 5);
    asyncSelect(c2, hwnd, ALL);
    assert.deepEqual(posted(hwnd, c2, 1), [ws.FD_WRITE]);
    closeAll(c2, s2);
    // A subset without FD_CONNECT while connecting, then with it: FD_WRITE, not FD_CONNECT.
    const c3 = check(ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP), 'socket');
    asyncSelect(c3, hwnd, ALL & ~ws.FD_CONNECT);
    ws.connect(c3, loopbackName('ipv4', l.port), 16);
    const s3 = check(ws.accept(l.socket, null, null), 'accept');
    assert.deepEqual(posted(hwnd, c3, 1), [ws.FD_WRITE]);
    asyncSelect(c3, hwnd, ws.FD_ACCEPT | ws.FD_CONNECT | ws.FD_OOB | ws.FD_READ | ws.FD_WRITE);
    assert.deepEqual(posted(hwnd, c3, 1), [ws.FD_WRITE]);
    closeAll(c3, s3, l.socket);
  });

  test('UDP: FD_WRITE at once, even unbound; connect posts FD_WRITE again, no FD_CONNECT', () => {
    const client = check(ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP), 'socket');
    const server = check(ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP), 'socket');
    asyncSelect(client, hwnd, ws.FD_ACCEPT | ws.FD_CONNECT | ws.FD_OOB | ws.FD_READ | ws.FD_WRITE);
    assert.deepEqual(posted(hwnd, client, 1), [ws.FD_WRITE]);
    check(ws.bind(server, loopbackName('ipv4', 0), 16), 'bind');
    const name = new Uint8Array(16);
    check(ws.getsockname(server, name, { value: 16 }), 'getsockname');
    check(ws.connect(client, name, 16), 'connect');
    assert.deepEqual(posted(hwnd, client, 1), [ws.FD_WRITE]);
    closeAll(client, server);
  });

  test('FD_WRITE: posted at selection; a send does not post it; after WSAEWOULDBLOCK, once space is back; re-selecting posts it', () => {
    const { client, server } = tcpPair();
    check(ws.ioctlsocket(client, ws.FIONBIO, { value: 1 }), 'FIONBIO');
    asyncSelect(server, hwnd, ALL);
    assert.deepEqual(posted(hwnd, server, 1), [ws.FD_WRITE]);
    asyncSelect(server, hwnd, ALL);
    assert.deepEqual(posted(hwnd, server, 1), [ws.FD_WRITE]);
    assert.equal(ws.send(server, new Uint8Array(5), 5, 0), 5);
    assert.deepEqual(posted(hwnd, server, 0, NONE_MS), []);
    const chunk = new Uint8Array(1 << 20);
    let filled = false;
    for (let i = 0; i < 256 && !filled; i++) {
      if (ws.send(server, chunk, chunk.length, 0) === ws.SOCKET_ERROR) {
        assert.equal(ws.WSAGetLastError(), ws.WSAEWOULDBLOCK);
        filled = true;
      }
    }
    assert.ok(filled, 'the send buffer filled up');
    for (let i = 0; i < 4096 && ws.recv(client, chunk, chunk.length, 0) > 0; i++) { /* drain */ }
    assert.deepEqual(posted(hwnd, server, 1, 2000), [ws.FD_WRITE]);
    closeAll(client, server);
  });
});

describe('WSAAsyncSelect: FD_READ and FD_OOB (Wine sock.c test_read_events / test_oob_events, message mode)', () => {
  test('level-triggered FD_READ: re-posted by each recv that leaves data, also by a recv that fails on its buffer; none for new data before a recv', () => {
    const { client, server } = tcpPair();
    asyncSelect(server, hwnd, ALL_BUT_WRITE);
    assert.deepEqual(posted(hwnd, server, 0, NONE_MS), []);
    assert.equal(ws.send(client, new Uint8Array(5), 5, 0), 5);
    assert.deepEqual(posted(hwnd, server, 1), [ws.FD_READ]);
    asyncSelect(server, hwnd, ALL_BUT_WRITE);
    assert.deepEqual(posted(hwnd, server, 1), [ws.FD_READ], 're-selecting posts the data again');
    asyncSelect(server, hwnd, 0);
    asyncSelect(server, hwnd, ALL_BUT_WRITE);
    assert.deepEqual(posted(hwnd, server, 1), [ws.FD_READ]);
    assert.equal(ws.send(client, new Uint8Array(5), 5, 0), 5);
    assert.deepEqual(posted(hwnd, server, 0, NONE_MS), [], 'more data while FD_READ is unconsumed: nothing new');
    const buf = new Uint8Array(8);
    assert.equal(ws.recv(server, buf, 2, 0), 2);
    assert.deepEqual(posted(hwnd, server, 1), [ws.FD_READ]);
    assert.equal(ws.recv(server, buf, -1, 0), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEFAULT);
    assert.deepEqual(posted(hwnd, server, 1), [ws.FD_READ], 'the failed recv re-enabled it');
    for (let i = 0; i < 8; i++) {
      assert.equal(ws.recv(server, buf, 1, 0), 1);
      assert.deepEqual(posted(hwnd, server, i < 7 ? 1 : 0, i < 7 ? 500 : NONE_MS), i < 7 ? [ws.FD_READ] : [], `after byte ${i + 1} of 8`);
    }
    closeAll(client, server);
  });

  test('data sent while not selected is posted by the next selection; a pending overlapped WSARecv takes the data without FD_READ', () => {
    const { client, server } = tcpPair();
    const buf = new Uint8Array(8);
    asyncSelect(server, hwnd, 0);
    assert.equal(ws.send(client, new Uint8Array(5), 5, 0), 5);
    asyncSelect(server, hwnd, ALL_BUT_WRITE);
    assert.deepEqual(posted(hwnd, server, 1), [ws.FD_READ]);
    assert.equal(ws.recv(server, buf, 5, 0), 5);
    assert.deepEqual(posted(hwnd, server, 0, NONE_MS), []);
    const event = ws.WSACreateEvent();
    const ov = new ws.WSAOVERLAPPED(event);
    const flags = { value: 0 };
    assert.equal(ws.WSARecv(server, [{ len: 1, buf }], 1, null, flags, ov, null), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSA_IO_PENDING);
    assert.equal(ws.send(client, Uint8Array.of(7), 1, 0), 1);
    assert.equal(ws.WaitForSingleObjectEx(event, 1000, false), ws.WAIT_OBJECT_0);
    assert.deepEqual(posted(hwnd, server, 0, NONE_MS), [], 'the pending receive took it');
    assert.equal(ws.send(client, Uint8Array.of(8), 1, 0), 1);
    assert.deepEqual(posted(hwnd, server, 1), [ws.FD_READ]);
    ws.WSACloseEvent(event);
    closeAll(client, server);
  });

  test('FD_OOB: posted for urgent data, again on re-selection, again after it was read when more is urgent', () => {
    const { client, server } = tcpPair();
    asyncSelect(server, hwnd, ALL_BUT_WRITE);
    assert.equal(ws.send(client, Uint8Array.of(0x61), 1, ws.MSG_OOB), 1);
    assert.deepEqual(posted(hwnd, server, 1), [ws.FD_OOB]);
    asyncSelect(server, hwnd, ALL_BUT_WRITE);
    assert.deepEqual(posted(hwnd, server, 1), [ws.FD_OOB]);
    asyncSelect(server, hwnd, 0);
    asyncSelect(server, hwnd, ALL_BUT_WRITE);
    assert.deepEqual(posted(hwnd, server, 1), [ws.FD_OOB]);
    assert.equal(ws.recv(server, new Uint8Array(1), 1, ws.MSG_OOB), 1);
    assert.deepEqual(posted(hwnd, server, 0, NONE_MS), [], 'nothing urgent left');
    closeAll(client, server);
  });
});

describe('WSAAsyncSelect: FD_CLOSE (Wine sock.c test_close_events, message mode)', () => {
  test('the peer closing posts FD_CLOSE (error 0), again on each re-selection; a recv of the end posts nothing', () => {
    const { client, server } = tcpPair();
    asyncSelect(server, hwnd, ALL_BUT_WRITE);
    check(ws.closesocket(client), 'closesocket');
    assert.deepEqual(posted(hwnd, server, 1, 1000), [ws.FD_CLOSE]);
    asyncSelect(server, hwnd, ALL_BUT_WRITE);
    assert.deepEqual(posted(hwnd, server, 1), [ws.FD_CLOSE]);
    asyncSelect(server, hwnd, 0);
    asyncSelect(server, hwnd, ALL_BUT_WRITE);
    assert.deepEqual(posted(hwnd, server, 1), [ws.FD_CLOSE]);
    assert.equal(ws.recv(server, new Uint8Array(5), 5, 0), 0);
    assert.deepEqual(posted(hwnd, server, 0, NONE_MS), []);
    closeAll(server);
  });

  test('shutdown(SD_SEND) by the peer posts FD_CLOSE; no local or receive-side shutdown does', () => {
    let { client, server } = tcpPair();
    asyncSelect(server, hwnd, ALL_BUT_WRITE);
    check(ws.shutdown(client, ws.SD_SEND), 'shutdown');
    assert.deepEqual(posted(hwnd, server, 1, 1000), [ws.FD_CLOSE]);
    closeAll(client, server);
    ({ client, server } = tcpPair());
    asyncSelect(server, hwnd, ALL_BUT_WRITE);
    check(ws.shutdown(client, ws.SD_RECEIVE), 'shutdown');
    check(ws.shutdown(server, ws.SD_BOTH), 'shutdown');
    assert.deepEqual(posted(hwnd, server, 0, 200), []);
    closeAll(client, server);
  });

  test('data then close: FD_READ, then FD_CLOSE at once with data still unread; close before the selection: FD_CLOSE', () => {
    let { client, server } = tcpPair();
    asyncSelect(server, hwnd, ALL_BUT_WRITE);
    assert.equal(ws.send(client, new Uint8Array(5), 5, 0), 5);
    assert.deepEqual(posted(hwnd, server, 1), [ws.FD_READ]);
    check(ws.closesocket(client), 'closesocket');
    assert.deepEqual(posted(hwnd, server, 1), [ws.FD_CLOSE]);
    const buf = new Uint8Array(5);
    assert.equal(ws.recv(server, buf, 3, 0), 3);
    assert.deepEqual(posted(hwnd, server, 1), [ws.FD_READ]);
    closeAll(server);
    ({ client, server } = tcpPair());
    check(ws.closesocket(client), 'closesocket');
    ws.SleepEx(50, false);
    asyncSelect(server, hwnd, ALL_BUT_WRITE);
    assert.deepEqual(posted(hwnd, server, 1), [ws.FD_CLOSE]);
    closeAll(server);
  });

  test('a reset posts FD_CLOSE with WSAECONNABORTED in the high word, again on re-selection', () => {
    const { client, server } = tcpPair();
    asyncSelect(server, hwnd, ALL_BUT_WRITE);
    closeWithReset(client);
    const aborted = reply(ws.FD_CLOSE, ws.WSAECONNABORTED);
    assert.deepEqual(posted(hwnd, server, 1), [aborted]);
    asyncSelect(server, hwnd, ALL_BUT_WRITE);
    assert.deepEqual(posted(hwnd, server, 1), [aborted]);
    asyncSelect(server, hwnd, 0);
    asyncSelect(server, hwnd, ALL_BUT_WRITE);
    assert.deepEqual(posted(hwnd, server, 1), [aborted]);
    closeAll(server);
  });
});

describe('WSAAsyncSelect: delivery to a window procedure', () => {
  test('GetMessageW / DispatchMessageW call the class procedure with (hwnd, wMsg, socket, lParam) and return its result', () => {
    const calls: number[][] = [];
    const atom = ws.RegisterClassExW({
      cbSize: ws.WNDCLASSEXW_SIZE, lpszClassName: 'wsaioctl-async-select-test',
      lpfnWndProc: (h, m, w, l) => {
        if (m === WM_SOCKET) calls.push([h, m, w, l]);
        return m === WM_SOCKET ? 42 : ws.DefWindowProcW(h, m, w, l);
      },
    });
    assert.ok(atom > 0);
    const win = ws.CreateWindowExW(0, 'wsaioctl-async-select-test', null, 0, 0, 0, 0, 0, ws.HWND_MESSAGE, 0, 0, null);
    assert.ok(win > 0);
    const { client, server } = tcpPair();
    asyncSelect(server, win, ws.FD_READ | ws.FD_CLOSE);
    assert.equal(ws.send(client, Uint8Array.of(1, 2, 3), 3, 0), 3);
    assert.equal(ws.MsgWaitForMultipleObjectsEx(0, null, 1000, ws.QS_POSTMESSAGE, 0), ws.WAIT_OBJECT_0);
    const msg = ws.newMSG();
    assert.equal(ws.GetMessageW(msg, win, 0, 0), 1);
    assert.equal(ws.TranslateMessage(msg), false);
    assert.equal(ws.DispatchMessageW(msg), 42);
    assert.deepEqual(calls, [[win, WM_SOCKET, server, ws.FD_READ]]);
    assert.equal(ws.WSAGETSELECTEVENT(msg.lParam), ws.FD_READ);
    assert.equal(ws.WSAGETSELECTERROR(msg.lParam), 0);
    closeAll(client, server);
    assert.equal(ws.DestroyWindow(win), true);
    assert.equal(ws.UnregisterClassW('wsaioctl-async-select-test', 0), true);
  });
});
