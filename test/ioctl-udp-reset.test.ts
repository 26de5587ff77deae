/**
 * SIO_UDP_CONNRESET / SIO_UDP_NETRESET on the Linux emulation. On loopback, a datagram to a closed
 * UDP port draws an ICMP port-unreachable from the local kernel: the next receive fails once with
 * WSAECONNRESET (default), or, with SIO_UDP_CONNRESET FALSE, the report is dropped and receiving
 * goes on; sends never report it. TTL-expired and net-unreachable (WSAENETRESET) need a router: a
 * second network namespace joined by a veth pair, inside `unshare -n` (skipped where the host
 * does not allow it). Only loopback and documentation addresses are used.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as ws from 'wsaioctl/winsock';
import { lookupSocket } from '../dist/backend/linux/win32/socket-state.js';
import { pollOne as waitFd } from '../dist/backend/linux/host/poll.js';
import { SO_EE_ORIGIN_ICMP, SO_EE_ORIGIN_ICMP6, SO_EE_ORIGIN_LOCAL, windowsErrorForIcmp } from '../dist/backend/linux/sockets/udp-reset.js';
import { netnsSkip } from './helpers/netns.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const POLLERR = 0x8;

function bool(on: boolean): Uint8Array {
  const b = new Uint8Array(4);
  b[0] = on ? 1 : 0;
  return b;
}

function setFlag(s: number, code: number, on: boolean | Uint8Array | null, cb = 4) {
  const bytes = { value: 0xdead };
  const input = on instanceof Uint8Array || on === null ? on : bool(on);
  const rc = ws.WSAIoctl(s, code, input, cb, null, 0, bytes, null, null);
  return { rc, error: rc === 0 ? 0 : ws.WSAGetLastError(), bytes: bytes.value };
}

function udp(af = ws.AF_INET): number {
  const s = ws.socket(af, ws.SOCK_DGRAM, ws.IPPROTO_UDP);
  assert.notEqual(s, ws.INVALID_SOCKET);
  return s;
}

function nonBlocking(s: number): void {
  const bytes = { value: 0 };
  assert.equal(ws.WSAIoctl(s, ws.FIONBIO, bool(true), 4, null, 0, bytes, null, null), 0);
}

function receiveTimeout(s: number, ms: number): void {
  const v = new Uint8Array(4);
  new DataView(v.buffer).setUint32(0, ms, true);
  assert.equal(ws.setsockopt(s, ws.SOL_SOCKET, ws.SO_RCVTIMEO, v, 4), 0);
}

/** A loopback address with a port nobody listens on (bound, read, then closed). */
function closedPort(address = '127.0.0.1'): Uint8Array {
  const af = address.includes(':') ? ws.AF_INET6 : ws.AF_INET;
  const t = udp(af);
  const sa = ws.sockaddr(address, 0);
  assert.equal(ws.bind(t, sa, sa.length), 0);
  const name = new Uint8Array(sa.length);
  assert.equal(ws.getsockname(t, name, { value: name.length }), 0);
  ws.closesocket(t);
  return name;
}

function sendTo(s: number, to: Uint8Array, n = 8): number {
  return ws.sendto(s, new Uint8Array(n).fill(0x42), n, 0, to, to.length);
}

function recvFrom(s: number): { n: number; error: number } {
  const buf = new Uint8Array(256);
  const n = ws.recvfrom(s, buf, buf.length, 0, null, null);
  return { n, error: n === ws.SOCKET_ERROR ? ws.WSAGetLastError() : 0 };
}

/** Wait (bounded) until the kernel holds an error report for the socket: the ICMP has arrived. */
function waitForIcmp(s: number): void {
  const fd = lookupSocket(s)!.fd;
  assert.ok((waitFd(fd, 0, 5000) & POLLERR) !== 0, 'the ICMP error reached the socket');
}

function kernelErrorPending(s: number): boolean {
  const fd = lookupSocket(s)!.fd;
  return (waitFd(fd, 0, 1) & POLLERR) !== 0;
}

before(() => {
  assert.equal(ws.WSAStartup(0x0202, ws.newWSADATA()), 0);
});

after(() => {
  ws.WSACleanup();
});

