/**
 * WSAStartup negotiation, the NTSTATUS translation table, and the order of the checks in the
 * socket functions, each against the Windows record it follows:
 * - ReactOS modules/rostests/apitests/ws2_32/WSAStartup.c (runs on Windows);
 * - Wine dlls/ws2_32/tests/sock.c: map_status + test_WSAGetOverlappedResult, test_getpeername,
 *   test_shutdown, test_connecting_socket (checks without todo_wine pass on Windows; todo_wine
 *   lines record Windows' value);
 * - Wine dlls/ntdll/tests/error.c run_error_tests (RtlNtStatusToDosError on Windows);
 * - ReactOS modules/rostests/apitests/ws2_32/send.c test_send.
 * This file calls WSAStartup itself: it must start with Winsock not started.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as ws from 'wsaioctl/winsock';
import { closeAll, listener, loopbackName, tcpPair } from './helpers/sockets.js';

const SENTINEL = 0xdeadbeef;
const MAKEWORD = (lo: number, hi: number): number => lo | (hi << 8);

/** Winsock is started: a socket can be made (closed again at once). */
function started(): boolean {
  const s = ws.socket(ws.AF_INET, ws.SOCK_DGRAM, 0);
  if (s === ws.INVALID_SOCKET) {
    assert.equal(ws.WSAGetLastError(), ws.WSANOTINITIALISED);
    return false;
  }
  ws.closesocket(s);
  return true;
}

describe('WSAStartup (ReactOS apitests ws2_32/WSAStartup.c)', () => {
  test('the version is checked before the pointer; a failure starts nothing and leaves the last error', () => {
    assert.equal(started(), false);
    ws.WSASetLastError(SENTINEL);
    assert.equal(ws.WSAStartup(0, null), ws.WSAVERNOTSUPPORTED);
    assert.equal(ws.WSAGetLastError(), SENTINEL);
    ws.WSASetLastError(SENTINEL);
    assert.equal(ws.WSAStartup(MAKEWORD(2, 2), null), ws.WSAEFAULT);
    assert.equal(ws.WSAGetLastError(), SENTINEL);
    assert.equal(started(), false);
    assert.equal(ws.WSACleanup(), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSANOTINITIALISED);
  });

  test('the version table: what each request gets, WSADATA on failure too, iMaxSockets by the granted version', () => {
    // [requested, succeeds, granted]: the test's own table.
    const table: Array<[number, boolean, number]> = [
      [MAKEWORD(0, 0), false, MAKEWORD(2, 2)], [MAKEWORD(0, 9), false, MAKEWORD(2, 2)],
      [MAKEWORD(1, 0), true, MAKEWORD(1, 0)], [MAKEWORD(1, 1), true, MAKEWORD(1, 1)],
      [MAKEWORD(1, 2), true, MAKEWORD(1, 1)], [MAKEWORD(1, 15), true, MAKEWORD(1, 1)],
      [MAKEWORD(1, 255), true, MAKEWORD(1, 1)], [MAKEWORD(2, 0), true, MAKEWORD(2, 0)],
      [MAKEWORD(2, 1), true, MAKEWORD(2, 1)], [MAKEWORD(2, 2), true, MAKEWORD(2, 2)],
      [MAKEWORD(2, 3), true, MAKEWORD(2, 2)], [MAKEWORD(2, 15), true, MAKEWORD(2, 2)],
      [MAKEWORD(2, 255), true, MAKEWORD(2, 2)], [MAKEWORD(3, 0), true, MAKEWORD(2, 2)],
      [MAKEWORD(3, 1), true, MAKEWORD(2, 2)], [MAKEWORD(3, 2), true, MAKEWORD(2, 2)],
      [MAKEWORD(3, 3), true, MAKEWORD(2, 2)], [MAKEWORD(3, 15), true, MAKEWORD(2, 2)],
      [MAKEWORD(3, 255), true, MAKEWORD(2, 2)], [MAKEWORD(15, 255), true, MAKEWORD(2, 2)],
      [MAKEWORD(255, 255), true, MAKEWORD(2, 2)],
    ];
    for (const [requested, succeeds, granted] of table) {
      const label = `version ${requested & 0xff}.${requested >> 8}`;
      const data = ws.newWSADATA();
      ws.WSASetLastError(SENTINEL);
      const rc = ws.WSAStartup(requested, data);
      if (succeeds) {
        assert.equal(rc, 0, label);
        assert.equal(ws.WSAGetLastError(), 0, `${label}: a success clears the last error`);
        assert.equal(started(), true, label);
        assert.equal(ws.WSACleanup(), 0, label);
      } else {
        assert.equal(rc, ws.WSAVERNOTSUPPORTED, label);
        assert.equal(ws.WSAGetLastError(), SENTINEL, label);
      }
      assert.equal(started(), false, `${label}: one WSACleanup undoes one WSAStartup`);
      assert.equal(data.wVersion, granted, label);
      assert.equal(data.wHighVersion, MAKEWORD(2, 2), label);
      assert.equal(data.szDescription, 'WinSock 2.0', label);
      assert.equal(data.szSystemStatus, 'Running', label);
      const legacy = (granted & 0xff) < 2;
      assert.equal(data.iMaxSockets, legacy ? 32767 : 0, label);
      assert.equal(data.iMaxUdpDg, legacy ? 65467 : 0, label);
    }
  });

  test('a second call re-negotiates (upgrade and downgrade); each success needs its WSACleanup', () => {
    for (const [first, second] of [[MAKEWORD(1, 1), MAKEWORD(2, 2)], [MAKEWORD(2, 2), MAKEWORD(1, 1)]] as const) {
      const data = ws.newWSADATA();
      assert.equal(ws.WSAStartup(first, data), 0);
      assert.equal(data.wVersion, first);
      const again = ws.newWSADATA();
      assert.equal(ws.WSAStartup(second, again), 0);
      assert.equal(again.wVersion, second);
      assert.equal(again.iMaxSockets, second === MAKEWORD(1, 1) ? 32767 : 0);
      assert.equal(ws.WSACleanup(), 0);
      assert.equal(started(), true, 'still started after the first of two WSACleanup calls');
      assert.equal(ws.WSACleanup(), 0);
      assert.equal(started(), false);
    }
  });
});

