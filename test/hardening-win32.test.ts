/**
 * The Win32 object model against hostile callers (the hardening issue): a WSAOVERLAPPED frozen
 * while its call is pending does not stop the clean-up of anything else; an async
 * GetQueuedCompletionStatus whose port is closed ends with ERROR_ABANDONED_WAIT_0; unwritable
 * out-parameters are refused before a packet is taken; deeply nested alertable waits run every
 * completion routine exactly once. Linux backend; loopback only.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import * as ws from 'wsaioctl/winsock';
import { startup, cleanup, check } from './helpers/sockets.js';
import { listenerCount } from '../dist/backend/linux/netlink/watcher.js';
import { lookupSocket } from '../dist/backend/linux/win32/socket-state.js';

const linux = process.platform === 'linux';
const LOOPBACK = ws.sockaddr('127.0.0.1', 0);
const udp = (): number => check(ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP), 'socket');
const fdCount = (): number => readdirSync('/proc/self/fd').length;

/** A SIO_ROUTING_INTERFACE_CHANGE for 127.0.0.1: pending until cancelled (that route never changes). */
function pend(s: number, ov: ws.WSAOVERLAPPED, routine: ws.LPWSAOVERLAPPED_COMPLETION_ROUTINE | null = null): void {
  assert.equal(ws.WSAIoctl(s, ws.SIO_ROUTING_INTERFACE_CHANGE, LOOPBACK, LOOPBACK.length, null, 0, { value: 0 }, ov, routine), ws.SOCKET_ERROR);
  assert.equal(ws.WSAGetLastError(), ws.WSA_IO_PENDING);
}

describe('hostile objects never block clean-up', { skip: !linux && 'Linux backend' }, () => {
  before(startup);
  after(cleanup);

  test('closesocket with a frozen pending WSAOVERLAPPED: no throw, the other operations still complete', () => {
    const s = udp();
    const frozen = new ws.WSAOVERLAPPED();
    const other = new ws.WSAOVERLAPPED();
    const event = ws.WSACreateEvent();
    other.hEvent = event;
    pend(s, frozen);
    pend(s, other);
    Object.freeze(frozen);
    assert.equal(ws.closesocket(s), 0);
    assert.equal(other.Internal, ws.STATUS_CANCELLED, 'the other operation completed as cancelled');
    assert.equal(ws.WSAWaitForMultipleEvents(1, [event], true, 0, false), ws.WSA_WAIT_EVENT_0, 'and signalled its event');
    assert.equal(frozen.Internal, ws.STATUS_PENDING, 'the frozen object kept what it had');
    assert.equal(ws.WSAGetLastError(), 0);
    ws.WSACloseEvent(event);
  });

  test('a completion routine still runs for a frozen WSAOVERLAPPED, once', () => {
    const s = udp();
    const ov = new ws.WSAOVERLAPPED();
    let calls = 0;
    let error = -1;
    pend(s, ov, (dwError) => {
      calls++;
      error = dwError;
    });
    Object.freeze(ov);
    assert.equal(ws.closesocket(s), 0);
    ws.SleepEx(0, true);
    ws.SleepEx(0, true);
    assert.equal(calls, 1);
    assert.equal(error, ws.WSA_OPERATION_ABORTED);
  });

  test('WSACleanup with a frozen pending WSAOVERLAPPED closes every socket', () => {
    const before = fdCount();
    const sockets = [udp(), udp(), udp()];
    const ovs = sockets.map(() => new ws.WSAOVERLAPPED());
    sockets.forEach((s, i) => pend(s, ovs[i]!));
    Object.freeze(ovs[0]);
    // The describe's one WSAStartup: this WSACleanup is the last one and closes every socket left open.
    assert.equal(ws.WSACleanup(), 0, 'the last WSACleanup succeeds');
    for (const s of sockets) {
      assert.equal(ws.closesocket(s), ws.SOCKET_ERROR);
      assert.equal(ws.WSAGetLastError(), ws.WSANOTINITIALISED);
    }
    assert.equal(ovs[1]!.Internal, ws.STATUS_CANCELLED);
    assert.equal(ovs[2]!.Internal, ws.STATUS_CANCELLED);
    assert.ok(fdCount() <= before + 1, `fds back to ${before} (now ${fdCount()})`);
    startup();
  });

  test('a Worker that exits with a frozen pending WSAOVERLAPPED exits cleanly; its sockets stay the process\'s until closed here, then no fd is left', async () => {
    const before = fdCount();
    const code = `(async () => {
      const { parentPort, workerData } = await import('node:worker_threads');
      const ws = await import(new URL('dist/winsock/index.js', workerData.base).href);
      ws.WSAStartup(0x202, ws.newWSADATA());
      const target = ws.sockaddr('127.0.0.1', 0);
      const sockets = [];
      for (let i = 0; i < 3; i++) {
        const s = ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP);
        sockets.push(s);
        const ov = new ws.WSAOVERLAPPED();
        ws.WSAIoctl(s, ws.SIO_ROUTING_INTERFACE_CHANGE, target, target.length, null, 0, { value: 0 }, ov, null);
        if (i === 0) Object.freeze(ov);
      }
      parentPort.postMessage(sockets);
    })()`;
    const worker = new Worker(code, { eval: true, workerData: { base: new URL('..', import.meta.url).href } });
    const errors: unknown[] = [];
    let sockets: number[] = [];
    worker.on('error', (e) => errors.push(e));
    worker.on('message', (m: number[]) => { sockets = m; });
    const exitCode = await new Promise<number>((resolve) => worker.once('exit', resolve));
    assert.equal(exitCode, 0);
    assert.deepEqual(errors, []);
    // SOCKETs are the process's (docs/process-wide-handles.md §15): closed here, by number.
    assert.equal(sockets.length, 3);
    for (const s of sockets) assert.equal(ws.closesocket(s), 0);
    assert.ok(fdCount() <= before + 1, `fds back to ${before} (now ${fdCount()})`);
  });
});