describe('SIO_UDP_CONNRESET on loopback', () => {
  test('default on: after a datagram to a closed port, the next recvfrom fails once with WSAECONNRESET', () => {
    const s = udp();
    receiveTimeout(s, 10_000);
    assert.equal(sendTo(s, closedPort()), 8);
    assert.deepEqual(recvFrom(s), { n: ws.SOCKET_ERROR, error: ws.WSAECONNRESET });
    nonBlocking(s);
    assert.deepEqual(recvFrom(s), { n: ws.SOCKET_ERROR, error: ws.WSAEWOULDBLOCK }, 'reported once');
    ws.closesocket(s);
  });

  test('sends never report it; each ICMP is one failed receive', () => {
    const s = udp();
    nonBlocking(s);
    const dead = closedPort();
    assert.equal(sendTo(s, dead), 8);
    waitForIcmp(s);
    assert.equal(sendTo(s, dead), 8, 'a send with a report pending succeeds (Linux alone would say ECONNREFUSED)');
    waitForIcmp(s);
    assert.equal(recvFrom(s).error, ws.WSAECONNRESET);
    let errors = 1;
    for (let i = 0; i < 5; i++) {
      const r = recvFrom(s);
      if (r.error === ws.WSAEWOULDBLOCK) break;
      assert.equal(r.error, ws.WSAECONNRESET);
      errors++;
    }
    assert.equal(errors, 2, 'two datagrams, two reports');
    assert.equal(kernelErrorPending(s), false);
    ws.closesocket(s);
  });

  test('off: the report is dropped, a non-blocking recvfrom says WSAEWOULDBLOCK, later data arrives', () => {
    const s = udp();
    const r = setFlag(s, ws.SIO_UDP_CONNRESET, false);
    assert.deepEqual(r, { rc: 0, error: 0, bytes: 0 });
    nonBlocking(s);
    assert.equal(sendTo(s, closedPort()), 8);
    waitForIcmp(s);
    assert.deepEqual(recvFrom(s), { n: ws.SOCKET_ERROR, error: ws.WSAEWOULDBLOCK });
    assert.equal(kernelErrorPending(s), false, 'the report was consumed, not left behind');
    // Data sent afterwards arrives normally.
    const me = new Uint8Array(16);
    assert.equal(ws.getsockname(s, me, { value: 16 }), 0);
    const to = ws.sockaddr('127.0.0.1', ws.parseSockaddr(me).port);
    const peer = udp();
    assert.equal(sendTo(peer, to, 5), 5);
    let got = recvFrom(s);
    for (let i = 0; i < 500 && got.error === ws.WSAEWOULDBLOCK; i++) {
      waitFd(lookupSocket(s)!.fd, 0x1, 10);
      got = recvFrom(s);
    }
    assert.deepEqual(got, { n: 5, error: 0 });
    // And turning it back on reports again.
    assert.equal(setFlag(s, ws.SIO_UDP_CONNRESET, true).rc, 0);
    assert.equal(sendTo(s, closedPort()), 8);
    waitForIcmp(s);
    assert.equal(recvFrom(s).error, ws.WSAECONNRESET);
    ws.closesocket(s);
    ws.closesocket(peer);
  });

  test('off, blocking: the report does not end the wait; the next datagram does', () => {
    const s = udp();
    assert.equal(setFlag(s, ws.SIO_UDP_CONNRESET, false).rc, 0);
    receiveTimeout(s, 300);
    assert.equal(sendTo(s, closedPort()), 8);
    waitForIcmp(s);
    assert.deepEqual(recvFrom(s), { n: ws.SOCKET_ERROR, error: ws.WSAETIMEDOUT }, 'nothing to receive: the time-out, not a reset');
    ws.closesocket(s);
  });

  test('SIO_UDP_NETRESET off does not silence port-unreachable', () => {
    const s = udp();
    assert.equal(setFlag(s, ws.SIO_UDP_NETRESET, false).rc, 0);
    receiveTimeout(s, 10_000);
    assert.equal(sendTo(s, closedPort()), 8);
    assert.equal(recvFrom(s).error, ws.WSAECONNRESET);
    ws.closesocket(s);
  });

  test('a connected UDP socket: recv fails once, the next send works', () => {
    const s = udp();
    const dead = closedPort();
    assert.equal(ws.connect(s, dead, 16), 0);
    receiveTimeout(s, 10_000);
    assert.equal(ws.send(s, new Uint8Array(4), 4, 0), 4);
    waitForIcmp(s);
    assert.equal(ws.send(s, new Uint8Array(4), 4, 0), 4, 'no ECONNREFUSED on send');
    assert.equal(recvFrom(s).error, ws.WSAECONNRESET);
    ws.closesocket(s);
  });

  test('IPv6: ICMPv6 port unreachable on ::1 is WSAECONNRESET too', () => {
    const s = udp(ws.AF_INET6);
    receiveTimeout(s, 10_000);
    assert.equal(sendTo(s, closedPort('::1')), 8);
    assert.equal(recvFrom(s).error, ws.WSAECONNRESET);
    ws.closesocket(s);
  });

  test('a pending report wakes a blocked recvfrom (the ICMP arrives while it waits)', async () => {
    const s = udp();
    receiveTimeout(s, 10_000);
    assert.equal(ws.bind(s, ws.sockaddr('127.0.0.1', 0), 16), 0, 'recvfrom needs a bound socket');
    const fd = lookupSocket(s)!.fd;
    const dead = closedPort();
    const signal = new Int32Array(new SharedArrayBuffer(4));
    // Another thread sends on the same host fd once this thread is about to block.
    const libcUrl = new URL('../dist/backend/linux/host/libc.js', import.meta.url).href;
    const worker = new Worker(`
      const { workerData } = require('node:worker_threads');
      (async () => {
        const libc = await import(workerData.libcUrl);
        const flag = workerData.signal;
        Atomics.wait(flag, 0, 0, 5000);
        Atomics.wait(flag, 0, 1, 50); // give the receiver time to enter poll()
        const to = new Uint8Array(workerData.dead);
        libc.sendto(workerData.fd, new Uint8Array(4), 4, 0, to, 16);
      })();
    `, { eval: true, workerData: { libcUrl, signal, fd, dead: [...dead] } });
    Atomics.store(signal, 0, 1);
    Atomics.notify(signal, 0);
    const r = recvFrom(s);
    await new Promise((resolve) => worker.once('exit', resolve));
    assert.deepEqual(r, { n: ws.SOCKET_ERROR, error: ws.WSAECONNRESET });
    ws.closesocket(s);
  });
});

