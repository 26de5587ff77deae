/**
 * SIO_QUERY_RSS_PROCESSOR_INFO and SIO_QUERY_RSS_SCALABILITY_INFO on real loopback sockets.
 * Facts: Microsoft's SIO_QUERY_RSS_PROCESSOR_INFO page (SOCKET_PROCESSOR_AFFINITY, 8 bytes; TCP,
 * or UDP when connected, else WSAENOTCONN; a short output fails with the required size) and the
 * Winsock IOCTLs page for SIO_QUERY_RSS_SCALABILITY_INFO (one BOOLEAN; NULL or under 1 byte:
 * WSAEINVAL). The Linux mapping is in handlers/rss.ts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpus } from 'node:os';
import { readdirSync, readFileSync } from 'node:fs';
import * as ws from 'wsaioctl/winsock';
import { check, cleanup, closeAll, ioctl, startup, tcpPair, udpPair, withSocket } from './helpers/sockets.js';

before(startup);
after(cleanup);

function affinity(s: number): { rc: number; error: number; bytes: number; group: number; number: number; reserved: number; node: number; reserved2: number } {
  const out = new Uint8Array(8).fill(0xcc);
  const r = ioctl(s, ws.SIO_QUERY_RSS_PROCESSOR_INFO, null, 0, out, 8);
  const v = new DataView(out.buffer);
  return { ...r, group: v.getUint16(0, true), number: v.getUint8(2), reserved: v.getUint8(3), node: v.getUint16(4, true), reserved2: v.getUint16(6, true) };
}

describe('SIO_QUERY_RSS_PROCESSOR_INFO', () => {
  test('a connected TCP socket that received data: a processor of this machine, its NUMA node, 8 bytes', () => {
    const { client, server } = tcpPair();
    try {
      const data = new Uint8Array(100).fill(7);
      check(ws.send(client, data, data.length, 0), 'send');
      const buf = new Uint8Array(100);
      check(ws.recv(server, buf, buf.length, 0), 'recv');
      const a = affinity(server);
      assert.equal(a.rc, 0, `error ${a.error}`);
      assert.equal(a.bytes, 8);
      const cpu = a.group * 64 + a.number;
      assert.ok(a.number < 64);
      assert.ok(cpu < cpus().length, `processor ${cpu} of ${cpus().length}`);
      assert.equal(a.reserved, 0);
      assert.equal(a.reserved2, 0);
      const nodes = readdirSync(`/sys/devices/system/cpu/cpu${cpu}`).filter((e) => /^node\d+$/.test(e));
      assert.equal(a.node, nodes.length ? Number(nodes[0]!.slice(4)) : 0);
      // The processor that handled the last packet stays the answer until another packet comes.
      assert.deepEqual(affinity(server), a);
    } finally {
      closeAll(client, server);
    }
  });

  test('a connected UDP socket answers; an unconnected one is WSAENOTCONN (the page: UDP must be connected)', () => {
    const { receiver, sender, receiverName, senderName } = udpPair();
    try {
      const unconnected = affinity(receiver);
      assert.deepEqual([unconnected.rc, unconnected.error, unconnected.bytes], [ws.SOCKET_ERROR, ws.WSAENOTCONN, 0]);
      check(ws.connect(receiver, senderName, senderName.length), 'connect');
      const data = new Uint8Array(10);
      check(ws.sendto(sender, data, data.length, 0, receiverName, receiverName.length), 'sendto');
      const a = affinity(receiver);
      assert.equal(a.rc, 0, `error ${a.error}`);
      assert.ok(a.group * 64 + a.number < cpus().length);
    } finally {
      closeAll(receiver, sender);
    }
  });

  test('an unconnected or listening TCP socket: WSAENOTCONN', () => {
    withSocket(ws.AF_INET, ws.SOCK_STREAM, (s) => {
      assert.equal(affinity(s).error, ws.WSAENOTCONN);
      const name = ws.sockaddr('127.0.0.1', 0);
      check(ws.bind(s, name, name.length), 'bind');
      check(ws.listen(s, 1), 'listen');
      assert.equal(affinity(s).error, ws.WSAENOTCONN);
    });
  });

  test('an output under 8 bytes: WSAEFAULT (STATUS_BUFFER_TOO_SMALL) with the required 8 in *lpcbBytesReturned, nothing written', () => {
    const { client, server } = tcpPair();
    try {
      const out = new Uint8Array(7).fill(0xcc);
      assert.deepEqual(ioctl(server, ws.SIO_QUERY_RSS_PROCESSOR_INFO, null, 0, out, 7), { rc: ws.SOCKET_ERROR, error: ws.WSAEFAULT, bytes: 8 });
      assert.ok(out.every((b) => b === 0xcc));
      assert.deepEqual(ioctl(server, ws.SIO_QUERY_RSS_PROCESSOR_INFO, null, 0, null, 0), { rc: ws.SOCKET_ERROR, error: ws.WSAEFAULT, bytes: 8 });
    } finally {
      closeAll(client, server);
    }
  });
});

/** The same question asked of sysfs here, independently of the handler. */
function sysfsSaysRss(): boolean {
  for (const name of readdirSync('/sys/class/net')) {
    let rx: string[];
    try {
      rx = readdirSync(`/sys/class/net/${name}/queues`).filter((q) => q.startsWith('rx-'));
    } catch {
      continue;
    }
    if (rx.length > 1) return true;
    for (const q of rx) {
      try {
        if (/[1-9a-f]/i.test(readFileSync(`/sys/class/net/${name}/queues/${q}/rps_cpus`, 'utf8').replace(/,/g, ''))) return true;
      } catch {
        // no rps_cpus
      }
    }
  }
  return false;
}

describe('SIO_QUERY_RSS_SCALABILITY_INFO', () => {
  test('one BOOLEAN, 1 byte, on any socket: TRUE exactly when an interface has several receive queues or RPS', () => {
    for (const type of [ws.SOCK_STREAM, ws.SOCK_DGRAM]) {
      withSocket(ws.AF_INET, type, (s) => {
        const out = new Uint8Array(4).fill(0xcc);
        assert.deepEqual(ioctl(s, ws.SIO_QUERY_RSS_SCALABILITY_INFO, null, 0, out, 4), { rc: 0, error: 0, bytes: 1 });
        assert.equal(out[0], sysfsSaysRss() ? 1 : 0);
        assert.deepEqual([...out.subarray(1)], [0xcc, 0xcc, 0xcc], 'only the BOOLEAN is written');
      });
    }
  });

  test('a NULL output or none at all: WSAEINVAL', () => {
    withSocket(ws.AF_INET, ws.SOCK_DGRAM, (s) => {
      assert.deepEqual(ioctl(s, ws.SIO_QUERY_RSS_SCALABILITY_INFO, null, 0, null, 0), { rc: ws.SOCKET_ERROR, error: ws.WSAEINVAL, bytes: 0 });
      assert.equal(ioctl(s, ws.SIO_QUERY_RSS_SCALABILITY_INFO, null, 0, new Uint8Array(0), 0).error, ws.WSAEINVAL);
    });
  });
});
