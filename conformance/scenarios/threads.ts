/**
 * Handles shared by a process's threads: a SOCKET, a WSAEVENT and a completion port made by the
 * main thread are used by another JS thread (a Worker, lib/other-thread.ts), and what one thread
 * does is what the other sees, as on Windows, where every handle belongs to the process.
 */
import type { Observation, Scenario } from '../lib/types.js';
import { OtherThread } from '../lib/other-thread.js';
import { KEY, SENTINEL, errName, refValue, u32, ws } from '../lib/winsock.js';
import { SRC } from './sources.js';

/** Longest a main-thread wait here may block (the other thread answers within milliseconds). */
const WAIT_MS = 5000;

const scenario = (s: Omit<Scenario, 'mode' | 'basis' | 'source' | 'run'> & { run: (ctx: Parameters<Scenario['run']>[0], other: OtherThread) => Promise<Observation> }): Scenario => ({
  mode: 'other', basis: 'documented', source: SRC.processHandles,
  ...s,
  // The other thread is started for the scenario and ended with it, whatever happens.
  async run(ctx) {
    const other = await OtherThread.start();
    try {
      return await s.run(ctx, other);
    } finally {
      await other.end();
    }
  },
});

const waitName = (rc: number): string =>
  rc === ws.WSA_WAIT_EVENT_0 ? 'WSA_WAIT_EVENT_0' : rc === ws.WSA_WAIT_TIMEOUT ? 'WSA_WAIT_TIMEOUT' : `${rc} (${errName(ws.WSAGetLastError())})`;

export const threads: Scenario[] = [
  scenario({
    id: 'threads.socket',
    title: 'a SOCKET made by one thread sends from another: the peer receives the bytes',
    sockets: ['tcp-pair'],
    call: 'other thread: send(s, "abc", 3, 0); this thread: recv(peer, buf, 8, 0)',
    expected: { sent: { rc: 3, error: 'none' }, received: 'abc' },
    async run(ctx, other) {
      const { client, server } = ctx.tcpPair();
      ws.setsockopt(client, ws.SOL_SOCKET, ws.SO_RCVTIMEO, u32(WAIT_MS), 4);
      const sent = await other.call('send', { s: server, text: 'abc' });
      const buf = new Uint8Array(8);
      const n = ws.recv(client, buf, 8, 0);
      return { sent, received: n > 0 ? new TextDecoder().decode(buf.subarray(0, n)) : `${n} (${errName(ws.WSAGetLastError())})` };
    },
  }),
  scenario({
    id: 'threads.closesocket',
    title: 'closesocket in one thread: the handle is no socket in the other (WSAENOTSOCK)',
    sockets: ['tcp-fresh'],
    call: 'other thread: closesocket(s); this thread: ioctlsocket(s, FIONBIO, &arg)',
    expected: { closed: 0, after: { rc: -1, error: 'WSAENOTSOCK' } },
    async run(_ctx, other) {
      // Not the context's: the other thread closes it.
      const s = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
      const closed = await other.call('closesocket', { s });
      if (closed !== 0) ws.closesocket(s);
      const rc = ws.ioctlsocket(s, ws.FIONBIO, { value: 0 });
      return { closed, after: { rc, error: errName(ws.WSAGetLastError()) } };
    },
  }),
  scenario({
    id: 'threads.event',
    title: 'WSASetEvent in one thread releases WSAWaitForMultipleEvents blocked in the other',
    sockets: ['none'], needs: ['events'],
    call: 'this thread: WSAWaitForMultipleEvents(1, &e, FALSE, 5000, FALSE); other thread, 100 ms later: WSASetEvent(e)',
    expected: { wait: 'WSA_WAIT_EVENT_0', set: true },
    async run(ctx, other) {
      const e = ctx.event();
      const set = other.call('WSASetEvent', { event: e }, 100);
      const wait = waitName(ws.WSAWaitForMultipleEvents(1, [e], false, WAIT_MS, false));
      return { wait, set: await set };
    },
  }),
  scenario({
    id: 'threads.port-post',
    title: 'PostQueuedCompletionStatus in one thread releases GetQueuedCompletionStatus blocked in the other',
    sockets: ['none'], needs: ['ports'],
    call: 'this thread: GetQueuedCompletionStatus(port, &n, &key, &ov, 5000); other thread, 100 ms later: PostQueuedCompletionStatus(port, 7, 42, NULL)',
    expected: { ok: true, bytes: 7, key: 42, overlapped: 'NULL', posted: true },
    async run(_ctx, other) {
      const port = ws.CreateIoCompletionPort(ws.INVALID_HANDLE_VALUE, 0, 0, 0);
      try {
        const posted = other.call('PostQueuedCompletionStatus', { port, bytes: 7, key: 42 }, 100);
        const bytes = { value: SENTINEL };
        const key = { value: SENTINEL };
        const ov: { value: ws.WSAOVERLAPPED | null } = { value: new ws.WSAOVERLAPPED() };
        const ok = ws.GetQueuedCompletionStatus(port, bytes, key, ov, WAIT_MS);
        return { ok, bytes: refValue(bytes), key: refValue(key), overlapped: ov.value === null ? 'NULL' : 'not NULL', posted: await posted };
      } finally {
        ws.CloseHandle(port);
      }
    },
  }),
  scenario({
    id: 'threads.receive-completes-to-other-thread',
    title: 'an overlapped WSARecv issued by one thread completes to the port another thread waits on',
    sockets: ['tcp-pair'], needs: ['ports', 'data-path'],
    call: 'other thread: WSARecv(s, {16, buf}, 1, NULL, &flags, &ov, NULL); this thread: send(peer, "hello"); GetQueuedCompletionStatus(port, &n, &key, &ov, 5000)',
    expected: { issued: { rc: -1, error: 'WSA_IO_PENDING' }, ok: true, bytes: 5, key: KEY },
    async run(ctx, other) {
      const { client, server } = ctx.tcpPair();
      const port = ctx.port(server, KEY);
      const issued = await other.call('WSARecv', { s: server, len: 16 });
      ws.send(client, new TextEncoder().encode('hello'), 5, 0);
      const bytes = { value: SENTINEL };
      const key = { value: SENTINEL };
      const ok = ws.GetQueuedCompletionStatus(port, bytes, key, { value: null }, WAIT_MS);
      return { issued, ok, bytes: refValue(bytes), key: refValue(key) };
    },
  }),
];
