/**
 * SIO_TCP_INFO on the Linux emulation: TCP_INFO_v0 / v1 / v2 for real loopback connections
 * (established with data both ways, listening, unconnected, after shutdown), every error rule,
 * guard bytes after the structure, the codec, and the Linux -> Windows field mapping as a pure
 * function (including a short tcp_info from an older kernel).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import * as ws from 'wsaioctl/winsock';
import { parseLinuxTcpInfo, windowsTcpInfo, type LinuxTcpInfo } from '../dist/backend/linux/sockets/tcp-info.js';

const GUARD = 0xa5;

function versionInput(version: number): Uint8Array {
  const input = new Uint8Array(4);
  new DataView(input.buffer).setUint32(0, version >>> 0, true);
  return input;
}

interface Call {
  rc: number;
  error: number;
  bytes: number;
  out: Uint8Array;
}

/** WSAIoctl(SIO_TCP_INFO) with an output buffer `extra` guard bytes longer than cbOutBuffer. */
function ioctl(s: number, input: Uint8Array | null, cbIn: number, cbOut: number, extra = 16, outNull = false): Call {
  const out = new Uint8Array(cbOut + extra).fill(GUARD);
  const bytes = { value: 0xdead };
  const rc = ws.WSAIoctl(s, ws.SIO_TCP_INFO, input, cbIn, outNull ? null : out, cbOut, bytes, null, null);
  return { rc, error: rc === 0 ? 0 : ws.WSAGetLastError(), bytes: bytes.value, out };
}

function info(s: number, version: 0 | 1 | 2 = 2): ws.TcpInfo {
  const size = ws.tcpInfoSize(version);
  const r = ioctl(s, versionInput(version), 4, size);
  assert.equal(r.rc, 0, `SIO_TCP_INFO failed with ${r.error}`);
  assert.equal(r.bytes, size);
  assert.ok(r.out.subarray(size).every((b) => b === GUARD), 'nothing written past the structure');
  return ws.decodeTcpInfo(r.out, version);
}

function loopback(port = 0): Uint8Array {
  return ws.sockaddr('127.0.0.1', port);
}

function nameOf(s: number): Uint8Array {
  const name = new Uint8Array(16);
  assert.equal(ws.getsockname(s, name, { value: 16 }), 0);
  return name;
}

function listener(): number {
  const l = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
  assert.equal(ws.bind(l, loopback(), 16), 0);
  assert.equal(ws.listen(l, 4), 0);
  return l;
}

/** A connected pair: client `c` (connect()), server side `a` (accept()). */
function pair(l: number): { c: number; a: number; before: number } {
  const c = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
  const before = Date.now();
  assert.equal(ws.connect(c, nameOf(l), 16), 0);
  const a = ws.accept(l, null, null);
  assert.notEqual(a, ws.INVALID_SOCKET);
  return { c, a, before };
}

function sendAll(s: number, n: number, fill: number): void {
  const data = new Uint8Array(n).fill(fill);
  assert.equal(ws.send(s, data, n, 0), n);
}

function recvAll(s: number, n: number): void {
  const buf = new Uint8Array(65536);
  let got = 0;
  for (let i = 0; i < 1000 && got < n; i++) {
    const r = ws.recv(s, buf, buf.length, 0);
    assert.ok(r > 0, `recv returned ${r} (${ws.WSAGetLastError()})`);
    got += r;
  }
  assert.equal(got, n);
}

/** Poll the State field (bounded) until it is `state`. */
async function untilState(s: number, state: number): Promise<number> {
  let seen = -1;
  for (let i = 0; i < 300; i++) {
    seen = info(s, 0).State;
    if (seen === state) return seen;
    await sleep(10);
  }
  return seen;
}

const timestampsOn = (() => {
  try {
    return readFileSync('/proc/sys/net/ipv4/tcp_timestamps', 'utf8').trim() !== '0';
  } catch {
    return true;
  }
})();

before(() => {
  assert.equal(ws.WSAStartup(0x0202, ws.newWSADATA()), 0);
});

after(() => {
  ws.WSACleanup();
});

