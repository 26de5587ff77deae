/**
 * SIO_ADDRESS_LIST_QUERY through WSAIoctl on the Linux emulation: Wine's test_address_list_query
 * rules (sizes, WSAEFAULT with the required size, WSAEINVAL below the header, untouched buffers),
 * the pointers (native addresses into the caller's own buffer, view offsets included), the
 * addresses against the kernel's dumps, and the lab namespace (tentative, deprecated, DAD-failed,
 * no-carrier, down and loopback addresses left out; link-local scope ids).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as ws from 'wsaioctl/winsock';
import { withSocket } from './helpers/sockets.js';
import { addressOf } from '../dist/backend/linux/host/libc.js';
import * as nl from '../dist/backend/linux/netlink/index.js';
import { LAB, LAB_FACTS, lastJson, netnsSkip, runInNetns, script } from './helpers/netns.js';
import type { IoctlAnswer, IoctlRequest } from './helpers/ioctl-child.js';

const FILL = 0xcc;

function call(s: number, output: Uint8Array | null, cbOut: number, input: Uint8Array | null = null, cbIn = input?.length ?? 0) {
  const bytes = { value: 0xdeadbeef };
  const rc = ws.WSAIoctl(s, ws.SIO_ADDRESS_LIST_QUERY, input, cbIn, output, cbOut, bytes, null, null);
  return { rc, error: rc === 0 ? 0 : ws.WSAGetLastError(), bytes: bytes.value };
}


const textOf = (sa: Uint8Array): string => {
  const info = ws.parseSockaddr(sa);
  return info.scopeId ? `${info.address}%${info.scopeId}` : info.address;
};

/**
 * Check a written list: every lpSockaddr is `base` + an offset inside [header + entries, bytes),
 * iSockaddrLength is the family's size, the sockaddr has port 0; returns the addresses as text.
 */
function checkList(buf: Uint8Array, bytes: number, base: bigint, family: number): string[] {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const count = view.getInt32(0, true);
  assert.equal(view.getInt32(4, true), 0, 'padding after iAddressCount');
  const entries = ws.decodeSocketAddressList(buf.subarray(0, bytes), base);
  assert.equal(entries.length, count);
  const size = family === ws.AF_INET ? 16 : 28;
  let end = 8 + 16 * count;
  entries.forEach((e, i) => {
    const pointer = view.getBigUint64(8 + 16 * i, true);
    assert.equal(pointer, base + BigInt(e.offset), `entry ${i}: pointer = buffer address + offset`);
    assert.ok(e.offset >= 8 + 16 * count && e.offset + size <= bytes, `entry ${i} inside the list`);
    assert.equal(view.getInt32(8 + 16 * i + 8, true), size);
    assert.equal(view.getInt32(8 + 16 * i + 12, true), 0, 'SOCKET_ADDRESS padding');
    const info = ws.parseSockaddr(e.sockaddr);
    assert.equal(info.family, family);
    assert.equal(info.port, 0);
    if (family === ws.AF_INET6) assert.equal(info.flowInfo, 0);
    end = Math.max(end, e.offset + size);
  });
  assert.equal(bytes, ws.socketAddressListSize(entries.map((e) => e.sockaddr)), 'bytes returned = the list size');
  assert.ok(end <= bytes);
  return entries.map((e) => textOf(e.sockaddr));
}

/** What the kernel's dumps say Windows would list (the rule under test, restated independently). */
function expectedHere(version: 4 | 6): string[] {
  const host = nl.hostAddresses(version);
  assert.ok(host.ok);
  return host.value
    .filter((a) => !a.tentative && !a.dadFailed && !a.deprecated && a.scope !== nl.RT_SCOPE.HOST)
    .filter((a) => (a.link.flags & (nl.LINUX_IFF.UP | nl.LINUX_IFF.RUNNING)) === (nl.LINUX_IFF.UP | nl.LINUX_IFF.RUNNING))
    .filter((a) => !((a.link.flags & nl.LINUX_IFF.LOOPBACK) && (a.address[0] === 127 || (a.address[0] === 0xfe && (a.address[1]! & 0xc0) === 0x80))))
    .map((a) => {
      const text = version === 4 ? [...a.address].join('.') : ws.decodeIPv6(a.address);
      return version === 6 && a.address[0] === 0xfe && (a.address[1]! & 0xc0) === 0x80 ? `${text}%${a.index}` : text;
    });
}

