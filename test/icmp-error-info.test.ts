/**
 * TCP_FAIL_CONNECT_ON_ICMP_ERROR + TCP_ICMP_ERROR_INFO: a connect that draws a real ICMP error (made
 * inside a network namespace, helpers/icmp-error-child.ts) fails, and the ICMP_ERROR_INFO names the
 * ICMP's sender, protocol, type and code. Sources: Microsoft's WSAGetIcmpErrorInfo page (WSANO_DATA
 * when no ICMP error arrived since the last connect call), WSASetFailConnectOnIcmpError, the
 * ICMP_ERROR_INFO structure (mstcpip.h: SOCKADDR_INET srcaddress, IPPROTO protocol, UINT8 type,
 * UINT8 code; 36 bytes on x64).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ws from 'wsaioctl/winsock';
import { cleanup, closeAll, startup } from './helpers/sockets.js';
import { netnsAvailable, runInNetns } from './helpers/netns-run.js';

const CHILD = new URL('./helpers/icmp-error-child.js', import.meta.url);
const skip = netnsAvailable() ?? false;

before(startup);
after(cleanup);

interface InfoRead { rc: number; error: number; len: number; info: number[] }

describe('TCP_ICMP_ERROR_INFO', () => {
  test('before any ICMP error: WSANO_DATA; less room than an ICMP_ERROR_INFO: WSAEFAULT (WSAGetIcmpErrorInfo)', () => {
    const s = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
    try {
      const info = new Uint8Array(36);
      assert.equal(ws.getsockopt(s, ws.IPPROTO_TCP, ws.TCP_ICMP_ERROR_INFO, info, { value: 36 }), ws.SOCKET_ERROR);
      assert.equal(ws.WSAGetLastError(), ws.WSANO_DATA);
      assert.equal(ws.getsockopt(s, ws.IPPROTO_TCP, ws.TCP_ICMP_ERROR_INFO, info, { value: 35 }), ws.SOCKET_ERROR);
      assert.equal(ws.WSAGetLastError(), ws.WSAEFAULT);
      assert.ok(info.every((b) => b === 0), 'nothing written');
    } finally {
      closeAll(s);
    }
  });

  test('a connect failing on a real ICMP host unreachable: WSAEHOSTUNREACH, then the ICMP_ERROR_INFO; a new connect forgets it', { skip }, async () => {
    const run = await runInNetns(CHILD);
    assert.equal(run.code, 0, run.stderr);
    const r = run.results[0] as { setRc: number; before: InfoRead; connectRc: number; connectError: number; after: InfoRead; again: InfoRead; reconnectRc: number; afterReconnect: InfoRead };
    assert.equal(r.setRc, 0);
    assert.equal(r.before.error, ws.WSANO_DATA);
    assert.equal(r.connectRc, ws.SOCKET_ERROR);
    assert.equal(r.connectError, ws.WSAEHOSTUNREACH);
    assert.equal(r.after.rc, 0, `getsockopt error ${r.after.error}`);
    assert.equal(r.after.len, 36);
    const info = Uint8Array.from(r.after.info);
    const source = ws.parseSockaddr(info.subarray(0, 16));
    assert.equal(source.family, ws.AF_INET);
    assert.equal(source.address, '198.51.100.1', 'the ICMP came from the namespace itself (its address toward the socket)');
    assert.ok(info.subarray(16, 28).every((b) => b === 0), 'the rest of SOCKADDR_INET is zero');
    assert.equal(new DataView(info.buffer).getUint32(28, true), 1, 'protocol IPPROTO_ICMP');
    assert.equal(info[32], 3, 'type: destination unreachable');
    assert.equal(info[33], 1, 'code: host unreachable');
    assert.deepEqual(info.subarray(34, 36), new Uint8Array([0, 0]), 'padding');
    assert.ok(info.subarray(36).every((b) => b === 0xcc), 'nothing written past 36 bytes');
    assert.deepEqual(r.again, r.after, 'reading it again gives the same');
    assert.equal(r.reconnectRc, 0);
    assert.equal(r.afterReconnect.error, ws.WSANO_DATA);
  });
});
