/**
 * WSAIoctl in overlapped mode: how each kind of outcome is delivered (event, completion routine in
 * an alertable wait, completion port, async twins), following what Windows does according to Wine's
 * dlls/ws2_32/tests/sock.c (test_fionbio, test_unsupported_ioctls, test_base_handle,
 * test_address_list_query, test_get_interface_list, test_WSAGetOverlappedResult), on loopback only.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as ws from 'wsaioctl/winsock';
import { startup, cleanup, check, closeAll } from './helpers/sockets.js';
import { packet } from './helpers/completion.js';

const ONE = new Uint8Array([1, 0, 0, 0]);
const tcp = (flags = ws.WSA_FLAG_OVERLAPPED): number => check(ws.WSASocketW(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP, null, 0, flags), 'WSASocketW');

function fresh(hEvent = 0): ws.WSAOVERLAPPED {
  const ov = new ws.WSAOVERLAPPED(hEvent);
  ov.Internal = 0xdeadbeef;
  ov.InternalHigh = 0xdeadbeef;
  return ov;
}

before(startup);
after(cleanup);

describe('an operation that completes at once (FIONBIO)', () => {
  test('returns 0, sets *lpcbBytesReturned, Internal/InternalHigh 0, signals hEvent', () => {
    const s = tcp();
    const event = ws.WSACreateEvent();
    const ov = fresh(event);
    const bytes = { value: 0xdead };
    assert.equal(ws.WSAIoctl(s, ws.FIONBIO, ONE, 4, null, 0, bytes, ov, null), 0);
    assert.equal(bytes.value, 0);
    assert.equal(ov.Internal, ws.STATUS_SUCCESS);
    assert.equal(ov.InternalHigh, 0);
    assert.equal(ws.WSAWaitForMultipleEvents(1, [event], true, 0, false), ws.WSA_WAIT_EVENT_0);
    const transferred = { value: 0xbad };
    assert.equal(ws.WSAGetOverlappedResult(s, ov, transferred, false, { value: 0 }), true);
    assert.equal(transferred.value, 0);
    ws.WSACloseEvent(event);
    closeAll(s);
  });

  test('queues one completion packet (TRUE, 0 bytes, key, the caller\'s overlapped)', () => {
    const s = tcp();
    const port = ws.CreateIoCompletionPort(s, 0, 123, 0);
    assert.notEqual(port, 0);
    const ov = fresh();
    assert.equal(ws.WSAIoctl(s, ws.FIONBIO, ONE, 4, null, 0, { value: 0 }, ov, null), 0);
    const p = packet(port);
    assert.equal(p.ok, true);
    assert.equal(p.error, 0xdead, 'a successful dequeue leaves the last error alone');
    assert.equal(p.bytes, 0);
    assert.equal(p.key, 123);
    assert.equal(p.overlapped, ov);
    const none = packet(port);
    assert.equal(none.ok, false);
    assert.equal(none.error, ws.WAIT_TIMEOUT);
    assert.equal(none.overlapped, null);
    assert.equal(none.bytes, 0xbad, 'a time-out leaves bytes and key alone');
    closeAll(s);
    assert.equal(ws.CloseHandle(port), true);
  });

  test('an hEvent with its low bit set suppresses the packet but still signals the event', () => {
    const s = tcp();
    const port = ws.CreateIoCompletionPort(s, 0, 1, 0);
    const event = ws.WSACreateEvent();
    const ov = fresh(event | 1);
    assert.equal(ws.WSAIoctl(s, ws.FIONBIO, ONE, 4, null, 0, { value: 0 }, ov, null), 0);
    assert.equal(packet(port).error, ws.WAIT_TIMEOUT);
    assert.equal(ws.WSAWaitForMultipleEvents(1, [event], true, 0, false), ws.WSA_WAIT_EVENT_0);
    closeAll(s);
    ws.CloseHandle(port);
    ws.WSACloseEvent(event);
  });

  test('the completion routine runs only in an alertable wait of this thread, once, with (0, 0, ov, 0)', () => {
    const s = tcp();
    const calls: Array<[number, number, ws.WSAOVERLAPPED, number]> = [];
    const ov = fresh();
    const bytes = { value: 0xdead };
    assert.equal(ws.WSAIoctl(s, ws.FIONBIO, ONE, 4, null, 0, bytes, ov, (e, n, o, f) => calls.push([e, n, o, f])), 0);
    assert.equal(bytes.value, 0);
    assert.equal(calls.length, 0, 'not run by the call itself');
    assert.equal(ws.SleepEx(0, false), 0);
    assert.equal(calls.length, 0, 'not run by a non-alertable wait');
    assert.equal(ws.SleepEx(0, true), ws.WAIT_IO_COMPLETION);
    assert.deepEqual(calls, [[0, 0, ov, 0]]);
    assert.equal(ws.SleepEx(0, true), 0, 'exactly once');
    closeAll(s);
  });

  test('an alertable WSAWaitForMultipleEvents runs the routine and returns WSA_WAIT_IO_COMPLETION', () => {
    const s = tcp();
    const event = ws.WSACreateEvent();
    let calls = 0;
    assert.equal(ws.WSAIoctl(s, ws.FIONBIO, ONE, 4, null, 0, { value: 0 }, fresh(), () => { calls++; }), 0);
    assert.equal(ws.WSAWaitForMultipleEvents(1, [event], false, 0, false), ws.WSA_WAIT_TIMEOUT);
    assert.equal(calls, 0);
    assert.equal(ws.WSAWaitForMultipleEvents(1, [event], false, 1000, true), ws.WSA_WAIT_IO_COMPLETION);
    assert.equal(calls, 1);
    // A signalled object is reported before queued routines (NT checks objects first).
    assert.equal(ws.WSAIoctl(s, ws.FIONBIO, ONE, 4, null, 0, { value: 0 }, fresh(), () => { calls++; }), 0);
    ws.WSASetEvent(event);
    assert.equal(ws.WSAWaitForMultipleEvents(1, [event], false, 0, true), ws.WSA_WAIT_EVENT_0);
    assert.equal(calls, 1);
    assert.equal(ws.SleepEx(0, true), ws.WAIT_IO_COMPLETION);
    assert.equal(calls, 2);
    ws.WSACloseEvent(event);
    closeAll(s);
  });

  test('async twins: SleepExAsync runs the routine; GetQueuedCompletionStatusAsync and WSAWaitForMultipleEventsAsync see the completion', async () => {
    const s = tcp();
    const port = ws.CreateIoCompletionPort(s, 0, 9, 0);
    const event = ws.WSACreateEvent();
    const ov = fresh(event);
    assert.equal(ws.WSAIoctl(s, ws.FIONBIO, ONE, 4, null, 0, { value: 0 }, ov, null), 0);
    assert.equal(await ws.WSAWaitForMultipleEventsAsync(1, [event], true, 1000, false), ws.WSA_WAIT_EVENT_0);
    const key = { value: 0 };
    const got: { value: ws.WSAOVERLAPPED | null } = { value: null };
    assert.equal(await ws.GetQueuedCompletionStatusAsync(port, { value: 0 }, key, got, 1000), true);
    assert.equal(key.value, 9);
    assert.equal(got.value, ov);
    const s2 = tcp();
    let calls = 0;
    assert.equal(ws.WSAIoctl(s2, ws.FIONBIO, ONE, 4, null, 0, { value: 0 }, fresh(), () => { calls++; }), 0);
    assert.equal(await ws.SleepExAsync(1000, true), ws.WAIT_IO_COMPLETION);
    assert.equal(calls, 1);
    assert.equal(await ws.SleepExAsync(0, true), 0);
    closeAll(s, s2);
    ws.CloseHandle(port);
    ws.WSACloseEvent(event);
  });
});

describe('codes that pend and complete with STATUS_NOT_SUPPORTED (unknown codes, SIO_BASE_HANDLE)', () => {
  for (const [name, code] of [['0xdeadbeef', 0xdeadbeef], ['FIOASYNC', 0x8004667d], ['SIO_BASE_HANDLE', ws.SIO_BASE_HANDLE]] as const) {
    test(`${name}: SOCKET_ERROR + WSA_IO_PENDING, size untouched; packet FALSE/ERROR_NOT_SUPPORTED; routine WSAEOPNOTSUPP`, () => {
      const s = tcp();
      const port = ws.CreateIoCompletionPort(s, 0, 123, 0);
      const out = new Uint8Array(8).fill(0xee);
      const ov = fresh();
      const size = { value: 0xdeadbeef };
      assert.equal(ws.WSAIoctl(s, code, null, 0, out, 8, size, ov, null), ws.SOCKET_ERROR);
      assert.equal(ws.WSAGetLastError(), ws.WSA_IO_PENDING);
      assert.equal(size.value, 0xdeadbeef);
      const p = packet(port);
      assert.equal(p.ok, false);
      assert.equal(p.error, ws.ERROR_NOT_SUPPORTED);
      assert.equal(p.bytes, 0);
      assert.equal(p.key, 123);
      assert.equal(p.overlapped, ov);
      assert.equal(ov.Internal, ws.STATUS_NOT_SUPPORTED);
      assert.equal(ov.InternalHigh, 0);
      assert.ok(out.every((b) => b === 0xee), 'output untouched');
      closeAll(s);
      ws.CloseHandle(port);

      const s2 = tcp();
      const calls: Array<[number, number]> = [];
      assert.equal(ws.WSAIoctl(s2, code, null, 0, out, 8, size, fresh(), (e, n) => calls.push([e, n])), ws.SOCKET_ERROR);
      assert.equal(ws.WSAGetLastError(), ws.WSA_IO_PENDING);
      assert.equal(ws.SleepEx(0, true), ws.WAIT_IO_COMPLETION);
      assert.deepEqual(calls, [[ws.WSAEOPNOTSUPP, 0]]);
      closeAll(s2);
    });
  }

  test('WSAGetOverlappedResult reports the operation\'s own error', () => {
    const s = tcp();
    const ov = fresh();
    assert.equal(ws.WSAIoctl(s, 0xdeadbeef, null, 0, null, 0, { value: 0 }, ov, null), ws.SOCKET_ERROR);
    const transferred = { value: 0xbad };
    assert.equal(ws.WSAGetOverlappedResult(s, ov, transferred, false, { value: 0 }), false);
    assert.equal(ws.WSAGetLastError(), ws.WSAEOPNOTSUPP);
    assert.equal(transferred.value, 0);
    closeAll(s);
  });
});

describe('errors found before the operation starts', () => {
  test('null lpcbBytesReturned: WSAEFAULT, Internal/InternalHigh untouched, nothing delivered', () => {
    const s = tcp();
    const port = ws.CreateIoCompletionPort(s, 0, 1, 0);
    const event = ws.WSACreateEvent();
    let calls = 0;
    for (const code of [ws.FIONBIO, 0xdeadbeef, ws.SIO_BASE_HANDLE, ws.SIO_ADDRESS_LIST_CHANGE]) {
      const ov = fresh(event);
      assert.equal(ws.WSAIoctl(s, code, ONE, 4, new Uint8Array(8), 8, null, ov, null), ws.SOCKET_ERROR);
      assert.equal(ws.WSAGetLastError(), ws.WSAEFAULT);
      assert.equal(ov.Internal, 0xdeadbeef);
      assert.equal(ov.InternalHigh, 0xdeadbeef);
      assert.equal(ws.WSAIoctl(s, code, ONE, 4, new Uint8Array(8), 8, null, fresh(), () => { calls++; }), ws.SOCKET_ERROR);
    }
    assert.equal(packet(port).error, ws.WAIT_TIMEOUT);
    assert.equal(ws.WSAWaitForMultipleEvents(1, [event], false, 0, true), ws.WSA_WAIT_TIMEOUT);
    assert.equal(calls, 0);
    closeAll(s);
    ws.CloseHandle(port);
    ws.WSACloseEvent(event);
  });

  test('a handler size rule (FIONBIO with a short input): WSAEFAULT at once, nothing delivered', () => {
    const s = tcp();
    const port = ws.CreateIoCompletionPort(s, 0, 1, 0);
    const ov = fresh();
    assert.equal(ws.WSAIoctl(s, ws.FIONBIO, ONE, 3, null, 0, { value: 0 }, ov, null), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEFAULT);
    assert.equal(ov.Internal, 0xdeadbeef);
    assert.equal(packet(port).error, ws.WAIT_TIMEOUT);
    closeAll(s);
    ws.CloseHandle(port);
  });
});

describe('a socket created without WSA_FLAG_OVERLAPPED', () => {
  test('ignores the overlapped arguments: no packet, no routine, Internal untouched', () => {
    const s = tcp(0);
    const port = ws.CreateIoCompletionPort(s, 0, 1, 0);
    const ov = fresh();
    let calls = 0;
    assert.equal(ws.WSAIoctl(s, ws.FIONBIO, ONE, 4, null, 0, { value: 0 }, ov, () => { calls++; }), 0);
    assert.equal(ws.WSAIoctl(s, 0xdeadbeef, null, 0, null, 0, { value: 0 }, ov, null), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEOPNOTSUPP, 'fails at once instead of pending');
    assert.equal(ov.Internal, 0xdeadbeef);
    assert.equal(ws.SleepEx(0, true), 0);
    assert.equal(calls, 0);
    assert.equal(packet(port).error, ws.WAIT_TIMEOUT);
    closeAll(s);
    ws.CloseHandle(port);
  });
});

describe('completion ports', () => {
  test('CreateIoCompletionPort rules', () => {
    const port = ws.CreateIoCompletionPort(ws.INVALID_HANDLE_VALUE, 0, 0, 0);
    assert.ok(port > 0);
    const s = tcp();
    assert.equal(ws.CreateIoCompletionPort(s, port, 5, 0), port);
    assert.equal(ws.CreateIoCompletionPort(s, port, 6, 0), 0, 'a socket joins one port once');
    assert.equal(ws.GetLastError(), ws.ERROR_INVALID_PARAMETER);
    assert.equal(ws.CreateIoCompletionPort(ws.INVALID_HANDLE_VALUE, port, 0, 0), 0);
    assert.equal(ws.GetLastError(), ws.ERROR_INVALID_PARAMETER);
    assert.equal(ws.CreateIoCompletionPort(0x7ffffff0, 0, 0, 0), 0);
    assert.equal(ws.GetLastError(), ws.ERROR_INVALID_HANDLE);
    assert.equal(ws.CreateIoCompletionPort(tcp(), 0x7ffffff0, 0, 0), 0);
    assert.equal(ws.GetLastError(), ws.ERROR_INVALID_HANDLE);
    closeAll(s);
    ws.CloseHandle(port);
  });

  test('PostQueuedCompletionStatus packets come out in order, then the port times out', () => {
    const port = ws.CreateIoCompletionPort(ws.INVALID_HANDLE_VALUE, 0, 0, 0);
    const ov = new ws.WSAOVERLAPPED();
    assert.equal(ws.PostQueuedCompletionStatus(port, 7, 70, ov), true);
    assert.equal(ws.PostQueuedCompletionStatus(port, 8, 80, null), true);
    assert.deepEqual(packet(port), { ok: true, error: 0xdead, bytes: 7, key: 70, overlapped: ov });
    assert.deepEqual(packet(port), { ok: true, error: 0xdead, bytes: 8, key: 80, overlapped: null });
    assert.equal(packet(port, 20).error, ws.WAIT_TIMEOUT);
    assert.equal(ws.CloseHandle(port), true);
    assert.equal(ws.PostQueuedCompletionStatus(port, 1, 1, null), false);
    assert.equal(ws.GetLastError(), ws.ERROR_INVALID_HANDLE);
    assert.equal(ws.GetQueuedCompletionStatus(port, { value: 0 }, { value: 0 }, { value: null }, 0), false);
    assert.equal(ws.GetLastError(), ws.ERROR_INVALID_HANDLE);
    assert.equal(ws.CloseHandle(port), false);
    assert.equal(ws.GetLastError(), ws.ERROR_INVALID_HANDLE);
  });
});

describe('WSAGetOverlappedResult', () => {
  test('checks the socket first, then maps Internal as Windows does', () => {
    const ov = new ws.WSAOVERLAPPED();
    assert.equal(ws.WSAGetOverlappedResult(0x7ffffff0, ov, { value: 0 }, false, { value: 0 }), false);
    assert.equal(ws.WSAGetLastError(), ws.WSAENOTSOCK);
    const s = tcp();
    const cases: Array<[number, boolean, number]> = [
      [ws.STATUS_SUCCESS, true, 0],
      [ws.STATUS_PENDING, false, ws.WSA_IO_INCOMPLETE],
      [ws.STATUS_CANCELLED, false, ws.WSA_OPERATION_ABORTED],
      [ws.STATUS_NOT_SUPPORTED, false, ws.WSAEOPNOTSUPP],
      [ws.STATUS_BUFFER_TOO_SMALL, false, ws.WSAEFAULT],
      [ws.STATUS_CONNECTION_RESET, false, ws.WSAECONNRESET],
    ];
    for (const [status, ok, error] of cases) {
      ov.Internal = status;
      ov.InternalHigh = 5;
      ws.WSASetLastError(0xdead);
      const transferred = { value: 0 };
      assert.equal(ws.WSAGetOverlappedResult(s, ov, transferred, false, { value: 0 }), ok, `status 0x${status.toString(16)}`);
      assert.equal(ws.WSAGetLastError(), error);
      if (ok) assert.equal(transferred.value, 5);
    }
    assert.equal(ws.WSAGetOverlappedResult(s, ov, null, false, { value: 0 }), false);
    assert.equal(ws.WSAGetLastError(), ws.WSAEFAULT);
    closeAll(s);
  });
});

describe('SIO_GET_INTERFACE_LIST always pends (Wine\'s test_get_interface_list)', () => {
  test('completes later with the list size as InternalHigh and packet bytes; *lpcbBytesReturned untouched', () => {
    const s = tcp();
    const port = ws.CreateIoCompletionPort(s, 0, 123, 0);
    const buffer = new Uint8Array(4096);
    const size = { value: 0xdeadbeef };
    assert.equal(ws.WSAIoctl(s, ws.SIO_GET_INTERFACE_LIST, null, 0, buffer, buffer.length, size, null, null), 0);
    const expected = size.value;
    assert.ok(expected > 0 && expected % 76 === 0);
    const ov = fresh();
    size.value = 0xdeadbeef;
    assert.equal(ws.WSAIoctl(s, ws.SIO_GET_INTERFACE_LIST, null, 0, buffer, buffer.length, size, ov, null), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSA_IO_PENDING);
    assert.equal(size.value, 0xdeadbeef);
    assert.equal(ov.Internal, ws.STATUS_PENDING, 'still pending when the call returns');
    const p = packet(port, 1000);
    assert.equal(p.ok, true);
    assert.equal(p.bytes, expected);
    assert.equal(p.key, 123);
    assert.equal(p.overlapped, ov);
    assert.equal(ov.Internal, ws.STATUS_SUCCESS);
    assert.equal(ov.InternalHigh, expected);
    closeAll(s);
    ws.CloseHandle(port);
  });

  test('a too-small output pends too, then fails with STATUS_BUFFER_TOO_SMALL (packet ERROR_INSUFFICIENT_BUFFER, routine WSAEFAULT)', () => {
    const s = tcp();
    const port = ws.CreateIoCompletionPort(s, 0, 7, 0);
    const buffer = new Uint8Array(75);
    const ov = fresh();
    assert.equal(ws.WSAIoctl(s, ws.SIO_GET_INTERFACE_LIST, null, 0, buffer, 75, { value: 0 }, ov, null), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSA_IO_PENDING);
    const p = packet(port, 1000);
    assert.equal(p.ok, false);
    assert.equal(p.error, ws.ERROR_INSUFFICIENT_BUFFER);
    assert.equal(p.bytes, 0);
    assert.equal(ov.Internal, ws.STATUS_BUFFER_TOO_SMALL);
    assert.equal(ov.InternalHigh, 0);
    closeAll(s);
    ws.CloseHandle(port);

    const s2 = tcp();
    const calls: Array<[number, number]> = [];
    assert.equal(ws.WSAIoctl(s2, ws.SIO_GET_INTERFACE_LIST, null, 0, buffer, 75, { value: 0 }, fresh(), (e, n) => calls.push([e, n])), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSA_IO_PENDING);
    assert.equal(ws.SleepEx(100, true), ws.WAIT_IO_COMPLETION);
    assert.deepEqual(calls, [[ws.WSAEFAULT, 0]]);
    closeAll(s2);
  });

  test('WSAGetOverlappedResult: WSA_IO_INCOMPLETE right after the call, the size once waited for', async () => {
    const s = tcp();
    const event = ws.WSACreateEvent();
    const ov = fresh(event);
    const buffer = new Uint8Array(4096);
    assert.equal(ws.WSAIoctl(s, ws.SIO_GET_INTERFACE_LIST, null, 0, buffer, buffer.length, { value: 0 }, ov, null), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetOverlappedResult(s, ov, { value: 0 }, false, { value: 0 }), false);
    assert.equal(ws.WSAGetLastError(), ws.WSA_IO_INCOMPLETE);
    const transferred = { value: 0 };
    assert.equal(await ws.WSAGetOverlappedResultAsync(s, ov, transferred, true, { value: 0 }), true);
    assert.ok(transferred.value > 0 && transferred.value % 76 === 0);
    closeAll(s);
    ws.WSACloseEvent(event);
  });
});