describe('SIO_UDP_CONNRESET / SIO_UDP_NETRESET argument rules', () => {
  for (const [name, code] of [['SIO_UDP_CONNRESET', ws.SIO_UDP_CONNRESET], ['SIO_UDP_NETRESET', ws.SIO_UDP_NETRESET]] as const) {
    test(`${name}: success returns 0 bytes; short or null input WSAEFAULT; TCP WSAEOPNOTSUPP`, () => {
      const s = udp();
      assert.deepEqual(setFlag(s, code, true), { rc: 0, error: 0, bytes: 0 });
      assert.deepEqual(setFlag(s, code, new Uint8Array([0, 0, 0, 0, 9, 9, 9, 9]), 8), { rc: 0, error: 0, bytes: 0 });
      for (const [input, cb] of [[null, 0], [bool(true), 3], [bool(true), 0]] as const) {
        const r = setFlag(s, code, input, cb);
        assert.equal(r.rc, ws.SOCKET_ERROR);
        assert.equal(r.error, ws.WSAEFAULT, `cbInBuffer ${cb}`);
        assert.equal(r.bytes, 0);
      }
      assert.equal(setFlag(s, code, null, 4).error, ws.WSAEFAULT, 'null with a size');
      ws.closesocket(s);
      const t = ws.socket(ws.AF_INET, ws.SOCK_STREAM, ws.IPPROTO_TCP);
      const r = setFlag(t, code, true);
      assert.equal(r.error, ws.WSAEOPNOTSUPP);
      assert.equal(r.bytes, 0);
      ws.closesocket(t);
    });
  }

  test('the flags are per socket and start TRUE', () => {
    const a = udp();
    const b = udp();
    assert.equal(setFlag(a, ws.SIO_UDP_CONNRESET, false).rc, 0);
    receiveTimeout(b, 10_000);
    assert.equal(sendTo(b, closedPort()), 8);
    assert.equal(recvFrom(b).error, ws.WSAECONNRESET);
    ws.closesocket(a);
    ws.closesocket(b);
  });
});

