/**
 * How the emulation's data path meets the kernel: pending transfers are driven by edge-triggered
 * readiness (issue 14: "reads and writes the kernel only when the socket is ready, never by
 * polling; thousands of pending operations cost memory, not CPU"), on real loopback sockets.
 *
 * The cost is shown by counting, never by timing: the fds a wait hands to poll(), and the tries
 * the data path makes at the kernel from readiness edges (sockets/data-path/pending.ts).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import * as ws from 'wsaioctl/winsock';
import { startup, cleanup, check, closeAll, listener, localName, loopbackName, setIntOption, tcpPair } from './helpers/sockets.js';
import { packet } from './helpers/completion.js';
import { pollSet } from '../dist/backend/linux/loop/reactor.js';
import { edgeAttempts } from '../dist/backend/linux/sockets/data-path/pending.js';

before(startup);
after(cleanup);

function udpSocket(): number {
  const s = check(ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP), 'socket');
  const name = loopbackName('ipv4', 0);
  check(ws.bind(s, name, name.length), 'bind');
  return s;
}

describe('pending transfers wait on readiness edges', () => {
  test('2000 pending receives add no fd to a wait\'s poll(); data for one socket tries that socket only (issue 14, performance)', () => {
    const COUNT = 2000;
    const polledBefore = pollSet().count;
    const receivers: number[] = [];
    const overlapped: ws.WSAOVERLAPPED[] = [];
    const buffers: Uint8Array[] = [];
    try {
      for (let i = 0; i < COUNT; i++) receivers.push(udpSocket());
      const target = 1234;
      const event = ws.WSACreateEvent();
      for (let i = 0; i < COUNT; i++) {
        const ov = new ws.WSAOVERLAPPED(i === target ? event : 0);
        const buf = new Uint8Array(16);
        overlapped.push(ov);
        buffers.push(buf);
        assert.equal(ws.WSARecvFrom(receivers[i]!, [{ len: 16, buf }], 1, null, { value: 0 }, null, null, ov, null), ws.SOCKET_ERROR);
        assert.equal(ws.WSAGetLastError(), ws.WSA_IO_PENDING);
      }
      // Per-wait polling of each socket would hand poll() 2000 more fds; edge-triggered readiness
      // adds at most its one epoll fd.
      assert.ok(pollSet().count <= polledBefore + 1, `poll() set grew from ${polledBefore} to ${pollSet().count}`);

      const sender = udpSocket();
      receivers.push(sender);
      edgeAttempts.count = 0;
      const to = localName(receivers[target]!);
      const n = { value: 0 };
      assert.equal(ws.WSASendTo(sender, [{ len: 5, buf: new TextEncoder().encode('hello') }], 1, n, 0, to, to.length, null, null), 0);
      assert.equal(ws.WSAWaitForMultipleEvents(1, [event], false, 5000, false), ws.WSA_WAIT_EVENT_0);
      assert.equal(overlapped[target]!.Internal, 0);
      assert.equal(overlapped[target]!.InternalHigh, 5);
      assert.equal(new TextDecoder().decode(buffers[target]!.subarray(0, 5)), 'hello');
      // One edge, one try at the one socket that became ready; the 1999 others were not touched.
      assert.equal(edgeAttempts.count, 1);
      const stillPending = overlapped.filter((ov) => ov.Internal === ws.STATUS_PENDING).length;
      assert.equal(stillPending, COUNT - 1);
      ws.WSACloseEvent(event);
    } finally {
      closeAll(...receivers);
    }
    // closesocket aborted them all: nothing is left registered.
    assert.ok(overlapped.every((ov) => ov.Internal !== ws.STATUS_PENDING));
    assert.equal(pollSet().count, polledBefore);
  });
});

/**
 * A connected pair whose peer is a Node `net` socket: the peer writes from the event loop, so
 * between issuing a receive and seeing it complete the test calls nothing of wsaioctl.
 */