/**
 * Wine sock.c map_status(), as a list of its own here: the status, the Winsock error. Every other
 * failure status is WSAEINVAL; every other success status gives TRUE.
 */
const WINE_MAP_STATUS: Array<[number, number]> = [
  [0x80000005, ws.WSAEMSGSIZE], [0xc0000002, ws.WSAEOPNOTSUPP], [0xc0000005, ws.WSAEFAULT],
  [0xc0000007, ws.WSAENOBUFS], [0xc0000008, ws.WSAENOTSOCK], [0xc000000e, ws.WSAENETDOWN],
  [0xc000000f, ws.WSAENETDOWN], [0xc0000017, ws.WSAENOBUFS], [0xc0000018, ws.WSAENOBUFS],
  [0xc0000022, ws.WSAEACCES], [0xc0000023, ws.WSAEFAULT], [0xc0000024, ws.WSAENOTSOCK],
  [0xc0000034, ws.WSAENETDOWN], [0xc000003a, ws.WSAENETDOWN], [0xc0000043, ws.WSAEADDRINUSE],
  [0xc0000044, ws.WSAENOBUFS], [0xc0000097, ws.WSAENOBUFS], [0xc000009a, ws.WSAENOBUFS],
  [0xc00000a1, ws.WSAENOBUFS], [0xc00000a3, ws.WSAEWOULDBLOCK], [0xc00000b0, ws.WSAESHUTDOWN],
  [0xc00000b5, ws.WSAETIMEDOUT], [0xc00000bb, ws.WSAEOPNOTSUPP], [0xc00000bc, ws.WSAECONNREFUSED],
  [0xc00000be, ws.WSAENETUNREACH], [0xc00000bf, ws.WSAENETDOWN], [0xc00000c3, ws.WSAENETDOWN],
  [0xc00000c4, ws.WSAENETDOWN], [0xc00000d0, ws.WSAEWOULDBLOCK], [0xc0000120, ws.ERROR_OPERATION_ABORTED],
  [0xc000012d, ws.WSAENOBUFS], [0xc000013b, ws.WSAECONNABORTED], [0xc000013c, ws.WSAECONNRESET],
  [0xc000013d, ws.WSAENOBUFS], [0xc000013e, ws.WSAECONNRESET], [0xc000013f, ws.WSAETIMEDOUT],
  [0xc0000140, ws.WSAENOTCONN], [0xc0000141, ws.WSAEADDRNOTAVAIL], [0xc0000206, ws.WSAEMSGSIZE],
  [0xc0000207, ws.WSAEADDRNOTAVAIL], [0xc0000209, ws.WSAENOBUFS], [0xc000020a, ws.WSAEADDRINUSE],
  [0xc000020c, ws.WSAECONNRESET], [0xc000020d, ws.WSAECONNRESET], [0xc000020f, ws.WSAECONNABORTED],
  [0xc0000236, ws.WSAECONNREFUSED], [0xc0000237, ws.WSAEDISCON], [0xc000023b, ws.WSAEISCONN],
  [0xc000023c, ws.WSAENETUNREACH], [0xc000023d, ws.WSAEHOSTUNREACH], [0xc000023e, ws.WSAENETUNREACH],
  [0xc000023f, ws.WSAECONNRESET], [0xc0000240, ws.WSAEINTR], [0xc0000241, ws.WSAECONNABORTED],
  [0xc00002c5, ws.WSAEFAULT], [0xc0000350, ws.WSAEHOSTDOWN],
  [0x800703e4, ws.ERROR_IO_INCOMPLETE], [0xc00103e4, ws.ERROR_IO_INCOMPLETE], [0xc00703e4, ws.ERROR_IO_INCOMPLETE],
];

