/**
 * getsockopt / setsockopt lengths, option by option, as Windows takes and reports them.
 * Source: Wine dlls/ws2_32/tests/sock.c test_set_getsockopt, its test_optsize table and the
 * loop over it (checks without todo_wine there pass on Windows). Each row below restates one
 * table entry: which lengths a set accepts, what a get with optlen 1, 2 and 4 writes and reports.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ws from 'wsaioctl/winsock';
import { cleanup, startup } from './helpers/sockets.js';

before(startup);
after(cleanup);

interface Row {
  name: string;
  af: number;
  type: number;
  level: number;
  optname: number;
  /** Set accepts 1-3 byte values. */
  shortSet: boolean;
  /** Length reported by a get with optlen 1, 2, 4 (0: the get fails and optlen becomes 0). */
  sizes: [number, number, number];
  /** For options that reject short values: what a failed get with optlen 1, 2 leaves in a 0xdeadbeef DWORD. */
  failedShortRead?: [number, number];
  /** For accepted short gets: what optlen 2 leaves in 0xdeadbeef after the option was set to 1. */
  readAt2?: number;
  /** 0x100 set as a DWORD: accepted (and read back as 1 for BOOLs, 0x100 otherwise) or WSAEINVAL. */
  largeValue: 'accepted' | 'WSAEINVAL';
  boolValue: boolean;
}

const SOCKET_BOOL = (name: string, af: number, type: number, optname: number): Row =>
  ({ name, af, type, level: ws.SOL_SOCKET, optname, shortSet: true, sizes: [1, 1, 4], readAt2: 0xdead0001, largeValue: 'accepted', boolValue: true });
const BOOLEAN = (name: string, af: number, type: number, level: number, optname: number): Row =>
  ({ name, af, type, level, optname, shortSet: true, sizes: [1, 1, 1], readAt2: 0xdeadbe01, largeValue: 'accepted', boolValue: false });
const IP_SHORT = (name: string, af: number, level: number, optname: number, bool: boolean, type = ws.SOCK_DGRAM): Row =>
  ({ name, af, type, level, optname, shortSet: true, sizes: [1, 1, 4], readAt2: 0xdeadbe01, largeValue: bool ? 'accepted' : 'WSAEINVAL', boolValue: bool });
const DWORD_ONLY = (name: string, af: number, type: number, level: number, optname: number, largeValue: Row['largeValue'], boolValue: boolean): Row =>
  ({ name, af, type, level, optname, shortSet: false, sizes: [0, 0, 4], largeValue, boolValue });
const ZEROING = (name: string, optname: number): Row =>
  ({ name, af: ws.AF_INET, type: ws.SOCK_STREAM, level: ws.SOL_SOCKET, optname, shortSet: false, sizes: [1, 2, 4], failedShortRead: [0xdeadbe00, 0xdead0000], largeValue: 'accepted', boolValue: false });
const UNTOUCHED = (name: string, optname: number): Row =>
  ({ name, af: ws.AF_INET, type: ws.SOCK_STREAM, level: ws.SOL_SOCKET, optname, shortSet: false, sizes: [1, 2, 4], failedShortRead: [0xdeadbeef, 0xdeadbeef], largeValue: 'accepted', boolValue: false });

