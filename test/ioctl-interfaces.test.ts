/**
 * SIO_GET_INTERFACE_LIST (and SIO_GET_INTERFACE_LIST_EX) through WSAIoctl on the Linux emulation:
 * the Windows rules (Wine's test_get_interface_list, ReactOS's WSAIoctl apitest) on this host, the
 * records against the kernel's own dumps, and the lab namespace (several interfaces, one without
 * carrier, one down, a point-to-point link).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as ws from 'wsaioctl/winsock';
import { withSocket } from './helpers/sockets.js';
import * as nl from '../dist/backend/linux/netlink/index.js';
import { LAB, LAB_FACTS, lastJson, netnsSkip, runInNetns, script } from './helpers/netns.js';
import type { IoctlAnswer, IoctlRequest } from './helpers/ioctl-child.js';

const FILL = 0xa5;

function call(s: number, output: Uint8Array | null, cbOut: number, code = ws.SIO_GET_INTERFACE_LIST) {
  const bytes = { value: 0xdeadbeef };
  const rc = ws.WSAIoctl(s, code, null, 0, output, cbOut, bytes, null, null);
  return { rc, error: rc === 0 ? 0 : ws.WSAGetLastError(), bytes: bytes.value };
}


/** Every sockaddr_gen slot: family AF_INET (or 0 for an empty broadcast slot), port 0, zero padding. */
function checkSlots(buf: Uint8Array, count: number): void {
  for (let i = 0; i < count; i++) {
    for (const [name, at] of [['address', 4], ['broadcast', 28], ['netmask', 52]] as const) {
      const slot = buf.subarray(i * 76 + at, i * 76 + at + 24);
      const family = slot[0]! | (slot[1]! << 8);
      if (name === 'broadcast' && family === 0) {
        assert.ok(slot.every((b) => b === 0), `record ${i}: an empty broadcast slot is all zero`);
        continue;
      }
      assert.equal(family, ws.AF_INET, `record ${i} ${name} family`);
      assert.equal(slot[2]! | slot[3]!, 0, `record ${i} ${name} port`);
      assert.ok(slot.subarray(8).every((b) => b === 0), `record ${i} ${name}: bytes after the SOCKADDR_IN are zero`);
    }
  }
}

before(() => ws.WSAStartup(ws.MAKEWORD(2, 2), ws.newWSADATA()));
after(() => ws.WSACleanup());

