/**
 * Cancellation: CancelIoEx (one operation or all), CancelIo, closesocket with operations pending,
 * and Worker threads (each thread's operations, routines and handles are its own; a Worker that
 * exits cancels its pending operations and closes what it created). Every cancelled operation
 * completes exactly once with STATUS_CANCELLED: WSA_OPERATION_ABORTED for routines and
 * WSAGetOverlappedResult, ERROR_OPERATION_ABORTED for completion packets. The pending operations
 * are SIO_ROUTING_INTERFACE_CHANGE requests for 127.0.0.1, whose route never changes.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import * as ws from 'wsaioctl/winsock';
import { startup, cleanup, check, closeAll } from './helpers/sockets.js';
import { watcherOpen } from '../dist/backend/linux/netlink/watcher.js';

const LOOPBACK = ws.sockaddr('127.0.0.1', 0);
const udp = (): number => check(ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP), 'socket');

function pend(s: number, ov: ws.WSAOVERLAPPED, routine: ws.LPWSAOVERLAPPED_COMPLETION_ROUTINE | null = null): void {
  assert.equal(ws.WSAIoctl(s, ws.SIO_ROUTING_INTERFACE_CHANGE, LOOPBACK, LOOPBACK.length, null, 0, { value: 0 }, ov, routine), ws.SOCKET_ERROR);
  assert.equal(ws.WSAGetLastError(), ws.WSA_IO_PENDING);
  assert.equal(ov.Internal, ws.STATUS_PENDING);
}

function drainPort(port: number): Array<{ ok: boolean; error: number; overlapped: ws.WSAOVERLAPPED | null; bytes: number }> {
  const got = [];
  for (let i = 0; i < 100; i++) {
    const bytes = { value: 0xbad };
    const overlapped: { value: ws.WSAOVERLAPPED | null } = { value: null };
    const ok = ws.GetQueuedCompletionStatus(port, bytes, { value: 0 }, overlapped, 0);
    const error = ws.GetLastError();
    if (!ok && overlapped.value === null) break;
    got.push({ ok, error, overlapped: overlapped.value, bytes: bytes.value });
  }
  return got;
}

before(startup);
after(cleanup);

describe('CancelIoEx / CancelIo', () => {
  test('CancelIoEx(s, ov) cancels that operation only, once', () => {
    const s = udp();
    const port = ws.CreateIoCompletionPort(s, 0, 3, 0);
    const a = new ws.WSAOVERLAPPED();
    const b = new ws.WSAOVERLAPPED();
    pend(s, a);
    pend(s, b);
    assert.equal(ws.CancelIoEx(s, a), true);
    assert.equal(a.Internal, ws.STATUS_CANCELLED);
    assert.equal(b.Internal, ws.STATUS_PENDING);
    assert.equal(ws.CancelIoEx(s, a), false, 'nothing left to cancel for a');
    assert.equal(ws.GetLastError(), ws.ERROR_NOT_FOUND);
    const packets = drainPort(port);
    assert.deepEqual(packets, [{ ok: false, error: ws.ERROR_OPERATION_ABORTED, overlapped: a, bytes: 0 }]);
    const transferred = { value: 0xbad };
    assert.equal(ws.WSAGetOverlappedResult(s, a, transferred, false, { value: 0 }), false);
    assert.equal(ws.WSAGetLastError(), ws.WSA_OPERATION_ABORTED);
    assert.equal(ws.WSAGetOverlappedResult(s, b, transferred, false, { value: 0 }), false);
    assert.equal(ws.WSAGetLastError(), ws.WSA_IO_INCOMPLETE);
    assert.equal(ws.CancelIoEx(s, null), true, 'all the rest');
    assert.equal(b.Internal, ws.STATUS_CANCELLED);
    assert.equal(drainPort(port).length, 1);
    assert.equal(ws.CancelIoEx(s, null), false);
    assert.equal(ws.GetLastError(), ws.ERROR_NOT_FOUND);
    assert.equal(ws.CancelIoEx(0x7ffffff0, null), false);
    assert.equal(ws.GetLastError(), ws.ERROR_INVALID_HANDLE);
    closeAll(s);
    assert.equal(drainPort(port).length, 0, 'closing after cancelling delivers nothing more');
    ws.CloseHandle(port);
  });

  test('CancelIo cancels every pending operation of the socket; routines see WSA_OPERATION_ABORTED once', () => {
    const s = udp();
    const calls: Array<[number, number, ws.WSAOVERLAPPED]> = [];
    const ovs = [new ws.WSAOVERLAPPED(), new ws.WSAOVERLAPPED(), new ws.WSAOVERLAPPED()];
    for (const ov of ovs) pend(s, ov, (e, n, o) => calls.push([e, n, o]));
    assert.equal(ws.CancelIo(s), true);
    assert.equal(calls.length, 0, 'routines wait for an alertable wait');
    assert.equal(ws.SleepEx(0, true), ws.WAIT_IO_COMPLETION);
    assert.deepEqual(calls, ovs.map((ov) => [ws.WSA_OPERATION_ABORTED, 0, ov]));
    assert.equal(ws.SleepEx(0, true), 0);
    assert.equal(ws.CancelIo(s), true, 'nothing pending is still success');
    closeAll(s);
  });
});

describe('closesocket with operations pending', () => {
  test('each completes exactly once, cancelled, through its own path (event, routine, port, async waits)', async () => {
    const sEvent = udp();
    const sRoutine = udp();
    const sPort = udp();
    const event = ws.WSACreateEvent();
    const ovEvent = new ws.WSAOVERLAPPED(event);
    pend(sEvent, ovEvent);
    const calls: number[] = [];
    pend(sRoutine, new ws.WSAOVERLAPPED(), (e) => calls.push(e));
    const port = ws.CreateIoCompletionPort(sPort, 0, 11, 0);
    const ovPort = new ws.WSAOVERLAPPED();
    pend(sPort, ovPort);
    assert.equal(watcherOpen(), true, 'the watcher serves the pending requests');
    const asyncEvent = ws.WSAWaitForMultipleEventsAsync(1, [event], false, 5000, false);
    const asyncPort = ws.GetQueuedCompletionStatusAsync(port, { value: 0 }, { value: 0 }, { value: null }, 5000);
    const asyncRoutine = ws.SleepExAsync(5000, true);
    closeAll(sEvent, sRoutine, sPort);
    assert.equal(watcherOpen(), false, 'no request left: the rtnetlink socket is closed');
    assert.equal(await asyncEvent, ws.WSA_WAIT_EVENT_0);
    assert.equal(ovEvent.Internal, ws.STATUS_CANCELLED);
    assert.equal(await asyncPort, false);
    assert.equal(ws.GetLastError(), ws.ERROR_OPERATION_ABORTED);
    assert.equal(await asyncRoutine, ws.WAIT_IO_COMPLETION);
    assert.deepEqual(calls, [ws.WSA_OPERATION_ABORTED]);
    assert.equal(ws.SleepEx(0, true), 0);
    assert.equal(drainPort(port).length, 0, 'one packet only');
    assert.equal(ws.WSAGetOverlappedResult(sPort, ovPort, { value: 0 }, false, { value: 0 }), false);
    assert.equal(ws.WSAGetLastError(), ws.WSAENOTSOCK, 'the socket is checked first (Windows)');
    ws.CloseHandle(port);
    ws.WSACloseEvent(event);
  });
});

describe('threads', () => {
  const fdCount = (): number => readdirSync('/proc/self/fd').length;

  function runWorker(source: string): Promise<{ messages: unknown[]; code: number }> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(source, { eval: true, workerData: { base: new URL('..', import.meta.url).href } });
      const messages: unknown[] = [];
      const timer = setTimeout(() => { void worker.terminate(); reject(new Error('worker did not exit in time')); }, 10_000);
      worker.on('message', (m) => messages.push(m));
      worker.on('error', reject);
      worker.on('exit', (code) => { clearTimeout(timer); resolve({ messages, code }); });
    });
  }

  const prelude = `
    const { parentPort, workerData } = await import('node:worker_threads');
    const ws = await import(new URL('dist/winsock/index.js', workerData.base).href);
    ws.WSAStartup(0x202, ws.newWSADATA());
    const loop = ws.sockaddr('127.0.0.1', 0);
  `;

  test('a Worker\'s completion routines run in the Worker, not in the main thread', async () => {
    let mainCalls = 0;
    const s = udp();
    const ov = new ws.WSAOVERLAPPED();
    assert.equal(ws.WSAIoctl(s, ws.FIONBIO, new Uint8Array([1, 0, 0, 0]), 4, null, 0, { value: 0 }, ov, () => { mainCalls++; }), 0);
    const { messages, code } = await runWorker(`(async () => {${prelude}
      const s = ws.socket(ws.AF_INET, ws.SOCK_DGRAM, 0);
      let calls = 0;
      ws.WSAIoctl(s, ws.FIONBIO, new Uint8Array([1, 0, 0, 0]), 4, null, 0, { value: 0 }, new ws.WSAOVERLAPPED(), () => { calls++; });
      const first = ws.SleepEx(0, true);
      parentPort.postMessage({ first, calls });
    })()`);
    assert.equal(code, 0);
    assert.deepEqual(messages, [{ first: ws.WAIT_IO_COMPLETION, calls: 1 }], 'the Worker ran its own routine, and only that');
    assert.equal(mainCalls, 0);
    assert.equal(ws.SleepEx(0, true), ws.WAIT_IO_COMPLETION);
    assert.equal(mainCalls, 1);
    closeAll(s);
  });

  for (const how of ['returns', 'calls process.exit']) {
    test(`a Worker that ${how} with requests pending cancels them and closes its rtnetlink socket; its sockets stay the process's until closed here`, async () => {
      const before = fdCount();
      const { messages, code } = await runWorker(`(async () => {${prelude}
        const sockets = [];
        for (let i = 0; i < 20; i++) {
          const s = ws.socket(ws.AF_INET, ws.SOCK_DGRAM, 0);
          sockets.push(s);
          ws.WSAIoctl(s, ws.SIO_ROUTING_INTERFACE_CHANGE, loop, 16, null, 0, { value: 0 }, new ws.WSAOVERLAPPED(), null);
          ws.WSAIoctl(s, ws.SIO_ADDRESS_LIST_CHANGE, null, 0, null, 0, { value: 0 }, new ws.WSAOVERLAPPED(ws.WSACreateEvent()), () => {});
        }
        ws.CreateIoCompletionPort(sockets[0], 0, 1, 0);
        parentPort.postMessage({ pending: ws.WSAGetLastError(), sockets });
        ${how === 'returns' ? '' : 'process.exit(0);'}
      })()`);
      assert.equal(code, 0);
      const [message] = messages as Array<{ pending: number; sockets: number[] }>;
      assert.equal(message?.pending, ws.WSA_IO_PENDING);
      // A SOCKET is the process's (docs/process-wide-handles.md §15): the Worker's end leaves them open.
      const sockets = message?.sockets ?? [];
      assert.equal(sockets.length, 20);
      assert.equal(fdCount(), before + 20, 'only the sockets outlive the Worker');
      const type = new Uint8Array(4);
      for (const s of sockets) assert.equal(ws.getsockopt(s, ws.SOL_SOCKET, ws.SO_TYPE, type, { value: 4 }), 0, 'usable here');
      closeAll(...sockets);
      assert.equal(fdCount(), before, 'every fd the Worker opened is closed');
    });
  }
});
