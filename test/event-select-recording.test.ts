/**
 * WSAEventSelect / WSAEnumNetworkEvents recording and re-enabling in event mode, as Windows does
 * it. Each rule is an event-mode check of Wine's dlls/ws2_32/tests/sock.c that holds on Windows
 * (several are todo_wine there: Wine itself misses them); the function is named in each test.
 * Real loopback TCP sockets; every wait is bounded.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import * as ws from 'wsaioctl/winsock';
import { check, closeAll, tcpPair, listener, loopbackName } from './helpers/sockets.js';
import { none, only, selectFixture } from './helpers/event-select.js';

const ALL_BUT_WRITE = ws.FD_ACCEPT | ws.FD_CLOSE | ws.FD_CONNECT | ws.FD_OOB | ws.FD_READ;
const LISTENER_EVENTS = ws.FD_CONNECT | ws.FD_READ | ws.FD_OOB | ws.FD_ACCEPT;
const fixture = selectFixture();
const { select, events } = fixture;

const signalled = (): boolean => ws.WSAWaitForMultipleEvents(1, [fixture.event()], false, 0, false) === ws.WSA_WAIT_EVENT_0;

function connectTo(port: number): number {
  const c = check(ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP), 'socket');
  check(ws.connect(c, loopbackName('ipv4', port), 16), 'connect');
  return c;
}

describe('WSAEventSelect recording (event mode)', () => {
  test('FD_READ again for new data after FD_READ was reported, before any recv (Wine sock.c test_read_events)', () => {
    const { client, server } = tcpPair();
    select(server, ALL_BUT_WRITE);
    assert.deepEqual(events(server, 0), none);
    assert.equal(ws.send(client, new Uint8Array(5), 5, 0), 5);
    assert.deepEqual(events(server), only(ws.FD_READ));
    assert.deepEqual(events(server, 0), none);
    select(server, ALL_BUT_WRITE);
    assert.deepEqual(events(server, 0), none, 're-selecting does not report the same data again');
    select(server, 0);
    select(server, ALL_BUT_WRITE);
    assert.deepEqual(events(server, 0), none);
    assert.equal(ws.send(client, new Uint8Array(5), 5, 0), 5);
    assert.deepEqual(events(server), only(ws.FD_READ), 'new data is a new FD_READ');
    assert.deepEqual(events(server, 0), none);
    const buf = new Uint8Array(16);
    assert.equal(ws.recv(server, buf, 2, 0), 2);
    assert.deepEqual(events(server), only(ws.FD_READ), 'a recv that leaves data re-enables and records it');
    assert.deepEqual(events(server, 0), none);
    // A receive that fails on its buffer (WSAEFAULT) is no re-enabling call.
    assert.equal(ws.recv(server, buf, buf.length + 1, 0), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEFAULT);
    assert.deepEqual(events(server, 100), none);
    for (let i = 0; i < 8; i++) {
      assert.equal(ws.recv(server, buf, 1, 0), 1);
      assert.deepEqual(events(server, i < 7 ? 500 : 100), i < 7 ? only(ws.FD_READ) : none, `after byte ${i + 1} of 8`);
    }
    closeAll(client, server);
  });

  test('data sent while not selected: reported by the next selection, not once a recv took it (Wine sock.c test_read_events)', () => {
    const { client, server } = tcpPair();
    const buf = new Uint8Array(16);
    select(server, 0);
    assert.equal(ws.send(client, new Uint8Array(5), 5, 0), 5);
    ws.SleepEx(50, false);
    select(server, ALL_BUT_WRITE);
    assert.deepEqual(events(server), only(ws.FD_READ));
    assert.equal(ws.recv(server, buf, 5, 0), 5);
    select(server, 0);
    assert.equal(ws.send(client, new Uint8Array(5), 5, 0), 5);
    ws.SleepEx(50, false);
    assert.equal(ws.recv(server, buf, 5, 0), 5);
    select(server, LISTENER_EVENTS);
    assert.deepEqual(events(server, 100), none);
    closeAll(client, server);
  });

  test('WSAEnumNetworkEvents does not clear events that are not selected (Wine sock.c test_read_events)', () => {
    const { client, server } = tcpPair();
    select(server, 0);
    assert.equal(ws.send(client, new Uint8Array(5), 5, 0), 5);
    ws.SleepEx(50, false);
    assert.deepEqual(events(server, 0), none);
    select(server, LISTENER_EVENTS | ws.FD_WRITE);
    assert.deepEqual(events(server), only(ws.FD_READ | ws.FD_WRITE));
    assert.deepEqual(events(server, 0), none);
    closeAll(client, server);
  });

  test('a second pending connection records FD_ACCEPT again; accept() re-enables it while one is left (Wine sock.c test_accept_events)', () => {
    const { socket: l, port } = listener();
    select(l, LISTENER_EVENTS);
    assert.deepEqual(events(l, 0), none);
    const c1 = connectTo(port);
    assert.deepEqual(events(l), only(ws.FD_ACCEPT));
    assert.deepEqual(events(l, 0), none);
    const c2 = connectTo(port);
    assert.deepEqual(events(l), only(ws.FD_ACCEPT), 'the second connection is a new FD_ACCEPT');
    assert.deepEqual(events(l, 0), none);
    const a1 = check(ws.accept(l, null, null), 'accept');
    assert.deepEqual(events(l), only(ws.FD_ACCEPT), 'one connection is left');
    assert.deepEqual(events(l, 0), none);
    const a2 = check(ws.accept(l, null, null), 'accept');
    assert.deepEqual(events(l, 100), none);
    closeAll(a1, a2, c1, c2, l);
  });

  test('an FD_ACCEPT recorded and not enumerated survives a selection without FD_ACCEPT (Wine sock.c test_accept_events)', () => {
    const { socket: l, port } = listener();
    select(l, LISTENER_EVENTS);
    const c = connectTo(port);
    assert.equal(ws.WSAWaitForMultipleEvents(1, [fixture.event()], false, 500, false), ws.WSA_WAIT_EVENT_0);
    select(l, ws.FD_CONNECT | ws.FD_READ | ws.FD_OOB);
    assert.ok(signalled(), 'a new selection leaves the event object signalled');
    assert.equal(ws.WSAResetEvent(fixture.event()), true);
    select(l, ws.FD_CONNECT | ws.FD_READ | ws.FD_OOB);
    assert.ok(!signalled(), 'nothing selected is recorded');
    select(l, LISTENER_EVENTS);
    assert.ok(signalled(), 'selected again: the recorded FD_ACCEPT signals');
    assert.deepEqual(events(l, 0), only(ws.FD_ACCEPT));
    closeAll(check(ws.accept(l, null, null), 'accept'), c);

    // Connected while FD_ACCEPT was not selected: reported when it is.
    select(l, ws.FD_CONNECT | ws.FD_READ | ws.FD_OOB);
    const c2 = connectTo(port);
    select(l, LISTENER_EVENTS);
    assert.deepEqual(events(l), only(ws.FD_ACCEPT));
    closeAll(check(ws.accept(l, null, null), 'accept'), c2);

    // Accepted before FD_ACCEPT was selected: nothing.
    select(l, ws.FD_CONNECT | ws.FD_READ | ws.FD_OOB);
    const c3 = connectTo(port);
    ws.SleepEx(50, false);
    const a3 = check(ws.accept(l, null, null), 'accept');
    select(l, LISTENER_EVENTS);
    assert.deepEqual(events(l, 100), none);
    closeAll(a3, c3, l);
  });

  test('a send does not clear a recorded FD_WRITE (Wine sock.c test_write_events)', () => {
    const { client, server } = tcpPair();
    select(server, LISTENER_EVENTS | ws.FD_WRITE);
    assert.equal(ws.send(server, new Uint8Array(5), 5, 0), 5);
    assert.deepEqual(events(server), only(ws.FD_WRITE));
    closeAll(client, server);
  });

  test('FD_CLOSE: the peer\'s shutdown(SD_SEND) after both local directions were shut down; no other shutdown gives one (Wine sock.c test_close_events)', () => {
    const { client, server } = tcpPair();
    select(server, ALL_BUT_WRITE);
    assert.equal(ws.shutdown(client, ws.SD_RECEIVE), 0);
    assert.equal(ws.shutdown(server, ws.SD_BOTH), 0);
    assert.deepEqual(events(server, 200), none);
    assert.equal(ws.shutdown(client, ws.SD_SEND), 0);
    assert.deepEqual(events(server, 1000), only(ws.FD_CLOSE));
    assert.deepEqual(events(server, 0), none);
    closeAll(client, server);
  });

  test('FD_CLOSE after the peer\'s shutdown(SD_SEND) comes once: its later closesocket adds nothing (Wine sock.c test_close_events)', () => {
    const { client, server } = tcpPair();
    select(server, ALL_BUT_WRITE);
    assert.equal(ws.shutdown(client, ws.SD_SEND), 0);
    assert.deepEqual(events(server, 1000), only(ws.FD_CLOSE));
    assert.deepEqual(events(server, 0), none);
    closeAll(client);
    assert.deepEqual(events(server, 200), none);
    closeAll(server);
  });

  test('FD_CLOSE while data is still unread; FD_READ again for what is left; nothing once it is read (Wine sock.c test_close_events)', () => {
    const { client, server } = tcpPair();
    select(server, ALL_BUT_WRITE);
    assert.equal(ws.send(client, new Uint8Array(5), 5, 0), 5);
    assert.deepEqual(events(server), only(ws.FD_READ));
    closeAll(client);
    assert.deepEqual(events(server, 1000), only(ws.FD_CLOSE));
    const buf = new Uint8Array(5);
    assert.equal(ws.recv(server, buf, 3, 0), 3);
    assert.deepEqual(events(server), only(ws.FD_READ));
    assert.equal(ws.recv(server, buf, 5, 0), 2);
    assert.deepEqual(events(server, 100), none);
    closeAll(server);
  });

  test('FD_CLOSE selected after the close, also after a selection without it (Wine sock.c test_close_events)', () => {
    const { client, server } = tcpPair();
    select(server, LISTENER_EVENTS);
    closeAll(client);
    assert.deepEqual(events(server, 200), none);
    select(server, ALL_BUT_WRITE);
    assert.deepEqual(events(server), only(ws.FD_CLOSE));
    closeAll(server);
  });

  test('an aborted connection: FD_CLOSE with WSAECONNABORTED, once (Wine sock.c test_close_events)', () => {
    const { client, server } = tcpPair();
    select(server, ALL_BUT_WRITE);
    // Closing a socket that has unread data makes the kernel send RST instead of FIN (the
    // abortive close Wine's close_with_rst makes with SO_LINGER {1, 0}).
    assert.equal(ws.send(server, new Uint8Array(4), 4, 0), 4);
    ws.SleepEx(50, false);
    closeAll(client);
    assert.deepEqual(events(server, 1000), only(ws.FD_CLOSE, ws.WSAECONNABORTED));
    assert.deepEqual(events(server, 0), none);
    select(server, ALL_BUT_WRITE);
    assert.deepEqual(events(server, 0), none);
    select(server, 0);
    select(server, ALL_BUT_WRITE);
    assert.deepEqual(events(server, 0), none);
    closeAll(server);
  });

  test('iErrorCode entries of events not reported are left untouched (Wine sock.c test_WSAEnumNetworkEvents)', () => {
    const { client, server } = tcpPair();
    select(server, ALL_BUT_WRITE | ws.FD_WRITE);
    ws.WSAWaitForMultipleEvents(1, [fixture.event()], false, 500, false);
    const ne = { lNetworkEvents: 0xabab, iErrorCode: new Array<number>(10).fill(0x7eadbeef) };
    assert.equal(ws.WSAEnumNetworkEvents(server, fixture.event(), ne), 0);
    assert.equal(ne.lNetworkEvents, ws.FD_WRITE);
    for (let i = 0; i < 10; i++) assert.equal(ne.iErrorCode[i], 1 << i === ws.FD_WRITE ? 0 : 0x7eadbeef, `iErrorCode[${i}]`);
    const nothing = { lNetworkEvents: 0xabab, iErrorCode: new Array<number>(10).fill(0x7eadbeef) };
    assert.equal(ws.WSAEnumNetworkEvents(server, fixture.event(), nothing), 0);
    assert.equal(nothing.lNetworkEvents, 0);
    assert.deepEqual(nothing.iErrorCode, new Array<number>(10).fill(0x7eadbeef));
    closeAll(client, server);
  });
});

describe('recording does not depend on who is looking', () => {
  test('new data after a reported FD_READ wakes an async wait by itself (the event loop services the registration)', async () => {
    const { client, server } = tcpPair();
    select(server, ALL_BUT_WRITE);
    assert.equal(ws.send(client, new Uint8Array(5), 5, 0), 5);
    assert.deepEqual(events(server), only(ws.FD_READ));
    // Nothing is re-enabled; only the arrival of new data can signal the event now.
    const waited = ws.WSAWaitForMultipleEventsAsync(1, [fixture.event()], false, 2000, false);
    setTimeout(() => ws.send(client, new Uint8Array(3), 3, 0), 50);
    assert.equal(await waited, ws.WSA_WAIT_EVENT_0);
    assert.deepEqual(events(server, 0), only(ws.FD_READ));
    closeAll(client, server);
  });

  test('a connection made by another thread during a blocking wait records FD_ACCEPT again, with no call in between', async () => {
    const { socket: l, port } = listener();
    select(l, LISTENER_EVENTS);
    // A Worker connects twice with Node's own sockets, 150 ms apart, and holds both open.
    const worker = new Worker(
      `const net = require('node:net'); const { parentPort, workerData } = require('node:worker_threads');
       const held = [];
       const one = () => held.push(net.connect(workerData.port, '127.0.0.1'));
       one(); setTimeout(one, 150);
       parentPort.on('message', () => { for (const s of held) s.destroy(); parentPort.close(); });`,
      { eval: true, workerData: { port } },
    );
    try {
      assert.equal(ws.WSAWaitForMultipleEvents(1, [fixture.event()], false, 3000, false), ws.WSA_WAIT_EVENT_0, 'first connection');
      assert.deepEqual(events(l, 0), only(ws.FD_ACCEPT));
      // Blocked in the wait while the second connection completes: FD_ACCEPT is recorded meanwhile.
      assert.equal(ws.WSAWaitForMultipleEvents(1, [fixture.event()], false, 3000, false), ws.WSA_WAIT_EVENT_0, 'second connection');
      assert.deepEqual(events(l, 0), only(ws.FD_ACCEPT));
      closeAll(check(ws.accept(l, null, null), 'accept'), check(ws.accept(l, null, null), 'accept'));
    } finally {
      worker.postMessage('done');
      await new Promise((resolve) => worker.once('exit', resolve));
      closeAll(l);
    }
  });
});
