/**
 * SIO_GET_BROADCAST_ADDRESS through WSAIoctl on the Linux emulation: Windows answers the limited
 * broadcast address (255.255.255.255, port 0) on IPv4 datagram sockets whatever the interfaces,
 * WSAENOPROTOOPT on IPv6, WSAEINVAL on stream sockets, WSAEFAULT for a short output (count left
 * alone). Checked on this host and in the lab namespace (which has subnets with other broadcasts).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as ws from 'wsaioctl/winsock';
import { LAB, lastJson, netnsSkip, runInNetns, script } from './helpers/netns.js';
import type { IoctlAnswer, IoctlRequest } from './helpers/ioctl-child.js';

const FILL = 0xa5;
const LIMITED = '02000000ffffffff0000000000000000';

function call(af: number, type: number, output: Uint8Array | null, cbOut: number, protocol = 0) {
  const s = ws.socket(af, type, protocol);
  if (s === ws.INVALID_SOCKET) return null;
  try {
    const bytes = { value: 0xdeadbeef };
    const rc = ws.WSAIoctl(s, ws.SIO_GET_BROADCAST_ADDRESS, null, 0, output, cbOut, bytes, null, null);
    return { rc, error: rc === 0 ? 0 : ws.WSAGetLastError(), bytes: bytes.value };
  } finally {
    ws.closesocket(s);
  }
}

before(() => ws.WSAStartup(ws.MAKEWORD(2, 2), ws.newWSADATA()));
after(() => ws.WSACleanup());

describe('SIO_GET_BROADCAST_ADDRESS on this host', () => {
  test('IPv4 UDP: 255.255.255.255, port 0, 16 bytes; nothing written past them', () => {
    for (const size of [16, 28, 128]) {
      const out = new Uint8Array(size + 8).fill(FILL);
      assert.deepEqual(call(ws.AF_INET, ws.SOCK_DGRAM, out, size), { rc: 0, error: 0, bytes: 16 });
      assert.equal(Buffer.from(out.subarray(0, 16)).toString('hex'), LIMITED);
      assert.ok(out.subarray(16).every((b) => b === FILL), `size ${size}`);
      assert.deepEqual(ws.parseSockaddr(out), { family: ws.AF_INET, port: 0, address: '255.255.255.255' });
    }
  });

  test('a short or missing output: WSAEFAULT, count untouched, buffer untouched', () => {
    for (const size of [0, 8, 15]) {
      const out = new Uint8Array(16).fill(FILL);
      assert.deepEqual(call(ws.AF_INET, ws.SOCK_DGRAM, out, size), { rc: -1, error: ws.WSAEFAULT, bytes: 0xdeadbeef }, `size ${size}`);
      assert.ok(out.every((b) => b === FILL));
    }
    assert.deepEqual(call(ws.AF_INET, ws.SOCK_DGRAM, null, 0), { rc: -1, error: ws.WSAEFAULT, bytes: 0xdeadbeef });
    assert.deepEqual(call(ws.AF_INET, ws.SOCK_DGRAM, null, 16), { rc: -1, error: ws.WSAEFAULT, bytes: 0xdeadbeef });
  });

  test('IPv6 sockets: WSAENOPROTOOPT (no broadcast in IPv6); stream sockets: WSAEINVAL', () => {
    const out = new Uint8Array(32).fill(FILL);
    assert.deepEqual(call(ws.AF_INET6, ws.SOCK_DGRAM, out, 32), { rc: -1, error: ws.WSAENOPROTOOPT, bytes: 0 });
    assert.deepEqual(call(ws.AF_INET6, ws.SOCK_STREAM, out, 32), { rc: -1, error: ws.WSAENOPROTOOPT, bytes: 0 });
    assert.deepEqual(call(ws.AF_INET, ws.SOCK_STREAM, out, 32), { rc: -1, error: ws.WSAEINVAL, bytes: 0 });
    assert.ok(out.every((b) => b === FILL));
  });

  test('a raw IPv4 socket (when this process may make one) gets the same answer', (t) => {
    const out = new Uint8Array(16);
    const r = call(ws.AF_INET, ws.SOCK_RAW, out, 16, ws.IPPROTO_ICMP);
    if (r === null) return t.skip('raw sockets are not permitted here');
    assert.deepEqual(r, { rc: 0, error: 0, bytes: 16 });
    assert.equal(Buffer.from(out).toString('hex'), LIMITED);
  });
});

describe('SIO_GET_BROADCAST_ADDRESS in the lab namespace', () => {
  const skip = netnsSkip();
  test('still the limited broadcast, not a subnet\'s (192.0.2.255, 198.51.100.255 exist there)', { skip, timeout: 60_000 }, () => {
    const requests: IoctlRequest[] = [
      { af: ws.AF_INET, type: ws.SOCK_DGRAM, code: ws.SIO_GET_BROADCAST_ADDRESS, cbOut: 16 },
      { af: ws.AF_INET6, type: ws.SOCK_DGRAM, code: ws.SIO_GET_BROADCAST_ADDRESS, cbOut: 28 },
    ];
    const { results } = lastJson<{ results: IoctlAnswer[] }>(runInNetns(LAB.setup, script('ioctl-child.js'), [JSON.stringify(requests)]));
    const [v4, v6] = results as [IoctlAnswer, IoctlAnswer];
    assert.deepEqual({ rc: v4.rc, bytes: v4.bytes, out: v4.out, guard: v4.guardIntact }, { rc: 0, bytes: 16, out: LIMITED, guard: true });
    assert.deepEqual({ rc: v6.rc, error: v6.error }, { rc: -1, error: ws.WSAENOPROTOOPT });
  });
});