describe('ICMP report -> Winsock error (pure)', () => {
  const on = { connReset: true, netReset: true };
  const off = { connReset: false, netReset: false };
  const cases: Array<[string, number, number, number, number]> = [
    ['ICMP port unreachable', SO_EE_ORIGIN_ICMP, 3, 3, ws.WSAECONNRESET],
    ['ICMP TTL exceeded in transit', SO_EE_ORIGIN_ICMP, 11, 0, ws.WSAENETRESET],
    ['ICMP fragment reassembly time exceeded', SO_EE_ORIGIN_ICMP, 11, 1, ws.WSAENETRESET],
    ['ICMP net unreachable', SO_EE_ORIGIN_ICMP, 3, 0, ws.WSAENETRESET],
    ['ICMP net unknown', SO_EE_ORIGIN_ICMP, 3, 6, ws.WSAENETRESET],
    ['ICMP host unreachable', SO_EE_ORIGIN_ICMP, 3, 1, 0],
    ['ICMP fragmentation needed (path MTU)', SO_EE_ORIGIN_ICMP, 3, 4, 0],
    ['ICMP admin prohibited', SO_EE_ORIGIN_ICMP, 3, 13, 0],
    ['ICMPv6 port unreachable', SO_EE_ORIGIN_ICMP6, 1, 4, ws.WSAECONNRESET],
    ['ICMPv6 no route', SO_EE_ORIGIN_ICMP6, 1, 0, ws.WSAENETRESET],
    ['ICMPv6 hop limit exceeded', SO_EE_ORIGIN_ICMP6, 3, 0, ws.WSAENETRESET],
    ['ICMPv6 address unreachable', SO_EE_ORIGIN_ICMP6, 1, 3, 0],
    ['ICMPv6 packet too big', SO_EE_ORIGIN_ICMP6, 2, 0, 0],
    ['local error (EMSGSIZE)', SO_EE_ORIGIN_LOCAL, 0, 0, 0],
  ];
  for (const [what, origin, type, code, expected] of cases) {
    test(what, () => {
      assert.equal(windowsErrorForIcmp({ origin, type, code }, on), expected);
      assert.equal(windowsErrorForIcmp({ origin, type, code }, off), 0, 'flags off: dropped');
    });
  }
  test('each flag governs only its own error', () => {
    const port = { origin: SO_EE_ORIGIN_ICMP, type: 3, code: 3 };
    const ttl = { origin: SO_EE_ORIGIN_ICMP, type: 11, code: 0 };
    assert.equal(windowsErrorForIcmp(port, { connReset: true, netReset: false }), ws.WSAECONNRESET);
    assert.equal(windowsErrorForIcmp(ttl, { connReset: true, netReset: false }), 0);
    assert.equal(windowsErrorForIcmp(port, { connReset: false, netReset: true }), 0);
    assert.equal(windowsErrorForIcmp(ttl, { connReset: false, netReset: true }), ws.WSAENETRESET);
  });
});

