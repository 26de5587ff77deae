/**
 * The data path on both backends: WSARecv / WSASend / WSARecvFrom in the calling modes a
 * completion-port program uses, select, WSAPoll and SetFileCompletionNotificationModes. Each
 * scenario is a few calls on loopback sockets; what they report is compared with what Windows
 * returns (Wine's dlls/ws2_32/tests/sock.c lines that run on Windows, and the reference pages).
 */
import type { Observation, Scenario } from '../lib/types.js';
import { GUARD, KEY, SENTINEL, errName, overlapped, portOf, refValue, sendAndWait, waitForData, ws } from '../lib/winsock.js';

const SOCK_C = 'Wine dlls/ws2_32/tests/sock.c';
const text = (b: Uint8Array): string => new TextDecoder().decode(b);
const bytesOf = (s: string): Uint8Array => new TextEncoder().encode(s);

/** One dequeue from `port`, reduced to what Windows fixes (the overlapped named by `known`). */
function dequeue(port: number, ms: number, known: Record<string, ws.WSAOVERLAPPED>): Observation {
  const bytes = { value: SENTINEL };
  const key = { value: SENTINEL };
  const ov: { value: ws.WSAOVERLAPPED | null } = { value: null };
  const ok = ws.GetQueuedCompletionStatus(port, bytes, key, ov, ms);
  const error = ok ? 'NO_ERROR' : errName(ws.GetLastError());
  if (ov.value === null) return { ok, error };
  const name = Object.entries(known).find(([, o]) => o === ov.value)?.[0] ?? 'unknown';
  return { ok, error, bytes: bytes.value, key: key.value === KEY ? 'KEY' : key.value, overlapped: name };
}

