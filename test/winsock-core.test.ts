/**
 * The Winsock core of the Linux emulation against what Windows does (facts from Wine's conformance
 * tests, dlls/ws2_32/tests/sock.c, which pass on Windows): WSAStartup / WSACleanup, the last-error
 * slot, handles, the socket functions, socket options with Windows values, and blocking versus
 * non-blocking mode, on real loopback sockets.
 * Network use: 127.0.0.1 and ::1, plus one bind to 192.0.2.0 (a documentation address; nothing is
 * sent). Every wait is bounded by a receive time-out.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import * as ws from 'wsaioctl/winsock';
import { lookupSocket } from '../dist/backend/linux/win32/socket-state.js';
import { fcntl, L } from '../dist/backend/linux/host/libc.js';

const GUARD = 0xa5;
/** Upper bound for any blocking call in this file (SO_RCVTIMEO), so nothing can hang. */
const BOUND_MS = 10_000;

const lastError = () => ws.WSAGetLastError();
const u32 = (v: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  return b;
};
const i32 = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset).getInt32(0, true);
const loop4 = (port = 0) => ws.sockaddr('127.0.0.1', port);

const open = new Set<number>();
function sock(af = ws.AF_INET, type = ws.SOCK_STREAM, protocol = 0): number {
  const s = ws.socket(af, type, protocol);
  assert.notEqual(s, ws.INVALID_SOCKET, `socket: ${lastError()}`);
  open.add(s);
  return s;
}
function close(s: number): void {
  ws.closesocket(s);
  open.delete(s);
}

function nameOf(s: number): Uint8Array {
  const name = new Uint8Array(28);
  const len = { value: name.length };
  assert.equal(ws.getsockname(s, name, len), 0, `getsockname: ${lastError()}`);
  return name.subarray(0, len.value);
}

function listener(af = ws.AF_INET): number {
  const s = sock(af);
  const addr = af === ws.AF_INET ? loop4() : ws.sockaddr('::1', 0);
  assert.equal(ws.bind(s, addr, addr.length), 0, `bind: ${lastError()}`);
  assert.equal(ws.listen(s, 8), 0, `listen: ${lastError()}`);
  return s;
}

function tcpPair(af = ws.AF_INET): { client: number; server: number; listener: number } {
  const l = listener(af);
  const client = sock(af);
  const name = nameOf(l);
  assert.equal(ws.connect(client, name, name.length), 0, `connect: ${lastError()}`);
  const server = ws.accept(l, null, null);
  assert.notEqual(server, ws.INVALID_SOCKET, `accept: ${lastError()}`);
  open.add(server);
  return { client, server, listener: l };
}

function getInt(s: number, level: number, name: number, size = 4): { rc: number; error: number; value: number; len: number } {
  const buf = new Uint8Array(8).fill(0);
  const len = { value: size };
  const rc = ws.getsockopt(s, level, name, buf, len);
  return { rc, error: rc ? lastError() : 0, value: len.value === 1 ? buf[0]! : i32(buf), len: len.value };
}
function setInt(s: number, level: number, name: number, value: number, size = 4): number {
  const rc = ws.setsockopt(s, level, name, u32(value), size);
  return rc === 0 ? 0 : lastError();
}

function setBlocking(s: number, blocking: boolean): void {
  assert.equal(ws.ioctlsocket(s, ws.FIONBIO, { value: blocking ? 0 : 1 }), 0);
}

function hostNonBlocking(s: number): boolean {
  const fd = lookupSocket(s)!.fd;
  const flags = fcntl(fd, L.F_GETFL, 0);
  assert.ok(flags >= 0);
  return (flags & L.O_NONBLOCK) !== 0;
}

after(() => {
  for (const s of open) ws.closesocket(s);
  while (ws.WSACleanup() === 0) { /* drop every reference this file took */ }
});

describe('before WSAStartup', () => {
  test('every call fails with WSANOTINITIALISED', () => {
    ws.WSASetLastError(0xdeadbeef);
    assert.equal(ws.socket(ws.AF_INET, ws.SOCK_STREAM, 0), ws.INVALID_SOCKET);
    assert.equal(lastError(), ws.WSANOTINITIALISED);
    ws.WSASetLastError(0xdeadbeef);
    assert.equal(ws.WSASocketW(0, 0, 0, null, 0, 0), ws.INVALID_SOCKET);
    assert.equal(lastError(), ws.WSANOTINITIALISED);
    for (const call of [
      () => ws.closesocket(0x104),
      () => ws.listen(0x104, 1),
      () => ws.send(0x104, null, 0, 0),
      () => ws.ioctlsocket(0x104, ws.FIONBIO, { value: 1 }),
      () => ws.WSAIoctl(0x104, ws.FIONBIO, u32(1), 4, null, 0, { value: 0 }, null, null),
      () => ws.getsockopt(0x104, ws.SOL_SOCKET, ws.SO_TYPE, new Uint8Array(4), { value: 4 }),
    ]) {
      ws.WSASetLastError(0xdeadbeef);
      assert.equal(call(), ws.SOCKET_ERROR);
      assert.equal(lastError(), ws.WSANOTINITIALISED);
    }
  });

  test('WSACleanup without WSAStartup: SOCKET_ERROR, WSANOTINITIALISED', () => {
    ws.WSASetLastError(0xdeadbeef);
    assert.equal(ws.WSACleanup(), ws.SOCKET_ERROR);
    assert.equal(lastError(), ws.WSANOTINITIALISED);
  });
});

