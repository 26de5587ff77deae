/**
 * A new TCP socket carries Windows' keep-alive timing (1 s between probes, 10 probes, 2 h idle):
 * Microsoft's "SIO_KEEPALIVE_VALS" and "IPPROTO_TCP socket options" pages (TCP_KEEPCNT: 10 by
 * default; keep-alive interval 1 s, idle 2 h); Wine dlls/ws2_32/tests/sock.c test_set_getsockopt
 * reads them back in whole seconds. The emulation gives the kernel the interval and count lazily
 * (sockets/keepalive-defaults.ts): these tests check both what getsockopt reads before that and
 * what the kernel holds once keep-alive can probe.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ws from 'wsaioctl/winsock';
import { lookupSocket } from '../dist/backend/linux/win32/socket-state.js';
import { kernelInt } from '../dist/backend/linux/host/socket-facts.js';
import { L } from '../dist/backend/linux/host/libc.js';
import { check, closeAll, listener, loopbackName, setIntOption, startup, cleanup } from './helpers/sockets.js';

function intOption(s: number, level: number, name: number): number {
  const val = new Uint8Array(4);
  const len = { value: 4 };
  assert.equal(ws.getsockopt(s, level, name, val, len), 0, ws.errorName(ws.WSAGetLastError()));
  return new DataView(val.buffer).getInt32(0, true);
}

/** What the kernel holds for the socket's probe interval and count (not what getsockopt reports). */
function kernelTiming(s: number): { interval: number | null; count: number | null } {
  const fd = lookupSocket(s)!.fd;
  return { interval: kernelInt(fd, L.IPPROTO_TCP, L.TCP_KEEPINTVL), count: kernelInt(fd, L.IPPROTO_TCP, L.TCP_KEEPCNT) };
}

const reported = (s: number) => ({ interval: intOption(s, ws.IPPROTO_TCP, ws.TCP_KEEPINTVL), count: intOption(s, ws.IPPROTO_TCP, ws.TCP_KEEPCNT) });
const WINDOWS = { interval: 1, count: 10 };

before(startup);
after(cleanup);

test('fresh TCP sockets start with the Windows keep-alive defaults', () => {
  for (const af of [ws.AF_INET, ws.AF_INET6]) {
    const s = ws.socket(af, ws.SOCK_STREAM, ws.IPPROTO_TCP);
    assert.notEqual(s, ws.INVALID_SOCKET);
    assert.deepEqual(reported(s), WINDOWS);
    assert.equal(intOption(s, ws.IPPROTO_TCP, ws.TCP_KEEPALIVE), 7200);
    assert.equal(intOption(s, ws.SOL_SOCKET, ws.SO_KEEPALIVE), 0);
    ws.closesocket(s);
  }
});

test('SO_KEEPALIVE on: the kernel probes with Windows\' interval and count', () => {
  const s = check(ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP), 'socket');
  try {
    setIntOption(s, ws.SOL_SOCKET, ws.SO_KEEPALIVE, 1);
    assert.deepEqual(kernelTiming(s), WINDOWS);
    assert.deepEqual(reported(s), WINDOWS);
  } finally {
    closeAll(s);
  }
});

test('setting the interval alone leaves Windows\' count, in getsockopt and in the kernel', () => {
  const s = check(ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP), 'socket');
  try {
    setIntOption(s, ws.IPPROTO_TCP, ws.TCP_KEEPINTVL, 5);
    assert.deepEqual(reported(s), { interval: 5, count: 10 });
    assert.deepEqual(kernelTiming(s), { interval: 5, count: 10 });
    setIntOption(s, ws.IPPROTO_TCP, ws.TCP_KEEPCNT, 3);
    assert.deepEqual(reported(s), { interval: 5, count: 3 });
    assert.deepEqual(kernelTiming(s), { interval: 5, count: 3 });
  } finally {
    closeAll(s);
  }
});

test('SIO_KEEPALIVE_VALS on a fresh socket: the kernel\'s count is Windows\' 10', () => {
  const s = check(ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP), 'socket');
  try {
    const input = ws.encodeTcpKeepalive({ onoff: 1, keepalivetime: 5000, keepaliveinterval: 2000 });
    assert.equal(ws.WSAIoctl(s, ws.SIO_KEEPALIVE_VALS, input, input.length, null, 0, { value: 0 }, null, null), 0);
    assert.deepEqual(kernelTiming(s), { interval: 2, count: 10 });
    assert.equal(intOption(s, ws.SOL_SOCKET, ws.SO_KEEPALIVE), 1);
  } finally {
    closeAll(s);
  }
});

