/**
 * select (Windows' fd_set and its macros) and WSAPoll on the emulation, on real loopback sockets,
 * plus the memory a pending receive costs. Sources: the select and WSAPoll reference pages and
 * winsock2.h (FD_SETSIZE 64, fd_set = count + array, POLL* values), Wine's sock.c test_select /
 * test_poll, and issue 14's target (under 1 KiB per pending receive besides its buffer).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as ws from 'wsaioctl/winsock';
import { startup, cleanup, check, closeAll, tcpPair, listener } from './helpers/sockets.js';

before(startup);
after(cleanup);

const set = (...s: number[]): ws.fd_set => {
  const out: ws.fd_set = { fd_count: 0, fd_array: [] };
  for (const x of s) ws.FD_SET(x, out);
  return out;
};
const ZERO: ws.TIMEVAL = { tv_sec: 0, tv_usec: 0 };

describe('fd_set macros (winsock2.h)', () => {
  test('FD_SET appends once, up to FD_SETSIZE; FD_CLR closes the gap; FD_ZERO empties; FD_ISSET looks at fd_count entries', () => {
    const s: ws.fd_set = { fd_count: 0, fd_array: [] };
    ws.FD_SET(5, s);
    ws.FD_SET(7, s);
    ws.FD_SET(5, s);
    assert.deepEqual(s, { fd_count: 2, fd_array: [5, 7] });
    assert.equal(ws.FD_ISSET(7, s), true);
    ws.FD_CLR(5, s);
    assert.deepEqual(s, { fd_count: 1, fd_array: [7] });
    for (let i = 100; i < 200; i++) ws.FD_SET(i, s);
    assert.equal(s.fd_count, ws.FD_SETSIZE);
    ws.FD_ZERO(s);
    assert.deepEqual(s, { fd_count: 0, fd_array: [] });
    assert.equal(ws.FD_ISSET(7, s), false);
    // Not an fd_set: nothing happens, nothing throws.
    assert.doesNotThrow(() => ws.FD_SET(1, null as unknown as ws.fd_set));
    assert.equal(ws.FD_ISSET(1, Object.freeze({ fd_count: 1, fd_array: [1] })), true);
  });
});

describe('select', () => {
  test('readfds keeps the socket with data, writefds a connected socket, the rest are removed; the count covers all sets', () => {
    const { client, server } = tcpPair();
    const r = set(server, client);
    const w = set(client);
    assert.equal(ws.send(client, Uint8Array.of(1, 2, 3), 3, 0), 3);
    let n = 0;
    for (let i = 0; i < 200 && n !== 2; i++) {
      const rr = set(server, client);
      const ww = set(client);
      n = ws.select(0, rr, ww, null, { tv_sec: 0, tv_usec: 10000 });
      if (n === 2) {
        r.fd_array = rr.fd_array; r.fd_count = rr.fd_count; w.fd_array = ww.fd_array; w.fd_count = ww.fd_count;
      }
    }
    assert.equal(n, 2);
    assert.deepEqual(r, { fd_count: 1, fd_array: [server] });
    assert.deepEqual(w, { fd_count: 1, fd_array: [client] });
    closeAll(client, server);
  });

  test('a listener is readable when a connection waits; time-out empties the sets and returns 0', () => {
    const l = listener();
    const r = set(l.socket);
    assert.equal(ws.select(0, r, null, null, ZERO), 0);
    assert.deepEqual(r, { fd_count: 0, fd_array: [] });
    const c = check(ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP), 'socket');
    assert.equal(ws.connect(c, ws.sockaddr('127.0.0.1', l.port), 16), 0);
    const r2 = set(l.socket);
    assert.equal(ws.select(0, r2, null, null, { tv_sec: 2, tv_usec: 0 }), 1);
    assert.equal(ws.FD_ISSET(l.socket, r2), true);
    closeAll(c, l.socket);
  });

  test('blocks until data arrives (no busy wait: waits in the kernel) and reports a peer close as readable', () => {
    const { client, server } = tcpPair();
    closeAll(client);
    const r = set(server);
    assert.equal(ws.select(0, r, null, null, null), 1);
    assert.equal(ws.recv(server, new Uint8Array(4), 4, 0), 0, 'readable because closed');
    closeAll(server);
  });

  test('an unconnected stream socket is in no set (Wine sock.c test_select)', () => {
    const s = check(ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP), 'socket');
    assert.equal(ws.select(0, set(s), set(s), set(s), ZERO), 0);
    closeAll(s);
  });

  test('no socket at all: WSAEINVAL; a handle that is not a socket: WSAENOTSOCK; a bad set: WSAEFAULT; sets untouched on failure', () => {
    assert.equal(ws.select(0, null, null, null, ZERO), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEINVAL);
    assert.equal(ws.select(0, set(), set(), null, ZERO), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEINVAL);
    const bad = set(0x7ffff);
    assert.equal(ws.select(0, bad, null, null, ZERO), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAENOTSOCK);
    assert.deepEqual(bad, { fd_count: 1, fd_array: [0x7ffff] });
    assert.equal(ws.select(0, { fd_count: 3, fd_array: [1] }, null, null, ZERO), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEFAULT);
  });

  test('selectAsync resolves when the socket becomes readable, without blocking the event loop', async () => {
    const { client, server } = tcpPair();
    const r = set(server);
    const pending = ws.selectAsync(0, r, null, null, { tv_sec: 5, tv_usec: 0 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(ws.send(client, Uint8Array.of(9), 1, 0), 1);
    assert.equal(await pending, 1);
    assert.equal(ws.FD_ISSET(server, r), true);
    closeAll(client, server);
  });
});

describe('WSAPoll', () => {
  test('POLLRDNORM for data, POLLWRNORM for a writable socket, only the bits asked (Wine sock.c test_poll)', () => {
    const { client, server } = tcpPair();
    assert.equal(ws.send(client, Uint8Array.of(1), 1, 0), 1);
    const fds: ws.WSAPOLLFD[] = [
      { fd: server, events: ws.POLLRDNORM, revents: 0xdead },
      { fd: client, events: ws.POLLWRNORM | ws.POLLRDNORM, revents: 0xdead },
    ];
    assert.equal(ws.WSAPoll(fds, 2, 2000), 2);
    assert.equal(fds[0]!.revents, ws.POLLRDNORM);
    assert.equal(fds[1]!.revents, ws.POLLWRNORM);
    closeAll(client, server);
  });

  test('POLLHUP when the peer closed; POLLNVAL (counted) for a handle that is not a socket; time-out 0 clears revents', () => {
    const { client, server } = tcpPair();
    const fds: ws.WSAPOLLFD[] = [{ fd: server, events: ws.POLLRDNORM, revents: 0 }];
    assert.equal(ws.WSAPoll(fds, 1, 0), 0);
    assert.equal(fds[0]!.revents, 0);
    closeAll(client);
    assert.equal(ws.WSAPoll(fds, 1, 2000), 1);
    assert.equal(fds[0]!.revents & ws.POLLHUP, ws.POLLHUP);
    const bad: ws.WSAPOLLFD[] = [{ fd: 0x7ffff, events: ws.POLLRDNORM, revents: 0 }];
    assert.equal(ws.WSAPoll(bad, 1, 0), 1);
    assert.equal(bad[0]!.revents, ws.POLLNVAL);
    closeAll(server);
  });

  test('no entries: WSAEINVAL; more entries claimed than given: WSAEFAULT', () => {
    assert.equal(ws.WSAPoll([], 0, 0), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEINVAL);
    assert.equal(ws.WSAPoll([{ fd: 1, events: ws.POLLIN, revents: 0 }], 2, 0), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEFAULT);
  });

  test('WSAPollAsync resolves when data arrives', async () => {
    const { client, server } = tcpPair();
    const fds: ws.WSAPOLLFD[] = [{ fd: server, events: ws.POLLIN, revents: 0 }];
    const pending = ws.WSAPollAsync(fds, 1, 5000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(ws.send(client, Uint8Array.of(1), 1, 0), 1);
    assert.equal(await pending, 1);
    assert.equal(fds[0]!.revents, ws.POLLRDNORM);
    closeAll(client, server);
  });
});

describe('cost of pending receives (issue 14: memory, not CPU)', () => {
  test('2000 pending zero-length receives cost under 1 KiB of heap each (the caller\'s WSAOVERLAPPED and WSABUF not counted), and complete when data comes', (t) => {
    const COUNT = 2000;
    const pairs = Array.from({ length: 20 }, () => tcpPair());
    const port = ws.CreateIoCompletionPort(pairs[0]!.server, 0, 1, 0);
    for (const p of pairs.slice(1)) ws.CreateIoCompletionPort(p.server, port, 1, 0);
    const list: ws.WSABUF[] = [{ len: 0, buf: null }];
    const ovs: ws.WSAOVERLAPPED[] = Array.from({ length: COUNT }, () => new ws.WSAOVERLAPPED());
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const before = process.memoryUsage().heapUsed;
    const flags = { value: 0 };
    for (let i = 0; i < COUNT; i++) {
      assert.equal(ws.WSARecv(pairs[i % pairs.length]!.server, list, 1, null, flags, ovs[i]!, null), ws.SOCKET_ERROR);
    }
    gc();
    const perOp = (process.memoryUsage().heapUsed - before) / COUNT;
    t.diagnostic(`heap per pending receive: ${perOp.toFixed(0)} bytes`);
    assert.ok(perOp < 1024, `heap per pending receive: ${perOp.toFixed(0)} bytes`);
    for (const p of pairs) assert.equal(ws.send(p.client, Uint8Array.of(1), 1, 0), 1);
    let done = 0;
    for (let i = 0; i < COUNT * 2 && done < COUNT; i++) {
      const ov: { value: ws.WSAOVERLAPPED | null } = { value: null };
      if (ws.GetQueuedCompletionStatus(port, { value: 0 }, { value: 0 }, ov, 2000)) done++;
      else break;
    }
    assert.equal(done, COUNT);
    ws.CloseHandle(port);
    for (const p of pairs) closeAll(p.client, p.server);
  });

  test('one pending 64-byte receive on each of 500 connections costs under 1 KiB beyond its buffer (a server\'s shape; bench/echo-memory.mjs)', (t) => {
    const CONNECTIONS = 500;
    const BUFFER = 64;
    const pairs = Array.from({ length: CONNECTIONS }, () => tcpPair());
    const port = ws.CreateIoCompletionPort(ws.INVALID_HANDLE_VALUE, 0, 0, 1);
    pairs.forEach((p, i) => assert.equal(ws.CreateIoCompletionPort(p.server, port, i, 0), port));
    const calls = pairs.map(() => ({ list: [{ len: BUFFER, buf: new Uint8Array(BUFFER) }], flags: { value: 0 }, ov: new ws.WSAOVERLAPPED() }));
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // heap and external: a caller's small buffer may move off the heap once the library views it.
    const used = (): number => {
      gc();
      const m = process.memoryUsage();
      return m.heapUsed + m.external;
    };
    const before = used();
    pairs.forEach((p, i) => {
      const { list, flags, ov } = calls[i]!;
      assert.equal(ws.WSARecv(p.server, list, 1, null, flags, ov, null), ws.SOCKET_ERROR);
      assert.equal(ws.WSAGetLastError(), ws.WSA_IO_PENDING);
    });
    const perReceive = (used() - before) / CONNECTIONS;
    t.diagnostic(`heap + external per pending receive, one per connection: ${perReceive.toFixed(0)} bytes`);
    assert.ok(perReceive < 1024 + BUFFER, `${perReceive.toFixed(0)} bytes per pending receive`);
    for (const p of pairs) assert.equal(ws.send(p.client, Uint8Array.of(7), 1, 0), 1);
    let done = 0;
    for (let i = 0; i < CONNECTIONS * 2 && done < CONNECTIONS; i++) {
      if (ws.GetQueuedCompletionStatus(port, { value: 0 }, { value: 0 }, { value: null }, 2000)) done++;
      else break;
    }
    assert.equal(done, CONNECTIONS, 'each receive completes when its byte comes');
    ws.CloseHandle(port);
    for (const p of pairs) closeAll(p.client, p.server);
  });
});