describe('WSAStartup / WSACleanup', () => {
  test('WSAStartup(2.2) fills WSADATA with 2.2', () => {
    const data = ws.newWSADATA();
    assert.equal(ws.WSAStartup(ws.MAKEWORD(2, 2), data), 0);
    assert.equal(data.wVersion, 0x0202);
    assert.equal(data.wHighVersion, 0x0202);
    assert.equal(ws.WSACleanup(), 0);
  });

  test('reference counted: sockets live until the last WSACleanup, which closes them all', () => {
    assert.equal(ws.WSAStartup(0x0202, ws.newWSADATA()), 0);
    assert.equal(ws.WSAStartup(0x0202, ws.newWSADATA()), 0);
    const { client, server } = tcpPair();
    assert.equal(ws.WSACleanup(), 0, 'first of two');
    assert.equal(ws.send(client, new Uint8Array([1, 2, 3, 4]), 4, 0), 4, 'still started: the socket works');
    assert.equal(ws.WSACleanup(), 0, 'the last one');
    assert.equal(ws.WSAStartup(0x0202, ws.newWSADATA()), 0);
    for (const s of [client, server]) {
      ws.WSASetLastError(0xdeadbeef);
      assert.equal(ws.send(s, new Uint8Array(4), 4, 0), ws.SOCKET_ERROR);
      assert.equal(lastError(), ws.WSAENOTSOCK, 'sockets were destroyed by the last WSACleanup');
      ws.WSASetLastError(0xdeadbeef);
      assert.equal(ws.getsockname(s, new Uint8Array(16), { value: 16 }), ws.SOCKET_ERROR);
      assert.equal(lastError(), ws.WSAENOTSOCK);
    }
    for (const s of [...open]) open.delete(s);
    // Leave one reference for the rest of the file.
  });
});

describe('the last-error slot', () => {
  test('WSAGetLastError, WSASetLastError, GetLastError and SetLastError share one slot', () => {
    ws.WSASetLastError(1234);
    assert.equal(ws.WSAGetLastError(), 1234);
    assert.equal(ws.GetLastError(), 1234);
    ws.SetLastError(ws.WSAEWOULDBLOCK);
    assert.equal(ws.WSAGetLastError(), ws.WSAEWOULDBLOCK);
    ws.WSASetLastError(0);
    assert.equal(ws.GetLastError(), 0);
  });

  test('every successful call sets it to 0', () => {
    const { client, server } = tcpPair();
    const calls: Array<[string, () => number]> = [
      ['socket', () => { const s = ws.socket(ws.AF_INET, ws.SOCK_DGRAM, 0); open.add(s); return s === ws.INVALID_SOCKET ? -1 : 0; }],
      ['send', () => ws.send(client, new Uint8Array([1]), 1, 0)],
      ['recv', () => ws.recv(server, new Uint8Array(1), 1, 0)],
      ['getsockname', () => ws.getsockname(client, new Uint8Array(16), { value: 16 })],
      ['getpeername', () => ws.getpeername(client, new Uint8Array(16), { value: 16 })],
      ['getsockopt', () => ws.getsockopt(client, ws.SOL_SOCKET, ws.SO_TYPE, new Uint8Array(4), { value: 4 })],
      ['setsockopt', () => ws.setsockopt(client, ws.SOL_SOCKET, ws.SO_KEEPALIVE, u32(1), 4)],
      ['ioctlsocket', () => ws.ioctlsocket(client, ws.FIONBIO, { value: 0 })],
      ['WSAIoctl', () => ws.WSAIoctl(client, ws.FIONBIO, u32(0), 4, null, 0, { value: 0 }, null, null)],
      ['shutdown', () => ws.shutdown(client, ws.SD_SEND)],
      ['closesocket', () => { open.delete(server); return ws.closesocket(server); }],
    ];
    for (const [name, call] of calls) {
      ws.WSASetLastError(0xdeadbeef);
      assert.ok(call() >= 0, `${name} failed: ${lastError()}`);
      assert.equal(lastError(), 0, `${name} left ${lastError()}`);
    }
  });
});

describe('socket / WSASocketW', () => {
  // Windows' answers, in Windows' order of checks (type, then family, then protocol).
  const AF_BAD = 0xdead;
  const cases: Array<[number, number, number, number, number?, number?]> = [
    [AF_BAD, ws.SOCK_STREAM, ws.IPPROTO_TCP, ws.WSAEAFNOSUPPORT],
    [-1, ws.SOCK_STREAM, ws.IPPROTO_TCP, ws.WSAEAFNOSUPPORT],
    [ws.AF_INET, 0xdead, ws.IPPROTO_TCP, ws.WSAESOCKTNOSUPPORT],
    [ws.AF_INET, -1, ws.IPPROTO_TCP, ws.WSAESOCKTNOSUPPORT],
    [ws.AF_INET, ws.SOCK_STREAM, 0xdead, ws.WSAEPROTONOSUPPORT],
    [ws.AF_INET, ws.SOCK_STREAM, -1, ws.WSAEPROTONOSUPPORT],
    [AF_BAD, 0xdead, ws.IPPROTO_TCP, ws.WSAESOCKTNOSUPPORT],
    [AF_BAD, ws.SOCK_STREAM, 0xdead, ws.WSAEAFNOSUPPORT],
    [ws.AF_INET, 0xdead, 0xdead, ws.WSAESOCKTNOSUPPORT],
    [AF_BAD, ws.SOCK_STREAM, ws.IPPROTO_UDP, ws.WSAEAFNOSUPPORT],
    [ws.AF_INET, ws.SOCK_STREAM, 0, 0, ws.SOCK_STREAM],
    [ws.AF_INET, ws.SOCK_DGRAM, 0, 0, ws.SOCK_DGRAM],
    [ws.AF_INET, 0xdead, 0, ws.WSAESOCKTNOSUPPORT],
    [ws.AF_INET, 0, ws.IPPROTO_TCP, 0, ws.SOCK_STREAM],
    [ws.AF_INET, 0, ws.IPPROTO_UDP, 0, ws.SOCK_DGRAM],
    [ws.AF_INET, 0, 0xdead, ws.WSAEPROTONOSUPPORT],
    [ws.AF_INET, 0, 0, 0, ws.SOCK_STREAM],
    [ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_UDP, ws.WSAEPROTONOSUPPORT],
    [ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_TCP, ws.WSAEPROTONOSUPPORT],
    [ws.AF_UNSPEC, ws.SOCK_STREAM, ws.IPPROTO_TCP, 0, ws.SOCK_STREAM],
    [ws.AF_UNSPEC, ws.SOCK_STREAM, 0xdead, ws.WSAEPROTONOSUPPORT],
    [ws.AF_UNSPEC, 0xdead, ws.IPPROTO_UDP, ws.WSAESOCKTNOSUPPORT],
    [ws.AF_UNSPEC, ws.SOCK_STREAM, 0, ws.WSAEINVAL],
    [ws.AF_UNSPEC, ws.SOCK_DGRAM, 0, ws.WSAEINVAL],
    [ws.AF_UNSPEC, 0xdead, 0, ws.WSAEINVAL],
    [ws.AF_UNSPEC, 0, ws.IPPROTO_TCP, 0, ws.SOCK_STREAM],
    [ws.AF_UNSPEC, 0, ws.IPPROTO_UDP, 0, ws.SOCK_DGRAM],
    [ws.AF_UNSPEC, 0, 0xdead, ws.WSAEPROTONOSUPPORT],
    [ws.AF_UNSPEC, 0, 0, ws.WSAEINVAL],
  ];

  for (const [af, type, protocol, error, wantType] of cases) {
    test(`WSASocketW(${af}, ${type}, ${protocol}) -> ${error || `a socket of type ${wantType}`}`, () => {
      ws.WSASetLastError(0xdeadbeef);
      const s = ws.WSASocketW(af, type, protocol, null, 0, 0);
      assert.equal(lastError(), error);
      if (error) {
        assert.equal(s, ws.INVALID_SOCKET);
        return;
      }
      open.add(s);
      assert.notEqual(s, ws.INVALID_SOCKET);
      assert.deepEqual(getInt(s, ws.SOL_SOCKET, ws.SO_TYPE), { rc: 0, error: 0, value: wantType, len: 4 });
      close(s);
    });
  }
});

