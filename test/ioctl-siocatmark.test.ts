/**
 * SIOCATMARK on real loopback sockets, with Windows' answers (TRUE = no urgent data waiting):
 * FALSE from the arrival of an urgent byte until MSG_OOB reads it (SO_OOBINLINE off); TRUE for
 * urgent bytes that arrive while SO_OOBINLINE is on; FALSE for one that was already waiting when
 * SO_OOBINLINE went on, until a normal read takes it; TRUE on message sockets.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ws from 'wsaioctl/winsock';
import {
  startup, cleanup, closeAll, tcpPair, udpPair, listener, waitUntil, ioctl, ioctlU32, check,
  setIntOption,
} from './helpers/sockets.js';

const atmark = (s: number): number => ioctlU32(s, ws.SIOCATMARK);
const fionread = (s: number): number => ioctlU32(s, ws.FIONREAD);
const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

const setInt = setIntOption;

before(startup);
after(cleanup);

describe('SIOCATMARK buffers and handles', () => {
  test('success writes a 4-byte BOOL and reports 4, nothing past cbOutBuffer', () => {
    const { client, server } = tcpPair();
    try {
      const out = new Uint8Array(10).fill(0xa5);
      const r = ioctl(client, ws.SIOCATMARK, null, 0, out, 4);
      assert.equal(r.rc, 0);
      assert.equal(r.bytes, 4);
      assert.deepEqual([...out.subarray(0, 4)], [1, 0, 0, 0]);
      assert.ok(out.subarray(4).every((b) => b === 0xa5));
    } finally {
      closeAll(client, server);
    }
  });

  test('short, null and over-claimed outputs: WSAEFAULT, bytesReturned untouched', () => {
    const { client, server } = tcpPair();
    try {
      for (const size of [0, 2, 3]) {
        const out = new Uint8Array(4).fill(0xa5);
        const r = ioctl(client, ws.SIOCATMARK, null, 0, out, size);
        assert.equal(r.error, ws.WSAEFAULT);
        assert.equal(r.bytes, 0xdeadbeef);
        assert.ok(out.every((b) => b === 0xa5));
      }
      assert.equal(ioctl(client, ws.SIOCATMARK, null, 0, null, 4).error, ws.WSAEFAULT);
      assert.equal(ioctl(client, ws.SIOCATMARK, null, 0, new Uint8Array(2), 4).error, ws.WSAEFAULT);
    } finally {
      closeAll(client, server);
    }
  });

  test('input buffer left unchanged; closed and bogus handles are WSAENOTSOCK', () => {
    const { client, server } = tcpPair();
    const input = bytes(9, 8, 7, 6);
    assert.equal(ioctl(client, ws.SIOCATMARK, input, 4, new Uint8Array(4), 4).rc, 0);
    assert.deepEqual([...input], [9, 8, 7, 6]);
    closeAll(client, server);
    for (const handle of [client, 0x7ffff000]) {
      const r = ioctl(handle, ws.SIOCATMARK, null, 0, new Uint8Array(4), 4);
      assert.equal(r.error, ws.WSAENOTSOCK);
    }
  });

  test('ioctlsocket(SIOCATMARK) gives the same BOOL', () => {
    const { client, server } = tcpPair();
    try {
      const arg = { value: 0xdeadbeef };
      assert.equal(ws.ioctlsocket(client, ws.SIOCATMARK, arg), 0);
      assert.equal(arg.value, 1);
    } finally {
      closeAll(client, server);
    }
  });
});

describe('SIOCATMARK on stream sockets', () => {
  test('TRUE on fresh, bound, listening and connected sockets with nothing urgent', () => {
    const fresh = check(ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP), 'socket');
    const l = listener();
    const { client, server } = tcpPair();
    try {
      assert.equal(atmark(fresh), 1);
      const name = ws.sockaddr('127.0.0.1', 0);
      check(ws.bind(fresh, name, name.length), 'bind');
      assert.equal(atmark(fresh), 1);
      assert.equal(atmark(l.socket), 1);
      assert.equal(atmark(client), 1);
      check(ws.send(server, bytes(1, 2, 3, 4, 5), 5, 0), 'send');
      assert.ok(waitUntil(() => fionread(client) === 5));
      assert.equal(atmark(client), 1, 'normal data is not urgent');
    } finally {
      closeAll(fresh, l.socket, client, server);
    }
  });

  test('SO_OOBINLINE off: FALSE from the urgent byte\'s arrival until MSG_OOB reads it', () => {
    const { client, server } = tcpPair();
    try {
      check(ws.send(server, bytes(0x64, 0x61, 0x74, 0x61, 0), 5, 0), 'send');
      assert.ok(waitUntil(() => fionread(client) === 5));
      assert.equal(atmark(client), 1);
      check(ws.send(server, bytes(0x61), 1, ws.MSG_OOB), 'send OOB');
      assert.ok(waitUntil(() => atmark(client) === 0), 'urgent data is waiting');
      assert.equal(fionread(client), 5);

      const buf = new Uint8Array(8);
      assert.equal(ws.recv(client, buf, 3, 0), 3);
      assert.equal(atmark(client), 0, 'reading normal data does not clear it');
      assert.equal(ws.recv(client, buf, 1, ws.MSG_OOB), 1);
      assert.equal(buf[0], 0x61);
      assert.equal(atmark(client), 1, 'read with MSG_OOB: nothing urgent left');
      assert.equal(ws.recv(client, buf, 8, 0), 2);
      assert.equal(atmark(client), 1);
      assert.equal(fionread(client), 0);
    } finally {
      closeAll(client, server);
    }
  });

  test('SO_OOBINLINE switched on while an urgent byte waits: FALSE until a normal read takes it', () => {
    const { client, server } = tcpPair();
    try {
      check(ws.send(server, bytes(0x61), 1, ws.MSG_OOB), 'send OOB');
      assert.ok(waitUntil(() => atmark(client) === 0));
      setInt(client, ws.SOL_SOCKET, ws.SO_OOBINLINE, 1);
      assert.equal(fionread(client), 1);
      assert.equal(atmark(client), 0);
      const buf = new Uint8Array(4);
      assert.equal(ws.recv(client, buf, 1, 0), 1);
      assert.equal(buf[0], 0x61);
      assert.equal(atmark(client), 1);
      assert.equal(fionread(client), 0);

      // With SO_OOBINLINE on, a new urgent byte is plain data: TRUE.
      check(ws.send(server, bytes(0x62), 1, ws.MSG_OOB), 'send OOB');
      assert.ok(waitUntil(() => fionread(client) === 1));
      assert.equal(atmark(client), 1);
      assert.equal(ws.recv(client, buf, 4, 0), 1);
      assert.equal(buf[0], 0x62);
      assert.equal(atmark(client), 1);
    } finally {
      closeAll(client, server);
    }
  });

  test('SO_OOBINLINE on, then off again: urgent data is reported again', () => {
    const { client, server } = tcpPair();
    try {
      setInt(client, ws.SOL_SOCKET, ws.SO_OOBINLINE, 1);
      setInt(client, ws.SOL_SOCKET, ws.SO_OOBINLINE, 0);
      check(ws.send(server, bytes(0x63), 1, ws.MSG_OOB), 'send OOB');
      assert.ok(waitUntil(() => atmark(client) === 0));
      const buf = new Uint8Array(4);
      assert.equal(ws.recv(client, buf, 1, ws.MSG_OOB), 1);
      assert.equal(atmark(client), 1);
    } finally {
      closeAll(client, server);
    }
  });
});

describe('SIOCATMARK on message sockets', () => {
  test('UDP answers TRUE, with or without queued datagrams', () => {
    const { receiver, sender, receiverName } = udpPair();
    const fresh = check(ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP), 'socket');
    try {
      assert.equal(atmark(fresh), 1);
      assert.equal(atmark(receiver), 1);
      assert.equal(ws.sendto(sender, bytes(1, 2, 3), 3, 0, receiverName, receiverName.length), 3);
      assert.ok(waitUntil(() => fionread(receiver) === 3));
      assert.equal(atmark(receiver), 1);
    } finally {
      closeAll(receiver, sender, fresh);
    }
  });
});
