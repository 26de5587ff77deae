/**
 * fromNodeSocket: a SOCKET for each kind of Node socket, the errors for sockets without an OS
 * socket, and the borrowed rules of docs/principles.md, principle 3 (O_NONBLOCK never changed, closesocket
 * only detaches, a closed Node socket is WSAENOTSOCK even when its fd number is reused, nothing
 * reads Node's data: a 10 MB echo still arrives intact after and during a battery of IOCTLs).
 * Loopback only.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import * as ws from 'wsaioctl/winsock';
import { fromNodeSocket, WinsockError, bytesAvailable, tcpInfo, atUrgentMark, setKeepAlive } from 'wsaioctl';
import {
  boundUdp, fdFlags, fdOf, fdTarget, ipv6Loopback, listening, O_NONBLOCK, tcpTrio, until,
} from './helpers/node-sockets.js';

const linux = ws.backendName === 'linux-emulation';

function intOption(s: number, level: number, name: number): number {
  const value = new Uint8Array(4);
  assert.equal(ws.getsockopt(s, level, name, value, { value: 4 }), 0, `getsockopt(${level}, ${name}): ${ws.WSAGetLastError()}`);
  return new DataView(value.buffer).getInt32(0, true);
}

const socketType = (s: number): number => intOption(s, ws.SOL_SOCKET, ws.SO_TYPE);

function localPort(s: number): number {
  const name = new Uint8Array(28);
  const len = { value: name.length };
  assert.equal(ws.getsockname(s, name, len), 0, `getsockname: ${ws.WSAGetLastError()}`);
  return ws.parseSockaddr(name.subarray(0, len.value)).port;
}

function ioctlsocketError(s: number, cmd: number, value = 0): number {
  const arg = { value };
  return ws.ioctlsocket(s, cmd, arg) === 0 ? 0 : ws.WSAGetLastError();
}

function assertWinsockError(fn: () => unknown, code: string, syscall = 'fromNodeSocket'): WinsockError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof WinsockError, `expected a WinsockError, got ${String(caught)}`);
  assert.equal(caught.code, code);
  assert.equal(caught.errno, (ws as unknown as Record<string, number>)[code]);
  assert.equal(caught.syscall, syscall);
  assert.match(caught.message, new RegExp(code));
  return caught;
}

describe('fromNodeSocket: each kind of Node socket', { skip: !linux && 'Node does not expose SOCKETs on Windows' }, () => {
  test('net.Socket (client and accepted peer), IPv4', async () => {
    const trio = await tcpTrio();
    try {
      const s = fromNodeSocket(trio.client);
      const p = fromNodeSocket(trio.peer);
      assert.notEqual(s, ws.INVALID_SOCKET);
      assert.notEqual(s, p);
      assert.equal(socketType(s), ws.SOCK_STREAM);
      assert.equal(localPort(s), trio.client.localPort);
      assert.equal(localPort(p), trio.peer.localPort);
      // Each call gives a new SOCKET for the same Node socket.
      const again = fromNodeSocket(trio.client);
      assert.notEqual(again, s);
      assert.equal(localPort(again), trio.client.localPort);
      for (const x of [s, p, again]) assert.equal(ws.closesocket(x), 0);
    } finally {
      await trio.close();
    }
  });

  test('net.Socket over IPv6', async (t) => {
    if (!(await ipv6Loopback())) return t.skip('no ::1 here');
    const trio = await tcpTrio('::1');
    try {
      const s = fromNodeSocket(trio.client);
      const name = new Uint8Array(28);
      const len = { value: 28 };
      assert.equal(ws.getsockname(s, name, len), 0);
      assert.equal(len.value, 28);
      const info = ws.parseSockaddr(name);
      assert.equal(info.family, ws.AF_INET6);
      assert.equal(info.address, '::1');
      ws.closesocket(s);
    } finally {
      await trio.close();
    }
  });

  test('tls.TLSSocket wrapping a connection', async () => {
    const trio = await tcpTrio();
    const secure = new tls.TLSSocket(trio.client);
    secure.on('error', () => {});
    try {
      const s = fromNodeSocket(secure);
      assert.equal(socketType(s), ws.SOCK_STREAM);
      assert.equal(localPort(s), trio.client.localPort);
      ws.closesocket(s);
    } finally {
      secure.destroy();
      await trio.close();
    }
  });

  test('net.Server (listening)', async () => {
    const server = await listening();
    try {
      const s = fromNodeSocket(server);
      assert.equal(socketType(s), ws.SOCK_STREAM);
      assert.equal(localPort(s), (server.address() as net.AddressInfo).port);
      const value = new Uint8Array(4);
      const len = { value: 4 };
      assert.equal(ws.getsockopt(s, ws.SOL_SOCKET, ws.SO_ACCEPTCONN, value, len), 0);
      assert.equal(value[0], 1);
      ws.closesocket(s);
    } finally {
      server.close();
    }
  });

  test('dgram.Socket after bind (udp4 and udp6)', async (t) => {
    const kinds: Array<'udp4' | 'udp6'> = (await ipv6Loopback()) ? ['udp4', 'udp6'] : ['udp4'];
    for (const kind of kinds) {
      const sock = await boundUdp(kind);
      try {
        const s = fromNodeSocket(sock);
        assert.equal(socketType(s), ws.SOCK_DGRAM, kind);
        assert.equal(localPort(s), sock.address().port, kind);
        ws.closesocket(s);
      } finally {
        sock.close();
      }
    }
    if (kinds.length === 1) t.diagnostic('udp6 skipped: no ::1 here');
  });
});

describe('fromNodeSocket: SIO_KEEPALIVE_VALS on sockets Node made', { skip: !linux && 'Node does not expose SOCKETs on Windows' }, () => {
  const keepaliveOn = (s: number): void => {
    const input = ws.encodeTcpKeepalive({ onoff: 1, keepalivetime: 7000, keepaliveinterval: 2000 });
    assert.equal(ws.WSAIoctl(s, ws.SIO_KEEPALIVE_VALS, input, input.length, null, 0, { value: 0 }, null, null), 0);
  };

  test('a borrowed socket, and one accepted from a borrowed listener, get Windows\' 10 probes', async () => {
    const trio = await tcpTrio();
    const listener = fromNodeSocket(trio.server);
    let accepted: number = ws.INVALID_SOCKET;
    let caller: number = ws.INVALID_SOCKET;
    try {
      const s = fromNodeSocket(trio.client);
      assert.notEqual(intOption(s, ws.IPPROTO_TCP, ws.TCP_KEEPCNT), 10, 'Node leaves Linux\' own count');
      keepaliveOn(s);
      assert.equal(intOption(s, ws.IPPROTO_TCP, ws.TCP_KEEPCNT), 10);
      assert.equal(intOption(s, ws.IPPROTO_TCP, ws.TCP_KEEPALIVE), 7);
      assert.equal(ws.closesocket(s), 0);
      // accept() on the borrowed listener, all in this tick so Node's own accept cannot take the
      // connection first (a loopback connect is queued on the listener when connect returns).
      caller = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
      const to = ws.sockaddr('127.0.0.1', (trio.server.address() as net.AddressInfo).port);
      assert.equal(ws.connect(caller, to, to.length), 0, `connect: ${ws.WSAGetLastError()}`);
      accepted = ws.accept(listener, null, null);
      assert.notEqual(accepted, ws.INVALID_SOCKET, `accept: ${ws.WSAGetLastError()}`);
      // The new socket never had Windows' defaults either.
      assert.notEqual(intOption(accepted, ws.IPPROTO_TCP, ws.TCP_KEEPCNT), 10);
      keepaliveOn(accepted);
      assert.equal(intOption(accepted, ws.IPPROTO_TCP, ws.TCP_KEEPCNT), 10);
    } finally {
      for (const x of [accepted, caller, listener]) if (x !== ws.INVALID_SOCKET) ws.closesocket(x);
      await trio.close();
    }
  });
});

describe('fromNodeSocket: sockets without an OS socket, and bad arguments', { skip: !linux && 'Linux backend only' }, () => {
  test('a dgram.Socket before bind is WSAENOTSOCK with a reason', async () => {
    const sock = dgram.createSocket('udp4');
    try {
      const error = assertWinsockError(() => fromNodeSocket(sock), 'WSAENOTSOCK');
      assert.match(error.message, /bind/);
    } finally {
      sock.close();
    }
  });

  test('a net.Socket not connected yet, a net.Server not listening, closed ones', async () => {
    const fresh = new net.Socket();
    assert.match(assertWinsockError(() => fromNodeSocket(fresh), 'WSAENOTSOCK').message, /not connected/);
    fresh.destroy();
    const idle = net.createServer();
    assert.match(assertWinsockError(() => fromNodeSocket(idle), 'WSAENOTSOCK').message, /not listening/);
    const trio = await tcpTrio();
    await trio.close();
    assert.match(assertWinsockError(() => fromNodeSocket(trio.client), 'WSAENOTSOCK').message, /closed/);
    const udp = await boundUdp();
    udp.close();
    assertWinsockError(() => fromNodeSocket(udp), 'WSAENOTSOCK');
  });

  test('a dgram.Socket whose handle this Node version would hide: WinsockError, not a crash', () => {
    const hidden = Object.create(dgram.Socket.prototype) as dgram.Socket;
    const error = assertWinsockError(() => fromNodeSocket(hidden), 'WSAEOPNOTSUPP');
    assert.match(error.message, /hides the dgram\.Socket handle/);
  });

  test('anything else is a TypeError', () => {
    for (const value of [null, undefined, 42, 'socket', {}, { _handle: { fd: 1 } }]) {
      assert.throws(() => fromNodeSocket(value as never), (error: unknown) =>
        error instanceof TypeError && (error as { code?: string }).code === 'ERR_INVALID_ARG_TYPE');
    }
  });
});

describe('borrowed sockets (docs/principles.md, principle 3)', { skip: !linux && 'Linux backend only' }, () => {
  test('FIONBIO is a Winsock flag: the host fd keeps O_NONBLOCK, its flags never change', async () => {
    const trio = await tcpTrio();
    const udp = await boundUdp();
    try {
      for (const node of [trio.client, trio.peer, trio.server, udp]) {
        const fd = fdOf(node);
        const before = fdFlags(fd);
        assert.ok(before & O_NONBLOCK, 'Node fds are non-blocking');
        const s = fromNodeSocket(node);
        assert.equal(ioctlsocketError(s, ws.FIONBIO, 0), 0);
        assert.equal(fdFlags(fd), before, 'blocking mode must not clear O_NONBLOCK');
        assert.equal(ioctlsocketError(s, ws.FIONBIO, 1), 0);
        assert.equal(fdFlags(fd), before);
        assert.equal(ioctlsocketError(s, ws.FIONBIO, 0), 0);
        assert.equal(ws.closesocket(s), 0);
        assert.equal(fdFlags(fd), before);
      }
    } finally {
      udp.close();
      await trio.close();
    }
  });

  test('closesocket detaches: the fd stays open and the Node socket keeps working', async () => {
    const trio = await tcpTrio();
    try {
      const fd = fdOf(trio.client);
      const s = fromNodeSocket(trio.client);
      assert.equal(ws.closesocket(s), 0);
      assert.match(fdTarget(fd) ?? 'closed', /^socket:/, 'the fd is still open');
      assert.equal(fdOf(trio.client), fd);
      assert.equal(ioctlsocketError(s, ws.FIONREAD), ws.WSAENOTSOCK, 'the detached SOCKET is gone');
      assert.equal(ws.closesocket(s), ws.SOCKET_ERROR);
      assert.equal(ws.WSAGetLastError(), ws.WSAENOTSOCK);
      trio.client.write('ping');
      const [chunk] = await once(trio.peer, 'data');
      assert.equal(String(chunk), 'ping');
      // A new SOCKET for the same Node socket works.
      const again = fromNodeSocket(trio.client);
      assert.equal(ioctlsocketError(again, ws.FIONREAD), 0);
      ws.closesocket(again);
    } finally {
      await trio.close();
    }
  });

  test('a closed Node socket is WSAENOTSOCK at once, and after another socket reuses its fd number', async () => {
    const trio = await tcpTrio();
    const fillers: number[] = [];
    let reuser = ws.INVALID_SOCKET;
    try {
      const fd = fdOf(trio.client);
      const s = fromNodeSocket(trio.client);
      assert.equal(ioctlsocketError(s, ws.FIONREAD), 0);
      trio.client.destroy();
      // Before Node's 'close' event: the fd is already closed and the SOCKET knows it.
      assert.equal(ioctlsocketError(s, ws.FIONREAD), ws.WSAENOTSOCK);
      // Fill every free fd number up to the old one, then put a socket on exactly that number.
      for (let i = 0; i < 4096; i++) {
        const filler = openSync('/dev/null', 'r');
        fillers.push(filler);
        if (filler === fd) break;
      }
      assert.equal(fillers.at(-1), fd, 'the old fd number came back');
      closeSync(fillers.pop()!);
      reuser = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
      assert.notEqual(reuser, ws.INVALID_SOCKET);
      assert.match(fdTarget(fd) ?? '', /^socket:/, 'a new socket now has the old number');
      for (const cmd of [ws.FIONREAD, ws.FIONBIO]) assert.equal(ioctlsocketError(s, cmd), ws.WSAENOTSOCK);
      const out = new Uint8Array(4);
      const bytes = { value: 0 };
      assert.equal(ws.WSAIoctl(s, ws.SIOCATMARK, null, 0, out, 4, bytes, null, null), ws.SOCKET_ERROR);
      assert.equal(ws.WSAGetLastError(), ws.WSAENOTSOCK);
      assert.equal(ws.closesocket(s), ws.SOCKET_ERROR);
      assert.equal(ws.WSAGetLastError(), ws.WSAENOTSOCK);
      // The friendly API says the same through its cached SOCKETs.
      assert.throws(() => bytesAvailable(trio.client), (e: unknown) => e instanceof WinsockError && e.code === 'WSAENOTSOCK');
    } finally {
      if (reuser !== ws.INVALID_SOCKET) ws.closesocket(reuser);
      for (const filler of fillers) closeSync(filler);
      await trio.close();
    }
  });

  test('SOCKETs are detached when the Node socket emits close', async () => {
    const udp = await boundUdp();
    const s = fromNodeSocket(udp);
    assert.equal(ioctlsocketError(s, ws.FIONREAD), 0);
    ws.WSASetLastError(1234);
    udp.close();
    await once(udp, 'close');
    assert.equal(ws.WSAGetLastError(), 1234, 'the detach does not disturb the last error');
    assert.equal(ioctlsocketError(s, ws.FIONREAD), ws.WSAENOTSOCK);
  });
});

/** Every IOCTL of the battery on a fresh SOCKET for `node`, then closesocket. */
function battery(node: net.Socket | net.Server | dgram.Socket, stream: boolean, connected: boolean): void {
  const s = fromNodeSocket(node);
  const call = (code: number, input: Uint8Array | null, outSize: number) => {
    const out = outSize ? new Uint8Array(outSize) : null;
    const bytes = { value: 0 };
    const rc = ws.WSAIoctl(s, code, input, input?.length ?? 0, out, outSize, bytes, null, null);
    assert.equal(rc, 0, `WSAIoctl(${ws.namesOfValue(code)[0]}) failed with ${ws.WSAGetLastError()}`);
    return out;
  };
  assert.equal(ioctlsocketError(s, ws.FIONBIO, 1), 0);
  call(ws.FIONREAD, null, 4);
  assert.equal(ioctlsocketError(s, ws.FIONBIO, 0), 0);
  call(ws.FIONREAD, null, 4);
  if (stream) {
    call(ws.SIOCATMARK, null, 4);
    call(ws.SIO_KEEPALIVE_VALS, ws.encodeTcpKeepalive({ onoff: 1, keepalivetime: 60_000, keepaliveinterval: 5_000 }), 0);
    const info = call(ws.SIO_TCP_INFO, new Uint8Array([1, 0, 0, 0]), ws.TCP_INFO_V1_SIZE)!;
    if (connected) assert.equal(ws.decodeTcpInfo(info, 1).State, ws.TCPSTATE_ESTABLISHED);
  }
  assert.equal(ioctlsocketError(s, ws.FIONBIO, 1), 0);
  assert.equal(ws.closesocket(s), 0);
}