describe('SIO_TCP_INFO on a connected loopback pair with data', () => {
  let l = 0;
  let c = 0;
  let a = 0;
  let connectedBefore = 0;

  before(() => {
    l = listener();
    ({ c, a, before: connectedBefore } = pair(l));
    sendAll(c, 100_000, 0x11);
    recvAll(a, 100_000);
    sendAll(a, 5_000, 0x22);
    recvAll(c, 5_000);
  });

  after(() => {
    for (const s of [c, a, l]) ws.closesocket(s);
  });

  test('State, Mss, RTTs, windows, buffers', () => {
    for (const s of [c, a]) {
      const t = info(s);
      assert.equal(t.State, ws.TCPSTATE_ESTABLISHED);
      assert.ok(t.Mss > 0, 'Mss');
      assert.ok(t.RttUs > 0, 'RttUs');
      assert.ok(t.MinRttUs > 0, 'MinRttUs');
      assert.ok(t.Cwnd > 0 && t.Cwnd % t.Mss === 0, 'Cwnd is segments x Mss, in bytes');
      assert.ok(t.SndWnd > 0, 'SndWnd');
      assert.ok(t.RcvWnd > 0, 'RcvWnd');
      assert.ok(t.RcvBuf > 0, 'RcvBuf');
      assert.equal(t.TimestampsEnabled, timestampsOn);
    }
  });

  test('BytesOut / BytesIn are exactly what was sent each way', () => {
    const tc = info(c);
    const ta = info(a);
    assert.equal(tc.BytesOut, 100_000n);
    assert.equal(ta.BytesIn, 100_000n);
    assert.equal(ta.BytesOut, 5_000n);
    assert.equal(tc.BytesIn, 5_000n);
  });

  test('nothing lost on loopback: no retransmissions, no time-outs, no SYN retries', async () => {
    for (const s of [c, a]) {
      const t = info(s);
      assert.equal(t.BytesRetrans, 0);
      assert.equal(t.TimeoutEpisodes, 0);
      assert.equal(t.SynRetrans, 0);
      // Everything sent has been received; the last ACK may still be delayed a little.
      let inFlight = t.BytesInFlight;
      for (let i = 0; i < 300 && inFlight !== 0; i++) {
        await sleep(10);
        inFlight = info(s).BytesInFlight;
      }
      assert.equal(inFlight, 0, 'everything sent is acknowledged in the end');
    }
  });


  test('ConnectionTimeMs counts from the connection and never goes back', () => {
    const first = info(c).ConnectionTimeMs;
    const second = info(c).ConnectionTimeMs;
    assert.ok(second >= first);
    assert.ok(first <= BigInt(Date.now() - connectedBefore), 'not older than the connect() call');
    assert.ok(info(a).ConnectionTimeMs <= BigInt(Date.now() - connectedBefore), 'accepted side too');
  });

  test('v0, v1 and v2 agree on their common prefix; fields Linux cannot say are 0', () => {
    const v0 = info(c, 0);
    const v1 = info(c, 1);
    const v2 = info(c, 2);
    for (const v of [v1, v2]) {
      assert.equal(v.State, v0.State);
      assert.equal(v.Mss, v0.Mss);
      assert.equal(v.BytesOut, v0.BytesOut);
      assert.equal(v.BytesIn, v0.BytesIn);
    }
    assert.equal(v0.BytesReordered, 0);
    assert.equal(v0.FastRetrans, 0);
    assert.equal(v0.DupAcksIn, 0);
    assert.equal(v1.SndLimTransRwin, 0);
    assert.equal(v1.SndLimTransCwnd, 0);
    assert.equal(v1.SndLimTransSnd, 0);
    assert.equal(v1.SndLimBytesRwin, 0n);
    assert.equal(v1.SndLimBytesCwnd, 0n);
    assert.equal(v1.SndLimBytesSnd, 0n);
    assert.equal(v2.EceAcksIn, 0);
    assert.equal(v2.PtoEpisodes, 0);
    assert.equal(v2.OutOfOrderPktsIn, 0, 'loopback does not reorder');
  });

  test('a larger output buffer gets exactly the structure; bytes past it are untouched', () => {
    for (const version of [0, 1, 2] as const) {
      const size = ws.tcpInfoSize(version);
      const r = ioctl(c, versionInput(version), 4, size + 40, 8);
      assert.equal(r.rc, 0);
      assert.equal(r.bytes, size);
      assert.ok(r.out.subarray(size).every((b) => b === GUARD), `v${version}: bytes ${size}.. untouched`);
    }
  });
});