/** Wine's ranges: [first, end). */
const WINE_RANGES: Array<[number, number]> = [
  [0x0, 0x10000], [0x40000000, 0x40001000], [0x80000000, 0x80001000], [0x80070000, 0x80080000],
  [0xc0000000, 0xc0001000], [0xc0070000, 0xc0080000], [0xd0000000, 0xd0001000], [0xd0070000, 0xd0080000],
];

describe('NTSTATUS to Winsock error (Wine sock.c test_WSAGetOverlappedResult)', () => {
  const listed = new Map(WINE_MAP_STATUS);
  const expectedFor = (status: number): { ok: boolean; error: number } => {
    if (status === ws.STATUS_PENDING) return { ok: false, error: ws.WSA_IO_INCOMPLETE };
    const error = listed.get(status);
    if (error !== undefined) return { ok: false, error };
    return status < 0x80000000 ? { ok: true, error: 0 } : { ok: false, error: ws.WSAEINVAL };
  };

  test('ntStatusToWsaError over every status of Wine\'s ranges', () => {
    let checked = 0;
    for (const [first, end] of WINE_RANGES) {
      for (let status = first; status < end; status++) {
        const want = expectedFor(status);
        assert.equal(ws.ntStatusToWsaError(status), want.ok ? 0 : want.error, ws.ntStatusName(status));
        checked++;
      }
    }
    assert.ok(checked > 200000);
  });

  test('WSAGetOverlappedResult with a caller-set Internal, on a socket: the same answers', () => {
    assert.equal(ws.WSAStartup(MAKEWORD(2, 2), ws.newWSADATA()), 0);
    const s = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
    const ov = new ws.WSAOVERLAPPED();
    const transfer = { value: 0 };
    const flags = { value: 0 };
    ws.WSASetLastError(SENTINEL);
    assert.equal(ws.WSAGetOverlappedResult(0xdeadbeef, ov, transfer, false, flags), false, 'not a socket');
    assert.equal(ws.WSAGetOverlappedResult(0xdeadbeef, ov, transfer, false, flags), false);
    assert.equal(ws.WSAGetLastError(), ws.WSAENOTSOCK);
    // Every listed status, plus the first 0x1000 of each range (the whole walk is the unit test above).
    const statuses = [...listed.keys(), ...WINE_RANGES.flatMap(([first]) => Array.from({ length: 0x1000 }, (_, i) => first + i))];
    for (const status of statuses) {
      ov.Internal = status;
      ov.InternalHigh = 7;
      ws.WSASetLastError(SENTINEL);
      const want = expectedFor(status);
      const ok = ws.WSAGetOverlappedResult(s, ov, transfer, false, flags);
      assert.equal(ok, want.ok, ws.ntStatusName(status));
      assert.equal(ws.WSAGetLastError(), want.error, ws.ntStatusName(status));
      if (ok) assert.equal(transfer.value, 7);
    }
    closeAll(s);
    assert.equal(ws.WSACleanup(), 0);
  });

  test('every Winsock error with a status of its own maps back to itself', () => {
    for (const error of ws.errorsWithStatus()) assert.equal(ws.ntStatusToWsaError(ws.wsaErrorToNtStatus(error)), error, ws.errorName(error));
    assert.equal(ws.wsaErrorToNtStatus(ws.WSAEPROCLIM), ws.STATUS_INVALID_PARAMETER);
  });
});

