/**
 * SIO_IDEAL_SEND_BACKLOG_CHANGE on loopback: argument rules, one request per socket, and the ways a
 * pending request ends (a newer request, send-side shutdown, closesocket, a reset while blocked on
 * a non-blocking socket, which this code ignores). The value itself rarely moves on loopback, so
 * completion by a change is not asserted here.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import * as ws from 'wsaioctl/winsock';
import { startup, cleanup, check, closeAll, tcpPair, listener } from './helpers/sockets.js';

before(startup);
after(cleanup);

const request = (s: number, ov: ws.WSAOVERLAPPED | null, out: Uint8Array | null = null, cb = 0): number =>
  ws.WSAIoctl(s, ws.SIO_IDEAL_SEND_BACKLOG_CHANGE, null, 0, out, cb, { value: 0 }, ov, null);

describe('SIO_IDEAL_SEND_BACKLOG_CHANGE', () => {
  test('argument and socket rules', () => {
    const udp = check(ws.socket(ws.AF_INET, ws.SOCK_DGRAM, 0), 'socket');
    assert.equal(request(udp, null), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEOPNOTSUPP);
    const unconnected = check(ws.socket(ws.AF_INET, ws.SOCK_STREAM, 0), 'socket');
    assert.equal(request(unconnected, new ws.WSAOVERLAPPED()), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAENOTCONN);
    const { client, server } = tcpPair();
    assert.equal(request(client, new ws.WSAOVERLAPPED(), new Uint8Array(4), 4), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEINVAL, 'cbOutBuffer must be 0');
    closeAll(udp, unconnected, client, server);
  });

  test('overlapped: pends; a second request ends the first with WSA_OPERATION_ABORTED; shutdown(SD_SEND) ends the second', () => {
    const { client, server } = tcpPair();
    const first = new ws.WSAOVERLAPPED(ws.WSACreateEvent());
    const second = new ws.WSAOVERLAPPED(ws.WSACreateEvent());
    assert.equal(request(client, first), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSA_IO_PENDING);
    assert.equal(request(client, second), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSA_IO_PENDING);
    assert.equal(ws.WSAGetOverlappedResult(client, first, { value: 0 }, true, { value: 0 }), false);
    assert.equal(ws.WSAGetLastError(), ws.WSA_OPERATION_ABORTED);
    assert.equal(second.Internal, ws.STATUS_PENDING);
    assert.equal(ws.shutdown(client, ws.SD_SEND), 0);
    assert.equal(ws.WSAWaitForMultipleEvents(1, [second.hEvent], false, 2000, false), ws.WSA_WAIT_EVENT_0);
    assert.equal(ws.WSAGetOverlappedResult(client, second, { value: 0 }, false, { value: 0 }), false);
    assert.equal(ws.WSAGetLastError(), ws.WSA_OPERATION_ABORTED);
    assert.equal(request(client, new ws.WSAOVERLAPPED()), ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAESHUTDOWN, 'no request after the send side is shut');
    closeAll(client, server);
  });

  test('closesocket ends a pending request once; the sampling stops with it (no CPU while idle)', async () => {
    const { client, server } = tcpPair();
    let calls = 0;
    const ov = new ws.WSAOVERLAPPED();
    assert.equal(ws.WSAIoctl(client, ws.SIO_IDEAL_SEND_BACKLOG_CHANGE, null, 0, null, 0, { value: 0 }, ov, () => { calls++; }), ws.SOCKET_ERROR);
    const cpu = process.cpuUsage();
    const started = process.hrtime.bigint();
    assert.equal(ws.SleepEx(300, false), 0);
    const wallUs = Number(process.hrtime.bigint() - started) / 1000;
    const used = process.cpuUsage(cpu);
    assert.ok(used.user + used.system < wallUs / 4, `CPU ${used.user + used.system} us for ${wallUs} us while sampling`);
    closeAll(client);
    assert.equal(await ws.SleepExAsync(1000, true), ws.WAIT_IO_COMPLETION);
    assert.equal(calls, 1);
    assert.equal(ov.Internal, ws.STATUS_CANCELLED);
    closeAll(server);
  });

  test('waits even on a non-blocking socket, and ends with WSAEINTR when the connection is reset', async () => {
    const { socket: l, port } = listener();
    const worker = new Worker(`
      const { workerData } = require('node:worker_threads');
      (async () => {
        const ws = await import(new URL('dist/winsock/index.js', workerData.base).href);
        ws.WSAStartup(0x202, ws.newWSADATA());
        const c = ws.socket(ws.AF_INET, ws.SOCK_STREAM, 0);
        ws.connect(c, ws.sockaddr('127.0.0.1', workerData.port), 16);
        // Wait for data it will not read, then close: the unread data makes the kernel send RST.
        for (let i = 0; i < 200; i++) { const n = { value: 0 }; ws.ioctlsocket(c, ws.FIONREAD, n); if (n.value > 0) break; ws.SleepEx(10, false); }
        ws.SleepEx(300, false);
        ws.closesocket(c);
      })();
    `, { eval: true, workerData: { base: new URL('..', import.meta.url).href, port } });
    const exited = new Promise((resolve) => worker.on('exit', resolve));
    const s = check(ws.accept(l, null, null), 'accept');
    assert.equal(ws.ioctlsocket(s, ws.FIONBIO, { value: 1 }), 0);
    assert.equal(ws.send(s, new Uint8Array(8), 8, 0), 8);
    const rc = request(s, null);
    assert.equal(rc, ws.SOCKET_ERROR);
    assert.equal(ws.WSAGetLastError(), ws.WSAEINTR);
    await exited;
    closeAll(s, l);
  });
});