const scenarios: Scenario[] = [
  {
    id: 'WSARecv.scatter.plain',
    title: 'scatter: 9 bytes into WSABUFs of 4 and 5 fill them in order',
    mode: 'other', sockets: ['tcp-pair'],
    call: 'WSARecv(s, {buf[4], buf[5]}, 2, &bytes, &flags=0, NULL, NULL) with "deadbeefs" queued',
    expected: { rc: 0, bytes: 9, flags: 0, first: 'dead', second: 'beefs' },
    basis: 'measured', source: `${SOCK_C} test_WSARecv`,
    run(ctx) {
      const { client, server } = ctx.tcpPair();
      sendAndWait(client, server, bytesOf('deadbeefs'));
      const a = new Uint8Array(4);
      const b = new Uint8Array(5);
      const bytes = { value: SENTINEL };
      const flags = { value: 0 };
      const rc = ws.WSARecv(server, [{ len: 4, buf: a }, { len: 5, buf: b }], 2, bytes, flags, null, null);
      return { rc, bytes: refValue(bytes), flags: flags.value, first: text(a), second: text(b) };
    },
  },
  {
    id: 'WSARecv.pending.overlapped+event',
    title: 'nothing queued: pends without writing the byte count; the data comes at completion',
    mode: 'overlapped+event', sockets: ['tcp-pair'], needs: ['events'],
    call: 'WSARecv(s, {buf[16]}, 1, &bytes, &flags, &ov{hEvent}, NULL); send 5 bytes; wait; WSAGetOverlappedResult',
    expected: { rc: -1, error: 'WSA_IO_PENDING', bytes: 'untouched', wait: 0, result: true, transferred: 5, data: 'hello' },
    basis: 'measured', source: `${SOCK_C} iocp_async_read, test_WSARecv`,
    run(ctx) {
      const { client, server } = ctx.tcpPair();
      const event = ctx.event();
      const ov = overlapped(event);
      const buf = new Uint8Array(16);
      const bytes = { value: SENTINEL };
      const rc = ws.WSARecv(server, [{ len: 16, buf }], 1, bytes, { value: 0 }, ov, null);
      const error = errName(ws.WSAGetLastError());
      ws.send(client, bytesOf('hello'), 5, 0);
      const wait = ws.WSAWaitForMultipleEvents(1, [event], true, 2000, false);
      const transferred = { value: 0 };
      const result = ws.WSAGetOverlappedResult(server, ov, transferred, false, { value: 0 });
      return { rc, error, bytes: refValue(bytes), wait, result, transferred: transferred.value, data: text(buf.subarray(0, transferred.value)) };
    },
  },
  {
    id: 'WSARecv.immediate.overlapped+port',
    title: 'data queued: 0 at once with the byte count, and a packet all the same',
    mode: 'overlapped+port', sockets: ['tcp-pair'], needs: ['ports'],
    call: 'WSARecv(s, {buf[16]}, 1, &bytes, &flags, &ov, NULL) with 6 bytes queued; GetQueuedCompletionStatus twice',
    expected: {
      rc: 0, bytes: 6, data: 'queued',
      packet: { ok: true, error: 'NO_ERROR', bytes: 6, key: 'KEY', overlapped: 'ov' }, next: { ok: false, error: 'WAIT_TIMEOUT' },
    },
    basis: 'measured', source: `${SOCK_C} test_completion_port`,
    run(ctx) {
      const { client, server } = ctx.tcpPair();
      const port = ctx.port(server, KEY);
      sendAndWait(client, server, bytesOf('queued'));
      const ov = overlapped();
      const buf = new Uint8Array(16);
      const bytes = { value: SENTINEL };
      const rc = ws.WSARecv(server, [{ len: 16, buf }], 1, bytes, { value: 0 }, ov, null);
      return { rc, bytes: refValue(bytes), data: text(buf.subarray(0, 6)), packet: dequeue(port, 1000, { ov }), next: dequeue(port, 0, { ov }) };
    },
  },
  {
    id: 'WSARecv.routine.completion-routine',
    title: 'a completion routine runs in an alertable wait only, once, with the data in place',
    mode: 'completion-routine', sockets: ['tcp-pair'], needs: ['apc'],
    call: 'WSARecv(s, {buf[16]}, 1, NULL, &flags, &ov, routine); data arrives; SleepEx(0, FALSE); SleepEx(2000, TRUE)',
    expected: { rc: -1, error: 'WSA_IO_PENDING', afterPlainSleep: 0, sleep: 0xc0, calls: [[0, 7, true, 0, 'routine']] },
    basis: 'measured', source: `${SOCK_C} test_WSARecv`,
    run(ctx) {
      const { client, server } = ctx.tcpPair();
      const ov = overlapped();
      const buf = new Uint8Array(16);
      const calls: Array<[number, number, boolean, number, string]> = [];
      const rc = ws.WSARecv(server, [{ len: 16, buf }], 1, null, { value: 0 }, ov,
        (e, n, o, f) => calls.push([e, n, o === ov, f, text(buf.subarray(0, n))]));
      const error = errName(ws.WSAGetLastError());
      ws.send(client, bytesOf('routine'), 7, 0);
      ctx.sleep(100);
      ws.SleepEx(0, false);
      const afterPlainSleep = calls.length;
      const sleep = ws.SleepEx(2000, true);
      return { rc, error, afterPlainSleep, sleep, calls };
    },
  },
  {
    id: 'WSARecv.issue-order.overlapped+port',
    title: 'two pending receives of 16 bytes and one 32-byte send: filled in issue order',
    mode: 'overlapped+port', sockets: ['tcp-pair'], needs: ['ports'],
    call: 'WSARecv(&ov1, buf1[16]); WSARecv(&ov2, buf2[16]); peer sends 32 bytes; two dequeues',
    expected: {
      packets: [
        { ok: true, error: 'NO_ERROR', bytes: 16, key: 'KEY', overlapped: 'first' },
        { ok: true, error: 'NO_ERROR', bytes: 16, key: 'KEY', overlapped: 'second' },
      ],
      first: 'abcdefghijklmnop', second: 'qrstuvwxyz012345',
    },
    basis: 'measured', source: `${SOCK_C} test_simultaneous_async_recv`,
    run(ctx) {
      const { client, server } = ctx.tcpPair();
      const port = ctx.port(server, KEY);
      const a = new Uint8Array(16);
      const b = new Uint8Array(16);
      const first = overlapped();
      const second = overlapped();
      ws.WSARecv(server, [{ len: 16, buf: a }], 1, null, { value: 0 }, first, null);
      ws.WSARecv(server, [{ len: 16, buf: b }], 1, null, { value: 0 }, second, null);
      ws.send(client, bytesOf('abcdefghijklmnopqrstuvwxyz012345'), 32, 0);
      const packets = [dequeue(port, 2000, { first, second }), dequeue(port, 2000, { first, second })];
      return { packets, first: text(a), second: text(b) };
    },
  },
  {
    id: 'WSARecv.zero-length.overlapped+port',
    title: 'a zero-length receive completes with 0 bytes when data arrives, and leaves the data queued',
    mode: 'overlapped+port', sockets: ['tcp-pair'], needs: ['ports'],
    call: 'WSARecv(s, {len 0}, 1, NULL, &flags, &ov, NULL); peer sends 4 bytes; dequeue; recv',
    expected: { rc: -1, error: 'WSA_IO_PENDING', packet: { ok: true, error: 'NO_ERROR', bytes: 0, key: 'KEY', overlapped: 'ov' }, recv: 4, data: 'zero' },
    basis: 'measured', source: `${SOCK_C} test_WSARecv`,
    run(ctx) {
      const { client, server } = ctx.tcpPair();
      const port = ctx.port(server, KEY);
      const ov = overlapped();
      const rc = ws.WSARecv(server, [{ len: 0, buf: new Uint8Array(0) }], 1, null, { value: 0 }, ov, null);
      const error = errName(ws.WSAGetLastError());
      ws.send(client, bytesOf('zero'), 4, 0);
      const packet = dequeue(port, 2000, { ov });
      const buf = new Uint8Array(4);
      const recv = ws.recv(server, buf, 4, 0);
      return { rc, error, packet, recv, data: text(buf) };
    },
  },
  {
    id: 'WSARecvFrom.truncated.plain',
    title: 'a datagram longer than the buffers: WSAEMSGSIZE, its first bytes delivered, the rest discarded',
    mode: 'other', sockets: ['udp-bound'],
    call: 'WSARecvFrom(s, {buf[4]}, 1, &bytes, &flags, from, &fromlen, NULL, NULL) with a 10-byte datagram queued; then recv',
    expected: { rc: -1, error: 'WSAEMSGSIZE', data: '0123', fromIsSender: true, next: 'WSAEWOULDBLOCK' },
    basis: 'documented', source: 'WSARecvFrom reference page (WSAEMSGSIZE: the message was too large and was truncated)',
    run(ctx) {
      const s = ctx.udpBound();
      const sender = ctx.udpBound();
      ws.sendto(sender, bytesOf('0123456789'), 10, 0, ws.sockaddr('127.0.0.1', portOf(s)), 16);
      waitForData(s);
      const buf = new Uint8Array(4);
      const from = new Uint8Array(16).fill(GUARD);
      const rc = ws.WSARecvFrom(s, [{ len: 4, buf }], 1, { value: 0 }, { value: 0 }, from, { value: 16 }, null, null);
      const error = errName(ws.WSAGetLastError());
      ws.ioctlsocket(s, ws.FIONBIO, { value: 1 });
      const again = ws.recv(s, new Uint8Array(16), 16, 0);
      const next = again === -1 ? errName(ws.WSAGetLastError()) : again;
      return { rc, error, data: text(buf), fromIsSender: ws.parseSockaddr(from).port === portOf(sender), next };
    },
  },
  {
    id: 'WSARecvFrom.truncated.overlapped+port',
    title: 'a cut datagram through a port: the packet fails with ERROR_MORE_DATA and the bytes that fit',
    mode: 'overlapped+port', sockets: ['udp-bound'], needs: ['ports'],
    call: 'WSARecvFrom(s, {buf[4]}, 1, NULL, &flags, NULL, NULL, &ov, NULL); a 10-byte datagram arrives; dequeue',
    expected: { rc: -1, error: 'WSA_IO_PENDING', packet: { ok: false, error: 'ERROR_MORE_DATA', bytes: 4, key: 'KEY', overlapped: 'ov' }, data: 'abcd' },
    basis: 'inferred', source: 'STATUS_BUFFER_OVERFLOW maps to ERROR_MORE_DATA (RtlNtStatusToDosError); Go internal/poll execIO checks for it',
    run(ctx) {
      const s = ctx.udpBound();
      const sender = ctx.udpBound();
      const port = ctx.port(s, KEY);
      const ov = overlapped();
      const buf = new Uint8Array(4);
      const rc = ws.WSARecvFrom(s, [{ len: 4, buf }], 1, null, { value: 0 }, null, null, ov, null);
      const error = errName(ws.WSAGetLastError());
      ws.sendto(sender, bytesOf('abcdefghij'), 10, 0, ws.sockaddr('127.0.0.1', portOf(s)), 16);
      return { rc, error, packet: dequeue(port, 2000, { ov }), data: text(buf) };
    },
  },
  {
    id: 'WSASend.gather.overlapped+port',
    title: 'an overlapped gather send completes (packet with all bytes) and the peer gets them in order',
    mode: 'overlapped+port', sockets: ['tcp-pair'], needs: ['ports'],
    call: 'WSASend(s, {"one", "two"}, 2, &bytes, 0, &ov, NULL); dequeue; peer recv',
    expected: { rc: 0, bytes: 6, packet: { ok: true, error: 'NO_ERROR', bytes: 6, key: 'KEY', overlapped: 'ov' }, received: 'onetwo' },
    basis: 'measured', source: `${SOCK_C} test_completion_port`,
    run(ctx) {
      const { client, server } = ctx.tcpPair();
      const port = ctx.port(client, KEY);
      const ov = overlapped();
      const bytes = { value: SENTINEL };
      const rc = ws.WSASend(client, [{ len: 3, buf: bytesOf('one') }, { len: 3, buf: bytesOf('two') }], 2, bytes, 0, ov, null);
      const packet = dequeue(port, 2000, { ov });
      waitForData(server);
      const got = new Uint8Array(6);
      ws.recv(server, got, 6, ws.MSG_WAITALL);
      return { rc, bytes: refValue(bytes), packet, received: text(got) };
    },
  },
  {
    id: 'WSARecv.closesocket-pending.overlapped+port',
    title: 'closesocket with a receive pending: the packet fails with ERROR_CONNECTION_ABORTED, 0 bytes',
    mode: 'overlapped+port', sockets: ['tcp-pair'], needs: ['ports'],
    call: 'WSARecv(s, {buf[8]}, 1, NULL, &flags, &ov, NULL); closesocket(s); dequeue',
    expected: { rc: -1, error: 'WSA_IO_PENDING', packet: { ok: false, error: 'ERROR_CONNECTION_ABORTED', bytes: 0, key: 'KEY', overlapped: 'ov' } },
    basis: 'measured', source: `${SOCK_C} iocp_async_read_closesocket (todo_wine: Windows' value)`,
    run(ctx) {
      const { server } = ctx.tcpPair();
      const port = ctx.port(server, KEY);
      const ov = overlapped();
      const rc = ws.WSARecv(server, [{ len: 8, buf: new Uint8Array(8) }], 1, null, { value: 0 }, ov, null);
      const error = errName(ws.WSAGetLastError());
      ctx.closeNow(server);
      return { rc, error, packet: dequeue(port, 2000, { ov }) };
    },
  },
  {
    id: 'SetFileCompletionNotificationModes.skip-port-on-success',
    title: 'FILE_SKIP_COMPLETION_PORT_ON_SUCCESS: an immediate success queues no packet; a receive that pended does',
    mode: 'overlapped+port', sockets: ['tcp-pair'], needs: ['ports'],
    call: 'SetFileCompletionNotificationModes(s, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS); WSARecv with data queued; WSARecv that pends',
    expected: {
      set: true, rc: 0, bytes: 4, none: { ok: false, error: 'WAIT_TIMEOUT' },
      pended: 'WSA_IO_PENDING', packet: { ok: true, error: 'NO_ERROR', bytes: 4, key: 'KEY', overlapped: 'later' },
    },
    basis: 'documented', source: `SetFileCompletionNotificationModes reference page; ${SOCK_C} test_connect_completion_port (what pends still queues)`,
    run(ctx) {
      const { client, server } = ctx.tcpPair();
      const port = ctx.port(server, KEY);
      const set = ws.SetFileCompletionNotificationModes(server, ws.FILE_SKIP_COMPLETION_PORT_ON_SUCCESS);
      sendAndWait(client, server, bytesOf('skip'));
      const now = overlapped();
      const bytes = { value: SENTINEL };
      const rc = ws.WSARecv(server, [{ len: 8, buf: new Uint8Array(8) }], 1, bytes, { value: 0 }, now, null);
      const none = dequeue(port, 100, { now });
      const later = overlapped();
      const pendRc = ws.WSARecv(server, [{ len: 8, buf: new Uint8Array(8) }], 1, null, { value: 0 }, later, null);
      const pended = pendRc === 0 ? 0 : errName(ws.WSAGetLastError());
      ws.send(client, bytesOf('late'), 4, 0);
      return { set, rc, bytes: refValue(bytes), none, pended, packet: dequeue(port, 2000, { now, later }) };
    },
  },
  {
    id: 'select.readiness',
    title: 'select keeps only the ready sockets in each fd_set; a 0 time-out with none ready empties the set',
    mode: 'other', sockets: ['tcp-pair'],
    call: 'select(0, {a, b} with data on a, NULL, NULL, 1 s); select(0, NULL, {a}, NULL, 0); select(0, {b}, NULL, NULL, 0)',
    expected: { ready: 1, readSet: ['a'], writable: 1, writeSet: ['a'], none: 0, noneCount: 0 },
    basis: 'documented', source: 'select reference page (sdk-api nf-winsock2-select)',
    run(ctx) {
      const { client, server } = ctx.tcpPair();
      const other = ctx.tcpPair();
      sendAndWait(client, server, bytesOf('x'));
      const names = (set: ws.fd_set): string[] => set.fd_array.slice(0, set.fd_count).map((s) => (s === server ? 'a' : 'b'));
      const readSet: ws.fd_set = { fd_count: 0, fd_array: [] };
      ws.FD_SET(server, readSet);
      ws.FD_SET(other.server, readSet);
      const ready = ws.select(0, readSet, null, null, { tv_sec: 1, tv_usec: 0 });
      const writeSet: ws.fd_set = { fd_count: 0, fd_array: [] };
      ws.FD_SET(server, writeSet);
      const writable = ws.select(0, null, writeSet, null, { tv_sec: 0, tv_usec: 0 });
      const noneSet: ws.fd_set = { fd_count: 0, fd_array: [] };
      ws.FD_SET(other.server, noneSet);
      const none = ws.select(0, noneSet, null, null, { tv_sec: 0, tv_usec: 0 });
      return { ready, readSet: names(readSet), writable, writeSet: names(writeSet), none, noneCount: noneSet.fd_count };
    },
  },
  {
    id: 'WSAPoll.revents',
    title: 'WSAPoll: POLLRDNORM on a socket with data, POLLWRNORM on a connected one, 0 on an idle reader',
    mode: 'other', sockets: ['tcp-pair'],
    call: 'WSAPoll({ {a, POLLRDNORM}, {b, POLLRDNORM|POLLWRNORM}, {c, POLLRDNORM} }, 3, 1000)',
    expected: { rc: 2, revents: [0x100, 0x10, 0] },
    basis: 'documented', source: 'WSAPoll reference page (sdk-api nf-winsock2-wsapoll)',
    run(ctx) {
      const { client, server } = ctx.tcpPair();
      const idle = ctx.tcpPair();
      sendAndWait(client, server, bytesOf('x'));
      const fds = [
        { fd: server, events: ws.POLLRDNORM, revents: 0 },
        { fd: client, events: ws.POLLRDNORM | ws.POLLWRNORM, revents: 0 },
        { fd: idle.server, events: ws.POLLRDNORM, revents: 0 },
      ];
      const rc = ws.WSAPoll(fds, 3, 1000);
      return { rc, revents: fds.map((f) => f.revents) };
    },
  },
];

export const transfers: Scenario[] = scenarios;
