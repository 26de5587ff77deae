/**
 * The data path (issue 14): WSARecv / WSASend / WSASendTo in the calling modes, select and WSAPoll.
 * Each scenario performs its calls on loopback sockets and reports what it saw; the expectation is
 * what Windows does according to the source named.
 */
import type { Observation, Scenario } from '../lib/types.js';
import { KEY, SENTINEL, errName, infoOf, overlapped, refValue, sendAndWait, statusOf, ws } from '../lib/winsock.js';
import { SRC } from './sources.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array | null, n?: number): string => new TextDecoder().decode((b ?? new Uint8Array(0)).subarray(0, n));
const wsabufs = (...sizes: number[]): ws.WSABUF[] => sizes.map((len) => ({ len, buf: new Uint8Array(len) }));

/** One packet from the port (bounded wait), as plain facts. */
function packet(port: number, ms: number): Observation {
  const bytes = { value: 0 };
  const key = { value: 0 };
  const ov: { value: ws.WSAOVERLAPPED | null } = { value: null };
  const ok = ws.GetQueuedCompletionStatus(port, bytes, key, ov, ms);
  if (!ok && ov.value === null) return { packet: 'none' };
  return { ok, error: ok ? 'NO_ERROR' : errName(ws.GetLastError()), bytes: bytes.value, key: key.value };
}

const scenario = (s: Omit<Scenario, 'mode' | 'basis' | 'needs'> & { basis?: Scenario['basis']; needs?: Scenario['needs'] }): Scenario => ({
  mode: 'other', basis: 'measured', ...s, needs: ['data-path', ...(s.needs ?? [])],
});