describe('SIO_TCP_INFO states', () => {
  test('a listening socket is LISTEN, with no connection time', () => {
    const l = listener();
    const t = info(l);
    assert.equal(t.State, ws.TCPSTATE_LISTEN);
    assert.equal(t.ConnectionTimeMs, 0n);
    assert.equal(t.BytesOut, 0n);
    ws.closesocket(l);
  });

  test('a connection accepted after waiting in the backlog counts from the handshake, not from accept()', async () => {
    const l = listener();
    const c = ws.socket(ws.AF_INET, ws.SOCK_STREAM, 0);
    assert.equal(ws.connect(c, nameOf(l), 16), 0);
    await sleep(250);
    const a = ws.accept(l, null, null);
    assert.ok(info(a).ConnectionTimeMs >= 150n, 'the wait in the backlog is included');
    assert.ok(info(c).ConnectionTimeMs >= 150n);
    for (const s of [c, a, l]) ws.closesocket(s);
  });

  test('a non-blocking connect completed by the kernel: the start is taken from the kernel timers', async () => {
    const l = listener();
    const c = ws.socket(ws.AF_INET, ws.SOCK_STREAM, 0);
    assert.equal(ws.WSAIoctl(c, ws.FIONBIO, versionInput(1), 4, null, 0, { value: 0 }, null, null), 0);
    const rc = ws.connect(c, nameOf(l), 16);
    assert.ok(rc === 0 || ws.WSAGetLastError() === ws.WSAEWOULDBLOCK);
    // Do not look before the wait: the first look is when the emulation estimates.
    await sleep(250);
    const t = info(c);
    assert.equal(t.State, ws.TCPSTATE_ESTABLISHED);
    assert.ok(t.ConnectionTimeMs >= 150n, `idle since the handshake: ${t.ConnectionTimeMs} ms`);
    const a = ws.accept(l, null, null);
    for (const s of [c, a, l]) ws.closesocket(s);
  });

  test('a socket never connected is CLOSED', () => {
    const s = ws.socket(ws.AF_INET, ws.SOCK_STREAM, 0);
    assert.equal(info(s).State, ws.TCPSTATE_CLOSED);
    assert.equal(info(s).ConnectionTimeMs, 0n);
    ws.closesocket(s);
  });

  test('IPv6 loopback works the same', () => {
    const l = ws.socket(ws.AF_INET6, ws.SOCK_STREAM, 0);
    assert.equal(ws.bind(l, ws.sockaddr('::1', 0), 28), 0);
    assert.equal(ws.listen(l, 1), 0);
    const name = new Uint8Array(28);
    assert.equal(ws.getsockname(l, name, { value: 28 }), 0);
    const c = ws.socket(ws.AF_INET6, ws.SOCK_STREAM, 0);
    assert.equal(ws.connect(c, name, 28), 0);
    const a = ws.accept(l, null, null);
    sendAll(c, 1000, 1);
    recvAll(a, 1000);
    assert.equal(info(c).State, ws.TCPSTATE_ESTABLISHED);
    assert.equal(info(c).BytesOut, 1000n);
    assert.equal(info(a).BytesIn, 1000n);
    for (const s of [c, a, l]) ws.closesocket(s);
  });

  test('shutdown: FIN_WAIT_2 / CLOSE_WAIT, then CLOSED on both sides', async () => {
    const l = listener();
    const { c, a } = pair(l);
    assert.equal(ws.shutdown(c, ws.SD_SEND), 0);
    assert.equal(await untilState(c, ws.TCPSTATE_FIN_WAIT_2), ws.TCPSTATE_FIN_WAIT_2);
    assert.equal(await untilState(a, ws.TCPSTATE_CLOSE_WAIT), ws.TCPSTATE_CLOSE_WAIT);
    assert.equal(ws.shutdown(a, ws.SD_SEND), 0);
    // Linux moves an open socket to CLOSE once TIME_WAIT begins (the TIME_WAIT is kept apart).
    assert.equal(await untilState(a, ws.TCPSTATE_CLOSED), ws.TCPSTATE_CLOSED);
    assert.equal(await untilState(c, ws.TCPSTATE_CLOSED), ws.TCPSTATE_CLOSED);
    for (const s of [c, a, l]) ws.closesocket(s);
  });
});

