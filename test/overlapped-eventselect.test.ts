/**
 * WSAEventSelect / WSAEnumNetworkEvents for socket events on loopback, following the event-mode
 * expectations of Wine's test_accept_events, test_connect_events, test_write_events,
 * test_read_events, test_oob_events and test_close_events that hold on Windows: each event is
 * recorded once until its re-enabling function is called, re-selecting does not report it again,
 * a connect() that finished before the selection is still reported as FD_CONNECT, a reset peer
 * gives FD_CLOSE with WSAECONNABORTED.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as ws from 'wsaioctl/winsock';
import { check, closeAll, tcpPair, listener, loopbackName } from './helpers/sockets.js';
import { none, selectFixture } from './helpers/event-select.js';

const ALL = ws.FD_ACCEPT | ws.FD_CLOSE | ws.FD_CONNECT | ws.FD_OOB | ws.FD_READ | ws.FD_WRITE;
const fixture = selectFixture();
const { select, events } = fixture;

describe('WSAEventSelect', () => {
  test('argument rules; selection makes the socket non-blocking; FIONBIO back to blocking is WSAEINVAL until the mask is 0', () => {
    const { client, server } = tcpPair();
    assert.equal(ws.WSAEventSelect(client, 0x7ffffff0, ws.FD_READ), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEINVAL);
    assert.equal(ws.WSAEventSelect(0x7ffffff0, fixture.event(), ws.FD_READ), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAENOTSOCK);
    assert.equal(ws.WSAEnumNetworkEvents(client, fixture.event(), null), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEFAULT);
    select(client, ws.FD_READ);
    const buf = new Uint8Array(4);
    assert.equal(ws.recv(client, buf, 4, 0), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEWOULDBLOCK, 'non-blocking now');
    assert.equal(ws.ioctlsocket(client, ws.FIONBIO, { value: 0 }), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEINVAL);
    select(client, 0);
    assert.equal(ws.ioctlsocket(client, ws.FIONBIO, { value: 0 }), 0);
    closeAll(client, server);
  });

  test('FD_ACCEPT: once per pending connection state, again after accept() while one is left', () => {
    const { socket: l, port } = listener();
    select(l, ws.FD_CONNECT | ws.FD_READ | ws.FD_OOB | ws.FD_ACCEPT);
    assert.deepEqual(events(l, 0), none);
    const c1 = check(ws.socket(ws.AF_INET, ws.SOCK_STREAM, 0), 'socket');
    assert.equal(ws.connect(c1, loopbackName('ipv4', port), 16), 0);
    assert.deepEqual(events(l), { bits: ws.FD_ACCEPT, errors: {} });
    assert.deepEqual(events(l, 0), none);
    select(l, ws.FD_CONNECT | ws.FD_READ | ws.FD_OOB | ws.FD_ACCEPT);
    assert.deepEqual(events(l, 0), none, 're-selecting does not report it again');
    const c2 = check(ws.socket(ws.AF_INET, ws.SOCK_STREAM, 0), 'socket');
    assert.equal(ws.connect(c2, loopbackName('ipv4', port), 16), 0);
    const a1 = check(ws.accept(l, null, null), 'accept');
    assert.deepEqual(events(l), { bits: ws.FD_ACCEPT, errors: {} }, 'accept() re-enables; one connection is left');
    const a2 = check(ws.accept(l, null, null), 'accept');
    assert.deepEqual(events(l, 100), none);
    closeAll(a1, a2, c1, c2, l);
  });

  test('FD_CONNECT then FD_WRITE for a connect() made after the selection, and for one made before it', () => {
    const { socket: l, port } = listener();
    const c = check(ws.socket(ws.AF_INET, ws.SOCK_STREAM, 0), 'socket');
    select(c, ALL);
    assert.deepEqual(events(c, 0), none);
    const rc = ws.connect(c, loopbackName('ipv4', port), 16);
    assert.ok(rc === 0 || ws.WSAGetLastError() === ws.WSAEWOULDBLOCK);
    assert.deepEqual(events(c), { bits: ws.FD_CONNECT | ws.FD_WRITE, errors: {} });
    assert.deepEqual(events(c, 0), none);
    select(c, 0);
    select(c, ALL);
    assert.deepEqual(events(c, 0), none);
    const a = check(ws.accept(l, null, null), 'accept');
    select(a, ws.FD_ACCEPT | ws.FD_CONNECT | ws.FD_OOB | ws.FD_READ | ws.FD_WRITE);
    assert.deepEqual(events(a), { bits: ws.FD_WRITE, errors: {} }, 'an accepted socket: FD_WRITE, no FD_CONNECT');
    closeAll(a, c);

    const c2 = check(ws.socket(ws.AF_INET, ws.SOCK_STREAM, 0), 'socket');
    assert.equal(ws.connect(c2, loopbackName('ipv4', port), 16), 0);
    const a2 = check(ws.accept(l, null, null), 'accept');
    select(c2, ALL);
    assert.deepEqual(events(c2), { bits: ws.FD_CONNECT | ws.FD_WRITE, errors: {} });
    closeAll(a2, c2, l);
  });

  test('FD_CONNECT carries the error of a refused connect', () => {
    const { socket: l, port } = listener();
    closeAll(l);
    const c = check(ws.socket(ws.AF_INET, ws.SOCK_STREAM, 0), 'socket');
    select(c, ALL);
    const rc = ws.connect(c, loopbackName('ipv4', port), 16);
    assert.equal(rc, ws.SOCKET_ERROR);
    const error = ws.WSAGetLastError();
    if (error === ws.WSAEWOULDBLOCK) {
      assert.deepEqual(events(c), { bits: ws.FD_CONNECT, errors: { [ws.FD_CONNECT]: ws.WSAECONNREFUSED } });
    } else {
      assert.equal(error, ws.WSAECONNREFUSED);
    }
    closeAll(c);
  });

  test('FD_WRITE: once; a successful send does not bring it back; a send that would block and then drains does', () => {
    const { client, server } = tcpPair();
    select(server, ALL);
    assert.deepEqual(events(server), { bits: ws.FD_WRITE, errors: {} });
    assert.equal(ws.send(server, new Uint8Array(5), 5, 0), 5);
    assert.deepEqual(events(server, 100), none);
    const big = new Uint8Array(256 * 1024);
    let blocked = false;
    for (let i = 0; i < 1000 && !blocked; i++) {
      if (ws.send(server, big, big.length, 0) === ws.SOCKET_ERROR) {
        assert.equal(ws.WSAGetLastError(), ws.WSAEWOULDBLOCK);
        blocked = true;
      }
    }
    assert.ok(blocked, 'the send buffer filled up');
    assert.deepEqual(events(server, 0), none);
    ws.ioctlsocket(client, ws.FIONBIO, { value: 1 });
    for (let i = 0; i < 100_000 && ws.recv(client, big, big.length, 0) > 0; i++);
    assert.deepEqual(events(server, 2000), { bits: ws.FD_WRITE, errors: {} });
    closeAll(client, server);
  });

  test('FD_READ: on data, again after a recv() that leaves data, not after one that empties the queue', () => {
    const { client, server } = tcpPair();
    select(server, ws.FD_ACCEPT | ws.FD_CLOSE | ws.FD_CONNECT | ws.FD_OOB | ws.FD_READ);
    assert.deepEqual(events(server, 0), none);
    assert.equal(ws.send(client, new Uint8Array(5), 5, 0), 5);
    assert.deepEqual(events(server), { bits: ws.FD_READ, errors: {} });
    assert.deepEqual(events(server, 0), none);
    select(server, ws.FD_ACCEPT | ws.FD_CLOSE | ws.FD_CONNECT | ws.FD_OOB | ws.FD_READ);
    assert.deepEqual(events(server, 0), none, 're-selecting does not report it again');
    const buf = new Uint8Array(8);
    assert.equal(ws.recv(server, buf, 2, 0), 2);
    assert.deepEqual(events(server), { bits: ws.FD_READ, errors: {} }, '3 bytes left');
    assert.equal(ws.recv(server, buf, 8, 0), 3);
    assert.deepEqual(events(server, 100), none);
    // Data sent while not selecting is reported by the next selection.
    select(server, 0);
    assert.equal(ws.send(client, new Uint8Array(5), 5, 0), 5);
    ws.SleepEx(50, false);
    select(server, ws.FD_ACCEPT | ws.FD_CLOSE | ws.FD_CONNECT | ws.FD_OOB | ws.FD_READ);
    assert.deepEqual(events(server), { bits: ws.FD_READ, errors: {} });
    closeAll(client, server);
  });

  test('FD_OOB for urgent data, again after recv(MSG_OOB)', () => {
    const { client, server } = tcpPair();
    select(server, ws.FD_ACCEPT | ws.FD_CLOSE | ws.FD_CONNECT | ws.FD_OOB | ws.FD_READ);
    assert.deepEqual(events(server, 0), none);
    assert.equal(ws.send(client, new Uint8Array([0x61]), 1, ws.MSG_OOB), 1);
    assert.deepEqual(events(server), { bits: ws.FD_OOB, errors: {} });
    assert.deepEqual(events(server, 0), none);
    const buf = new Uint8Array(1);
    assert.equal(ws.recv(server, buf, 1, ws.MSG_OOB), 1);
    assert.deepEqual(events(server, 100), none, 'nothing urgent left');
    assert.equal(ws.send(client, new Uint8Array([0x62]), 1, ws.MSG_OOB), 1);
    assert.deepEqual(events(server), { bits: ws.FD_OOB, errors: {} });
    closeAll(client, server);
  });

  test('FD_CLOSE: once on a graceful close (error 0), also when selected after the close', () => {
    let { client, server } = tcpPair();
    select(server, ws.FD_ACCEPT | ws.FD_CLOSE | ws.FD_CONNECT | ws.FD_OOB | ws.FD_READ);
    closeAll(client);
    assert.deepEqual(events(server, 1000), { bits: ws.FD_CLOSE, errors: {} });
    assert.deepEqual(events(server, 0), none);
    select(server, ws.FD_ACCEPT | ws.FD_CLOSE | ws.FD_CONNECT | ws.FD_OOB | ws.FD_READ);
    assert.deepEqual(events(server, 0), none);
    assert.equal(ws.recv(server, new Uint8Array(5), 5, 0), 0);
    assert.deepEqual(events(server, 100), none);
    closeAll(server);

    ({ client, server } = tcpPair());
    select(server, ws.FD_ACCEPT | ws.FD_CLOSE | ws.FD_CONNECT | ws.FD_OOB | ws.FD_READ);
    assert.equal(ws.shutdown(client, ws.SD_SEND), 0);
    assert.deepEqual(events(server, 1000), { bits: ws.FD_CLOSE, errors: {} }, 'shutdown(SD_SEND) by the peer');
    closeAll(client, server);

    ({ client, server } = tcpPair());
    closeAll(client);
    ws.SleepEx(50, false);
    select(server, ws.FD_ACCEPT | ws.FD_CLOSE | ws.FD_CONNECT | ws.FD_OOB | ws.FD_READ);
    assert.deepEqual(events(server), { bits: ws.FD_CLOSE, errors: {} });
    closeAll(server);
  });

  test('FD_CLOSE with WSAECONNABORTED when the peer resets', () => {
    const { client, server } = tcpPair();
    select(server, ws.FD_ACCEPT | ws.FD_CLOSE | ws.FD_CONNECT | ws.FD_OOB | ws.FD_READ);
    // Closing a socket that has unread data makes the kernel send RST instead of FIN.
    assert.equal(ws.send(server, new Uint8Array(4), 4, 0), 4);
    ws.SleepEx(50, false);
    closeAll(client);
    assert.deepEqual(events(server, 1000), { bits: ws.FD_CLOSE, errors: { [ws.FD_CLOSE]: ws.WSAECONNABORTED } });
    assert.deepEqual(events(server, 0), none);
    closeAll(server);
  });

  test('UDP: no FD_WRITE before the socket has an address; connect() gives FD_CONNECT and FD_WRITE', () => {
    const c = check(ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP), 'socket');
    select(c, ws.FD_ACCEPT | ws.FD_CONNECT | ws.FD_OOB | ws.FD_READ | ws.FD_WRITE);
    assert.deepEqual(events(c, 100), none);
    assert.equal(ws.connect(c, loopbackName('ipv4', 9), 16), 0);
    assert.deepEqual(events(c), { bits: ws.FD_CONNECT | ws.FD_WRITE, errors: {} });
    assert.deepEqual(events(c, 0), none);
    closeAll(c);
  });

  test('a wait on a selected socket with nothing armed does not spin', () => {
    const { client, server } = tcpPair();
    select(server, ALL);
    events(server);
    closeAll(client);
    events(server, 1000);
    const cpu = process.cpuUsage();
    const started = process.hrtime.bigint();
    assert.equal(ws.WSAWaitForMultipleEvents(1, [fixture.event()], false, 200, false), ws.WSA_WAIT_TIMEOUT);
    const wallUs = Number(process.hrtime.bigint() - started) / 1000;
    const used = process.cpuUsage(cpu);
    assert.ok(used.user + used.system < wallUs / 4, `CPU ${used.user + used.system} us for ${wallUs} us`);
    closeAll(server);
  });
});
