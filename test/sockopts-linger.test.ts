/**
 * SO_LINGER / SO_DONTLINGER and the abortive close, on real loopback sockets.
 * Sources: Wine dlls/ws2_32/tests/sock.c test_set_getsockopt (linger_testvals round trip, NULL
 * values), test_extendedSocketOptions (SO_LINGER on UDP, SO_DONTLINGER = !l_onoff),
 * test_accept_inheritance (SO_LINGER inherited by accept), close_with_rst / test_tcp_reset (a
 * zero linger time closes with an RST; the peer's recv fails with WSAECONNRESET).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ws from 'wsaioctl/winsock';
import { cleanup, closeAll, listener, loopbackName, startup, tcpPair, waitUntil } from './helpers/sockets.js';

before(startup);
after(cleanup);

function linger(onoff: number, seconds: number): Uint8Array {
  const b = new Uint8Array(4);
  const v = new DataView(b.buffer);
  v.setUint16(0, onoff, true);
  v.setUint16(2, seconds, true);
  return b;
}

function getLinger(s: number): { rc: number; error: number; onoff: number; seconds: number; len: number } {
  const b = new Uint8Array(4);
  const len = { value: 4 };
  const rc = ws.getsockopt(s, ws.SOL_SOCKET, ws.SO_LINGER, b, len);
  const v = new DataView(b.buffer);
  return { rc, error: rc === 0 ? 0 : ws.WSAGetLastError(), onoff: v.getUint16(0, true), seconds: v.getUint16(2, true), len: len.value };
}

function getDword(s: number, level: number, name: number): number {
  const b = new Uint8Array(4);
  assert.equal(ws.getsockopt(s, level, name, b, { value: 4 }), 0, `getsockopt ${name}: ${ws.WSAGetLastError()}`);
  return new DataView(b.buffer).getUint32(0, true);
}

describe('SO_LINGER / SO_DONTLINGER', () => {
  test('round trip of {0,0} {0,73} {1,0} {5,189}; SO_DONTLINGER is !l_onoff (test_set_getsockopt, test_extendedSocketOptions)', () => {
    const s = ws.socket(ws.AF_INET, ws.SOCK_STREAM, 0);
    try {
      assert.deepEqual(getLinger(s), { rc: 0, error: 0, onoff: 0, seconds: 0, len: 4 }, 'default: linger off');
      assert.equal(getDword(s, ws.SOL_SOCKET, ws.SO_DONTLINGER), 1);
      for (const [onoff, seconds] of [[0, 0], [0, 73], [1, 0], [5, 189]] as const) {
        assert.equal(ws.setsockopt(s, ws.SOL_SOCKET, ws.SO_LINGER, linger(onoff, seconds), 4), 0);
        const got = getLinger(s);
        assert.equal(got.onoff, onoff, 'l_onoff as set');
        if (onoff) assert.equal(got.seconds, seconds);
        assert.equal(getDword(s, ws.SOL_SOCKET, ws.SO_DONTLINGER), onoff ? 0 : 1);
      }
      // SO_DONTLINGER TRUE turns linger off and keeps the time.
      assert.equal(ws.setsockopt(s, ws.SOL_SOCKET, ws.SO_DONTLINGER, new Uint8Array([1, 0, 0, 0]), 4), 0);
      assert.deepEqual(getLinger(s), { rc: 0, error: 0, onoff: 0, seconds: 189, len: 4 });
    } finally {
      closeAll(s);
    }
  });

  test('NULL values are WSAEFAULT, with optlen 4 or 0 (test_set_getsockopt)', () => {
    const s = ws.socket(ws.AF_INET, ws.SOCK_STREAM, 0);
    try {
      for (const name of [ws.SO_LINGER, ws.SO_DONTLINGER]) {
        for (const size of [4, 0]) {
          assert.equal(ws.setsockopt(s, ws.SOL_SOCKET, name, null, size), ws.SOCKET_ERROR);
          assert.equal(ws.WSAGetLastError(), ws.WSAEFAULT, `${name} optlen ${size}`);
        }
      }
    } finally {
      closeAll(s);
    }
  });

  test('on a UDP socket: WSAENOPROTOOPT (test_extendedSocketOptions)', () => {
    const u = ws.socket(ws.AF_INET, ws.SOCK_DGRAM, 0);
    try {
      assert.equal(getLinger(u).error, ws.WSAENOPROTOOPT);
      assert.equal(ws.setsockopt(u, ws.SOL_SOCKET, ws.SO_LINGER, linger(1, 0), 4), ws.SOCKET_ERROR);
      assert.equal(ws.WSAGetLastError(), ws.WSAENOPROTOOPT);
    } finally {
      closeAll(u);
    }
  });

  test('accept() inherits SO_LINGER {1,555} and the other options (test_accept_inheritance)', () => {
    const l = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
    const c = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
    let server: number = ws.INVALID_SOCKET;
    try {
      const ints: [number, number, number][] = [
        [ws.SOL_SOCKET, ws.SO_REUSEADDR, 1], [ws.SOL_SOCKET, ws.SO_KEEPALIVE, 1], [ws.SOL_SOCKET, ws.SO_OOBINLINE, 1],
        [ws.SOL_SOCKET, ws.SO_SNDBUF, 0x123], [ws.SOL_SOCKET, ws.SO_RCVBUF, 0x123], [ws.SOL_SOCKET, ws.SO_SNDTIMEO, 0x123],
        [ws.SOL_SOCKET, ws.SO_RCVTIMEO, 0x123], [ws.IPPROTO_TCP, ws.TCP_NODELAY, 1],
      ];
      for (const [level, name, value] of ints) {
        const b = new Uint8Array(4);
        new DataView(b.buffer).setUint32(0, value, true);
        assert.equal(ws.setsockopt(l, level, name, b, 4), 0);
      }
      assert.equal(ws.setsockopt(l, ws.SOL_SOCKET, ws.SO_LINGER, linger(1, 555), 4), 0);
      const name = loopbackName('ipv4', 0);
      assert.equal(ws.bind(l, name, name.length), 0);
      assert.equal(ws.listen(l, 1), 0);
      const addr = new Uint8Array(16);
      assert.equal(ws.getsockname(l, addr, { value: 16 }), 0);
      assert.equal(ws.connect(c, addr, 16), 0);
      server = ws.accept(l, null, null);
      assert.notEqual(server, ws.INVALID_SOCKET);
      for (const [level, optname, value] of ints) assert.equal(getDword(server, level, optname) & (optname === ws.SO_KEEPALIVE || optname === ws.TCP_NODELAY ? 0xff : 0xffffffff), value, `option ${optname}`);
      const got = getLinger(server);
      assert.deepEqual([got.onoff, got.seconds], [1, 555]);
    } finally {
      // Linger {1,555} would make closing the accepted socket wait: switch it off first.
      if (server !== ws.INVALID_SOCKET) ws.setsockopt(server, ws.SOL_SOCKET, ws.SO_LINGER, linger(0, 0), 4);
      ws.setsockopt(l, ws.SOL_SOCKET, ws.SO_LINGER, linger(0, 0), 4);
      closeAll(server, c, l);
    }
  });

  test('linger on with time 0: closesocket sends an RST; the peer recv fails with WSAECONNRESET (close_with_rst, test_tcp_reset)', () => {
    const { client, server } = tcpPair();
    try {
      assert.equal(ws.setsockopt(client, ws.SOL_SOCKET, ws.SO_LINGER, linger(1, 0), 4), 0);
      assert.equal(ws.closesocket(client), 0);
      const buf = new Uint8Array(16);
      ws.ioctlsocket(server, ws.FIONBIO, { value: 1 });
      let rc = 0;
      let error = 0;
      assert.ok(waitUntil(() => {
        rc = ws.recv(server, buf, buf.length, 0);
        error = rc === ws.SOCKET_ERROR ? ws.WSAGetLastError() : 0;
        return error !== ws.WSAEWOULDBLOCK;
      }), 'recv ends');
      assert.deepEqual({ rc, error }, { rc: ws.SOCKET_ERROR, error: ws.WSAECONNRESET });
    } finally {
      closeAll(server);
    }
  });

  test('without linger, closesocket is graceful: the peer reads the data, then 0', () => {
    const { client, server } = tcpPair();
    try {
      assert.equal(ws.send(client, new Uint8Array([1, 2, 3]), 3, 0), 3);
      assert.equal(ws.closesocket(client), 0);
      const buf = new Uint8Array(16);
      assert.equal(ws.recv(server, buf, buf.length, 0), 3);
      assert.equal(ws.recv(server, buf, buf.length, 0), 0);
    } finally {
      closeAll(server);
    }
  });

  test('a listener is not needed for the check: linger set before connect survives connect', () => {
    const l = listener();
    const c = ws.socket(ws.AF_INET, ws.SOCK_STREAM, 0);
    try {
      assert.equal(ws.setsockopt(c, ws.SOL_SOCKET, ws.SO_LINGER, linger(1, 7), 4), 0);
      const name = loopbackName('ipv4', l.port);
      assert.equal(ws.connect(c, name, name.length), 0);
      assert.deepEqual([getLinger(c).onoff, getLinger(c).seconds], [1, 7]);
      ws.setsockopt(c, ws.SOL_SOCKET, ws.SO_LINGER, linger(0, 0), 4);
    } finally {
      closeAll(c, l.socket);
    }
  });
});