describe('SIO_GET_INTERFACE_LIST on this host', () => {
  test('UDP and TCP IPv4 sockets: whole records, loopback listed, Windows slot rules', () => {
    for (const type of [ws.SOCK_DGRAM, ws.SOCK_STREAM]) {
      withSocket(ws.AF_INET, type, (s) => {
        const out = new Uint8Array(4096).fill(FILL);
        const r = call(s, out, out.length);
        assert.equal(r.rc, 0, `error ${r.error}`);
        assert.ok(r.bytes > 0 && r.bytes % 76 === 0, `bytes ${r.bytes}`);
        assert.ok(out.subarray(r.bytes).every((b) => b === FILL), 'nothing written past the records');
        const records = ws.decodeInterfaceList(out, r.bytes);
        checkSlots(out, records.length);
        const loopback = records.find((x) => x.address === '127.0.0.1');
        assert.ok(loopback, JSON.stringify(records));
        assert.ok(loopback.flags & ws.IFF_LOOPBACK);
        assert.ok(loopback.flags & ws.IFF_UP);
        assert.equal(loopback.netmask, '255.0.0.0');
        for (const x of records) {
          assert.notEqual(x.address, '0.0.0.0');
          assert.notEqual(x.netmask, '0.0.0.0', 'Wine: the netmask is never zero here (no /0 addresses)');
          // Windows: the broadcast slot holds the limited broadcast exactly when IFF_BROADCAST.
          if (x.flags & ws.IFF_BROADCAST) assert.equal(x.broadcast, '255.255.255.255');
          else if (!(x.flags & ws.IFF_POINTTOPOINT)) assert.equal(x.broadcast, null);
          assert.equal(x.flags & ~0x1f, 0, 'only the five Windows IFF_ bits');
        }
      });
    }
  });

  test('the records are the kernel\'s IPv4 addresses on interfaces that are up, in kernel order', () => {
    const host = nl.hostAddresses(4);
    assert.ok(host.ok);
    const expected = host.value.filter((a) => a.link.flags & nl.LINUX_IFF.UP).map((a) => Buffer.from(a.address).join('.'));
    withSocket(ws.AF_INET, ws.SOCK_DGRAM, (s) => {
      const out = new Uint8Array(76 * (expected.length + 4));
      const r = call(s, out, out.length);
      assert.equal(r.rc, 0);
      assert.deepEqual(ws.decodeInterfaceList(out, r.bytes).map((x) => x.address), expected);
    });
  });

  test('too small for the whole list: WSAEFAULT, 0 bytes returned, nothing written', () => {
    withSocket(ws.AF_INET, ws.SOCK_STREAM, (s) => {
      const need = call(s, new Uint8Array(4096), 4096).bytes;
      for (const size of [0, 75, need - 1]) {
        const out = new Uint8Array(need + 8).fill(FILL);
        const r = call(s, out, size);
        assert.deepEqual(r, { rc: -1, error: ws.WSAEFAULT, bytes: 0 }, `size ${size}`);
        assert.ok(out.every((b) => b === FILL), `size ${size}: untouched`);
      }
      const exact = new Uint8Array(need + 8).fill(FILL);
      assert.equal(call(s, exact, need).bytes, need);
      assert.ok(exact.subarray(need).every((b) => b === FILL));
      // a null buffer with size 0 is "too small" too; with a size it is a bad pointer (dispatcher)
      assert.deepEqual(call(s, null, 0), { rc: -1, error: ws.WSAEFAULT, bytes: 0 });
      assert.deepEqual(call(s, null, 4096), { rc: -1, error: ws.WSAEFAULT, bytes: 0xdeadbeef });
      // a buffer shorter than the size claimed
      assert.deepEqual(call(s, new Uint8Array(10), 4096), { rc: -1, error: ws.WSAEFAULT, bytes: 0xdeadbeef });
    });
  });

  test('an IPv6 socket: WSAEINVAL (not an IPPROTO_IP-level socket)', () => {
    for (const type of [ws.SOCK_DGRAM, ws.SOCK_STREAM]) {
      withSocket(ws.AF_INET6, type, (s) => {
        const out = new Uint8Array(1024).fill(FILL);
        assert.deepEqual(call(s, out, out.length), { rc: -1, error: ws.WSAEINVAL, bytes: 0 });
        assert.ok(out.every((b) => b === FILL));
      });
    }
  });

  test('SIO_GET_INTERFACE_LIST_EX is not implemented by Windows either: WSAEOPNOTSUPP, 0 bytes', () => {
    withSocket(ws.AF_INET, ws.SOCK_DGRAM, (s) => {
      const out = new Uint8Array(1024).fill(FILL);
      assert.deepEqual(call(s, out, out.length, ws.SIO_GET_INTERFACE_LIST_EX), { rc: -1, error: ws.WSAEOPNOTSUPP, bytes: 0 });
      assert.ok(out.every((b) => b === FILL));
    });
  });

  test('the codec round-trips, and empty slots are all zero', () => {
    const buf = new Uint8Array(76 * 2).fill(0xee);
    ws.encodeInterfaceInfo({ flags: 0x13, address: '192.0.2.1', broadcast: '255.255.255.255', netmask: '255.255.255.0' }, buf, 0);
    ws.encodeInterfaceInfo({ flags: 0x05, address: Uint8Array.of(127, 0, 0, 1), broadcast: null, netmask: '255.0.0.0' }, buf, 76);
    assert.deepEqual(ws.decodeInterfaceList(buf), [
      { flags: 0x13, address: '192.0.2.1', broadcast: '255.255.255.255', netmask: '255.255.255.0' },
      { flags: 0x05, address: '127.0.0.1', broadcast: null, netmask: '255.0.0.0' },
    ]);
    checkSlots(buf, 2);
    assert.deepEqual(ws.interfaceFlagNames(0x1f), ['UP', 'BROADCAST', 'LOOPBACK', 'POINTTOPOINT', 'MULTICAST']);
    assert.throws(() => ws.encodeInterfaceInfo({ flags: 0, address: '192.0.2.1', broadcast: null, netmask: '0.0.0.0' }, buf, 77), RangeError);
    assert.equal(ws.decodeInterfaceList(buf, 75).length, 0);
  });
});