describe('SIO_TCP_INFO errors', () => {
  let l = 0;
  let c = 0;
  let a = 0;
  before(() => {
    l = listener();
    ({ c, a } = pair(l));
  });
  after(() => {
    for (const s of [c, a, l]) ws.closesocket(s);
  });

  test('input null or not exactly a DWORD: WSAEMSGSIZE, 0 bytes, output untouched', () => {
    const cases: Array<[Uint8Array | null, number]> = [
      [null, 0], [versionInput(0), 0], [versionInput(0), 3], [new Uint8Array(8), 5], [new Uint8Array(8), 8],
    ];
    for (const [input, cb] of cases) {
      const r = ioctl(c, input, cb, 152);
      assert.equal(r.rc, ws.SOCKET_ERROR, `cbInBuffer ${cb}`);
      assert.equal(r.error, ws.WSAEMSGSIZE, `cbInBuffer ${cb}`);
      assert.equal(r.bytes, 0);
      assert.ok(r.out.every((b) => b === GUARD));
    }
  });

  test('output smaller than the version asks for: WSAEINVAL, 0 bytes, output untouched', () => {
    for (const [version, cb] of [[0, 87], [1, 88], [1, 135], [2, 136], [2, 151], [0, 0]] as const) {
      const r = ioctl(c, versionInput(version), 4, cb);
      assert.equal(r.rc, ws.SOCKET_ERROR, `v${version} cb ${cb}`);
      assert.equal(r.error, ws.WSAEINVAL, `v${version} cb ${cb}`);
      assert.equal(r.bytes, 0);
      assert.ok(r.out.every((b) => b === GUARD), `v${version} cb ${cb}: nothing written`);
    }
    const nullOut = ioctl(c, versionInput(0), 4, 0, 0, true);
    assert.equal(nullOut.error, ws.WSAEINVAL);
    assert.equal(nullOut.bytes, 0);
  });

  test('unknown version: WSAEINVAL, 0 bytes', () => {
    for (const version of [3, 4, 0x100, 0xffffffff]) {
      const r = ioctl(c, versionInput(version), 4, 512);
      assert.equal(r.error, ws.WSAEINVAL, `version ${version}`);
      assert.equal(r.bytes, 0);
      assert.ok(r.out.every((b) => b === GUARD));
    }
  });

  test('not a TCP socket: WSAEOPNOTSUPP, 0 bytes', () => {
    for (const af of [ws.AF_INET, ws.AF_INET6]) {
      const u = ws.socket(af, ws.SOCK_DGRAM, ws.IPPROTO_UDP);
      const r = ioctl(u, versionInput(0), 4, 88);
      assert.equal(r.error, ws.WSAEOPNOTSUPP);
      assert.equal(r.bytes, 0);
      ws.closesocket(u);
    }
  });

  test('closed or unknown handle: WSAENOTSOCK', () => {
    const s = ws.socket(ws.AF_INET, ws.SOCK_STREAM, 0);
    ws.closesocket(s);
    assert.equal(ioctl(s, versionInput(0), 4, 88).error, ws.WSAENOTSOCK);
    assert.equal(ioctl(0x7ffffff0, versionInput(0), 4, 88).error, ws.WSAENOTSOCK);
  });

  test('the input buffer is never modified', () => {
    const input = versionInput(1);
    ioctl(c, input, 4, 136);
    assert.deepEqual([...input], [1, 0, 0, 0]);
  });
});