export const dataPath: Scenario[] = [
  scenario({
    id: 'WSARecv.scatter',
    title: 'WSARecv scatters 9 bytes over a 4-byte and a 5-byte WSABUF, in order',
    sockets: ['tcp-pair'], call: 'send("deadbeefs"); WSARecv(s, {4, 5}, 2, &n, &flags, NULL, NULL)',
    expected: { rc: 0, n: 9, first: 'dead', second: 'beefs' },
    source: SRC.wsaRecv,
    run(ctx) {
      const { client, server } = ctx.tcpPair();
      sendAndWait(client, server, enc('deadbeefs'));
      const list = wsabufs(4, 5);
      const n = { value: SENTINEL };
      const rc = ws.WSARecv(server, list, 2, n, { value: 0 }, null, null);
      return { rc, n: refValue(n), first: dec(list[0]!.buf), second: dec(list[1]!.buf) };
    },
  }),
  scenario({
    id: 'WSARecv.no-buffers',
    title: 'WSARecv with a NULL list and a count of 0: WSAEINVAL',
    sockets: ['tcp-pair'], call: 'WSARecv(s, NULL, 0, &n, &flags, &ov, NULL)',
    expected: { rc: -1, error: 'WSAEINVAL' },
    source: SRC.emptyRecv,
    run(ctx) {
      const { server } = ctx.tcpPair();
      const rc = ws.WSARecv(server, null, 0, { value: 0 }, { value: 0 }, overlapped(), null);
      return { rc, error: errName(ws.WSAGetLastError()) };
    },
  }),
  scenario({
    id: 'WSARecv.immediate.port',
    title: 'overlapped WSARecv with data queued: 0 with the count, and a completion packet all the same',
    sockets: ['tcp-pair'], needs: ['ports'],
    call: 'send("hello"); WSARecv(s, {1024}, 1, &n, &flags, &ov, NULL); GetQueuedCompletionStatus',
    expected: { rc: 0, n: 5, status: 'STATUS_SUCCESS', info: 5, packet: { ok: true, error: 'NO_ERROR', bytes: 5, key: KEY } },
    source: SRC.completionPort,
    run(ctx) {
      const { client, server } = ctx.tcpPair();
      const port = ctx.port(server, KEY);
      sendAndWait(client, server, enc('hello'));
      const ov = overlapped();
      const n = { value: SENTINEL };
      const rc = ws.WSARecv(server, wsabufs(1024), 1, n, { value: 0 }, ov, null);
      return { rc, n: refValue(n), status: statusOf(ov.Internal), info: infoOf(ov.InternalHigh), packet: packet(port, 1000) };
    },
  }),
  scenario({
    id: 'WSARecv.pending.port',
    title: 'overlapped WSARecv with nothing queued: WSA_IO_PENDING, count untouched; 12 bytes later complete it',
    sockets: ['tcp-pair'], needs: ['ports'],
    call: 'WSARecv(s, {32}, 1, &n, &flags, &ov, NULL); peer sends 12 bytes; GetQueuedCompletionStatus',
    expected: {
      rc: -1, error: 'WSA_IO_PENDING', n: 'untouched', pendingStatus: 'STATUS_PENDING', pendingInfo: 'untouched',
      packet: { ok: true, error: 'NO_ERROR', bytes: 12, key: KEY }, status: 'STATUS_SUCCESS', info: 12, data: 'twelve bytes',
    },
    source: SRC.iocpAsyncRead,
    run(ctx) {
      const { client, server } = ctx.tcpPair();
      const port = ctx.port(server, KEY);
      const ov = overlapped();
      const list = wsabufs(32);
      const n = { value: SENTINEL };
      const rc = ws.WSARecv(server, list, 1, n, { value: 0 }, ov, null);
      const error = errName(ws.WSAGetLastError());
      const pendingStatus = statusOf(ov.Internal);
      const pendingInfo = infoOf(ov.InternalHigh);
      ws.send(client, enc('twelve bytes'), 12, 0);
      const p = packet(port, 2000);
      return { rc, error, n: refValue(n), pendingStatus, pendingInfo, packet: p, status: statusOf(ov.Internal), info: infoOf(ov.InternalHigh), data: dec(list[0]!.buf, 12) };
    },
  }),
  scenario({
    id: 'WSARecv.simultaneous',
    title: 'two pending 16-byte WSARecvs take one 32-byte send in issue order',
    sockets: ['tcp-pair'], needs: ['events'],
    call: 'WSARecv(s, a[16], &ov1); WSARecv(s, b[16], &ov2); peer sends 32 bytes',
    expected: { first: 'A'.repeat(16), second: 'B'.repeat(16) },
    source: SRC.simultaneousRecv,
    run(ctx) {
      const { client, server } = ctx.tcpPair();
      const e1 = ctx.event();
      const e2 = ctx.event();
      const a = wsabufs(16);
      const b = wsabufs(16);
      ws.WSARecv(server, a, 1, null, { value: 0 }, overlapped(e1), null);
      ws.WSARecv(server, b, 1, null, { value: 0 }, overlapped(e2), null);
      ws.send(client, enc('A'.repeat(16) + 'B'.repeat(16)), 32, 0);
      ws.WSAWaitForMultipleEvents(2, [e1, e2], true, 2000, false);
      return { first: dec(a[0]!.buf), second: dec(b[0]!.buf) };
    },
  }),
  scenario({
    id: 'WSARecv.zero-length',
    title: 'a pending zero-length WSARecv completes with 0 bytes when data comes, and takes none',
    sockets: ['tcp-pair'], needs: ['events'],
    call: 'WSARecv(s, {0, NULL}, 1, NULL, &flags, &ov, NULL); peer sends 5; WSAGetOverlappedResult; recv',
    expected: { rc: -1, error: 'WSA_IO_PENDING', result: true, bytes: 0, recv: 5 },
    source: SRC.emptyRecv,
    run(ctx) {
      const { client, server } = ctx.tcpPair();
      const event = ctx.event();
      const ov = overlapped(event);
      const rc = ws.WSARecv(server, [{ len: 0, buf: null }], 1, null, { value: 0 }, ov, null);
      const error = errName(ws.WSAGetLastError());
      ws.send(client, enc('hello'), 5, 0);
      ws.WSAWaitForMultipleEvents(1, [event], true, 2000, false);
      const n = { value: SENTINEL };
      const result = ws.WSAGetOverlappedResult(server, ov, n, false, { value: 0 });
      return { rc, error, result, bytes: refValue(n), recv: ws.recv(server, new Uint8Array(16), 16, 0) };
    },
  }),
  scenario({
    id: 'WSARecv.routine-on-port',
    title: 'WSARecv with a completion routine on a socket associated with a port: WSAEINVAL, never called',
    sockets: ['tcp-pair'], needs: ['ports', 'apc'],
    call: 'CreateIoCompletionPort(s); WSARecv(s, ..., &ov, routine); SleepEx(0, TRUE)',
    expected: { rc: -1, error: 'WSAEINVAL', calls: 0 },
    source: SRC.wsaRecv,
    run(ctx) {
      const { server } = ctx.tcpPair();
      ctx.port(server, KEY);
      let calls = 0;
      const rc = ws.WSARecv(server, wsabufs(8), 1, null, { value: 0 }, overlapped(), () => { calls++; });
      const error = errName(ws.WSAGetLastError());
      ws.SleepEx(0, true);
      return { rc, error, calls };
    },
  }),
  scenario({
    id: 'WSARecv.closesocket-pending',
    title: 'closesocket with a WSARecv pending: the packet says FALSE, ERROR_CONNECTION_ABORTED, 0 bytes',
    sockets: ['tcp-pair'], needs: ['ports'],
    call: 'WSARecv(s, ..., &ov, NULL) pending; closesocket(s); GetQueuedCompletionStatus',
    expected: { packet: { ok: false, error: 'ERROR_CONNECTION_ABORTED', bytes: 0, key: KEY } },
    source: SRC.closesocketPending,
    run(ctx) {
      const { server } = ctx.tcpPair();
      const port = ctx.port(server, KEY);
      ws.WSARecv(server, wsabufs(8), 1, null, { value: 0 }, overlapped(), null);
      ctx.closeNow(server);
      return { packet: packet(port, 2000) };
    },
  }),
  scenario({
    id: 'WSASendTo.checks',
    title: 'WSASendTo: INVALID_SOCKET first (WSAENOTSOCK), a NULL byte count without overlapped (WSAEFAULT), then success with last error 0',
    sockets: ['udp-bound'],
    call: 'WSASendTo(INVALID_SOCKET, ..., NULL, ...); WSASendTo(s, ..., NULL, ...); WSASendTo(s, ..., &n, ...)',
    expected: { invalid: 'WSAENOTSOCK', nullCount: 'WSAEFAULT', rc: 0, error: 'NO_ERROR', n: 4 },
    source: SRC.wsaSendTo,
    run(ctx) {
      const s = ctx.udpBound();
      const to = ws.sockaddr('127.0.0.1', 9);
      const data = [{ len: 4, buf: enc('ping') }];
      ws.WSASendTo(ws.INVALID_SOCKET, data, 1, null, 0, to, 16, null, null);
      const invalid = errName(ws.WSAGetLastError());
      ws.WSASendTo(s, data, 1, null, 0, to, 16, null, null);
      const nullCount = errName(ws.WSAGetLastError());
      ws.WSASetLastError(SENTINEL);
      const n = { value: SENTINEL };
      const rc = ws.WSASendTo(s, data, 1, n, 0, to, 16, null, null);
      return { invalid, nullCount, rc, error: errName(ws.WSAGetLastError()), n: refValue(n) };
    },
  }),
  scenario({
    id: 'select.no-sockets',
    title: 'select with every set NULL: WSAEINVAL',
    sockets: ['none'], basis: 'documented',
    call: 'select(0, NULL, NULL, NULL, &{0, 0})',
    expected: { rc: -1, error: 'WSAEINVAL' },
    source: SRC.selectPage,
    run() {
      const rc = ws.select(0, null, null, null, { tv_sec: 0, tv_usec: 0 });
      return { rc, error: errName(ws.WSAGetLastError()) };
    },
  }),
  scenario({
    id: 'select.readable',
    title: 'select keeps the socket with data in readfds and the connected one in writefds',
    sockets: ['tcp-pair'], basis: 'documented',
    call: 'send(client, 1 byte); select(0, {server, client}, {client}, NULL, &{2, 0})',
    expected: { rc: 2, read: ['server'], write: ['client'] },
    source: SRC.selectPage,
    run(ctx) {
      const { client, server } = ctx.tcpPair();
      sendAndWait(client, server, enc('x'));
      const r: ws.fd_set = { fd_count: 0, fd_array: [] };
      const w: ws.fd_set = { fd_count: 0, fd_array: [] };
      ws.FD_SET(server, r);
      ws.FD_SET(client, r);
      ws.FD_SET(client, w);
      const rc = ws.select(0, r, w, null, { tv_sec: 2, tv_usec: 0 });
      const name = (h: number): string => (h === server ? 'server' : h === client ? 'client' : String(h));
      return { rc, read: r.fd_array.slice(0, r.fd_count).map(name), write: w.fd_array.slice(0, w.fd_count).map(name) };
    },
  }),
  scenario({
    id: 'WSAPoll.readable',
    title: 'WSAPoll: POLLRDNORM for the socket with data, POLLWRNORM for the writable one',
    sockets: ['tcp-pair'], basis: 'documented',
    call: 'send(client, 1 byte); WSAPoll({server, POLLRDNORM}, {client, POLLWRNORM}, 2, 2000)',
    expected: { rc: 2, server: 'POLLRDNORM', client: 'POLLWRNORM' },
    source: SRC.wsaPollPage,
    run(ctx) {
      const { client, server } = ctx.tcpPair();
      sendAndWait(client, server, enc('x'));
      const fds: ws.WSAPOLLFD[] = [{ fd: server, events: ws.POLLRDNORM, revents: 0 }, { fd: client, events: ws.POLLWRNORM, revents: 0 }];
      const rc = ws.WSAPoll(fds, 2, 2000);
      const bits = (r: number): string => (r === ws.POLLRDNORM ? 'POLLRDNORM' : r === ws.POLLWRNORM ? 'POLLWRNORM' : `0x${r.toString(16)}`);
      return { rc, server: bits(fds[0]!.revents), client: bits(fds[1]!.revents) };
    },
  }),
];