describe('NTSTATUS to Win32 error (Wine ntdll/tests/error.c; ReactOS rtl/error.c for the rules)', () => {
  test('the network statuses', () => {
    const expected: Array<[number, number]> = [
      [ws.STATUS_SUCCESS, 0], [ws.STATUS_PENDING, ws.ERROR_IO_PENDING], [ws.STATUS_BUFFER_OVERFLOW, ws.ERROR_MORE_DATA],
      [ws.STATUS_CANCELLED, ws.ERROR_OPERATION_ABORTED], [ws.STATUS_NOT_SUPPORTED, ws.ERROR_NOT_SUPPORTED],
      [ws.STATUS_BUFFER_TOO_SMALL, ws.ERROR_INSUFFICIENT_BUFFER], [ws.STATUS_CONNECTION_RESET, ws.ERROR_NETNAME_DELETED],
      [ws.STATUS_CONNECTION_REFUSED, ws.ERROR_CONNECTION_REFUSED], [ws.STATUS_CONNECTION_ABORTED, ws.ERROR_CONNECTION_ABORTED],
      [ws.STATUS_LOCAL_DISCONNECT, ws.ERROR_NETNAME_DELETED], [ws.STATUS_REMOTE_DISCONNECT, ws.ERROR_NETNAME_DELETED],
      [ws.STATUS_GRACEFUL_DISCONNECT, ws.ERROR_GRACEFUL_DISCONNECT], [ws.STATUS_INVALID_CONNECTION, ws.ERROR_UNEXP_NET_ERR],
      [ws.STATUS_IO_TIMEOUT, ws.ERROR_SEM_TIMEOUT], [ws.STATUS_HOST_UNREACHABLE, ws.ERROR_HOST_UNREACHABLE],
      [ws.STATUS_NETWORK_UNREACHABLE, ws.ERROR_NETWORK_UNREACHABLE], [ws.STATUS_PORT_UNREACHABLE, ws.ERROR_PORT_UNREACHABLE],
      [ws.STATUS_ACCESS_DENIED, ws.ERROR_ACCESS_DENIED], [ws.STATUS_INSUFFICIENT_RESOURCES, ws.ERROR_NO_SYSTEM_RESOURCES],
      [ws.STATUS_ADDRESS_ALREADY_EXISTS, ws.ERROR_DUP_NAME], [ws.STATUS_HOST_DOWN, ws.ERROR_HOST_DOWN],
      [ws.STATUS_INVALID_BUFFER_SIZE, ws.ERROR_INVALID_USER_BUFFER], [ws.STATUS_REQUEST_ABORTED, ws.ERROR_REQUEST_ABORTED],
    ];
    for (const [status, error] of expected) assert.equal(ws.ntStatusToWin32Error(status), error, ws.ntStatusName(status));
  });

  test('the rules: 0xD reads as 0xC, customer statuses pass through, wrapped Win32 errors, the rest ERROR_MR_MID_NOT_FOUND', () => {
    assert.equal(ws.ntStatusToWin32Error(0xd0000120), ws.ERROR_OPERATION_ABORTED);
    assert.equal(ws.ntStatusToWin32Error(0xe0001234), 0xe0001234);
    assert.equal(ws.ntStatusToWin32Error(0x80070000 | ws.ERROR_IO_INCOMPLETE), ws.ERROR_IO_INCOMPLETE);
    assert.equal(ws.ntStatusToWin32Error(0xc0010000 | 1234), 1234);
    assert.equal(ws.ntStatusToWin32Error(0xc0000fff), ws.ERROR_MR_MID_NOT_FOUND);
    assert.equal(ws.ntStatusToWin32Error(0xc0070000 | ws.ERROR_IO_INCOMPLETE), ws.ERROR_MR_MID_NOT_FOUND);
  });

  test('a real cancelled operation: the packet and WSAGetOverlappedResult both translate STATUS_CANCELLED', () => {
    assert.equal(ws.WSAStartup(MAKEWORD(2, 2), ws.newWSADATA()), 0);
    const s = ws.socket(ws.AF_INET, ws.SOCK_DGRAM, 0);
    const port = ws.CreateIoCompletionPort(s, 0, 5, 0);
    const ov = new ws.WSAOVERLAPPED();
    assert.equal(ws.WSAIoctl(s, ws.SIO_ADDRESS_LIST_CHANGE, null, 0, null, 0, { value: 0 }, ov, null), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSA_IO_PENDING);
    assert.equal(ws.CancelIo(s), true);
    const overlapped = { value: null as ws.WSAOVERLAPPED | null };
    assert.equal(ws.GetQueuedCompletionStatus(port, { value: 0 }, { value: 0 }, overlapped, 1000), false);
    assert.equal(ws.GetLastError(), ws.ERROR_OPERATION_ABORTED);
    assert.equal(overlapped.value, ov);
    assert.equal(ov.Internal, ws.STATUS_CANCELLED);
    assert.equal(ws.WSAGetOverlappedResult(s, ov, { value: 0 }, false, { value: 0 }), false);
    assert.equal(ws.WSAGetLastError(), ws.WSA_OPERATION_ABORTED);
    ws.CloseHandle(port);
    closeAll(s);
    assert.equal(ws.WSACleanup(), 0);
  });
});