describe('a WSAOVERLAPPED that cannot take its status', { skip: !linux && 'Linux backend' }, () => {
  before(startup);
  after(cleanup);

  test('frozen at the call: WSAEFAULT, nothing starts, no routine', () => {
    const s = udp();
    let calls = 0;
    const frozen = Object.freeze(new ws.WSAOVERLAPPED());
    const bytes = { value: 7 };
    assert.equal(ws.WSAIoctl(s, ws.SIO_ROUTING_INTERFACE_CHANGE, LOOPBACK, LOOPBACK.length, null, 0, bytes, frozen, () => { calls++; }), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEFAULT);
    assert.equal(ws.WSAIoctl(s, ws.FIONBIO, new Uint8Array(4), 4, null, 0, bytes, frozen, null), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEFAULT);
    assert.equal(bytes.value, 7);
    ws.SleepEx(0, true);
    assert.equal(calls, 0);
    assert.equal(ws.CancelIoEx(s, null), false, 'nothing is pending');
    ws.closesocket(s);
  });
});

describe('completion ports', { skip: !linux && 'Linux backend' }, () => {
  before(startup);
  after(cleanup);

  test('an async GetQueuedCompletionStatus whose port is closed: FALSE, NULL, ERROR_ABANDONED_WAIT_0', async () => {
    const port = ws.CreateIoCompletionPort(ws.INVALID_HANDLE_VALUE, 0, 0, 0);
    assert.notEqual(port, 0);
    const overlapped: { value: ws.WSAOVERLAPPED | null } = { value: new ws.WSAOVERLAPPED() };
    const waiting = ws.GetQueuedCompletionStatusAsync(port, { value: 0 }, { value: 0 }, overlapped, ws.INFINITE);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(ws.CloseHandle(port), true);
    assert.equal(await waiting, false);
    assert.equal(overlapped.value, null);
    assert.equal(ws.GetLastError(), ws.ERROR_ABANDONED_WAIT_0);
  });

  test('the synchronous form on a closed port: ERROR_INVALID_HANDLE, nothing written', () => {
    const port = ws.CreateIoCompletionPort(ws.INVALID_HANDLE_VALUE, 0, 0, 0);
    assert.equal(ws.CloseHandle(port), true);
    const overlapped: { value: ws.WSAOVERLAPPED | null } = { value: null };
    const bytes = { value: 7 };
    assert.equal(ws.GetQueuedCompletionStatus(port, bytes, { value: 0 }, overlapped, 0), false);
    assert.equal(ws.GetLastError(), ws.ERROR_INVALID_HANDLE);
    assert.equal(bytes.value, 7);
  });

  test('unwritable out-parameters are refused before the packet is taken', () => {
    const port = ws.CreateIoCompletionPort(ws.INVALID_HANDLE_VALUE, 0, 0, 0);
    const ov = new ws.WSAOVERLAPPED();
    assert.equal(ws.PostQueuedCompletionStatus(port, 5, 9, ov), true);
    const throwing = { get value(): number { throw new Error('no'); }, set value(_v: number) { throw new Error('no'); } };
    for (const bad of [Object.freeze({ value: 0 }), throwing, 42 as unknown as { value: number }]) {
      assert.equal(ws.GetQueuedCompletionStatus(port, bad, { value: 0 }, { value: null }, 0), false);
      assert.equal(ws.GetLastError(), ws.ERROR_INVALID_PARAMETER);
      assert.equal(ws.GetQueuedCompletionStatus(port, { value: 0 }, bad, { value: null }, 0), false);
      assert.equal(ws.GetQueuedCompletionStatus(port, { value: 0 }, { value: 0 }, bad as unknown as { value: ws.WSAOVERLAPPED | null }, 0), false);
    }
    const bytes = { value: 0 };
    const key = { value: 0 };
    const got: { value: ws.WSAOVERLAPPED | null } = { value: null };
    assert.equal(ws.GetQueuedCompletionStatus(port, bytes, key, got, 0), true, 'the packet is still there');
    assert.deepEqual([bytes.value, key.value, got.value], [5, 9, ov]);
    ws.CloseHandle(port);
  });
});

