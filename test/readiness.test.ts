/**
 * loop/readiness.ts: edge-triggered readiness, one epoll registration per fd shared by its
 * subscribers. Real loopback TCP sockets made through the Winsock surface; their host fds come
 * from the Linux backend's socket table. Linux-only (the module is the Linux emulation's).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as ws from 'wsaioctl/winsock';
import { startup, cleanup, closeAll, tcpPair } from './helpers/sockets.js';
import { subscribe, unsubscribe, drainReadiness, rearm, type ReadinessPhase } from '../dist/backend/linux/loop/readiness.js';

/** Subscribe `onReady` to `fd`; returns what ends the subscription. */
function watch(fd: number, interest: number, onReady: (events: number) => void, phase: ReadinessPhase = 'io'): () => void {
  const subscriber = { interest, phase, onReady };
  subscribe(fd, subscriber);
  return () => unsubscribe(fd, subscriber);
}
import { pollOnce } from '../dist/backend/linux/loop/reactor.js';
import { lookupSocket } from '../dist/backend/linux/win32/socket-state.js';
import { readdirSync } from 'node:fs';

const POLLIN = 0x1;
const POLLOUT = 0x4;
const linux = process.platform === 'linux';

function fdOf(s: number): number {
  const sock = lookupSocket(s);
  assert.ok(sock, 'a Linux socket');
  return sock.fd;
}

/** Drain until `seen` has grown or ~1 s passed (loopback delivery is asynchronous only in name). */
function drainUntil(seen: unknown[], before: number): void {
  const deadline = Date.now() + 1000;
  while (seen.length === before && Date.now() < deadline) {
    pollOnce(50);
    drainReadiness();
  }
}

describe('readiness (edge-triggered epoll)', { skip: !linux && 'the Linux emulation only' }, () => {
  before(startup);
  after(cleanup);

  test('one edge per arrival: data left unread is not reported again, new data is', () => {
    const { client, server } = tcpPair();
    const seen: number[] = [];
    const stop = watch(fdOf(server), POLLIN, (events) => seen.push(events));
    drainReadiness();
    assert.deepEqual(seen, [], 'nothing readable yet');
    assert.equal(ws.send(client, new Uint8Array(3), 3, 0), 3);
    drainUntil(seen, 0);
    assert.equal(seen.length, 1);
    assert.ok(seen[0]! & POLLIN);
    drainReadiness();
    pollOnce(50);
    assert.equal(seen.length, 1, 'the unread data is not a new edge');
    assert.equal(ws.send(client, new Uint8Array(2), 2, 0), 2);
    drainUntil(seen, 1);
    assert.equal(seen.length, 2, 'new data is a new edge');
    stop();
    closeAll(client, server);
  });

  test('rearm reports a condition that already holds once more; an ended subscription gets nothing', () => {
    const { client, server } = tcpPair();
    const seen: number[] = [];
    assert.equal(ws.send(client, new Uint8Array(1), 1, 0), 1);
    const stop = watch(fdOf(server), POLLIN, (events) => seen.push(events));
    drainUntil(seen, 0);
    assert.equal(seen.length, 1, 'registration reports what already holds');
    rearm(fdOf(server));
    drainReadiness();
    assert.equal(seen.length, 2);
    stop();
    rearm(fdOf(server));
    assert.equal(ws.send(client, new Uint8Array(1), 1, 0), 1);
    pollOnce(50);
    drainReadiness();
    assert.equal(seen.length, 2);
    closeAll(client, server);
  });

  test('subscribers of one fd share it, each sees only its interest; io before observe', () => {
    const { client, server } = tcpPair();
    const order: string[] = [];
    const fd = fdOf(server);
    const stopObserve = watch(fd, POLLIN | POLLOUT, (e) => order.push(`observe:${e & (POLLIN | POLLOUT)}`), 'observe');
    const stopRead = watch(fd, POLLIN, (e) => order.push(`io-read:${e & (POLLIN | POLLOUT)}`));
    const stopWrite = watch(fd, POLLOUT, (e) => order.push(`io-write:${e & (POLLIN | POLLOUT)}`));
    drainUntil(order, 0);
    assert.deepEqual(order, ['io-write:4', 'observe:4'], 'writable only: the reader is not called');
    order.length = 0;
    assert.equal(ws.send(client, new Uint8Array(1), 1, 0), 1);
    drainUntil(order, 0);
    assert.deepEqual(order, ['io-read:1', 'io-write:4', 'observe:5']);
    stopRead();
    stopWrite();
    stopObserve();
    closeAll(client, server);
  });

  test('the blocking wait services it: an edge is dispatched while the thread waits in poll()', () => {
    const { client, server } = tcpPair();
    const seen: number[] = [];
    const stop = watch(fdOf(server), POLLIN, (events) => seen.push(events));
    assert.equal(ws.send(client, new Uint8Array(1), 1, 0), 1);
    const deadline = Date.now() + 1000;
    while (seen.length === 0 && Date.now() < deadline) pollOnce(200);
    assert.equal(seen.length, 1, 'pollOnce dispatched it (no explicit drain)');
    stop();
    closeAll(client, server);
  });

  test('the epoll fd exists only while something is subscribed', () => {
    const { client, server } = tcpPair();
    const openFds = (): number => readdirSync('/proc/self/fd').length;
    const before = openFds();
    const stop = watch(fdOf(server), POLLIN, () => undefined);
    assert.equal(openFds(), before + 1, 'one epoll fd');
    stop();
    assert.equal(openFds(), before, 'closed with the last subscription');
    closeAll(client, server);
  });
});
