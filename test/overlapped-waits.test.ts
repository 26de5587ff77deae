/**
 * Events and waits: WSACreateEvent / WSASetEvent / WSAResetEvent / WSACloseEvent,
 * WSAWaitForMultipleEvents (return values and failures as Windows), SleepEx, the async twins, and
 * the cost of waiting (an idle wait blocks in the kernel; an async wait with nothing pending does
 * not keep the process alive).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as ws from 'wsaioctl/winsock';
import { startup, cleanup } from './helpers/sockets.js';

before(startup);
after(cleanup);

describe('events', () => {
  test('a new event is manual-reset and not signalled; set, reset, close', () => {
    const e = ws.WSACreateEvent();
    assert.notEqual(e, ws.WSA_INVALID_EVENT);
    assert.equal(ws.WSAWaitForMultipleEvents(1, [e], false, 0, false), ws.WSA_WAIT_TIMEOUT);
    assert.equal(ws.WSASetEvent(e), true);
    assert.equal(ws.WSAWaitForMultipleEvents(1, [e], false, 0, false), ws.WSA_WAIT_EVENT_0);
    assert.equal(ws.WSAWaitForMultipleEvents(1, [e], false, 0, false), ws.WSA_WAIT_EVENT_0, 'manual reset: still signalled');
    assert.equal(ws.WSAResetEvent(e), true);
    assert.equal(ws.WSAWaitForMultipleEvents(1, [e], false, 0, false), ws.WSA_WAIT_TIMEOUT);
    assert.equal(ws.WSACloseEvent(e), true);
    for (const fn of [ws.WSASetEvent, ws.WSAResetEvent, ws.WSACloseEvent]) {
      ws.WSASetLastError(0);
      assert.equal(fn(e), false);
      assert.equal(ws.WSAGetLastError(), ws.WSA_INVALID_HANDLE);
    }
  });

  test('WSAWaitForMultipleEvents: lowest signalled index, wait-all, failures', () => {
    const events = Array.from({ length: 64 }, () => ws.WSACreateEvent());
    ws.WSASetEvent(events[40]!);
    ws.WSASetEvent(events[7]!);
    assert.equal(ws.WSAWaitForMultipleEvents(64, events, false, 0, false), ws.WSA_WAIT_EVENT_0 + 7);
    assert.equal(ws.WSAWaitForMultipleEvents(64, events, true, 0, false), ws.WSA_WAIT_TIMEOUT);
    for (const e of events) ws.WSASetEvent(e);
    assert.equal(ws.WSAWaitForMultipleEvents(64, events, true, 0, false), ws.WSA_WAIT_EVENT_0);

    const fails = (count: number, list: number[] | null, error: number): void => {
      ws.WSASetLastError(0);
      assert.equal(ws.WSAWaitForMultipleEvents(count, list, false, 0, false), ws.WSA_WAIT_FAILED);
      assert.equal(ws.WSAGetLastError(), error);
    };
    fails(0, events, ws.WSA_INVALID_PARAMETER);
    fails(65, [...events, events[0]!], ws.WSA_INVALID_PARAMETER);
    fails(2, [events[0]!], ws.WSA_INVALID_PARAMETER);
    fails(1, null, ws.WSA_INVALID_PARAMETER);
    fails(1, [0x7ffffff0], ws.WSA_INVALID_HANDLE);
    // A socket handle is a waitable object (WSAWaitForMultipleEvents is WaitForMultipleObjectsEx):
    // a fresh one, with no I/O yet, is not signalled (messages-waits.test.ts has its rules).
    const s = ws.socket(ws.AF_INET, ws.SOCK_DGRAM, 0);
    assert.equal(ws.WSAWaitForMultipleEvents(1, [s], false, 0, false), ws.WSA_WAIT_TIMEOUT);
    ws.closesocket(s);
    fails(1, [s], ws.WSA_INVALID_HANDLE);
    for (const e of events) ws.WSACloseEvent(e);
    fails(1, [events[0]!], ws.WSA_INVALID_HANDLE);
  });

  test('a time-out returns WSA_WAIT_TIMEOUT; SleepEx returns 0', () => {
    const e = ws.WSACreateEvent();
    assert.equal(ws.WSAWaitForMultipleEvents(1, [e], false, 30, false), ws.WSA_WAIT_TIMEOUT);
    assert.equal(ws.WSAWaitForMultipleEvents(1, [e], false, 30, true), ws.WSA_WAIT_TIMEOUT);
    assert.equal(ws.SleepEx(30, true), 0);
    assert.equal(ws.SleepEx(0, false), 0);
    ws.WSACloseEvent(e);
  });

  test('async twin: WSAWaitForMultipleEventsAsync resolves when another task sets the event', async () => {
    const e = ws.WSACreateEvent();
    const waiting = ws.WSAWaitForMultipleEventsAsync(1, [e], false, ws.WSA_INFINITE, false);
    setTimeout(() => ws.WSASetEvent(e), 20);
    assert.equal(await waiting, ws.WSA_WAIT_EVENT_0);
    ws.WSAResetEvent(e);
    assert.equal(await ws.WSAWaitForMultipleEventsAsync(1, [e], false, 20, false), ws.WSA_WAIT_TIMEOUT);
    assert.equal(await ws.WSAWaitForMultipleEventsAsync(0, [e], false, 20, false), ws.WSA_WAIT_FAILED);
    assert.equal(ws.WSAGetLastError(), ws.WSA_INVALID_PARAMETER);
    ws.WSACloseEvent(e);
  });
});

describe('the cost of waiting', () => {
  test('an idle 300 ms SleepEx blocks in the kernel: CPU time well under the wall time', () => {
    const cpu = process.cpuUsage();
    const started = process.hrtime.bigint();
    assert.equal(ws.SleepEx(300, true), 0);
    const wallUs = Number(process.hrtime.bigint() - started) / 1000;
    const used = process.cpuUsage(cpu);
    assert.ok(wallUs >= 250_000, 'it did wait');
    assert.ok(used.user + used.system < wallUs / 4, `CPU ${used.user + used.system} us for ${wallUs} us`);
  });

  test('an idle WSAWaitForMultipleEvents with a pending notification blocks in the kernel too', () => {
    const s = ws.socket(ws.AF_INET, ws.SOCK_DGRAM, 0);
    const e = ws.WSACreateEvent();
    const ov = new ws.WSAOVERLAPPED(e);
    assert.equal(ws.WSAIoctl(s, ws.SIO_ROUTING_INTERFACE_CHANGE, ws.sockaddr('127.0.0.1', 0), 16, null, 0, { value: 0 }, ov, null), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSA_IO_PENDING);
    const cpu = process.cpuUsage();
    const started = process.hrtime.bigint();
    assert.equal(ws.WSAWaitForMultipleEvents(1, [e], false, 300, false), ws.WSA_WAIT_TIMEOUT);
    const wallUs = Number(process.hrtime.bigint() - started) / 1000;
    const used = process.cpuUsage(cpu);
    assert.ok(used.user + used.system < wallUs / 4, `CPU ${used.user + used.system} us for ${wallUs} us`);
    ws.closesocket(s);
    ws.WSACloseEvent(e);
  });

  const run = (source: string): { status: number | null; stdout: string; signal: string | null } => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', source], { cwd: new URL('..', import.meta.url), timeout: 10_000, encoding: 'utf8' });
    return { status: r.status, stdout: r.stdout, signal: r.signal };
  };

  test('an INFINITE async wait with nothing pending does not keep the process alive', () => {
    const r = run(`
      import * as ws from 'wsaioctl/winsock';
      ws.WSAStartup(0x202, ws.newWSADATA());
      const e = ws.WSACreateEvent();
      ws.WSAWaitForMultipleEventsAsync(1, [e], false, ws.WSA_INFINITE, true).then((r) => console.log('resolved', r));
      ws.SleepExAsync(ws.INFINITE, true).then((r) => console.log('resolved', r));
      const port = ws.CreateIoCompletionPort(ws.INVALID_HANDLE_VALUE, 0, 0, 0);
      ws.GetQueuedCompletionStatusAsync(port, { value: 0 }, { value: 0 }, { value: null }, ws.INFINITE).then((r) => console.log('resolved', r));
      console.log('started');
    `);
    assert.equal(r.signal, null, 'exited by itself, not killed by the time limit');
    assert.equal(r.status, 0);
    assert.equal(r.stdout.trim(), 'started');
  });

  test('an async wait keeps the process alive while an operation is pending, and lets it go once it is cancelled', () => {
    const r = run(`
      import * as ws from 'wsaioctl/winsock';
      ws.WSAStartup(0x202, ws.newWSADATA());
      const s = ws.socket(ws.AF_INET, ws.SOCK_DGRAM, 0);
      const e = ws.WSACreateEvent();
      const ov = new ws.WSAOVERLAPPED(e);
      ws.WSAIoctl(s, ws.SIO_ROUTING_INTERFACE_CHANGE, ws.sockaddr('127.0.0.1', 0), 16, null, 0, { value: 0 }, ov, null);
      ws.WSAWaitForMultipleEventsAsync(1, [e], false, ws.WSA_INFINITE, false).then((r) => console.log('resolved', r, ov.Internal === ws.STATUS_CANCELLED));
      // Cancelled from a timer: the wait must still be alive then.
      setTimeout(() => ws.CancelIoEx(s, ov), 200).unref();
    `);
    assert.equal(r.signal, null);
    assert.equal(r.status, 0);
    assert.equal(r.stdout.trim(), 'resolved 0 true');
  });
});

describe('untrusted arguments', () => {
  test('no overlapped function throws or rejects, whatever JS passes', async () => {
    const garbage: unknown[] = [undefined, null, -1, 0, 1.5, NaN, 'x', {}, [], { value: 'x' }, 2 ** 40, Symbol('s'), 10n];
    const api = ws as unknown as Record<string, (...args: unknown[]) => unknown>;
    const names = ['WSACloseEvent', 'WSASetEvent', 'WSAResetEvent', 'WSAWaitForMultipleEvents', 'SleepEx', 'WSAGetOverlappedResult',
      'CreateIoCompletionPort', 'GetQueuedCompletionStatus', 'PostQueuedCompletionStatus', 'CloseHandle', 'CancelIo', 'CancelIoEx',
      'WSAEventSelect', 'WSAEnumNetworkEvents', 'SleepExAsync', 'WSAWaitForMultipleEventsAsync', 'GetQueuedCompletionStatusAsync',
      'WSAGetOverlappedResultAsync'];
    // Time-out / wait arguments are fixed to "do not wait" so the test stays bounded.
    const noWait: Record<string, number> = { SleepEx: 0, SleepExAsync: 0, WSAWaitForMultipleEvents: 3, WSAWaitForMultipleEventsAsync: 3, GetQueuedCompletionStatus: 4, GetQueuedCompletionStatusAsync: 4, WSAGetOverlappedResult: 3, WSAGetOverlappedResultAsync: 3 };
    const pending: Promise<unknown>[] = [];
    let seed = 12345;
    const pick = (): unknown => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return garbage[seed % garbage.length]; };
    for (const name of names) {
      for (let i = 0; i < 200; i++) {
        const args = Array.from({ length: 5 }, pick);
        if (name in noWait) args[noWait[name]!] = 0;
        const result = api[name]!(...args);
        if (result instanceof Promise) pending.push(result);
      }
    }
    const settled = await Promise.allSettled(pending);
    assert.equal(settled.filter((s) => s.status === 'rejected').length, 0);
  });
});