const { AF_INET: V4, AF_INET6: V6, SOCK_STREAM: TCP, SOCK_DGRAM: UDP } = ws;
const ROWS: Row[] = [
  SOCKET_BOOL('SO_BROADCAST', V4, UDP, ws.SO_BROADCAST),
  SOCKET_BOOL('SO_DONTLINGER', V4, TCP, ws.SO_DONTLINGER),
  ZEROING('SO_LINGER', ws.SO_LINGER),
  SOCKET_BOOL('SO_OOBINLINE', V4, TCP, ws.SO_OOBINLINE),
  ZEROING('SO_RCVBUF', ws.SO_RCVBUF),
  BOOLEAN('SO_KEEPALIVE', V4, TCP, ws.SOL_SOCKET, ws.SO_KEEPALIVE),
  BOOLEAN('SO_DONTROUTE', V4, TCP, ws.SOL_SOCKET, ws.SO_DONTROUTE),
  UNTOUCHED('SO_RCVTIMEO', ws.SO_RCVTIMEO),
  SOCKET_BOOL('SO_REUSEADDR', V4, TCP, ws.SO_REUSEADDR),
  SOCKET_BOOL('SO_EXCLUSIVEADDRUSE', V4, TCP, ws.SO_EXCLUSIVEADDRUSE),
  ZEROING('SO_SNDBUF', ws.SO_SNDBUF),
  UNTOUCHED('SO_SNDTIMEO', ws.SO_SNDTIMEO),
  BOOLEAN('TCP_NODELAY', V4, TCP, ws.IPPROTO_TCP, ws.TCP_NODELAY),
  DWORD_ONLY('TCP_KEEPALIVE', V4, TCP, ws.IPPROTO_TCP, ws.TCP_KEEPALIVE, 'accepted', false),
  DWORD_ONLY('TCP_KEEPCNT', V4, TCP, ws.IPPROTO_TCP, ws.TCP_KEEPCNT, 'WSAEINVAL', false),
  DWORD_ONLY('TCP_KEEPINTVL', V4, TCP, ws.IPPROTO_TCP, ws.TCP_KEEPINTVL, 'accepted', false),
  IP_SHORT('IP_MULTICAST_LOOP', V4, ws.IPPROTO_IP, ws.IP_MULTICAST_LOOP, true),
  IP_SHORT('IP_MULTICAST_TTL', V4, ws.IPPROTO_IP, ws.IP_MULTICAST_TTL, false),
  DWORD_ONLY('IP_PKTINFO', V4, UDP, ws.IPPROTO_IP, ws.IP_PKTINFO, 'accepted', true),
  DWORD_ONLY('IP_RECVTOS', V4, UDP, ws.IPPROTO_IP, ws.IP_RECVTOS, 'accepted', true),
  DWORD_ONLY('IP_RECVTTL', V4, UDP, ws.IPPROTO_IP, ws.IP_RECVTTL, 'accepted', true),
  IP_SHORT('IP_TOS', V4, ws.IPPROTO_IP, ws.IP_TOS, false),
  IP_SHORT('IP_TTL', V4, ws.IPPROTO_IP, ws.IP_TTL, false),
  IP_SHORT('IPV6_DONTFRAG', V6, ws.IPPROTO_IPV6, ws.IPV6_DONTFRAG, true, TCP),
  DWORD_ONLY('IPV6_HOPLIMIT', V6, UDP, ws.IPPROTO_IPV6, ws.IPV6_HOPLIMIT, 'accepted', true),
  IP_SHORT('IPV6_MULTICAST_HOPS', V6, ws.IPPROTO_IPV6, ws.IPV6_MULTICAST_HOPS, false),
  IP_SHORT('IPV6_MULTICAST_LOOP', V6, ws.IPPROTO_IPV6, ws.IPV6_MULTICAST_LOOP, true),
  DWORD_ONLY('IPV6_PKTINFO', V6, UDP, ws.IPPROTO_IPV6, ws.IPV6_PKTINFO, 'accepted', true),
  DWORD_ONLY('IPV6_RECVTCLASS', V6, UDP, ws.IPPROTO_IPV6, ws.IPV6_RECVTCLASS, 'accepted', true),
  IP_SHORT('IPV6_UNICAST_HOPS', V6, ws.IPPROTO_IPV6, ws.IPV6_UNICAST_HOPS, false),
  BOOLEAN('IPV6_V6ONLY', V6, UDP, ws.IPPROTO_IPV6, ws.IPV6_V6ONLY),
];

function dword(value: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, value >>> 0, true);
  return b;
}
const u32 = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);