async function echo(client: net.Socket, payload: Buffer, during?: () => void): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let received = 0;
  const done = new Promise<void>((resolve, reject) => {
    client.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      during?.();
      if (received >= payload.length) resolve();
    });
    client.once('error', reject);
    client.once('close', () => (received >= payload.length ? resolve() : reject(new Error(`closed after ${received} bytes`))));
  });
  client.write(payload);
  await done;
  return Buffer.concat(chunks);
}

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('Node sockets still work after the IOCTLs', { skip: !linux && 'Linux backend only' }, () => {
  test('10 MB echo after a battery of IOCTLs and closesocket on every socket, and during more', { timeout: 120_000 }, async () => {
    const trio = await tcpTrio();
    try {
      battery(trio.client, true, true);
      battery(trio.peer, true, true);
      battery(trio.server, true, false);
      battery(trio.client, true, true); // twice on the same Node socket
      setKeepAlive(trio.client, { idleMs: 30_000, intervalMs: 3_000 });
      trio.peer.pipe(trio.peer);
      const payload = randomBytes(10 * 1024 * 1024);
      let calls = 0;
      const back = await echo(trio.client, payload, () => {
        // While data flows: queries on the cached SOCKETs never take bytes from Node.
        if (calls++ < 10_000) {
          assert.ok(bytesAvailable(trio.client) >= 0);
          assert.equal(typeof atUrgentMark(trio.client), 'boolean');
          assert.equal(tcpInfo(trio.peer).stateName, 'ESTABLISHED');
        }
      });
      assert.equal(back.length, payload.length);
      assert.equal(sha(back), sha(payload));
      assert.ok(calls > 0);
      // And the connection is still healthy after the transfer.
      battery(trio.client, true, true);
      trio.client.write('tail');
      const [tail] = await once(trio.client, 'data');
      assert.equal(String(tail), 'tail');
    } finally {
      await trio.close();
    }
  });

  test('dgram echo after a battery of IOCTLs', async () => {
    const a = await boundUdp();
    const b = await boundUdp();
    try {
      battery(a, false, false);
      battery(b, false, false);
      b.on('message', (msg, rinfo) => b.send(msg, rinfo.port, rinfo.address));
      const replies: Buffer[] = [];
      const all = new Promise<void>((resolve) => a.on('message', (msg) => { replies.push(msg); if (replies.length === 20) resolve(); }));
      for (let i = 0; i < 20; i++) a.send(Buffer.from(`datagram ${i}`), b.address().port, '127.0.0.1');
      await all;
      assert.deepEqual(replies.map(String).sort(), Array.from({ length: 20 }, (_, i) => `datagram ${i}`).sort());
    } finally {
      a.close();
      b.close();
    }
  });
});

describe('until', () => {
  test('helper gives up after its bound', async () => {
    await assert.rejects(until(() => false, 'nothing', 3), /gave up/);
  });
});