describe('TCP_INFO codec', () => {
  const sample: ws.TcpInfoV2 = {
    State: 4, Mss: 1460, ConnectionTimeMs: 0x1_0000_0001n, TimestampsEnabled: true, RttUs: 1234, MinRttUs: 999,
    BytesInFlight: 2920, Cwnd: 14600, SndWnd: 65535, RcvWnd: 131072, RcvBuf: 262144,
    BytesOut: 0xfedc_ba98_7654_3210n, BytesIn: 42n, BytesReordered: 1, BytesRetrans: 2, FastRetrans: 3,
    DupAcksIn: 4, TimeoutEpisodes: 5, SynRetrans: 6,
    SndLimTransRwin: 7, SndLimTimeRwin: 8, SndLimBytesRwin: 9n, SndLimTransCwnd: 10, SndLimTimeCwnd: 11,
    SndLimBytesCwnd: 12n, SndLimTransSnd: 13, SndLimTimeSnd: 14, SndLimBytesSnd: 15n,
    OutOfOrderPktsIn: 16, EcnNegotiated: true, EceAcksIn: 17, PtoEpisodes: 18,
  };

  test('sizes are 88 / 136 / 152', () => {
    assert.deepEqual([0, 1, 2].map((v) => ws.tcpInfoSize(v as 0 | 1 | 2)), [88, 136, 152]);
  });

  test('round trip for every version, and offsets from the x64 layout', () => {
    for (const version of [0, 1, 2] as const) {
      const buf = ws.encodeTcpInfo(sample, version);
      assert.equal(buf.length, ws.tcpInfoSize(version));
      const back = ws.decodeTcpInfo(buf, version) as unknown as Record<string, unknown>;
      for (const [k, v] of Object.entries(back)) assert.equal(v, (sample as unknown as Record<string, unknown>)[k], k);
    }
    const buf = ws.encodeTcpInfo(sample, 2);
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    assert.equal(view.getUint32(4, true), 1460);
    assert.equal(view.getBigUint64(8, true), 0x1_0000_0001n);
    assert.equal(buf[16], 1);
    assert.deepEqual([buf[17], buf[18], buf[19]], [0, 0, 0], 'padding is zero');
    assert.equal(view.getBigUint64(48, true), 0xfedc_ba98_7654_3210n);
    assert.equal(buf[84], 6);
    assert.equal(view.getUint32(88, true), 7);
    assert.equal(view.getBigUint64(128, true), 15n);
    assert.equal(view.getUint32(136, true), 16);
    assert.equal(buf[140], 1);
    assert.equal(view.getUint32(148, true), 18);
  });

  test('encoding into a larger buffer touches only the structure', () => {
    const out = new Uint8Array(100).fill(GUARD);
    ws.encodeTcpInfo(sample, 0, out);
    assert.ok(out.subarray(88).every((b) => b === GUARD));
  });

  test('encoding over old bytes writes every byte of the structure: padding and zero fields become 0', () => {
    const zeros = { ...sample, Mss: 0, ConnectionTimeMs: 0n, BytesOut: 0n, SndLimBytesCwnd: 0n, PtoEpisodes: 0 };
    for (const version of [0, 1, 2] as const) {
      ws.encodeTcpInfo(sample, version); // non-zero values wherever the encoder may keep any
      const out = new Uint8Array(160).fill(GUARD);
      ws.encodeTcpInfo(zeros, version, out);
      const size = ws.tcpInfoSize(version);
      const back = ws.decodeTcpInfo(out, version) as unknown as Record<string, unknown>;
      for (const [k, v] of Object.entries(back)) assert.equal(v, (zeros as unknown as Record<string, unknown>)[k], `v${version} ${k}`);
      const padding = [17, 18, 19, 85, 86, 87, ...(version === 2 ? [141, 142, 143] : [])];
      assert.deepEqual(padding.map((i) => out[i]), padding.map(() => 0), `v${version}: padding`);
      assert.ok(out.subarray(size).every((b) => b === GUARD), `v${version}: nothing past the structure`);
    }
  });

  test('64-bit fields given as numbers are written as the same bigints would be', () => {
    // windowsTcpInfo gives counters that fit a number exactly as numbers (no bigint per call).
    const asNumbers = { ...sample, ConnectionTimeMs: 0x1_0000_0001, BytesIn: 42, SndLimBytesRwin: 2 ** 53 - 1, SndLimBytesCwnd: 0, SndLimBytesSnd: 15 };
    const expected = { ...sample, SndLimBytesRwin: 2n ** 53n - 1n, SndLimBytesCwnd: 0n };
    assert.deepEqual(ws.encodeTcpInfo(asNumbers, 2), ws.encodeTcpInfo(expected, 2));
    // Beyond a safe integer or below 0, a number converts as BigInt() does (a C assignment wraps).
    const negative = ws.decodeTcpInfo(ws.encodeTcpInfo({ ...sample, BytesIn: -1 }, 0), 0);
    assert.equal(negative.BytesIn, 0xffff_ffff_ffff_ffffn);
    assert.throws(() => ws.encodeTcpInfo({ ...sample, BytesIn: 1.5 }, 0), RangeError);
  });

  test('bad versions and short buffers are RangeErrors', () => {
    assert.throws(() => ws.encodeTcpInfo(sample, 3 as 2), RangeError);
    assert.throws(() => ws.decodeTcpInfo(new Uint8Array(87), 0), RangeError);
    assert.throws(() => ws.encodeTcpInfo(sample, 1, new Uint8Array(100)), RangeError);
  });

  test('state names', () => {
    assert.equal(ws.tcpStateName(ws.TCPSTATE_ESTABLISHED), 'ESTABLISHED');
    assert.equal(ws.tcpStateName(ws.TCPSTATE_TIME_WAIT), 'TIME_WAIT');
    assert.equal(ws.tcpStateName(99), 'TCPSTATE(99)');
  });
});