before(() => ws.WSAStartup(ws.MAKEWORD(2, 2), ws.newWSADATA()));
after(() => ws.WSACleanup());

describe('SIO_ADDRESS_LIST_QUERY on this host', () => {
  for (const [label, af] of [['IPv4', ws.AF_INET], ['IPv6', ws.AF_INET6]] as const) {
    test(`${label}: size query, then the list with real pointers into the buffer`, () => {
      for (const type of [ws.SOCK_STREAM, ws.SOCK_DGRAM]) {
        withSocket(af, type, (s) => {
          const probe = call(s, null, 0);
          assert.equal(probe.rc, -1);
          assert.equal(probe.error, ws.WSAEFAULT);
          assert.ok(probe.bytes >= 8, `required size ${probe.bytes}`);
          const out = new Uint8Array(probe.bytes + 32).fill(FILL);
          const r = call(s, out, out.length);
          assert.equal(r.rc, 0, `error ${r.error}`);
          assert.equal(r.bytes, probe.bytes);
          assert.ok(out.subarray(r.bytes).every((b) => b === FILL), 'nothing written past the list');
          const addresses = checkList(out, r.bytes, addressOf(out), af);
          assert.deepEqual(addresses, expectedHere(af === ws.AF_INET ? 4 : 6));
          assert.ok(!addresses.includes('127.0.0.1') && !addresses.includes('::1'), 'loopback addresses are left out');
        });
      }
    });
  }

  test('the pointers follow the view: a subarray at an offset gets its own native addresses', () => {
    withSocket(ws.AF_INET6, ws.SOCK_DGRAM, (s) => {
      const need = call(s, null, 0).bytes;
      const backing = new Uint8Array(need + 64).fill(FILL);
      const view = backing.subarray(24, 24 + need);
      const r = call(s, view, view.length);
      assert.equal(r.rc, 0);
      assert.equal(addressOf(view), addressOf(backing) + 24n);
      checkList(view, r.bytes, addressOf(view), ws.AF_INET6);
      assert.ok(backing.subarray(0, 24).every((b) => b === FILL) && backing.subarray(24 + need).every((b) => b === FILL));
    });
  });

  test('Wine\'s size rules: 0, null, header-only -> WSAEFAULT + required size; 1..7 -> WSAEINVAL, 0 bytes', () => {
    withSocket(ws.AF_INET, ws.SOCK_STREAM, (s) => {
      const need = call(s, null, 0).bytes;
      const out = new Uint8Array(1024).fill(FILL);
      assert.deepEqual(call(s, out, 0), { rc: -1, error: ws.WSAEFAULT, bytes: need });
      assert.deepEqual(call(s, null, 1024), { rc: -1, error: ws.WSAEFAULT, bytes: need }, 'null with a size: still the required size');
      for (const size of [1, 4, 7]) assert.deepEqual(call(s, out, size), { rc: -1, error: ws.WSAEINVAL, bytes: 0 }, `size ${size}`);
      assert.deepEqual(call(s, out, 8), need > 8 ? { rc: -1, error: ws.WSAEFAULT, bytes: need } : { rc: 0, error: 0, bytes: 8 });
      if (need > 8) assert.deepEqual(call(s, out, need - 1), { rc: -1, error: ws.WSAEFAULT, bytes: need });
      assert.ok(out.every((b) => b === FILL), 'the buffer is untouched by every failure (iAddressCount not written)');
      // a buffer shorter than the size it claims is a bad pointer: the dispatcher's WSAEFAULT, untouched count
      assert.deepEqual(call(s, new Uint8Array(4), 1024), { rc: -1, error: ws.WSAEFAULT, bytes: 0xdeadbeef });
    });
  });

  test('a non-zero cbInBuffer: WSAEINVAL; the input is never written', () => {
    withSocket(ws.AF_INET, ws.SOCK_DGRAM, (s) => {
      const input = Uint8Array.of(1, 2, 3, 4);
      const out = new Uint8Array(1024).fill(FILL);
      assert.deepEqual(call(s, out, out.length, input), { rc: -1, error: ws.WSAEINVAL, bytes: 0 });
      assert.deepEqual([...input], [1, 2, 3, 4]);
      assert.ok(out.every((b) => b === FILL));
      assert.equal(call(s, out, out.length, input, 0).rc, 0, 'an input buffer with cbInBuffer 0 is fine');
    });
  });
});

