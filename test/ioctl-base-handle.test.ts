/**
 * SIO_BASE_HANDLE, SIO_BSP_HANDLE, SIO_BSP_HANDLE_SELECT, SIO_BSP_HANDLE_POLL: the socket itself
 * as an 8-byte SOCKET, on TCP and UDP over IPv4 and IPv6, with the output checks.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ws from 'wsaioctl/winsock';
import { startup, cleanup, closeAll, tcpPair, listener, ipv6Available, ioctl, check } from './helpers/sockets.js';

const CODES = [
  ['SIO_BASE_HANDLE', ws.SIO_BASE_HANDLE],
  ['SIO_BSP_HANDLE', ws.SIO_BSP_HANDLE],
  ['SIO_BSP_HANDLE_SELECT', ws.SIO_BSP_HANDLE_SELECT],
  ['SIO_BSP_HANDLE_POLL', ws.SIO_BSP_HANDLE_POLL],
] as const;

const readSocket = (out: Uint8Array): bigint => new DataView(out.buffer, out.byteOffset).getBigUint64(0, true);

before(startup);
after(cleanup);

for (const [name, code] of CODES) {
  describe(name, () => {
    test('returns the socket itself, 8 bytes, on TCP/UDP over IPv4/IPv6', () => {
      const kinds: Array<[number, number, number]> = [
        [ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP],
        [ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP],
      ];
      if (ipv6Available()) kinds.push([ws.AF_INET6, ws.SOCK_STREAM, ws.IPPROTO_TCP], [ws.AF_INET6, ws.SOCK_DGRAM, ws.IPPROTO_UDP]);
      for (const [af, type, proto] of kinds) {
        const s = check(ws.socket(af, type, proto), 'socket');
        try {
          const out = new Uint8Array(16).fill(0xa5);
          const r = ioctl(s, code, null, 0, out, 8);
          assert.equal(r.rc, 0);
          assert.equal(r.error, 0);
          assert.equal(r.bytes, 8);
          assert.equal(readSocket(out), BigInt(s));
          assert.ok(out.subarray(8).every((b) => b === 0xa5), 'guard bytes after the SOCKET are untouched');
        } finally {
          ws.closesocket(s);
        }
      }
    });

    test('connected and listening sockets too; a larger output is fine', () => {
      const { client, server } = tcpPair();
      const l = listener();
      try {
        for (const s of [client, server, l.socket]) {
          const out = new Uint8Array(32);
          const r = ioctl(s, code, null, 0, out, 32);
          assert.equal(r.rc, 0);
          assert.equal(r.bytes, 8);
          assert.equal(readSocket(out), BigInt(s));
          assert.ok(out.subarray(8).every((b) => b === 0));
        }
      } finally {
        closeAll(client, server, l.socket);
      }
    });

    test('output shorter than 8 bytes or null: WSAEFAULT, nothing written, bytesReturned untouched', () => {
      const s = check(ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP), 'socket');
      try {
        for (const size of [0, 4, 7]) {
          const out = new Uint8Array(8).fill(0xa5);
          const r = ioctl(s, code, null, 0, out, size);
          assert.equal(r.rc, ws.SOCKET_ERROR);
          assert.equal(r.error, ws.WSAEFAULT);
          assert.equal(r.bytes, 0xdeadbeef);
          assert.ok(out.every((b) => b === 0xa5));
        }
        assert.equal(ioctl(s, code, null, 0, null, 8).error, ws.WSAEFAULT);
        assert.equal(ioctl(s, code, null, 0, new Uint8Array(4), 8).error, ws.WSAEFAULT, 'over-claimed size');
      } finally {
        ws.closesocket(s);
      }
    });

    test('input is ignored and left unchanged', () => {
      const s = check(ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP), 'socket');
      try {
        const input = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
        const out = new Uint8Array(8);
        assert.equal(ioctl(s, code, input, 8, out, 8).rc, 0);
        assert.deepEqual([...input], [1, 2, 3, 4, 5, 6, 7, 8]);
        assert.equal(readSocket(out), BigInt(s));
      } finally {
        ws.closesocket(s);
      }
    });

    test('closed and bogus handles: WSAENOTSOCK', () => {
      const s = check(ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP), 'socket');
      ws.closesocket(s);
      for (const handle of [s, 0x7ffff000]) {
        const r = ioctl(handle, code, null, 0, new Uint8Array(8), 8);
        assert.equal(r.rc, ws.SOCKET_ERROR);
        assert.equal(r.error, ws.WSAENOTSOCK);
      }
    });
  });
}
