/**
 * SIO_KEEPALIVE_VALS on real loopback sockets: the tcp_keepalive input checks, 0 bytes returned,
 * and the result seen through getsockopt (SO_KEEPALIVE, TCP_KEEPALIVE / TCP_KEEPINTVL in whole
 * seconds rounded up, TCP_KEEPCNT = 10 as Windows uses unless the socket was given another).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ws from 'wsaioctl/winsock';
import { startup, cleanup, closeAll, tcpPair, udpPair, listener, ioctl, check } from './helpers/sockets.js';

function getInt(s: number, level: number, name: number): number {
  const v = new Uint8Array(4);
  const len = { value: 4 };
  check(ws.getsockopt(s, level, name, v, len), 'getsockopt');
  return new DataView(v.buffer).getInt32(0, true);
}

function setInt(s: number, level: number, name: number, value: number): void {
  const v = new Uint8Array(4);
  new DataView(v.buffer).setInt32(0, value, true);
  check(ws.setsockopt(s, level, name, v, 4), 'setsockopt');
}

function keepalive(s: number, onoff: number, time: number, interval: number): ReturnType<typeof ioctl> {
  const input = ws.encodeTcpKeepalive({ onoff, keepalivetime: time, keepaliveinterval: interval });
  return ioctl(s, ws.SIO_KEEPALIVE_VALS, input, input.length, null, 0);
}

const state = (s: number) => ({
  on: getInt(s, ws.SOL_SOCKET, ws.SO_KEEPALIVE),
  idle: getInt(s, ws.IPPROTO_TCP, ws.TCP_KEEPALIVE),
  interval: getInt(s, ws.IPPROTO_TCP, ws.TCP_KEEPINTVL),
  count: getInt(s, ws.IPPROTO_TCP, ws.TCP_KEEPCNT),
});

before(startup);
after(cleanup);

describe('SIO_KEEPALIVE_VALS input and handles', () => {
  test('success returns 0 bytes and leaves the input unchanged', () => {
    const { client, server } = tcpPair();
    try {
      const input = ws.encodeTcpKeepalive({ onoff: 1, keepalivetime: 5000, keepaliveinterval: 1000 });
      const copy = Uint8Array.from(input);
      const r = ioctl(client, ws.SIO_KEEPALIVE_VALS, input, input.length, null, 0);
      assert.equal(r.rc, 0);
      assert.equal(r.error, 0);
      assert.equal(r.bytes, 0);
      assert.deepEqual([...input], [...copy]);
    } finally {
      closeAll(client, server);
    }
  });

  test('input shorter than 12 bytes: WSAEFAULT with 0 bytes returned', () => {
    const { client, server } = tcpPair();
    try {
      const input = ws.encodeTcpKeepalive({ onoff: 1, keepalivetime: 5000, keepaliveinterval: 1000 });
      for (const size of [0, 4, 11]) {
        const r = ioctl(client, ws.SIO_KEEPALIVE_VALS, input, size, null, 0);
        assert.equal(r.rc, ws.SOCKET_ERROR);
        assert.equal(r.error, ws.WSAEFAULT);
        assert.equal(r.bytes, 0);
      }
      assert.equal(getInt(client, ws.SOL_SOCKET, ws.SO_KEEPALIVE), 0, 'nothing applied');
    } finally {
      closeAll(client, server);
    }
  });

  test('null or over-claimed input: WSAEFAULT', () => {
    const { client, server } = tcpPair();
    try {
      assert.equal(ioctl(client, ws.SIO_KEEPALIVE_VALS, null, 12, null, 0).error, ws.WSAEFAULT);
      assert.equal(ioctl(client, ws.SIO_KEEPALIVE_VALS, new Uint8Array(8), 12, null, 0).error, ws.WSAEFAULT);
    } finally {
      closeAll(client, server);
    }
  });

  test('a longer input is fine; an output buffer is not written', () => {
    const { client, server } = tcpPair();
    try {
      const input = new Uint8Array(16);
      input.set(ws.encodeTcpKeepalive({ onoff: 1, keepalivetime: 3000, keepaliveinterval: 3000 }));
      const out = new Uint8Array(12).fill(0xa5);
      const r = ioctl(client, ws.SIO_KEEPALIVE_VALS, input, 16, out, 12);
      assert.equal(r.rc, 0);
      assert.equal(r.bytes, 0);
      assert.ok(out.every((b) => b === 0xa5));
      assert.equal(getInt(client, ws.IPPROTO_TCP, ws.TCP_KEEPALIVE), 3);
    } finally {
      closeAll(client, server);
    }
  });

  test('datagram socket: WSAENOPROTOOPT', () => {
    const { receiver, sender } = udpPair();
    try {
      const r = keepalive(receiver, 1, 1000, 1000);
      assert.equal(r.rc, ws.SOCKET_ERROR);
      assert.equal(r.error, ws.WSAENOPROTOOPT);
    } finally {
      closeAll(receiver, sender);
    }
  });

  test('closed and bogus handles: WSAENOTSOCK', () => {
    const s = check(ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP), 'socket');
    ws.closesocket(s);
    for (const handle of [s, 0x7ffff000]) assert.equal(keepalive(handle, 1, 1000, 1000).error, ws.WSAENOTSOCK);
  });
});

describe('SIO_KEEPALIVE_VALS effect', () => {
  test('on: SO_KEEPALIVE, idle and interval in seconds, 10 probes', () => {
    const { client, server } = tcpPair();
    try {
      assert.equal(keepalive(client, 1, 5000, 1000).rc, 0);
      assert.deepEqual(state(client), { on: 1, idle: 5, interval: 1, count: 10 });
    } finally {
      closeAll(client, server);
    }
  });

  test('milliseconds are rounded up to whole seconds, at least 1', () => {
    const { client, server } = tcpPair();
    try {
      assert.equal(keepalive(client, 1, 1500, 2001).rc, 0);
      assert.deepEqual(state(client), { on: 1, idle: 2, interval: 3, count: 10 });
      assert.equal(keepalive(client, 1, 1, 999).rc, 0);
      assert.deepEqual(state(client), { on: 1, idle: 1, interval: 1, count: 10 });
      assert.equal(keepalive(client, 1, 0, 0).rc, 0, 'Windows accepts zero times');
      assert.deepEqual(state(client), { on: 1, idle: 1, interval: 1, count: 10 });
    } finally {
      closeAll(client, server);
    }
  });

  test('times beyond what Linux takes are clamped to 32767 s', () => {
    const { client, server } = tcpPair();
    try {
      assert.equal(keepalive(client, 1, 0xffffffff, 40_000_000).rc, 0);
      assert.deepEqual(state(client), { on: 1, idle: 32767, interval: 32767, count: 10 });
    } finally {
      closeAll(client, server);
    }
  });

  test('off: SO_KEEPALIVE cleared, the times ignored', () => {
    const { client, server } = tcpPair();
    try {
      assert.equal(keepalive(client, 1, 7000, 2000).rc, 0);
      assert.equal(keepalive(client, 0, 100_000, 100_000).rc, 0);
      assert.deepEqual(state(client), { on: 0, idle: 7, interval: 2, count: 10 });
      assert.equal(keepalive(client, 0, 0, 0).rc, 0);
      assert.equal(getInt(client, ws.SOL_SOCKET, ws.SO_KEEPALIVE), 0);
    } finally {
      closeAll(client, server);
    }
  });

  test('works before connect and on a listening socket (values inherited by accept)', () => {
    const fresh = check(ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP), 'socket');
    const l = listener();
    let client = ws.INVALID_SOCKET;
    let server = ws.INVALID_SOCKET;
    try {
      assert.equal(keepalive(fresh, 1, 4000, 2000).rc, 0);
      assert.deepEqual(state(fresh), { on: 1, idle: 4, interval: 2, count: 10 });
      assert.equal(keepalive(l.socket, 1, 9000, 3000).rc, 0);
      client = check(ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP), 'socket');
      const to = ws.sockaddr('127.0.0.1', l.port);
      check(ws.connect(client, to, to.length), 'connect');
      server = check(ws.accept(l.socket, null, null), 'accept');
      assert.deepEqual(state(server), { on: 1, idle: 9, interval: 3, count: 10 });
    } finally {
      closeAll(fresh, l.socket, client, server);
    }
  });

  test('the probe count is the socket\'s own: a TCP_KEEPCNT set before stays (Windows 10 1703 and later)', () => {
    const { client, server } = tcpPair();
    try {
      setInt(client, ws.IPPROTO_TCP, ws.TCP_KEEPCNT, 3);
      assert.equal(keepalive(client, 1, 6000, 2000).rc, 0);
      assert.deepEqual(state(client), { on: 1, idle: 6, interval: 2, count: 3 });
    } finally {
      closeAll(client, server);
    }
  });

  test('setsockopt changes after the IOCTL are visible the same way', () => {
    const { client, server } = tcpPair();
    try {
      assert.equal(keepalive(client, 1, 5000, 1000).rc, 0);
      setInt(client, ws.IPPROTO_TCP, ws.TCP_KEEPALIVE, 60);
      assert.equal(getInt(client, ws.IPPROTO_TCP, ws.TCP_KEEPALIVE), 60);
    } finally {
      closeAll(client, server);
    }
  });
});
