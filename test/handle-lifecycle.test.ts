/**
 * SOCKET handle lifecycle on the Linux emulation, as Windows defines it: a closed handle is dead
 * for every function (WSAENOTSOCK), closing twice is WSAENOTSOCK and never touches a socket that
 * reused the host fd, overlapped requests still pending at close complete exactly once with
 * WSA_OPERATION_ABORTED (event, completion routine, completion port), handle values are not
 * reused soon, and create / query / close cycles leave the fd count flat. Loopback only; every
 * loop is bounded in count.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import * as ws from 'wsaioctl/winsock';
import { startup, cleanup, closeAll, tcpPair, udpPair, check, ioctl, sleepSync } from './helpers/sockets.js';

const openFds = (): number => readdirSync('/proc/self/fd').length;

/** The host fd numbers this process has open (for "the fd was reused" checks). */
const fdSet = (): Set<number> => new Set(readdirSync('/proc/self/fd').map(Number));

before(startup);
after(cleanup);

describe('use after close', () => {
  test('every socket function on a closed handle fails with WSAENOTSOCK', () => {
    const { client, server } = tcpPair();
    closeAll(client);
    const out = new Uint8Array(16);
    const r = ioctl(client, ws.FIONREAD, null, 0, out, 4);
    assert.equal(r.rc, ws.SOCKET_ERROR);
    assert.equal(r.error, ws.WSAENOTSOCK, 'WSAIoctl');
    const calls: Array<[string, () => number]> = [
      ['ioctlsocket', () => ws.ioctlsocket(client, ws.FIONBIO, { value: 1 })],
      ['getsockopt', () => ws.getsockopt(client, ws.SOL_SOCKET, ws.SO_TYPE, out, { value: 4 })],
      ['setsockopt', () => ws.setsockopt(client, ws.SOL_SOCKET, ws.SO_KEEPALIVE, Uint8Array.of(1, 0, 0, 0), 4)],
      ['send', () => ws.send(client, Uint8Array.of(1), 1, 0)],
      ['recv', () => ws.recv(client, out, 1, 0)],
      ['bind', () => ws.bind(client, ws.sockaddr('127.0.0.1', 0), 16)],
      ['listen', () => ws.listen(client, 1)],
      ['connect', () => ws.connect(client, ws.sockaddr('127.0.0.1', 9), 16)],
      ['shutdown', () => ws.shutdown(client, ws.SD_BOTH)],
      ['getsockname', () => ws.getsockname(client, out, { value: 16 })],
      ['getpeername', () => ws.getpeername(client, out, { value: 16 })],
    ];
    for (const [name, call] of calls) {
      ws.WSASetLastError(0);
      assert.equal(call(), ws.SOCKET_ERROR, name);
      assert.equal(ws.WSAGetLastError(), ws.WSAENOTSOCK, name);
    }
    ws.WSASetLastError(0);
    assert.equal(ws.accept(client, null, null), ws.INVALID_SOCKET, 'accept');
    assert.equal(ws.WSAGetLastError(), ws.WSAENOTSOCK, 'accept');
    closeAll(server);
  });

  test('a closed handle stays dead when a new socket gets the same host fd', () => {
    const before = fdSet();
    const old = check(ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP), 'socket');
    const oldFd = [...fdSet()].find((fd) => !before.has(fd));
    closeAll(old);
    const fresh = check(ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP), 'socket');
    try {
      // Linux hands out the lowest free fd: the new socket very likely sits on the old one's fd.
      if (oldFd !== undefined) assert.ok(fdSet().has(oldFd));
      assert.notEqual(fresh, old, 'a new handle value, although the fd may be the same');
      assert.equal(ioctl(old, ws.FIONREAD, null, 0, new Uint8Array(4), 4).error, ws.WSAENOTSOCK);
      assert.equal(ioctl(fresh, ws.FIONREAD, null, 0, new Uint8Array(4), 4).rc, 0);
    } finally {
      closeAll(fresh);
    }
  });
});