function get(s: number, row: Row, size: number): { rc: number; error: number; value: number; len: number } {
  const out = dword(0xdeadbeef);
  const buf = new Uint8Array(Math.max(size, 8));
  buf.set(out);
  const len = { value: size };
  ws.WSASetLastError(0xdeadbeef);
  const rc = ws.getsockopt(s, row.level, row.optname, buf, len);
  return { rc, error: rc === 0 ? 0 : ws.WSAGetLastError(), value: u32(buf), len: len.value };
}

function set(s: number, row: Row, value: Uint8Array, size: number): number {
  ws.WSASetLastError(0xdeadbeef);
  return ws.setsockopt(s, row.level, row.optname, value, size) === 0 ? 0 : ws.WSAGetLastError();
}

describe('option lengths (Wine sock.c test_set_getsockopt, test_optsize)', () => {
  for (const row of ROWS) {
    test(row.name, (t) => {
      const s = ws.socket(row.af, row.type, 0);
      assert.notEqual(s, ws.INVALID_SOCKET);
      t.after(() => ws.closesocket(s));
      const sol = row.level === ws.SOL_SOCKET;
      const reportsOneByte = row.sizes[2] === 1;

      // An 8-byte value is taken (its low DWORD); an 8-byte read reports the option's width.
      const value64 = new Uint8Array([1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);
      assert.equal(set(s, row, value64, 8), 0, 'set with optlen 8');
      assert.equal(get(s, row, 8).len, row.sizes[2], 'get with optlen 8 reports the width');

      // optlen -1: the SOL_SOCKET DWORD options read a DWORD, the rest fail with WSAENOBUFS.
      assert.equal(set(s, row, dword(1), -1), reportsOneByte || !sol ? ws.WSAENOBUFS : 0, 'set with optlen -1');
      const minusOne = get(s, row, -1);
      assert.deepEqual([minusOne.error, minusOne.len], [ws.WSAEFAULT, -1], 'get with optlen -1');

      // optlen 0: accepted (no change) only by the SOL_SOCKET BOOLs; a get always fails.
      assert.equal(set(s, row, dword(1), 0), sol && row.boolValue ? 0 : ws.WSAEFAULT, 'set with optlen 0');
      assert.equal(get(s, row, 0).error, ws.WSAEFAULT, 'get with optlen 0');

      // 0x100 as a DWORD.
      const large = set(s, row, dword(0x100), 4);
      assert.equal(large, row.largeValue === 'accepted' ? 0 : ws.WSAEINVAL, 'set 0x100');
      if (row.largeValue === 'accepted') {
        const expected = reportsOneByte ? 0xdeadbe00 : row.boolValue ? 1 : 0x100;
        assert.deepEqual(get(s, row, 4), { rc: 0, error: 0, value: expected, len: row.sizes[2] }, 'read back 0x100');
      }

      // Value 1 set with optlen 1, 2, 4, read back with the same optlen.
      for (const [j, size] of [1, 2, 4].entries()) {
        const accepted = row.shortSet || size === 4;
        assert.equal(set(s, row, dword(1), size), accepted ? 0 : ws.WSAEFAULT, `set 1 with optlen ${size}`);
        const got = get(s, row, size);
        if (accepted) {
          const expected = size === 2 && row.readAt2 !== undefined ? row.readAt2 : row.sizes[j] === 4 ? 1 : row.sizes[j] === 1 ? 0xdeadbe01 : 0xdeadbeef;
          assert.deepEqual(got, { rc: 0, error: 0, value: expected, len: row.sizes[j] }, `get with optlen ${size}`);
        } else {
          const left = row.failedShortRead?.[j] ?? 0xdeadbeef;
          assert.deepEqual(got, { rc: ws.SOCKET_ERROR, error: ws.WSAEFAULT, value: left, len: row.sizes[j] }, `failed get with optlen ${size}`);
        }
      }
    });
  }
});