describe('SIO_UDP_NETRESET through a router in a network namespace', () => {
  // This namespace (192.0.2.1) -- veth -- router namespace (192.0.2.2, forwarding): 198.51.100.0/24
  // is routed on through the router (TTL 1 expires there: ICMP time exceeded), 203.0.113.0/24 is
  // sent to the router, which has no route for it (ICMP net unreachable).
  const SETUP = `
    set -e
    ip link set lo up
    unshare -n sleep 60 &
    R=$!
    trap 'kill $R' EXIT
    i=0
    while [ "$(readlink /proc/$R/ns/net)" = "$(readlink /proc/self/ns/net)" ] && [ $i -lt 500 ]; do sleep 0.01; i=$((i+1)); done
    ip link add va type veth peer name vb
    ip link set vb netns $R
    ip addr add 192.0.2.1/24 dev va
    ip link set va up
    nsenter -t $R -n sh -c 'set -e; ip link set lo up; ip addr add 192.0.2.2/24 dev vb; ip link set vb up;
      echo 1 > /proc/sys/net/ipv4/ip_forward; echo 0 > /proc/sys/net/ipv4/icmp_ratelimit;
      ip link add vc type veth peer name vd; ip link set vc up; ip link set vd up; ip route add 198.51.100.0/24 dev vc'
    ip route add 198.51.100.0/24 via 192.0.2.2
    ip route add 203.0.113.0/24 via 192.0.2.2
    "${process.execPath}" --input-type=module -e "$0"
  `;
  const SCRIPT = `
    import * as ws from 'wsaioctl/winsock';
    import { lookupSocket } from './dist/backend/linux/win32/socket-state.js';
    import { pollOne as waitFd } from './dist/backend/linux/host/poll.js';
    ws.WSAStartup(0x0202, ws.newWSADATA());
    const u32 = (n) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, n, true); return b; };
    const recv = (s) => { const b = new Uint8Array(64); const n = ws.recvfrom(s, b, 64, 0, null, null); return n < 0 ? ws.WSAGetLastError() : n; };
    const send = (s, to) => ws.sendto(s, new Uint8Array(8), 8, 0, to, 16);
    const make = (ttl) => {
      const s = ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP);
      ws.setsockopt(s, ws.SOL_SOCKET, ws.SO_RCVTIMEO, u32(10000), 4);
      ws.setsockopt(s, ws.IPPROTO_IP, ws.IP_TTL, u32(ttl), 4);
      return s;
    };
    const flag = (s, code, on) => ws.WSAIoctl(s, code, u32(on ? 1 : 0), 4, null, 0, { value: 0 }, null, null);
    const out = {};
    // Net unreachable first (the router rate-limits it per source).
    let s = make(64);
    out.netUnreachSend = send(s, ws.sockaddr('203.0.113.7', 9));
    out.netUnreach = recv(s);
    ws.closesocket(s);
    s = make(1);
    out.ttlSend = send(s, ws.sockaddr('198.51.100.7', 9));
    out.ttl = recv(s);
    ws.closesocket(s);
    // CONNRESET off does not silence NETRESET.
    s = make(1);
    flag(s, ws.SIO_UDP_CONNRESET, false);
    send(s, ws.sockaddr('198.51.100.8', 9));
    out.ttlConnResetOff = recv(s);
    ws.closesocket(s);
    // NETRESET off: the report is consumed silently; a later datagram is received.
    s = make(1);
    out.flagOff = flag(s, ws.SIO_UDP_NETRESET, false);
    send(s, ws.sockaddr('198.51.100.9', 9));
    out.icmpArrived = (waitFd(lookupSocket(s).fd, 0, 5000) & 8) !== 0;
    ws.WSAIoctl(s, ws.FIONBIO, u32(1), 4, null, 0, { value: 0 }, null, null);
    out.ttlNetResetOff = recv(s);
    const me = new Uint8Array(16);
    ws.getsockname(s, me, { value: 16 });
    const peer = ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP);
    ws.sendto(peer, new Uint8Array(5), 5, 0, ws.sockaddr('127.0.0.1', ws.parseSockaddr(me).port), 16);
    waitFd(lookupSocket(s).fd, 1, 5000);
    out.dataAfter = recv(s);
    console.log(JSON.stringify(out));
  `;
  test('TTL expired and net unreachable are WSAENETRESET; off drops them', { skip: netnsSkip() }, () => {
    const child = spawnSync('unshare', ['-n', 'sh', '-c', SETUP, SCRIPT], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    assert.equal(child.status, 0, child.stderr);
    const out = JSON.parse(child.stdout.trim().split('\n').pop()!);
    assert.deepEqual(out, {
      netUnreachSend: 8,
      netUnreach: ws.WSAENETRESET,
      ttlSend: 8,
      ttl: ws.WSAENETRESET,
      ttlConnResetOff: ws.WSAENETRESET,
      flagOff: 0,
      icmpArrived: true,
      ttlNetResetOff: ws.WSAEWOULDBLOCK,
      dataAfter: 5,
    });
  });
});