describe('double close', () => {
  test('the second closesocket fails with WSAENOTSOCK', () => {
    const s = check(ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP), 'socket');
    assert.equal(ws.closesocket(s), 0);
    ws.WSASetLastError(0);
    assert.equal(ws.closesocket(s), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAENOTSOCK);
  });

  test('closing a dead handle again does not close the socket that reused its fd', () => {
    const { receiver, sender, receiverName } = udpPair();
    closeAll(receiver);
    // The next socket most likely gets the receiver's old fd.
    const again = check(ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP), 'socket');
    try {
      check(ws.bind(again, ws.sockaddr('127.0.0.1', 0), 16), 'bind');
      assert.equal(ws.closesocket(receiver), ws.SOCKET_ERROR);
      assert.equal(ws.WSAGetLastError(), ws.WSAENOTSOCK);
      const name = new Uint8Array(16);
      check(ws.getsockname(again, name, { value: 16 }), 'getsockname');
      check(ws.sendto(sender, Uint8Array.of(7), 1, 0, name, 16), 'sendto');
      const got = new Uint8Array(4);
      ws.ioctlsocket(again, ws.FIONBIO, { value: 1 });
      let n = -1;
      for (let i = 0; i < 200 && n < 0; i++) {
        n = ws.recv(again, got, 4, 0);
        if (n < 0) sleepSync(5);
      }
      assert.equal(n, 1, 'the socket on the reused fd still works');
      assert.equal(got[0], 7);
      assert.ok(receiverName.length > 0);
    } finally {
      closeAll(again, sender);
    }
  });

  test('closesocket on values that never were sockets: WSAENOTSOCK', () => {
    for (const h of [0, 1, 2, 3, 4, 0x100 - 4, 0x7ffffffc, -2, 1.5, Number.NaN]) {
      ws.WSASetLastError(0);
      assert.equal(ws.closesocket(h), ws.SOCKET_ERROR, `handle ${h}`);
      assert.equal(ws.WSAGetLastError(), ws.WSAENOTSOCK, `handle ${h}`);
    }
  });
});

/** Why the overlapped tests cannot run on this backend, or false. */
function overlappedMissingReason(): string | false {
  // A backend without the overlapped part answers with WSA_INVALID_EVENT and ERROR_NOT_SUPPORTED.
  startup();
  try {
    const event = ws.WSACreateEvent();
    if (event === ws.WSA_INVALID_EVENT) return `this backend has no overlapped API (WSACreateEvent: error ${ws.GetLastError()})`;
    ws.WSACloseEvent(event);
    return false;
  } finally {
    cleanup();
  }
}
const overlappedMissing = overlappedMissingReason();

const WSA_WAIT_EVENT_0 = 0;
const WSA_WAIT_TIMEOUT = 258;

