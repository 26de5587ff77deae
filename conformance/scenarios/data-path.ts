/**
 * The data path's argument rules (issue 14): what WSARecv, WSASendTo and select refuse before they
 * start. The transfers themselves are in transfers.ts. Each scenario reports what it saw on loopback
 * sockets; the expectation is what Windows does according to the source named.
 */
import type { Scenario } from '../lib/types.js';
import { KEY, SENTINEL, errName, overlapped, refValue, ws } from '../lib/winsock.js';
import { SRC } from './sources.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const wsabufs = (...sizes: number[]): ws.WSABUF[] => sizes.map((len) => ({ len, buf: new Uint8Array(len) }));

const scenario = (s: Omit<Scenario, 'mode' | 'basis' | 'needs'> & { basis?: Scenario['basis']; needs?: Scenario['needs'] }): Scenario => ({
  mode: 'other', basis: 'measured', ...s, needs: ['data-path', ...(s.needs ?? [])],
});

export const dataPath: Scenario[] = [
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
    id: 'WSASend.shared-memory',
    title: 'send and WSASend from, recv and WSARecv into, views of a SharedArrayBuffer: the bytes move',
    sockets: ['tcp-pair'], basis: 'documented',
    call: 'WSASend(s, {5, shared}, 1, &n, 0, NULL, NULL); send(s, shared + 5, 3, 0); WSARecv(c, {5, shared + 8}, 1, &n, ...); recv(c, shared + 16, 3, 0)',
    expected: { sent: [0, 5, 3], received: [0, 5, 3], text: 'hello+abc' },
    source: SRC.sharedBuffers,
    run(ctx) {
      const { client, server } = ctx.tcpPair();
      const memory = new Uint8Array(new SharedArrayBuffer(32));
      memory.set(enc('helloabc'));
      const n = { value: SENTINEL };
      const rc = ws.WSASend(server, [{ len: 5, buf: memory.subarray(0, 5) }], 1, n, 0, null, null);
      const sent = [rc, refValue(n), ws.send(server, memory.subarray(5, 8), 3, 0)];
      const got = { value: SENTINEL };
      const recvRc = ws.WSARecv(client, [{ len: 5, buf: memory.subarray(8, 13) }], 1, got, { value: 0 }, null, null);
      const received = [recvRc, refValue(got), ws.recv(client, memory.subarray(16, 24), 3, 0)];
      const text = `${new TextDecoder().decode(memory.slice(8, 13))}+${new TextDecoder().decode(memory.slice(16, 19))}`;
      return { sent, received, text };
    },
  }),
  scenario({
    id: 'WSAIoctl.shared-memory',
    title: 'WSAIoctl: an input over a SharedArrayBuffer is refused (WSAEFAULT, a structure is ordinary memory); an output over one is written',
    sockets: ['tcp-pair'], basis: 'documented',
    call: 'WSAIoctl(c, SIO_KEEPALIVE_VALS, shared, 12, NULL, 0, &n, NULL, NULL); send(s, "abc"); WSAIoctl(c, FIONREAD, NULL, 0, shared + 2, 4, &n, NULL, NULL)',
    expected: { input: { rc: -1, error: 'WSAEFAULT', n: 'untouched' }, output: { rc: 0, n: 4, bytes: [0xa5, 0xa5, 3, 0, 0, 0, 0xa5, 0xa5] } },
    source: SRC.sharedBuffers,
    run(ctx) {
      const { client, server } = ctx.tcpPair();
      const keepalive = new Uint8Array(new SharedArrayBuffer(12));
      keepalive.set(ws.encodeTcpKeepalive({ onoff: 1, keepalivetime: 30000, keepaliveinterval: 1000 }));
      const n = { value: SENTINEL };
      const rc = ws.WSAIoctl(client, ws.SIO_KEEPALIVE_VALS, keepalive, 12, null, 0, n, null, null);
      const input = { rc, error: errName(ws.WSAGetLastError()), n: refValue(n) };
      ws.send(server, enc('abc'), 3, 0);
      const count = new Uint8Array(new SharedArrayBuffer(8)).fill(0xa5);
      const m = { value: SENTINEL };
      let outRc = -1;
      // The three bytes are on loopback at once; a short bounded wait covers a slow machine.
      for (let i = 0; i < 200; i++) {
        outRc = ws.WSAIoctl(client, ws.FIONREAD, null, 0, count.subarray(2, 6), 4, m, null, null);
        if (outRc !== 0 || count[2] === 3) break;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
      }
      return { input, output: { rc: outRc, n: refValue(m), bytes: [...count] } };
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
];
