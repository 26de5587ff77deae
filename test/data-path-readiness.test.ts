/**
 * How the emulation's data path meets the kernel: pending transfers are driven by edge-triggered
 * readiness (issue 14: "reads and writes the kernel only when the socket is ready, never by
 * polling; thousands of pending operations cost memory, not CPU"), on real loopback sockets.
 *
 * The cost is shown by counting, never by timing: the fds a wait hands to poll(), and the tries
 * the data path makes at the kernel from readiness edges (sockets/data-path/pending.ts).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as ws from 'wsaioctl/winsock';
import { startup, cleanup, check, closeAll, localName, loopbackName } from './helpers/sockets.js';
import { pollSet } from '../dist/backend/linux/loop/reactor.js';
import { edgeAttempts } from '../dist/backend/linux/sockets/data-path/pending.js';

before(startup);
after(cleanup);

function udpSocket(): number {
  const s = check(ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP), 'socket');
  const name = loopbackName('ipv4', 0);
  check(ws.bind(s, name, name.length), 'bind');
  return s;
}

describe('pending transfers wait on readiness edges', () => {
  test('2000 pending receives add no fd to a wait\'s poll(); data for one socket tries that socket only (issue 14, performance)', () => {
    const COUNT = 2000;
    const polledBefore = pollSet().count;
    const receivers: number[] = [];
    const overlapped: ws.WSAOVERLAPPED[] = [];
    const buffers: Uint8Array[] = [];
    try {
      for (let i = 0; i < COUNT; i++) receivers.push(udpSocket());
      const target = 1234;
      const event = ws.WSACreateEvent();
      for (let i = 0; i < COUNT; i++) {
        const ov = new ws.WSAOVERLAPPED(i === target ? event : 0);
        const buf = new Uint8Array(16);
        overlapped.push(ov);
        buffers.push(buf);
        assert.equal(ws.WSARecvFrom(receivers[i]!, [{ len: 16, buf }], 1, null, { value: 0 }, null, null, ov, null), ws.SOCKET_ERROR);
        assert.equal(ws.WSAGetLastError(), ws.WSA_IO_PENDING);
      }
      // Per-wait polling of each socket would hand poll() 2000 more fds; edge-triggered readiness
      // adds at most its one epoll fd.
      assert.ok(pollSet().count <= polledBefore + 1, `poll() set grew from ${polledBefore} to ${pollSet().count}`);

      const sender = udpSocket();
      receivers.push(sender);
      edgeAttempts.count = 0;
      const to = localName(receivers[target]!);
      const n = { value: 0 };
      assert.equal(ws.WSASendTo(sender, [{ len: 5, buf: new TextEncoder().encode('hello') }], 1, n, 0, to, to.length, null, null), 0);
      assert.equal(ws.WSAWaitForMultipleEvents(1, [event], false, 5000, false), ws.WSA_WAIT_EVENT_0);
      assert.equal(overlapped[target]!.Internal, 0);
      assert.equal(overlapped[target]!.InternalHigh, 5);
      assert.equal(new TextDecoder().decode(buffers[target]!.subarray(0, 5)), 'hello');
      // One edge, one try at the one socket that became ready; the 1999 others were not touched.
      assert.equal(edgeAttempts.count, 1);
      const stillPending = overlapped.filter((ov) => ov.Internal === ws.STATUS_PENDING).length;
      assert.equal(stillPending, COUNT - 1);
      ws.WSACloseEvent(event);
    } finally {
      closeAll(...receivers);
    }
    // closesocket aborted them all: nothing is left registered.
    assert.ok(overlapped.every((ov) => ov.Internal !== ws.STATUS_PENDING));
    assert.equal(pollSet().count, polledBefore);
  });
});