describe('check order in the socket functions', () => {
  test('getpeername: WSAENOTSOCK, then WSAENOTCONN before any pointer, then the pointers (Wine sock.c test_getpeername)', () => {
    assert.equal(ws.WSAStartup(MAKEWORD(2, 2), ws.newWSADATA()), 0);
    assert.equal(ws.getpeername(ws.INVALID_SOCKET, null, null), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAENOTSOCK);
    const target = ws.socket(ws.AF_INET, ws.SOCK_DGRAM, 0);
    assert.equal(ws.bind(target, loopbackName('ipv4', 0), 16), 0);
    const name = new Uint8Array(16);
    assert.equal(ws.getsockname(target, name, { value: 16 }), 0);
    const s = ws.socket(ws.AF_INET, ws.SOCK_DGRAM, 0);
    assert.equal(ws.getpeername(s, null, null), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAENOTCONN);
    assert.equal(ws.sendto(s, new Uint8Array(12), 12, 0, name, 16), 12, 'sendto does not connect');
    assert.equal(ws.getpeername(s, null, null), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAENOTCONN);
    assert.equal(ws.connect(s, name, 16), 0);
    assert.equal(ws.getpeername(s, null, null), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEFAULT);
    assert.equal(ws.getpeername(s, new Uint8Array(16), null), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEFAULT);
    const zero = { value: 0 };
    assert.equal(ws.getpeername(s, null, zero), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEFAULT);
    assert.equal(zero.value, 0);
    assert.equal(ws.getpeername(s, new Uint8Array(128), zero), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEFAULT);
    assert.equal(zero.value, 0);
    const out = new Uint8Array(128);
    const len = { value: 128 };
    assert.equal(ws.getpeername(s, out, len), 0);
    assert.equal(len.value, 16);
    assert.deepEqual(out.subarray(0, 16), name);
    closeAll(s, target);
  });

  test('getsockname on an unbound socket: WSAEINVAL, the buffer untouched (Wine sock.c test_getsockname)', () => {
    const s = ws.socket(ws.AF_INET, ws.SOCK_STREAM, 0);
    const out = new Uint8Array(16).fill(0x55);
    assert.equal(ws.getsockname(s, out, { value: 16 }), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEINVAL);
    assert.ok(out.every((b) => b === 0x55));
    closeAll(s);
  });

  test('send / recv on a never-connected TCP socket: WSAENOTCONN, zero-length sends too (ReactOS send.c test_send)', () => {
    const s = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
    for (const [buf, len] of [[null, 0], [new Uint8Array(32), 32]] as const) {
      ws.WSASetLastError(SENTINEL);
      assert.equal(ws.send(s, buf, len, 0), ws.SOCKET_ERROR);
      assert.equal(ws.WSAGetLastError(), ws.WSAENOTCONN, `send of ${len} bytes`);
    }
    assert.equal(ws.recv(s, new Uint8Array(4), 4, 0), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAENOTCONN);
    assert.equal(ws.send(0, null, 0, 0), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAENOTSOCK);
    closeAll(s);
  });

  test('send / recv on a connecting TCP socket: WSAENOTCONN (Wine sock.c test_connecting_socket, Windows values)', () => {
    // A listener whose accept queue is full drops further SYNs: the next connect stays in SYN_SENT.
    const { socket: l, port } = listener('ipv4', 0);
    const first = ws.socket(ws.AF_INET, ws.SOCK_STREAM, 0);
    assert.equal(ws.connect(first, loopbackName('ipv4', port), 16), 0);
    const client = ws.socket(ws.AF_INET, ws.SOCK_STREAM, 0);
    assert.equal(ws.ioctlsocket(client, ws.FIONBIO, { value: 1 }), 0);
    assert.equal(ws.connect(client, loopbackName('ipv4', port), 16), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEWOULDBLOCK);
    assert.equal(ws.send(client, new Uint8Array(5), 5, 0), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAENOTCONN);
    assert.equal(ws.recv(client, new Uint8Array(4), 4, 0), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAENOTCONN);
    // WSARecv follows the same rule, overlapped or not: it neither waits nor pends.
    const buffers = [{ len: 4, buf: new Uint8Array(4) }];
    const event = ws.WSACreateEvent();
    const ov = new ws.WSAOVERLAPPED(event);
    for (const overlapped of [null, ov]) {
      ws.WSASetLastError(SENTINEL);
      assert.equal(ws.WSARecv(client, buffers, 1, { value: 0 }, { value: 0 }, overlapped, null), ws.SOCKET_ERROR);
      assert.equal(ws.WSAGetLastError(), ws.WSAENOTCONN, overlapped ? 'overlapped' : 'not overlapped');
    }
    assert.equal(ws.WSAWaitForMultipleEvents(1, [event], false, 0, false), ws.WSA_WAIT_TIMEOUT, 'no completion');
    ws.WSACloseEvent(event);
    closeAll(client, first, l);
  });

  test('shutdown: every check of Wine sock.c test_shutdown the emulation can reproduce', () => {
    const { socket: l, port } = listener('ipv4', 4);
    const unconnected = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
    for (const how of [ws.SD_SEND, ws.SD_RECEIVE]) {
      ws.WSASetLastError(SENTINEL);
      assert.equal(ws.shutdown(unconnected, how), ws.SOCKET_ERROR);
      assert.equal(ws.WSAGetLastError(), ws.WSAENOTCONN);
    }
    closeAll(unconnected);

    const { client, server } = tcpPair('ipv4');
    const buffer = new Uint8Array(5);
    assert.equal(ws.shutdown(client, ws.SD_SEND), 0);
    assert.equal(ws.WSAGetLastError(), 0);
    assert.equal(ws.shutdown(client, ws.SD_SEND), 0, 'twice is fine');
    assert.equal(ws.send(client, new Uint8Array(5), 5, 0), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAESHUTDOWN);
    assert.equal(ws.recv(server, buffer, 5, 0), 0);
    assert.equal(ws.recv(server, buffer, 5, 0), 0);
    assert.equal(ws.shutdown(server, ws.SD_RECEIVE), 0);
    assert.equal(ws.recv(server, buffer, 5, 0), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAESHUTDOWN);
    assert.equal(ws.send(server, new Uint8Array([116, 101, 115, 116, 0]), 5, 0), 5);
    assert.equal(ws.recv(client, buffer, 5, 0), 5);
    assert.equal(ws.shutdown(client, ws.SD_RECEIVE), 0);
    for (let i = 0; i < 2; i++) {
      assert.equal(ws.recv(client, buffer, 5, 0), ws.SOCKET_ERROR);
      assert.equal(ws.WSAGetLastError(), ws.WSAESHUTDOWN);
    }
    assert.equal(ws.shutdown(server, ws.SD_SEND), 0);
    assert.equal(ws.send(server, new Uint8Array(5), 5, 0), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAESHUTDOWN);
    assert.equal(ws.connect(client, loopbackName('ipv4', port), 16), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEISCONN);
    assert.equal(ws.shutdown(client, 0xdeadbeef), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEINVAL);
    closeAll(client, server);

    // SD_BOTH, on both sides.
    const both = tcpPair('ipv4');
    assert.equal(ws.shutdown(both.client, ws.SD_BOTH), 0);
    assert.equal(ws.recv(both.client, buffer, 5, 0), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAESHUTDOWN);
    assert.equal(ws.send(both.client, buffer, 5, 0), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAESHUTDOWN);
    assert.equal(ws.recv(both.server, buffer, 5, 0), 0);
    assert.equal(ws.shutdown(both.server, ws.SD_BOTH), 0);
    assert.equal(ws.recv(both.server, buffer, 5, 0), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAESHUTDOWN);
    assert.equal(ws.send(both.server, buffer, 5, 0), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAESHUTDOWN);
    closeAll(both.client, both.server);

    // A listening socket.
    for (const how of [ws.SD_SEND, ws.SD_RECEIVE]) {
      assert.equal(ws.shutdown(l, how), ws.SOCKET_ERROR);
      assert.equal(ws.WSAGetLastError(), ws.WSAENOTCONN);
    }
    closeAll(l);

    // UDP: shutting down an unconnected socket works and holds.
    const receiver = ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP);
    const sender = ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP);
    assert.equal(ws.bind(receiver, loopbackName('ipv4', 0), 16), 0);
    const name = new Uint8Array(16);
    assert.equal(ws.getsockname(receiver, name, { value: 16 }), 0);
    assert.equal(ws.ioctlsocket(receiver, ws.FIONBIO, { value: 1 }), 0);
    assert.equal(ws.shutdown(receiver, ws.SD_RECEIVE), 0);
    assert.equal(ws.recvfrom(receiver, buffer, 5, 0, null, null), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAESHUTDOWN);
    assert.equal(ws.sendto(sender, buffer, 5, 0, name, 16), 5);
    assert.equal(ws.shutdown(sender, ws.SD_SEND), 0);
    assert.equal(ws.shutdown(sender, ws.SD_SEND), 0);
    assert.equal(ws.sendto(sender, buffer, 5, 0, name, 16), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAESHUTDOWN);
    closeAll(receiver, sender);
    assert.equal(ws.WSACleanup(), 0);
  });
});
