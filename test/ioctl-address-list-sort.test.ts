/**
 * SIO_ADDRESS_LIST_SORT through WSAIoctl on the Linux emulation: the order on this host, the three
 * output shapes (copies in the output, entries only, in place), and the error rules. Only loopback
 * and documentation addresses; a UDP connect() sends nothing. The unreachable case runs in a fresh
 * network namespace (unshare -n) when the host allows it.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as ws from 'wsaioctl/winsock';
import { addressOf } from '../dist/backend/linux/host/libc.js';
import { kernelSourceFor } from '../dist/backend/linux/address-selection/kernel-source.js';
import { ip, policyOf, scopeOf } from '../dist/backend/linux/address-selection/rfc6724.js';
import { netnsSkip } from './helpers/netns.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const GUARD = 0xa5;

function list(addresses: string[], extra = 0): { buf: Uint8Array; sockaddrs: Uint8Array[] } {
  const sockaddrs = addresses.map((a) => ws.sockaddr(a.includes(':') ? a : `::ffff:${a}`, 443));
  const buf = new Uint8Array(ws.socketAddressListSize(sockaddrs) + extra);
  ws.encodeSocketAddressList(sockaddrs, buf, addressOf(buf));
  return { buf, sockaddrs };
}

function textOf(sa: Uint8Array): string {
  const info = ws.parseSockaddr(sa);
  return info.scopeId ? `${info.address}%${info.scopeId}` : info.address;
}

function sorted(out: Uint8Array, bytes: number, base = addressOf(out)): string[] {
  return ws.decodeSocketAddressList(out.subarray(0, bytes), base).map((e) => textOf(e.sockaddr));
}

function ioctl(s: number, input: Uint8Array | null, cbIn: number, output: Uint8Array | null, cbOut: number) {
  const bytes = { value: 0xdead };
  const rc = ws.WSAIoctl(s, ws.SIO_ADDRESS_LIST_SORT, input, cbIn, output, cbOut, bytes, null, null);
  return { rc, error: rc === 0 ? 0 : ws.WSAGetLastError(), bytes: bytes.value };
}

let s6 = 0;
let s4 = 0;

before(() => {
  assert.equal(ws.WSAStartup(0x0202, ws.newWSADATA()), 0);
  s6 = ws.socket(ws.AF_INET6, ws.SOCK_DGRAM, ws.IPPROTO_UDP);
  s4 = ws.socket(ws.AF_INET, ws.SOCK_DGRAM, ws.IPPROTO_UDP);
  assert.notEqual(s6, ws.INVALID_SOCKET);
  assert.notEqual(s4, ws.INVALID_SOCKET);
});

after(() => {
  ws.closesocket(s6);
  ws.closesocket(s4);
  ws.WSACleanup();
});

describe('SIO_ADDRESS_LIST_SORT on this host', () => {
  const INPUT = ['::ffff:127.0.0.1', '2001:db8::1', '::1'];
  // Where 2001:db8::1 lands depends on this host's routes: with no IPv6 route it has no source
  // and goes last (Rule 1); with a ULA source (label 13) its label does not match and it still
  // goes last (Rule 5); with a global source (label 1) it beats IPv4 on precedence (Rule 6).
  const doc = kernelSourceFor(ip('2001:db8::1'), 0);
  const docBeatsIPv4 = doc.ok && policyOf(doc.source).label === policyOf(ip('2001:db8::1')).label
    && scopeOf(doc.source) === scopeOf(ip('2001:db8::1'));
  const WANT = docBeatsIPv4 ? ['::1', '2001:db8::1', '::ffff:127.0.0.1'] : ['::1', '::ffff:127.0.0.1', '2001:db8::1'];

  test('order: ::1 first, 2001:db8::1 placed by this host\'s routes; copies in the output, guard intact', () => {
    const { buf } = list(INPUT);
    const before = buf.slice();
    const need = buf.length;
    const out = new Uint8Array(need + 32).fill(GUARD);
    const r = ioctl(s6, buf, buf.length, out, need);
    assert.equal(r.rc, 0, `error ${r.error}`);
    assert.equal(r.bytes, need);
    assert.deepEqual(sorted(out, r.bytes), WANT);
    // Pointers lead into the output buffer itself.
    const entries = ws.decodeSocketAddressList(out.subarray(0, r.bytes), addressOf(out));
    for (const e of entries) assert.ok(e.offset >= 8 + 16 * 3 && e.offset + e.length <= need);
    assert.ok(out.subarray(need).every((b) => b === GUARD), 'nothing written past cbOutBuffer');
    assert.deepEqual(buf, before, 'input untouched');
  });

  test('in place: the same buffer as input and output', () => {
    const { buf } = list(INPUT);
    const r = ioctl(s6, buf, buf.length, buf, buf.length);
    assert.equal(r.rc, 0, `error ${r.error}`);
    assert.equal(r.bytes, buf.length);
    assert.deepEqual(sorted(buf, r.bytes), WANT);
  });

  test('output with room for the entries only: they keep the caller\'s own pointers (as Windows)', () => {
    const { buf } = list(INPUT);
    const before = buf.slice();
    const inView = new DataView(buf.buffer, buf.byteOffset);
    const pointerOf = new Map<string, bigint>();
    for (let i = 0; i < 3; i++) {
      const p = inView.getBigUint64(8 + 16 * i, true);
      const off = Number(p - addressOf(buf));
      pointerOf.set(textOf(buf.subarray(off, off + 28)), p);
    }
    const cb = 8 + 16 * 3;
    const out = new Uint8Array(cb + 16).fill(GUARD);
    const r = ioctl(s6, buf, buf.length, out, cb);
    assert.equal(r.rc, 0, `error ${r.error}`);
    assert.equal(r.bytes, cb);
    const view = new DataView(out.buffer, out.byteOffset);
    assert.equal(view.getInt32(0, true), 3);
    WANT.forEach((want, i) => {
      assert.equal(view.getBigUint64(8 + 16 * i, true), pointerOf.get(want), want);
      assert.equal(view.getInt32(8 + 16 * i + 8, true), 28);
    });
    assert.ok(out.subarray(cb).every((b) => b === GUARD));
    assert.deepEqual(buf, before);
  });

  test('output too small for the entries: WSAEFAULT, bytes returned = what the entries need, output untouched', () => {
    const { buf } = list(INPUT);
    const out = new Uint8Array(64).fill(GUARD);
    const r = ioctl(s6, buf, buf.length, out, 8 + 16 * 3 - 1);
    assert.equal(r.rc, ws.SOCKET_ERROR);
    assert.equal(r.error, ws.WSAEFAULT);
    assert.equal(r.bytes, 8 + 16 * 3);
    assert.ok(out.every((b) => b === GUARD));
  });

  test('a link-local destination without its zone is invalid and dropped; with the zone of lo it stays', () => {
    const { buf } = list(['fe80::1', '::1']);
    const out = new Uint8Array(buf.length);
    const r = ioctl(s6, buf, buf.length, out, out.length);
    assert.equal(r.rc, 0, `error ${r.error}`);
    assert.deepEqual(sorted(out, r.bytes), ['::1']);
    assert.equal(new DataView(out.buffer).getInt32(0, true), 1);
  });

  test('an empty list succeeds with 8 bytes', () => {
    const buf = new Uint8Array(8);
    const r = ioctl(s6, buf, 8, buf, 8);
    assert.deepEqual([r.rc, r.bytes], [0, 8]);
  });

  test('the kernel probes leave no descriptor behind', () => {
    const { buf } = list(['::1', '::ffff:127.0.0.1', '2001:db8::1', 'fe80::1']);
    const out = new Uint8Array(buf.length);
    const fds = () => readdirSync('/proc/self/fd').length;
    const before = fds();
    for (let i = 0; i < 50; i++) assert.equal(ioctl(s6, buf, buf.length, out, out.length).rc, 0);
    assert.equal(fds(), before);
  });

  test('sorting an already sorted list changes nothing (idempotent)', () => {
    const { buf } = list(WANT);
    const out = new Uint8Array(buf.length);
    const r = ioctl(s6, buf, buf.length, out, out.length);
    assert.deepEqual(sorted(out, r.bytes), WANT);
  });
});

describe('SIO_ADDRESS_LIST_SORT errors', () => {
  test('an AF_INET socket: WSAEINVAL', () => {
    const { buf } = list(['::1']);
    const r = ioctl(s4, buf, buf.length, new Uint8Array(buf.length), buf.length);
    assert.equal(r.error, ws.WSAEINVAL);
  });

  test('input null or shorter than the header: WSAEFAULT', () => {
    assert.equal(ioctl(s6, null, 0, new Uint8Array(64), 64).error, ws.WSAEFAULT);
    assert.equal(ioctl(s6, new Uint8Array(8), 7, new Uint8Array(64), 64).error, ws.WSAEFAULT);
  });

  test('input shorter than its own entry array: WSAEFAULT', () => {
    const { buf } = list(['::1', '::ffff:127.0.0.1']);
    assert.equal(ioctl(s6, buf, 8 + 16, new Uint8Array(256), 256).error, ws.WSAEFAULT);
  });

  test('a negative count: WSAEINVAL', () => {
    const buf = new Uint8Array(64);
    new DataView(buf.buffer).setInt32(0, -1, true);
    assert.equal(ioctl(s6, buf, buf.length, new Uint8Array(64), 64).error, ws.WSAEINVAL);
  });

  test('an entry pointing outside the input buffer: WSAEFAULT', () => {
    const { buf } = list(['::1']);
    const elsewhere = ws.sockaddr('::1', 0);
    new DataView(buf.buffer).setBigUint64(8, addressOf(elsewhere), true);
    assert.equal(ioctl(s6, buf, buf.length, new Uint8Array(256), 256).error, ws.WSAEFAULT);
    // A sockaddr that starts inside but runs past cbInBuffer is outside too.
    const { buf: b2 } = list(['::1']);
    assert.equal(ioctl(s6, b2, b2.length - 1, new Uint8Array(256), 256).error, ws.WSAEFAULT);
  });

  test('an entry that is not a SOCKADDR_IN6 (AF_INET, or too short): WSAEINVAL', () => {
    const v4 = ws.sockaddr('127.0.0.1', 0);
    const padded = new Uint8Array(28);
    padded.set(v4);
    const buf = new Uint8Array(64);
    ws.encodeSocketAddressList([padded], buf, addressOf(buf));
    assert.equal(ioctl(s6, buf, buf.length, new Uint8Array(256), 256).error, ws.WSAEINVAL);
    const { buf: short } = list(['::1']);
    new DataView(short.buffer).setInt32(16, 16, true);
    assert.equal(ioctl(s6, short, short.length, new Uint8Array(256), 256).error, ws.WSAEINVAL);
  });

  test('errors leave the output untouched', () => {
    const { buf } = list(['::1']);
    new DataView(buf.buffer).setInt32(16, 16, true);
    const out = new Uint8Array(256).fill(GUARD);
    ioctl(s6, buf, buf.length, out, out.length);
    assert.ok(out.every((b) => b === GUARD));
  });
});

describe('SIO_ADDRESS_LIST_SORT with nothing but loopback (network namespace)', () => {
  test('an unreachable destination stays in the list, last (Rule 1)', { skip: netnsSkip() }, () => {
    const script = `
      import * as ws from 'wsaioctl/winsock';
      import { addressOf } from './dist/backend/linux/host/libc.js';
      import { kernelSourceFor } from './dist/backend/linux/address-selection/kernel-source.js';
      import { ip } from './dist/backend/linux/address-selection/rfc6724.js';
      ws.WSAStartup(0x0202, ws.newWSADATA());
      const s = ws.socket(ws.AF_INET6, ws.SOCK_DGRAM, 0);
      const sas = ['2001:db8::1', '::ffff:127.0.0.1', '::1'].map((a) => ws.sockaddr(a, 0));
      const buf = new Uint8Array(ws.socketAddressListSize(sas));
      ws.encodeSocketAddressList(sas, buf, addressOf(buf));
      const bytes = { value: 0 };
      const rc = ws.WSAIoctl(s, ws.SIO_ADDRESS_LIST_SORT, buf, buf.length, buf, buf.length, bytes, null, null);
      const order = ws.decodeSocketAddressList(buf.subarray(0, bytes.value), addressOf(buf)).map((e) => ws.parseSockaddr(e.sockaddr).address);
      const probe = kernelSourceFor(ip('2001:db8::1'), 0);
      console.log(JSON.stringify({ rc, order, errno: probe.ok ? 0 : probe.errno }));`;
    const child = spawnSync('unshare', ['-n', 'sh', '-c', `ip link set lo up 2>/dev/null || true; exec "${process.execPath}" --input-type=module -e "$0"`, script], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
    assert.equal(child.status, 0, child.stderr);
    const { rc, order, errno } = JSON.parse(child.stdout.trim().split('\n').pop()!);
    assert.equal(errno, 101, 'the kernel has no route to 2001:db8::1 here (ENETUNREACH)');
    assert.equal(rc, 0);
    assert.deepEqual(order, ['::1', '::ffff:127.0.0.1', '2001:db8::1']);
  });
});