describe('Linux tcp_info -> Windows mapping (pure)', () => {
  /** A Linux tcp_info image with the given fields (x86_64 offsets). */
  function linuxImage(length: number, set: (v: DataView) => void): LinuxTcpInfo {
    const buf = new Uint8Array(512);
    set(new DataView(buf.buffer));
    return parseLinuxTcpInfo(buf, length);
  }
  const ctx = { connectionTimeMs: 1500, synRetrans: 2, bytesInFlight: 4096, rcvBuf: 87380 };
  /** The mapping as the caller of SIO_TCP_INFO sees it: encoded as TCP_INFO_v2, decoded back. */
  const mapped = (li: LinuxTcpInfo, context: typeof ctx): ws.TcpInfoV2 => ws.decodeTcpInfo(ws.encodeTcpInfo(windowsTcpInfo(li, context), 2), 2);

  test('every state maps to its TCPSTATE', () => {
    const expected: Array<[number, number]> = [
      [1, ws.TCPSTATE_ESTABLISHED], [2, ws.TCPSTATE_SYN_SENT], [3, ws.TCPSTATE_SYN_RCVD], [4, ws.TCPSTATE_FIN_WAIT_1],
      [5, ws.TCPSTATE_FIN_WAIT_2], [6, ws.TCPSTATE_TIME_WAIT], [7, ws.TCPSTATE_CLOSED], [8, ws.TCPSTATE_CLOSE_WAIT],
      [9, ws.TCPSTATE_LAST_ACK], [10, ws.TCPSTATE_LISTEN], [11, ws.TCPSTATE_CLOSING], [12, ws.TCPSTATE_SYN_RCVD],
    ];
    for (const [linux, windows] of expected) {
      assert.equal(mapped(linuxImage(280, (v) => v.setUint8(0, linux)), ctx).State, windows, `Linux state ${linux}`);
    }
  });

  test('a current kernel: values, units and sources', () => {
    const li = linuxImage(280, (v) => {
      v.setUint8(0, 1);
      v.setUint8(5, 1 | 8); // timestamps, ECN
      v.setUint32(16, 1448, true); // snd_mss
      v.setUint32(68, 20_000, true); // rtt us
      v.setUint32(80, 10, true); // snd_cwnd (segments)
      v.setBigUint64(128, 777n, true); // bytes_received
      v.setUint32(148, 15_000, true); // min_rtt
      v.setBigUint64(168, 9_000_000n, true); // busy_time us
      v.setBigUint64(176, 2_000_000n, true); // rwnd_limited us
      v.setBigUint64(184, 3_000_000n, true); // sndbuf_limited us
      v.setBigUint64(200, 123_456n, true); // bytes_sent
      v.setBigUint64(208, 0x1_0000_0005n, true); // bytes_retrans
      v.setUint32(224, 3, true); // rcv_ooopack
      v.setUint32(228, 64_000, true); // snd_wnd
      v.setUint32(232, 128_000, true); // rcv_wnd
      v.setUint16(242, 4, true); // total_rto_recoveries
    });
    const w = mapped(li, ctx);
    assert.equal(w.Mss, 1448);
    assert.equal(w.Cwnd, 14_480);
    assert.equal(w.RttUs, 20_000);
    assert.equal(w.MinRttUs, 15_000);
    assert.equal(w.TimestampsEnabled, true);
    assert.equal(w.EcnNegotiated, true);
    assert.equal(w.BytesOut, 123_456n);
    assert.equal(w.BytesIn, 777n);
    assert.equal(w.BytesRetrans, 5, 'a 32-bit counter wraps');
    assert.equal(w.SndWnd, 64_000);
    assert.equal(w.RcvWnd, 128_000);
    assert.equal(w.TimeoutEpisodes, 4);
    assert.equal(w.OutOfOrderPktsIn, 3);
    assert.equal(w.SndLimTimeRwin, 2_000);
    assert.equal(w.SndLimTimeSnd, 3_000);
    assert.equal(w.SndLimTimeCwnd, 4_000, 'busy time not limited by rwnd or sndbuf');
    assert.equal(w.ConnectionTimeMs, 1500n);
    assert.equal(w.SynRetrans, 2);
    assert.equal(w.BytesInFlight, 4096);
    assert.equal(w.RcvBuf, 87380);
  });

  test('an older kernel returns a shorter tcp_info: the missing fields read as 0', () => {
    // 104 bytes: Linux 3.x ended after tcpi_total_retrans.
    const li = linuxImage(104, (v) => {
      v.setUint8(0, 1);
      v.setUint32(16, 1448, true);
      v.setUint32(80, 10, true);
      v.setBigUint64(200, 5n, true); // beyond the returned length: must be ignored
      v.setUint32(228, 9, true);
    });
    assert.equal(li.length, 104);
    assert.equal(li.bytesSent, undefined);
    const w = mapped(li, ctx);
    assert.equal(w.Cwnd, 14_480);
    assert.equal(w.BytesOut, 0n);
    assert.equal(w.SndWnd, 0);
    assert.equal(w.MinRttUs, 0);
    assert.equal(w.TimeoutEpisodes, 0);
  });

  test('64-bit byte counters stay exact above 2^53', () => {
    const li = linuxImage(280, (v) => {
      v.setUint8(0, 1);
      v.setBigUint64(128, 2n ** 53n + 1n, true); // bytes_received
      v.setBigUint64(200, 0xfedc_ba98_7654_3210n, true); // bytes_sent
      v.setBigUint64(208, 0x1_0000_0000_0007n, true); // bytes_retrans
    });
    const w = mapped(li, ctx);
    assert.equal(w.BytesIn, 2n ** 53n + 1n);
    assert.equal(w.BytesOut, 0xfedc_ba98_7654_3210n);
    assert.equal(w.BytesRetrans, 7);
  });

  test('a kernel before bytes_sent (4.19) falls back to bytes_acked', () => {
    const li = linuxImage(192, (v) => {
      v.setUint8(0, 1);
      v.setBigUint64(120, 4242n, true);
      v.setBigUint64(200, 1n, true);
    });
    assert.equal(mapped(li, ctx).BytesOut, 4242n);
  });
});