describe('handles', () => {
  test('non-zero multiples of 4, never the host fd, not reused soon after close', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 64; i++) {
      const s = ws.socket(i % 2 ? ws.AF_INET6 : ws.AF_INET, i % 3 ? ws.SOCK_STREAM : ws.SOCK_DGRAM, 0);
      assert.notEqual(s, ws.INVALID_SOCKET);
      assert.ok(s > 0 && s % 4 === 0, `handle ${s}`);
      assert.notEqual(s, lookupSocket(s)!.fd);
      assert.ok(!seen.has(s), `handle ${s} reused`);
      seen.add(s);
      assert.equal(ws.closesocket(s), 0);
    }
  });

  test('closed or unknown handles: WSAENOTSOCK from every function', () => {
    const closed = ws.socket(ws.AF_INET, ws.SOCK_STREAM, 0);
    assert.equal(ws.closesocket(closed), 0);
    for (const bad of [closed, 0, 3, 0xdeadbeef, -1, ws.INVALID_SOCKET]) {
      for (const [name, call] of [
        ['closesocket', () => ws.closesocket(bad)],
        ['bind', () => ws.bind(bad, loop4(), 16)],
        ['listen', () => ws.listen(bad, 1)],
        ['accept', () => ws.accept(bad, null, null)],
        ['connect', () => ws.connect(bad, loop4(9), 16)],
        ['send', () => ws.send(bad, new Uint8Array(1), 1, 0)],
        ['recv', () => ws.recv(bad, new Uint8Array(1), 1, 0)],
        ['sendto', () => ws.sendto(bad, new Uint8Array(1), 1, 0, loop4(9), 16)],
        ['recvfrom', () => ws.recvfrom(bad, new Uint8Array(1), 1, 0, null, null)],
        ['shutdown', () => ws.shutdown(bad, ws.SD_BOTH)],
        ['getsockname', () => ws.getsockname(bad, new Uint8Array(16), { value: 16 })],
        ['getpeername', () => ws.getpeername(bad, new Uint8Array(16), { value: 16 })],
        ['getsockopt', () => ws.getsockopt(bad, ws.SOL_SOCKET, ws.SO_ERROR, new Uint8Array(4), { value: 4 })],
        ['setsockopt', () => ws.setsockopt(bad, ws.SOL_SOCKET, ws.SO_KEEPALIVE, u32(1), 4)],
        ['ioctlsocket', () => ws.ioctlsocket(bad, ws.FIONBIO, { value: 1 })],
        ['WSAIoctl', () => ws.WSAIoctl(bad, ws.FIONBIO, u32(1), 4, null, 0, { value: 0 }, null, null)],
      ] as Array<[string, () => number]>) {
        ws.WSASetLastError(0xdeadbeef);
        assert.equal(call(), ws.SOCKET_ERROR, `${name}(${bad})`);
        assert.equal(lastError(), ws.WSAENOTSOCK, `${name}(${bad})`);
      }
    }
  });

  test('getsockopt on a closed socket leaves the value untouched', () => {
    const s = ws.socket(ws.AF_INET, ws.SOCK_STREAM, 0);
    ws.closesocket(s);
    const buf = u32(1234);
    assert.equal(ws.getsockopt(s, ws.SOL_SOCKET, ws.SO_ERROR, buf, { value: 4 }), ws.SOCKET_ERROR);
    assert.equal(i32(buf), 1234);
  });
});

describe('bind', () => {
  test('the argument checks', () => {
    const s = sock();
    const check = (rc: number, error: number) => { assert.equal(rc, ws.SOCKET_ERROR); assert.equal(lastError(), error); };
    check(ws.bind(s, null, 0), ws.WSAEFAULT);
    check(ws.bind(s, null, 16), ws.WSAEFAULT);
    check(ws.bind(s, loop4(), 0), ws.WSAEFAULT);
    const bad = loop4();
    bad[0] = 0xad; bad[1] = 0xde;
    check(ws.bind(s, bad, 16), ws.WSAEAFNOSUPPORT);
    check(ws.bind(s, loop4(), 15), ws.WSAEFAULT);
    check(ws.bind(s, ws.sockaddr('192.0.2.0', 0), 16), ws.WSAEADDRNOTAVAIL);
    ws.WSASetLastError(0xdeadbeef);
    assert.equal(ws.bind(s, loop4(), 16), 0);
    assert.equal(lastError(), 0);
    check(ws.bind(s, loop4(), 16), ws.WSAEINVAL);
    const other = sock();
    check(ws.bind(other, nameOf(s), 16), ws.WSAEADDRINUSE);
  });

  test('an IPv4 address on an IPv6 socket: WSAEAFNOSUPPORT; UDP binds too', () => {
    assert.equal(ws.bind(sock(ws.AF_INET6), loop4(), 16), ws.SOCKET_ERROR);
    assert.equal(lastError(), ws.WSAEAFNOSUPPORT);
    assert.equal(ws.bind(sock(ws.AF_INET, ws.SOCK_DGRAM), loop4(), 16), 0);
  });
});