describe('nested alertable waits', { skip: !linux && 'Linux backend' }, () => {
  before(startup);
  after(cleanup);

  test('20,000 routines that each wait alertably all run, each once, and nothing escapes', () => {
    const s = udp();
    const N = 20_000;
    const runs = new Uint8Array(N);
    const one = new Uint8Array(4);
    for (let i = 0; i < N; i++) {
      const ov = new ws.WSAOVERLAPPED();
      // FIONBIO completes at once in overlapped mode: its routine is queued for the next alertable wait.
      const rc = ws.WSAIoctl(s, ws.FIONBIO, one, 4, null, 0, { value: 0 }, ov, () => {
        runs[i]!++;
        ws.SleepEx(0, true);
      });
      assert.equal(rc, 0);
    }
    // An exception escaping a routine would surface as an uncaught exception and fail this file.
    for (let round = 0; round < 10 && runs.some((r) => r === 0); round++) ws.SleepEx(0, true);
    assert.equal(runs.filter((r) => r === 1).length, N, 'every routine ran exactly once');
    ws.closesocket(s);
  });
});

describe('a blocking call whose socket a completion routine closes', { skip: !linux && 'Linux backend' }, () => {
  before(startup);
  after(cleanup);

  test('recv ends with WSAEINTR and never reads the fd number reused meanwhile', () => {
    const receiver = udp();
    assert.equal(ws.bind(receiver, LOOPBACK, LOOPBACK.length), 0);
    const other = udp();
    let reopened = ws.INVALID_SOCKET;
    // FIONBIO completes at once in overlapped mode: its routine runs at the blocking recv's first look.
    const rc = ws.WSAIoctl(other, ws.FIONBIO, new Uint8Array(4), 4, null, 0, { value: 0 }, new ws.WSAOVERLAPPED(), () => {
      ws.closesocket(receiver);
      reopened = udp(); // likely to get the fd number the receiver had
    });
    assert.equal(rc, 0);
    assert.equal(ws.recv(receiver, new Uint8Array(8), 8, 0), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEINTR);
    assert.notEqual(reopened, ws.INVALID_SOCKET, 'the routine ran during the blocking call');
    ws.closesocket(other);
    ws.closesocket(reopened);
  });
});

describe('non-blocking change requests', { skip: !linux && 'Linux backend' }, () => {
  before(startup);
  after(cleanup);

  test('10,000 WSAEWOULDBLOCK change requests on one socket keep one registration per code', () => {
    const s = udp();
    assert.equal(ws.ioctlsocket(s, ws.FIONBIO, { value: 1 }), 0);
    const before = listenerCount();
    for (let i = 0; i < 10_000; i++) {
      assert.equal(ws.WSAIoctl(s, ws.SIO_ADDRESS_LIST_CHANGE, null, 0, null, 0, { value: 0 }, null, null), ws.SOCKET_ERROR);
      assert.equal(ws.WSAGetLastError(), ws.WSAEWOULDBLOCK);
      assert.equal(ws.WSAIoctl(s, ws.SIO_ROUTING_INTERFACE_CHANGE, LOOPBACK, LOOPBACK.length, null, 0, { value: 0 }, null, null), ws.SOCKET_ERROR);
    }
    assert.equal(lookupSocket(s)!.notificationRequests.size, 2, 'one request per code');
    assert.equal(listenerCount(), before + 2, 'two watcher listeners, not 20,000');
    ws.closesocket(s);
    assert.equal(listenerCount(), before, 'closesocket drops them');
  });
});