describe('close with requests pending', () => {
  test('each pending overlapped request completes exactly once with WSA_OPERATION_ABORTED', { skip: overlappedMissing }, () => {
    const bytes = { value: 0 };
    const pending = (s: number, code: number, o: ws.WSAOVERLAPPED, routine: ws.LPWSAOVERLAPPED_COMPLETION_ROUTINE | null, input: Uint8Array | null = null): void => {
      const rc = ws.WSAIoctl(s, code, input, input?.length ?? 0, null, 0, bytes, o, routine);
      assert.equal(rc, ws.SOCKET_ERROR, `0x${code.toString(16)} must not complete at once`);
      assert.equal(ws.WSAGetLastError(), ws.WSA_IO_PENDING);
    };
    const mk = (): number => check(ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP), 'socket');
    const [sEvent, sRoutine, sPort, sRoute] = [mk(), mk(), mk(), mk()];

    // 1. Event.
    const event = ws.WSACreateEvent();
    assert.notEqual(event, 0);
    const ovEvent = new ws.WSAOVERLAPPED(event);
    pending(sEvent, ws.SIO_ADDRESS_LIST_CHANGE, ovEvent, null);
    // 2. Completion routine.
    const calls: Array<[number, number, ws.WSAOVERLAPPED, number]> = [];
    const ovRoutine = new ws.WSAOVERLAPPED();
    pending(sRoutine, ws.SIO_ADDRESS_LIST_CHANGE, ovRoutine, (e, n, o, f) => { calls.push([e, n, o, f]); });
    // 3. Completion port.
    const port = ws.CreateIoCompletionPort(ws.INVALID_HANDLE_VALUE, 0, 0, 0);
    assert.ok(port !== 0 && port !== ws.INVALID_HANDLE_VALUE, 'CreateIoCompletionPort');
    assert.equal(ws.CreateIoCompletionPort(sPort, port, 0x5eed, 0), port);
    const ovPort = new ws.WSAOVERLAPPED();
    pending(sPort, ws.SIO_ADDRESS_LIST_CHANGE, ovPort, null);
    // 4. A routing-interface change on an event, too.
    const routeEvent = ws.WSACreateEvent();
    const ovRoute = new ws.WSAOVERLAPPED(routeEvent);
    pending(sRoute, ws.SIO_ROUTING_INTERFACE_CHANGE, ovRoute, null, ws.sockaddr('127.0.0.1', 0));

    for (const o of [ovEvent, ovRoutine, ovPort, ovRoute]) assert.equal(o.Internal, ws.STATUS_PENDING);
    closeAll(sEvent, sRoutine, sPort, sRoute);

    try {
      // Events: signalled once, status cancelled, WSAGetOverlappedResult reports the abort.
      for (const [e, o, s] of [[event, ovEvent, sEvent], [routeEvent, ovRoute, sRoute]] as const) {
        assert.equal(ws.WSAWaitForMultipleEvents(1, [e], true, 2000, false), WSA_WAIT_EVENT_0, 'event signalled');
        // The socket is gone, so the result is read from the WSAOVERLAPPED itself (ws2_32's
        // WSAGetOverlappedResult looks the socket up first and would say WSAENOTSOCK).
        assert.equal(o.Internal >>> 0, ws.STATUS_CANCELLED, `0x${s.toString(16)}: Internal`);
        assert.equal(ws.ntStatusToWsaError(o.Internal), ws.WSA_OPERATION_ABORTED);
        assert.equal(o.InternalHigh, 0);
        ws.WSAResetEvent(e);
        assert.equal(ws.WSAWaitForMultipleEvents(1, [e], true, 50, false), WSA_WAIT_TIMEOUT, 'signalled only once');
      }

      // Completion routine: runs in an alertable wait, once, with the abort.
      for (let i = 0; i < 200 && calls.length === 0; i++) ws.SleepEx(10, true);
      for (let i = 0; i < 5; i++) ws.SleepEx(10, true);
      assert.equal(calls.length, 1, 'the completion routine ran exactly once');
      const [error, transferred, o, flags] = calls[0]!;
      assert.equal(error, ws.WSA_OPERATION_ABORTED);
      assert.equal(transferred, 0);
      assert.equal(o, ovRoutine);
      assert.equal(flags, 0);

      // Completion port: one packet, failed with ERROR_OPERATION_ABORTED, then nothing.
      const n = { value: 0xbad };
      const key = { value: 0 };
      const got: { value: ws.WSAOVERLAPPED | null } = { value: null };
      assert.ok(!ws.GetQueuedCompletionStatus(port, n, key, got, 2000), 'a failed packet dequeues as FALSE');
      assert.equal(ws.GetLastError(), ws.ERROR_OPERATION_ABORTED);
      assert.equal(got.value, ovPort);
      assert.equal(key.value, 0x5eed);
      assert.equal(n.value, 0);
      got.value = null;
      assert.ok(!ws.GetQueuedCompletionStatus(port, n, key, got, 50));
      assert.equal(ws.GetLastError(), ws.WAIT_TIMEOUT, 'exactly one packet');
      assert.equal(got.value, null);
    } finally {
      ws.WSACloseEvent(event);
      ws.WSACloseEvent(routeEvent);
      ws.CloseHandle(port);
    }
  });

  test('an event handle is not a socket: closesocket(event) is WSAENOTSOCK', { skip: overlappedMissing }, () => {
    const event = ws.WSACreateEvent();
    try {
      assert.equal(ws.closesocket(event), ws.SOCKET_ERROR);
      assert.equal(ws.WSAGetLastError(), ws.WSAENOTSOCK);
    } finally {
      ws.WSACloseEvent(event);
    }
  });
});

