/**
 * FIONREAD on real loopback sockets, with Windows' answers: stream sockets do not count an unread
 * urgent byte (SO_OOBINLINE off), datagram sockets report the total of all queued datagrams, and
 * recv / recvfrom keep working datagram by datagram (order, peek, truncation, source address).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import * as ws from 'wsaioctl/winsock';
import {
  startup, cleanup, closeAll, tcpPair, udpPair, listener, ipv6Available, waitUntil, sleepSync,
  ioctl, ioctlU32, check, type Family,
  setIntOption,
} from './helpers/sockets.js';

const fionread = (s: number): number => ioctlU32(s, ws.FIONREAD);
const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);
const fill = (size: number, value: number): Uint8Array => new Uint8Array(size).fill(value);

const setInt = setIntOption;

before(startup);
after(cleanup);

describe('FIONREAD buffers and handles', () => {
  test('success writes 4 bytes and reports 4, nothing past cbOutBuffer', () => {
    const { client, server } = tcpPair();
    try {
      const out = new Uint8Array(12).fill(0xa5);
      const r = ioctl(client, ws.FIONREAD, null, 0, out, 4);
      assert.equal(r.rc, 0);
      assert.equal(r.bytes, 4);
      assert.deepEqual([...out.subarray(0, 4)], [0, 0, 0, 0]);
      assert.ok(out.subarray(4).every((b) => b === 0xa5), 'guard bytes after the output are untouched');
    } finally {
      closeAll(client, server);
    }
  });

  test('output shorter than 4 bytes: WSAEFAULT, bytesReturned untouched, output untouched', () => {
    const { client, server } = tcpPair();
    try {
      for (const size of [0, 1, 3]) {
        const out = new Uint8Array(4).fill(0xa5);
        const r = ioctl(client, ws.FIONREAD, null, 0, out, size);
        assert.equal(r.rc, ws.SOCKET_ERROR);
        assert.equal(r.error, ws.WSAEFAULT);
        assert.equal(r.bytes, 0xdeadbeef);
        assert.ok(out.every((b) => b === 0xa5));
      }
    } finally {
      closeAll(client, server);
    }
  });

  test('null output and over-claimed output: WSAEFAULT', () => {
    const { client, server } = tcpPair();
    try {
      assert.equal(ioctl(client, ws.FIONREAD, null, 0, null, 4).error, ws.WSAEFAULT);
      const out = new Uint8Array(4).fill(0xa5);
      assert.equal(ioctl(client, ws.FIONREAD, null, 0, out, 8).error, ws.WSAEFAULT);
      assert.ok(out.every((b) => b === 0xa5));
    } finally {
      closeAll(client, server);
    }
  });

  test('input buffer is ignored and left unchanged', () => {
    const { client, server } = tcpPair();
    try {
      const input = bytes(1, 2, 3, 4, 5, 6, 7, 8);
      const out = new Uint8Array(4);
      assert.equal(ioctl(client, ws.FIONREAD, input, 8, out, 4).rc, 0);
      assert.deepEqual([...input], [1, 2, 3, 4, 5, 6, 7, 8]);
    } finally {
      closeAll(client, server);
    }
  });

  test('closed and bogus handles: WSAENOTSOCK', () => {
    const s = check(ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP), 'socket');
    ws.closesocket(s);
    for (const handle of [s, 0x7ffff000, 0, -1]) {
      const r = ioctl(handle, ws.FIONREAD, null, 0, new Uint8Array(4), 4);
      assert.equal(r.rc, ws.SOCKET_ERROR);
      assert.equal(r.error, ws.WSAENOTSOCK);
    }
  });

  test('ioctlsocket(FIONREAD) returns the same count', () => {
    const { client, server } = tcpPair();
    try {
      check(ws.send(server, fill(7, 1), 7, 0), 'send');
      assert.ok(waitUntil(() => fionread(client) === 7));
      const arg = { value: 0xdeadbeef };
      assert.equal(ws.ioctlsocket(client, ws.FIONREAD, arg), 0);
      assert.equal(arg.value, 7);
    } finally {
      closeAll(client, server);
    }
  });
});

describe('FIONREAD on stream sockets', () => {
  test('fresh, bound and listening sockets report 0', () => {
    const fresh = check(ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP), 'socket');
    const l = listener();
    try {
      assert.equal(fionread(fresh), 0);
      const name = ws.sockaddr('127.0.0.1', 0);
      check(ws.bind(fresh, name, name.length), 'bind');
      assert.equal(fionread(fresh), 0);
      assert.equal(fionread(l.socket), 0);
    } finally {
      closeAll(fresh, l.socket);
    }
  });

  test('counts queued bytes and drops as they are read', () => {
    const { client, server } = tcpPair();
    try {
      assert.equal(fionread(client), 0);
      check(ws.send(server, fill(100, 7), 100, 0), 'send');
      assert.ok(waitUntil(() => fionread(client) === 100));
      const buf = new Uint8Array(30);
      assert.equal(ws.recv(client, buf, 30, 0), 30);
      assert.equal(fionread(client), 70);
      assert.equal(ws.recv(client, buf, 30, ws.MSG_PEEK), 30);
      assert.equal(fionread(client), 70, 'a peek consumes nothing');
    } finally {
      closeAll(client, server);
    }
  });

  test('an unread urgent byte is not counted while SO_OOBINLINE is off', () => {
    const { client, server } = tcpPair();
    try {
      check(ws.send(server, bytes(0x64, 0x61, 0x74, 0x61, 0), 5, 0), 'send');
      assert.ok(waitUntil(() => fionread(client) === 5));
      check(ws.send(server, bytes(0x61), 1, ws.MSG_OOB), 'send OOB');
      assert.ok(waitUntil(() => ioctlU32(client, ws.SIOCATMARK) === 0), 'the urgent byte arrives');
      assert.equal(fionread(client), 5);

      const buf = new Uint8Array(8);
      assert.equal(ws.recv(client, buf, 3, 0), 3);
      assert.equal(fionread(client), 2, 'normal bytes left before the urgent one');

      // Taken with MSG_OOB: gone on Windows; Linux still counts its slot until it is passed.
      assert.equal(ws.recv(client, buf, 1, ws.MSG_OOB), 1);
      assert.equal(buf[0], 0x61);
      assert.equal(fionread(client), 2);

      assert.equal(ws.recv(client, buf, 8, 0), 2);
      assert.equal(fionread(client), 0);

      check(ws.send(server, bytes(1, 2, 3), 3, 0), 'send');
      assert.ok(waitUntil(() => fionread(client) === 3));
      assert.equal(ws.recv(client, buf, 8, 0), 3);
      assert.deepEqual([...buf.subarray(0, 3)], [1, 2, 3], 'the urgent byte never shows up in the normal data');
      assert.equal(fionread(client), 0);
    } finally {
      closeAll(client, server);
    }
  });

  test('normal bytes after an unread urgent byte are counted (Linux stops at the mark)', () => {
    const { client, server } = tcpPair();
    try {
      check(ws.send(server, fill(5, 1), 5, 0), 'send');
      check(ws.send(server, bytes(0x61), 1, ws.MSG_OOB), 'send OOB');
      check(ws.send(server, fill(3, 2), 3, 0), 'send');
      assert.ok(waitUntil(() => fionread(client) === 8), 'five bytes before the urgent one, three after');
      assert.equal(ioctlU32(client, ws.SIOCATMARK), 0);
      const buf = new Uint8Array(16);
      assert.equal(ws.recv(client, buf, 16, 0), 5, 'a receive stops before the urgent data');
      assert.equal(fionread(client), 3);
      assert.equal(ws.recv(client, buf, 1, ws.MSG_OOB), 1);
      assert.equal(fionread(client), 3);
      assert.equal(ws.recv(client, buf, 16, 0), 3);
      assert.ok(buf.subarray(0, 3).every((b) => b === 2));
      assert.equal(fionread(client), 0);
    } finally {
      closeAll(client, server);
    }
  });

  test('urgent byte as the only data, read first with MSG_OOB', () => {
    const { client, server } = tcpPair();
    try {
      check(ws.send(server, bytes(0x7a), 1, ws.MSG_OOB), 'send OOB');
      assert.ok(waitUntil(() => ioctlU32(client, ws.SIOCATMARK) === 0));
      assert.equal(fionread(client), 0);
      const buf = new Uint8Array(4);
      assert.equal(ws.recv(client, buf, 1, ws.MSG_OOB), 1);
      assert.equal(fionread(client), 0);
    } finally {
      closeAll(client, server);
    }
  });

  test('with SO_OOBINLINE on the urgent byte is ordinary data and counted', () => {
    const { client, server } = tcpPair();
    try {
      setInt(client, ws.SOL_SOCKET, ws.SO_OOBINLINE, 1);
      check(ws.send(server, bytes(1, 2), 2, 0), 'send');
      check(ws.send(server, bytes(3), 1, ws.MSG_OOB), 'send OOB');
      assert.ok(waitUntil(() => fionread(client) === 3));
      const buf = new Uint8Array(8);
      let got = 0;
      for (let i = 0; i < 3 && got < 3; i++) got += Math.max(0, ws.recv(client, buf.subarray(got), 8 - got, 0));
      assert.equal(got, 3);
      assert.deepEqual([...buf.subarray(0, 3)], [1, 2, 3]);
      assert.equal(fionread(client), 0);
    } finally {
      closeAll(client, server);
    }
  });

  test('an urgent byte waiting when SO_OOBINLINE goes on becomes counted data', () => {
    const { client, server } = tcpPair();
    try {
      check(ws.send(server, bytes(0x63), 1, ws.MSG_OOB), 'send OOB');
      assert.ok(waitUntil(() => ioctlU32(client, ws.SIOCATMARK) === 0));
      assert.equal(fionread(client), 0);
      setInt(client, ws.SOL_SOCKET, ws.SO_OOBINLINE, 1);
      assert.equal(fionread(client), 1);
      const buf = new Uint8Array(4);
      assert.equal(ws.recv(client, buf, 4, 0), 1);
      assert.equal(buf[0], 0x63);
      assert.equal(fionread(client), 0);
    } finally {
      closeAll(client, server);
    }
  });
});

function datagramTests(family: Family): void {
  test('reports the total of all queued datagrams; recv takes them one by one', () => {
    const { receiver, sender, receiverName, senderName } = udpPair(family);
    try {
      assert.equal(fionread(receiver), 0);
      for (const [size, value] of [[10, 1], [20, 2], [30, 3]] as const) {
        assert.equal(ws.sendto(sender, fill(size, value), size, 0, receiverName, receiverName.length), size);
      }
      assert.ok(waitUntil(() => fionread(receiver) === 60), 'FIONREAD is the total, not the first datagram');

      const buf = new Uint8Array(100);
      assert.equal(ws.recv(receiver, buf, 100, 0), 10);
      assert.ok(buf.subarray(0, 10).every((b) => b === 1));
      assert.equal(fionread(receiver), 50);

      // Peek: the datagram stays, the source address is the sender's.
      const from = new Uint8Array(family === 'ipv4' ? 16 : 28);
      const fromLen = { value: from.length };
      assert.equal(ws.recvfrom(receiver, buf, 100, ws.MSG_PEEK, from, fromLen), 20);
      assert.ok(buf.subarray(0, 20).every((b) => b === 2));
      assert.equal(fromLen.value, senderName.length);
      assert.deepEqual(ws.parseSockaddr(from), ws.parseSockaddr(senderName));
      assert.equal(fionread(receiver), 50);

      // Truncation: WSAEMSGSIZE, the first bytes delivered, nothing written past len, datagram gone.
      const small = new Uint8Array(9).fill(0xa5);
      assert.equal(ws.recv(receiver, small, 5, 0), ws.SOCKET_ERROR);
      assert.equal(ws.WSAGetLastError(), ws.WSAEMSGSIZE);
      assert.deepEqual([...small], [2, 2, 2, 2, 2, 0xa5, 0xa5, 0xa5, 0xa5]);
      assert.equal(fionread(receiver), 30);

      // Truncated peek: WSAEMSGSIZE and the datagram stays.
      assert.equal(ws.recv(receiver, small, 5, ws.MSG_PEEK), ws.SOCKET_ERROR);
      assert.equal(ws.WSAGetLastError(), ws.WSAEMSGSIZE);
      assert.equal(fionread(receiver), 30);

      fromLen.value = from.length;
      from.fill(0);
      assert.equal(ws.recvfrom(receiver, buf, 100, 0, from, fromLen), 30);
      assert.ok(buf.subarray(0, 30).every((b) => b === 3));
      assert.deepEqual(ws.parseSockaddr(from), ws.parseSockaddr(senderName));
      assert.equal(fionread(receiver), 0);
    } finally {
      closeAll(receiver, sender);
    }
  });

  test('order is kept between datagrams already counted and later arrivals', () => {
    const { receiver, sender, receiverName } = udpPair(family);
    try {
      assert.equal(ws.sendto(sender, fill(4, 1), 4, 0, receiverName, receiverName.length), 4);
      assert.ok(waitUntil(() => fionread(receiver) === 4));
      assert.equal(ws.sendto(sender, fill(6, 2), 6, 0, receiverName, receiverName.length), 6);
      assert.ok(waitUntil(() => fionread(receiver) === 10));
      // The third datagram stays in the kernel (nobody counts it): receives must still go in order.
      assert.equal(ws.sendto(sender, fill(8, 3), 8, 0, receiverName, receiverName.length), 8);
      setInt(receiver, ws.SOL_SOCKET, ws.SO_RCVTIMEO, 3000);
      const buf = new Uint8Array(16);
      for (const [size, value] of [[4, 1], [6, 2], [8, 3]] as const) {
        assert.equal(ws.recv(receiver, buf, 16, 0), size);
        assert.ok(buf.subarray(0, size).every((b) => b === value));
      }
      assert.equal(fionread(receiver), 0);
    } finally {
      closeAll(receiver, sender);
    }
  });

  test('zero-length datagrams count 0 bytes but keep their place', () => {
    const { receiver, sender, receiverName } = udpPair(family);
    try {
      assert.equal(ws.sendto(sender, new Uint8Array(0), 0, 0, receiverName, receiverName.length), 0);
      assert.equal(ws.sendto(sender, fill(4, 9), 4, 0, receiverName, receiverName.length), 4);
      assert.ok(waitUntil(() => fionread(receiver) === 4));
      const buf = new Uint8Array(8);
      assert.equal(ws.recv(receiver, buf, 8, 0), 0);
      assert.equal(fionread(receiver), 4);
      assert.equal(ws.recv(receiver, buf, 8, 0), 4);
      assert.equal(fionread(receiver), 0);
    } finally {
      closeAll(receiver, sender);
    }
  });

  test('a blocking recv is served from the counted datagrams without waiting', () => {
    const { receiver, sender, receiverName } = udpPair(family);
    try {
      // Bound the worst case: were the receive to wait on the (empty) kernel queue, it would time out.
      setInt(receiver, ws.SOL_SOCKET, ws.SO_RCVTIMEO, 3000);
      assert.equal(ws.sendto(sender, fill(12, 5), 12, 0, receiverName, receiverName.length), 12);
      assert.ok(waitUntil(() => fionread(receiver) === 12));
      const buf = new Uint8Array(16);
      assert.equal(ws.recv(receiver, buf, 16, 0), 12);
      // And with nothing anywhere, a non-blocking receive says so.
      const nb = { value: 1 };
      check(ws.ioctlsocket(receiver, ws.FIONBIO, nb), 'FIONBIO');
      assert.equal(ws.recv(receiver, buf, 16, 0), ws.SOCKET_ERROR);
      assert.equal(ws.WSAGetLastError(), ws.WSAEWOULDBLOCK);
    } finally {
      closeAll(receiver, sender);
    }
  });
}

describe('FIONREAD on UDP over IPv4', () => {
  datagramTests('ipv4');

  test('taking datagrams out of the kernel is bounded by the receive buffer', () => {
    const { receiver, sender, receiverName } = udpPair();
    try {
      setInt(receiver, ws.SOL_SOCKET, ws.SO_RCVBUF, 4096);
      const size = 1000;
      let sent = 0;
      let largest = 0;
      for (let round = 0; round < 12; round++) {
        for (let i = 0; i < 4; i++) {
          const d = fill(size, 0);
          new DataView(d.buffer).setUint32(0, sent, true);
          if (ws.sendto(sender, d, size, 0, receiverName, receiverName.length) === size) sent++;
        }
        sleepSync(2);
        largest = Math.max(largest, fionread(receiver));
      }
      assert.ok(sent * size > 4 * 8192, 'far more was sent than the buffers hold');
      // Linux keeps SO_RCVBUF doubled (8192); the queue stops at that much, plus one kernel datagram.
      assert.ok(largest <= 8192 + size, `FIONREAD stayed bounded (${largest})`);
      // Everything still comes out whole and in sending order.
      check(ws.ioctlsocket(receiver, ws.FIONBIO, { value: 1 }), 'FIONBIO');
      const buf = new Uint8Array(2 * size);
      let last = -1;
      let got = 0;
      for (let i = 0; i < sent + 1; i++) {
        const n = ws.recv(receiver, buf, buf.length, 0);
        if (n === ws.SOCKET_ERROR) break;
        assert.equal(n, size);
        const seq = new DataView(buf.buffer).getUint32(0, true);
        assert.ok(seq > last, 'in order');
        last = seq;
        got++;
      }
      assert.equal(ws.WSAGetLastError(), ws.WSAEWOULDBLOCK);
      assert.ok(got * size >= largest - size && got > 0);
    } finally {
      closeAll(receiver, sender);
    }
  });
});
describe('FIONREAD on UDP over IPv6', { skip: !ipv6Available() && 'no ::1 here' }, () => datagramTests('ipv6'));

describe('FIONREAD on a socket borrowed from Node', () => {
  test('reports the first datagram only and never reads Node\'s data', async () => {
    const node = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => node.bind(0, '127.0.0.1', resolve));
    const received: number[] = [];
    node.on('message', (msg) => received.push(msg.length));
    const handle = (node as unknown as { _handle?: { fd?: number } })._handle;
    const fdOf = (): number => handle?.fd ?? -1;
    const borrowed = ws.adoptNodeHandle(fdOf, ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP);
    if (borrowed === ws.INVALID_SOCKET) {
      node.close();
      assert.fail(`adoptNodeHandle failed with ${ws.WSAGetLastError()}`);
    }
    const sender = check(ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP), 'socket');
    try {
      const to = ws.sockaddr('127.0.0.1', node.address().port);
      // Synchronous from here until the checks are done: Node's loop cannot read in between.
      assert.equal(ws.sendto(sender, fill(10, 1), 10, 0, to, to.length), 10);
      assert.equal(ws.sendto(sender, fill(20, 2), 20, 0, to, to.length), 20);
      assert.ok(waitUntil(() => fionread(borrowed) === 10), 'Linux semantics: the first datagram');
      sleepSync(5);
      assert.equal(fionread(borrowed), 10, 'nothing was taken out of Node\'s queue');
      // Node still gets both datagrams.
      for (let i = 0; i < 200 && received.length < 2; i++) await new Promise((r) => setTimeout(r, 5));
      assert.deepEqual(received, [10, 20]);
    } finally {
      closeAll(sender, borrowed);
      await new Promise<void>((resolve) => node.close(resolve));
    }
  });
});