async function pairWithNodePeer(): Promise<{ server: number; peer: Socket }> {
  const l = listener();
  try {
    const peer = connect(l.port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => peer.once('connect', resolve).once('error', reject));
    check(ws.ioctlsocket(l.socket, ws.FIONBIO, { value: 1 }), 'FIONBIO');
    // The connection is in the backlog; bounded look without waiting.
    let server: number = ws.INVALID_SOCKET;
    for (let i = 0; i < 200 && server === ws.INVALID_SOCKET; i++) {
      server = ws.accept(l.socket, null, null);
      if (server === ws.INVALID_SOCKET) await sleep(5);
    }
    assert.notEqual(server, ws.INVALID_SOCKET);
    check(ws.ioctlsocket(server, ws.FIONBIO, { value: 0 }), 'FIONBIO');
    return { server, peer };
  } finally {
    ws.closesocket(l.socket);
  }
}

/** HasOverlappedIoCompleted, looked at from timers: true once Internal left STATUS_PENDING (bounded: 400 x 10 ms). */
async function completedWhileIdle(ov: ws.WSAOVERLAPPED): Promise<boolean> {
  for (let i = 0; i < 400; i++) {
    if (ov.Internal !== ws.STATUS_PENDING) return true;
    await sleep(10);
  }
  return false;
}

const ascii = (b: Uint8Array, n: number): string => new TextDecoder().decode(b.subarray(0, n));

describe('pending transfers complete while the thread is idle (the kernel completes them on Windows)', () => {
  test('event: Internal / InternalHigh written, data in the buffer and the event signalled with no wait called (WSARecv reference page; fact sheet §4)', async () => {
    const { server, peer } = await pairWithNodePeer();
    const event = ws.WSACreateEvent();
    const ov = new ws.WSAOVERLAPPED(event);
    const buf = new Uint8Array(32);
    assert.equal(ws.WSARecv(server, [{ len: 32, buf }], 1, null, { value: 0 }, ov, null), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSA_IO_PENDING);
    peer.write('idle completion');
    assert.ok(await completedWhileIdle(ov), 'completed without a wait');
    assert.equal(ov.Internal, ws.STATUS_SUCCESS);
    assert.equal(ov.InternalHigh, 15);
    assert.equal(ascii(buf, 15), 'idle completion');
    assert.equal(ws.WSAWaitForMultipleEvents(1, [event], false, 0, false), ws.WSA_WAIT_EVENT_0);
    ws.WSACloseEvent(event);
    peer.destroy();
    closeAll(server);
  });

  test('completion port: the packet is queued with no wait called; GetQueuedCompletionStatus(0) takes it (Wine sock.c iocp_async_read)', async () => {
    const { server, peer } = await pairWithNodePeer();
    const port = ws.CreateIoCompletionPort(server, 0, 77, 0);
    const ov = new ws.WSAOVERLAPPED();
    const buf = new Uint8Array(8);
    assert.equal(ws.WSARecv(server, [{ len: 8, buf }], 1, null, { value: 0 }, ov, null), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSA_IO_PENDING);
    peer.write('packet');
    assert.ok(await completedWhileIdle(ov), 'completed without a wait');
    const p = packet(port, 0);
    assert.equal(p.ok, true);
    assert.equal(p.bytes, 6);
    assert.equal(p.key, 77);
    assert.equal(p.overlapped, ov);
    assert.equal(ascii(buf, 6), 'packet');
    ws.CloseHandle(port);
    peer.destroy();
    closeAll(server);
  });

  test('completion routine: the status is written while idle, the routine runs only in an alertable wait (WSARecv reference page: lpCompletionRoutine)', async () => {
    const { server, peer } = await pairWithNodePeer();
    const ov = new ws.WSAOVERLAPPED();
    const calls: Array<[number, number]> = [];
    const routine = (error: number, bytes: number): void => {
      calls.push([error, bytes]);
    };
    const buf = new Uint8Array(8);
    assert.equal(ws.WSARecv(server, [{ len: 8, buf }], 1, null, { value: 0 }, ov, routine), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSA_IO_PENDING);
    peer.write('apc');
    assert.ok(await completedWhileIdle(ov), 'completed without a wait');
    assert.equal(ov.InternalHigh, 3);
    assert.deepEqual(calls, [], 'no routine outside an alertable wait');
    assert.equal(ws.SleepEx(0, true), ws.WAIT_IO_COMPLETION);
    assert.deepEqual(calls, [[0, 3]]);
    peer.destroy();
    closeAll(server);
  });

  test('a pending receive keeps the process alive as a reading net.Socket does, and lets it exit once complete (issue 14)', () => {
    // The child's only reason to stay is the pending receive: the timer that makes the peer send is
    // unref'd. Without the hold it exits at once (Internal still STATUS_PENDING); with a hold that
    // is never released it never exits (the spawn's time-out fails the test).
    const child = `
      import * as ws from 'wsaioctl/winsock';
      ws.WSAStartup(0x202, ws.newWSADATA());
      const l = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
      const any = ws.sockaddr('127.0.0.1', 0);
      ws.bind(l, any, any.length);
      ws.listen(l, 1);
      const name = new Uint8Array(16);
      ws.getsockname(l, name, { value: 16 });
      const client = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
      ws.connect(client, name, name.length);
      const server = ws.accept(l, null, null);
      const ov = new ws.WSAOVERLAPPED();
      const buf = new Uint8Array(8);
      const rc = ws.WSARecv(server, [{ len: 8, buf }], 1, null, { value: 0 }, ov, null);
      const pended = rc === ws.SOCKET_ERROR && ws.WSAGetLastError() === ws.WSA_IO_PENDING;
      setTimeout(() => ws.send(client, Uint8Array.of(1, 2, 3), 3, 0), 200).unref();
      process.on('exit', () => console.log(JSON.stringify({ pended, internal: ov.Internal, bytes: ov.InternalHigh })));
    `;
    const root = fileURLToPath(new URL('..', import.meta.url));
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', child], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout.trim()), { pended: true, internal: 0, bytes: 3 });
  });
});