describe('SIO_GET_INTERFACE_LIST in the lab namespace', () => {
  const skip = netnsSkip();
  test('several interfaces: flags, netmasks, broadcast or peer, no carrier, down, point-to-point', { skip, timeout: 60_000 }, () => {
    const requests: IoctlRequest[] = [
      { af: ws.AF_INET, type: ws.SOCK_DGRAM, code: ws.SIO_GET_INTERFACE_LIST, cbOut: 76 * 16 },
      { af: ws.AF_INET, type: ws.SOCK_STREAM, code: ws.SIO_GET_INTERFACE_LIST, cbOut: 76 * 16 },
      { af: ws.AF_INET, type: ws.SOCK_DGRAM, code: ws.SIO_GET_INTERFACE_LIST, cbOut: 76 * 2 },
    ];
    const { results } = lastJson<{ results: IoctlAnswer[] }>(runInNetns(LAB.setup, script('ioctl-child.js'), [JSON.stringify(requests)]));
    const [udp, tcp, small] = results as [IoctlAnswer, IoctlAnswer, IoctlAnswer];
    assert.equal(udp.rc, 0, `error ${udp.error}`);
    assert.deepEqual(tcp, { ...tcp, rc: 0, bytes: udp.bytes, out: udp.out });
    assert.ok(udp.guardIntact);
    const buf = Buffer.from(udp.out, 'hex');
    const records = ws.decodeInterfaceList(buf, udp.bytes);
    checkSlots(buf, records.length);
    const byAddress = new Map(records.map((r) => [r.address, r]));

    assert.equal(records[0]!.address, '127.0.0.1', 'lo (index 1) comes first');
    assert.equal(records[0]!.flags, ws.IFF_UP | ws.IFF_LOOPBACK);
    for (const a of LAB_FACTS.v4Listable) {
      assert.deepEqual(byAddress.get(a), {
        flags: ws.IFF_UP | ws.IFF_BROADCAST | ws.IFF_MULTICAST, address: a, broadcast: '255.255.255.255', netmask: '255.255.255.0',
      });
    }
    // up without a carrier: listed, without IFF_UP (Windows: a disconnected adapter's address)
    assert.deepEqual(byAddress.get('203.0.113.5'), {
      flags: ws.IFF_BROADCAST | ws.IFF_MULTICAST, address: '203.0.113.5', broadcast: '255.255.255.255', netmask: '255.255.255.240',
    });
    assert.equal(byAddress.has('203.0.113.77'), false, 'an interface that is administratively down is not listed');
    const p2p = byAddress.get(LAB_FACTS.pointToPoint.address);
    if (p2p) {
      assert.equal(p2p.flags & (ws.IFF_POINTTOPOINT | ws.IFF_BROADCAST | ws.IFF_UP), ws.IFF_POINTTOPOINT);
      assert.equal(p2p.broadcast, LAB_FACTS.pointToPoint.peer, 'the peer in the broadcast slot');
      assert.equal(p2p.netmask, '255.255.255.255');
    }
    assert.equal(records.length, 4 + (p2p ? 1 : 0));

    assert.deepEqual({ rc: small.rc, error: small.error, bytes: small.bytes }, { rc: -1, error: ws.WSAEFAULT, bytes: 0 });
    assert.ok(/^(a5)+$/.test(small.out) && small.guardIntact, 'a too-small buffer is untouched');
  });
});
