/**
 * What a TCP socket reports as its connection ends, on real loopback sockets: the peer's name
 * after both sides shut down, the name of a peer not yet connected, recv after the peer shut
 * down and then reset, and what the peer of an abortive close (SO_LINGER {1,0}) sees.
 * Sources (Wine dlls/ws2_32/tests/sock.c, whose checks pass on Windows; todo_wine lines record
 * Windows' value where Wine misses it): test_shutdown, test_connecting_socket, test_close_events.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ws from 'wsaioctl/winsock';
import { closeAll, listener, loopbackName, localName, tcpPair, waitUntil } from './helpers/sockets.js';
import { selectFixture, only } from './helpers/event-select.js';

const fixture = selectFixture();

function peerName(s: number): { rc: number; error: number; name: Uint8Array } {
  const name = new Uint8Array(16);
  const len = { value: 16 };
  const rc = ws.getpeername(s, name, len);
  return { rc, error: rc === 0 ? 0 : ws.WSAGetLastError(), name: name.subarray(0, rc === 0 ? len.value : 0) };
}

function recvResult(s: number, size = 16): { rc: number; error: number } {
  const rc = ws.recv(s, new Uint8Array(size), size, 0);
  return { rc, error: rc === ws.SOCKET_ERROR ? ws.WSAGetLastError() : 0 };
}

/** Close `s` with an RST: SO_LINGER {1, 0}, then closesocket. */
function abortiveClose(s: number): void {
  assert.equal(ws.setsockopt(s, ws.SOL_SOCKET, ws.SO_LINGER, new Uint8Array([1, 0, 0, 0]), 4), 0);
  assert.equal(ws.closesocket(s), 0);
}

/** True once the RST has arrived: SIO_TCP_INFO says CLOSED (reads nothing, consumes no error). */
function resetArrived(s: number): boolean {
  const out = new Uint8Array(128);
  const bytes = { value: 0 };
  const rc = ws.WSAIoctl(s, ws.SIO_TCP_INFO, new Uint8Array(4), 4, out, out.length, bytes, null, null);
  return rc === 0 && ws.decodeTcpInfo(out.subarray(0, bytes.value), 0).State === ws.TCPSTATE_CLOSED;
}

function nonBlocking(s: number): void {
  assert.equal(ws.ioctlsocket(s, ws.FIONBIO, { value: 1 }), 0);
}

describe('getpeername as the connection ends', () => {
  test('after SD_SEND on both sides, both still name their peer (Wine sock.c test_shutdown, todo_wine)', () => {
    const { client, server } = tcpPair();
    try {
      const serverName = peerName(client).name.slice();
      const clientName = localName(client).slice();
      assert.equal(ws.shutdown(client, ws.SD_SEND), 0);
      assert.equal(ws.recv(server, new Uint8Array(5), 5, 0), 0, 'the server sees the FIN');
      assert.equal(ws.shutdown(server, ws.SD_SEND), 0);
      assert.equal(ws.recv(client, new Uint8Array(5), 5, 0), 0, 'the client sees the FIN');
      assert.deepEqual(peerName(client), { rc: 0, error: 0, name: serverName });
      assert.deepEqual(peerName(server), { rc: 0, error: 0, name: clientName });
    } finally {
      closeAll(client, server);
    }
  });

  test('after SD_BOTH on both sides, both still name their peer (Wine sock.c test_shutdown, todo_wine)', () => {
    const { client, server } = tcpPair();
    try {
      const serverName = peerName(client).name.slice();
      const clientName = localName(client).slice();
      assert.equal(ws.shutdown(client, ws.SD_BOTH), 0);
      assert.equal(ws.recv(server, new Uint8Array(5), 5, 0), 0);
      assert.equal(ws.shutdown(server, ws.SD_BOTH), 0);
      assert.deepEqual(peerName(client), { rc: 0, error: 0, name: serverName });
      assert.deepEqual(peerName(server), { rc: 0, error: 0, name: clientName });
    } finally {
      closeAll(client, server);
    }
  });

  test('a socket whose connect never succeeded has no peer: WSAENOTCONN (Wine sock.c test_getpeername, test_connecting_socket)', () => {
    // A refused connect: the socket was never connected, so nothing is remembered.
    const l = listener();
    const port = l.port;
    ws.closesocket(l.socket);
    const s = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
    try {
      const to = loopbackName('ipv4', port);
      assert.equal(ws.connect(s, to, to.length), ws.SOCKET_ERROR);
      assert.equal(ws.WSAGetLastError(), ws.WSAECONNREFUSED);
      assert.deepEqual(peerName(s), { rc: ws.SOCKET_ERROR, error: ws.WSAENOTCONN, name: new Uint8Array(0) });
    } finally {
      closeAll(s);
    }
  });

  test('mid-connect (non-blocking connect in progress) getpeername is WSAENOTCONN, getsockname names the local end (Wine sock.c test_connecting_socket)', () => {
    // A listener whose backlog is full leaves the next SYN unanswered: the connect stays in progress.
    const l = listener('ipv4', 0);
    const to = loopbackName('ipv4', l.port);
    const filler: number[] = [];
    const s = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
    try {
      for (let i = 0; i < 4; i++) {
        const f = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
        filler.push(f);
        nonBlocking(f);
        ws.connect(f, to, to.length);
      }
      nonBlocking(s);
      assert.equal(ws.connect(s, to, to.length), ws.SOCKET_ERROR);
      assert.equal(ws.WSAGetLastError(), ws.WSAEWOULDBLOCK);
      const stillConnecting = ws.send(s, new Uint8Array(1), 0, 0) === ws.SOCKET_ERROR && ws.WSAGetLastError() === ws.WSAENOTCONN;
      assert.ok(stillConnecting, "the connect is still in progress (the listener's backlog is full)");
      assert.deepEqual(peerName(s), { rc: ws.SOCKET_ERROR, error: ws.WSAENOTCONN, name: new Uint8Array(0) });
      const local = ws.parseSockaddr(localName(s));
      assert.equal(local.address, '127.0.0.1');
      assert.notEqual(local.port, 0);
    } finally {
      closeAll(s, ...filler, l.socket);
    }
  });
});

describe('the peer resets', () => {
  test('recv after the peer shut down its sending side and then reset is WSAECONNABORTED (Wine sock.c test_shutdown)', () => {
    const { client, server } = tcpPair();
    try {
      assert.equal(ws.shutdown(server, ws.SD_SEND), 0);
      assert.equal(ws.recv(client, new Uint8Array(5), 5, 0), 0, 'the FIN arrives first');
      abortiveClose(server);
      nonBlocking(client);
      assert.ok(waitUntil(() => resetArrived(client)), 'the RST arrives');
      assert.deepEqual(recvResult(client), { rc: ws.SOCKET_ERROR, error: ws.WSAECONNABORTED });
      assert.deepEqual(recvResult(client), { rc: ws.SOCKET_ERROR, error: ws.WSAECONNABORTED }, 'and again');
    } finally {
      closeAll(client);
    }
  });

  test('an abortive close: the peer sees FD_CLOSE with WSAECONNABORTED (issue 13 item 4; Wine sock.c test_close_events)', () => {
    const { client, server } = tcpPair();
    try {
      fixture.select(client, ws.FD_CLOSE);
      abortiveClose(server);
      assert.deepEqual(fixture.events(client, 2000), only(ws.FD_CLOSE, ws.WSAECONNABORTED));
    } finally {
      closeAll(client);
    }
  });
});