describe('getsockname / getpeername', () => {
  test('unbound: WSAEINVAL, the buffer untouched', () => {
    const s = sock();
    const buf = new Uint8Array(16).fill(GUARD);
    assert.equal(ws.getsockname(s, buf, { value: 16 }), ws.SOCKET_ERROR);
    assert.equal(lastError(), ws.WSAEINVAL);
    assert.ok(buf.every((b) => b === GUARD));
  });

  test('bound to 0.0.0.0:0: family, a port, the wildcard address, zeroed padding, length 16', () => {
    const s = sock();
    assert.equal(ws.bind(s, ws.sockaddr('0.0.0.0', 0), 16), 0);
    const buf = new Uint8Array(32).fill(GUARD);
    const len = { value: 32 };
    assert.equal(ws.getsockname(s, buf, len), 0);
    assert.equal(len.value, 16);
    const info = ws.parseSockaddr(buf);
    assert.equal(info.family, ws.AF_INET);
    assert.notEqual(info.port, 0);
    assert.equal(info.address, '0.0.0.0');
    assert.ok(buf.subarray(8, 16).every((b) => b === 0), 'sin_zero');
    assert.ok(buf.subarray(16).every((b) => b === GUARD), 'nothing past the sockaddr');
  });

  test('namelen too small: WSAEFAULT, namelen unchanged', () => {
    const s = sock();
    assert.equal(ws.bind(s, loop4(), 16), 0);
    const len = { value: 15 };
    assert.equal(ws.getsockname(s, new Uint8Array(16), len), ws.SOCKET_ERROR);
    assert.equal(lastError(), ws.WSAEFAULT);
    assert.equal(len.value, 15);
  });

  test('getpeername: connected pair agrees; unconnected is WSAENOTCONN', () => {
    const { client, server } = tcpPair();
    const peer = new Uint8Array(16);
    assert.equal(ws.getpeername(client, peer, { value: 16 }), 0);
    assert.deepEqual(peer, nameOf(server));
    assert.equal(ws.getpeername(sock(), new Uint8Array(16), { value: 16 }), ws.SOCKET_ERROR);
    assert.equal(lastError(), ws.WSAENOTCONN);
  });
});

describe('listen', () => {
  test('UDP: WSAEOPNOTSUPP; unbound TCP: WSAEINVAL', () => {
    assert.equal(ws.listen(sock(ws.AF_INET, ws.SOCK_DGRAM), 1), ws.SOCKET_ERROR);
    assert.equal(lastError(), ws.WSAEOPNOTSUPP);
    const s = sock();
    for (const backlog of [-2, 1, 0x7fffffff]) {
      ws.WSASetLastError(0xdeadbeef);
      assert.equal(ws.listen(s, backlog), ws.SOCKET_ERROR);
      assert.equal(lastError(), ws.WSAEINVAL);
    }
  });

  test('SO_ACCEPTCONN is 0 before and 1 after; it cannot be set; listening twice is fine', () => {
    const s = sock();
    assert.equal(ws.bind(s, loop4(), 16), 0);
    assert.equal(getInt(s, ws.SOL_SOCKET, ws.SO_ACCEPTCONN).value, 0);
    assert.equal(setInt(s, ws.SOL_SOCKET, ws.SO_ACCEPTCONN, 1), ws.WSAENOPROTOOPT);
    assert.equal(ws.listen(s, 0), 0);
    assert.equal(ws.listen(s, 0x7fffffff), 0);
    assert.equal(getInt(s, ws.SOL_SOCKET, ws.SO_ACCEPTCONN).value, 1);
    assert.equal(setInt(s, ws.SOL_SOCKET, ws.SO_ACCEPTCONN, 0), ws.WSAENOPROTOOPT);
    const other = sock();
    assert.equal(ws.bind(other, nameOf(s), 16), ws.SOCKET_ERROR);
    assert.equal(lastError(), ws.WSAEADDRINUSE);
  });
});