/** A connection accepted from `l` (accept()), with its client. */
function acceptOne(l: { socket: number; port: number }): { client: number; server: number } {
  const client = check(ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP), 'socket');
  check(ws.connect(client, loopbackName('ipv4', l.port), 16), 'connect');
  const server = check(ws.accept(l.socket, null, null), 'accept');
  return { client, server };
}

test('accepted sockets: Windows\' values from an untouched listener, the listener\'s own after it set them', () => {
  const plain = listener();
  const tuned = listener();
  const sockets: number[] = [plain.socket, tuned.socket];
  try {
    const a = acceptOne(plain);
    sockets.push(a.client, a.server);
    assert.deepEqual(reported(a.server), WINDOWS);
    setIntOption(a.server, ws.SOL_SOCKET, ws.SO_KEEPALIVE, 1);
    assert.deepEqual(kernelTiming(a.server), WINDOWS);

    setIntOption(tuned.socket, ws.IPPROTO_TCP, ws.TCP_KEEPCNT, 4);
    const b = acceptOne(tuned);
    sockets.push(b.client, b.server);
    assert.deepEqual(reported(b.server), { interval: 1, count: 4 });
    assert.deepEqual(kernelTiming(b.server), { interval: 1, count: 4 });
  } finally {
    closeAll(...sockets);
  }
});

test('AcceptEx: the accept socket reads the values its connection got from the listener', () => {
  const pointer = new Uint8Array(8);
  const sockets: number[] = [];
  try {
    for (const [listenerCount, expected] of [[null, WINDOWS], [6, { interval: 1, count: 6 }]] as const) {
      const l = listener();
      sockets.push(l.socket);
      if (listenerCount !== null) setIntOption(l.socket, ws.IPPROTO_TCP, ws.TCP_KEEPCNT, listenerCount);
      assert.equal(ws.WSAIoctl(l.socket, ws.SIO_GET_EXTENSION_FUNCTION_POINTER, ws.encodeGuid(ws.WSAID_ACCEPTEX), 16, pointer, 8, { value: 0 }, null, null), 0);
      const AcceptEx = ws.LPFN_ACCEPTEX(pointer);
      const acceptor = check(ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP), 'socket');
      sockets.push(acceptor);
      const ov = new ws.WSAOVERLAPPED();
      ov.hEvent = ws.WSACreateEvent();
      assert.equal(AcceptEx(l.socket, acceptor, new Uint8Array(64), 0, 32, 32, null, ov), false);
      assert.equal(ws.WSAGetLastError(), ws.WSA_IO_PENDING);
      const client = check(ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP), 'socket');
      sockets.push(client);
      check(ws.connect(client, loopbackName('ipv4', l.port), 16), 'connect');
      assert.equal(ws.WSAWaitForMultipleEvents(1, [ov.hEvent], true, 5000, false), ws.WSA_WAIT_EVENT_0);
      assert.equal(ws.WSAGetOverlappedResult(l.socket, ov, { value: 0 }, false, { value: 0 }), true);
      ws.WSACloseEvent(ov.hEvent);
      assert.deepEqual(reported(acceptor), expected, 'before SO_UPDATE_ACCEPT_CONTEXT');
      const context = new Uint8Array(8);
      new DataView(context.buffer).setBigUint64(0, BigInt(l.socket), true);
      check(ws.setsockopt(acceptor, ws.SOL_SOCKET, ws.SO_UPDATE_ACCEPT_CONTEXT, context, 8), 'SO_UPDATE_ACCEPT_CONTEXT');
      assert.deepEqual(reported(acceptor), expected, 'after SO_UPDATE_ACCEPT_CONTEXT');
      setIntOption(acceptor, ws.SOL_SOCKET, ws.SO_KEEPALIVE, 1);
      assert.deepEqual(kernelTiming(acceptor), expected, 'the kernel, keep-alive on');
    }
  } finally {
    closeAll(...sockets);
  }
});
