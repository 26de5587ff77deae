/**
 * SOCKETs shared by every JS thread (issue 16, slice 3; docs/process-wide-handles.md §15): a socket
 * made in one thread works in all by its number, with one state, using real Workers
 * (helpers/shared-sockets-worker.ts). Loopback only; every wait and loop is bounded in count and
 * time; no timing assertion.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readlinkSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import * as ws from 'wsaioctl/winsock';
import { udpPair, tcpPair, setIntOption, closeAll } from './helpers/sockets.js';
import { region } from '../dist/backend/linux/shared/region.js';
import { socketHandlesInUse } from '../dist/backend/linux/shared/sockets.js';

const skip = process.platform !== 'linux' ? 'Linux emulation only' : false;
const WORKER = new URL('./helpers/shared-sockets-worker.js', import.meta.url);
const workers = new Set<Worker>();
ws.WSAStartup(0x202, ws.newWSADATA());

after(async () => {
  await Promise.all([...workers].map((w) => w.terminate()));
});

type Answer = Record<string, unknown>;

interface Helper {
  worker: Worker;
  /** Send one command and get its answer (at most 20 s). */
  ask(command: Record<string, unknown>): Promise<Answer>;
}

function spawn(workerData: Record<string, unknown> = {}): Helper {
  const worker = new Worker(WORKER, { workerData });
  workers.add(worker);
  const takers: Array<(m: Answer) => void> = [];
  worker.on('message', (message: Answer) => takers.shift()?.(message));
  worker.once('exit', () => workers.delete(worker));
  return {
    worker,
    ask: (command) => new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${String(command.op)} within 20 s`)), 20_000);
      takers.push((m) => {
        clearTimeout(timer);
        if (m.failure) reject(new Error(String(m.failure)));
        else resolve(m);
      });
      worker.postMessage(command);
    }),
  };
}

/** This process's sockets and anon_inode fds. */
const openFds = (): number => readdirSync('/proc/self/fd').filter((fd) => {
  try {
    return /^(socket|anon_inode):/.test(readlinkSync(`/proc/self/fd/${fd}`));
  } catch {
    return false;
  }
}).length;
const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The fd count once it is back at `limit` or below, re-read for at most ~2 s. */
async function settledCount(limit: number): Promise<number> {
  for (let i = 0; i < 100; i++) {
    if (openFds() <= limit) break;
    await tick(20);
  }
  return openFds();
}

const fionread = (s: number): number => {
  const out = new Uint8Array(4);
  assert.equal(ws.WSAIoctl(s, ws.FIONREAD, null, 0, out, 4, { value: 0 }, null, null), 0);
  return new DataView(out.buffer).getUint32(0, true);
};

describe('SOCKETs shared by every JS thread', { skip }, () => {
  test('a socket made here works in a Worker: send, recv, FIONREAD, FIONBIO by its number', async () => {
    const { receiver, sender, receiverName } = udpPair();
    const port = (receiverName[2]! << 8) | receiverName[3]!;
    const helper = spawn();
    assert.deepEqual(await helper.ask({ op: 'fionread', s: receiver }), { rc: 0, error: 0, value: 0 });
    ws.sendto(sender, Uint8Array.of(1, 2, 3, 4, 5), 5, 0, receiverName, 16);
    ws.sendto(sender, Uint8Array.of(6, 7), 2, 0, receiverName, 16);
    // FIONREAD on a datagram socket: every queued datagram (Windows' rule), seen from the Worker.
    assert.equal((await helper.ask({ op: 'fionread', s: receiver })).value, 7);
    assert.deepEqual(await helper.ask({ op: 'recv', s: receiver, len: 16 }), { rc: 5, error: 0, data: [1, 2, 3, 4, 5] });
    // What the Worker's FIONREAD took from the kernel is the socket's: the next datagram, here.
    assert.equal(fionread(receiver), 2);
    const here = new Uint8Array(8);
    assert.equal(ws.recv(receiver, here, 8, 0), 2);
    assert.deepEqual([...here.subarray(0, 2)], [6, 7]);
    // The Worker sends on this thread's socket; it arrives here.
    assert.deepEqual(await helper.ask({ op: 'send', s: sender, bytes: [9, 9, 9], to: port }), { rc: 3, error: 0 });
    assert.equal(ws.recv(receiver, here, 8, 0), 3);
    // Non-blocking set there: a receive here with nothing queued does not block.
    assert.deepEqual(await helper.ask({ op: 'fionbio', s: receiver, on: true }), { rc: 0, error: 0 });
    assert.equal(ws.recv(receiver, here, 8, 0), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEWOULDBLOCK);
    closeAll(receiver, sender);
    await helper.worker.terminate();
  });

  test('blocking mode and SO_RCVTIMEO set in one thread hold in the other', async () => {
    const { receiver, sender } = udpPair();
    const helper = spawn();
    assert.equal(ws.ioctlsocket(receiver, ws.FIONBIO, { value: 1 }), 0);
    assert.deepEqual(await helper.ask({ op: 'recv', s: receiver, len: 8 }), { rc: ws.SOCKET_ERROR, error: ws.WSAEWOULDBLOCK, data: [] });
    // Back to blocking here, with a receive time-out: the Worker's receive blocks and times out.
    assert.equal(ws.ioctlsocket(receiver, ws.FIONBIO, { value: 0 }), 0);
    setIntOption(receiver, ws.SOL_SOCKET, ws.SO_RCVTIMEO, 100);
    assert.deepEqual(await helper.ask({ op: 'recv', s: receiver, len: 8 }), { rc: ws.SOCKET_ERROR, error: ws.WSAETIMEDOUT, data: [] });
    closeAll(receiver, sender);
    await helper.worker.terminate();
  });

  test('closesocket in one thread is WSAENOTSOCK in the other at once; the number is not reused; the fd closes', async () => {
    const helper = spawn();
    const { receiver, sender } = udpPair();
    // The Worker holds both (its first use adopts them).
    assert.equal((await helper.ask({ op: 'fionread', s: receiver })).rc, 0);
    assert.equal((await helper.ask({ op: 'fionread', s: sender })).rc, 0);
    const withBoth = openFds();
    assert.equal(ws.closesocket(receiver), 0);
    assert.deepEqual(await helper.ask({ op: 'fionread', s: receiver }), { rc: ws.SOCKET_ERROR, error: ws.WSAENOTSOCK, value: 0 });
    // And the other way round: closed there, gone here.
    assert.deepEqual(await helper.ask({ op: 'close', s: sender }), { rc: 0, error: 0 });
    assert.equal(ws.WSAIoctl(sender, ws.FIONREAD, null, 0, new Uint8Array(4), 4, { value: 0 }, null, null), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAENOTSOCK);
    // Both threads have let go: both fds are closed, with the Worker still running.
    assert.equal(openFds(), withBoth - 2);
    const fresh: number[] = [];
    for (let i = 0; i < 20; i++) fresh.push(ws.socket(ws.AF_INET, ws.SOCK_DGRAM, 0));
    assert.ok(!fresh.includes(receiver) && !fresh.includes(sender), 'a closed number is not handed out again');
    closeAll(...fresh);
    await helper.worker.terminate();
  });

  test('a thread that holds a socket closed elsewhere lets go at its next call on any socket', async () => {
    const helper = spawn();
    const made: number[] = [];
    for (let i = 0; i < 4; i++) made.push((await helper.ask({ op: 'udp' })).s as number);
    for (const s of made) assert.equal(fionread(s), 0);
    const { receiver, sender } = udpPair();
    const withAll = openFds();
    for (const s of made) assert.deepEqual(await helper.ask({ op: 'close', s }), { rc: 0, error: 0 });
    // This thread still holds them (it made no call since): their numbers stay reserved.
    assert.equal(openFds(), withAll);
    assert.equal(fionread(receiver), 0);
    assert.equal(openFds(), withAll - 4, 'the call on another socket let go of the four');
    closeAll(receiver, sender);
    await helper.worker.terminate();
  });

  test('a close here ends the Worker\'s pending WSARecv on that socket, with no call in the Worker', async () => {
    const { receiver, sender } = udpPair();
    const helper = spawn();
    assert.deepEqual(await helper.ask({ op: 'recv-overlapped', s: receiver, len: 16, id: 1 }), { rc: ws.SOCKET_ERROR, error: ws.WSA_IO_PENDING });
    const waited = helper.ask({ op: 'wait-overlapped', id: 1, timeout: 10_000 });
    await tick(50);
    assert.equal(ws.closesocket(receiver), 0);
    const result = await waited;
    assert.equal(result.result, ws.WSA_WAIT_EVENT_0, 'the Worker\'s event was signalled (the ring reached it)');
    // As a closesocket in the issuing thread ends it: a data transfer aborts.
    assert.equal(result.status, ws.STATUS_CONNECTION_ABORTED);
    closeAll(sender);
    await helper.worker.terminate();
  });

  test('a socket made by a Worker that ended is still usable here (every way of ending); no fd is left once it is closed', async () => {
    for (const how of ['return', 'process.exit', 'throw', 'terminate']) {
      const baseline = openFds();
      const helper = spawn();
      const made = await helper.ask({ op: 'udp' });
      const s = made.s as number;
      const { receiver, sender } = udpPair();
      if (how === 'terminate') await helper.worker.terminate();
      else {
        // Not once(worker, 'exit'): it rejects on the 'error' event the throwing Worker emits first.
        const ended = new Promise((resolve) => helper.worker.once('exit', resolve));
        let thrown: unknown = null;
        helper.worker.once('error', (error) => { thrown = error; });
        helper.worker.postMessage({ op: 'exit', how });
        await ended;
        if (how === 'throw') assert.match(String(thrown), /thrown on purpose/);
      }
      // The Worker's socket sends here, and receives what this thread sends it.
      const to = ws.sockaddr('127.0.0.1', made.port as number);
      const receiverName = new Uint8Array(16);
      ws.getsockname(receiver, receiverName, { value: 16 });
      assert.equal(ws.sendto(s, Uint8Array.of(4, 2), 2, 0, receiverName, 16), 2, how);
      const got = new Uint8Array(4);
      assert.equal(ws.recv(receiver, got, 4, 0), 2, how);
      assert.equal(ws.sendto(sender, Uint8Array.of(7), 1, 0, to, 16), 1, how);
      assert.equal(ws.recv(s, got, 4, 0), 1, how);
      closeAll(s, receiver, sender);
      assert.equal(await settledCount(baseline), baseline, `${how}: no fd left`);
    }
  });

  test('the datagram queue FIONREAD fills is the socket\'s: drained here, received there in order, once (the ring wraps)', async () => {
    const { receiver, sender, receiverName } = udpPair();
    const helper = spawn();
    const sizes: number[] = [];
    let received = 0;
    const receiveOne = async (): Promise<void> => {
      const got = await helper.ask({ op: 'recv', s: receiver, len: 2048 });
      assert.equal(got.rc, sizes[received], `datagram ${received}`);
      assert.ok((got.data as number[]).every((b) => b === (received & 0xff)), `datagram ${received}'s bytes`);
      received++;
    };
    // 20 rounds of 30 datagrams of 1000 to 1029 bytes, 25 received per round: about 600 KB pass
    // through the ring while it is never empty, so it wraps.
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 30; i++) {
        const n = sizes.length;
        sizes.push(1000 + i);
        const payload = new Uint8Array(1000 + i).fill(n & 0xff);
        assert.equal(ws.sendto(sender, payload, payload.length, 0, receiverName, 16), payload.length);
      }
      // FIONREAD here takes them out of the kernel: its total is every datagram not received yet.
      const total = sizes.slice(received).reduce((a, b) => a + b, 0);
      assert.equal(fionread(receiver), total, `round ${round}`);
      for (let i = 0; i < 25; i++) await receiveOne();
    }
    while (received < sizes.length) await receiveOne();
    assert.equal(fionread(receiver), 0);
    assert.deepEqual(await helper.ask({ op: 'fionbio', s: receiver, on: true }), { rc: 0, error: 0 });
    assert.equal((await helper.ask({ op: 'recv', s: receiver, len: 16 })).error, ws.WSAEWOULDBLOCK, 'nothing is received twice');
    closeAll(receiver, sender);
    await helper.worker.terminate();
  });

  test('overlapped receives issued by two threads on one socket take the datagrams in issue order, each once', async () => {
    const { receiver, sender, receiverName } = udpPair();
    const helper = spawn();
    const mine: Array<{ ov: ws.WSAOVERLAPPED; buffer: Uint8Array; order: number }> = [];
    const theirs: Array<{ id: number; order: number }> = [];
    // 20 receives, issued alternately here and in the Worker (each call returns before the next).
    for (let order = 0; order < 20; order++) {
      if (order % 2 === 0) {
        const buffer = new Uint8Array(8);
        const ov = new ws.WSAOVERLAPPED(ws.WSACreateEvent());
        assert.equal(ws.WSARecv(receiver, [{ len: 8, buf: buffer }], 1, null, { value: 0 }, ov, null), ws.SOCKET_ERROR);
        assert.equal(ws.WSAGetLastError(), ws.WSA_IO_PENDING);
        mine.push({ ov, buffer, order });
      } else {
        assert.deepEqual(await helper.ask({ op: 'recv-overlapped', s: receiver, len: 8, id: order }), { rc: ws.SOCKET_ERROR, error: ws.WSA_IO_PENDING });
        theirs.push({ id: order, order });
      }
    }
    // Datagram n carries n: the receive issued n-th must get it.
    for (let n = 0; n < 20; n++) assert.equal(ws.sendto(sender, Uint8Array.of(n), 1, 0, receiverName, 16), 1);
    for (const { ov, buffer, order } of mine) {
      assert.equal(await ws.WSAWaitForMultipleEventsAsync(1, [ov.hEvent as number], false, 10_000, false), ws.WSA_WAIT_EVENT_0, `receive ${order}`);
      assert.equal(ov.InternalHigh, 1);
      assert.equal(buffer[0], order, `receive ${order} (here)`);
      ws.WSACloseEvent(ov.hEvent as number);
    }
    for (const { id, order } of theirs) {
      const done = await helper.ask({ op: 'wait-overlapped', id, timeout: 10_000 });
      assert.equal(done.result, ws.WSA_WAIT_EVENT_0, `receive ${order}`);
      assert.deepEqual(done.data, [order], `receive ${order} (in the Worker)`);
    }
    assert.equal(fionread(receiver), 0, 'nothing left over');
    closeAll(receiver, sender);
    await helper.worker.terminate();
  });

  test('a receive queued behind a terminated Worker\'s receive on the same socket still completes', async () => {
    const { receiver, sender, receiverName } = udpPair();
    const helper = spawn();
    assert.deepEqual(await helper.ask({ op: 'recv-overlapped', s: receiver, len: 8, id: 1 }), { rc: ws.SOCKET_ERROR, error: ws.WSA_IO_PENDING });
    const buffer = new Uint8Array(8);
    const ov = new ws.WSAOVERLAPPED(ws.WSACreateEvent());
    assert.equal(ws.WSARecv(receiver, [{ len: 8, buf: buffer }], 1, null, { value: 0 }, ov, null), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSA_IO_PENDING, 'queued behind the Worker\'s');
    await helper.worker.terminate();
    // The Worker's receive can never complete (its buffer died with it): the turn passes to ours.
    assert.equal(ws.sendto(sender, Uint8Array.of(42), 1, 0, receiverName, 16), 1);
    assert.equal(await ws.WSAWaitForMultipleEventsAsync(1, [ov.hEvent as number], false, 10_000, false), ws.WSA_WAIT_EVENT_0);
    assert.equal(buffer[0], 42);
    ws.WSACloseEvent(ov.hEvent as number);
    closeAll(receiver, sender);
  });

  test('a terminated Worker\'s pending receive no longer takes the data event: WSAEventSelect here records FD_READ', async () => {
    const { receiver, sender, receiverName } = udpPair();
    const helper = spawn();
    assert.deepEqual(await helper.ask({ op: 'recv-overlapped', s: receiver, len: 8, id: 1 }), { rc: ws.SOCKET_ERROR, error: ws.WSA_IO_PENDING });
    await helper.worker.terminate();
    const event = ws.WSACreateEvent();
    assert.equal(ws.WSAEventSelect(receiver, event, ws.FD_READ), 0);
    assert.equal(ws.sendto(sender, Uint8Array.of(7), 1, 0, receiverName, 16), 1);
    assert.equal(await ws.WSAWaitForMultipleEventsAsync(1, [event], false, 5_000, false), ws.WSA_WAIT_EVENT_0);
    const events = ws.newWSANETWORKEVENTS();
    assert.equal(ws.WSAEnumNetworkEvents(receiver, event, events), 0);
    assert.equal(events.lNetworkEvents, ws.FD_READ);
    closeAll(receiver, sender);
    ws.WSACloseEvent(event);
  });

  test('WSAEventSelect made here: the Worker enumerates what was recorded, and its recv re-enables FD_READ', async () => {
    const { receiver, sender, receiverName } = udpPair();
    const helper = spawn();
    const event = ws.WSACreateEvent();
    assert.equal(ws.WSAEventSelect(receiver, event, ws.FD_READ), 0);
    ws.sendto(sender, Uint8Array.of(1), 1, 0, receiverName, 16);
    ws.sendto(sender, Uint8Array.of(2), 1, 0, receiverName, 16);
    assert.equal(ws.WSAWaitForMultipleEvents(1, [event], false, 5_000, false), ws.WSA_WAIT_EVENT_0);
    // Recorded here; reported (and forgotten) there.
    assert.deepEqual(await helper.ask({ op: 'enum', s: receiver }), { rc: 0, error: 0, events: ws.FD_READ, readError: 0 });
    const events = ws.newWSANETWORKEVENTS();
    assert.equal(ws.WSAEnumNetworkEvents(receiver, event, events), 0);
    assert.equal(events.lNetworkEvents, 0, 'reported once, in the Worker');
    // The Worker's recv re-enables FD_READ; a datagram is still queued, so FD_READ is recorded
    // again (no new arrival: only the re-enabling does it) and the event here is signalled.
    assert.deepEqual(await helper.ask({ op: 'recv', s: receiver, len: 8 }), { rc: 1, error: 0, data: [1] });
    assert.equal(ws.WSAWaitForMultipleEvents(1, [event], false, 5_000, false), ws.WSA_WAIT_EVENT_0, 'FD_READ again after the Worker\'s recv');
    assert.equal(ws.WSAEnumNetworkEvents(receiver, event, events), 0);
    assert.equal(events.lNetworkEvents, ws.FD_READ);
    // The selection made the socket non-blocking for the Worker too.
    assert.deepEqual(await helper.ask({ op: 'recv', s: receiver, len: 8 }), { rc: 1, error: 0, data: [2] });
    assert.deepEqual(await helper.ask({ op: 'recv', s: receiver, len: 8 }), { rc: ws.SOCKET_ERROR, error: ws.WSAEWOULDBLOCK, data: [] });
    // FIONBIO back to blocking is refused there while the selection holds (Windows' WSAEINVAL).
    assert.deepEqual(await helper.ask({ op: 'fionbio', s: receiver, on: false }), { rc: ws.SOCKET_ERROR, error: ws.WSAEINVAL });
    closeAll(receiver, sender);
    ws.WSACloseEvent(event);
    await helper.worker.terminate();
  });

  test('SIO_TCP_INFO reports the same connection start in every thread (it is the socket\'s, kept in its record)', async () => {
    const { client, server } = tcpPair();
    const helper = spawn();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const out = new Uint8Array(ws.tcpInfoSize(0));
    assert.equal(ws.WSAIoctl(client, ws.SIO_TCP_INFO, new Uint8Array(4), 4, out, out.length, { value: 0 }, null, null), 0);
    const here = Number(ws.decodeTcpInfo(out, 0).ConnectionTimeMs);
    const there = await helper.ask({ op: 'tcp-info', s: client });
    assert.equal(there.rc, 0);
    // Connected 300 ms ago here; the Worker's first look must not start its own count, nor guess
    // from the kernel's timers (which only know the last data or ack).
    assert.ok(here >= 250, `here: ${here} ms`);
    assert.ok((there.connectionTimeMs as number) >= here, `the Worker: ${String(there.connectionTimeMs)} ms, here ${here} ms`);
    closeAll(client, server);
    await helper.worker.terminate();
  });

  test('a stream socket made here serves a Worker\'s receives and sends while this thread uses it too', async () => {
    const { client, server } = tcpPair();
    const helper = spawn();
    ws.send(client, Uint8Array.of(1, 2, 3), 3, 0);
    assert.deepEqual(await helper.ask({ op: 'recv', s: server, len: 16 }), { rc: 3, error: 0, data: [1, 2, 3] });
    assert.deepEqual(await helper.ask({ op: 'send', s: server, bytes: [5, 6] }), { rc: 2, error: 0 });
    const got = new Uint8Array(4);
    assert.equal(ws.recv(client, got, 4, 0), 2);
    // shutdown here: the Worker's send is WSAESHUTDOWN (the flag is the socket's, not the thread's).
    assert.equal(ws.shutdown(server, ws.SD_SEND), 0);
    assert.deepEqual(await helper.ask({ op: 'send', s: server, bytes: [1] }), { rc: ws.SOCKET_ERROR, error: ws.WSAESHUTDOWN });
    closeAll(client, server);
    await helper.worker.terminate();
  });

  test('stress: 4 Workers on one port take 100,000 posted packets and 10,000 completions of receives they issued on sockets made here, each once; no fd left', async () => {
    const baseline = openFds();
    const PER_WORKER = 2_500;
    const POSTS = 100_000;
    const counts = new Int32Array(new SharedArrayBuffer(4 * 0x10000));
    const contexts = new Int32Array(new SharedArrayBuffer(4 * 4 * PER_WORKER));
    // Concurrency 4: a Worker that took its last packet stays counted as running (it never waits on
    // the port again), so with the default (the processor count) the last packets could stay queued.
    const port = ws.CreateIoCompletionPort(ws.INVALID_HANDLE_VALUE, 0, 0, 4);
    assert.notEqual(port, 0);
    const sender = ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP);
    const receivers: Array<{ s: number; name: Uint8Array }> = [];
    for (let i = 0; i < 4; i++) {
      const s = ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP);
      const name = ws.sockaddr('127.0.0.1', 0);
      assert.equal(ws.bind(s, name, 16), 0);
      const bound = new Uint8Array(16);
      ws.getsockname(s, bound, { value: 16 });
      setIntOption(s, ws.SOL_SOCKET, ws.SO_RCVBUF, 1 << 20);
      assert.equal(ws.CreateIoCompletionPort(s, port, 0x100 + i, 0), port);
      receivers.push({ s, name: bound });
    }
    const helpers = [0, 1, 2, 3].map(() => spawn({ counts, contexts }));
    // Each Worker issues its receives on "its" socket (made here), then takes packets from the port.
    for (let i = 0; i < 4; i++) {
      assert.deepEqual(await helpers[i]!.ask({ op: 'recv-port', s: receivers[i]!.s, count: PER_WORKER, len: 64, first: i * PER_WORKER }), { issued: PER_WORKER });
    }
    const taking = helpers.map((h) => h.ask({ op: 'take', port, count: 1_000_000, timeout: 20_000 }));
    for (let n = 0; n < POSTS; n++) assert.ok(ws.PostQueuedCompletionStatus(port, 0, 1, null));
    const completions = (): number => counts[0x100]! + counts[0x101]! + counts[0x102]! + counts[0x103]!;
    // The datagrams, in batches that the receive buffers hold, each batch waited for (bounded).
    const payload = new Uint8Array(32).fill(3);
    for (let k = 0; k < PER_WORKER; k += 50) {
      for (let j = k; j < k + 50; j++) for (const { name } of receivers) ws.sendto(sender, payload, payload.length, 0, name, 16);
      for (let wait = 0; wait < 2_000 && completions() < 4 * (k + 50); wait++) await tick(5);
    }
    for (let wait = 0; wait < 4_000 && (counts[1]! < POSTS || completions() < 4 * PER_WORKER); wait++) await tick(5);
    for (let i = 0; i < 4; i++) assert.ok(ws.PostQueuedCompletionStatus(port, 0, 0, null));
    const results = await Promise.all(taking);
    assert.equal(counts[1], POSTS, 'every posted packet taken once');
    assert.equal(completions(), 4 * PER_WORKER, 'every completion taken once');
    for (let i = 0; i < 4; i++) assert.equal(counts[0x100 + i], PER_WORKER, `socket ${i}`);
    const notOnce = [...contexts].map((c, i) => [i, c] as const).filter(([, c]) => c !== 1);
    assert.deepEqual(notOnce.slice(0, 5), [], 'each receive\'s completion was taken exactly once');
    assert.ok(results.every((r) => (r.failed as number) === 0), JSON.stringify(results));
    // Everything taken: the port is empty.
    assert.equal(ws.GetQueuedCompletionStatus(port, { value: 0 }, { value: 0 }, { value: null }, 0), false);
    assert.equal(ws.GetLastError(), ws.WAIT_TIMEOUT);
    closeAll(sender, ...receivers.map(({ s }) => s));
    assert.ok(ws.CloseHandle(port));
    await Promise.all(helpers.map((h) => h.worker.terminate()));
    assert.equal(await settledCount(baseline), baseline, 'no fd left');
  });

  test('every socket record is given back once its sockets are closed', async () => {
    const r = region()!;
    const before = new Set(socketHandlesInUse(r));
    const helper = spawn();
    const made: number[] = [];
    for (let i = 0; i < 10; i++) made.push((await helper.ask({ op: 'udp' })).s as number);
    for (const s of made) assert.equal(fionread(s), 0);
    for (const s of made.slice(0, 5)) assert.deepEqual(await helper.ask({ op: 'close', s }), { rc: 0, error: 0 });
    closeAll(...made.slice(5));
    await helper.worker.terminate();
    const left = socketHandlesInUse(r).filter((h) => !before.has(h));
    assert.deepEqual(left, []);
  });
});