describe('accept', () => {
  test('addrlen 0 with an address: WSAEFAULT, addrlen stays 0, the connection stays queued', () => {
    const l = listener();
    const c = sock();
    assert.equal(ws.connect(c, nameOf(l), 16), 0);
    const len = { value: 0 };
    assert.equal(ws.accept(l, new Uint8Array(128), len), ws.INVALID_SOCKET);
    assert.equal(lastError(), ws.WSAEFAULT);
    assert.equal(len.value, 0);
    const s = ws.accept(l, null, null);
    assert.notEqual(s, ws.INVALID_SOCKET);
    open.add(s);
  });

  test('a SOCKADDR_STORAGE: the peer, addrlen 16; an address without addrlen: accepted, address untouched', () => {
    const l = listener();
    const c1 = sock();
    const c2 = sock();
    assert.equal(ws.connect(c1, nameOf(l), 16), 0);
    assert.equal(ws.connect(c2, nameOf(l), 16), 0);
    const ss = new Uint8Array(128);
    const len = { value: 128 };
    const s1 = ws.accept(l, ss, len);
    assert.notEqual(s1, ws.INVALID_SOCKET);
    open.add(s1);
    assert.equal(len.value, 16);
    assert.deepEqual(ss.subarray(0, 16), nameOf(c1));
    const untouched = new Uint8Array(128);
    ws.WSASetLastError(0xdeadbeef);
    const s2 = ws.accept(l, untouched, null);
    assert.notEqual(s2, ws.INVALID_SOCKET, `error ${lastError()}`);
    open.add(s2);
    assert.equal(lastError(), 0);
    assert.ok(untouched.every((b) => b === 0));
  });

  test('not listening: WSAEINVAL; non-blocking with nothing pending: WSAEWOULDBLOCK', () => {
    const s = sock();
    assert.equal(ws.bind(s, loop4(), 16), 0);
    assert.equal(ws.accept(s, null, null), ws.INVALID_SOCKET);
    assert.equal(lastError(), ws.WSAEINVAL);
    const l = listener();
    setBlocking(l, false);
    assert.equal(ws.accept(l, null, null), ws.INVALID_SOCKET);
    assert.equal(lastError(), ws.WSAEWOULDBLOCK);
  });

  test('the accepted socket inherits the listener\'s options', () => {
    const l = sock();
    const ints: Array<[number, number, number]> = [
      [ws.SOL_SOCKET, ws.SO_REUSEADDR, 1],
      [ws.SOL_SOCKET, ws.SO_KEEPALIVE, 1],
      [ws.SOL_SOCKET, ws.SO_OOBINLINE, 1],
      [ws.SOL_SOCKET, ws.SO_SNDBUF, 0x123],
      [ws.SOL_SOCKET, ws.SO_RCVBUF, 0x123],
      [ws.SOL_SOCKET, ws.SO_SNDTIMEO, 0x123],
      [ws.SOL_SOCKET, ws.SO_RCVTIMEO, 0x123],
      [ws.IPPROTO_TCP, ws.TCP_NODELAY, 1],
    ];
    for (const [level, name, value] of ints) assert.equal(setInt(l, level, name, value), 0, `set ${name}`);
    assert.equal(ws.bind(l, loop4(), 16), 0);
    assert.equal(ws.listen(l, 1), 0);
    const c = sock();
    assert.equal(ws.connect(c, nameOf(l), 16), 0);
    const s = ws.accept(l, null, null);
    open.add(s);
    for (const [level, name, value] of ints) assert.equal(getInt(s, level, name).value, value, `option ${name}`);
  });
});

describe('connect', () => {
  test('nothing listening: WSAECONNREFUSED (blocking); a new attempt afterwards works', () => {
    const closedPort = (() => { const t = listener(); const port = ws.parseSockaddr(nameOf(t)).port; close(t); return port; })();
    const c = sock();
    assert.equal(ws.connect(c, loop4(closedPort), 16), ws.SOCKET_ERROR);
    assert.equal(lastError(), ws.WSAECONNREFUSED);
    const l = listener();
    setBlocking(c, false);
    const rc = ws.connect(c, nameOf(l), 16);
    assert.ok(rc === 0 || lastError() === ws.WSAEWOULDBLOCK, `error ${lastError()}`);
    const s = ws.accept(l, null, null);
    assert.notEqual(s, ws.INVALID_SOCKET);
    open.add(s);
  });

  test('connected: WSAEISCONN; a listening socket: WSAEINVAL', () => {
    const { client, server, listener: l } = tcpPair();
    for (const s of [client, server]) {
      assert.equal(ws.connect(s, nameOf(l), 16), ws.SOCKET_ERROR);
      assert.equal(lastError(), ws.WSAEISCONN);
    }
    assert.equal(ws.connect(l, nameOf(l), 16), ws.SOCKET_ERROR);
    assert.equal(lastError(), ws.WSAEINVAL);
  });

  test('UDP: connect, send, recv, reconnect, AF_UNSPEC dissolves the association', () => {
    const client = sock(ws.AF_INET, ws.SOCK_DGRAM);
    const server = sock(ws.AF_INET, ws.SOCK_DGRAM);
    setBlocking(client, false);
    setBlocking(server, false);
    assert.equal(ws.send(client, new Uint8Array(4), 4, 0), ws.SOCKET_ERROR);
    assert.equal(lastError(), ws.WSAENOTCONN);
    assert.equal(ws.recv(server, new Uint8Array(4), 4, 0), ws.SOCKET_ERROR);
    assert.equal(lastError(), ws.WSAEINVAL, 'recv on an unbound datagram socket');
    assert.equal(ws.bind(server, loop4(), 16), 0);
    assert.equal(ws.recv(server, new Uint8Array(4), 4, 0), ws.SOCKET_ERROR);
    assert.equal(lastError(), ws.WSAEWOULDBLOCK);
    const addr = nameOf(server);
    assert.equal(ws.connect(client, addr, 16), 0);
    const peer = new Uint8Array(16);
    assert.equal(ws.getpeername(client, peer, { value: 16 }), 0);
    assert.deepEqual(peer, addr);
    assert.equal(ws.getpeername(server, peer, { value: 16 }), ws.SOCKET_ERROR);
    assert.equal(lastError(), ws.WSAENOTCONN);
    assert.equal(ws.send(client, new TextEncoder().encode('data'), 4, 0), 4);
    const buf = new Uint8Array(5).fill(0xcc);
    assert.equal(ws.recv(server, buf, 5, 0), 4);
    assert.equal(new TextDecoder().decode(buf.subarray(0, 4)), 'data');
    assert.equal(ws.send(server, new Uint8Array(4), 4, 0), ws.SOCKET_ERROR);
    assert.equal(lastError(), ws.WSAENOTCONN);
    const other = loop4(ws.parseSockaddr(addr).port + 1);
    assert.equal(ws.connect(client, other, 16), 0);
    const unspec = new Uint8Array(16);
    assert.equal(ws.connect(client, unspec, 16), 0, `AF_UNSPEC: ${lastError()}`);
    assert.equal(ws.getpeername(client, peer, { value: 16 }), ws.SOCKET_ERROR);
    assert.equal(lastError(), ws.WSAENOTCONN);
  });
});

