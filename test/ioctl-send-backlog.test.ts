/**
 * SIO_IDEAL_SEND_BACKLOG_QUERY on the Linux emulation: the estimate on loopback connections (a
 * fresh one gives Windows' 64 KiB, as Wine's test_backlog_query records for Windows), the error
 * rules, guard bytes, and the estimator itself as a pure function.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as ws from 'wsaioctl/winsock';
import { idealSendBacklog, ISB_MAX, ISB_MIN, parseLinuxTcpInfo } from '../dist/backend/linux/sockets/tcp-info.js';

const GUARD = 0xa5;

function query(s: number, cbOut = 4, extra = 8, outNull = false) {
  const out = new Uint8Array(cbOut + extra).fill(GUARD);
  const bytes = { value: 0xdead };
  const rc = ws.WSAIoctl(s, ws.SIO_IDEAL_SEND_BACKLOG_QUERY, null, 0, outNull ? null : out, cbOut, bytes, null, null);
  const value = cbOut >= 4 ? new DataView(out.buffer).getUint32(0, true) : -1;
  return { rc, error: rc === 0 ? 0 : ws.WSAGetLastError(), bytes: bytes.value, out, value };
}

function listener(): { l: number; name: Uint8Array } {
  const l = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
  assert.equal(ws.bind(l, ws.sockaddr('127.0.0.1', 0), 16), 0);
  assert.equal(ws.listen(l, 4), 0);
  const name = new Uint8Array(16);
  assert.equal(ws.getsockname(l, name, { value: 16 }), 0);
  return { l, name };
}

before(() => {
  assert.equal(ws.WSAStartup(0x0202, ws.newWSADATA()), 0);
});

after(() => {
  ws.WSACleanup();
});

describe('SIO_IDEAL_SEND_BACKLOG_QUERY on loopback', () => {
  test('unconnected WSAENOTCONN; connected 4 bytes; a fresh connection gets 0x10000', () => {
    const { l, name } = listener();
    const s = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
    const before = query(s);
    assert.equal(before.rc, ws.SOCKET_ERROR);
    assert.equal(before.error, ws.WSAENOTCONN);
    assert.equal(ws.connect(s, name, 16), 0);
    const r = query(s);
    assert.equal(r.rc, 0);
    assert.equal(r.bytes, 4);
    assert.equal(r.value, 0x10000, 'no delivery-rate sample yet: the floor, as Windows reports on loopback');
    assert.ok(r.out.subarray(4).every((b) => b === GUARD), 'nothing past the ULONG');
    const a = ws.accept(l, null, null);
    assert.equal(query(a).value, 0x10000, 'the accepting side too');
    for (const x of [s, a, l]) ws.closesocket(x);
  });

  test('after a transfer the estimate stays within [64 KiB, 16 MiB]', () => {
    const { l, name } = listener();
    const s = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
    assert.equal(ws.connect(s, name, 16), 0);
    const a = ws.accept(l, null, null);
    const data = new Uint8Array(1 << 20).fill(3);
    const buf = new Uint8Array(1 << 16);
    for (let round = 0; round < 4; round++) {
      assert.equal(ws.send(s, data, data.length, 0), data.length);
      let got = 0;
      for (let i = 0; i < 10_000 && got < data.length; i++) {
        const n = ws.recv(a, buf, buf.length, 0);
        assert.ok(n > 0);
        got += n;
      }
      assert.equal(got, data.length);
    }
    const r = query(s);
    assert.equal(r.rc, 0);
    assert.ok(r.value >= ISB_MIN && r.value <= ISB_MAX, `ISB ${r.value}`);
    for (const x of [s, a, l]) ws.closesocket(x);
  });

  test('a listening socket is not connected', () => {
    const { l } = listener();
    assert.equal(query(l).error, ws.WSAENOTCONN);
    ws.closesocket(l);
  });

  test('datagram sockets: WSAEOPNOTSUPP', () => {
    for (const af of [ws.AF_INET, ws.AF_INET6]) {
      const u = ws.socket(af, ws.SOCK_DGRAM, ws.IPPROTO_UDP);
      const r = query(u);
      assert.equal(r.rc, ws.SOCKET_ERROR);
      assert.equal(r.error, ws.WSAEOPNOTSUPP);
      ws.closesocket(u);
    }
  });

  test('output smaller than a ULONG (or null): WSAEINVAL with 0 bytes, output untouched', () => {
    const { l, name } = listener();
    const s = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
    assert.equal(ws.connect(s, name, 16), 0);
    for (const cb of [0, 1, 3]) {
      const r = query(s, cb);
      assert.equal(r.rc, ws.SOCKET_ERROR);
      assert.equal(r.error, ws.WSAEINVAL, `cbOutBuffer ${cb}`);
      assert.equal(r.bytes, 0);
      assert.ok(r.out.every((b) => b === GUARD));
    }
    const n = query(s, 0, 0, true);
    assert.equal(n.error, ws.WSAEINVAL);
    assert.equal(n.bytes, 0);
    const big = query(s, 64);
    assert.equal(big.rc, 0);
    assert.equal(big.bytes, 4);
    assert.ok(big.out.subarray(4).every((b) => b === GUARD));
    const a = ws.accept(l, null, null);
    for (const x of [s, a, l]) ws.closesocket(x);
  });
});

describe('ideal send backlog estimator (pure)', () => {
  function linux(set: (v: DataView) => void) {
    const buf = new Uint8Array(280);
    const v = new DataView(buf.buffer);
    v.setUint8(0, 1);
    set(v);
    return parseLinuxTcpInfo(buf, 280);
  }
  const RATE = 160;
  const RTT = 68;

  test('no rate sample: the 64 KiB floor', () => {
    assert.equal(idealSendBacklog(linux((v) => v.setUint32(RTT, 50_000, true))), ISB_MIN);
  });

  test('bandwidth x delay', () => {
    // 12.5 MB/s (100 Mbit/s) x 80 ms = 1 MB
    const li = linux((v) => { v.setBigUint64(RATE, 12_500_000n, true); v.setUint32(RTT, 80_000, true); });
    assert.equal(idealSendBacklog(li), 1_000_000);
  });

  test('clamped to 16 MiB', () => {
    const li = linux((v) => { v.setBigUint64(RATE, 10_000_000_000n, true); v.setUint32(RTT, 500_000, true); });
    assert.equal(idealSendBacklog(li), ISB_MAX);
  });

  test('an application-limited sample is raised to the congestion window', () => {
    const li = linux((v) => {
      v.setUint8(7, 1); // tcpi_delivery_rate_app_limited
      v.setBigUint64(RATE, 1_000_000n, true);
      v.setUint32(RTT, 10_000, true); // BDP 10 kB
      v.setUint32(16, 1448, true);
      v.setUint32(80, 100, true); // cwnd 144.8 kB
    });
    assert.equal(idealSendBacklog(li), 144_800);
  });
});