describe('handle values and fds', () => {
  test('a closed handle value is not handed out again soon (10,000 create / close)', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 10_000; i++) {
      const s = ws.socket(ws.AF_INET, i % 2 ? ws.SOCK_DGRAM : ws.SOCK_STREAM, 0);
      assert.notEqual(s, ws.INVALID_SOCKET, `socket ${i}: error ${ws.WSAGetLastError()}`);
      if (seen.has(s)) assert.fail(`handle 0x${s.toString(16)} repeated after ${i} sockets`);
      seen.add(s);
      assert.equal(ws.closesocket(s), 0);
    }
    assert.equal(seen.size, 10_000);
  });

  test('fd count is flat after 10,000 create / query / close cycles', () => {
    const before = openFds();
    const out = new Uint8Array(4);
    const list = new Uint8Array(4096);
    const keepalive = ws.encodeTcpKeepalive({ onoff: 1, keepalivetime: 30_000, keepaliveinterval: 1_000 });
    const event = overlappedMissing ? ws.WSA_INVALID_EVENT : ws.WSACreateEvent();
    for (let i = 0; i < 10_000; i++) {
      const stream = i % 2 === 0;
      const s = ws.socket(ws.AF_INET, stream ? ws.SOCK_STREAM : ws.SOCK_DGRAM, 0);
      assert.notEqual(s, ws.INVALID_SOCKET, `socket ${i}: error ${ws.WSAGetLastError()}`);
      assert.equal(ioctl(s, ws.FIONREAD, null, 0, out, 4).rc, 0, 'FIONREAD');
      if (stream) ioctl(s, ws.SIO_KEEPALIVE_VALS, keepalive, keepalive.length, null, 0);
      // Codes that open their own kernel resources (netlink), whether or not implemented yet.
      if (i % 10 === 0) ioctl(s, ws.SIO_ADDRESS_LIST_QUERY, null, 0, list, list.length);
      if (i % 10 === 5) ioctl(s, ws.SIO_ROUTING_INTERFACE_QUERY, ws.sockaddr('127.0.0.1', 0), 16, list, 16);
      // Now and then a change notification left pending at close (it opens the shared watcher).
      if (event !== ws.WSA_INVALID_EVENT && i % 50 === 25) {
        const rc = ws.WSAIoctl(s, ws.SIO_ADDRESS_LIST_CHANGE, null, 0, null, 0, { value: 0 }, new ws.WSAOVERLAPPED(event), null);
        assert.ok(rc === 0 || ws.WSAGetLastError() === ws.WSA_IO_PENDING, `SIO_ADDRESS_LIST_CHANGE: error ${ws.WSAGetLastError()}`);
      }
      assert.equal(ws.closesocket(s), 0);
    }
    ws.WSACloseEvent(event);
    assert.equal(openFds(), before, 'fds left open');
  });

  test('WSACleanup closes the sockets still open, and their handles stay dead', () => {
    startup(); // a second reference: the last WSACleanup below is this one's
    const before = openFds();
    const { client, server } = tcpPair();
    const udp = check(ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP), 'socket');
    assert.ok(openFds() > before);
    ws.WSACleanup(); // back to one reference: nothing closes yet
    assert.equal(ioctl(udp, ws.FIONREAD, null, 0, new Uint8Array(4), 4).rc, 0);
    ws.WSACleanup(); // the last one
    // (<=: the last WSACleanup may also release shared resources opened before this test)
    assert.ok(openFds() <= before, 'the sockets were closed');
    startup(); // restore the reference the file's after() hook releases
    for (const s of [client, server, udp]) {
      assert.equal(ws.closesocket(s), ws.SOCKET_ERROR);
      assert.equal(ws.WSAGetLastError(), ws.WSAENOTSOCK);
    }
  });
});