describe('buffer lifetime of a pending send', () => {
  test('a pending send holds the caller\'s WSABUFs and the kernel reads them when the socket is writable, not at issue (issue 14: buffer lifetime as in C)', () => {
    // Windows reads a pending send's buffers when the transport takes the bytes (the caller must
    // keep them valid until completion); bytes changed meanwhile show that nothing was copied at issue.
    const { client, server } = tcpPair();
    setIntOption(client, ws.SOL_SOCKET, ws.SO_SNDBUF, 4096);
    setIntOption(server, ws.SOL_SOCKET, ws.SO_RCVBUF, 4096);
    const port = ws.CreateIoCompletionPort(client, 0, 5, 0);
    const fill = 64 * 1024;
    let queued = 0;
    let pended = false;
    for (let i = 0; i < 64 && !pended; i++) {
      const rc = ws.WSASend(client, [{ len: fill, buf: new Uint8Array(fill) }], 1, null, 0, new ws.WSAOVERLAPPED(), null);
      if (rc === ws.SOCKET_ERROR) {
        assert.equal(ws.WSAGetLastError(), ws.WSA_IO_PENDING);
        pended = true;
      }
      queued += fill;
    }
    assert.ok(pended, 'the socket buffers filled up');
    const first = new Uint8Array(3000).fill(1);
    const second = new Uint8Array(5000).fill(2);
    const ov = new ws.WSAOVERLAPPED();
    assert.equal(ws.WSASend(client, [{ len: first.length, buf: first }, { len: second.length, buf: second }], 2, null, 0, ov, null), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSA_IO_PENDING);
    first.fill(0xab);
    second.fill(0xcd);
    const expected = queued + first.length + second.length;
    const received = new Uint8Array(expected);
    let got = 0;
    for (let i = 0; i < 100000 && (got < expected || ov.Internal === ws.STATUS_PENDING); i++) {
      const n = ws.recv(server, received.subarray(got), Math.min(65536, expected - got), 0);
      if (n > 0) got += n;
      else ws.SleepEx(1, false);
      while (packet(port, 0).overlapped);
    }
    assert.equal(got, expected);
    assert.equal(ov.Internal, ws.STATUS_SUCCESS);
    assert.equal(ov.InternalHigh, first.length + second.length);
    const tail = received.subarray(queued);
    assert.ok(tail.subarray(0, first.length).every((b) => b === 0xab), 'the first WSABUF was read after issue');
    assert.ok(tail.subarray(first.length).every((b) => b === 0xcd), 'the second WSABUF was read after issue');
    ws.CloseHandle(port);
    closeAll(client, server);
  });
});