describe('SIO_ADDRESS_LIST_QUERY in the lab namespace', () => {
  const skip = netnsSkip();
  test('only Preferred addresses of interfaces up and running; link-local with its zone; Wine size rules there too', { skip, timeout: 60_000 }, () => {
    const requests: IoctlRequest[] = [
      { af: ws.AF_INET, type: ws.SOCK_DGRAM, code: ws.SIO_ADDRESS_LIST_QUERY, cbOut: 1024 },
      { af: ws.AF_INET6, type: ws.SOCK_STREAM, code: ws.SIO_ADDRESS_LIST_QUERY, cbOut: 2048 },
      { af: ws.AF_INET6, type: ws.SOCK_DGRAM, code: ws.SIO_ADDRESS_LIST_QUERY, cbOut: 0, outNull: true },
      { af: ws.AF_INET6, type: ws.SOCK_DGRAM, code: ws.SIO_ADDRESS_LIST_QUERY, cbOut: 8, fill: FILL },
      { af: ws.AF_INET, type: ws.SOCK_DGRAM, code: ws.SIO_ADDRESS_LIST_QUERY, cbOut: 3, fill: FILL },
    ];
    const { results, commands } = lastJson<{ results: IoctlAnswer[]; commands: Record<string, string> }>(
      runInNetns(LAB.setup, script('ioctl-child.js'), [JSON.stringify(requests), JSON.stringify(['ip -o link show v0'])]),
    );
    const [v4, v6, probe, header, tiny] = results as [IoctlAnswer, IoctlAnswer, IoctlAnswer, IoctlAnswer, IoctlAnswer];
    const v0 = Number(commands['ip -o link show v0']!.split(':')[0]);

    assert.equal(v4.rc, 0, `error ${v4.error}`);
    assert.ok(v4.guardIntact);
    const four = checkList(Buffer.from(v4.out, 'hex'), v4.bytes, BigInt(v4.base), ws.AF_INET);
    assert.deepEqual(four, [...LAB_FACTS.v4Listable], 'no loopback, no address without carrier, none on a down or point-to-point-without-carrier link');

    assert.equal(v6.rc, 0, `error ${v6.error}`);
    assert.ok(v6.guardIntact);
    const six = checkList(Buffer.from(v6.out, 'hex'), v6.bytes, BigInt(v6.base), ws.AF_INET6);
    for (const a of LAB_FACTS.v6Usable) {
      const expected = a === 'fe80::1' ? `fe80::1%${v0}` : a;
      assert.ok(six.includes(expected), `${expected} in ${six.join(' ')}`);
    }
    assert.equal(six.filter((a) => a === LAB_FACTS.v6DadFailed).length, 1, 'the DAD-failed copy on v0 is left out, v1\'s is listed');
    for (const a of [LAB_FACTS.v6Tentative, LAB_FACTS.v6Deprecated, '::1']) assert.ok(!six.includes(a), `${a} left out`);
    assert.ok(six.every((a) => a.startsWith('fe80:') === a.includes('%')), 'scope ids on link-local addresses only');

    assert.deepEqual({ rc: probe.rc, error: probe.error, bytes: probe.bytes }, { rc: -1, error: ws.WSAEFAULT, bytes: v6.bytes });
    assert.deepEqual({ rc: header.rc, error: header.error, bytes: header.bytes }, { rc: -1, error: ws.WSAEFAULT, bytes: v6.bytes });
    assert.ok(/^(cc)+$/.test(header.out) && header.guardIntact, 'header-only buffer untouched');
    assert.deepEqual({ rc: tiny.rc, error: tiny.error, bytes: tiny.bytes }, { rc: -1, error: ws.WSAEINVAL, bytes: 0 });
  });
});