describe('send / recv / sendto / recvfrom', () => {
  test('a TCP round trip; MSG_PEEK leaves the data; the peer\'s close reads as 0', () => {
    const { client, server } = tcpPair();
    const msg = new TextEncoder().encode('hello');
    assert.equal(ws.send(client, msg, 5, 0), 5);
    assert.equal(ws.send(client, msg, 0, 0), 0);
    const buf = new Uint8Array(16);
    assert.equal(ws.recv(server, buf, 16, ws.MSG_PEEK), 5);
    assert.equal(ws.recv(server, buf, 16, 0), 5);
    assert.equal(new TextDecoder().decode(buf.subarray(0, 5)), 'hello');
    close(client);
    assert.equal(ws.recv(server, buf, 16, 0), 0);
  });

  test('buffers: null with a length, or a length beyond the buffer, is WSAEFAULT', () => {
    const { client, server } = tcpPair();
    assert.equal(ws.send(client, null, 4, 0), ws.SOCKET_ERROR);
    assert.equal(lastError(), ws.WSAEFAULT);
    assert.equal(ws.send(client, new Uint8Array(2), 4, 0), ws.SOCKET_ERROR);
    assert.equal(lastError(), ws.WSAEFAULT);
    assert.equal(ws.recv(server, null, 4, 0), ws.SOCKET_ERROR);
    assert.equal(lastError(), ws.WSAEFAULT);
  });

  test('UDP: fromlen too small is an error that writes nothing; a large fromlen gets just the sockaddr', () => {
    const rx = sock(ws.AF_INET, ws.SOCK_DGRAM);
    const tx = sock(ws.AF_INET, ws.SOCK_DGRAM);
    assert.equal(ws.bind(rx, loop4(), 16), 0);
    assert.equal(ws.bind(tx, loop4(), 16), 0);
    const to = nameOf(rx);
    assert.equal(ws.sendto(tx, new Uint8Array(16), 16, 0, to, 16), 16);
    const from = new Uint8Array(1024).fill(GUARD);
    const small = { value: 1 };
    assert.equal(ws.recvfrom(rx, new Uint8Array(16), 16, 0, from, small), ws.SOCKET_ERROR);
    assert.ok(from.every((b) => b === GUARD), 'nothing written');
    const large = { value: 1024 };
    assert.equal(ws.recvfrom(rx, new Uint8Array(16), 16, 0, from, large), 16, 'the datagram was still queued');
    assert.equal(large.value, 16);
    assert.deepEqual(from.subarray(0, 16), nameOf(tx));
    assert.ok(from.subarray(16).every((b) => b === GUARD), 'nothing past the sockaddr');
  });

  test('UDP: a datagram larger than the buffer is WSAEMSGSIZE', () => {
    const rx = sock(ws.AF_INET, ws.SOCK_DGRAM);
    assert.equal(ws.bind(rx, loop4(), 16), 0);
    assert.equal(ws.sendto(sock(ws.AF_INET, ws.SOCK_DGRAM), new Uint8Array(8), 8, 0, nameOf(rx), 16), 8);
    assert.equal(ws.recv(rx, new Uint8Array(4), 4, 0), ws.SOCKET_ERROR);
    assert.equal(lastError(), ws.WSAEMSGSIZE);
  });

  test('TCP sendto / recvfrom ignore the address arguments and leave them untouched', () => {
    const { client, server } = tcpPair();
    const bad = new Uint8Array(16).fill(0xfe);
    assert.equal(ws.sendto(server, new Uint8Array([1, 2, 3]), 3, 0, bad, 16), 3);
    assert.ok(bad.every((b) => b === 0xfe));
    const fromlen = { value: 0xc0ffee11 };
    assert.equal(ws.recvfrom(client, new Uint8Array(8), 8, 0, bad, fromlen), 3, `error ${lastError()}`);
    assert.ok(bad.every((b) => b === 0xfe), 'address untouched');
    assert.equal(fromlen.value, 0xc0ffee11, 'fromlen untouched');
  });
});

describe('shutdown', () => {
  test('TCP: after SD_SEND, send is WSAESHUTDOWN and the peer reads 0; after SD_RECEIVE, recv is WSAESHUTDOWN', () => {
    const { client, server } = tcpPair();
    assert.equal(ws.shutdown(client, ws.SD_SEND), 0);
    assert.equal(ws.send(client, new Uint8Array(5), 5, 0), ws.SOCKET_ERROR);
    assert.equal(lastError(), ws.WSAESHUTDOWN);
    assert.equal(ws.recv(server, new Uint8Array(5), 5, 0), 0);
    assert.equal(ws.shutdown(server, ws.SD_RECEIVE), 0);
    assert.equal(ws.recv(server, new Uint8Array(5), 5, 0), ws.SOCKET_ERROR);
    assert.equal(lastError(), ws.WSAESHUTDOWN);
    assert.equal(ws.send(server, new Uint8Array(5), 5, 0), 5, 'the other direction still works');
  });

  test('a listening socket: WSAENOTCONN; an unconnected TCP socket: WSAENOTCONN; a bad how: WSAEINVAL', () => {
    const l = listener();
    for (const how of [ws.SD_SEND, ws.SD_RECEIVE]) {
      assert.equal(ws.shutdown(l, how), ws.SOCKET_ERROR);
      assert.equal(lastError(), ws.WSAENOTCONN);
    }
    const c = sock();
    assert.equal(ws.connect(c, nameOf(l), 16), 0, 'still listening after the refused shutdowns');
    assert.equal(ws.shutdown(sock(), ws.SD_BOTH), ws.SOCKET_ERROR);
    assert.equal(lastError(), ws.WSAENOTCONN);
    assert.equal(ws.shutdown(c, 3), ws.SOCKET_ERROR);
    assert.equal(lastError(), ws.WSAEINVAL);
  });

  test('UDP, unconnected: both directions shut down fine; then WSAESHUTDOWN', () => {
    const server = sock(ws.AF_INET, ws.SOCK_DGRAM);
    const client = sock(ws.AF_INET, ws.SOCK_DGRAM);
    assert.equal(ws.bind(server, loop4(), 16), 0);
    setBlocking(server, false);
    ws.WSASetLastError(0xdeadbeef);
    assert.equal(ws.shutdown(server, ws.SD_RECEIVE), 0);
    assert.equal(lastError(), 0);
    assert.equal(ws.recvfrom(server, new Uint8Array(8), 8, 0, null, null), ws.SOCKET_ERROR);
    assert.equal(lastError(), ws.WSAESHUTDOWN);
    assert.equal(ws.sendto(client, new Uint8Array(5), 5, 0, nameOf(server), 16), 5);
    assert.equal(ws.shutdown(client, ws.SD_SEND), 0);
    assert.equal(ws.shutdown(client, ws.SD_SEND), 0);
    assert.equal(ws.sendto(client, new Uint8Array(5), 5, 0, nameOf(server), 16), ws.SOCKET_ERROR);
    assert.equal(lastError(), ws.WSAESHUTDOWN);
  });
});

describe('getsockopt / setsockopt with Windows values', () => {
  test('SO_RCVBUF / SO_SNDBUF read back exactly what was set, 0 included', () => {
    const s = sock();
    for (const name of [ws.SO_RCVBUF, ws.SO_SNDBUF]) {
      for (const value of [4096, 0, 0x123, 1 << 20]) {
        assert.equal(setInt(s, ws.SOL_SOCKET, name, value), 0);
        assert.deepEqual(getInt(s, ws.SOL_SOCKET, name), { rc: 0, error: 0, value, len: 4 });
      }
    }
  });

  test('SO_KEEPALIVE and TCP_NODELAY are 1-byte values; a 4-byte 0x100 sets FALSE', () => {
    const s = sock();
    for (const [level, name] of [[ws.SOL_SOCKET, ws.SO_KEEPALIVE], [ws.IPPROTO_TCP, ws.TCP_NODELAY]] as const) {
      assert.deepEqual(getInt(s, level, name), { rc: 0, error: 0, value: 0, len: 1 });
      assert.equal(setInt(s, level, name, 1, 1), 0);
      assert.deepEqual(getInt(s, level, name), { rc: 0, error: 0, value: 1, len: 1 });
      assert.equal(setInt(s, level, name, 0x100, 4), 0);
      assert.equal(getInt(s, level, name).value, 0, 'only the first byte counts');
    }
  });

  test('TCP_NODELAY: any positive optlen works, 0 is WSAEFAULT', () => {
    const s = sock();
    const big = new Uint8Array(42);
    big[0] = 1;
    assert.equal(ws.setsockopt(s, ws.IPPROTO_TCP, ws.TCP_NODELAY, big, 42), 0);
    assert.equal(getInt(s, ws.IPPROTO_TCP, ws.TCP_NODELAY).value, 1);
    assert.equal(ws.setsockopt(s, ws.IPPROTO_TCP, ws.TCP_NODELAY, u32(0), 0), ws.SOCKET_ERROR);
    assert.equal(lastError(), ws.WSAEFAULT);
    assert.equal(getInt(s, ws.IPPROTO_TCP, ws.TCP_NODELAY).value, 1, 'unchanged');
  });

  test('SO_OOBINLINE, SO_REUSEADDR: 4-byte BOOLs, off by default', () => {
    const s = sock();
    for (const name of [ws.SO_OOBINLINE, ws.SO_REUSEADDR]) {
      assert.deepEqual(getInt(s, ws.SOL_SOCKET, name), { rc: 0, error: 0, value: 0, len: 4 });
      assert.equal(setInt(s, ws.SOL_SOCKET, name, 0x100), 0);
      assert.deepEqual(getInt(s, ws.SOL_SOCKET, name), { rc: 0, error: 0, value: 1, len: 4 });
      assert.equal(setInt(s, ws.SOL_SOCKET, name, 0), 0);
      assert.equal(getInt(s, ws.SOL_SOCKET, name).value, 0);
    }
  });

  test('TCP_KEEPALIVE (seconds), TCP_KEEPINTVL, TCP_KEEPCNT read back what was set', () => {
    const s = sock();
    for (const [name, value] of [[ws.TCP_KEEPALIVE, 3600], [ws.TCP_KEEPCNT, 5], [ws.TCP_KEEPINTVL, 5]] as const) {
      assert.equal(setInt(s, ws.IPPROTO_TCP, name, value), 0);
      assert.deepEqual(getInt(s, ws.IPPROTO_TCP, name), { rc: 0, error: 0, value, len: 4 });
    }
    assert.equal(setInt(s, ws.IPPROTO_TCP, ws.TCP_KEEPCNT, 0x100), ws.WSAEINVAL);
  });

  test('SO_TYPE: the Windows type; setting it fails', () => {
    const t = sock();
    const u = sock(ws.AF_INET, ws.SOCK_DGRAM);
    assert.equal(getInt(t, ws.SOL_SOCKET, ws.SO_TYPE).value, ws.SOCK_STREAM);
    assert.equal(getInt(u, ws.SOL_SOCKET, ws.SO_TYPE).value, ws.SOCK_DGRAM);
    assert.equal(setInt(t, ws.SOL_SOCKET, ws.SO_TYPE, ws.SOCK_DGRAM), ws.WSAENOPROTOOPT);
    assert.equal(setInt(u, ws.SOL_SOCKET, ws.SO_TYPE, ws.SOCK_STREAM), ws.WSAEINVAL);
  });

  test('SO_ERROR: 0 on a healthy socket; settable, and reads back what was set; optlen 1 is WSAEFAULT', () => {
    const s = sock();
    assert.deepEqual(getInt(s, ws.SOL_SOCKET, ws.SO_ERROR), { rc: 0, error: 0, value: 0, len: 4 });
    ws.WSASetLastError(0xdeadbeef);
    assert.equal(ws.setsockopt(s, ws.SOL_SOCKET, ws.SO_ERROR, u32(1234), 4), 0);
    assert.equal(lastError(), 0);
    assert.equal(getInt(s, ws.SOL_SOCKET, ws.SO_ERROR).value, 1234);
    assert.equal(getInt(s, ws.SOL_SOCKET, ws.SO_ERROR, 1).error, ws.WSAEFAULT);
  });

  test('SO_ERROR after a refused non-blocking connect: WSAECONNREFUSED, and it stays', () => {
    const closedPort = (() => { const t = listener(); const port = ws.parseSockaddr(nameOf(t)).port; close(t); return port; })();
    const c = sock();
    setBlocking(c, false);
    const rc = ws.connect(c, loop4(closedPort), 16);
    if (rc === ws.SOCKET_ERROR && lastError() === ws.WSAECONNREFUSED) return; // refused at once: nothing pending
    assert.equal(lastError(), ws.WSAEWOULDBLOCK);
    // Wait (bounded) until the refusal has arrived.
    for (let i = 0; i < 200 && getInt(c, ws.SOL_SOCKET, ws.SO_ERROR).value === 0; i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    assert.equal(getInt(c, ws.SOL_SOCKET, ws.SO_ERROR).value, ws.WSAECONNREFUSED);
    assert.equal(getInt(c, ws.SOL_SOCKET, ws.SO_ERROR).value, ws.WSAECONNREFUSED, 'reading does not clear it');
  });

  test('SO_RCVTIMEO / SO_SNDTIMEO in milliseconds', () => {
    const s = sock();
    assert.equal(setInt(s, ws.SOL_SOCKET, ws.SO_RCVTIMEO, 63000), 0);
    assert.equal(getInt(s, ws.SOL_SOCKET, ws.SO_RCVTIMEO).value, 63000);
    assert.equal(setInt(s, ws.SOL_SOCKET, ws.SO_SNDTIMEO, 997000), 0);
    assert.equal(getInt(s, ws.SOL_SOCKET, ws.SO_SNDTIMEO).value, 997000);
  });

  test('bad levels are WSAEINVAL; unknown options WSAENOPROTOOPT; IP multicast options on TCP WSAEINVAL', () => {
    const s = sock();
    for (const level of [0xffffffff, 0x8000, 0x1234ffff, 0x800]) {
      assert.equal(getInt(s, level, ws.SO_RCVTIMEO).error, ws.WSAEINVAL, `getsockopt level ${level}`);
      assert.equal(setInt(s, level, ws.SO_RCVTIMEO, 1), ws.WSAEINVAL, `setsockopt level ${level}`);
    }
    assert.equal(getInt(s, ws.IPPROTO_IP, -1).error, ws.WSAENOPROTOOPT);
    for (const name of [ws.IP_MULTICAST_TTL, ws.IP_MULTICAST_LOOP]) assert.equal(getInt(s, ws.IPPROTO_IP, name).error, ws.WSAEINVAL);
    assert.equal(getInt(sock(ws.AF_INET, ws.SOCK_DGRAM), ws.SOL_SOCKET, ws.SO_KEEPALIVE).error, ws.WSAENOPROTOOPT);
  });

  test('getsockopt: optlen 0 or -1 is WSAEFAULT and optlen is left as it was', () => {
    const s = sock();
    for (const size of [0, -1]) {
      const len = { value: size };
      assert.equal(ws.getsockopt(s, ws.SOL_SOCKET, ws.SO_RCVBUF, new Uint8Array(4), len), ws.SOCKET_ERROR);
      assert.equal(lastError(), ws.WSAEFAULT);
      assert.equal(len.value, size);
    }
  });
});

describe('blocking mode', () => {
  test('sockets start blocking: a blocking accept and recv wait for a peer that comes later (a Worker)', async () => {
    const l = listener();
    assert.equal(setInt(l, ws.SOL_SOCKET, ws.SO_RCVTIMEO, BOUND_MS), 0);
    const port = ws.parseSockaddr(nameOf(l)).port;
    const worker = new Worker(
      `const net = require('node:net');
       const { workerData } = require('node:worker_threads');
       setTimeout(() => {
         const c = net.connect(workerData.port, '127.0.0.1', () => {
           setTimeout(() => c.end('late'), workerData.delay);
         });
         c.on('error', () => {});
       }, workerData.delay);`,
      { eval: true, workerData: { port, delay: 150 } },
    );
    try {
      const s = ws.accept(l, null, null);
      assert.notEqual(s, ws.INVALID_SOCKET, `accept: ${lastError()}`);
      open.add(s);
      assert.equal(getInt(s, ws.SOL_SOCKET, ws.SO_RCVTIMEO).value, BOUND_MS, 'inherited bound');
      const buf = new Uint8Array(16);
      const n = ws.recv(s, buf, 16, 0);
      assert.equal(n, 4, `recv: ${lastError()}`);
      assert.equal(new TextDecoder().decode(buf.subarray(0, 4)), 'late');
      assert.equal(ws.recv(s, buf, 16, 0), 0, 'then the peer\'s FIN');
    } finally {
      await worker.terminate();
    }
  });

  test('SO_RCVTIMEO bounds a blocking recv: WSAETIMEDOUT', () => {
    const { server } = tcpPair();
    assert.equal(setInt(server, ws.SOL_SOCKET, ws.SO_RCVTIMEO, 50), 0);
    assert.equal(ws.recv(server, new Uint8Array(4), 4, 0), ws.SOCKET_ERROR);
    assert.equal(lastError(), ws.WSAETIMEDOUT);
  });

  test('non-blocking mode: recv, accept and connect give WSAEWOULDBLOCK', () => {
    const { server } = tcpPair();
    setBlocking(server, false);
    assert.equal(ws.recv(server, new Uint8Array(4), 4, 0), ws.SOCKET_ERROR);
    assert.equal(lastError(), ws.WSAEWOULDBLOCK);
    const l = listener();
    setBlocking(l, false);
    assert.equal(ws.accept(l, null, null), ws.INVALID_SOCKET);
    assert.equal(lastError(), ws.WSAEWOULDBLOCK);
    const c = sock();
    setBlocking(c, false);
    const rc = ws.connect(c, nameOf(l), 16);
    assert.ok(rc === 0 || lastError() === ws.WSAEWOULDBLOCK, `connect: ${lastError()}`);
  });

  test('host fds stay non-blocking whatever the Winsock mode', () => {
    const { client, server, listener: l } = tcpPair();
    for (const s of [client, server, l, sock(ws.AF_INET6, ws.SOCK_DGRAM)]) {
      assert.ok(hostNonBlocking(s), 'blocking socket');
      setBlocking(s, false);
      assert.ok(hostNonBlocking(s), 'after FIONBIO 1');
      setBlocking(s, true);
      assert.ok(hostNonBlocking(s), 'after FIONBIO 0');
    }
  });
});
